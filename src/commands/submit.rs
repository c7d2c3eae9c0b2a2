//! `fwreq submit`: files each request in ServiceNow through the client stage
//! and writes the numbers back with the writer `record` uses, so git and the
//! instance agree from the first minute.

use super::{edit_spec, print_stdout, report, stderr_style, submitted};
use crate::Outcome;
use crate::cli::SubmitArgs;
use crate::diagnostic::Severity;
use crate::input::Loaded;
use crate::lints;
use crate::output::Existing;
use crate::servicenow::config::Config;
use crate::servicenow::{self, Client};
use crate::session::{Body, Options};
use crate::spec::Status;
use crate::team::Team;
use anyhow::bail;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::Path;
use std::sync::Arc;

/// `fwreq submit`: checks every file, then files them one by one.
pub fn submit(args: SubmitArgs) -> anyhow::Result<Outcome> {
    let (deny_warnings, deny) = super::deny_levels(&args.deny)?;
    let options = Options {
        levels: lints::Levels {
            deny,
            ..lints::Levels::default()
        },
        deny_warnings,
        ..Options::default()
    };
    let session = super::session(args.files.clone(), &options)?.valid()?;
    // Every file is checked, and its order made ready, before anything is
    // sent: one bad file (or team file) files none. One client per team.
    let mut clients: HashMap<usize, (Client, Arc<Config>)> = HashMap::new();
    let mut ready = Vec::new();
    let mut failed = false;
    for path in &args.files {
        let index = session.team_index(path);
        let team = session.team(path);
        let Loaded { source, request } = session.load(path)?;
        let request = match request {
            Ok(request) => request,
            Err(diags) => {
                report(&source, &diags, stderr_style());
                failed = true;
                continue;
            }
        };
        refuse_filed(path, &request)?;
        let ticket = session.ticket_of(path, request)?;
        let body = Body::Rendered(&ticket.markdown);
        let diags = session.lint(path, &source, &ticket.request, body)?;
        report(&source, &diags, stderr_style());
        if diags.iter().any(|d| d.severity == Severity::Error) {
            failed = true;
            continue;
        }
        let (_, config) = match clients.entry(index) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(new) => new.insert(super::servicenow(
                team,
                args.servicenow.timeout,
                !args.dry_run,
            )?),
        };
        let item = config.catalog_item.clone().ok_or_else(|| {
            anyhow::anyhow!(
                "{}: [servicenow] has no catalog-item (the sys_id of the team's firewall request item)",
                team.file
                    .as_deref()
                    .map_or_else(String::new, |f| f.display().to_string())
            )
        })?;
        let id = correlation_id(path, team);
        let variables = config.variables(&ticket, &id)?;
        ready.push((path, index, item, id, variables));
    }
    if failed {
        eprintln!("fwreq: nothing was submitted: fix the errors above first");
        return Ok(Outcome::Findings);
    }
    for (path, index, item, id, variables) in &ready {
        let Some((client, config)) = clients.get(index) else {
            continue;
        };
        let order = Order {
            item,
            variables,
            correlation: (&config.correlation_variable, id),
        };
        if args.dry_run {
            print_stdout(&dry_run(client, path, &order))?;
            continue;
        }
        file(client, path, &order)?;
    }
    Ok(Outcome::Clean)
}

/// A request already filed, or past draft, is not filed again.
fn refuse_filed(path: &Path, request: &crate::request::Request) -> anyhow::Result<()> {
    let shown = path.display();
    if let Some(ritm) = &request.ritm {
        bail!("{shown} has ritm = {ritm} already: it was submitted; nothing was sent");
    }
    if let Some(req) = &request.req {
        bail!("{shown} has req = {req} already: it was submitted; nothing was sent");
    }
    if request.status != Status::Draft {
        bail!(
            "{shown} has status = \"{}\": only a draft is submitted; nothing was sent",
            request.status.as_str()
        );
    }
    Ok(())
}

/// The id that finds this request's ticket again: its path from the team
/// file's folder (usually the repository's root), so every clone of the
/// repository gives the same one. Bytes outside `[A-Za-z0-9._/-]` are
/// percent-encoded, so no two paths share an id (`a b.toml` is `a%20b.toml`,
/// `a_b.toml` stays itself).
fn correlation_id(path: &Path, team: &Team) -> String {
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let root = team.file.as_deref().and_then(Path::parent).and_then(|d| {
        std::fs::canonicalize(if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        })
        .ok()
    });
    let relative = root
        .as_deref()
        .and_then(|r| absolute.strip_prefix(r).ok())
        .unwrap_or(&absolute);
    let components: Vec<String> = relative
        .components()
        .map(|c| {
            let mut text = String::new();
            for &b in c.as_os_str().as_encoded_bytes() {
                if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-') {
                    text.push(char::from(b));
                } else {
                    text.push_str(&format!("%{b:02X}"));
                }
            }
            text
        })
        .collect();
    format!("fwreq:{}", components.join("/"))
}

/// This machine's lock on one correlation id at one instance, held while
/// its ticket is looked up, ordered and checked: two clones submitting one
/// path at once order once. The file also remembers an order whose answer
/// was lost, so a quick re-run waits for its item instead of ordering again.
struct OrderLock {
    file: std::fs::File,
    path: std::path::PathBuf,
    /// When a lost order was sent, if one was.
    pending: Option<String>,
}

impl OrderLock {
    /// Waits for the lock on `id` (at `instance`, for `item`), in
    /// `$XDG_STATE_HOME/fwreq/orders` (else `~/.local/state/fwreq/orders`).
    fn take(instance: &str, item: &str, id: &str) -> anyhow::Result<OrderLock> {
        use std::io::Read as _;
        let absolute = |v: std::ffi::OsString| {
            let p = std::path::PathBuf::from(v);
            p.is_absolute().then_some(p)
        };
        let state = std::env::var_os("XDG_STATE_HOME")
            .and_then(absolute)
            .or_else(|| {
                std::env::var_os("HOME")
                    .and_then(absolute)
                    .map(|h| h.join(".local/state"))
            })
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "neither XDG_STATE_HOME nor HOME is set: fwreq keeps its order locks there"
                )
            })?;
        let dir = state.join("fwreq").join("orders");
        std::fs::create_dir_all(&dir)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
        // FNV-1a: a stable file name for any id, instance and item.
        let key = format!("{instance}\n{item}\n{id}");
        let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let path = dir.join(format!("{hash:016x}.lock"));
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", path.display()))?;
        file.lock()
            .map_err(|e| anyhow::anyhow!("cannot lock {}: {e}", path.display()))?;
        let mut text = String::new();
        file.read_to_string(&mut text)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let pending = text
            .lines()
            .find_map(|l| l.strip_prefix("sent "))
            .map(str::to_string);
        Ok(OrderLock {
            file,
            path,
            pending,
        })
    }

    /// Remembers (or forgets) an order whose answer was lost.
    fn remember(&mut self, sent: Option<&str>, id: &str) -> anyhow::Result<()> {
        use std::io::{Seek as _, Write as _};
        let text = sent.map_or_else(String::new, |when| format!("{id}\nsent {when}\n"));
        self.file
            .set_len(0)
            .and_then(|()| self.file.rewind())
            .and_then(|()| self.file.write_all(text.as_bytes()))
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", self.path.display()))
    }
}

/// What one request's order holds: the catalog item, its variables, and the
/// correlation variable's name and value.
struct Order<'a> {
    item: &'a str,
    variables: &'a std::collections::BTreeMap<String, String>,
    correlation: (&'a str, &'a str),
}

/// What a real run would send first, and what would follow.
fn dry_run(client: &Client, path: &Path, order: &Order) -> String {
    let Order {
        item,
        variables,
        correlation,
    } = *order;
    let shown = super::escaped_path(path);
    format!(
        "# {shown}: the calls submit would make (--dry-run: nothing is sent)\n\n# 1. Does the catalog item have the correlation variable? Without it nothing is ordered.\n{}\n# 2. Is it filed already? An open item of this catalog item with this correlation id is recorded instead of ordering again.\n{}\n# 3. Order the catalog item (an answer with only a cart_id is two-step checkout: that cart is emptied, nothing is ordered).\n{}\n# 4. The RITM: the lookup of step 2 again, which must find exactly one open item, of the new request.\n# 5. Written into {shown}: req, ritm, submitted, status = \"submitted\"\n",
        client.show(&servicenow::item_call(item)),
        client.show(&servicenow::lookup_call(item, correlation.0, correlation.1)),
        client.show(&servicenow::order_call(item, variables)),
    )
}

/// Files one request and records its numbers.
fn file(client: &Client, path: &Path, order: &Order) -> anyhow::Result<()> {
    let Order {
        item,
        variables,
        correlation,
    } = *order;
    // This machine's lock on the correlation id, then the file's, locked
    // from the read to the rename: a second `submit` of either waits.
    let mut lock = OrderLock::take(client.instance(), item, correlation.1)?;
    let pending = lock.pending.clone();
    let mut filed = None;
    let mut lost = false;
    let written = edit_spec(path, Existing::Replace, "submitting it", |edit, request| {
        refuse_filed(path, request)?;
        let done = match &filed {
            Some(done) => done,
            None => filed.insert(
                client
                    .submit(item, variables, correlation, pending.as_deref())
                    .map_err(|e| {
                        lost = matches!(e, servicenow::Error::Unanswered { .. });
                        super::servicenow_said(e)
                    })?,
            ),
        };
        let when = submitted("now").map_err(|e| anyhow::anyhow!(e.message))?;
        edit.set("req", done.req.as_str());
        edit.set("ritm", done.item.ritm.as_str());
        edit.set("submitted", when);
        edit.set("status", Status::Submitted.as_str());
        Ok(vec![])
    });
    let Some(done) = filed else {
        if lost {
            let when = chrono::Local::now()
                .format("%Y-%m-%d %H:%M:%S %:z")
                .to_string();
            lock.remember(Some(&when), correlation.1)?;
        }
        return written
            .map_err(|e| match &pending {
                Some(_) => anyhow::anyhow!(
                    "{e:#} (the lost order is remembered in {}: delete it if you know nothing was filed)",
                    lock.path.display()
                ),
                None => e,
            })
            .map(drop);
    };
    lock.remember(None, correlation.1)?;
    said(client, path, &done, written)
}

/// What was filed, on stdout; or, when the number could not be written
/// into the spec, how to finish without ordering twice.
fn said(
    client: &Client,
    path: &Path,
    done: &servicenow::Submitted,
    written: anyhow::Result<Option<Vec<String>>>,
) -> anyhow::Result<()> {
    let url = client.item_url(&done.item);
    if let Err(err) = written {
        bail!(
            "{} is {} of {} ({url}), but writing it into {} failed: {err:#}; run fwreq submit again: it finds this ticket by its correlation id and orders nothing",
            done.item.ritm,
            if done.found {
                "the open item"
            } else {
                "the new item"
            },
            done.req,
            path.display()
        );
    }
    let how = if done.found {
        "found (filed before; nothing ordered)"
    } else {
        "submitted"
    };
    print_stdout(&format!(
        "{}: {how} {} {} {url}\n",
        super::escaped_path(path),
        done.req,
        done.item.ritm
    ))
}
