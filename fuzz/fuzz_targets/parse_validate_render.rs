//! Any bytes through the whole pipeline: read, validate, lint, plan, render.
//! Nothing may panic or hang; a valid request must always render.
//!
//! Built on every CI run (`.ci/run`), so an API change that breaks it fails
//! there; settings and tickets are made through the same public constructors
//! the commands use (`Team::settings`, `Ticket::new`), not field by field.
#![no_main]

use fwreq::diagnostic::{self, Source, Style};
use fwreq::formats::Ticket;
use fwreq::render::Renderer;
use fwreq::team::Team;
use fwreq::{lints, validate};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn renderer() -> &'static Renderer {
    static RENDERER: OnceLock<Renderer> = OnceLock::new();
    RENDERER.get_or_init(|| Renderer::new(None).expect("embedded templates load"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = Source::new("fuzz.toml", text.to_string());
    match validate::load(&source) {
        Ok(request) => {
            let team = Team::default();
            let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("a real date");
            let settings = team.settings(today, lints::Levels::default(), None);
            for diag in lints::check(&source, &request, &settings) {
                diagnostic::render(&source, &diag, Style { color: false });
            }
            Ticket::new(request, &team.zones, renderer())
                .expect("embedded templates render every valid request");
        }
        Err(diags) => {
            for diag in diags {
                diagnostic::render(&source, &diag, Style { color: false });
            }
        }
    }
});
