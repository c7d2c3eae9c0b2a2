//! The ServiceNow client stage: takes a ticket's variables and the team's
//! settings, sends the documented REST calls (catalog order, Table API,
//! OAuth token) and returns numbers and states. It knows nothing of the CLI:
//! commands wire it, print what it returns, and write results back.
//!
//! Credentials come from the environment only ([`Auth::from_env`]) and are
//! never part of an error, a `Debug` or a shown request ([`Client::show`]).

pub(crate) mod config;

use crate::request::{Req, Ritm};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

/// The fields read from a RITM: enough to record it and to map its status.
const RITM_FIELDS: &str =
    "number,sys_id,request,request.number,cat_item,state,stage,approval,closed_at";

/// How many times a call is tried in all (429 for any call; 5xx for reads).
const ATTEMPTS: u32 = 3;

/// The longest wait a `Retry-After` gets; a longer one is an error instead.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Which kind of credential a call carries (named in errors, never its value).
pub enum Auth {
    /// `SN_USER` + `SN_PASSWORD`.
    Basic { user: String, password: String },
    /// `SN_TOKEN`.
    Bearer(String),
    /// `SN_CLIENT_ID` + `SN_CLIENT_SECRET`, exchanged at `/oauth_token.do`.
    OAuth { id: String, secret: String },
    /// `SN_API_KEY`, in `x-sn-apikey`.
    ApiKey(String),
    /// None set: only a dry run goes on without credentials.
    None,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.kind())
    }
}

/// What to set, for messages.
const CREDENTIAL_HELP: &str = "set SN_USER and SN_PASSWORD (basic), SN_TOKEN (bearer), SN_CLIENT_ID and SN_CLIENT_SECRET (OAuth client credentials) or SN_API_KEY";

impl Auth {
    /// The credentials in the environment. Several kinds set: the first of
    /// bearer token, OAuth client, API key, basic. Half a pair is an error.
    pub fn from_env() -> Result<Auth, Error> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let pair = |a: &str, b: &str| match (var(a), var(b)) {
            (Some(x), Some(y)) => Ok(Some((x, y))),
            (None, None) => Ok(None),
            (Some(_), None) => Err(Error::Credentials(format!("{a} is set but {b} is not"))),
            (None, Some(_)) => Err(Error::Credentials(format!("{b} is set but {a} is not"))),
        };
        let oauth = pair("SN_CLIENT_ID", "SN_CLIENT_SECRET")?;
        let basic = pair("SN_USER", "SN_PASSWORD")?;
        Ok(if let Some(token) = var("SN_TOKEN") {
            Auth::Bearer(token)
        } else if let Some((id, secret)) = oauth {
            Auth::OAuth { id, secret }
        } else if let Some(key) = var("SN_API_KEY") {
            Auth::ApiKey(key)
        } else if let Some((user, password)) = basic {
            Auth::Basic { user, password }
        } else {
            Auth::None
        })
    }

    /// The kind, as a person reads it in an error.
    pub fn kind(&self) -> &'static str {
        match self {
            Auth::Basic { .. } => "basic authentication (SN_USER, SN_PASSWORD)",
            Auth::Bearer(_) => "a bearer token (SN_TOKEN)",
            Auth::OAuth { .. } => "OAuth client credentials (SN_CLIENT_ID, SN_CLIENT_SECRET)",
            Auth::ApiKey(_) => "an API key (SN_API_KEY)",
            Auth::None => "no credentials",
        }
    }
}

/// Why a call failed. No variant holds a credential, and every text the
/// instance sent has had the run's secrets redacted ([`Client::redact`]).
#[derive(Debug)]
pub enum Error {
    /// The environment's credentials or instance are missing or malformed.
    Credentials(String),
    /// The connection failed or was dropped.
    Transport { call: String, message: String },
    /// No answer from `instance` within the client's timeout (the command
    /// says which of its flags sets it).
    TimedOut { call: String, instance: String },
    /// 401, or a 403 that gave no reason.
    Refused {
        call: String,
        status: u16,
        kind: &'static str,
    },
    /// 404 without the instance's words (a record that does not exist).
    NotFound { call: String, what: String },
    /// An answer with the instance's error JSON (or another failing status).
    Instance {
        call: String,
        status: u16,
        message: String,
    },
    /// A 200 answer that is an HTML page: single sign-on in front of the API.
    LoginPage { call: String },
    /// A developer instance asleep: an HTML page or a redirect saying so.
    Hibernating { call: String, instance: String },
    /// An answer that is not the JSON expected, or not about what was asked.
    Malformed { call: String, why: String },
    /// An order went through, but its REQ number (`raw`) is not one fwreq
    /// can record (`why`): the user records it by hand.
    Unrecordable {
        call: String,
        raw: String,
        why: String,
    },
    /// Something the instance lacks or does that fwreq will not work around
    /// (two-step checkout, a missing correlation variable, two items with one
    /// correlation id): nothing more is sent, and the message says what to do.
    Refusal(String),
    /// An order that went unanswered or failed midway, or whose item was not
    /// seen after it: it may still show up (the instance may be working on
    /// it). `advice` says what to do about it.
    Unanswered { error: Box<Error>, advice: String },
}

impl Error {
    /// Whether an order that failed this way may still have been filed: the
    /// answer was lost, or the instance failed while working on it.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Error::Transport { .. } | Error::TimedOut { .. } => true,
            Error::Instance { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// The same error with `f` applied to every text in it.
    fn map_text(self, f: impl Fn(String) -> String + Copy) -> Error {
        match self {
            Error::Credentials(why) => Error::Credentials(f(why)),
            Error::Transport { call, message } => Error::Transport {
                call,
                message: f(message),
            },
            Error::TimedOut { call, instance } => Error::TimedOut {
                call,
                instance: f(instance),
            },
            Error::NotFound { call, what } => Error::NotFound {
                call,
                what: f(what),
            },
            Error::Instance {
                call,
                status,
                message,
            } => Error::Instance {
                call,
                status,
                message: f(message),
            },
            Error::Malformed { call, why } => Error::Malformed { call, why: f(why) },
            Error::Refusal(why) => Error::Refusal(f(why)),
            Error::Unrecordable { call, raw, why } => Error::Unrecordable {
                call,
                raw: f(raw),
                why: f(why),
            },
            Error::Unanswered { error, advice } => Error::Unanswered {
                error: Box::new(error.map_text(f)),
                advice: f(advice),
            },
            other => other,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Error::Credentials(why) | Error::Refusal(why) => write!(f, "{why}"),
            Error::Transport { call, message } => write!(f, "{call}: {message}"),
            Error::TimedOut { call, instance } => {
                write!(f, "{call}: no answer from {instance} in time")
            }
            Error::Refused { call, status, kind } => write!(
                f,
                "{call}: the instance refused {kind} (HTTP {status}{}); check the credentials and the account's roles",
                match status {
                    400 => " Bad Request",
                    401 => " Unauthorized",
                    _ => " Forbidden",
                }
            ),
            Error::NotFound { call, what } => write!(f, "{call}: {what} (HTTP 404)"),
            Error::Instance {
                call,
                status,
                message,
            } => write!(f, "{call}: HTTP {status}{}: {message}", reason(*status)),
            Error::LoginPage { call } => write!(
                f,
                "{call}: the instance answered with an HTML page, not JSON (a single sign-on login page in front of the API?); ask for an account or token that reaches the REST API directly"
            ),
            Error::Hibernating { call, instance } => write!(
                f,
                "{call}: {instance} is hibernating (a developer instance asleep); wake it at https://developer.servicenow.com, then run the same command again"
            ),
            Error::Malformed { call, why } => write!(f, "{call}: {why}"),
            Error::Unrecordable { call, raw, why } => write!(
                f,
                "{call}: {raw} was ordered, but fwreq cannot record it ({why})"
            ),
            Error::Unanswered { error, advice } => write!(f, "{error}; {advice}"),
        }
    }
}

/// The reason phrase of the statuses whose answers quote the instance.
fn reason(status: u16) -> &'static str {
    match status {
        400 => " Bad Request",
        403 => " Forbidden",
        404 => " Not Found",
        500 => " Internal Server Error",
        _ => "",
    }
}

impl std::error::Error for Error {}

/// One HTTP call, before credentials are added.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub method: &'static str,
    /// Path and query, from the instance's root.
    pub path: String,
    pub body: Option<Value>,
}

impl Call {
    fn get(path: String) -> Call {
        Call {
            method: "GET",
            path,
            body: None,
        }
    }

    fn named(&self) -> String {
        let path = self.path.split('?').next().unwrap_or(&self.path);
        format!("{} {path}", self.method)
    }
}

/// A connection to one instance.
pub struct Client {
    agent: ureq::Agent,
    instance: String,
    auth: Auth,
    /// The OAuth access token, once fetched (shared by calls in flight).
    token: Mutex<Option<String>>,
    /// Catalog items whose correlation variable was seen this run.
    checked: Mutex<std::collections::BTreeSet<String>>,
}

/// The instance credentials go to: `SN_INSTANCE`, else the user's own
/// configuration ([`config::user_instance`]); never one only a team file
/// names (a colleague's commit could point it anywhere). A team file naming
/// another instance is refused, naming both. `sending` false (a dry run)
/// takes the team file's instance when the user named none.
pub(crate) fn instance(
    team: Option<&str>,
    team_file: &str,
    sending: bool,
) -> Result<String, Error> {
    let named = match std::env::var(config::INSTANCE_VAR)
        .ok()
        .filter(|v| !v.is_empty())
    {
        Some(env) => Some((
            config::instance_url(&env).map_err(|e| {
                Error::Credentials(format!(
                    "{}: {}{}",
                    config::INSTANCE_VAR,
                    e.message,
                    e.help.map(|h| format!(" ({h})")).unwrap_or_default()
                ))
            })?,
            config::INSTANCE_VAR.to_string(),
        )),
        None => config::user_instance()?.map(|(url, path)| (url, path.display().to_string())),
    };
    match (named, team) {
        (Some((url, from)), Some(team)) if !url.eq_ignore_ascii_case(team) => {
            Err(Error::Credentials(format!(
                "{team_file} names the instance {team}, but you named {url} ({from}); credentials go only to the instance you name, so nothing was sent: make them agree"
            )))
        }
        (Some((url, _)), _) => Ok(url),
        (None, Some(team)) if !sending => Ok(team.to_string()),
        (None, Some(team)) => Err(Error::Credentials(format!(
            "{team_file} names the instance {team}, but credentials go only to an instance you name yourself: set {} to it, or instance under [servicenow] in {}",
            config::INSTANCE_VAR,
            config::user_config_path()
                .map_or("$XDG_CONFIG_HOME/fwreq/config.toml".to_string(), |p| p
                    .display()
                    .to_string())
        ))),
        (None, None) => Err(Error::Credentials(format!(
            "no instance: set {} or instance under [servicenow] in $XDG_CONFIG_HOME/fwreq/config.toml",
            config::INSTANCE_VAR
        ))),
    }
}

impl Client {
    /// A client for `instance` with `auth`; every call gives up after
    /// `timeout`. The system's trust store verifies certificates (corporate
    /// CAs included); proxies come from `HTTPS_PROXY`/`ALL_PROXY`, minus
    /// `NO_PROXY`, and never carry a plain-http (loopback) instance's calls:
    /// its credentials would leave the machine unencrypted.
    pub fn new(instance: String, auth: Auth, timeout: Duration) -> Client {
        let proxy = if instance.starts_with("http://") {
            None
        } else {
            ureq::Proxy::try_from_env()
        };
        let tls = ureq::tls::TlsConfig::builder()
            .root_certs(ureq::tls::RootCerts::PlatformVerifier)
            .build();
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .tls_config(tls)
            .proxy(proxy)
            .max_redirects(0)
            .user_agent(concat!("fwreq/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Client {
            agent,
            instance,
            auth,
            token: Mutex::new(None),
            checked: Mutex::default(),
        }
    }

    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// A call as a person reads it: method, URL, headers (credentials
    /// redacted) and JSON body; for OAuth, the token call first.
    pub fn show(&self, call: &Call) -> String {
        let mut out = String::new();
        if let Auth::OAuth { .. } = self.auth {
            out.push_str(&format!(
                "POST {}/oauth_token.do\nContent-Type: application/x-www-form-urlencoded\n\ngrant_type=client_credentials&client_id=<redacted>&client_secret=<redacted>\n\n",
                self.instance
            ));
        }
        out.push_str(&format!("{} {}{}\n", call.method, self.instance, call.path));
        out.push_str("Accept: application/json\n");
        match &self.auth {
            Auth::Basic { .. } => out.push_str("Authorization: Basic <redacted>\n"),
            Auth::Bearer(_) | Auth::OAuth { .. } => {
                out.push_str("Authorization: Bearer <redacted>\n");
            }
            Auth::ApiKey(_) => out.push_str("x-sn-apikey: <redacted>\n"),
            Auth::None => out.push_str(&format!("(no credentials: {CREDENTIAL_HELP})\n")),
        }
        if let Some(body) = &call.body {
            out.push_str("Content-Type: application/json\n\n");
            out.push_str(&serde_json::to_string_pretty(body).unwrap_or_default());
            out.push('\n');
        }
        out
    }

    /// Sends `call` and returns its `result`. 429 is retried after its
    /// `Retry-After` (nothing was done); a 5xx only for reads, which cannot
    /// file anything twice.
    pub fn send(&self, call: &Call) -> Result<Value, Error> {
        self.send_once_or_more(call)
            .map_err(|e| e.map_text(|text| self.redact(text)))
    }

    /// [`Client::send`] before its errors are redacted.
    fn send_once_or_more(&self, call: &Call) -> Result<Value, Error> {
        let mut attempt = 1;
        loop {
            let (status, headers, body) = self.once(call)?;
            let retry = match status {
                429 => true,
                500..=599 => call.method == "GET",
                _ => false,
            };
            if retry && attempt < ATTEMPTS {
                let wait = wait_before_retry(headers.retry_after, attempt).map_err(|asked| {
                    Error::Instance {
                        call: call.named(),
                        status,
                        message: format!(
                            "{}the instance asks to wait {} s: try again later",
                            if status == 429 { "rate limited; " } else { "" },
                            asked.as_secs()
                        ),
                    }
                })?;
                std::thread::sleep(wait);
                attempt += 1;
                continue;
            }
            return self.answer(call, status, &headers, &body);
        }
    }

    /// The answer's `result`, or the error its status and body say, in the
    /// instance's own words when it gave some.
    fn answer(
        &self,
        call: &Call,
        status: u16,
        headers: &Headers,
        body: &str,
    ) -> Result<Value, Error> {
        let named = call.named();
        let trimmed = body.trim_start();
        let html = trimmed.starts_with('<');
        let asleep = |text: &str| text.to_ascii_lowercase().contains("hibernat");
        if (html && asleep(body))
            || ((300..400).contains(&status)
                && headers
                    .location
                    .as_deref()
                    .is_some_and(|to| asleep(to) || to.contains("developer.servicenow.com")))
        {
            return Err(Error::Hibernating {
                call: named,
                instance: self.instance.clone(),
            });
        }
        if (200..300).contains(&status) && html {
            return Err(Error::LoginPage { call: named });
        }
        let json: Option<Value> = serde_json::from_str(body).ok();
        let instance_says = json.as_ref().and_then(|j| {
            let error = j.get("error")?;
            let message = error.get("message")?.as_str()?;
            let said = match error.get("detail").and_then(Value::as_str) {
                Some(detail) if !detail.trim().is_empty() => format!("{message} ({detail})"),
                _ => message.to_string(),
            };
            Some(quoted(&said))
        });
        match (status, instance_says) {
            (200..=299, _) => {
                let json = json.ok_or_else(|| Error::Malformed {
                    call: named.clone(),
                    why: format!("the answer is not JSON: {}", excerpt(body)),
                })?;
                json.get("result").cloned().ok_or(Error::Malformed {
                    call: named,
                    why: format!("the answer has no `result`: {}", excerpt(body)),
                })
            }
            (300..=399, _) => Err(Error::Instance {
                call: named,
                status,
                message: format!(
                    "redirected to {} (a single sign-on page in front of the API?); ask for an account or token that reaches the REST API directly",
                    headers.location.as_deref().unwrap_or("nowhere")
                ),
            }),
            (401, _) | (403, None) => Err(Error::Refused {
                call: named,
                status,
                kind: self.auth.kind(),
            }),
            (404, None) => Err(Error::NotFound {
                what: "not found".to_string(),
                call: named,
            }),
            (_, said) => Err(Error::Instance {
                call: named,
                status,
                message: said.unwrap_or_else(|| {
                    if html {
                        "an HTML page instead of the REST API's JSON".to_string()
                    } else {
                        excerpt(body)
                    }
                }),
            }),
        }
    }

    /// `text` with every credential of this run, and the access token,
    /// replaced by `<redacted>`: an instance may echo them in an error.
    pub fn redact(&self, text: String) -> String {
        use base64::Engine as _;
        let mut secrets: Vec<String> = match &self.auth {
            Auth::Basic { user, password } => vec![
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")),
                password.clone(),
            ],
            Auth::Bearer(token) => vec![token.clone()],
            Auth::OAuth { secret, .. } => vec![secret.clone()],
            Auth::ApiKey(key) => vec![key.clone()],
            Auth::None => vec![],
        };
        if let Some(token) = self.token.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            secrets.push(token);
        }
        secrets
            .iter()
            .filter(|secret| !secret.is_empty())
            .fold(text, |text, secret| {
                text.replace(secret.as_str(), "<redacted>")
            })
    }

    /// One round trip: the status, the headers read, the body.
    fn once(&self, call: &Call) -> Result<(u16, Headers, String), Error> {
        let transport = |e: ureq::Error| transport(call.named(), &e, &self.instance);
        let mut request = ureq::http::Request::builder()
            .method(call.method)
            .uri(format!("{}{}", self.instance, call.path))
            .header("Accept", "application/json");
        request = match &self.auth {
            Auth::Basic { user, password } => {
                use base64::Engine as _;
                let pair =
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
                request.header("Authorization", format!("Basic {pair}"))
            }
            Auth::Bearer(token) => request.header("Authorization", format!("Bearer {token}")),
            Auth::OAuth { .. } => {
                request.header("Authorization", format!("Bearer {}", self.oauth_token()?))
            }
            Auth::ApiKey(key) => request.header("x-sn-apikey", key.as_str()),
            Auth::None => {
                return Err(Error::Credentials(format!(
                    "no credentials: {CREDENTIAL_HELP}"
                )));
            }
        };
        let body = match &call.body {
            Some(json) => {
                request = request.header("Content-Type", "application/json");
                json.to_string()
            }
            None => String::new(),
        };
        let request = request.body(body).map_err(|e| Error::Transport {
            call: call.named(),
            message: e.to_string(),
        })?;
        let mut response = self.agent.run(request).map_err(transport)?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let headers = Headers {
            retry_after: header("retry-after")
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs),
            location: header("location"),
        };
        let body = response.body_mut().read_to_string().map_err(transport)?;
        Ok((status, headers, body))
    }

    /// The OAuth access token, fetched once per run (client credentials grant,
    /// form-encoded: the endpoint refuses JSON).
    fn oauth_token(&self) -> Result<String, Error> {
        let mut held = self.token.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(token) = held.as_ref() {
            return Ok(token.clone());
        }
        let Auth::OAuth { id, secret } = &self.auth else {
            return Err(Error::Credentials("not OAuth".to_string()));
        };
        let call = "POST /oauth_token.do".to_string();
        let form = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            encode(id),
            encode(secret)
        );
        let request = ureq::http::Request::builder()
            .method("POST")
            .uri(format!("{}/oauth_token.do", self.instance))
            .header("Accept", "application/json")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form)
            .map_err(|e| Error::Transport {
                call: call.clone(),
                message: e.to_string(),
            })?;
        let mut response = self
            .agent
            .run(request)
            .map_err(|e| transport(call.clone(), &e, &self.instance))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .read_to_string()
            .map_err(|e| transport(call.clone(), &e, &self.instance))?;
        if matches!(status, 400 | 401 | 403) {
            return Err(Error::Refused {
                call,
                status,
                kind: self.auth.kind(),
            });
        }
        if !(200..300).contains(&status) {
            return Err(Error::Instance {
                call,
                status,
                message: excerpt(&body),
            });
        }
        let token = serde_json::from_str::<Value>(&body)
            .ok()
            .and_then(|j| j.get("access_token")?.as_str().map(str::to_string))
            .ok_or_else(|| Error::Malformed {
                call,
                why: "the answer holds no access_token".to_string(),
            })?;
        *held = Some(token.clone());
        Ok(token)
    }
}

/// What to do about an order this run made whose item it has not seen.
fn ordered_by_this_run(req: &Req) -> String {
    format!(
        "{req} was ordered by this run: run the same command again later, it finds {req}'s item by its correlation id and orders nothing"
    )
}

/// The headers of an answer fwreq reads.
#[derive(Default)]
struct Headers {
    /// `Retry-After`, in seconds.
    retry_after: Option<Duration>,
    /// `Location`, on a redirect.
    location: Option<String>,
}

/// A transport error of `call` for a person; ureq's own text names no credential.
fn transport(call: String, e: &ureq::Error, instance: &str) -> Error {
    let message = match e {
        ureq::Error::Timeout(_) => {
            return Error::TimedOut {
                call,
                instance: instance.to_string(),
            };
        }
        ureq::Error::HostNotFound => format!("the instance's host in {instance} was not found"),
        ureq::Error::ConnectionFailed => format!("could not connect to {instance}"),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            format!("could not connect to {instance}: connection refused")
        }
        ureq::Error::Io(io) => format!("{io} (talking to {instance})"),
        other => format!("{other} (talking to {instance})"),
    };
    Error::Transport { call, message }
}

/// At most 200 characters of an answer, on one line.
fn excerpt(body: &str) -> String {
    let line = quoted(body);
    match line.char_indices().nth(200) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None if line.is_empty() => "(an empty answer)".to_string(),
        None => line,
    }
}

/// The instance's own words as fwreq quotes them: one line (whitespace runs
/// joined) with every control, bidi and invisible character made visible
/// (`\u{1b}`), so an answer can neither paint the terminal nor print a line
/// that looks like fwreq's own.
fn quoted(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::diagnostic::escape(&line).into_owned()
}

/// Percent-encodes a query or form value (RFC 3986 unreserved characters kept).
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A value inside an encoded query: `^` is its separator, written `^^`.
fn query_value(text: &str) -> String {
    text.replace('^', "^^")
}

/// A requested item as read from the Table API.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub ritm: Ritm,
    pub sys_id: String,
    /// The REQ, when the answer held it (dot-walked `request.number`).
    pub req: Option<Req>,
    /// The request's sys_id.
    pub request_id: String,
    pub state: String,
    pub stage: String,
    pub approval: String,
    pub closed_at: String,
}

/// What `submit` did.
#[derive(Debug, Clone, PartialEq)]
pub struct Submitted {
    pub req: Req,
    pub item: Item,
    /// True when the ticket already existed (found by the correlation id), so nothing was ordered.
    pub found: bool,
}

/// The most items one lookup reads: two carrying one id is already an error.
const LOOKUP_LIMIT: u32 = 10;

/// The most RITMs one `sync` call asks for (`numberIN`).
pub(crate) const BATCH: usize = 100;

/// The table query for items, reading `fields`.
fn items_call(query: &str, fields: &str, limit: usize) -> Call {
    Call::get(format!(
        "/api/now/table/sc_req_item?sysparm_query={}&sysparm_fields={}&sysparm_exclude_reference_link=true&sysparm_limit={limit}",
        encode(query),
        encode(fields),
    ))
}

/// The catalog item with its variables (Service Catalog API, `GET
/// /sn_sc/servicecatalog/items/{sys_id}`), read before the first order.
pub(crate) fn item_call(item: &str) -> Call {
    Call::get(format!("/api/sn_sc/servicecatalog/items/{}", encode(item)))
}

/// The lookup that finds the open items this request filed: by catalog item
/// and correlation id, reading both back so an ignored condition is seen.
pub(crate) fn lookup_call(item: &str, variable: &str, correlation_id: &str) -> Call {
    items_call(
        &format!(
            "cat_item={item}^active=true^variables.{variable}={}",
            query_value(correlation_id)
        ),
        &format!("{RITM_FIELDS},variables.{variable}"),
        LOOKUP_LIMIT as usize,
    )
}

/// The catalog order.
pub(crate) fn order_call(item: &str, variables: &BTreeMap<String, String>) -> Call {
    Call {
        method: "POST",
        path: format!("/api/sn_sc/servicecatalog/items/{}/order_now", encode(item)),
        body: Some(json!({ "sysparm_quantity": 1, "variables": variables })),
    }
}

/// Empties the cart two-step checkout put an item into (that cart only).
fn empty_cart_call(cart_id: &str) -> Call {
    Call {
        method: "DELETE",
        path: format!("/api/sn_sc/servicecatalog/cart/{}/empty", encode(cart_id)),
        body: None,
    }
}

/// The items of these RITM numbers, in one call (`numberIN`).
pub(crate) fn ritms_call(ritms: &[&Ritm]) -> Call {
    let numbers: Vec<&str> = ritms.iter().map(|r| r.as_str()).collect();
    items_call(
        &format!("numberIN{}", numbers.join(",")),
        RITM_FIELDS,
        ritms.len(),
    )
}

impl Client {
    /// Files the order, unless an open item with this correlation id
    /// exists: then that one is returned, and nothing is ordered. The item
    /// must have the correlation variable; after the order exactly one open
    /// item may carry the id. `pending` says when an earlier order's answer
    /// was lost: then nothing is ordered until its item shows.
    pub fn submit(
        &self,
        item: &str,
        variables: &BTreeMap<String, String>,
        correlation: (&str, &str),
        pending: Option<&str>,
    ) -> Result<Submitted, Error> {
        let (variable, id) = correlation;
        self.check_item(item, variable)?;
        if let Some(found) = self.filed(item, correlation)? {
            return self.submitted(found, true);
        }
        if let Some(since) = pending {
            return Err(Error::Refusal(format!(
                "an order for {id} was sent {since} and its item not seen since, and {} still shows no open item with that correlation id; nothing was ordered: run the same command again in a few minutes (the order may still be in progress)",
                self.instance
            )));
        }
        let order = order_call(item, variables);
        let ordered = match self.send(&order) {
            Ok(ordered) => ordered,
            Err(failed) => return self.after_failed_order(item, correlation, failed),
        };
        let text = |key: &str| ordered.get(key).and_then(Value::as_str).map(str::to_string);
        if let (None, Some(cart)) = (text("request_number"), text("cart_id")) {
            return Err(self.two_step(&cart));
        }
        let malformed = |why: String| Error::Malformed {
            call: order.named(),
            why,
        };
        let raw = text("request_number")
            .ok_or_else(|| malformed("the order's answer has no request_number".to_string()))?;
        let req: Req =
            raw.parse()
                .map_err(|e: crate::diagnostic::Invalid| Error::Unrecordable {
                    call: order.named(),
                    raw: raw.clone(),
                    why: e.message,
                })?;
        // From here on the order exists: until its item is seen, a re-run
        // must not order again (the caller remembers an `Unanswered` order).
        let unseen = |e: Error| match e {
            Error::Refusal(twice) => {
                Error::Refusal(format!("{twice}; {req} is the one this run ordered"))
            }
            other => Error::Unanswered {
                error: Box::new(other),
                advice: ordered_by_this_run(&req),
            },
        };
        let request_id = text("request_id").ok_or_else(|| {
            unseen(malformed(
                "the order's answer has no request_id".to_string(),
            ))
        })?;
        match self.filed(item, correlation).map_err(unseen)? {
            Some(found) if found.request_id == request_id => self.submitted(found, false),
            Some(other) => Err(Error::Refusal(format!(
                "{req} was ordered, but the open item carrying {id} is {} of {}: it was filed twice; fwreq records neither, close one on the instance and record the other with fwreq record",
                other.ritm,
                other
                    .req
                    .as_ref()
                    .map_or("another request".to_string(), Req::to_string),
            ))),
            None => Err(unseen(Error::Malformed {
                call: "GET /api/now/table/sc_req_item".to_string(),
                why: format!("no open item carries the correlation id {id} yet"),
            })),
        }
    }

    /// An order that failed or went unanswered may have been filed all the
    /// same: the item it made, else the failure (said as possibly through
    /// when its outcome is unknown).
    fn after_failed_order(
        &self,
        item: &str,
        correlation: (&str, &str),
        failed: Error,
    ) -> Result<Submitted, Error> {
        match self.filed(item, correlation) {
            Ok(Some(found)) => self.submitted(found, false),
            Err(twice @ Error::Refusal(_)) => Err(twice),
            _ if failed.outcome_unknown() => Err(Error::Unanswered {
                error: Box::new(failed),
                advice: "the order may have gone through: run the same command again, it finds the ticket by its correlation id and orders nothing twice".to_string(),
            }),
            _ => Err(failed),
        }
    }

    /// What an order found or made, with its REQ.
    fn submitted(&self, item: Item, found: bool) -> Result<Submitted, Error> {
        let req = item.req.clone().ok_or_else(|| Error::Malformed {
            call: "GET /api/now/table/sc_req_item".to_string(),
            why: format!("{} has no request number", item.ritm),
        })?;
        Ok(Submitted { req, item, found })
    }

    /// Refuses an item without the correlation variable: a lookup by it
    /// would be ignored (or match nothing), and each run would order again.
    /// Read once per item and run.
    fn check_item(&self, item: &str, variable: &str) -> Result<(), Error> {
        let mut checked = self.checked.lock().unwrap_or_else(|e| e.into_inner());
        if checked.contains(item) {
            return Ok(());
        }
        let call = item_call(item);
        let answer = self.send(&call).map_err(|e| match e {
            Error::NotFound { call, .. } | Error::Instance { call, status: 404, .. } => Error::NotFound {
                call,
                what: format!(
                    "the catalog item {item} does not exist on {} (check catalog-item in [servicenow])",
                    self.instance
                ),
            },
            other => other,
        })?;
        let has = answer
            .get("variables")
            .and_then(Value::as_array)
            .is_some_and(|all| {
                all.iter()
                    .any(|v| v.get("name").and_then(Value::as_str) == Some(variable))
            });
        if has {
            checked.insert(item.to_string());
            Ok(())
        } else {
            Err(Error::Refusal(format!(
                "the catalog item {item} on {} has no variable `{variable}`: fwreq files each request's correlation id in it and finds the ticket again by it, so nothing was ordered; add a single-line text variable named {variable} to the item (or name another in correlation-variable in [servicenow])",
                self.instance
            )))
        }
    }

    /// The open item carrying this correlation id, if any. Each row must be
    /// of the item and carry the id (an instance ignores a condition it
    /// cannot read); two rows are an item filed twice.
    fn filed(&self, item: &str, (variable, id): (&str, &str)) -> Result<Option<Item>, Error> {
        let call = lookup_call(item, variable, id);
        let result = self.send(&call)?;
        let mut found = Vec::new();
        for (row, raw) in rows(&result, &call.named())? {
            let field = |key: &str| raw.get(key).and_then(Value::as_str).unwrap_or_default();
            let (of, carries) = (field("cat_item"), field(&format!("variables.{variable}")));
            if of != item || carries != id {
                return Err(Error::Malformed {
                    call: call.named(),
                    why: format!(
                        "asked for the open items of {item} whose {variable} is {id}, the instance answered {} (catalog item {of}, {variable} `{carries}`): it ignored part of the query; nothing was recorded or ordered",
                        row.ritm
                    ),
                });
            }
            found.push(row);
        }
        if found.len() > 1 {
            let each: Vec<String> = found
                .iter()
                .map(|i| match &i.req {
                    Some(req) => format!("{} ({req})", i.ritm),
                    None => i.ritm.to_string(),
                })
                .collect();
            return Err(Error::Refusal(format!(
                "{} open items carry the correlation id {id}: {}; it was filed more than once, so fwreq records none: close the extra ones on {}, then run fwreq submit again (or fwreq record the one to keep)",
                found.len(),
                each.join(" and "),
                self.instance
            )));
        }
        Ok(found.pop())
    }

    /// Two-step checkout: the item sits in a cart of its own, and the only
    /// submit there is checks out another one. That cart is emptied.
    fn two_step(&self, cart: &str) -> Error {
        let emptied = match self.send(&empty_cart_call(cart)) {
            Ok(_) => "fwreq emptied that cart; nothing was ordered".to_string(),
            Err(e) => format!(
                "nothing was ordered, but emptying that cart failed ({e}): remove the item from it by hand"
            ),
        };
        Error::Refusal(format!(
            "{} uses two-step checkout (glide.sc.checkout.twostep is true): order_now only put the item into cart {cart}, and cart/submit_order checks out this account's default cart, which may hold someone else's order; {emptied}. Set glide.sc.checkout.twostep to false (or exempt this account), or file the request by hand and fwreq record it",
            self.instance
        ))
    }

    /// The requested item with this number.
    pub fn item(&self, ritm: &Ritm) -> Result<Item, Error> {
        let call = ritms_call(&[ritm]);
        self.items(&[ritm])?.pop().ok_or_else(|| Error::NotFound {
            call: call.named(),
            what: format!("{ritm} does not exist on {}", self.instance),
        })
    }

    /// The requested items with these numbers (at most [`BATCH`]), in one
    /// call; those the instance does not have are missing. An item not
    /// asked for is an error: the instance read another query.
    pub fn items(&self, ritms: &[&Ritm]) -> Result<Vec<Item>, Error> {
        let call = ritms_call(ritms);
        let result = self.send(&call)?;
        let mut items = Vec::new();
        for (item, _) in rows(&result, &call.named())? {
            if !ritms.contains(&&item.ritm) {
                let asked: Vec<&str> = ritms.iter().map(|r| r.as_str()).collect();
                return Err(Error::Malformed {
                    call: call.named(),
                    why: format!(
                        "asked for {}, the instance answered {}; nothing was applied",
                        asked.join(", "),
                        item.ritm
                    ),
                });
            }
            items.push(item);
        }
        Ok(items)
    }

    /// Adds `notes` (a `[code]` fragment) to the item's work notes, and
    /// checks in the answer that the item is the one asked and its journal
    /// now holds the note (a business rule can drop it and still answer 200).
    pub fn work_note(&self, item: &Item, notes: &str) -> Result<(), Error> {
        let call = work_note_call(&item.sys_id, notes);
        let answer = self.send(&call)?;
        let field = |key: &str| answer.get(key).and_then(Value::as_str).unwrap_or_default();
        let malformed = |why: String| Error::Malformed {
            call: call.named(),
            why,
        };
        if field("number") != item.ritm.as_str() {
            return Err(malformed(format!(
                "asked to add a work note to {}, the instance answered for `{}`",
                item.ritm,
                field("number")
            )));
        }
        let plain = |text: &str| text.replace("\r\n", "\n");
        if !plain(field("work_notes")).contains(plain(notes).trim()) {
            return Err(malformed(format!(
                "the instance answered 200, but {}'s work notes do not hold the note: it was not added (a business rule or ACL may keep this account from writing work notes)",
                item.ritm
            )));
        }
        Ok(())
    }

    /// The item's page, for people. The sys_id is the server's text: encoded,
    /// it can put no control character on a terminal or into a pipe.
    pub fn item_url(&self, item: &Item) -> String {
        format!(
            "{}/sc_req_item.do?sys_id={}",
            self.instance,
            encode(&item.sys_id)
        )
    }
}

/// The work note's PATCH; the answer shows the journal as people read it.
pub(crate) fn work_note_call(sys_id: &str, notes: &str) -> Call {
    Call {
        method: "PATCH",
        path: format!(
            "/api/now/table/sc_req_item/{}?sysparm_fields=number%2Cwork_notes&sysparm_display_value=true",
            encode(sys_id)
        ),
        body: Some(json!({ "work_notes": notes })),
    }
}

/// The rows of a Table API `result` array, typed, each with its raw fields.
fn rows<'a>(result: &'a Value, call: &str) -> Result<Vec<(Item, &'a Value)>, Error> {
    let malformed = |why: String| Error::Malformed {
        call: call.to_string(),
        why,
    };
    let rows = result
        .as_array()
        .ok_or_else(|| malformed("the answer's result is not a list".to_string()))?;
    rows.iter()
        .map(|row| {
            let field = |key: &str| {
                row.get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let ritm = field("number")
                .parse::<Ritm>()
                .map_err(|e| malformed(e.message))?;
            let req = match field("request.number") {
                number if number.is_empty() => None,
                number => Some(number.parse::<Req>().map_err(|e| {
                    malformed(format!(
                        "{ritm} belongs to a request fwreq cannot record: {}",
                        e.message
                    ))
                })?),
            };
            let item = Item {
                ritm,
                sys_id: field("sys_id"),
                req,
                request_id: field("request"),
                state: field("state"),
                stage: field("stage"),
                approval: field("approval"),
                closed_at: field("closed_at"),
            };
            Ok((item, row))
        })
        .collect()
}

/// The wait after failed try `attempt`: the instance's `Retry-After`, else
/// 1 s, then 2 s (doubling). `Err` holds a `Retry-After` longer than
/// [`MAX_RETRY_AFTER`], which is not waited for.
fn wait_before_retry(retry_after: Option<Duration>, attempt: u32) -> Result<Duration, Duration> {
    let wait = retry_after.unwrap_or(Duration::from_secs(1 << (attempt - 1)));
    if wait > MAX_RETRY_AFTER {
        Err(wait)
    } else {
        Ok(wait)
    }
}

#[cfg(test)]
mod tests {
    /// An answer quoted in an error: one line, at most 200 characters, and
    /// never nothing.
    #[test]
    fn an_excerpt_is_one_short_line() {
        assert_eq!(super::excerpt(""), "(an empty answer)");
        assert_eq!(super::excerpt(" \n\t "), "(an empty answer)");
        assert_eq!(super::excerpt("a\n  b"), "a b");
        assert_eq!(
            super::excerpt(&"é".repeat(250)),
            format!("{}...", "é".repeat(200))
        );
        assert_eq!(super::excerpt(&"x".repeat(200)), "x".repeat(200));
    }

    /// The instance's words never carry a control character out (the
    /// servicenow_answer fuzz target's find: a body that cleared the screen
    /// and painted in red came back in the error as it was).
    #[test]
    fn an_answer_is_quoted_with_its_controls_made_visible() {
        assert_eq!(
            super::excerpt("\u{1b}[2J\u{1b}[31mall good\u{7}\u{202e}"),
            "\\u{1b}[2J\\u{1b}[31mall good\\u{7}\\u{202e}"
        );
        assert_eq!(
            super::quoted("Bad\u{1b}]52;c;ZXZpbA==\u{7} request\nfwreq: error: forged"),
            "Bad\\u{1b}]52;c;ZXZpbA==\\u{7} request fwreq: error: forged"
        );
    }

    /// An item whose REQ was not dot-walked has no REQ, not a malformed one.
    #[test]
    fn an_item_without_its_request_number_has_no_req() {
        let result = serde_json::json!([{
            "number": "RITM0010001", "sys_id": "abc", "state": "1"
        }]);
        let (item, _) = super::rows(&result, "GET items").unwrap().remove(0);
        assert_eq!(item.ritm.to_string(), "RITM0010001");
        assert_eq!(item.req, None);
    }

    /// Without `Retry-After`, 1 s then 2 s; with it, what it says, up to 60 s.
    #[test]
    fn retries_wait_as_asked_up_to_a_minute_else_one_then_two_seconds() {
        use super::wait_before_retry as wait;
        use std::time::Duration;
        let s = Duration::from_secs;
        assert_eq!(wait(None, 1), Ok(s(1)));
        assert_eq!(wait(None, 2), Ok(s(2)));
        assert_eq!(wait(None, 3), Ok(s(4)));
        assert_eq!(wait(Some(s(0)), 2), Ok(s(0)));
        assert_eq!(wait(Some(s(60)), 1), Ok(s(60)));
        assert_eq!(wait(Some(s(61)), 1), Err(s(61)));
    }

    use super::*;

    fn client(auth: Auth) -> Client {
        Client::new(
            "https://acme.service-now.com".to_string(),
            auth,
            Duration::from_secs(1),
        )
    }

    #[test]
    fn answers_become_results_or_clear_errors() {
        let c = client(Auth::ApiKey("k3y".to_string()));
        let get = Call::get("/api/now/table/sc_req_item?sysparm_query=x".to_string());
        assert_eq!(
            c.answer(&get, 200, &Headers::default(), r#"{"result":[]}"#)
                .unwrap_or_default(),
            json!([])
        );
        let said = |status, body| {
            c.answer(&get, status, &Headers::default(), body)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert_eq!(
            said(200, "<html><body>Sign in</body></html>"),
            "GET /api/now/table/sc_req_item: the instance answered with an HTML page, not JSON (a single sign-on login page in front of the API?); ask for an account or token that reaches the REST API directly"
        );
        assert_eq!(
            said(200, "{\"result\": "),
            "GET /api/now/table/sc_req_item: the answer is not JSON: {\"result\":"
        );
        assert_eq!(
            said(
                400,
                r#"{"error":{"message":"Mandatory variable missing","detail":"u_owner"},"status":"failure"}"#
            ),
            "GET /api/now/table/sc_req_item: HTTP 400 Bad Request: Mandatory variable missing (u_owner)"
        );
        assert_eq!(
            said(403, ""),
            "GET /api/now/table/sc_req_item: the instance refused an API key (SN_API_KEY) (HTTP 403 Forbidden); check the credentials and the account's roles"
        );
    }

    #[test]
    fn a_shown_call_redacts_every_credential() {
        let call = order_call(
            "0123456789abcdef0123456789abcdef",
            &BTreeMap::from([("short_description".to_string(), "t".to_string())]),
        );
        let shown = client(Auth::OAuth {
            id: "client-id".to_string(),
            secret: "s3cret".to_string(),
        })
        .show(&call);
        assert_eq!(
            shown,
            "POST https://acme.service-now.com/oauth_token.do\nContent-Type: application/x-www-form-urlencoded\n\ngrant_type=client_credentials&client_id=<redacted>&client_secret=<redacted>\n\nPOST https://acme.service-now.com/api/sn_sc/servicecatalog/items/0123456789abcdef0123456789abcdef/order_now\nAccept: application/json\nAuthorization: Bearer <redacted>\nContent-Type: application/json\n\n{\n  \"sysparm_quantity\": 1,\n  \"variables\": {\n    \"short_description\": \"t\"\n  }\n}\n"
        );
        assert_eq!(
            format!(
                "{:?}",
                Auth::Basic {
                    user: "u".to_string(),
                    password: "pw".to_string()
                }
            ),
            "basic authentication (SN_USER, SN_PASSWORD)"
        );
    }

    #[test]
    fn query_values_are_encoded_and_escaped() {
        assert_eq!(encode("a=b^c d/é"), "a%3Db%5Ec%20d%2F%C3%A9");
        assert_eq!(
            lookup_call("item", "fwreq_correlation_id", "fwreq:a^b.toml").path,
            "/api/now/table/sc_req_item?sysparm_query=cat_item%3Ditem%5Eactive%3Dtrue%5Evariables.fwreq_correlation_id%3Dfwreq%3Aa%5E%5Eb.toml&sysparm_fields=number%2Csys_id%2Crequest%2Crequest.number%2Ccat_item%2Cstate%2Cstage%2Capproval%2Cclosed_at%2Cvariables.fwreq_correlation_id&sysparm_exclude_reference_link=true&sysparm_limit=10"
        );
    }
}
