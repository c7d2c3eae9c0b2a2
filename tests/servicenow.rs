//! Submitting to ServiceNow and keeping git in step, against a fake instance:
//! an HTTP server on 127.0.0.1 that these tests start, which implements the
//! documented endpoints and shapes and records every request it received,
//! so each test asserts the exact calls fwreq made.

use crate::common;

use common::{HEADER, git, stderr};
use std::fs;

/// `check` in a repository whose team file is `team`: the exit code and the
/// team file's diagnostics' first lines.
fn team_errors(team: &str) -> (i32, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    fs::write(dir.path().join("fwreq.toml"), team).unwrap();
    fs::write(
        dir.path().join("a.toml"),
        format!("{HEADER}[[rules]]\nports = [443]\nsources = [\"10.0.0.1\"]\ndestinations = [\"example.com\"]\n"),
    )
    .unwrap();
    let out = common::fwreq_in(dir.path(), &["check", "a.toml"]);
    let firsts = stderr(&out)
        .lines()
        .filter(|l| l.starts_with("fwreq.toml:"))
        .map(str::to_string)
        .collect();
    (out.status.code().unwrap(), firsts)
}

#[test]
fn mistakes_in_the_servicenow_table_are_located_in_the_team_file() {
    let (code, errors) = team_errors(
        r#"[servicenow]
instance = "http://acme.service-now.com"
catalog-item = "not-a-sys-id"

[servicenow.variables]
short_description = "{{ titel }}"
description = "{{ markdown"
u_owner = "{{ requested_by }} for {{ project }}"

[servicenow.status.state]
3 = "done"
"#,
    );
    assert_eq!(
        (code, errors),
        (
            1,
            vec![
                "fwreq.toml:2:12: error: `http://acme.service-now.com` is plain http: credentials would cross the network unencrypted".to_string(),
                "fwreq.toml:3:16: error: `not-a-sys-id` is not a sys_id".to_string(),
                "fwreq.toml:7:15: error: template error: syntax error: unexpected end of input, expected end of variable block (in <string>:1)".to_string(),
                "fwreq.toml:6:21: error: unknown name `titel` in a variable template".to_string(),
                "fwreq.toml:11:5: error: `done` is not a status".to_string(),
            ]
        )
    );
}

#[test]
fn a_good_servicenow_table_passes_check() {
    let (code, errors) = team_errors(
        "[servicenow]\ninstance = \"https://acme.service-now.com\"\ncatalog-item = \"0123456789abcdef0123456789ABCDEF\"\n[servicenow.variables]\nu_rules = \"{% for r in rules %}{{ r.protocol }} {% endfor %}{{ flows | length }}\"\n[servicenow.status.approval]\nrequested = \"submitted\"\n",
    );
    assert_eq!((code, errors), (0, vec![]));
}

// ---------------------------------------------------------------------------
// The fake instance.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The team's catalog item.
const ITEM: &str = "0123456789abcdef0123456789abcdef";

/// Every credential the tests hand fwreq: no output may show any of them.
const SECRETS: &[(&str, &str)] = &[
    ("SN_PASSWORD", "pw-SECRET-1"),
    ("SN_TOKEN", "tok-SECRET-2"),
    ("SN_CLIENT_SECRET", "cs-SECRET-3"),
    ("SN_API_KEY", "key-SECRET-4"),
];

/// The access token the fake's OAuth endpoint gives.
const ACCESS_TOKEN: &str = "at-SECRET-5";

/// One request the fake received.
#[derive(Debug, Clone, PartialEq)]
struct Received {
    method: String,
    /// Path and query, as sent.
    target: String,
    /// Header names in lower case, in the order sent.
    headers: Vec<(String, String)>,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }

    /// `METHOD target`, the decoded query shown as ServiceNow reads it.
    fn line(&self) -> String {
        format!("{} {}", self.method, decode(&self.target))
    }
}

/// What the fake answers.
enum Reply {
    Json(u16, Value),
    /// Status, extra headers, content type, body.
    Raw(u16, Vec<(&'static str, String)>, &'static str, String),
    /// Close the connection without answering (the order was taken).
    Drop,
}

/// A requested item the fake instance holds.
#[derive(Clone)]
struct Row {
    number: String,
    sys_id: String,
    request_id: String,
    request_number: String,
    /// The catalog item it was ordered from.
    cat_item: String,
    correlation: String,
    state: String,
    approval: String,
    /// Work notes, oldest first.
    notes: Vec<String>,
    /// Not yet in query results: the instance is still working on the order.
    hidden: bool,
}

impl Row {
    /// The row as the Table API gives it (`sysparm_exclude_reference_link`:
    /// references as sys_ids); the correlation variable only if the item has it.
    fn json(&self, with_variable: bool) -> Value {
        let mut row = json!({
            "number": self.number, "sys_id": self.sys_id, "request": self.request_id,
            "request.number": self.request_number, "cat_item": self.cat_item,
            "state": self.state, "stage": "request_approved",
            "approval": self.approval, "closed_at": ""
        });
        if with_variable {
            row["variables.fwreq_correlation_id"] = json!(self.correlation);
        }
        row
    }

    /// Task states 3, 4 and 7 are closed.
    fn active(&self) -> bool {
        !matches!(self.state.as_str(), "3" | "4" | "7")
    }
}

/// Another team's catalog item (a phone), on the same instance.
const PHONE: &str = "fedcba9876543210fedcba9876543210";

/// The instance's records and how it behaves.
#[derive(Default)]
struct Instance {
    rows: Vec<Row>,
    /// Two-step checkout (`glide.sc.checkout.twostep`): order_now puts the
    /// item into a cart of its own, `cart_<item sys_id>`, and answers only
    /// its `cart_id`; `cart/submit_order` checks out the user's default
    /// cart (KB0717979, KB0714209).
    two_step: bool,
    /// Two-step carts by cart_id: the variables of each item in them.
    carts: BTreeMap<String, Vec<Value>>,
    /// The default cart: another order of the same account (a phone's variables).
    default_cart: Vec<Value>,
    /// The catalog item lacks the correlation variable.
    no_variable: bool,
    /// `glide.invalid_query.returns_no_rows`: true, a query naming a
    /// variable the item lacks finds nothing; false (the default), that
    /// condition is ignored and the rest of the query matches.
    invalid_query_no_rows: bool,
    /// Numbers of eight digits (auto-numbering past its seven-digit minimum).
    eight_digits: bool,
    /// Each order's request also holds another item's RITM, listed first
    /// (an order guide or bundle).
    bundle: bool,
    /// PATCHes are answered 200 without writing the work note (a business rule).
    drops_notes: bool,
}

impl Instance {
    /// The documented endpoints over the records.
    fn answer(&mut self, r: &Received) -> Reply {
        let target = decode(&r.target);
        let path = target.split('?').next().unwrap_or_default();
        let query = target
            .split("sysparm_query=")
            .nth(1)
            .and_then(|q| q.split('&').next())
            .unwrap_or_default()
            .to_string();
        let limit = target
            .split("sysparm_limit=")
            .nth(1)
            .and_then(|l| l.split('&').next())
            .map_or(10_000, |l| l.parse().unwrap());
        match (r.method.as_str(), path) {
            ("POST", "/oauth_token.do") => Reply::Json(
                200,
                json!({"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 1800}),
            ),
            // Service Catalog API, GET /sn_sc/servicecatalog/items/{sys_id}:
            // the item with its variables, each by name.
            ("GET", p) if p.starts_with("/api/sn_sc/servicecatalog/items/") => {
                if p != format!("/api/sn_sc/servicecatalog/items/{ITEM}") {
                    return no_record();
                }
                let mut variables = vec![
                    json!({"name": "short_description", "label": "Short description", "type": 6}),
                    json!({"name": "description", "label": "Description", "type": 2}),
                ];
                if !self.no_variable {
                    variables.push(json!({"name": "fwreq_correlation_id", "label": "fwreq correlation id", "type": 6}));
                }
                Reply::Json(
                    200,
                    json!({"result": {"sys_id": ITEM, "name": "Firewall request", "variables": variables}}),
                )
            }
            ("GET", "/api/now/table/sc_req_item") => {
                // An unknown variable: the whole query or just that term.
                let unknown = |term: &str| {
                    self.no_variable && term.starts_with("variables.fwreq_correlation_id=")
                };
                if self.invalid_query_no_rows && query.split('^').any(unknown) {
                    return Reply::Json(200, json!({ "result": [] }));
                }
                let rows: Vec<Value> = self
                    .rows
                    .iter()
                    .filter(|row| !row.hidden)
                    .filter(|row| {
                        query.split('^').all(|term| {
                            if unknown(term) {
                                return true;
                            }
                            match term.split_once('=') {
                                Some(("cat_item", item)) => item == row.cat_item,
                                Some(("active", a)) => (a == "true") == row.active(),
                                Some(("variables.fwreq_correlation_id", id)) => {
                                    id == row.correlation
                                }
                                Some(("request", id)) => id == row.request_id,
                                Some(("number", n)) => n == row.number,
                                _ => match term.strip_prefix("numberIN") {
                                    Some(list) => list.split(',').any(|n| n == row.number),
                                    None => false,
                                },
                            }
                        })
                    })
                    .take(limit)
                    .map(|row| row.json(row.cat_item == ITEM && !self.no_variable))
                    .collect();
                Reply::Json(200, json!({ "result": rows }))
            }
            ("POST", p) if p.ends_with("/order_now") => {
                if p != format!("/api/sn_sc/servicecatalog/items/{ITEM}/order_now") {
                    return no_record();
                }
                let variables = r.json()["variables"].clone();
                if self.two_step {
                    let cart = format!("cart_{ITEM}");
                    self.carts.entry(cart.clone()).or_default().push(variables);
                    return Reply::Json(
                        200,
                        json!({"result": {"cart_id": cart, "subtotal": "$0.00"}}),
                    );
                }
                Reply::Json(200, json!({ "result": self.order(ITEM, &variables) }))
            }
            ("POST", "/api/sn_sc/servicecatalog/cart/submit_order") => {
                if self.default_cart.is_empty() {
                    return Reply::Json(400, failure("Cart is empty", ""));
                }
                let items = std::mem::take(&mut self.default_cart);
                let mut last = Value::Null;
                for variables in &items {
                    last = self.order(PHONE, variables);
                }
                Reply::Json(200, json!({ "result": last }))
            }
            ("DELETE", p)
                if p.starts_with("/api/sn_sc/servicecatalog/cart/") && p.ends_with("/empty") =>
            {
                let cart = p
                    .trim_start_matches("/api/sn_sc/servicecatalog/cart/")
                    .trim_end_matches("/empty");
                self.carts.remove(cart);
                Reply::Json(200, json!({"result": {"cart_id": cart}}))
            }
            ("PATCH", p) if p.starts_with("/api/now/table/sc_req_item/") => {
                let sys_id = p.rsplit('/').next().unwrap_or_default();
                let note = r.json()["work_notes"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let drops = self.drops_notes;
                let Some(row) = self.rows.iter_mut().find(|row| row.sys_id == sys_id) else {
                    return Reply::Json(404, failure("No Record found", ""));
                };
                if !drops {
                    row.notes.push(note);
                }
                // sysparm_display_value=true: the journal as people read it,
                // newest first.
                let journal: Vec<String> = row
                    .notes
                    .iter()
                    .rev()
                    .map(|n| format!("2026-12-02 05:00:00 - fwreq bot (Work notes)\n{n}\n"))
                    .collect();
                Reply::Json(
                    200,
                    json!({"result": {"number": row.number, "work_notes": journal.join("\n")}}),
                )
            }
            _ => Reply::Json(400, failure("unexpected", &target)),
        }
    }

    /// A new REQ with one RITM of `cat_item` (after a phone's, for a bundle).
    fn order(&mut self, cat_item: &str, variables: &Value) -> Value {
        let n = self.rows.len() + 1;
        let (ritm, req) = if self.eight_digits {
            ("RITM100000", "REQ200000")
        } else {
            ("RITM00100", "REQ00200")
        };
        let request_number = format!("{req}{n:02}");
        let request_id = format!("reqsys{n:04}");
        let mut add = |cat_item: &str, correlation: &str| {
            let m = self.rows.len() + 1;
            self.rows.push(Row {
                number: format!("{ritm}{m:02}"),
                sys_id: format!("ritmsys{m:04}"),
                request_id: request_id.clone(),
                request_number: request_number.clone(),
                cat_item: cat_item.to_string(),
                correlation: correlation.to_string(),
                state: "1".to_string(),
                approval: "requested".to_string(),
                notes: vec![],
                hidden: false,
            });
        };
        if self.bundle {
            add(PHONE, "");
        }
        add(
            cat_item,
            variables["fwreq_correlation_id"]
                .as_str()
                .unwrap_or_default(),
        );
        json!({
            "sys_id": request_id, "number": request_number, "request_number": request_number,
            "request_id": request_id, "table": "sc_request"
        })
    }
}

/// A fake instance on 127.0.0.1: `route` answers each request (given how
/// many came before it); every request is recorded.
struct Fake {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Fake {
    fn start(route: impl FnMut(&Received, usize) -> Reply + Send + 'static) -> Fake {
        Fake::slow(Duration::ZERO, route)
    }

    /// A fake that takes `latency` over each answer (the network's round
    /// trip and the instance's work), for calls in flight at once as well.
    fn slow(
        latency: Duration,
        route: impl FnMut(&Received, usize) -> Reply + Send + 'static,
    ) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        let route: Arc<Route> = Arc::new(Mutex::new(route));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let log = log.clone();
                let route = route.clone();
                // One thread per connection: a probe's connection that never
                // sends anything must not hold up the next request.
                std::thread::spawn(move || serve(stream, &log, &route, latency));
            }
        });
        Fake { url, received }
    }

    /// The documented instance with these rows (and the route's overrides first).
    fn instance(
        setup: Instance,
        mut first: impl FnMut(&Received, usize) -> Option<Reply> + Send + 'static,
    ) -> Fake {
        let mut instance = setup;
        Fake::start(move |r, n| first(r, n).unwrap_or_else(|| instance.answer(r)))
    }

    /// An instance holding one requested item, otherwise as documented.
    fn holding(row: Row) -> Fake {
        Fake::instance(
            Instance {
                rows: vec![row],
                ..Instance::default()
            },
            |_, _| None,
        )
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    fn lines(&self) -> Vec<String> {
        self.received().iter().map(Received::line).collect()
    }
}

type Route = Mutex<dyn FnMut(&Received, usize) -> Reply + Send>;

fn serve(stream: TcpStream, log: &Mutex<Vec<Received>>, route: &Route, latency: Duration) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).unwrap();
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap();
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let received = Received {
        method,
        target,
        headers,
        body: String::from_utf8(body).unwrap(),
    };
    std::thread::sleep(latency);
    let reply = {
        let mut log = log.lock().unwrap();
        let n = log.len();
        log.push(received.clone());
        let mut route = route.lock().unwrap();
        route(&received, n)
    };
    let (status, extra, content_type, body) = match reply {
        Reply::Drop => return,
        Reply::Json(status, json) => (status, vec![], "application/json", json.to_string()),
        Reply::Raw(status, extra, content_type, body) => (status, extra, content_type, body),
    };
    let mut out = stream;
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = out.write_all(head.as_bytes());
    let _ = out.write_all(body.as_bytes());
}

/// Percent-decoding, to read queries as the instance does.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

// ---------------------------------------------------------------------------
// Repositories and runs.

/// A draft request (before `[[rules]]`, so the writer's new keys go here).
const DRAFT: &str = "title = \"Registry access\"\nproject = \"Avilla\"\nrequest = \"Open 443 to the registry.\"\nreason = \"Images.\"\naffected_apps = [\"Cluster\"]\njustification = \"Pulls.\"\n\n[[rules]]\nports = [443]\nsources = [\"10.188.50.0/24\"]\ndestinations = [\"registry.example.com\"]\n";

/// A git repository with a team file for `instance` and `requests/a.toml`.
fn repo(instance: &str, spec: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    fs::write(
        dir.path().join("fwreq.toml"),
        format!("[servicenow]\ninstance = \"{instance}\"\ncatalog-item = \"{ITEM}\"\n"),
    )
    .unwrap();
    fs::create_dir(dir.path().join("requests")).unwrap();
    fs::write(dir.path().join("requests/a.toml"), spec).unwrap();
    name_instance(dir.path(), instance);
    dir
}

/// The user's own configuration in the run's `XDG_CONFIG_HOME` ([`sn`]),
/// naming `instance`: the one instance credentials may go to.
fn name_instance(dir: &Path, instance: &str) {
    let config = dir.join(".home/config/fwreq");
    fs::create_dir_all(&config).unwrap();
    fs::write(
        config.join("config.toml"),
        format!("[servicenow]\ninstance = \"{instance}\"\n"),
    )
    .unwrap();
}

/// Environment variables for a run.
type Env<'a> = Vec<(&'a str, &'a str)>;

/// The credential variables of one kind.
fn basic() -> Vec<(&'static str, &'static str)> {
    vec![("SN_USER", "fwreq-bot"), ("SN_PASSWORD", "pw-SECRET-1")]
}

/// Runs fwreq in `dir` with `env` as its only ServiceNow settings, its
/// configuration and state in `dir/.home`; fails the test if any output
/// shows a secret (every run of this file goes through here).
fn sn(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let mut command = assert_cmd::cargo::cargo_bin_cmd!("fwreq");
    command
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", dir.join(".home/config"))
        .env("XDG_STATE_HOME", dir.join(".home/state"));
    for var in [
        "SN_INSTANCE",
        "SN_USER",
        "SN_PASSWORD",
        "SN_TOKEN",
        "SN_CLIENT_ID",
        "SN_CLIENT_SECRET",
        "SN_API_KEY",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        command.env_remove(var);
    }
    command.envs(env.iter().copied());
    let out = command.output().unwrap();
    let (stdout, stderr) = (common::stdout(&out), common::stderr(&out));
    assert_no_secret(&stdout, &stderr);
    (out.status.code().unwrap(), stdout, stderr)
}

/// [`sn`] with basic credentials.
fn with_basic(dir: &Path, args: &[&str]) -> (i32, String, String) {
    sn(dir, &basic(), args)
}

/// `fwreq submit requests/a.toml` in `dir` with basic credentials.
fn submit(dir: &Path) -> (i32, String, String) {
    with_basic(dir, &["submit", "requests/a.toml"])
}

/// A repository with [`DRAFT`] for `fake`, and what [`submit`] said in it.
fn submit_draft(fake: &Fake) -> (tempfile::TempDir, (i32, String, String)) {
    let dir = repo(&fake.url, DRAFT);
    let said = submit(dir.path());
    (dir, said)
}

/// [`submit_draft`] that must be refused (exit 2, nothing on stdout): its stderr.
fn submit_refused(fake: &Fake) -> (tempfile::TempDir, String) {
    let (dir, (code, out, err)) = submit_draft(fake);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    (dir, err)
}

/// Submits [`DRAFT`] to `fake` and asserts that it went through as `req`
/// and `ritm`: said so, made the calls of a first submit, recorded both.
fn assert_submits(fake: &Fake, req: &str, ritm: &str, sys_id: &str) {
    let (dir, said) = submit_draft(fake);
    let printed = submitted(&fake.url, req, ritm, sys_id);
    assert_eq!(said, (0, printed, String::new()));
    assert_eq!(fake.lines(), submit_lines());
    assert_eq!(without_time(&spec(dir.path())), recorded(req, ritm));
}

/// No credential, access token or basic pair in what fwreq printed.
fn assert_no_secret(stdout: &str, stderr: &str) {
    use base64::Engine as _;
    let pair = base64::engine::general_purpose::STANDARD.encode("fwreq-bot:pw-SECRET-1");
    for text in [stdout, stderr] {
        for secret in
            SECRETS
                .iter()
                .map(|(_, v)| *v)
                .chain([ACCESS_TOKEN, pair.as_str(), "-SECRET-"])
        {
            assert!(!text.contains(secret), "{secret} shown in:\n{text}");
        }
    }
}

fn spec(dir: &Path) -> String {
    fs::read_to_string(dir.join("requests/a.toml")).unwrap()
}

/// The `submitted = ...` line a run wrote, which is now: replaced by a placeholder.
fn without_time(spec: &str) -> String {
    spec.lines()
        .map(|l| {
            if l.starts_with("submitted = ") {
                "submitted = NOW"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

// ---------------------------------------------------------------------------
// submit

const FIELDS: &str =
    "sysparm_fields=number,sys_id,request,request.number,cat_item,state,stage,approval,closed_at";

/// The catalog item read before the first order (its variables).
fn item_line() -> String {
    format!("GET /api/sn_sc/servicecatalog/items/{ITEM}")
}

/// The lookup of `requests/a.toml`'s open items, by item and correlation id.
fn lookup_line() -> String {
    lookup_of("fwreq:requests/a.toml")
}

fn lookup_of(id: &str) -> String {
    format!(
        "GET /api/now/table/sc_req_item?sysparm_query=cat_item={ITEM}^active=true^variables.fwreq_correlation_id={id}&{FIELDS},variables.fwreq_correlation_id&sysparm_exclude_reference_link=true&sysparm_limit=10"
    )
}

fn order_line() -> String {
    format!("POST /api/sn_sc/servicecatalog/items/{ITEM}/order_now")
}

/// What a first submit sends: the item, the lookup, the order, the lookup.
fn submit_lines() -> Vec<String> {
    vec![item_line(), lookup_line(), order_line(), lookup_line()]
}

/// What submit prints for the request it ordered as `req` and `ritm`.
fn submitted(url: &str, req: &str, ritm: &str, sys_id: &str) -> String {
    format!("requests/a.toml: submitted {req} {ritm} {url}/sc_req_item.do?sys_id={sys_id}\n")
}

/// The spec after submit recorded `req` and `ritm` (the time replaced).
fn recorded(req: &str, ritm: &str) -> String {
    DRAFT.replace(
        "justification = \"Pulls.\"\n",
        &format!("justification = \"Pulls.\"\nreq = \"{req}\"\nritm = \"{ritm}\"\nsubmitted = NOW\nstatus = \"submitted\"\n"),
    )
}

#[test]
fn submit_orders_the_item_finds_the_ritm_and_records_both() {
    let fake = Fake::instance(Instance::default(), |_, _| None);
    let dir = repo(&fake.url, DRAFT);
    let (code, body, _) = sn(dir.path(), &[], &["render", "requests/a.toml"]);
    assert_eq!(code, 0);
    let (code, out, err) = submit(dir.path());
    assert_eq!(
        (code, out, err),
        (
            0,
            submitted(&fake.url, "REQ0020001", "RITM0010001", "ritmsys0001"),
            String::new()
        )
    );
    assert_eq!(fake.lines(), submit_lines());
    let received = fake.received();
    use base64::Engine as _;
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("fwreq-bot:pw-SECRET-1")
    );
    for r in &received {
        assert_eq!(
            r.header("authorization"),
            Some(auth.as_str()),
            "{}",
            r.line()
        );
        assert_eq!(r.header("accept"), Some("application/json"));
    }
    assert_eq!(received[2].header("content-type"), Some("application/json"));
    assert_eq!(
        received[2].json(),
        json!({"sysparm_quantity": 1, "variables": {
            "short_description": "Registry access",
            "description": body,
            "business_justification": "Pulls.",
            "fwreq_correlation_id": "fwreq:requests/a.toml",
        }})
    );
    let written = spec(dir.path());
    assert_eq!(
        without_time(&written),
        recorded("REQ0020001", "RITM0010001")
    );
    let when = written
        .lines()
        .find_map(|l| l.strip_prefix("submitted = "))
        .unwrap();
    assert!(
        chrono::NaiveDateTime::parse_from_str(when, "%Y-%m-%dT%H:%M:%S").is_ok(),
        "{when}"
    );
    // Filed: a second submit refuses before sending anything.
    let (code, _, err) = submit(dir.path());
    assert_eq!(
        (code, err.as_str()),
        (
            2,
            "fwreq: error: requests/a.toml has ritm = RITM0010001 already: it was submitted; nothing was sent\n"
        )
    );
    assert_eq!(fake.received().len(), 4);
}

/// An instance behind `Arc<Mutex<_>>`, to look at its records after a run.
fn shared(setup: Instance) -> (Fake, Arc<Mutex<Instance>>) {
    let instance = Arc::new(Mutex::new(setup));
    let inside = instance.clone();
    (
        Fake::start(move |r, _| inside.lock().unwrap().answer(r)),
        instance,
    )
}

/// Two-step checkout as the out-of-the-box order_now script does it
/// (KB0717979, KB0714209): the item goes into its own cart `cart_<item
/// sys_id>`, the answer holds only that `cart_id`, and `cart/submit_order`
/// would check out the account's default cart instead: "Cart is empty" on
/// every run when it is empty, someone's phone recorded as the firewall
/// request when it is not. fwreq empties exactly the cart it was given,
/// orders nothing and names the setting.
#[test]
fn two_step_checkout_is_refused_naming_the_setting_and_its_cart_is_emptied() {
    for phone in [false, true] {
        let (fake, instance) = shared(Instance {
            two_step: true,
            default_cart: if phone {
                vec![json!({"model": "phone"})]
            } else {
                vec![]
            },
            ..Instance::default()
        });
        let said = format!(
            "fwreq: error: {} uses two-step checkout (glide.sc.checkout.twostep is true): order_now only put the item into cart cart_{ITEM}, and cart/submit_order checks out this account's default cart, which may hold someone else's order; fwreq emptied that cart; nothing was ordered. Set glide.sc.checkout.twostep to false (or exempt this account), or file the request by hand and fwreq record it\n",
            fake.url
        );
        let (dir, err) = submit_refused(&fake);
        assert_eq!(err, said, "phone in the default cart: {phone}");
        assert_eq!(
            fake.lines(),
            vec![
                item_line(),
                lookup_line(),
                order_line(),
                format!("DELETE /api/sn_sc/servicecatalog/cart/cart_{ITEM}/empty"),
            ]
        );
        assert_eq!(spec(dir.path()), DRAFT);
        let instance = instance.lock().unwrap();
        assert!(instance.carts.is_empty(), "the item's cart emptied");
        assert!(instance.rows.is_empty(), "nothing ordered");
        assert_eq!(
            instance.default_cart.len(),
            usize::from(phone),
            "the phone left alone"
        );
    }
}

/// An instance that takes each order but drops the connection before its
/// answer; with `hide`, the ordered item is not in query results yet (the
/// instance still working on it).
fn losing_answers(hide: bool) -> (Fake, Arc<Mutex<Instance>>) {
    let instance = Arc::new(Mutex::new(Instance::default()));
    let inside = instance.clone();
    let fake = Fake::start(move |r, _| {
        let mut instance = inside.lock().unwrap();
        let reply = instance.answer(r);
        if !r.target.ends_with("/order_now") {
            return reply;
        }
        if hide {
            instance.rows.iter_mut().for_each(|row| row.hidden = true);
        }
        Reply::Drop
    });
    (fake, instance)
}

/// The order goes through, but the connection drops before its answer:
/// the lookup after the failed order finds the item, and it is recorded in
/// the same run; nothing is ordered twice.
#[test]
fn an_order_whose_answer_is_lost_is_found_and_recorded_in_the_same_run() {
    let (fake, instance) = losing_answers(false);
    assert_submits(&fake, "REQ0020001", "RITM0010001", "ritmsys0001");
    assert_eq!(instance.lock().unwrap().rows.len(), 1, "one ticket");
}

/// Re-run right after a lost answer while the instance is still working
/// on the order (its item not yet in query results): the run remembers the
/// lost order, so the next one waits for its item instead of ordering again;
/// once the item shows, it is recorded.
#[test]
fn a_rerun_while_a_lost_order_is_still_in_progress_orders_nothing() {
    let (fake, instance) = losing_answers(true);
    let (dir, err) = submit_refused(&fake);
    assert_eq!(
        err,
        format!(
            "fwreq: error: POST /api/sn_sc/servicecatalog/items/{ITEM}/order_now: Peer disconnected (talking to {}); the order may have gone through: run the same command again, it finds the ticket by its correlation id and orders nothing twice\n",
            fake.url
        )
    );
    let (code, _, err) = submit(dir.path());
    assert_eq!(instance.lock().unwrap().rows.len(), 1, "not ordered again");
    assert_eq!(code, 2, "{err}");
    let said = format!(
        "fwreq: error: an order for fwreq:requests/a.toml was sent {}",
        chrono::Local::now().format("%Y-%m-%d")
    );
    common::assert_starts(&err, &said);
    assert!(
        err.contains(&format!(
            " and its item not seen since, and {} still shows no open item with that correlation id; nothing was ordered: run the same command again in a few minutes (the order may still be in progress) (the lost order is remembered in {}",
            fake.url,
            dir.path().join(".home/state/fwreq/orders/").display()
        )),
        "{err}"
    );
    assert_eq!(spec(dir.path()), DRAFT);
    // The instance is done: the item shows, and is recorded.
    instance.lock().unwrap().rows[0].hidden = false;
    let (code, out, err) = submit(dir.path());
    assert_eq!((code, err.as_str()), (0, ""));
    common::assert_starts(
        &out,
        "requests/a.toml: found (filed before; nothing ordered) REQ0020001 RITM0010001 ",
    );
    assert_eq!(instance.lock().unwrap().rows.len(), 1, "one ticket");
    assert_eq!(
        fake.lines(),
        [
            submit_lines(),
            vec![item_line(), lookup_line(), item_line(), lookup_line()]
        ]
        .concat()
    );
}

/// Two clones of one repository submit the same path at once (one
/// correlation id): this machine's lock on the id makes the second wait,
/// then find the first's ticket.
#[test]
fn two_clones_submitting_one_path_at_once_order_once() {
    let instance = Arc::new(Mutex::new(Instance::default()));
    let inside = instance.clone();
    let fake = Fake::slow(Duration::from_millis(300), move |r, _| {
        inside.lock().unwrap().answer(r)
    });
    let state = tempfile::tempdir().unwrap();
    let clones = [repo(&fake.url, DRAFT), repo(&fake.url, DRAFT)];
    let runs: Vec<_> = clones
        .iter()
        .map(|clone| {
            let dir = clone.path().to_path_buf();
            let state = state.path().to_str().unwrap().to_string();
            std::thread::spawn(move || {
                let mut env = basic();
                env.push(("XDG_STATE_HOME", &state));
                sn(&dir, &env, &["submit", "requests/a.toml"])
            })
        })
        .collect();
    let mut said: Vec<String> = runs
        .into_iter()
        .map(|r| {
            let (code, out, err) = r.join().unwrap();
            assert_eq!((code, err.as_str()), (0, ""));
            out.split(" REQ").next().unwrap().to_string()
        })
        .collect();
    said.sort();
    assert_eq!(
        said,
        [
            "requests/a.toml: found (filed before; nothing ordered)",
            "requests/a.toml: submitted"
        ]
    );
    for clone in &clones {
        assert_eq!(
            without_time(&spec(clone.path())),
            recorded("REQ0020001", "RITM0010001")
        );
    }
    assert_eq!(instance.lock().unwrap().rows.len(), 1, "one ticket");
    assert_eq!(
        fake.lines()
            .iter()
            .filter(|l| l.ends_with("/order_now"))
            .count(),
        1
    );
}

/// One correlation id on two open items (ordered twice before, or by a
/// race elsewhere): both named, nothing recorded, exit 2; before an order
/// and after one.
#[test]
fn two_items_with_one_correlation_id_are_named_and_nothing_is_recorded() {
    let twin = |n: u32, hidden: bool| Row {
        correlation: "fwreq:requests/a.toml".to_string(),
        hidden,
        ..row(n, "1", "requested")
    };
    let (fake, _) = shared(Instance {
        rows: vec![twin(1, false), twin(2, false)],
        ..Instance::default()
    });
    let (dir, (code, out, err)) = submit_draft(&fake);
    let twice = |url: &str| {
        format!(
            "fwreq: error: 2 open items carry the correlation id fwreq:requests/a.toml: RITM0010001 (REQ0020001) and RITM0010002 (REQ0020002); it was filed more than once, so fwreq records none: close the extra ones on {url}, then run fwreq submit again (or fwreq record the one to keep)"
        )
    };
    assert_eq!(
        (code, out.as_str(), err),
        (2, "", format!("{}\n", twice(&fake.url)))
    );
    assert_eq!(fake.lines(), vec![item_line(), lookup_line()]);
    assert_eq!(spec(dir.path()), DRAFT);
    // After the order: an earlier order of the same file shows up.
    let instance = Arc::new(Mutex::new(Instance {
        rows: vec![twin(1, true)],
        ..Instance::default()
    }));
    let inside = instance.clone();
    let fake = Fake::start(move |r, _| {
        let mut instance = inside.lock().unwrap();
        let reply = instance.answer(r);
        if r.target.ends_with("/order_now") {
            instance.rows[0].hidden = false;
        }
        reply
    });
    let (dir, err) = submit_refused(&fake);
    assert_eq!(
        err,
        format!(
            "{}; REQ0020002 is the one this run ordered\n",
            twice(&fake.url)
        )
    );
    assert_eq!(fake.lines(), submit_lines());
    assert_eq!(spec(dir.path()), DRAFT);
}

/// A request with more than one item (a bundle put another item first):
/// the RITM recorded is the one of the team's catalog item carrying the
/// file's correlation id, not the request's first row.
#[test]
fn of_a_request_with_several_items_the_one_carrying_the_id_is_recorded() {
    let (fake, instance) = shared(Instance {
        bundle: true,
        ..Instance::default()
    });
    assert_submits(&fake, "REQ0020001", "RITM0010002", "ritmsys0002");
    assert_eq!(instance.lock().unwrap().rows[0].cat_item, PHONE);
}

/// Numbers have at least seven digits and may have more: eight-digit
/// numbers are recorded by submit and by record.
#[test]
fn eight_digit_numbers_are_recorded() {
    let (fake, _) = shared(Instance {
        eight_digits: true,
        ..Instance::default()
    });
    let (dir, (code, out, err)) = submit_draft(&fake);
    assert_eq!((code, err.as_str()), (0, ""));
    common::assert_starts(&out, "requests/a.toml: submitted REQ20000001 RITM10000001 ");
    assert_eq!(
        without_time(&spec(dir.path())),
        recorded("REQ20000001", "RITM10000001")
    );
    let (code, _, err) = sn(
        dir.path(),
        &[],
        &[
            "record",
            "requests/a.toml",
            "--ritm",
            "RITM123456789",
            "--req",
            "REQ123456780",
        ],
    );
    assert_eq!(
        (code, err.as_str()),
        (
            0,
            "requests/a.toml: ritm = RITM123456789, req = REQ123456780\n"
        )
    );
}

/// An answer the client cannot record still names the REQ that now exists.
#[test]
fn an_order_that_cannot_be_recorded_names_the_request_it_made() {
    let fake = Fake::instance(Instance::default(), |r, _| {
        r.target.ends_with("/order_now").then(|| {
            Reply::Json(
                200,
                json!({"result": {"request_number": "REQ12", "request_id": "reqsys0001", "table": "sc_request"}}),
            )
        })
    });
    let (dir, err) = submit_refused(&fake);
    assert_eq!(
        err,
        format!(
            "fwreq: error: POST /api/sn_sc/servicecatalog/items/{ITEM}/order_now: REQ12 was ordered, but fwreq cannot record it (`REQ12` is not a REQ number); record it by hand with fwreq record --req and --ritm\n"
        )
    );
    assert_eq!(spec(dir.path()), DRAFT);
}

#[test]
fn submit_refuses_filed_requests_and_requests_with_errors_before_sending() {
    let fake = Fake::instance(Instance::default(), |_, _| None);
    let cases = [
        (
            DRAFT.replace("[[rules]]", "req = \"REQ0000001\"\n[[rules]]"),
            "fwreq: error: requests/a.toml has req = REQ0000001 already: it was submitted; nothing was sent\n",
            2,
        ),
        (
            DRAFT.replace("[[rules]]", "status = \"approved\"\n[[rules]]"),
            "fwreq: error: requests/a.toml has status = \"approved\": only a draft is submitted; nothing was sent\n",
            2,
        ),
    ];
    for (text, said, want) in cases {
        let dir = repo(&fake.url, &text);
        let (code, _, err) = submit(dir.path());
        assert_eq!((code, err.as_str()), (want, said));
        assert_eq!(spec(dir.path()), text);
    }
    // A warning is an error under --deny warnings, and so under --deny of
    // the one lint named: nothing is sent.
    let dir = repo(&fake.url, &DRAFT.replace("[443]", "[80]"));
    for denied in ["warnings", "cleartext-port"] {
        let args = ["submit", "requests/a.toml", "--deny", denied];
        let (code, _, err) = with_basic(dir.path(), &args);
        assert_eq!(code, 1, "--deny {denied}");
        common::assert_contains(&err, "error[cleartext-port]");
        common::assert_ends(
            &err,
            "fwreq: nothing was submitted: fix the errors above first\n",
        );
    }
    assert_eq!(fake.received(), vec![]);
}

#[test]
fn each_kind_of_credential_is_sent_as_documented() {
    use base64::Engine as _;
    let cases: [(Env, Option<String>, Option<&str>); 4] = [
        (
            basic(),
            Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("fwreq-bot:pw-SECRET-1")
            )),
            None,
        ),
        (
            vec![("SN_TOKEN", "tok-SECRET-2")],
            Some("Bearer tok-SECRET-2".to_string()),
            None,
        ),
        (
            vec![("SN_API_KEY", "key-SECRET-4")],
            None,
            Some("key-SECRET-4"),
        ),
        (
            vec![
                ("SN_CLIENT_ID", "fwreq-client"),
                ("SN_CLIENT_SECRET", "cs-SECRET-3"),
            ],
            Some(format!("Bearer {ACCESS_TOKEN}")),
            None,
        ),
    ];
    for (env, authorization, key) in cases {
        let fake = Fake::instance(Instance::default(), |_, _| None);
        let dir = repo(&fake.url, DRAFT);
        let (code, _, err) = sn(dir.path(), &env, &["submit", "requests/a.toml"]);
        assert_eq!((code, err.as_str()), (0, ""), "{env:?}");
        let mut received = fake.received();
        if env[0].0 == "SN_CLIENT_ID" {
            let token = received.remove(0);
            assert_eq!(token.line(), "POST /oauth_token.do");
            assert_eq!(
                token.header("content-type"),
                Some("application/x-www-form-urlencoded")
            );
            assert_eq!(token.header("authorization"), None);
            assert_eq!(
                token.body,
                "grant_type=client_credentials&client_id=fwreq-client&client_secret=cs-SECRET-3"
            );
        }
        assert_eq!(received.len(), 4, "one token for the whole run");
        for r in &received {
            assert_eq!(
                r.header("authorization"),
                authorization.as_deref(),
                "{env:?}"
            );
            assert_eq!(r.header("x-sn-apikey"), key, "{env:?}");
        }
    }
}

#[test]
fn missing_or_half_credentials_and_a_bad_sn_instance_are_refused_before_sending() {
    let fake = Fake::instance(Instance::default(), |_, _| None);
    let dir = repo(&fake.url, DRAFT);
    for (env, said) in [
        (vec![("SN_USER", "fwreq-bot")], "fwreq: error: SN_USER is set but SN_PASSWORD is not\n".to_string()),
        (vec![], "fwreq: error: no credentials: set SN_USER and SN_PASSWORD (basic), SN_TOKEN (bearer), SN_CLIENT_ID and SN_CLIENT_SECRET (OAuth client credentials) or SN_API_KEY\n".to_string()),
        (
            vec![("SN_TOKEN", "tok-SECRET-2"), ("SN_INSTANCE", "http://acme.service-now.com")],
            "fwreq: error: SN_INSTANCE: `http://acme.service-now.com` is plain http: credentials would cross the network unencrypted (use https (http is accepted only for loopback addresses))\n".to_string(),
        ),
    ] {
        let (code, _, err) = sn(dir.path(), &env, &["submit", "requests/a.toml"]);
        assert_eq!((code, err), (2, said));
    }
    assert_eq!(fake.received(), vec![]);
    assert_eq!(spec(dir.path()), DRAFT);
}

/// Credentials go only to the instance the user named (`SN_INSTANCE` or
/// their own configuration): a team file naming another one (a colleague's
/// commit in a sub-folder) is refused before anything is sent, naming both.
#[test]
fn credentials_go_only_to_the_instance_the_user_named() {
    let fake = Fake::instance(Instance::default(), |_, _| None);
    let elsewhere = Fake::instance(Instance::default(), |_, _| None);
    let dir = repo(&fake.url, DRAFT);
    fs::create_dir(dir.path().join("requests/lab")).unwrap();
    fs::write(
        dir.path().join("requests/lab/fwreq.toml"),
        format!(
            "[servicenow]\ninstance = \"{}\"\ncatalog-item = \"{ITEM}\"\n",
            elsewhere.url
        ),
    )
    .unwrap();
    fs::write(dir.path().join("requests/lab/b.toml"), DRAFT).unwrap();
    let config = dir.path().join(".home/config/fwreq/config.toml");
    let (code, _, err) = with_basic(dir.path(), &["submit", "requests/lab/b.toml"]);
    assert_eq!(
        (code, err),
        (
            2,
            format!(
                "fwreq: error: requests/lab/fwreq.toml names the instance {}, but you named {} ({}); credentials go only to the instance you name, so nothing was sent: make them agree\n",
                elsewhere.url,
                fake.url,
                config.display()
            )
        )
    );
    // SN_INSTANCE names one too: the same refusal, naming it.
    let mut env = basic();
    env.push(("SN_INSTANCE", &fake.url));
    let (code, _, err) = sn(dir.path(), &env, &["submit", "requests/lab/b.toml"]);
    assert_eq!(code, 2);
    common::assert_ends(
        &err,
        &format!(
            "but you named {} (SN_INSTANCE); credentials go only to the instance you name, so nothing was sent: make them agree\n",
            fake.url
        ),
    );
    // Named by nobody but a team file: refused too.
    fs::remove_file(&config).unwrap();
    let (code, _, err) = submit(dir.path());
    assert_eq!(
        (code, err),
        (
            2,
            format!(
                "fwreq: error: fwreq.toml names the instance {}, but credentials go only to an instance you name yourself: set SN_INSTANCE to it, or instance under [servicenow] in {}\n",
                fake.url,
                config.display()
            )
        )
    );
    assert_eq!(fake.received(), vec![]);
    assert_eq!(elsewhere.received(), vec![]);
    // The same instance in SN_INSTANCE: sent.
    let (code, _, err) = sn(dir.path(), &env, &["submit", "requests/a.toml"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(fake.lines(), submit_lines());
    // A user configuration with a mistake is named at its line.
    name_instance(dir.path(), "http://acme.service-now.com");
    let (code, _, err) = with_basic(dir.path(), &["sync"]);
    assert_eq!(
        (code, err),
        (
            2,
            format!(
                "fwreq: error: {}:2:12: `http://acme.service-now.com` is plain http: credentials would cross the network unencrypted (use https (http is accepted only for loopback addresses))\n",
                config.display()
            )
        )
    );
}

/// An instance's error that echoes a credential shows `<redacted>` instead.
#[test]
fn secrets_an_instance_echoes_are_redacted() {
    use base64::Engine as _;
    let pair = base64::engine::general_purpose::STANDARD.encode("fwreq-bot:pw-SECRET-1");
    let fake = Fake::instance(Instance::default(), move |_, _| {
        Some(Reply::Json(
            500,
            failure(
                "Login failed for fwreq-bot with password pw-SECRET-1",
                &format!("Authorization: Basic {pair}"),
            ),
        ))
    });
    let (_dir, err) = submit_refused(&fake);
    assert_eq!(
        err,
        format!(
            "fwreq: error: GET /api/sn_sc/servicecatalog/items/{ITEM}: HTTP 500 Internal Server Error: Login failed for fwreq-bot with password <redacted> (Authorization: Basic <redacted>)\n"
        )
    );
}

/// The instance's error JSON.
fn failure(message: &str, detail: &str) -> Value {
    json!({"error": {"message": message, "detail": detail}, "status": "failure"})
}

/// The instance's answer for an item it does not have (or may not show).
fn no_record() -> Reply {
    Reply::Json(
        404,
        failure(
            "No Record found",
            "Record doesn't exist or ACL restricts the record retrieval",
        ),
    )
}

#[test]
fn every_failure_of_the_instance_is_a_clear_error_and_writes_nothing() {
    let login = "<html><head><title>Sign in</title></head><body><form action=\"/login.do\"></form></body></html>";
    type Override = Box<dyn FnMut(&Received, usize) -> Option<Reply> + Send>;
    let item = item_line();
    let ordered = submit_lines();
    let cases: Vec<(&str, Env, Override, String, Vec<String>)> = vec![
        (
            "401",
            basic(),
            Box::new(|_, _| Some(Reply::Json(401, failure("User Not Authenticated", "Required to provide Auth information")))),
            format!("GET /api/sn_sc/servicecatalog/items/{ITEM}: the instance refused basic authentication (SN_USER, SN_PASSWORD) (HTTP 401 Unauthorized); check the credentials and the account's roles"),
            vec![item.clone()],
        ),
        (
            "403 without a reason",
            vec![("SN_TOKEN", "tok-SECRET-2")],
            Box::new(|_, _| Some(Reply::Raw(403, vec![], "application/json", String::new()))),
            format!("GET /api/sn_sc/servicecatalog/items/{ITEM}: the instance refused a bearer token (SN_TOKEN) (HTTP 403 Forbidden); check the credentials and the account's roles"),
            vec![item.clone()],
        ),
        (
            // 403 carries ACL and data-policy reasons in error.message/detail.
            "403 with the instance's reason",
            vec![("SN_TOKEN", "tok-SECRET-2")],
            Box::new(|r, _| (r.method == "POST").then(|| Reply::Json(403, failure("Operation Failed", "Data Policy Exception: \n The following fields are mandatory: Close notes")))),
            format!("POST /api/sn_sc/servicecatalog/items/{ITEM}/order_now: HTTP 403 Forbidden: Operation Failed (Data Policy Exception: The following fields are mandatory: Close notes)"),
            ordered.clone(),
        ),
        (
            // order_now's 404 "Invalid Request": the order threw on an item that exists.
            "order_now's 404",
            basic(),
            Box::new(|r, _| (r.method == "POST").then(|| Reply::Json(404, failure("Invalid Request", "Request failed while processing the order")))),
            format!("POST /api/sn_sc/servicecatalog/items/{ITEM}/order_now: HTTP 404 Not Found: Invalid Request (Request failed while processing the order)"),
            ordered.clone(),
        ),
        (
            "a hibernating developer instance",
            basic(),
            Box::new(|_, _| Some(Reply::Raw(200, vec![], "text/html", "<html><head><title>Instance Hibernating page</title></head><body>Your instance is hibernating. Sign in to wake it.</body></html>".to_string()))),
            "HIBERNATING".to_string(),
            vec![item.clone()],
        ),
        (
            "a hibernating developer instance redirecting to the portal",
            basic(),
            Box::new(|_, _| Some(Reply::Raw(302, vec![("Location", "https://developer.servicenow.com/dev.do#!/home?wu=true".to_string())], "text/html", String::new()))),
            "HIBERNATING".to_string(),
            vec![item.clone()],
        ),
        (
            "OAuth refused",
            vec![("SN_CLIENT_ID", "fwreq-client"), ("SN_CLIENT_SECRET", "cs-SECRET-3")],
            Box::new(|_, _| Some(Reply::Raw(401, vec![], "application/json", "{\"error\":\"access_denied\"}".to_string()))),
            "POST /oauth_token.do: the instance refused OAuth client credentials (SN_CLIENT_ID, SN_CLIENT_SECRET) (HTTP 401 Unauthorized); check the credentials and the account's roles".to_string(),
            vec!["POST /oauth_token.do".to_string()],
        ),
        (
            "the instance's error JSON",
            basic(),
            Box::new(|r, _| (r.method == "POST").then(|| Reply::Json(400, failure("Mandatory variable is missing", "u_owner")))),
            format!("POST /api/sn_sc/servicecatalog/items/{ITEM}/order_now: HTTP 400 Bad Request: Mandatory variable is missing (u_owner)"),
            ordered.clone(),
        ),
        (
            "a login page answered 200",
            basic(),
            Box::new(move |_, _| Some(Reply::Raw(200, vec![], "text/html", login.to_string()))),
            format!("GET /api/sn_sc/servicecatalog/items/{ITEM}: the instance answered with an HTML page, not JSON (a single sign-on login page in front of the API?); ask for an account or token that reaches the REST API directly"),
            vec![item.clone()],
        ),
        (
            "malformed JSON",
            basic(),
            Box::new(|_, _| Some(Reply::Raw(200, vec![], "application/json", "{\"result\": [".to_string()))),
            format!("GET /api/sn_sc/servicecatalog/items/{ITEM}: the answer is not JSON: {{\"result\": ["),
            vec![item.clone()],
        ),
        (
            "500 on the order (a write is never retried)",
            basic(),
            Box::new(|r, _| (r.method == "POST").then(|| Reply::Json(500, failure("Internal error", "")))),
            format!("POST /api/sn_sc/servicecatalog/items/{ITEM}/order_now: HTTP 500 Internal Server Error: Internal error; the order may have gone through: run the same command again, it finds the ticket by its correlation id and orders nothing twice"),
            ordered.clone(),
        ),
        (
            "an order answer with neither a request nor a cart (nothing more is ordered)",
            basic(),
            Box::new(|r, _| (r.method == "POST").then(|| Reply::Json(200, json!({"result": {"subtotal": "$0.00"}})))),
            format!("POST /api/sn_sc/servicecatalog/items/{ITEM}/order_now: the order's answer has no request_number"),
            vec![item.clone(), lookup_line(), order_line()],
        ),
        (
            "429 too long to wait",
            basic(),
            Box::new(|_, _| Some(Reply::Raw(429, vec![("Retry-After", "3600".to_string())], "application/json", failure("Too many requests", "").to_string()))),
            format!("GET /api/sn_sc/servicecatalog/items/{ITEM}: HTTP 429: rate limited; the instance asks to wait 3600 s: try again later"),
            vec![item.clone()],
        ),
        (
            "503 too long to wait (unavailable, not rate limited)",
            basic(),
            Box::new(|_, _| Some(Reply::Raw(503, vec![("Retry-After", "3600".to_string())], "application/json", failure("Unavailable", "").to_string()))),
            format!("GET /api/sn_sc/servicecatalog/items/{ITEM}: HTTP 503: the instance asks to wait 3600 s: try again later"),
            vec![item.clone()],
        ),
    ];
    for (what, env, first, said, lines) in cases {
        let fake = Fake::instance(Instance::default(), first);
        let said = if said == "HIBERNATING" {
            format!(
                "GET /api/sn_sc/servicecatalog/items/{ITEM}: {} is hibernating (a developer instance asleep); wake it at https://developer.servicenow.com, then run the same command again",
                fake.url
            )
        } else {
            said
        };
        let dir = repo(&fake.url, DRAFT);
        let (code, out, err) = sn(dir.path(), &env, &["submit", "requests/a.toml"]);
        assert_eq!(
            (code, out.as_str(), err),
            (2, "", format!("fwreq: error: {said}\n")),
            "{what}"
        );
        assert_eq!(fake.lines(), lines, "{what}");
        assert_eq!(spec(dir.path()), DRAFT, "{what}");
    }
}

#[test]
fn a_missing_catalog_item_is_named() {
    let fake = Fake::instance(Instance::default(), |_, _| None);
    let dir = repo(&fake.url, DRAFT);
    let other = "ffffffffffffffffffffffffffffffff";
    fs::write(
        dir.path().join("fwreq.toml"),
        format!(
            "[servicenow]\ninstance = \"{}\"\ncatalog-item = \"{other}\"\n",
            fake.url
        ),
    )
    .unwrap();
    let (code, _, err) = submit(dir.path());
    assert_eq!(
        (code, err),
        (
            2,
            format!(
                "fwreq: error: GET /api/sn_sc/servicecatalog/items/{other}: the catalog item {other} does not exist on {} (check catalog-item in [servicenow]) (HTTP 404)\n",
                fake.url
            )
        )
    );
}

#[test]
fn rate_limits_are_waited_out_and_failed_reads_retried() {
    // 429 on the order, with Retry-After: the same order once more after it.
    let fake = Fake::instance(Instance::default(), |r, n| {
        (r.method == "POST" && n == 2).then(|| {
            Reply::Raw(
                429,
                vec![("Retry-After", "1".to_string())],
                "application/json",
                failure("Too many requests", "").to_string(),
            )
        })
    });
    let dir = repo(&fake.url, DRAFT);
    let started = std::time::Instant::now();
    let (code, _, err) = submit(dir.path());
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    let mut calls = submit_lines();
    calls.insert(3, order_line()); // the order again, after its 429
    assert_eq!(fake.lines(), calls);
    assert_eq!(fake.received()[2].body, fake.received()[3].body);
    // 502 on a read: read again.
    let fake = Fake::instance(Instance::default(), |_, n| {
        (n == 0).then(|| {
            Reply::Raw(
                502,
                vec![],
                "text/html",
                "<html>Bad gateway</html>".to_string(),
            )
        })
    });
    let (_dir, (code, _, err)) = submit_draft(&fake);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        fake.lines(),
        vec![
            item_line(),
            item_line(),
            lookup_line(),
            order_line(),
            lookup_line()
        ]
    );
    // A read that keeps failing: three tries (waiting 1 s, then 2 s), then
    // the error, and nothing ordered.
    let fake = Fake::instance(Instance::default(), |_, _| {
        Some(Reply::Raw(
            502,
            vec![],
            "text/html",
            "<html>Bad gateway</html>".to_string(),
        ))
    });
    let (_dir, (code, _, _)) = submit_draft(&fake);
    assert_eq!(code, 2);
    assert_eq!(fake.lines(), vec![item_line(); 3]);
}

#[test]
fn a_timeout_is_an_error_naming_the_option() {
    let fake = Fake::start(|_, _| {
        std::thread::sleep(std::time::Duration::from_secs(3));
        Reply::Json(200, json!({"result": []}))
    });
    let dir = repo(&fake.url, DRAFT);
    let (code, _, err) = with_basic(
        dir.path(),
        &["submit", "requests/a.toml", "--timeout", "500ms"],
    );
    assert_eq!(
        (code, err),
        (
            2,
            format!(
                "fwreq: error: GET /api/sn_sc/servicecatalog/items/{ITEM}: no answer from {} in time (--timeout)\n",
                fake.url
            )
        )
    );
}

#[test]
fn a_dry_run_shows_each_call_with_credentials_redacted_and_sends_nothing() {
    let fake = Fake::instance(Instance::default(), |_, _| None);
    let dir = repo(&fake.url, DRAFT);
    let (code, out, err) = with_basic(dir.path(), &["submit", "requests/a.toml", "--dry-run"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(fake.received(), vec![]);
    assert_eq!(spec(dir.path()), DRAFT);
    let url = &fake.url;
    let head = format!(
        "# requests/a.toml: the calls submit would make (--dry-run: nothing is sent)\n\n# 1. Does the catalog item have the correlation variable? Without it nothing is ordered.\nGET {url}/api/sn_sc/servicecatalog/items/{ITEM}\nAccept: application/json\nAuthorization: Basic <redacted>\n\n# 2. Is it filed already? An open item of this catalog item with this correlation id is recorded instead of ordering again.\nGET {url}/api/now/table/sc_req_item?sysparm_query=cat_item%3D{ITEM}%5Eactive%3Dtrue%5Evariables.fwreq_correlation_id%3Dfwreq%3Arequests%2Fa.toml&sysparm_fields=number%2Csys_id%2Crequest%2Crequest.number%2Ccat_item%2Cstate%2Cstage%2Capproval%2Cclosed_at%2Cvariables.fwreq_correlation_id&sysparm_exclude_reference_link=true&sysparm_limit=10\nAccept: application/json\nAuthorization: Basic <redacted>\n\n# 3. Order the catalog item (an answer with only a cart_id is two-step checkout: that cart is emptied, nothing is ordered).\nPOST {url}/api/sn_sc/servicecatalog/items/{ITEM}/order_now\nAccept: application/json\nAuthorization: Basic <redacted>\nContent-Type: application/json\n\n{{\n  \"sysparm_quantity\": 1,\n  \"variables\": {{\n    \"business_justification\": \"Pulls.\",\n"
    );
    common::assert_starts(&out, &head);
    let tail = "    \"fwreq_correlation_id\": \"fwreq:requests/a.toml\",\n    \"short_description\": \"Registry access\"\n  }\n}\n\n# 4. The RITM: the lookup of step 2 again, which must find exactly one open item, of the new request.\n# 5. Written into requests/a.toml: req, ritm, submitted, status = \"submitted\"\n";
    common::assert_ends(&out, tail);
    // Without credentials, a dry run still shows what would be sent.
    let (code, out, _) = sn(dir.path(), &[], &["submit", "requests/a.toml", "--dry-run"]);
    assert_eq!(code, 0);
    common::assert_contains(
        &out,
        "\n(no credentials: set SN_USER and SN_PASSWORD (basic), SN_TOKEN (bearer), SN_CLIENT_ID and SN_CLIENT_SECRET (OAuth client credentials) or SN_API_KEY)\n",
    );
    assert_eq!(fake.received(), vec![]);
}

// ---------------------------------------------------------------------------
// sync, probe --post, render --since --post

/// A filed request with this RITM and status.
fn filed(ritm: &str, status: &str) -> String {
    DRAFT.replace(
        "[[rules]]",
        &format!("ritm = \"{ritm}\"\nreq = \"REQ0020001\"\nsubmitted = 2026-11-20T10:00:00\nstatus = \"{status}\"\n\n[[rules]]"),
    )
}

/// An item of the fake instance in this state.
fn row(n: u32, state: &str, approval: &str) -> Row {
    Row {
        number: format!("RITM00100{n:02}"),
        sys_id: format!("ritmsys{n:04}"),
        request_id: format!("reqsys{n:04}"),
        request_number: format!("REQ00200{n:02}"),
        cat_item: ITEM.to_string(),
        correlation: format!("fwreq:requests/{n}.toml"),
        state: state.to_string(),
        approval: approval.to_string(),
        notes: vec![],
        hidden: false,
    }
}

/// The read of these RITMs, in one call (`numberIN`, the Table API's list
/// operator in an encoded query).
fn numbers_line(ritms: &[&str]) -> String {
    format!(
        "GET /api/now/table/sc_req_item?sysparm_query=numberIN{}&{FIELDS}&sysparm_exclude_reference_link=true&sysparm_limit={}",
        ritms.join(","),
        ritms.len()
    )
}

fn ritm_line(ritm: &str) -> String {
    numbers_line(&[ritm])
}

#[test]
fn sync_maps_each_ritm_to_a_status_writes_changes_and_reports_refused_moves() {
    let instance = Instance {
        rows: vec![
            row(1, "2", "approved"),
            row(2, "3", "approved"),
            row(3, "3", "approved"),
            row(4, "1", "requested"),
        ],
        ..Instance::default()
    };
    let fake = Fake::instance(instance, |_, _| None);
    let dir = repo(&fake.url, DRAFT);
    let files = [
        ("a", filed("RITM0010001", "submitted")),
        ("b", filed("RITM0010002", "approved")),
        ("c", filed("RITM0010003", "rejected")),
        ("d", filed("RITM0010004", "submitted")),
        ("e", DRAFT.to_string()),
    ];
    for (name, text) in &files {
        fs::write(dir.path().join(format!("requests/{name}.toml")), text).unwrap();
    }
    let table = "PATH             RITM         STATUS\nrequests/a.toml  RITM0010001  submitted -> approved\nrequests/b.toml  RITM0010002  approved -> implemented\nrequests/c.toml  RITM0010003  rejected -> implemented  refused: status rejected -> implemented is not a step forward in a request's life (record --force writes it)\n";
    let (code, out, err) = with_basic(dir.path(), &["sync", "--dry-run"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "PATH             RITM         STATUS\nrequests/a.toml  RITM0010001  submitted -> approved    not written (--dry-run)\nrequests/b.toml  RITM0010002  approved -> implemented  not written (--dry-run)\nrequests/c.toml  RITM0010003  rejected -> implemented  refused: status rejected -> implemented is not a step forward in a request's life (record --force writes it)\n",
            "read 4 RITMs: 3 requests with a new status\n"
        )
    );
    for (name, text) in &files {
        assert_eq!(
            &fs::read_to_string(dir.path().join(format!("requests/{name}.toml"))).unwrap(),
            text
        );
    }
    let (code, out, err) = with_basic(dir.path(), &["sync", "requests"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, table, "read 4 RITMs: 3 requests with a new status\n")
    );
    let read =
        |name: &str| fs::read_to_string(dir.path().join(format!("requests/{name}.toml"))).unwrap();
    assert_eq!(
        read("a"),
        files[0]
            .1
            .replace("status = \"submitted\"", "status = \"approved\"")
    );
    assert_eq!(
        read("b"),
        files[1]
            .1
            .replace("status = \"approved\"", "status = \"implemented\"")
    );
    assert_eq!(read("c"), files[2].1);
    assert_eq!(read("d"), files[3].1);
    let all = numbers_line(&["RITM0010001", "RITM0010002", "RITM0010003", "RITM0010004"]);
    assert_eq!(
        fake.lines(),
        [all.clone(), all],
        "e.toml has no RITM: never asked"
    );
    // In step now: nothing to change.
    let (code, out, err) = with_basic(dir.path(), &["sync", "requests/a.toml", "requests/b.toml"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "", "read 2 RITMs: 0 requests with a new status\n")
    );
}

#[test]
fn sync_follows_the_teams_status_table_and_reports_a_missing_ritm() {
    let fake = Fake::holding(row(1, "1", "requested"));
    let dir = repo(&fake.url, &filed("RITM0010001", "submitted"));
    fs::write(
        dir.path().join("requests/b.toml"),
        filed("RITM0010009", "submitted"),
    )
    .unwrap();
    let team = fs::read_to_string(dir.path().join("fwreq.toml")).unwrap();
    fs::write(
        dir.path().join("fwreq.toml"),
        format!("{team}[servicenow.status.approval]\nrequested = \"approved\"\n"),
    )
    .unwrap();
    let (code, out, err) = with_basic(dir.path(), &["sync"]);
    assert_eq!(code, 2);
    assert_eq!(
        out,
        "PATH             RITM         STATUS\nrequests/a.toml  RITM0010001  submitted -> approved\n"
    );
    assert_eq!(
        err,
        format!(
            "fwreq: error: requests/b.toml: RITM0010009 does not exist on {}\nread 1 RITM: 1 request with a new status\nfwreq: error: 1 request could not be synced\n",
            fake.url
        )
    );
    // A file with errors is one more that could not be synced.
    fs::write(
        dir.path().join("requests/c.toml"),
        DRAFT.replace("[443]", "[70000]"),
    )
    .unwrap();
    fs::write(
        dir.path().join("requests/a.toml"),
        filed("RITM0010001", "submitted"),
    )
    .unwrap();
    let (code, _, err) = with_basic(dir.path(), &["sync"]);
    assert_eq!(code, 2);
    common::assert_starts(
        &err,
        "requests/c.toml:9:10: error: port 70000 is out of range\n",
    );
    common::assert_ends(
        &err,
        "read 1 RITM: 1 request with a new status\nfwreq: error: 2 requests could not be synced\n",
    );
    // A status the writer will not write is one more as well, and the
    // file is left as it was.
    fs::remove_file(dir.path().join("requests/c.toml")).unwrap();
    fs::write(
        dir.path().join("requests/a.toml"),
        filed("RITM0010001", "submitted"),
    )
    .unwrap();
    fs::hard_link(
        dir.path().join("requests/a.toml"),
        dir.path().join("a-also"),
    )
    .unwrap();
    let (code, out, err) = with_basic(dir.path(), &["sync"]);
    assert_eq!(code, 2);
    assert!(
        out.starts_with("PATH             RITM         STATUS\nrequests/a.toml  RITM0010001  submitted -> approved  not written: "),
        "{out}{err}"
    );
    common::assert_contains(&out, "has 2 hard links");
    common::assert_ends(
        &err,
        "read 1 RITM: 1 request with a new status\nfwreq: error: 2 requests could not be synced\n",
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("requests/a.toml")).unwrap(),
        filed("RITM0010001", "submitted")
    );
}

/// `render --removal --post`: the removal ticket as the RITM's work note.
const POST_REMOVAL: &[&str] = &["render", "requests/a.toml", "--removal", "--post"];

/// The calls that add a work note to RITM0010001: its lookup, the PATCH.
fn note_lines() -> Vec<String> {
    vec![
        ritm_line("RITM0010001"),
        "PATCH /api/now/table/sc_req_item/ritmsys0001?sysparm_fields=number,work_notes&sysparm_display_value=true".to_string(),
    ]
}

/// The body of the work note `fake` was sent, after asserting that the
/// calls were [`note_lines`] and nothing else.
fn posted_note(fake: &Fake) -> Value {
    assert_eq!(fake.lines(), note_lines());
    fake.received()[1].json()
}

/// The work note `fake` was sent ([`posted_note`]), asserted to be the
/// [code] evidence the run printed.
fn posted_evidence(fake: &Fake, printed: &str) -> String {
    let notes = posted_note(fake)["work_notes"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        notes,
        printed.trim_end(),
        "the note is the [code] evidence printed"
    );
    notes
}

/// The filed request aimed at the fake instance itself (127.0.0.1 and its
/// port), so a probe of it finds the port open.
fn filed_at(fake: &Fake) -> String {
    let port = fake.url.rsplit(':').next().unwrap();
    filed("RITM0010001", "approved")
        .replace("[443]", &format!("[{port}]"))
        .replace("registry.example.com", "127.0.0.1")
}

#[test]
fn probe_post_adds_the_evidence_to_the_ritm_as_a_work_note() {
    let fake = Fake::holding(row(1, "2", "approved"));
    let spec_text = filed_at(&fake);
    let dir = repo(&fake.url, &spec_text);
    let (code, out, err) = with_basic(
        dir.path(),
        &[
            "probe",
            "requests/a.toml",
            "--post",
            "--format",
            "servicenow",
        ],
    );
    assert_eq!(code, 0, "{err}");
    common::assert_starts(
        &err,
        &format!(
            "added the evidence to RITM0010001's work notes ({}/sc_req_item.do?sys_id=ritmsys0001)\n",
            fake.url
        ),
    );
    let notes = posted_evidence(&fake, &out);
    assert!(
        notes.starts_with("[code]") && notes.ends_with("[/code]") && notes.contains("127.0.0.1"),
        "{notes}"
    );
    // Without a RITM, --post is refused before anything is probed or sent.
    let dir = repo(
        &fake.url,
        &spec_text.replace("ritm = \"RITM0010001\"\n", ""),
    );
    let (code, out, err) = with_basic(dir.path(), &["probe", "requests/a.toml", "--post"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            2,
            "",
            "fwreq: error: --post adds the evidence to the request's RITM, but requests/a.toml has no ritm (fwreq submit or record sets it)\n"
        )
    );
    assert_eq!(fake.received().len(), 2);
}

/// `verify --post`: the [code] evidence of the run, as printed, becomes the
/// RITM's work note (the same calls as probe --post).
#[test]
fn verify_post_adds_the_evidence_to_the_ritm_as_a_work_note() {
    if !crate::verify::namespaces() {
        return;
    }
    let fake = Fake::holding(row(1, "2", "approved"));
    let dir = repo(&fake.url, &filed("RITM0010001", "approved"));
    fs::write(
        dir.path().join("edge.nft"),
        "table inet edge {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n\t}\n}\n",
    )
    .unwrap();
    let (code, out, err) = with_basic(
        dir.path(),
        &[
            "verify",
            "requests/a.toml",
            "--ruleset",
            "edge.nft",
            "--resolve",
            "registry.example.com:192.0.2.10",
            "--post",
            "--format",
            "servicenow",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err,
        format!(
            "added the evidence to RITM0010001's work notes ({}/sc_req_item.do?sys_id=ritmsys0001)\n1 of 1 packet agrees with the request\n",
            fake.url
        )
    );
    let notes = posted_evidence(&fake, &out);
    assert!(
        notes.starts_with("[code]")
            && notes.contains("registry.example.com")
            && notes.ends_with("[/code]"),
        "{notes}"
    );
}

#[test]
fn render_since_post_adds_the_change_ticket_as_a_work_note() {
    let fake = Fake::holding(row(1, "2", "approved"));
    let before = filed("RITM0010001", "approved");
    let dir = repo(&fake.url, &before);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "filed"]);
    fs::write(
        dir.path().join("requests/a.toml"),
        before.replace("[443]", "[443, 8443]"),
    )
    .unwrap();
    let (code, ticket, _) = sn(
        dir.path(),
        &[],
        &[
            "render",
            "requests/a.toml",
            "--since",
            "HEAD",
            "--format",
            "servicenow",
        ],
    );
    assert_eq!(code, 0);
    let (code, out, err) = with_basic(
        dir.path(),
        &["render", "requests/a.toml", "--since", "HEAD", "--post"],
    );
    assert_eq!(code, 0, "{err}");
    common::assert_contains(&out, "8443");
    assert_eq!(
        err,
        format!(
            "added the change ticket to RITM0010001's work notes ({}/sc_req_item.do?sys_id=ritmsys0001)\n",
            fake.url
        )
    );
    assert_eq!(
        posted_note(&fake),
        json!({ "work_notes": ticket.trim_end() })
    );
}

#[test]
fn the_guides_dry_run_is_what_submit_prints_for_the_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, out, err) = sn(
        root,
        &[],
        &[
            "submit",
            "requests/albion-plant-time-and-logs.toml",
            "--dry-run",
        ],
    );
    assert_eq!((code, err.as_str()), (0, ""));
    let readme = fs::read_to_string(root.join("docs/servicenow.md")).unwrap();
    let command = "$ fwreq submit requests/albion-plant-time-and-logs.toml --dry-run\n";
    let start = readme.find(command).unwrap() + command.len();
    let shown = &readme[start..start + readme[start..].find("```").unwrap()];
    let cut = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| {
                if l.trim_start().starts_with("\"description\": ") {
                    "DESCRIPTION".to_string()
                } else {
                    l.to_string()
                }
            })
            .collect()
    };
    assert_eq!(cut(shown), cut(&out));
    assert!(out.contains("\"description\": \"# Albion Plant Controllers NTP and Syslog Network Config Request\\n\\nProject: Albion Plant Floor Controllers\\n\\n"));
}

#[test]
fn a_plain_http_instance_never_goes_through_a_proxy() {
    // A proxy would see a plain-http instance's calls, credentials included,
    // in clear inside its tunnel: such an instance (loopback only) is called
    // directly, whatever HTTPS_PROXY says. Nothing listens on its port.
    let proxy = Fake::start(|_, _| Reply::Json(502, failure("proxy", "")));
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let instance = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let dir = repo(&instance, DRAFT);
    let mut env = basic();
    env.push(("HTTPS_PROXY", &proxy.url));
    env.push(("ALL_PROXY", &proxy.url));
    let (code, _, err) = sn(dir.path(), &env, &["submit", "requests/a.toml"]);
    assert_eq!(
        (code, err),
        (
            2,
            format!(
                "fwreq: error: GET /api/sn_sc/servicecatalog/items/{ITEM}: could not connect to {instance}: connection refused\n"
            )
        )
    );
    assert_eq!(proxy.received().len(), 0, "nothing through the proxy");
}

#[test]
fn the_teams_variable_templates_fill_the_order() {
    let fake = Fake::instance(Instance::default(), |_, _| None);
    let dir = repo(&fake.url, DRAFT);
    let team = fs::read_to_string(dir.path().join("fwreq.toml")).unwrap();
    fs::write(
        dir.path().join("fwreq.toml"),
        format!("{team}[servicenow.variables]\nu_summary = \"{{{{ project }}}}: {{{{ flows | length }}}} rule(s) to {{{{ rules[0].destinations[0].written }}}}\"\nu_change = \"{{{{ change }}}}\"\nu_notes = \"{{{{ work_notes[:6] }}}}\"\n"),
    )
    .unwrap();
    let (code, _, err) = submit(dir.path());
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        fake.received()[2].json()["variables"],
        json!({
            "u_summary": "Avilla: 1 rule(s) to registry.example.com",
            "u_change": "",
            "u_notes": "[code]",
            "fwreq_correlation_id": "fwreq:requests/a.toml",
        })
    );
}

#[test]
fn two_submits_of_one_file_at_once_file_one_ticket() {
    // A slow instance: the first run holds the file's lock while it orders.
    let fake = Fake::instance(Instance::default(), |_, _| {
        std::thread::sleep(std::time::Duration::from_millis(300));
        None
    });
    let dir = repo(&fake.url, DRAFT);
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let dir = dir.path().to_path_buf();
            std::thread::spawn(move || sn(&dir, &basic(), &["submit", "requests/a.toml"]))
        })
        .collect();
    let mut results: Vec<(i32, String, String)> =
        runs.into_iter().map(|r| r.join().unwrap()).collect();
    results.sort();
    assert_eq!(results[0].0, 0, "{results:?}");
    assert_eq!(
        (results[1].0, results[1].2.as_str()),
        (
            2,
            "fwreq: error: requests/a.toml has ritm = RITM0010001 already: it was submitted; nothing was sent\n"
        )
    );
    assert_eq!(
        fake.lines()
            .iter()
            .filter(|l| l.ends_with("/order_now"))
            .count(),
        1
    );
    assert_eq!(
        without_time(&spec(dir.path())),
        recorded("REQ0020001", "RITM0010001")
    );
}

#[test]
fn the_guides_servicenow_table_is_a_valid_team_file() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/servicenow.md"))
            .unwrap();
    let start = readme.find("```toml\n[servicenow]\n").unwrap() + "```toml\n".len();
    let table = &readme[start..start + readme[start..].find("```").unwrap()];
    assert_eq!(team_errors(table), (0, vec![]));
}

/// What the instance says is text from outside: it reaches no terminal raw.
#[test]
fn the_instances_words_are_escaped_on_the_terminal() {
    let fake = Fake::start(|_, _| {
        Reply::Json(
            404,
            failure("gone \u{1b}]52;c;cHduZWQ=\u{7}", "\u{202e}detail"),
        )
    });
    let dir = repo(&fake.url, DRAFT);
    fs::write(
        dir.path().join("requests/a.toml"),
        filed("RITM0010001", "submitted"),
    )
    .unwrap();
    let (code, out, err) = with_basic(dir.path(), &["sync", "requests"]);
    assert_ne!(code, 0);
    let shown = out + &err;
    assert!(
        !shown.contains(['\u{1b}', '\u{7}', '\u{202e}']),
        "{shown:?}"
    );
    assert!(
        shown.contains("gone \\u{1b}]52;c;cHduZWQ=\\u{7}"),
        "{shown}"
    );
}

/// A later file whose team file cannot file it stops the run before the
/// first file is sent: nothing is filed halfway through a list.
#[test]
fn a_later_file_that_cannot_be_filed_stops_every_order() {
    let fake = Fake::instance(Instance::default(), |_, _| None);
    let dir = repo(&fake.url, DRAFT);
    fs::create_dir(dir.path().join("requests/lab")).unwrap();
    fs::write(
        dir.path().join("requests/lab/fwreq.toml"),
        format!("[servicenow]\ninstance = \"{}\"\n", fake.url),
    )
    .unwrap();
    fs::write(dir.path().join("requests/lab/b.toml"), DRAFT).unwrap();
    let (code, _, err) = with_basic(
        dir.path(),
        &["submit", "requests/a.toml", "requests/lab/b.toml"],
    );
    assert_eq!(code, 2, "{err}");
    common::assert_contains(&err, "[servicenow] has no catalog-item");
    assert_eq!(fake.received().len(), 0, "nothing was sent");
    assert_eq!(spec(dir.path()), DRAFT);
}

// ---------------------------------------------------------------------------
// Instances as they really answer (ServiceNow's docs and KB articles, cited
// at each test; FACTS.md "ServiceNow as instances really answer").

/// Another team's open RITM of the same catalog item.
fn someone_elses() -> Row {
    Row {
        correlation: String::new(),
        ..row(7, "1", "requested")
    }
}

/// An item without the correlation variable, on both kinds of instance:
/// the Table API ignores an invalid query condition by default
/// (`glide.invalid_query.returns_no_rows` false: the lookup would match
/// another team's RITM), or returns no rows (every run would order again).
/// Refused before the lookup, naming the variable to add.
#[test]
fn an_item_without_the_correlation_variable_is_refused_before_anything_is_ordered() {
    for no_rows in [false, true] {
        let (fake, instance) = shared(Instance {
            rows: vec![someone_elses()],
            no_variable: true,
            invalid_query_no_rows: no_rows,
            ..Instance::default()
        });
        let (dir, err) = submit_refused(&fake);
        assert_eq!(
            err,
            format!(
                "fwreq: error: the catalog item {ITEM} on {} has no variable `fwreq_correlation_id`: fwreq files each request's correlation id in it and finds the ticket again by it, so nothing was ordered; add a single-line text variable named fwreq_correlation_id to the item (or name another in correlation-variable in [servicenow])\n",
                fake.url
            ),
            "returns_no_rows: {no_rows}"
        );
        assert_eq!(fake.lines(), vec![item_line()]);
        assert_eq!(spec(dir.path()), DRAFT);
        assert_eq!(instance.lock().unwrap().rows.len(), 1, "nothing ordered");
    }
}

/// A lookup answered with a row that is not of the item or does not carry
/// the id (the instance read less of the query than was sent) is refused:
/// nothing recorded, nothing ordered.
#[test]
fn a_lookup_answered_with_another_ticket_is_refused() {
    let fake = Fake::instance(
        Instance {
            rows: vec![someone_elses()],
            ..Instance::default()
        },
        |r, _| {
            (r.target.contains("variables.fwreq_correlation_id%3D"))
                .then(|| Reply::Json(200, json!({"result": [someone_elses().json(true)]})))
        },
    );
    let (dir, err) = submit_refused(&fake);
    assert_eq!(
        err,
        format!(
            "fwreq: error: GET /api/now/table/sc_req_item: asked for the open items of {ITEM} whose fwreq_correlation_id is fwreq:requests/a.toml, the instance answered RITM0010007 (catalog item {ITEM}, fwreq_correlation_id ``): it ignored part of the query; nothing was recorded or ordered\n"
        )
    );
    assert_eq!(fake.lines(), vec![item_line(), lookup_line()]);
    assert_eq!(spec(dir.path()), DRAFT);
}

/// `requests/a b.toml` and `requests/a_b.toml` are two requests: two ids,
/// two tickets (the catalog item's variables read once for both).
#[test]
fn two_paths_never_share_a_correlation_id() {
    let (fake, instance) = shared(Instance::default());
    let dir = repo(&fake.url, DRAFT);
    fs::write(dir.path().join("requests/a b.toml"), DRAFT).unwrap();
    fs::write(dir.path().join("requests/a_b.toml"), DRAFT).unwrap();
    let (code, out, err) = with_basic(
        dir.path(),
        &["submit", "requests/a b.toml", "requests/a_b.toml"],
    );
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        format!(
            "requests/a b.toml: submitted REQ0020001 RITM0010001 {url}/sc_req_item.do?sys_id=ritmsys0001\nrequests/a_b.toml: submitted REQ0020002 RITM0010002 {url}/sc_req_item.do?sys_id=ritmsys0002\n",
            url = fake.url
        )
    );
    let ids: Vec<String> = instance
        .lock()
        .unwrap()
        .rows
        .iter()
        .map(|r| r.correlation.clone())
        .collect();
    assert_eq!(
        ids,
        ["fwreq:requests/a%20b.toml", "fwreq:requests/a_b.toml"]
    );
    assert_eq!(
        fake.lines(),
        vec![
            item_line(),
            lookup_of("fwreq:requests/a%20b.toml"),
            order_line(),
            lookup_of("fwreq:requests/a%20b.toml"),
            lookup_of("fwreq:requests/a_b.toml"),
            order_line(),
            lookup_of("fwreq:requests/a_b.toml"),
        ]
    );
}

/// `sync` and `--post` check that the record answered is the RITM asked:
/// a foreign item's state is never applied, nor a work note sent to it.
#[test]
fn a_reply_about_another_ritm_is_never_applied() {
    let foreign = |r: &Received, _| {
        (r.method == "GET" && r.target.contains("numberIN"))
            .then(|| Reply::Json(200, json!({"result": [row(2, "3", "approved").json(true)]})))
    };
    let fake = Fake::instance(
        Instance {
            rows: vec![row(1, "2", "approved"), row(2, "3", "approved")],
            ..Instance::default()
        },
        foreign,
    );
    let dir = repo(&fake.url, &filed("RITM0010001", "approved"));
    let (code, out, err) = with_basic(dir.path(), &["sync"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            2,
            "",
            "fwreq: error: requests/a.toml: GET /api/now/table/sc_req_item: asked for RITM0010001, the instance answered RITM0010002; nothing was applied\nread 0 RITMs: 0 requests with a new status\nfwreq: error: 1 request could not be synced\n"
        )
    );
    assert_eq!(spec(dir.path()), filed("RITM0010001", "approved"));
    let (code, _, err) = with_basic(dir.path(), POST_REMOVAL);
    assert_eq!(
        (code, err.as_str()),
        (
            2,
            "fwreq: error: GET /api/now/table/sc_req_item: asked for RITM0010001, the instance answered RITM0010002; nothing was applied\n"
        )
    );
    assert!(
        fake.lines().iter().all(|l| !l.starts_with("PATCH")),
        "no work note sent: {:?}",
        fake.lines()
    );
}

/// A PATCH answered 200 that did not write the work note (a business rule
/// dropped it) is not reported as added: the answer's journal
/// (`sysparm_display_value=true`) must hold the note.
#[test]
fn a_work_note_the_instance_did_not_keep_is_not_reported_as_added() {
    let fake = Fake::instance(
        Instance {
            rows: vec![row(1, "2", "approved")],
            drops_notes: true,
            ..Instance::default()
        },
        |_, _| None,
    );
    let dir = repo(&fake.url, &filed("RITM0010001", "approved"));
    let (code, _, err) = with_basic(dir.path(), POST_REMOVAL);
    assert_eq!(
        (code, err.as_str()),
        (
            2,
            "fwreq: error: PATCH /api/now/table/sc_req_item/ritmsys0001: the instance answered 200, but RITM0010001's work notes do not hold the note: it was not added (a business rule or ACL may keep this account from writing work notes)\n"
        )
    );
    assert_eq!(fake.lines(), note_lines());
}

/// `count` filed requests `requests/NNNN.toml` and an instance holding
/// each one's RITM (`first` answering before it).
fn many_filed(
    count: u32,
    latency: Duration,
    mut first: impl FnMut(&Received, usize) -> Option<Reply> + Send + 'static,
) -> (Fake, tempfile::TempDir) {
    let rows: Vec<Row> = (1..=count)
        .map(|n| Row {
            number: format!("RITM{:07}", 10_000 + n),
            sys_id: format!("ritmsys{n:04}"),
            request_number: format!("REQ{:07}", 20_000 + n),
            ..row(
                n,
                if n % 2 == 0 { "2" } else { "1" },
                if n % 2 == 0 { "approved" } else { "requested" },
            )
        })
        .collect();
    let mut instance = Instance {
        rows,
        ..Instance::default()
    };
    let fake = Fake::slow(latency, move |r, n| {
        first(r, n).unwrap_or_else(|| instance.answer(r))
    });
    let dir = repo(&fake.url, DRAFT);
    fs::remove_file(dir.path().join("requests/a.toml")).unwrap();
    for n in 1..=count {
        fs::write(
            dir.path().join(format!("requests/{n:04}.toml")),
            filed(&format!("RITM{:07}", 10_000 + n), "submitted"),
        )
        .unwrap();
    }
    (fake, dir)
}

/// Sync reads RITMs `numberIN` a hundred at a time (the Table API's list
/// operator in an encoded query; `sysparm_limit` as large): a thousand
/// requests are ten calls, never one per RITM; a call answered 429 (the
/// documented rate limit, with `Retry-After`) is asked again after the wait.
#[test]
fn sync_of_a_thousand_requests_makes_ten_calls_and_waits_out_a_rate_limit() {
    let (fake, dir) = many_filed(1000, Duration::ZERO, |_, n| {
        (n == 0).then(|| {
            Reply::Raw(
                429,
                vec![("Retry-After", "1".to_string())],
                "application/json",
                failure("Too many requests", "").to_string(),
            )
        })
    });
    let (code, out, err) = with_basic(dir.path(), &["sync", "--dry-run"]);
    assert_eq!(
        (code, err.as_str()),
        (0, "read 1000 RITMs: 500 requests with a new status\n")
    );
    assert_eq!(out.lines().count(), 501);
    let mut lines = fake.lines();
    assert!(lines.len() <= 12, "{} calls", lines.len());
    let limited = lines.remove(0);
    assert!(lines.contains(&limited), "the limited call asked again");
    lines.sort();
    let mut want: Vec<String> = (0..10)
        .map(|batch| {
            let numbers: Vec<String> = (1..=100)
                .map(|i| format!("RITM{:07}", 10_000 + batch * 100 + i))
                .collect();
            numbers_line(&numbers.iter().map(String::as_str).collect::<Vec<_>>())
        })
        .collect();
    want.sort();
    assert_eq!(lines, want);
}

/// The benchmark of the issue (not a timed test): `sync` of 1,000 requests
/// against an instance that takes 200 ms per answer. Prints its calls and
/// seconds; run with
/// `cargo test --test integration sync_benchmark -- --ignored --nocapture`.
#[test]
#[ignore = "a benchmark: prints calls and seconds"]
fn sync_benchmark_a_thousand_requests_at_200ms() {
    let (fake, dir) = many_filed(1000, Duration::from_millis(200), |_, _| None);
    let started = std::time::Instant::now();
    let (code, _, err) = with_basic(dir.path(), &["sync", "--dry-run"]);
    let took = started.elapsed();
    assert_eq!(code, 0, "{err}");
    println!(
        "sync of 1000 requests, 200 ms per answer: {} calls, {:.2} s",
        fake.received().len(),
        took.as_secs_f64()
    );
}

/// A sys_id is the server's text: one holding ESC and an OSC 52 clipboard
/// write reaches the user's terminal only percent-encoded, in the item's
/// URL (issue 32).
#[test]
fn a_sys_id_with_terminal_escapes_is_printed_encoded() {
    let hostile = "ritmsys0001\u{1b}]52;c;ZXZpbA==\u{7}";
    let fake = Fake::instance(
        Instance {
            rows: vec![Row {
                sys_id: hostile.to_string(),
                ..row(1, "2", "approved")
            }],
            ..Instance::default()
        },
        |_, _| None,
    );
    let spec_text = filed_at(&fake);
    let dir = repo(&fake.url, &spec_text);
    let (code, _, err) = with_basic(dir.path(), &["probe", "requests/a.toml", "--post"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.starts_with(&format!(
            "added the evidence to RITM0010001's work notes ({}/sc_req_item.do?sys_id=ritmsys0001%1B%5D52%3Bc%3BZXZpbA%3D%3D%07)\n",
            fake.url
        )),
        "{err:?}"
    );
}
