//! ServiceNow's answers, any bytes: a loopback server plays the instance and
//! answers each call the client makes with a status, headers and a body taken
//! from the input. Whatever comes back, the client returns a value or an
//! error, never panics, and its error text, which the commands print, holds
//! no control character from the answer (no escape sequence, no line break
//! that could fake a line of fwreq's own).
//!
//! Input: one byte picks the operation (read an item, add a work note, submit
//! an order, read an item with OAuth, whose token call comes first), then
//! answers separated by lines `~~~`, one per call, in order. Each answer is two
//! bytes of status (100-599), one byte for `Retry-After` on 429 and 5xx
//! (0 s, or 3600 s, which the client refuses to wait; the input never makes
//! the fuzzer sleep), header lines, an empty line, the body.
//! Through the public client only: no entry point was added for this.
#![no_main]

use fwreq::request::Ritm;
use fwreq::servicenow::{Auth, Client, Error};
use libfuzzer_sys::fuzz_target;
use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// The answers still to give, in order; an empty queue answers 404.
static ANSWERS: Mutex<VecDeque<Vec<u8>>> = Mutex::new(VecDeque::new());

/// The loopback instance's URL; its thread serves one call per connection.
fn instance() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("its address"));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(&stream);
                let mut length = 0usize;
                let mut line = String::new();
                // The request's head, then its body, read whole before answering.
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                    if line == "\r\n" {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    line.clear();
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let answer = ANSWERS
                    .lock()
                    .expect("the queue")
                    .pop_front()
                    .unwrap_or_else(|| {
                        b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n".to_vec()
                    });
                let _ = (&stream).write_all(&answer);
                // Closing ends every answer, whatever its headers claim.
            }
        });
        url
    })
}

/// Between two answers in the input.
const NEXT: &[u8] = b"\n~~~\n";

/// The input's answers, in the order the calls get them.
fn answers(mut rest: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest.windows(NEXT.len()).position(|w| w == NEXT);
        let (one, left) = match end {
            Some(end) => (&rest[..end], &rest[end + NEXT.len()..]),
            None => (rest, &[][..]),
        };
        rest = left;
        Some(one)
    })
}

/// One answer's bytes on the wire.
fn answer(input: &[u8]) -> Vec<u8> {
    let (head, rest) = input.split_at(input.len().min(3));
    let [hi, lo, wait] = <[u8; 3]>::try_from(head).unwrap_or([0, 200, 0]);
    let status = 100 + u16::from_be_bytes([hi, lo]) % 500;
    let (headers, body) = match rest.windows(2).position(|w| w == b"\n\n") {
        Some(cut) => (&rest[..cut], &rest[cut + 2..]),
        None => (&[][..], rest),
    };
    // Never kept alive: the server closes after each answer.
    let mut out = format!("HTTP/1.1 {status} Fuzzed\r\nConnection: close\r\n").into_bytes();
    for line in headers.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() || line.to_ascii_lowercase().starts_with(b"retry-after") {
            continue;
        }
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    if status == 429 || status >= 500 {
        let seconds = if wait % 2 == 0 { 0 } else { 3600 };
        out.extend_from_slice(format!("Retry-After: {seconds}\r\n").as_bytes());
    }
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body);
    out
}

fn client(auth: Auth) -> Client {
    Client::new(instance().to_string(), auth, Duration::from_secs(2))
}

thread_local! {
    /// One client per kind of credential, made once (an agent is costly to
    /// make); OAuth's is made per input, as it keeps the token it fetched.
    static API_KEY: Client = client(Auth::ApiKey("Zq7rK3yw9TmV2pXc".into()));
    static BEARER: Client = client(Auth::Bearer("Bq4nT0kenH8sLw2e".into()));
    static BASIC: Client = client(Auth::Basic {
        user: "u".into(),
        password: "Pw5gN2xKq8LrD3tz".into(),
    });
}

fuzz_target!(|data: &[u8]| {
    let [pick, rest @ ..] = data else {
        return;
    };
    {
        let mut queue = ANSWERS.lock().expect("the queue");
        queue.clear();
        queue.extend(answers(rest).take(8).map(answer));
    }
    let ritm: Ritm = "RITM0010001".parse().expect("a RITM number");
    let outcome: Result<String, Error> = match pick % 4 {
        0 => API_KEY.with(|c| c.item(&ritm).map(|item| format!("{item:?}"))),
        1 => BEARER.with(|c| {
            c.item(&ritm)
                .and_then(|item| c.work_note(&item, "[code]<p>ok</p>[/code]"))
                .map(|()| String::new())
        }),
        2 => BASIC.with(|c| {
            let variables = BTreeMap::from([("u_title".to_string(), "t".to_string())]);
            c.submit(
                "5f1b2c3d4e5f60718293a4b5c6d7e8f9",
                &variables,
                ("u_fwreq_id", "abc"),
                None,
            )
            .map(|done| format!("{done:?}"))
        }),
        _ => client(Auth::OAuth {
            id: "id".into(),
            secret: "Fj6mS3cretR9vYd1".into(),
        })
        .item(&ritm)
        .map(|item| format!("{item:?}")),
    };
    if let Err(error) = outcome {
        let text = error.to_string();
        assert!(
            !text.chars().any(char::is_control),
            "a control character from the answer in an error: {text:?}"
        );
        // The credential of the client that made the calls: the others are
        // text this client cannot know to hide (an answer may hold anything).
        let secret = match pick % 4 {
            0 => "Zq7rK3yw9TmV2pXc",
            1 => "Bq4nT0kenH8sLw2e",
            2 => "Pw5gN2xKq8LrD3tz",
            _ => "Fj6mS3cretR9vYd1",
        };
        assert!(!text.contains(secret), "a credential in an error: {text:?}");
        assert!(!text.is_empty());
    }
});
