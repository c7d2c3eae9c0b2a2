//! Any bytes as a team file (`fwreq.toml`: lint levels, `[zones]`,
//! `[[zone_policy]]`, `[servicenow]`), read the way `fwreq` reads one: from a
//! file, through `team::load`. Nothing may panic or hang; every error must
//! render at its place; a valid file's zones must judge the example
//! requests' flows and its status mapping answer any state.
#![no_main]

mod scratch;

use fwreq::diagnostic::{self, Source, Style};
use fwreq::request::Request;
use fwreq::{team, validate, zones};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The file the input is written to.
fn file() -> &'static PathBuf {
    scratch::file("team", team::FILE)
}

/// The repository's example requests, whose flows a valid file's zones judge.
fn examples() -> &'static [Request] {
    static EXAMPLES: OnceLock<Vec<Request>> = OnceLock::new();
    EXAMPLES.get_or_init(|| {
        [
            include_str!("../../requests/albion-plant-time-and-logs.toml"),
            include_str!("../../requests/avilla-calico-registry.toml"),
            include_str!("../../requests/southfield-observability.toml"),
        ]
        .into_iter()
        .map(|text| {
            validate::load(&Source::new("example.toml", text.to_string()))
                .expect("the examples are valid")
        })
        .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    std::fs::write(file(), data).expect("the scratch file");
    let Ok((source, parsed)) = team::load(file()) else {
        return; // not UTF-8: refused before parsing
    };
    match parsed {
        Ok(team) => {
            for request in examples() {
                for judged in zones::of_rules(&team.zones, request).iter().flatten() {
                    judged.describe();
                }
            }
            if let Some(config) = &team.servicenow {
                for state in ["1", "3", "4", "7", ""] {
                    config.status_of(state, "approved");
                }
            }
        }
        Err(diags) => {
            assert!(!diags.is_empty());
            for diag in diags {
                diagnostic::render(&source, &diag, Style { color: false });
            }
        }
    }
});
