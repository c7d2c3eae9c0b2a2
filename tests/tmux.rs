//! `--copy` inside a real tmux: the text lands in tmux's paste buffer. Where
//! tmux is missing the test says so on stderr and skips, except under CI
//! (`CI` set), where it fails: `.ci/run` installs Debian's `tmux`.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of this test's own (its own socket, no user config),
/// stopped when the test ends, passed or not.
struct Server {
    tmux: PathBuf,
    socket: PathBuf,
}

impl Server {
    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new(&self.tmux)
            .arg("-S")
            .arg(&self.socket)
            .args(["-f", "/dev/null"])
            .args(args)
            .output()
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

#[test]
fn copy_inside_tmux_lands_in_its_paste_buffer() {
    let Some(tmux) = common::tool_on_path(&["tmux"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let request =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("requests/avilla-calico-registry.toml");
    let want = Command::new(env!("CARGO_BIN_EXE_fwreq"))
        .arg("render")
        .arg(&request)
        .output()
        .unwrap();
    let server = Server {
        tmux,
        socket: dir.path().join("socket"),
    };
    let started = server.run(&["new-session", "-d", "-x", "200", "-y", "50", "sleep 60"]);
    common::succeeded(&started);
    server.run(&["set-option", "-g", "set-clipboard", "on"]);
    let done = dir.path().join("done");
    let command = format!(
        "'{}' render '{}' --copy 2>'{}'; touch '{}'",
        env!("CARGO_BIN_EXE_fwreq"),
        request.display(),
        dir.path().join("stderr").display(),
        done.display()
    );
    server.run(&["new-window", "-d", &command]);
    let start = Instant::now();
    while !done.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "fwreq did not finish in tmux"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("stderr")).unwrap(),
        format!(
            "copied {} characters (markdown) to the clipboard through the terminal\n",
            String::from_utf8_lossy(&want.stdout).chars().count()
        )
    );
    // tmux reads the escape as the pane writes it; give it a moment (on a
    // loaded machine the buffer was once seen before it held all of it).
    let mut buffer = server.run(&["show-buffer"]);
    while buffer.stdout != want.stdout && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
        buffer = server.run(&["show-buffer"]);
    }
    assert_eq!(
        String::from_utf8_lossy(&buffer.stdout),
        String::from_utf8_lossy(&want.stdout),
        "tmux's buffer: {}",
        String::from_utf8_lossy(&buffer.stderr)
    );
}
