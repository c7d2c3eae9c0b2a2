//! The one writer of a user's files: `render -o`, `site`, `new`, `init` and (through
//! `edit`) `record` all write here, by the same rules:
//!
//! - whole or not at all: a temporary file beside the real one, then a rename;
//! - a whole output (`render -o`, `implement -o`, `site`, `new`, `init`) never
//!   through a link: the link itself is replaced when asked, else refused;
//!   an edit (`record`) through a link to its target (the link stays a link);
//! - never a file that is not a regular file, has other hard links (a rename
//!   would split them), is read-only or belongs to someone else, unless the
//!   command was forced ([`Existing::Force`]);
//! - under an advisory lock while it is read and replaced, and only if it did
//!   not change since it was read (else [`Changed`]);
//! - the replaced file keeps its mode (and owner, where allowed).

use anyhow::{Context as _, bail};
use std::fs::{File, Metadata};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long to wait for another program's lock on a file before giving up.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// What a command may do with a file that is already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Never replace it.
    Keep,
    /// Replace it if the user could write it in place.
    Replace,
    /// Replace it even when read-only, another user's or hard-linked.
    Force,
}

/// The file changed between being read and being replaced: another program
/// wrote it without taking the lock. Nothing was written.
#[derive(Debug)]
pub(crate) struct Changed(pub PathBuf);

impl std::fmt::Display for Changed {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(
            f,
            "{} changed while fwreq was writing it; it holds the other program's version, try again",
            self.0.display()
        )
    }
}

impl std::error::Error for Changed {}

/// Why a file was not written, in terms of the file: the command that asked
/// says it with its own flags (what `--force` would do, which flag named the
/// file). Nothing was written.
#[derive(Debug)]
pub enum Refusal {
    /// The file is there, and the command did not ask to replace it.
    Exists(PathBuf),
    /// The path is a link (to `target`), and no file is written through one.
    Link { path: PathBuf, target: PathBuf },
    /// The user could not write the file in place (`why`: other hard links,
    /// another owner, read-only); only a forced command replaces it.
    NotWritable { path: PathBuf, why: String },
    /// The output path is `input`, one of the request files read.
    IsRequest { output: PathBuf, input: PathBuf },
    /// The output path is a `.toml` file, which `check` reads as a request.
    Toml(PathBuf),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Refusal::Exists(path) => write!(f, "{} already exists", path.display()),
            Refusal::Link { path, target } => write!(
                f,
                "{} is a link to {}; fwreq writes no file through a link",
                path.display(),
                target.display()
            ),
            Refusal::NotWritable { path, why } => {
                write!(f, "{} {why}; it is unchanged", path.display())
            }
            Refusal::IsRequest { output, input } => write!(
                f,
                "{} is the request file {}; refusing to write over it",
                output.display(),
                input.display()
            ),
            Refusal::Toml(output) => write!(
                f,
                "{} is a .toml file, which check reads as a request; refusing to write it",
                output.display()
            ),
        }
    }
}

impl std::error::Error for Refusal {}

/// Writes `text` to `path`. An existing file is replaced only with `replace`
/// (and only if the user could write it in place); a new file gets the usual
/// permissions (0666 less the umask), not the temporary file's private 0600.
pub(crate) fn write_whole(path: &Path, text: &str, replace: bool) -> anyhow::Result<()> {
    let existing = if replace {
        Existing::Replace
    } else {
        Existing::Keep
    };
    write_file(path, text, existing, Flush::EachFile)
}

/// When a written file is flushed to the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flush {
    /// Before it replaces the old one: a user's file survives a crash whole.
    EachFile,
    /// When the system gets to it: pages of a generated site, which can be
    /// made again. A reader still never sees half a page (each is renamed
    /// into place), and after a crash `site` remakes a page whose size or
    /// time is not what its manifest says.
    Never,
}

/// A page of a generated folder (`site`): written like [`write_whole`] with
/// leave to replace (whole, never through a link), but not flushed to the
/// disk one by one (10,000 flushes were most of a large site's time, and a
/// file-system-wide `syncfs` flushes other programs' files too).
pub(crate) fn write_page(path: &Path, text: &str) -> anyhow::Result<()> {
    write_file(path, text, Existing::Replace, Flush::Never)
}

/// [`write_whole`] with the full choice of what to do with an existing file.
fn write_file(path: &Path, text: &str, existing: Existing, flush: Flush) -> anyhow::Result<()> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return replace_link(path, text, existing, flush);
    }
    if std::fs::symlink_metadata(path).is_ok() {
        // `Locked::open` refuses it unless the command may replace it.
        return Locked::open(path, existing)?.replace_flushed(text, flush);
    }
    create(path, path, text, flush)
}

/// An output path that is a link is never written through: a repository can
/// hold `ticket.md -> ~/.bashrc`, and `--force` is said about the file the
/// user named, not about wherever a link leads. When asked, the link itself
/// is replaced by the file (one rename over the link's name); else nothing is
/// written, and the message names both.
fn replace_link(path: &Path, text: &str, existing: Existing, flush: Flush) -> anyhow::Result<()> {
    let target = resolve(path)?;
    if existing == Existing::Keep {
        return Err(link_refusal(path, &target));
    }
    let tmp = temporary(path, path, text, None, flush)?;
    tmp.persist(path)
        .map(drop)
        .map_err(|e| anyhow::Error::new(e.error))
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Why a link at an output path was left alone, naming where it leads.
fn link_refusal(path: &Path, target: &Path) -> anyhow::Error {
    Refusal::Link {
        path: path.to_path_buf(),
        target: target.to_path_buf(),
    }
    .into()
}

/// Refuses an output path that is already there (a file, or a link to
/// anything, even to nothing) before any work is done for it.
pub(crate) fn refuse_existing(path: &Path) -> anyhow::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(link_refusal(path, &resolve(path)?)),
        Ok(_) => Err(exists(path)),
        Err(_) => Ok(()),
    }
}

/// Writes a new file, never over one that appeared meanwhile.
fn create(path: &Path, target: &Path, text: &str, flush: Flush) -> anyhow::Result<()> {
    let tmp = temporary(path, target, text, None, flush)?;
    tmp.persist_noclobber(target).map(drop).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            exists(path)
        } else {
            anyhow::Error::new(e.error).context(format!("cannot write {}", path.display()))
        }
    })
}

fn exists(path: &Path) -> anyhow::Error {
    Refusal::Exists(path.to_path_buf()).into()
}

/// A file opened for replacing: symlinks resolved, checked, locked and read.
/// The lock is held until it is dropped.
pub(crate) struct Locked {
    /// The path as the user gave it, for messages.
    shown: PathBuf,
    /// The file itself.
    target: PathBuf,
    /// Holds the lock.
    file: File,
    meta: Metadata,
    bytes: Vec<u8>,
}

impl Locked {
    /// Opens `path` for replacing, waiting (a while) for another writer's lock.
    pub fn open(path: &Path, existing: Existing) -> anyhow::Result<Locked> {
        let target = resolve(path)?;
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            regular(path, &target)?;
            let file =
                File::open(&target).with_context(|| format!("cannot read {}", path.display()))?;
            lock(&file, path, deadline)?;
            let meta = file
                .metadata()
                .with_context(|| format!("cannot read {}", path.display()))?;
            // Waiting, the lock may have been on a file another writer has
            // since renamed over: then lock the new one.
            let now = std::fs::metadata(&target).ok();
            if !now.is_some_and(|now| same_file(&meta, &now)) {
                if Instant::now() >= deadline {
                    bail!(
                        "{} keeps being replaced by another program; it is unchanged",
                        path.display()
                    );
                }
                continue;
            }
            allowed(path, &meta, existing)?;
            let mut bytes = Vec::new();
            (&file)
                .read_to_end(&mut bytes)
                .with_context(|| format!("cannot read {}", path.display()))?;
            return Ok(Locked {
                shown: path.to_path_buf(),
                target,
                file,
                meta,
                bytes,
            });
        }
    }

    /// The file's bytes as read under the lock.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Replaces the file with `text` if it is still what was read; else
    /// nothing is written and the error is [`Changed`].
    pub fn replace(self, text: &str) -> anyhow::Result<()> {
        self.replace_flushed(text, Flush::EachFile)
    }

    fn replace_flushed(self, text: &str, flush: Flush) -> anyhow::Result<()> {
        let tmp = temporary(&self.shown, &self.target, text, Some(&self.meta), flush)?;
        let now = std::fs::metadata(&self.target).ok();
        let unchanged = now.is_some_and(|now| same_file(&self.meta, &now))
            && std::fs::read(&self.target).is_ok_and(|b| b == self.bytes);
        if !unchanged {
            return Err(Changed(self.shown).into());
        }
        tmp.persist(&self.target)
            .map(drop)
            .map_err(|e| anyhow::Error::new(e.error))
            .with_context(|| format!("cannot write {}", self.shown.display()))?;
        drop(self.file);
        Ok(())
    }
}

/// The file a path names, its symlinks followed one by one (a dangling link
/// names the file it would create).
fn resolve(path: &Path) -> anyhow::Result<PathBuf> {
    let mut at = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let to = std::fs::read_link(&at)
                    .with_context(|| format!("cannot read the link {}", at.display()))?;
                at = match at.parent() {
                    Some(dir) => dir.join(to),
                    None => to,
                };
            }
            _ => return Ok(at),
        }
    }
    bail!("{}: too many levels of symbolic links", path.display())
}

/// Refuses anything but a regular file before opening it (a FIFO would block).
fn regular(path: &Path, target: &Path) -> anyhow::Result<()> {
    let meta =
        std::fs::metadata(target).with_context(|| format!("cannot read {}", path.display()))?;
    if !meta.is_file() {
        bail!(
            "{} is not a regular file; fwreq writes only regular files",
            path.display()
        );
    }
    Ok(())
}

/// Whether a command may replace this file without being forced.
fn allowed(path: &Path, meta: &Metadata, existing: Existing) -> anyhow::Result<()> {
    match existing {
        Existing::Force => return Ok(()),
        Existing::Replace => {}
        Existing::Keep => return Err(exists(path)),
    }
    match refusal(meta) {
        None => Ok(()),
        Some(why) => Err(Refusal::NotWritable {
            path: path.to_path_buf(),
            why,
        }
        .into()),
    }
}

/// Why the user could not write this file in place, if so.
fn refusal(meta: &Metadata) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let me = rustix::process::geteuid().as_raw();
        if meta.nlink() > 1 {
            Some(format!(
                "has {} hard links; replacing it would leave the other names with the old text",
                meta.nlink()
            ))
        } else if meta.uid() != me {
            Some(format!("belongs to user {}, not to you", meta.uid()))
        } else if meta.mode() & 0o200 == 0 {
            Some("is read-only".to_string())
        } else {
            None
        }
    }
    #[cfg(not(unix))]
    {
        meta.permissions()
            .readonly()
            .then(|| "is read-only".to_string())
    }
}

/// Takes the lock, waiting until `deadline` for another program to let go.
fn lock(file: &File, path: &Path, deadline: Instant) -> anyhow::Result<()> {
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(()),
            Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(std::fs::TryLockError::WouldBlock) => bail!(
                "{} is locked by another program (another fwreq record?); it is unchanged, try again",
                path.display()
            ),
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(
                    anyhow::Error::new(e).context(format!("cannot lock {}", path.display()))
                );
            }
        }
    }
}

/// Whether two metadata describe the same file and version of it.
#[cfg(unix)]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    a.dev() == b.dev() && a.ino() == b.ino()
}

/// Without inode numbers, the same size and time stand in for them.
#[cfg(not(unix))]
#[mutants::skip] // not compiled on the unix hosts the tests run on
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    a.len() == b.len() && a.modified().ok() == b.modified().ok()
}

/// `text` in a temporary file beside `target`, flushed unless `Never`, with
/// the mode (and owner, where allowed) of the file it replaces.
fn temporary(
    shown: &Path,
    target: &Path,
    text: &str,
    like: Option<&Metadata>,
    flush: Flush,
) -> anyhow::Result<tempfile::NamedTempFile> {
    // A bare name's parent is "", which tempfile takes as the current folder.
    let dir = target.parent().unwrap_or(Path::new(""));
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .with_context(|| format!("cannot write {}", shown.display()))?;
    if let Some(meta) = like {
        tmp.as_file()
            .set_permissions(meta.permissions())
            .with_context(|| format!("cannot write {}", shown.display()))?;
        // Root replacing a user's file leaves it theirs; anyone else cannot
        // give a file away, and then it is theirs anyway.
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt as _;
            let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(meta.uid()), Some(meta.gid()));
        }
    }
    tmp.write_all(text.as_bytes())
        .and_then(|()| match flush {
            Flush::EachFile => tmp.as_file().sync_all(),
            Flush::Never => Ok(()),
        })
        .with_context(|| format!("cannot write {}", shown.display()))?;
    Ok(tmp)
}

/// Refuses an output path that is a request (`check` reads every `*.toml`
/// it finds as one, and the team file is one too) or one of the inputs,
/// forced or not: a rendered ticket must never replace a spec.
pub(crate) fn refuse_request_path<P: AsRef<Path>>(
    output: &Path,
    inputs: &[P],
) -> anyhow::Result<()> {
    refuse_linked_folders(output.parent().unwrap_or(Path::new("")))?;
    let target = resolve(output)?;
    if let Some(input) = inputs
        .iter()
        .map(AsRef::as_ref)
        .find(|f| same_path(f, &target))
    {
        return Err(Refusal::IsRequest {
            output: output.to_path_buf(),
            input: input.to_path_buf(),
        }
        .into());
    }
    if target
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
    {
        return Err(Refusal::Toml(output.to_path_buf()).into());
    }
    Ok(())
}

/// Refuses a folder to write into that is, or lies under, a link the path
/// names as a folder (`out -> /tmp/victim`, shipped by a repository, with
/// `-o out/ticket.md` or `site -o out`): the file would land wherever the
/// link leads. A relative path is checked part by part; an absolute one was
/// typed whole by the user (and `/tmp` itself is a link on some systems).
pub(crate) fn refuse_linked_folders(folder: &Path) -> anyhow::Result<()> {
    if folder.is_absolute() {
        return Ok(());
    }
    match crate::input::linked_part(folder) {
        Some(at) => bail!(
            "{} is a link to {}; fwreq writes into no folder through a link (name the real folder)",
            at.display(),
            std::fs::read_link(&at).unwrap_or_default().display()
        ),
        None => Ok(()),
    }
}

/// Whether two paths name the same file (through links or `./` too).
fn same_path(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => same_file(&a, &b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder holding `name` with `text`, and the file's path.
    fn file_in(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        (dir, path)
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_is_readable_by_others_and_a_replaced_one_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ticket.md");
        write_whole(&path, "a", false).expect("write");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode & 0o044, 0o044, "group and others can read ({mode:o})");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        let refused = write_whole(&path, "b", false).expect_err("not replaced unasked");
        assert!(matches!(refused.downcast_ref(), Some(Refusal::Exists(p)) if *p == path));
        write_whole(&path, "b", true).expect("replace");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "b");
    }

    #[test]
    fn a_file_changed_by_another_program_after_reading_is_not_replaced() {
        let (_dir, path) = file_in("a.toml", "one");
        let locked = Locked::open(&path, Existing::Replace).expect("open");
        assert_eq!(locked.bytes(), b"one");
        // An editor that takes no lock saves in between.
        std::fs::write(&path, "two").expect("write");
        let err = locked.replace("three").expect_err("refused");
        assert!(err.is::<Changed>(), "{err:#}");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "two");
    }

    /// A file that appears between the look and the write is not replaced.
    #[test]
    fn a_new_file_is_never_created_over_one_that_appeared() {
        let (_dir, path) = file_in("ticket.md", "theirs");
        let refused = create(&path, &path, "ours", Flush::EachFile).expect_err("refused");
        assert!(matches!(refused.downcast_ref(), Some(Refusal::Exists(p)) if *p == path));
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "theirs");
    }

    /// The temporary file is made beside the file it becomes, so the rename
    /// stays on one file system (a bare name's folder is the current one).
    #[test]
    fn the_temporary_file_is_beside_its_target() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("ticket.md");
        let tmp = temporary(&target, &target, "a", None, Flush::EachFile).expect("temporary");
        assert_eq!(tmp.path().parent(), Some(dir.path()));
        let bare = Path::new("ticket.md");
        let tmp = temporary(bare, bare, "a", None, Flush::EachFile).expect("temporary");
        let here = std::env::current_dir().expect("current folder");
        assert_eq!(tmp.path().parent(), Some(here.as_path()));
    }

    #[test]
    fn a_changed_file_is_named_with_what_to_do() {
        assert_eq!(
            Changed(PathBuf::from("requests/a.toml")).to_string(),
            "requests/a.toml changed while fwreq was writing it; it holds the other program's version, try again"
        );
    }

    /// Another writer holds the lock, then renames its new version over the
    /// file and lets go: the waiting writer locks and reads the new file, not
    /// the old one it was waiting on.
    #[test]
    fn a_writer_waits_for_the_lock_and_takes_the_file_that_replaced_it() {
        let (dir, path) = file_in("a.toml", "one");
        let held = File::open(&path).expect("open");
        held.lock().expect("lock");
        let waiting = {
            let path = path.clone();
            std::thread::spawn(move || {
                Locked::open(&path, Existing::Replace).map(|l| l.bytes().to_vec())
            })
        };
        std::thread::sleep(Duration::from_millis(300));
        let new = dir.path().join("a.toml.new");
        std::fs::write(&new, "two").expect("write");
        std::fs::rename(&new, &path).expect("rename");
        drop(held);
        let bytes = waiting.join().expect("thread").expect("opened");
        assert_eq!(bytes, b"two");
    }

    #[test]
    fn a_lock_never_let_go_is_given_up_at_the_deadline() {
        let (_dir, path) = file_in("a.toml", "one");
        let held = File::open(&path).expect("open");
        held.lock().expect("lock");
        let second = File::open(&path).expect("open");
        let started = Instant::now();
        let err = lock(&second, &path, started + Duration::from_millis(200)).expect_err("locked");
        assert!(started.elapsed() >= Duration::from_millis(200), "it waited");
        assert_eq!(
            err.to_string(),
            format!(
                "{} is locked by another program (another fwreq record?); it is unchanged, try again",
                path.display()
            )
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_never_written_through_and_replaced_itself_only_when_asked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let link = dir.path().join("ticket.md");
        let bashrc = dir.path().join("bashrc");
        std::fs::write(&bashrc, "alias ls=ls\n").expect("write");
        for to in [bashrc.clone(), dir.path().join("nothing")] {
            std::os::unix::fs::symlink(&to, &link).expect("link");
            let refused = write_whole(&link, "a", false).expect_err("not asked");
            assert_eq!(
                refused.to_string(),
                format!(
                    "{} is a link to {}; fwreq writes no file through a link",
                    link.display(),
                    to.display()
                )
            );
            assert_eq!(
                refuse_existing(&link).expect_err("a link").to_string(),
                refused.to_string()
            );
            write_whole(&link, "a", true).expect("write");
            let meta = std::fs::symlink_metadata(&link).expect("meta");
            assert!(meta.is_file(), "the link itself is replaced");
            assert_eq!(std::fs::read_to_string(&link).expect("read"), "a");
            assert!(!dir.path().join("nothing").exists());
            std::fs::remove_file(&link).expect("remove");
        }
        assert_eq!(
            std::fs::read_to_string(&bashrc).expect("read"),
            "alias ls=ls\n"
        );
        assert!(refuse_existing(&link).is_ok());
        std::fs::write(&link, "x").expect("write");
        assert_eq!(
            refuse_existing(&link).expect_err("a file").to_string(),
            format!("{} already exists", link.display())
        );
    }
}
