//! Any bytes through the whole pipeline: read, validate, lint, plan, render.
//! Nothing may panic or hang; a valid request must always render.
#![no_main]

use fwreq::diagnostic::{self, Source, Style};
use fwreq::render::Renderer;
use fwreq::{flows, lints, validate};
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
            let settings = lints::Settings {
                today: chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("a real date"),
                max_port_range: 100,
                allow: Vec::new(),
            };
            for diag in lints::check(&source, &request, &settings) {
                diagnostic::render(&source, &diag, Style { color: false });
            }
            let checks = flows::plan(&request);
            renderer()
                .ticket(&request, &checks)
                .expect("embedded templates render every valid request");
        }
        Err(diags) => {
            for diag in diags {
                diagnostic::render(&source, &diag, Style { color: false });
            }
        }
    }
});
