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
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};

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
    correlation: String,
    state: String,
    approval: String,
}

impl Row {
    fn json(&self) -> Value {
        json!({
            "number": self.number, "sys_id": self.sys_id, "request": self.request_id,
            "request.number": self.request_number, "state": self.state, "stage": "request_approved",
            "approval": self.approval, "closed_at": ""
        })
    }
}

/// The instance's records and how it behaves.
#[derive(Default)]
struct Instance {
    rows: Vec<Row>,
    two_step: bool,
    /// The cart's variables on two-step checkout.
    cart: Option<Value>,
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
        match (r.method.as_str(), path) {
            ("POST", "/oauth_token.do") => Reply::Json(
                200,
                json!({"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 1800}),
            ),
            ("GET", "/api/now/table/sc_req_item") => {
                let rows: Vec<Value> = self
                    .rows
                    .iter()
                    .filter(|row| {
                        query.split('^').all(|term| match term.split_once('=') {
                            Some(("cat_item", item)) => item == ITEM,
                            Some(("active", _)) => true,
                            Some(("variables.fwreq_correlation_id", id)) => id == row.correlation,
                            Some(("request", id)) => id == row.request_id,
                            Some(("number", n)) => n == row.number,
                            _ => false,
                        })
                    })
                    .map(Row::json)
                    .collect();
                Reply::Json(200, json!({ "result": rows }))
            }
            ("POST", p) if p.ends_with("/order_now") => {
                if p != format!("/api/sn_sc/servicecatalog/items/{ITEM}/order_now") {
                    return Reply::Json(
                        404,
                        json!({"error": {"message": "No Record found", "detail": "Record doesn't exist or ACL restricts the record retrieval"}, "status": "failure"}),
                    );
                }
                if self.two_step {
                    self.cart = Some(r.json()["variables"].clone());
                    return Reply::Json(
                        200,
                        json!({"result": {"cart_id": "cart0001", "subtotal": "$0.00"}}),
                    );
                }
                Reply::Json(200, json!({ "result": self.order(&r.json()["variables"]) }))
            }
            ("POST", "/api/sn_sc/servicecatalog/cart/submit_order") => {
                let variables = self.cart.take().unwrap();
                Reply::Json(200, json!({ "result": self.order(&variables) }))
            }
            ("PATCH", p) if p.starts_with("/api/now/table/sc_req_item/") => {
                Reply::Json(200, json!({"result": {"sys_id": p.rsplit('/').next()}}))
            }
            _ => Reply::Json(
                400,
                json!({"error": {"message": "unexpected", "detail": target}, "status": "failure"}),
            ),
        }
    }

    /// A new REQ with one RITM.
    fn order(&mut self, variables: &Value) -> Value {
        let n = self.rows.len() + 1;
        let row = Row {
            number: format!("RITM00100{n:02}"),
            sys_id: format!("ritmsys{n:04}"),
            request_id: format!("reqsys{n:04}"),
            request_number: format!("REQ00200{n:02}"),
            correlation: variables["fwreq_correlation_id"]
                .as_str()
                .unwrap()
                .to_string(),
            state: "1".to_string(),
            approval: "requested".to_string(),
        };
        self.rows.push(row.clone());
        json!({
            "sys_id": row.request_id, "number": row.request_number, "request_number": row.request_number,
            "request_id": row.request_id, "table": "sc_request"
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
                std::thread::spawn(move || serve(stream, &log, &route));
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

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    fn lines(&self) -> Vec<String> {
        self.received().iter().map(Received::line).collect()
    }
}

type Route = Mutex<dyn FnMut(&Received, usize) -> Reply + Send>;

fn serve(stream: TcpStream, log: &Mutex<Vec<Received>>, route: &Route) {
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
    dir
}

/// Environment variables for a run.
type Env<'a> = Vec<(&'a str, &'a str)>;

/// The credential variables of one kind.
fn basic() -> Vec<(&'static str, &'static str)> {
    vec![("SN_USER", "fwreq-bot"), ("SN_PASSWORD", "pw-SECRET-1")]
}

/// Runs fwreq in `dir` with `env` as its only ServiceNow settings; fails the
/// test if any output shows a secret (every run of this file goes through here).
fn sn(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let mut command = assert_cmd::cargo::cargo_bin_cmd!("fwreq");
    command.current_dir(dir).args(args).env("NO_COLOR", "1");
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

const FIELDS: &str = "sysparm_fields=number,sys_id,request,request.number,state,stage,approval,closed_at&sysparm_exclude_reference_link=true";

fn lookup_line() -> String {
    format!(
        "GET /api/now/table/sc_req_item?sysparm_query=cat_item={ITEM}^active=true^variables.fwreq_correlation_id=fwreq:requests/a.toml&{FIELDS}&sysparm_limit=1"
    )
}

fn order_line() -> String {
    format!("POST /api/sn_sc/servicecatalog/items/{ITEM}/order_now")
}

fn items_line(request_id: &str) -> String {
    format!("GET /api/now/table/sc_req_item?sysparm_query=request={request_id}&{FIELDS}")
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
    let (code, out, err) = sn(dir.path(), &basic(), &["submit", "requests/a.toml"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        format!(
            "requests/a.toml: submitted REQ0020001 RITM0010001 {}/sc_req_item.do?sys_id=ritmsys0001\n",
            fake.url
        )
    );
    assert_eq!(
        fake.lines(),
        vec![lookup_line(), order_line(), items_line("reqsys0001")]
    );
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
    assert_eq!(received[1].header("content-type"), Some("application/json"));
    assert_eq!(
        received[1].json(),
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
    let (code, _, err) = sn(dir.path(), &basic(), &["submit", "requests/a.toml"]);
    assert_eq!(
        (code, err.as_str()),
        (
            2,
            "fwreq: error: requests/a.toml has ritm = RITM0010001 already: it was submitted; nothing was sent\n"
        )
    );
    assert_eq!(fake.received().len(), 3);
}

#[test]
fn two_step_checkout_submits_the_cart() {
    let fake = Fake::instance(
        Instance {
            two_step: true,
            ..Instance::default()
        },
        |_, _| None,
    );
    let dir = repo(&fake.url, DRAFT);
    let (code, out, _) = sn(dir.path(), &basic(), &["submit", "requests/a.toml"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("requests/a.toml: submitted REQ0020001 RITM0010001 "),
        "{out}"
    );
    assert_eq!(
        fake.lines(),
        vec![
            lookup_line(),
            order_line(),
            "POST /api/sn_sc/servicecatalog/cart/submit_order".to_string(),
            items_line("reqsys0001"),
        ]
    );
    assert_eq!(fake.received()[2].body, "");
    assert_eq!(
        without_time(&spec(dir.path())),
        recorded("REQ0020001", "RITM0010001")
    );
}

#[test]
fn a_retry_after_a_lost_answer_records_the_ticket_instead_of_ordering_again() {
    // The order goes through, but the connection drops before the answer.
    let instance = Arc::new(Mutex::new(Instance::default()));
    let shared = instance.clone();
    let fake = Fake::start(move |r, _| {
        let mut instance = shared.lock().unwrap();
        let reply = instance.answer(r);
        if r.method == "POST" && instance.rows.len() == 1 && r.target.ends_with("/order_now") {
            Reply::Drop
        } else {
            reply
        }
    });
    let dir = repo(&fake.url, DRAFT);
    let (code, out, err) = sn(dir.path(), &basic(), &["submit", "requests/a.toml"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err,
        format!(
            "fwreq: error: POST /api/sn_sc/servicecatalog/items/{ITEM}/order_now: Peer disconnected (talking to {}); the order may have gone through: run the same command again, it finds the ticket by its correlation id and orders nothing twice\n",
            fake.url
        )
    );
    assert_eq!(spec(dir.path()), DRAFT, "nothing written");
    let (code, out, err) = sn(dir.path(), &basic(), &["submit", "requests/a.toml"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        format!(
            "requests/a.toml: found (filed before; nothing ordered) REQ0020001 RITM0010001 {}/sc_req_item.do?sys_id=ritmsys0001\n",
            fake.url
        )
    );
    assert_eq!(
        fake.lines(),
        vec![lookup_line(), order_line(), lookup_line()]
    );
    assert_eq!(
        without_time(&spec(dir.path())),
        recorded("REQ0020001", "RITM0010001")
    );
    assert_eq!(instance.lock().unwrap().rows.len(), 1, "one ticket");
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
        let (code, _, err) = sn(dir.path(), &basic(), &["submit", "requests/a.toml"]);
        assert_eq!((code, err.as_str()), (want, said));
        assert_eq!(spec(dir.path()), text);
    }
    // A warning is an error under --deny warnings: nothing is sent.
    let dir = repo(&fake.url, &DRAFT.replace("[443]", "[80]"));
    let (code, _, err) = sn(
        dir.path(),
        &basic(),
        &["submit", "requests/a.toml", "--deny", "warnings"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("error[cleartext-port]"), "{err}");
    assert!(
        err.ends_with("fwreq: nothing was submitted: fix the errors above first\n"),
        "{err}"
    );
    // So is the one lint named.
    let (code, _, err) = sn(
        dir.path(),
        &basic(),
        &["submit", "requests/a.toml", "--deny", "cleartext-port"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("error[cleartext-port]"), "{err}");
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
        assert_eq!(received.len(), 3, "one token for the whole run");
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

#[test]
fn sn_instance_overrides_the_team_files_instance() {
    let fake = Fake::instance(Instance::default(), |_, _| None);
    let dir = repo("https://acme.service-now.com", DRAFT);
    let mut env = basic();
    env.push(("SN_INSTANCE", &fake.url));
    let (code, out, _) = sn(dir.path(), &env, &["submit", "requests/a.toml"]);
    assert_eq!(code, 0);
    assert!(
        out.ends_with(&format!(
            " {}/sc_req_item.do?sys_id=ritmsys0001\n",
            fake.url
        )),
        "{out}"
    );
    assert_eq!(fake.received().len(), 3);
}

/// The instance's error JSON.
fn failure(message: &str, detail: &str) -> Value {
    json!({"error": {"message": message, "detail": detail}, "status": "failure"})
}

#[test]
fn every_failure_of_the_instance_is_a_clear_error_and_writes_nothing() {
    let login = "<html><head><title>Sign in</title></head><body><form action=\"/login.do\"></form></body></html>";
    type Override = Box<dyn FnMut(&Received, usize) -> Option<Reply> + Send>;
    let lookup = lookup_line();
    let cases: Vec<(&str, Env, Override, String, Vec<String>)> = vec![
        (
            "401",
            basic(),
            Box::new(|_, _| Some(Reply::Json(401, failure("User Not Authenticated", "Required to provide Auth information")))),
            "GET /api/now/table/sc_req_item: the instance refused basic authentication (SN_USER, SN_PASSWORD) (HTTP 401 Unauthorized); check the credentials and the account's roles".to_string(),
            vec![lookup.clone()],
        ),
        (
            "403",
            vec![("SN_TOKEN", "tok-SECRET-2")],
            Box::new(|_, _| Some(Reply::Json(403, failure("User Not Authorized", "")))),
            "GET /api/now/table/sc_req_item: the instance refused a bearer token (SN_TOKEN) (HTTP 403 Forbidden); check the credentials and the account's roles".to_string(),
            vec![lookup.clone()],
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
            format!("POST /api/sn_sc/servicecatalog/items/{ITEM}/order_now: HTTP 400: Mandatory variable is missing (u_owner)"),
            vec![lookup.clone(), order_line()],
        ),
        (
            "a login page answered 200",
            basic(),
            Box::new(move |_, _| Some(Reply::Raw(200, vec![], "text/html", login.to_string()))),
            "GET /api/now/table/sc_req_item: the instance answered with an HTML page, not JSON (a single sign-on login page in front of the API?); ask for an account or token that reaches the REST API directly".to_string(),
            vec![lookup.clone()],
        ),
        (
            "malformed JSON",
            basic(),
            Box::new(|_, _| Some(Reply::Raw(200, vec![], "application/json", "{\"result\": [".to_string()))),
            "GET /api/now/table/sc_req_item: the answer is not JSON: {\"result\": [".to_string(),
            vec![lookup.clone()],
        ),
        (
            "500 on the order (a write is never retried)",
            basic(),
            Box::new(|r, _| (r.method == "POST").then(|| Reply::Json(500, failure("Internal error", "")))),
            format!("POST /api/sn_sc/servicecatalog/items/{ITEM}/order_now: HTTP 500: Internal error"),
            vec![lookup.clone(), order_line()],
        ),
        (
            "an order answer with neither a request nor a cart (nothing more is ordered)",
            basic(),
            Box::new(|r, _| (r.method == "POST").then(|| Reply::Json(200, json!({"result": {"subtotal": "$0.00"}})))),
            format!("POST /api/sn_sc/servicecatalog/items/{ITEM}/order_now: the order's answer has no request_number"),
            vec![lookup.clone(), order_line()],
        ),
        (
            "429 too long to wait",
            basic(),
            Box::new(|_, _| Some(Reply::Raw(429, vec![("Retry-After", "3600".to_string())], "application/json", failure("Too many requests", "").to_string()))),
            "GET /api/now/table/sc_req_item: HTTP 429: rate limited; the instance asks to wait 3600 s: try again later".to_string(),
            vec![lookup.clone()],
        ),
        (
            "503 too long to wait (unavailable, not rate limited)",
            basic(),
            Box::new(|_, _| Some(Reply::Raw(503, vec![("Retry-After", "3600".to_string())], "application/json", failure("Unavailable", "").to_string()))),
            "GET /api/now/table/sc_req_item: HTTP 503: the instance asks to wait 3600 s: try again later".to_string(),
            vec![lookup.clone()],
        ),
    ];
    for (what, env, first, said, lines) in cases {
        let fake = Fake::instance(Instance::default(), first);
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
    let (code, _, err) = sn(dir.path(), &basic(), &["submit", "requests/a.toml"]);
    assert_eq!(
        (code, err),
        (
            2,
            format!(
                "fwreq: error: POST /api/sn_sc/servicecatalog/items/{other}/order_now: the catalog item {other} does not exist on {} (check catalog-item in [servicenow]) (HTTP 404)\n",
                fake.url
            )
        )
    );
}

#[test]
fn rate_limits_are_waited_out_and_failed_reads_retried() {
    // 429 on the order, with Retry-After: the same order once more after it.
    let fake = Fake::instance(Instance::default(), |r, n| {
        (r.method == "POST" && n == 1).then(|| {
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
    let (code, _, err) = sn(dir.path(), &basic(), &["submit", "requests/a.toml"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    assert_eq!(
        fake.lines(),
        vec![
            lookup_line(),
            order_line(),
            order_line(),
            items_line("reqsys0001")
        ]
    );
    assert_eq!(fake.received()[1].body, fake.received()[2].body);
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
    let dir = repo(&fake.url, DRAFT);
    let (code, _, err) = sn(dir.path(), &basic(), &["submit", "requests/a.toml"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        fake.lines(),
        vec![
            lookup_line(),
            lookup_line(),
            order_line(),
            items_line("reqsys0001")
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
    let dir = repo(&fake.url, DRAFT);
    let (code, _, _) = sn(dir.path(), &basic(), &["submit", "requests/a.toml"]);
    assert_eq!(code, 2);
    assert_eq!(fake.lines(), vec![lookup_line(); 3]);
}

#[test]
fn a_timeout_is_an_error_naming_the_option() {
    let fake = Fake::start(|_, _| {
        std::thread::sleep(std::time::Duration::from_secs(3));
        Reply::Json(200, json!({"result": []}))
    });
    let dir = repo(&fake.url, DRAFT);
    let (code, _, err) = sn(
        dir.path(),
        &basic(),
        &["submit", "requests/a.toml", "--timeout", "500ms"],
    );
    assert_eq!(
        (code, err),
        (
            2,
            format!(
                "fwreq: error: GET /api/now/table/sc_req_item: no answer from {} in time (--timeout)\n",
                fake.url
            )
        )
    );
}

#[test]
fn a_dry_run_shows_each_call_with_credentials_redacted_and_sends_nothing() {
    let fake = Fake::instance(Instance::default(), |_, _| None);
    let dir = repo(&fake.url, DRAFT);
    let (code, out, err) = sn(
        dir.path(),
        &basic(),
        &["submit", "requests/a.toml", "--dry-run"],
    );
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(fake.received(), vec![]);
    assert_eq!(spec(dir.path()), DRAFT);
    let url = &fake.url;
    let head = format!(
        "# requests/a.toml: the calls submit would make (--dry-run: nothing is sent)\n\n# 1. Is it filed already? An open item with this correlation id is recorded instead of ordering again.\nGET {url}/api/now/table/sc_req_item?sysparm_query=cat_item%3D{ITEM}%5Eactive%3Dtrue%5Evariables.fwreq_correlation_id%3Dfwreq%3Arequests%2Fa.toml&sysparm_fields=number%2Csys_id%2Crequest%2Crequest.number%2Cstate%2Cstage%2Capproval%2Cclosed_at&sysparm_exclude_reference_link=true&sysparm_limit=1\nAccept: application/json\nAuthorization: Basic <redacted>\n\n# 2. Order the catalog item.\nPOST {url}/api/sn_sc/servicecatalog/items/{ITEM}/order_now\nAccept: application/json\nAuthorization: Basic <redacted>\nContent-Type: application/json\n\n{{\n  \"sysparm_quantity\": 1,\n  \"variables\": {{\n    \"business_justification\": \"Pulls.\",\n"
    );
    assert!(out.starts_with(&head), "{out}");
    let tail = format!(
        "    \"fwreq_correlation_id\": \"fwreq:requests/a.toml\",\n    \"short_description\": \"Registry access\"\n  }}\n}}\n\n# 3. On two-step checkout (an answer with only a cart_id): POST {url}/api/sn_sc/servicecatalog/cart/submit_order\n# 4. The RITM: GET {url}/api/now/table/sc_req_item?sysparm_query=request%3D<request_id>&...\n# 5. Written into requests/a.toml: req, ritm, submitted, status = \"submitted\"\n"
    );
    assert!(out.ends_with(&tail), "{out}");
    // Without credentials, a dry run still shows what would be sent.
    let (code, out, _) = sn(dir.path(), &[], &["submit", "requests/a.toml", "--dry-run"]);
    assert_eq!(code, 0);
    assert!(out.contains("\n(no credentials: set SN_USER and SN_PASSWORD (basic), SN_TOKEN (bearer), SN_CLIENT_ID and SN_CLIENT_SECRET (OAuth client credentials) or SN_API_KEY)\n"), "{out}");
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
        correlation: format!("fwreq:requests/{n}.toml"),
        state: state.to_string(),
        approval: approval.to_string(),
    }
}

fn ritm_line(ritm: &str) -> String {
    format!("GET /api/now/table/sc_req_item?sysparm_query=number={ritm}&{FIELDS}&sysparm_limit=1")
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
    let (code, out, err) = sn(dir.path(), &basic(), &["sync", "--dry-run"]);
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
    let (code, out, err) = sn(dir.path(), &basic(), &["sync", "requests"]);
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
    let lines: Vec<String> = ["RITM0010001", "RITM0010002", "RITM0010003", "RITM0010004"]
        .iter()
        .map(|r| ritm_line(r))
        .collect();
    assert_eq!(
        fake.lines(),
        [lines.clone(), lines].concat(),
        "e.toml has no RITM: never asked"
    );
    // In step now: nothing to change.
    let (code, out, err) = sn(
        dir.path(),
        &basic(),
        &["sync", "requests/a.toml", "requests/b.toml"],
    );
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "", "read 2 RITMs: 0 requests with a new status\n")
    );
}

#[test]
fn sync_follows_the_teams_status_table_and_reports_a_missing_ritm() {
    let fake = Fake::instance(
        Instance {
            rows: vec![row(1, "1", "requested")],
            ..Instance::default()
        },
        |_, _| None,
    );
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
    let (code, out, err) = sn(dir.path(), &basic(), &["sync"]);
    assert_eq!(code, 2);
    assert_eq!(
        out,
        "PATH             RITM         STATUS\nrequests/a.toml  RITM0010001  submitted -> approved\n"
    );
    assert_eq!(
        err,
        format!(
            "fwreq: error: requests/b.toml: GET /api/now/table/sc_req_item: RITM0010009 does not exist on {} (HTTP 404)\nread 1 RITM: 1 request with a new status\nfwreq: error: 1 request could not be synced\n",
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
    let (code, _, err) = sn(dir.path(), &basic(), &["sync"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("\nrequests/c.toml:9:10: error: port 70000 is out of range\n"),
        "{err}"
    );
    assert!(
        err.ends_with("read 1 RITM: 1 request with a new status\nfwreq: error: 2 requests could not be synced\n"),
        "{err}"
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
    let (code, out, err) = sn(dir.path(), &basic(), &["sync"]);
    assert_eq!(code, 2);
    assert!(
        out.starts_with("PATH             RITM         STATUS\nrequests/a.toml  RITM0010001  submitted -> approved  not written: "),
        "{out}{err}"
    );
    assert!(out.contains("has 2 hard links"), "{out}");
    assert!(
        err.ends_with("read 1 RITM: 1 request with a new status\nfwreq: error: 2 requests could not be synced\n"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("requests/a.toml")).unwrap(),
        filed("RITM0010001", "submitted")
    );
}

#[test]
fn probe_post_adds_the_evidence_to_the_ritm_as_a_work_note() {
    let fake = Fake::instance(
        Instance {
            rows: vec![row(1, "2", "approved")],
            ..Instance::default()
        },
        |_, _| None,
    );
    let port = fake.url.rsplit(':').next().unwrap().to_string();
    let spec_text = filed("RITM0010001", "approved")
        .replace("[443]", &format!("[{port}]"))
        .replace("registry.example.com", "127.0.0.1");
    let dir = repo(&fake.url, &spec_text);
    let (code, out, err) = sn(
        dir.path(),
        &basic(),
        &[
            "probe",
            "requests/a.toml",
            "--post",
            "--format",
            "servicenow",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.starts_with(&format!("added the evidence to RITM0010001's work notes ({}/sc_req_item.do?sys_id=ritmsys0001)\n", fake.url)),
        "{err}"
    );
    let received = fake.received();
    let calls: Vec<String> = received.iter().map(Received::line).collect();
    assert_eq!(
        calls,
        vec![
            ritm_line("RITM0010001"),
            "PATCH /api/now/table/sc_req_item/ritmsys0001".to_string()
        ]
    );
    let notes = received[1].json()["work_notes"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        notes,
        out.trim_end(),
        "the note is the [code] evidence printed"
    );
    assert!(
        notes.starts_with("[code]") && notes.ends_with("[/code]") && notes.contains("127.0.0.1"),
        "{notes}"
    );
    // Without a RITM, --post is refused before anything is probed or sent.
    let dir = repo(
        &fake.url,
        &spec_text.replace("ritm = \"RITM0010001\"\n", ""),
    );
    let (code, out, err) = sn(
        dir.path(),
        &basic(),
        &["probe", "requests/a.toml", "--post"],
    );
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

#[test]
fn render_since_post_adds_the_change_ticket_as_a_work_note() {
    let fake = Fake::instance(
        Instance {
            rows: vec![row(1, "2", "approved")],
            ..Instance::default()
        },
        |_, _| None,
    );
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
    let (code, out, err) = sn(
        dir.path(),
        &basic(),
        &["render", "requests/a.toml", "--since", "HEAD", "--post"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("8443"), "{out}");
    assert_eq!(
        err,
        format!(
            "added the change ticket to RITM0010001's work notes ({}/sc_req_item.do?sys_id=ritmsys0001)\n",
            fake.url
        )
    );
    let received = fake.received();
    assert_eq!(
        received.iter().map(Received::line).collect::<Vec<_>>(),
        vec![
            ritm_line("RITM0010001"),
            "PATCH /api/now/table/sc_req_item/ritmsys0001".to_string()
        ]
    );
    assert_eq!(
        received[1].json(),
        json!({ "work_notes": ticket.trim_end() })
    );
}

#[test]
fn the_readmes_dry_run_is_what_submit_prints_for_the_example() {
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
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
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
                "fwreq: error: GET /api/now/table/sc_req_item: could not connect to {instance}: connection refused\n"
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
    let (code, _, err) = sn(dir.path(), &basic(), &["submit", "requests/a.toml"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        fake.received()[1].json()["variables"],
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
fn the_readmes_servicenow_table_is_a_valid_team_file() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
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
    let (code, out, err) = sn(dir.path(), &basic(), &["sync", "requests"]);
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
    let (code, _, err) = sn(
        dir.path(),
        &basic(),
        &["submit", "requests/a.toml", "requests/lab/b.toml"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("[servicenow] has no catalog-item"), "{err}");
    assert_eq!(fake.received().len(), 0, "nothing was sent");
    assert_eq!(spec(dir.path()), DRAFT);
}
