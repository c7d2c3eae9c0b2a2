//! The file a target writes its input to, in a folder of this process's own
//! (the targets that read from a path, as fwreq does).

use std::path::PathBuf;
use std::sync::OnceLock;

/// `name` in `fwreq-fuzz-TARGET-PID` under the temporary folder, made on
/// the first call (a target always asks for the same file).
pub fn file(target: &str, name: &str) -> &'static PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("fwreq-fuzz-{target}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch folder");
        dir.join(name)
    })
}
