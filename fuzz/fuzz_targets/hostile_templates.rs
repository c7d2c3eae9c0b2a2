//! Any text as a team's `ticket.md.j2`, read from a templates folder as a
//! repository's would be and rendered for an example request: it ends in a
//! ticket or an error, never a panic, a hang, or more memory than the render
//! bound (`render::FUEL`: 256 MB of text). Run with `-rss_limit_mb=1024` so
//! a template that outgrows the bound is a crash libFuzzer reports.
#![no_main]

use fwreq::diagnostic::Source;
use fwreq::formats::Kind;
use fwreq::render::Renderer;
use fwreq::request::Request;
use fwreq::zones::Zones;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// The bundled example: a request every template sees real data from.
fn request() -> &'static Request {
    static REQUEST: OnceLock<Request> = OnceLock::new();
    REQUEST.get_or_init(|| {
        let text = include_str!("../../requests/avilla-calico-registry.toml");
        fwreq::validate::load(&Source::new(
            "avilla-calico-registry.toml",
            text.to_string(),
        ))
        .expect("the bundled example is valid")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    if std::fs::write(dir.path().join("ticket.md.j2"), data).is_err() {
        return;
    }
    // A template that is not UTF-8 or will not parse is refused here.
    let Ok(renderer) = Renderer::new(Some(dir.path().to_path_buf())) else {
        return;
    };
    let request = request();
    let _ = renderer.ticket(request, &Kind::request(request, &Zones::default()));
});
