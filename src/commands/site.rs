//! `fwreq site`: every request below the given folders as a static site, an
//! index and one page each, for reviewers who browse rather than clone.

use crate::Outcome;
use crate::cli::SiteArgs;
use crate::diagnostic::{self, Severity};
use crate::formats::{Kind, html};
use crate::input::{self, Loaded};
use crate::listing::{self, Row, newest_first};
use crate::session::{Invalid, Options, Reviewed, Session, map_files};
use anyhow::{Context as _, bail};
use minijinja::context;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// One row of the index: what `list` shows, plus the page and the counts.
#[derive(Clone, Serialize, Deserialize)]
struct Entry {
    href: String,
    warnings: usize,
    errors: usize,
    /// `expired`, or `expiring` within `EXPIRING_DAYS`, as of the site's day.
    expiry: Option<Expiry>,
    #[serde(flatten)]
    row: Row,
}

pub fn site(args: SiteArgs) -> anyhow::Result<Outcome> {
    let out = &args.output;
    crate::output::refuse_linked_folders(out)?;
    let files = mirrored(&args.paths, out)?;
    let paths: Vec<PathBuf> = files.iter().map(|(file, _)| file.clone()).collect();
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let options = Options {
        today: Some(today),
        templates: args.templates,
        ..Options::default()
    };
    let session = super::session(paths, &options)?.valid()?;
    let folder = Folder::open(out)?;
    if let Folder::Existing(_) = folder {
        inside_output(out, files.iter().map(|(_, page)| page.as_path()))?;
    }
    let context = context_of(&session, today)?;
    let site = Site {
        session: &session,
        before: match folder {
            Folder::Existing(_) => Manifest::read(out, &context),
            Folder::Fresh(_) => Manifest::empty(&context),
        },
        folder: &folder,
    };
    let mut made = site.pages(&files, &context)?;
    let index = session.first_renderer().page(
        "site.html.j2",
        context! {
            title => "Firewall change requests",
            requests => minijinja::value::Serde(&made.entries),
            columns => minijinja::value::Serde(listing::columns(session.teams())),
        },
    )?;
    if folder.put(Path::new(INDEX), &index)? {
        made.written += 1;
    } else {
        made.unchanged += 1;
    }
    folder.put(Path::new(MANIFEST), &serde_json::to_string(&made.manifest)?)?;
    folder.finish(out)?;
    eprintln!(
        "site: {} written, {} unchanged, in {}",
        made.written,
        made.unchanged,
        out.display()
    );
    if made.with_errors > 0 {
        eprintln!(
            "fwreq: {} with errors (their pages list them)",
            crate::text::plural(made.with_errors, "request", "requests")
        );
        return Ok(Outcome::Findings);
    }
    Ok(Outcome::Clean)
}

/// What every page of one run is made with.
struct Site<'a> {
    session: &'a Session,
    /// The manifest of the run before (empty for a new folder).
    before: Manifest,
    folder: &'a Folder,
}

/// The request pages of one run: the index's rows (newest first), the manifest
/// for the next run, and the counts `site` reports.
struct Made {
    entries: Vec<Entry>,
    manifest: Manifest,
    written: usize,
    unchanged: usize,
    with_errors: usize,
}

impl Site<'_> {
    /// Every page on every core; written as each is made, in no set order
    /// (each page is one file); the rows are sorted once all are in. A page whose
    /// request, team files, templates, day and fwreq are those it was made
    /// from (the manifest says so) and that is still as written is not made
    /// again.
    fn pages(&self, files: &[(PathBuf, PathBuf)], context: &str) -> anyhow::Result<Made> {
        let built: Vec<anyhow::Result<(String, Remembered, bool)>> =
            map_files(files, |(file, page_path)| self.built(file, page_path));
        let mut made = Made {
            entries: Vec::with_capacity(built.len()),
            manifest: Manifest::empty(context),
            written: 0,
            unchanged: 0,
            with_errors: 0,
        };
        for result in built {
            let (key, remembered, wrote) = result?;
            made.with_errors += usize::from(remembered.invalid);
            if wrote {
                made.written += 1;
            } else {
                made.unchanged += 1;
            }
            let mut entry = remembered.entry.clone();
            entry.row.instant = remembered.instant;
            made.entries.push(entry);
            made.manifest.pages.insert(key, remembered);
        }
        made.entries.sort_by(|a, b| {
            newest_first((&a.row.instant, &a.row.path), (&b.row.instant, &b.row.path))
        });
        Ok(made)
    }

    /// One page, by its path in the site: made and written, or (when the
    /// manifest says its inputs are unchanged and it is still as written)
    /// taken from the manifest; with whether it was written.
    fn built(&self, file: &Path, page_path: &Path) -> anyhow::Result<(String, Remembered, bool)> {
        let key = page_path.display().to_string();
        let bytes = input::read_regular(file)?;
        let input = input_of(&bytes, self.session.team_index(file));
        let path = self.folder.path().join(page_path);
        if let Some(old) = self.before.pages.get(&key)
            && old.input == input
            && old.still_written(&path)
        {
            // What the page's path gives is made anew, never read back:
            // a manifest others could write holds no link of the index.
            let mut remembered = old.clone();
            remembered.entry.href = href(page_path);
            remembered.entry.row.path = site_relative(file, page_path);
            return Ok((key, remembered, false));
        }
        let loaded = self.session.load_bytes(file, bytes);
        let (page, entry, invalid) = self.page(loaded, file, page_path)?;
        let wrote = self.folder.put(page_path, &page)?;
        let remembered = Remembered::of(&path, input, entry, invalid)?;
        Ok((key, remembered, wrote))
    }

    /// One request's page and its index row, with its own team's templates
    /// and lint settings; `true` when the file is invalid.
    fn page(
        &self,
        loaded: Loaded,
        file: &Path,
        page_path: &Path,
    ) -> anyhow::Result<(String, Entry, bool)> {
        let session = self.session;
        let home = Some(format!("{}index.html", up(page_path)));
        let href = href(page_path);
        let renderer = session.renderer(file);
        Ok(match session.reviewed(file, loaded)? {
            Ok(Reviewed {
                source,
                ticket,
                diags,
            }) => {
                let page = html::page(
                    renderer,
                    html::Page {
                        warnings: diagnostic::plain(&source, &diags),
                        home,
                        ..html::Page::of(&ticket)
                    },
                )?;
                let judged = match &ticket.kind {
                    Kind::Request { zones, .. } => zones.as_slice(),
                    Kind::Change { .. } | Kind::Removal { .. } | Kind::Renewal { .. } => &[],
                };
                let mut row = Row::of(
                    &source,
                    &ticket.request,
                    crate::flows::count(ticket.checks()),
                    judged,
                );
                row.path = site_relative(file, page_path);
                let entry = Entry {
                    href,
                    warnings: diags.len(),
                    errors: 0,
                    expiry: Expiry::of(&ticket.request, session.settings(file).today),
                    row,
                };
                (page, entry, false)
            }
            Err(Invalid { source, diags }) => {
                let mut row = Row::invalid(file, None);
                row.path = site_relative(file, page_path);
                row.title = format!("{} (has errors)", row.path);
                let page = html::page(
                    renderer,
                    html::Page {
                        title: &row.title,
                        errors: diagnostic::plain(&source, &diags),
                        home,
                        ..html::Page::default()
                    },
                )?;
                let errors = diags
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .count();
                let entry = Entry {
                    href,
                    warnings: 0,
                    errors,
                    expiry: None,
                    row,
                };
                (page, entry, true)
            }
        })
    }
}

/// How near a request's `expires` is, for its mark on the index.
#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Expiry {
    Expired,
    Expiring,
}

/// The window `fwreq expiring` looks ahead by default.
const EXPIRING_DAYS: i64 = 30;

impl Expiry {
    /// Rejected and withdrawn requests were never opened: nothing expires.
    fn of(request: &crate::request::Request, today: chrono::NaiveDate) -> Option<Expiry> {
        use crate::spec::Status;
        let expires = request.expires?;
        if matches!(request.status, Status::Rejected | Status::Withdrawn) {
            return None;
        }
        match (expires - today).num_days() {
            ..0 => Some(Expiry::Expired),
            0..=EXPIRING_DAYS => Some(Expiry::Expiring),
            _ => None,
        }
    }
}

/// What `site` remembers of the pages it made, beside them (hidden, and
/// linked from no page): a rerun makes again only what changed, and builds
/// the index from it without reading every request twice.
const MANIFEST: &str = ".fwreq-site.json";

#[derive(Serialize, Deserialize)]
struct Manifest {
    /// fwreq's version and built-in templates, the day, the team's templates
    /// and the team files, hashed: when any differs, every page is made again.
    context: String,
    /// By page path.
    pages: BTreeMap<String, Remembered>,
}

/// One page as made: from which input, how it lies on the disk, its row.
#[derive(Clone, Serialize, Deserialize)]
struct Remembered {
    input: String,
    size: u64,
    modified: (u64, u32),
    entry: Entry,
    /// The row's instant, which the index sorts by (not in the row's JSON).
    instant: Option<chrono::DateTime<chrono::Utc>>,
    invalid: bool,
}

impl Manifest {
    /// The manifest of an earlier run with the same context, or none (a
    /// missing, unreadable or foreign one is no manifest).
    fn read(out: &Path, context: &str) -> Manifest {
        input::read_regular(&out.join(MANIFEST))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Manifest>(&bytes).ok())
            .filter(|m| m.context == context)
            .unwrap_or_else(|| Manifest::empty(context))
    }

    fn empty(context: &str) -> Manifest {
        Manifest {
            context: context.to_string(),
            pages: BTreeMap::new(),
        }
    }
}

impl Remembered {
    fn of(page: &Path, input: String, entry: Entry, invalid: bool) -> anyhow::Result<Remembered> {
        let (size, modified) = on_disk(page)?;
        let instant = entry.row.instant;
        Ok(Remembered {
            input,
            size,
            modified,
            entry,
            instant,
            invalid,
        })
    }

    /// Whether the page is still the file written then (same size and time).
    fn still_written(&self, page: &Path) -> bool {
        on_disk(page).is_ok_and(|(size, modified)| size == self.size && modified == self.modified)
    }
}

/// A page's size and modification time (seconds and nanoseconds).
fn on_disk(page: &Path) -> anyhow::Result<(u64, (u64, u32))> {
    let meta = std::fs::symlink_metadata(page)
        .with_context(|| format!("cannot read {}", page.display()))?;
    let since = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .unwrap_or_default();
    Ok((meta.len(), (since.as_secs(), since.subsec_nanos())))
}

/// A hash, as hex, of what every page depends on besides its request.
fn context_of(session: &Session, today: chrono::NaiveDate) -> anyhow::Result<String> {
    use std::hash::{Hash as _, Hasher as _};
    let mut hasher = std::hash::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    crate::render::built_ins().hash(&mut hasher);
    today.to_string().hash(&mut hasher);
    session.first_renderer().fingerprint().hash(&mut hasher);
    for file in session.files() {
        session.renderer(file).fingerprint().hash(&mut hasher);
    }
    for team in session.teams() {
        if let Some(file) = &team.file {
            file.hash(&mut hasher);
            input::read_regular(file)?.hash(&mut hasher);
        }
    }
    Ok(format!("{:016x}", hasher.finish()))
}

/// A hash, as hex, of a request file's bytes and which team it belongs to.
fn input_of(bytes: &[u8], team: usize) -> String {
    use std::hash::{Hash as _, Hasher as _};
    let mut hasher = std::hash::DefaultHasher::new();
    bytes.hash(&mut hasher);
    team.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// The site's own index page.
const INDEX: &str = "index.html";

/// Each request file with its page's path in the site: below a folder given,
/// mirrored (with several folders, each under its own name, so `a/one.toml`
/// and `b/one.toml` stay two pages); a file given, by its name. Two sources
/// for one page (or a page where a folder must be) are refused before
/// anything is written.
fn mirrored(paths: &[PathBuf], out: &Path) -> anyhow::Result<Vec<(PathBuf, PathBuf)>> {
    let mut all = Vec::new();
    for root in paths {
        let (files, errors) = input::request_files(std::slice::from_ref(root));
        if let Some(err) = errors.into_iter().next() {
            return Err(err);
        }
        let folder = if paths.len() > 1 && root.is_dir() {
            Some(folder_name(root)?)
        } else {
            None
        };
        for file in files {
            let relative = if root.is_dir() {
                let inner = file.strip_prefix(root).unwrap_or(&file);
                match &folder {
                    Some(name) => name.join(inner),
                    None => inner.to_path_buf(),
                }
            } else {
                PathBuf::from(file.file_name().unwrap_or(file.as_os_str()))
            };
            let page = relative.with_extension("html");
            all.push((file, page));
        }
    }
    let mut taken: HashMap<&Path, String> = HashMap::new();
    taken.insert(Path::new(INDEX), "the site's index".to_string());
    for (file, page) in &all {
        // Every folder a page lies in is taken by that folder.
        for folder in page
            .ancestors()
            .skip(1)
            .filter(|a| !a.as_os_str().is_empty())
        {
            taken
                .entry(folder)
                .or_insert_with(|| format!("the folder of {}", file.display()));
        }
    }
    for (file, page) in &all {
        if let Some(other) = taken.insert(page, file.display().to_string()) {
            bail!(
                "{} and {other} would both be {}; nothing was written (rename one)",
                file.display(),
                out.join(page).display()
            );
        }
    }
    Ok(all)
}

/// A request's path as the site shows it: relative to the folder given (as
/// its page is), never this machine's absolute path.
fn site_relative(file: &Path, page: &Path) -> String {
    page.with_extension(file.extension().unwrap_or_default())
        .display()
        .to_string()
}

/// The name a folder given to `site` goes under when there are several.
fn folder_name(root: &Path) -> anyhow::Result<PathBuf> {
    let real =
        std::fs::canonicalize(root).with_context(|| format!("cannot read {}", root.display()))?;
    match real.file_name() {
        Some(name) => Ok(PathBuf::from(name)),
        None => bail!(
            "{} has no name to put its pages under; give its folders instead",
            root.display()
        ),
    }
}

/// Refuses, before anything is written, a page or folder of the site that is
/// a link out of the output folder: site writes only inside it.
fn inside_output<'a>(out: &Path, pages: impl Iterator<Item = &'a Path>) -> anyhow::Result<()> {
    let top =
        std::fs::canonicalize(out).with_context(|| format!("cannot read {}", out.display()))?;
    for page in pages.chain(std::iter::once(Path::new(INDEX))) {
        let path = out.join(page);
        // The page itself if it exists, else the nearest folder above it that
        // does; a link to nowhere could lead anywhere once written through.
        let mut real = None;
        for at in path.ancestors() {
            if let Ok(found) = std::fs::canonicalize(at) {
                real = Some(found);
                break;
            }
            if std::fs::symlink_metadata(at).is_ok_and(|m| m.is_symlink()) {
                bail!(
                    "{} is a link to nothing; site writes only inside {}, nothing was written",
                    at.display(),
                    out.display()
                );
            }
        }
        let Some(real) = real else { continue };
        if !real.starts_with(&top) {
            bail!(
                "{} leads to {}, outside {}; nothing was written",
                path.display(),
                real.display(),
                out.display()
            );
        }
    }
    Ok(())
}

/// A relative link, `/`-separated, with anything unusual percent-encoded.
fn href(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                        (b as char).to_string()
                    }
                    b => format!("%{b:02X}"),
                })
                .collect()
        })
        .collect();
    parts.join("/")
}

/// The way from a page up to the site's top folder (`../` per folder).
fn up(page_path: &Path) -> String {
    "../".repeat(page_path.components().count().saturating_sub(1))
}

/// The start of the hidden folder a fresh site is built in.
const HIDDEN: &str = ".fwreq-site-";

/// Removes the hidden folders of earlier runs in `parent` whose process is
/// gone (stopped by Ctrl-C or killed before the rename): otherwise each such
/// run would leave a half site behind for good. A folder whose maker still
/// runs (or cannot be asked) is kept; a link is never followed. Best effort.
fn remove_abandoned(parent: &Path) {
    let here = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let Ok(entries) = std::fs::read_dir(here) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(HIDDEN))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<i32>().ok())
        else {
            continue;
        };
        let is_folder = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_folder && !running(pid) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether process `pid` exists (a process of another user counts).
fn running(pid: i32) -> bool {
    #[cfg(unix)]
    {
        use rustix::process::{Pid, test_kill_process};
        Pid::from_raw(pid)
            .is_none_or(|pid| !matches!(test_kill_process(pid), Err(rustix::io::Errno::SRCH)))
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Where a site is written: into its folder, or, when there is none yet, into
/// a new hidden folder beside it that is renamed into place once whole (a
/// reader never sees half a site, and no page needs its own temporary file).
enum Folder {
    Existing(PathBuf),
    Fresh(tempfile::TempDir),
}

impl Folder {
    fn open(out: &Path) -> anyhow::Result<Folder> {
        if std::fs::symlink_metadata(out).is_ok() {
            std::fs::create_dir_all(out)
                .with_context(|| format!("cannot create {}", out.display()))?;
            return Ok(Folder::Existing(out.to_path_buf()));
        }
        // A new folder is named by its last component: `x/..` or `x/.` name
        // another folder, which a rename cannot make.
        let bytes = out.as_os_str().as_encoded_bytes();
        if out.ends_with("..") || bytes.ends_with(b"/.") {
            bail!(
                "{} does not exist; name the new site folder itself (without a trailing `.` or `..`)",
                out.display()
            );
        }
        // A bare name's parent is "", which tempfile takes as the current folder.
        let parent = out.parent().unwrap_or(Path::new(""));
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        remove_abandoned(parent);
        // The process's id in the name tells a later run whether its maker
        // still runs (see `remove_abandoned`).
        let prefix = format!("{HIDDEN}{}-", std::process::id());
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix);
        #[cfg(unix)]
        {
            // The usual folder permissions (0777 less the umask), not 0700.
            use std::os::unix::fs::PermissionsExt as _;
            builder.permissions(std::fs::Permissions::from_mode(0o777));
        }
        let dir = builder
            .tempdir_in(parent)
            .with_context(|| format!("cannot create {}", out.display()))?;
        Ok(Folder::Fresh(dir))
    }

    /// Where the files go now.
    fn path(&self) -> &Path {
        match self {
            Folder::Existing(out) => out,
            Folder::Fresh(dir) => dir.path(),
        }
    }

    /// Writes a file of the site (`relative` to its top) unless it already
    /// holds exactly `text`; returns whether it wrote. In an existing folder
    /// whole or not at all (a temporary file renamed over it); in a fresh one
    /// straight into a new file, as nobody sees that folder yet.
    fn put(&self, relative: &Path, text: &str) -> anyhow::Result<bool> {
        let path = self.path().join(relative);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        match self {
            Folder::Existing(_) => {
                if input::read_regular(&path).is_ok_and(|old| old == text.as_bytes()) {
                    return Ok(false);
                }
                crate::output::write_page(&path, text)?;
            }
            Folder::Fresh(_) => {
                use std::io::Write as _;
                std::fs::File::create_new(&path)
                    .and_then(|mut file| file.write_all(text.as_bytes()))
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
        }
        Ok(true)
    }

    /// Puts a fresh folder in place, unless something took its name meanwhile.
    fn finish(self, out: &Path) -> anyhow::Result<()> {
        let Folder::Fresh(dir) = self else {
            return Ok(());
        };
        let appeared = || {
            anyhow::anyhow!(
                "{} appeared while the site was made; nothing was written",
                out.display()
            )
        };
        if std::fs::symlink_metadata(out).is_ok() {
            return Err(appeared());
        }
        // On Linux the rename itself refuses to replace what took the name
        // after the check (rename(2) would replace an empty folder or a link).
        #[cfg(target_os = "linux")]
        rustix::fs::renameat_with(
            rustix::fs::CWD,
            dir.path(),
            rustix::fs::CWD,
            out,
            rustix::fs::RenameFlags::NOREPLACE,
        )
        .map_err(|e| match e {
            rustix::io::Errno::EXIST => appeared(),
            e => anyhow::Error::from(std::io::Error::from(e))
                .context(format!("cannot write {}", out.display())),
        })?;
        #[cfg(not(target_os = "linux"))]
        std::fs::rename(dir.path(), out)
            .with_context(|| format!("cannot write {}", out.display()))?;
        // Its path is now `out`: nothing to remove.
        let _ = dir.keep();
        Ok(())
    }
}
