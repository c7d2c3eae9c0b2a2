//! `fwreq.toml`: a team's defaults, found by walking up from a request's
//! folder (so one file serves a whole repository or one plant's folder).
//! Precedence: the command line, then the request itself, then `fwreq.toml`,
//! then the built-in defaults. Its paths are relative to the file itself.

use crate::diagnostic::{Diagnostic, Source};
use crate::fields::{self, Fields};
use crate::implement::Platform;
use crate::lints;
use crate::names::Lint;
use crate::request::Request;
use crate::zones::{self, Zones};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;

/// The team file's name (`input` owns it: it skips the file among requests).
pub const FILE: &str = crate::input::TEAM_FILE;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    templates: Option<Spanned<String>>,
    // The request spec writes `requested_by`; either spelling is accepted here.
    #[serde(alias = "requested_by")]
    requested_by: Option<Spanned<String>>,
    #[serde(default)]
    allow: Vec<Spanned<String>>,
    #[serde(default)]
    warn: Vec<Spanned<String>>,
    #[serde(default)]
    deny: Vec<Spanned<String>>,
    #[serde(alias = "max_port_range")]
    max_port_range: Option<Spanned<i64>>,
    /// Zone names to their networks and name patterns.
    #[serde(default)]
    zones: zones::RawZones,
    /// The firewall platforms the team implements on (`fwreq implement --target`).
    #[serde(default)]
    targets: Vec<Spanned<String>>,
    /// Verdicts for pairs of zones.
    #[serde(default, alias = "zone_policy")]
    zone_policy: Vec<Spanned<zones::RawEntry>>,
    /// Where and how `submit` and `sync` reach ServiceNow.
    servicenow: Option<crate::servicenow::config::Raw>,
    /// The team's own fields, `[fields.NAME]`.
    #[serde(default)]
    fields: crate::fields::RawDefinitions,
    /// Fields `list` and the site index show as columns.
    #[serde(default, alias = "list_columns")]
    list_columns: Vec<Spanned<String>>,
    /// `fwreq verify`'s defaults.
    verify: Option<RawVerify>,
}

/// `[verify]`: the firewall's ruleset (`nft list ruleset`) that `verify` reads
/// when no `--ruleset` is given, and that `check` points drafts to.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVerify {
    ruleset: Spanned<String>,
}

/// A validated team file.
#[derive(Debug, Clone, Default)]
pub struct Team {
    /// The team file itself (none for the built-in defaults).
    pub file: Option<PathBuf>,
    /// The templates folder, resolved against the file's folder.
    pub templates: Option<PathBuf>,
    pub requested_by: Option<String>,
    /// Lints silenced (`allow`), turned on as warnings (`warn`: `zone-review`
    /// is off by default) or made errors (`deny`) for every request below it.
    pub levels: lints::Levels,
    /// `deny = ["warnings"]`: every warning is an error.
    pub deny_warnings: bool,
    pub max_port_range: Option<u32>,
    /// The team's zones and their policy (empty: flows are not judged).
    pub zones: Arc<Zones>,
    /// The firewall platforms its rules go to; `not-expressible` warns about
    /// what one of them cannot hold.
    pub targets: Vec<Platform>,
    /// `[servicenow]`, when the file has one.
    pub servicenow: Option<Arc<crate::servicenow::config::Config>>,
    /// `[verify] ruleset`, resolved against the file's folder. Not required
    /// to exist: a team may fetch it before it verifies; `verify` says when
    /// it cannot read it.
    pub ruleset: Option<PathBuf>,
    /// The team's own fields, in the file's order.
    pub fields: Arc<Fields>,
    /// Request fields shown as columns by `list` and the site index.
    pub list_columns: Vec<String>,
}

/// The environment variable that names team files to trust although they
/// belong to someone else or others may write them (`:`-separated, or `*`).
pub(crate) const TRUST_VAR: &str = "FWREQ_TRUST_TEAM_FILE";

/// The `fwreq.toml` that governs `dir`: the nearest trusted one in it or
/// above it, as git looks for a repository: the walk stops at the
/// repository's root (the folder holding `.git`) and at the user's home
/// folder. A file another user could have put there is skipped, with a
/// warning that names it (see [`judge`]). With the file comes what was
/// judged, so the file read can be checked to be that one.
fn find(dir: &Path, ignored: &mut Vec<Ignored>) -> Option<(PathBuf, std::fs::Metadata)> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    // A folder not made yet (`fwreq new plant/x`): its nearest existing one.
    let existing = dir
        .ancestors()
        .find(|d| d.is_dir())
        .unwrap_or(Path::new("."));
    let absolute = std::fs::canonicalize(existing).ok()?;
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .and_then(|h| std::fs::canonicalize(h).ok());
    let mut top = None;
    let mut candidates = Vec::new();
    for folder in absolute.ancestors() {
        candidates.push(folder.join(FILE));
        let stop = home.as_deref() == Some(folder)
            || match repository_top(folder) {
                Ok(top) => top,
                Err(why) => {
                    let git = folder.join(".git");
                    if !ignored.iter().any(|i| i.file == git) {
                        ignored.push(Ignored {
                            shown: relative_to_here(git.clone()),
                            file: git,
                            why,
                            what: Passed::NotARepository,
                        });
                    }
                    false
                }
            };
        if stop {
            top = Some(folder.to_path_buf());
            break;
        }
    }
    let top = top.unwrap_or_else(|| PathBuf::from("/"));
    for file in candidates {
        if !file.is_file() {
            continue;
        }
        match judge(&file, &top) {
            Ok(judged) => return Some((relative_to_here(file), judged)),
            Err(why) => {
                if !ignored.iter().any(|i| i.file == file) {
                    ignored.push(Ignored {
                        shown: relative_to_here(file.clone()),
                        file,
                        why,
                        what: Passed::TeamFile,
                    });
                }
            }
        }
    }
    None
}

/// Whether `folder` is the top of a repository of this user's: its `.git` is
/// a folder with a `HEAD`, or a worktree's `gitdir:` file, and is this user's
/// (or root's). A `.git` that is neither is `Err(why)`: the walk goes on above
/// it, and says so, since an empty `.git` anyone can make in a shared folder
/// (`/tmp`) would otherwise end the search and drop the team's policy unseen.
fn repository_top(folder: &Path) -> Result<bool, String> {
    let git = folder.join(".git");
    let Ok(entry) = std::fs::symlink_metadata(&git) else {
        return Ok(false);
    };
    // `git init --separate-git-dir` leaves a link: judged, and followed.
    let meta = if entry.file_type().is_symlink() {
        std::fs::metadata(&git)
            .map_err(|e| format!("it is a link that cannot be followed ({e})"))?
    } else {
        entry.clone()
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let me = rustix::process::geteuid().as_raw();
        for owner in [entry.uid(), meta.uid()] {
            if owner != me && owner != 0 {
                return Err(format!("it belongs to user {owner}, not to you"));
            }
        }
    }
    if meta.is_dir() {
        return if git.join("HEAD").is_file() {
            Ok(true)
        } else {
            Err("it is a folder without HEAD, not a repository".to_string())
        };
    }
    let gitdir = meta.is_file()
        && meta.len() <= 4096
        && std::fs::read(&git).is_ok_and(|text| text.starts_with(b"gitdir: "));
    if gitdir {
        Ok(true)
    } else {
        Err("it is not a repository's folder nor a `gitdir:` file".to_string())
    }
}

/// Shown relative to the working folder where it lies below it.
fn relative_to_here(found: PathBuf) -> PathBuf {
    let here = std::env::current_dir()
        .ok()
        .and_then(|d| std::fs::canonicalize(d).ok());
    match here.and_then(|h| found.strip_prefix(h).ok().map(Path::to_path_buf)) {
        Some(relative) => relative,
        None => found,
    }
}

/// A team file's metadata if it can be trusted, or why not (like git's
/// `safe.directory`: CVE-2022-24765): it belongs to another user (root
/// aside), others or a group other than the user's own may write it, it is a
/// link another user made, or it leads out of the folder where the walk
/// stops. `FWREQ_TRUST_TEAM_FILE` overrides. What cannot be judged (a path
/// too long to resolve, say) is not trusted.
fn judge(file: &Path, top: &Path) -> Result<std::fs::Metadata, String> {
    let examined = |e: std::io::Error| format!("it cannot be examined: {e}");
    let entry = std::fs::symlink_metadata(file).map_err(examined)?;
    let target =
        std::fs::canonicalize(file).map_err(|e| format!("its path cannot be resolved: {e}"))?;
    let meta = std::fs::metadata(&target).map_err(examined)?;
    // A file that was not a link must still be the file resolved: a link
    // swapped in between would escape the link maker's check.
    if !entry.file_type().is_symlink() && !crate::input::same_file(&entry, &meta) {
        return Err("it changed while it was checked".to_string());
    }
    if let Some(trusted) = std::env::var_os(TRUST_VAR) {
        // Only absolute names: a relative one would name a different file
        // in every folder fwreq runs from.
        let listed = trusted == "*"
            || std::env::split_paths(&trusted)
                .any(|t| t.is_absolute() && std::fs::canonicalize(t).is_ok_and(|t| t == target));
        if listed {
            return Ok(meta);
        }
    }
    if !target.starts_with(top) {
        return Err(format!(
            "it is a link to {}, outside {}",
            target.display(),
            top.display()
        ));
    }
    match owner_distrust(&target, &entry, &meta) {
        Some(why) => Err(why),
        None => Ok(meta),
    }
}

#[cfg(unix)]
fn owner_distrust(
    file: &Path,
    entry: &std::fs::Metadata,
    meta: &std::fs::Metadata,
) -> Option<String> {
    use std::os::unix::fs::MetadataExt as _;
    let me = Owner {
        uid: rustix::process::geteuid().as_raw(),
        gid: rustix::process::getegid().as_raw(),
    };
    // A link in a shared folder is its maker's, whatever it leads to.
    if entry.file_type().is_symlink() && ownership_distrust(Owner::of(entry), 0, me).is_some() {
        return Some(format!("it is a link user {} made", entry.uid()));
    }
    // So is a hard link (where the kernel lets anyone make one).
    if meta.nlink() > 1 {
        return Some(format!(
            "it has {} hard links, and another name of it may be anyone's",
            meta.nlink()
        ));
    }
    if let Some(why) = ownership_distrust(Owner::of(meta), meta.mode(), me) {
        return Some(why);
    }
    if meta.mode() & 0o020 != 0
        && let Some(why) = shared_group(meta.gid(), me.uid)
    {
        return Some(why);
    }
    acl_distrust(file, me.uid)
}

/// The user's own group may write the file: trusted only while no other user
/// is in it (a private group, as Debian makes one per user), so a `users` or
/// `staff` group everyone shares counts as "others may write it". Members are
/// read from `/etc/group` and `/etc/passwd`; what cannot be read is not trusted.
#[cfg(unix)]
fn shared_group(gid: u32, me: u32) -> Option<String> {
    let read = |path| std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"));
    match read("/etc/passwd").and_then(|passwd| Ok((passwd, read("/etc/group")?))) {
        Ok((passwd, group)) => match others_in_group(gid, me, &passwd, &group) {
            None => Some(format!(
                "group {gid} may write it, and it is not in /etc/group (a directory service's?), so who is in it cannot be told"
            )),
            Some(others) if others.is_empty() => None,
            Some(others) => Some(format!(
                "group {gid} may write it, and other users are in that group ({})",
                others.join(", ")
            )),
        },
        Err(e) => Some(format!(
            "group {gid} may write it, and who is in that group cannot be read ({e})"
        )),
    }
}

/// The users other than `me` in group `gid`: its listed members, and those
/// whose primary group it is; `None` when `/etc/group` does not list the
/// group at all (its members live in a directory service fwreq cannot ask).
#[cfg(unix)]
fn others_in_group(gid: u32, me: u32, passwd: &str, group: &str) -> Option<Vec<String>> {
    let fields = |line: &str| line.split(':').map(str::to_string).collect::<Vec<_>>();
    let users: Vec<Vec<String>> = passwd
        .lines()
        .map(fields)
        .filter(|f| f.len() >= 4)
        .collect();
    let my_name = users
        .iter()
        .find(|f| f[2].parse() == Ok(me))
        .map(|f| f[0].clone());
    let mut others: Vec<String> = users
        .iter()
        .filter(|f| f[3].parse() == Ok(gid) && f[2].parse() != Ok(me))
        .map(|f| f[0].clone())
        .collect();
    let mut listed = false;
    for line in group.lines().map(fields) {
        if line.len() >= 4 && line[2].parse() == Ok(gid) {
            listed = true;
            others.extend(
                line[3]
                    .split(',')
                    .map(str::trim)
                    .filter(|m| !m.is_empty() && Some(*m) != my_name.as_deref())
                    .map(str::to_string),
            );
        }
    }
    others.sort();
    others.dedup();
    listed.then_some(others)
}

/// A POSIX ACL (`setfacl -m u:bob:rw`) lets users and groups the mode does
/// not show write the file: a named user other than this one, or a named
/// group, with write permission (that the ACL's mask lets through) makes the
/// file one another user can write.
#[cfg(unix)]
fn acl_distrust(file: &Path, me: u32) -> Option<String> {
    let mut buf = [0u8; 4096];
    match rustix::fs::getxattr(file, "system.posix_acl_access", &mut buf[..]) {
        Ok(len) => acl_writers(&buf[..len], me),
        Err(rustix::io::Errno::NODATA | rustix::io::Errno::OPNOTSUPP) => None,
        Err(e) => Some(format!("its access control list cannot be read: {e}")),
    }
}

/// Who beside the owner an ACL in its kernel form (`posix_acl_xattr`:
/// version 2, then tag, permissions and id per entry) lets write, if anyone.
#[cfg(unix)]
fn acl_writers(acl: &[u8], me: u32) -> Option<String> {
    const USER: u16 = 0x02;
    const GROUP: u16 = 0x08;
    const MASK: u16 = 0x10;
    const WRITE: u16 = 0x02;
    let (Some(version), Some(entries)) = (acl.get(..4), acl.get(4..)) else {
        return Some("its access control list cannot be read".to_string());
    };
    if version != [2, 0, 0, 0] || entries.len() % 8 != 0 {
        return Some("its access control list is in a form fwreq does not know".to_string());
    }
    let entries: Vec<(u16, u16, u32)> = entries
        .chunks_exact(8)
        .map(|e| {
            (
                u16::from_le_bytes([e[0], e[1]]),
                u16::from_le_bytes([e[2], e[3]]),
                u32::from_le_bytes([e[4], e[5], e[6], e[7]]),
            )
        })
        .collect();
    let mask_writes = entries
        .iter()
        .find(|(tag, _, _)| *tag == MASK)
        .is_none_or(|(_, perm, _)| perm & WRITE != 0);
    entries
        .iter()
        .filter(|(tag, perm, id)| {
            mask_writes && perm & WRITE != 0 && (*tag == GROUP || (*tag == USER && *id != me))
        })
        .map(|(tag, _, id)| {
            let who = if *tag == USER { "user" } else { "group" };
            format!("its access control list lets {who} {id} write it")
        })
        .next()
}

/// A user and group id.
#[cfg(unix)]
#[derive(Debug, Clone, Copy)]
struct Owner {
    uid: u32,
    gid: u32,
}

#[cfg(unix)]
impl Owner {
    fn of(meta: &std::fs::Metadata) -> Owner {
        use std::os::unix::fs::MetadataExt as _;
        Owner {
            uid: meta.uid(),
            gid: meta.gid(),
        }
    }
}

/// The rule itself, on numbers: a file of another user (root aside), one
/// anyone may write, or one another group may write is not trusted.
#[cfg(unix)]
fn ownership_distrust(file: Owner, mode: u32, me: Owner) -> Option<String> {
    if file.uid != me.uid && file.uid != 0 {
        Some(format!("it belongs to user {}, not to you", file.uid))
    } else if mode & 0o002 != 0 {
        Some("anyone may write it".to_string())
    } else if mode & 0o020 != 0 && file.gid != me.gid {
        Some(format!("group {} may write it", file.gid))
    } else {
        None
    }
}

#[cfg(not(unix))]
#[mutants::skip] // not compiled on the unix hosts the tests run on
fn owner_distrust(_: &Path, _: &std::fs::Metadata, _: &std::fs::Metadata) -> Option<String> {
    None
}

/// Reads and validates a team file; errors point at the offending value.
pub fn load(path: &Path) -> anyhow::Result<(Source, Result<Team, Vec<Diagnostic>>)> {
    from_bytes(path, crate::input::read_regular(path)?)
}

fn from_bytes(
    path: &Path,
    bytes: Vec<u8>,
) -> anyhow::Result<(Source, Result<Team, Vec<Diagnostic>>)> {
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", path.display()))?;
    let source = Source::new(path, text);
    let team = parse(&source, path);
    Ok((source, team))
}

fn parse(source: &Source, path: &Path) -> Result<Team, Vec<Diagnostic>> {
    let raw: Raw =
        toml::from_str(&source.text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim_end().to_string();
            vec![Diagnostic::error(span, message).with_help(
                "fwreq.toml takes templates, requested-by, allow, warn, deny, max-port-range, targets, list-columns, [zones], [[zone_policy]], [servicenow], [verify] and [fields.NAME]",
            )]
        })?;
    let mut diags = Vec::new();
    let base = path.parent().unwrap_or(Path::new("."));
    let templates = raw
        .templates
        .and_then(|t| templates_folder(base, t, &mut diags));
    let (levels, deny_warnings) = lint_levels(raw.allow, raw.warn, raw.deny, &mut diags);
    let max_port_range = raw
        .max_port_range
        .and_then(|m| port_range_limit(m, &mut diags));
    let mut targets = Vec::new();
    for name in raw.targets {
        match name.get_ref().parse::<Platform>() {
            Ok(platform) => targets.push(platform),
            Err(unknown) => diags.push(unknown.at(name.span())),
        }
    }
    let zones = Zones::parse(source, raw.zones, raw.zone_policy).unwrap_or_else(|found| {
        diags.extend(found);
        Zones::default()
    });
    let list_columns;
    let fields = match fields::parse(raw.fields) {
        Ok(fields) => {
            list_columns = columns(&fields, raw.list_columns, &mut diags);
            fields
        }
        // The columns are not judged against fields that are not there.
        Err(found) => {
            diags.extend(found);
            list_columns = Vec::new();
            Fields::default()
        }
    };
    let servicenow =
        raw.servicenow
            .and_then(|raw| match crate::servicenow::config::parse(raw, &fields) {
                Ok(config) => Some(Arc::new(config)),
                Err(found) => {
                    diags.extend(found);
                    None
                }
            });
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(Team {
        file: Some(path.to_path_buf()),
        templates,
        requested_by: raw.requested_by.map(Spanned::into_inner),
        levels,
        deny_warnings,
        max_port_range,
        zones: Arc::new(zones),
        targets,
        servicenow,
        fields: Arc::new(fields),
        list_columns,
        ruleset: raw.verify.map(|v| base.join(v.ruleset.get_ref())),
    })
}

/// `templates`, resolved against the team file's folder, which must hold it.
fn templates_folder(
    base: &Path,
    written: Spanned<String>,
    diags: &mut Vec<Diagnostic>,
) -> Option<PathBuf> {
    let dir = base.join(written.get_ref());
    if dir.is_dir() {
        return Some(dir);
    }
    diags.push(
        Diagnostic::error(
            written.span(),
            format!("templates folder `{}` does not exist", written.get_ref()),
        )
        .with_help("the path is relative to fwreq.toml's own folder"),
    );
    None
}

/// The file's `allow`, `warn` and `deny` lists: lint names parsed, each
/// unknown one an error at its place; and whether `deny = ["warnings"]`
/// makes every warning an error.
fn lint_levels(
    allow: Vec<Spanned<String>>,
    warn: Vec<Spanned<String>>,
    deny: Vec<Spanned<String>>,
    diags: &mut Vec<Diagnostic>,
) -> (lints::Levels, bool) {
    let mut lints = |names: Vec<Spanned<String>>| -> Vec<Lint> {
        names
            .into_iter()
            .filter_map(|name| match name.get_ref().parse::<Lint>() {
                Ok(lint) => Some(lint),
                Err(unknown) => {
                    diags.push(unknown.at(name.span()));
                    None
                }
            })
            .collect()
    };
    let allow = lints(allow);
    let warn = lints(warn);
    let deny_warnings = deny.iter().any(|name| name.get_ref() == "warnings");
    let deny = lints(
        deny.into_iter()
            .filter(|name| name.get_ref() != "warnings")
            .collect(),
    );
    (lints::Levels { allow, warn, deny }, deny_warnings)
}

/// `max-port-range`: a number of ports from 1 to 65535.
fn port_range_limit(written: Spanned<i64>, diags: &mut Vec<Diagnostic>) -> Option<u32> {
    let limit = u32::try_from(*written.get_ref())
        .ok()
        .filter(|v| (1..=65535).contains(v));
    if limit.is_none() {
        diags.push(
            Diagnostic::error(
                written.span(),
                format!("max-port-range {} is out of range", written.get_ref()),
            )
            .with_help("give a number of ports from 1 to 65535"),
        );
    }
    limit
}

/// `list-columns`: request fields the team defines.
fn columns(
    fields: &Fields,
    written: Vec<Spanned<String>>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let names: Vec<&str> = fields
        .of(fields::Scope::Request)
        .map(|d| d.name.as_str())
        .collect();
    let mut columns = Vec::new();
    for column in written {
        if names.contains(&column.get_ref().as_str()) {
            columns.push(column.into_inner());
            continue;
        }
        let help = match crate::names::nearest(column.get_ref(), names.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None if names.is_empty() => "define it as a [fields.NAME] table first".to_string(),
            None => format!("the request fields are {}", names.join(", ")),
        };
        diags.push(
            Diagnostic::error(
                column.span(),
                format!(
                    "list-columns names `{}`, which is not a request field",
                    column.get_ref()
                ),
            )
            .with_help(help),
        );
    }
    columns
}

/// The team files that govern a set of requests. Finding one walks up the
/// folders, so it is done once per folder, and each file is read once.
#[derive(Debug, Default)]
pub(crate) struct Teams {
    /// The distinct teams; index 0 is "no team file" (the built-in defaults).
    teams: Vec<Team>,
    /// Each folder's team.
    by_dir: HashMap<PathBuf, usize>,
    /// Team files with errors, with their diagnostics; their requests get the defaults.
    pub invalid: Vec<(Source, Vec<Diagnostic>)>,
    /// Team files not trusted, with why (see `distrust`): skipped, and the
    /// search went on above them. The command says so.
    pub ignored: Vec<Ignored>,
}

/// A team file the search passed over because it cannot be trusted.
#[derive(Debug, Clone)]
pub(crate) struct Ignored {
    /// As found (absolute), which is what `FWREQ_TRUST_TEAM_FILE` names.
    pub file: PathBuf,
    /// Relative to the working folder where it lies below it.
    pub shown: PathBuf,
    pub why: String,
    /// What was passed over.
    pub what: Passed,
}

/// What the team-file search passed over on its way up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Passed {
    /// A team file it does not trust.
    TeamFile,
    /// A `.git` that is not this user's repository: the search went on above.
    NotARepository,
}

/// The folder a request file belongs to.
fn folder(file: &Path) -> &Path {
    file.parent().unwrap_or(Path::new(""))
}

impl Teams {
    /// Finds the team of every request file in `files`.
    pub fn find<P: AsRef<Path>>(files: &[P]) -> anyhow::Result<Teams> {
        Teams::in_folders(files.iter().map(|f| folder(f.as_ref())))
    }

    /// The team of a folder (for a request not written yet).
    pub fn of_folder(dir: &Path) -> anyhow::Result<Teams> {
        Teams::in_folders(std::iter::once(dir))
    }

    fn in_folders<'a>(dirs: impl Iterator<Item = &'a Path>) -> anyhow::Result<Teams> {
        let mut teams = Teams {
            teams: vec![Team::default()],
            ..Teams::default()
        };
        let mut read: HashMap<PathBuf, usize> = HashMap::new();
        let mut ignored = Vec::new();
        for dir in dirs {
            if !teams.by_dir.contains_key(dir) {
                let i = match find(dir, &mut ignored) {
                    Some((file, judged)) => teams.read(file, &judged, &mut read)?,
                    None => 0,
                };
                teams.by_dir.insert(dir.to_path_buf(), i);
            }
        }
        teams.ignored = ignored;
        Ok(teams)
    }

    /// The index of a team file's team, reading it the first time (the
    /// very file judged trusted); a file with errors is kept in `invalid`
    /// and stands for the defaults (0).
    fn read(
        &mut self,
        file: PathBuf,
        judged: &std::fs::Metadata,
        read: &mut HashMap<PathBuf, usize>,
    ) -> anyhow::Result<usize> {
        if let Some(&i) = read.get(&file) {
            return Ok(i);
        }
        let (source, team) = from_bytes(&file, crate::input::read_judged(&file, judged)?)?;
        let i = match team {
            Ok(team) => {
                self.teams.push(team);
                self.teams.len() - 1
            }
            Err(diags) => {
                self.invalid.push((source, diags));
                0
            }
        };
        read.insert(file, i);
        Ok(i)
    }

    /// The same teams, or an error when a team file has errors (`fwreq
    /// check` shows them located).
    pub fn valid(self) -> anyhow::Result<Teams> {
        match self.invalid.first() {
            Some((source, _)) => anyhow::bail!(
                "{} has errors; `fwreq check` shows them",
                source.path().display()
            ),
            None => Ok(self),
        }
    }

    /// The index (into `all`) of the team of a request file among those given.
    pub fn index(&self, file: &Path) -> usize {
        self.by_dir.get(folder(file)).copied().unwrap_or(0)
    }

    pub fn of(&self, file: &Path) -> &Team {
        &self.teams[self.index(file)]
    }

    pub fn all(&self) -> &[Team] {
        &self.teams
    }
}

impl Team {
    /// Lint settings: the command line's, then this file's, then the
    /// defaults (`lints::level` puts the request's own `allow` in between).
    pub fn settings(
        &self,
        today: chrono::NaiveDate,
        command_line: lints::Levels,
        max_port_range: Option<u32>,
    ) -> lints::Settings {
        lints::Settings {
            today,
            max_port_range: max_port_range.or(self.max_port_range).unwrap_or(100),
            command_line,
            team: self.levels.clone(),
            zones: self.zones.clone(),
            targets: self.targets.clone(),
        }
    }

    /// The request as this team files it: signed with its `requested-by`
    /// when it names no one, and its fields checked against the team's
    /// definitions and filled in (defaults included). `Err` holds every
    /// problem with the fields, at its span of the request.
    pub fn complete(&self, mut request: Request) -> Result<Request, Vec<Diagnostic>> {
        if request.requested_by.is_none() {
            request.requested_by.clone_from(&self.requested_by);
        }
        let mut diags = fields::apply(&self.fields, self.file.as_deref(), &mut request);
        if diags.is_empty() {
            Ok(request)
        } else {
            diags.sort_by_key(|d| d.span.start);
            Err(diags)
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::{Owner, acl_writers, others_in_group, ownership_distrust};

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\nbrent:x:1000:1000::/home/brent:/bin/bash\nana:x:1001:100::/home/ana:/bin/bash\nbo:x:1002:1002::/home/bo:/bin/sh\n";
    const GROUP: &str =
        "root:x:0:\nusers:x:100:brent,bo\nbrent:x:1000:\nbo:x:1002:\nstaff:x:50:brent\n";

    /// A group is the user's alone when no one else has it as primary group
    /// nor is listed in it (Debian's private groups); `users` is shared.
    #[test]
    fn a_group_is_shared_when_another_user_is_in_it_or_has_it_as_primary() {
        let none = Some(Vec::<String>::new());
        assert_eq!(others_in_group(1000, 1000, PASSWD, GROUP), none);
        assert_eq!(
            others_in_group(100, 1000, PASSWD, GROUP),
            Some(vec!["ana".to_string(), "bo".to_string()])
        );
        assert_eq!(others_in_group(50, 1000, PASSWD, GROUP), none);
        assert_eq!(
            others_in_group(50, 1002, PASSWD, GROUP),
            Some(vec!["brent".to_string()])
        );
        assert_eq!(others_in_group(0, 0, PASSWD, GROUP), none);
        // A group /etc/group does not list (LDAP's "domain users") is no one's
        // private group: who is in it cannot be told.
        assert_eq!(others_in_group(4242, 1000, PASSWD, GROUP), None);
        // Lines too short to be entries are skipped, not misread.
        assert_eq!(others_in_group(7, 0, "x:y\n", "g:x:7\n"), None);
    }

    /// An ACL in its xattr form: version 2, then (tag, perm, id) entries.
    fn acl(entries: &[(u16, u16, u32)]) -> Vec<u8> {
        let mut bytes = vec![2, 0, 0, 0];
        for (tag, perm, id) in entries {
            bytes.extend(tag.to_le_bytes());
            bytes.extend(perm.to_le_bytes());
            bytes.extend(id.to_le_bytes());
        }
        bytes
    }

    /// Named users (other than this one) and named groups with write, that
    /// the mask lets write, make a file others can write.
    #[test]
    fn an_acl_entry_that_lets_another_user_or_a_group_write_is_named() {
        const ANY: u32 = u32::MAX;
        let owner = [(0x01, 6, ANY), (0x04, 4, ANY), (0x20, 4, ANY)];
        assert_eq!(acl_writers(&acl(&owner), 1000), None);
        let bob = [&owner[..], &[(0x02, 6, 1001), (0x10, 6, ANY)]].concat();
        assert_eq!(
            acl_writers(&acl(&bob), 1000).as_deref(),
            Some("its access control list lets user 1001 write it")
        );
        let me = [&owner[..], &[(0x02, 6, 1000), (0x10, 6, ANY)]].concat();
        assert_eq!(acl_writers(&acl(&me), 1000), None);
        let group = [&owner[..], &[(0x08, 2, 100)]].concat();
        assert_eq!(
            acl_writers(&acl(&group), 1000).as_deref(),
            Some("its access control list lets group 100 write it")
        );
        let masked = [&bob[..], &[(0x10, 4, ANY)]].concat();
        let masked: Vec<_> = masked
            .into_iter()
            .filter(|e| *e != (0x10, 6, ANY))
            .collect();
        assert_eq!(acl_writers(&acl(&masked), 1000), None);
        let reader = [&owner[..], &[(0x02, 4, 1001)]].concat();
        assert_eq!(acl_writers(&acl(&reader), 1000), None);
        assert_eq!(
            acl_writers(&[1, 0, 0, 0], 1000).as_deref(),
            Some("its access control list is in a form fwreq does not know")
        );
        assert_eq!(
            acl_writers(&[2, 0], 1000).as_deref(),
            Some("its access control list cannot be read")
        );
    }

    /// The rule for a user who is not root (the test hosts run as root).
    #[test]
    fn only_files_of_this_user_or_root_that_no_one_else_may_write_are_trusted() {
        let me = Owner {
            uid: 1000,
            gid: 1000,
        };
        let judge = |uid, gid, mode| ownership_distrust(Owner { uid, gid }, mode, me);
        assert_eq!(judge(1000, 1000, 0o664), None);
        assert_eq!(judge(0, 0, 0o644), None);
        assert_eq!(judge(1000, 50, 0o644), None);
        assert_eq!(
            judge(1001, 1000, 0o644).as_deref(),
            Some("it belongs to user 1001, not to you")
        );
        assert_eq!(judge(0, 0, 0o646).as_deref(), Some("anyone may write it"));
        assert_eq!(
            judge(1000, 50, 0o664).as_deref(),
            Some("group 50 may write it")
        );
    }
}
