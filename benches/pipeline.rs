//! Micro-benchmarks of each stage on one spec (the seed example), so a
//! regression shows in numbers: `cargo bench --bench pipeline`.

#![allow(clippy::unwrap_used)]

use fwreq::diagnostic::Source;
use fwreq::render::Renderer;
use std::hint::black_box;

const SPEC: &str = include_str!("../requests/avilla-calico-registry.toml");

fn main() {
    divan::main();
}

fn source() -> Source {
    Source::new("avilla-calico-registry.toml", SPEC.to_string())
}

fn settings() -> fwreq::lints::Settings {
    fwreq::lints::Settings {
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
        max_port_range: 100,
        command_line: Default::default(),
        team: Default::default(),
        zones: Default::default(),
        targets: Vec::new(),
    }
}

#[divan::bench]
fn parse() -> fwreq::spec::RawSpec {
    fwreq::spec::parse(black_box(SPEC)).unwrap()
}

#[divan::bench]
fn parse_and_validate(bencher: divan::Bencher) {
    let source = source();
    bencher.bench(|| fwreq::validate::load(black_box(&source)).unwrap());
}

#[divan::bench]
fn lint(bencher: divan::Bencher) {
    let source = source();
    let request = fwreq::validate::load(&source).unwrap();
    let settings = settings();
    // The first call parses the Public Suffix List; measure the steady state.
    fwreq::lints::check(&source, &request, &settings);
    bencher.bench(|| fwreq::lints::check(&source, black_box(&request), &settings));
}

#[divan::bench]
fn plan(bencher: divan::Bencher) {
    let request = fwreq::validate::load(&source()).unwrap();
    bencher.bench(|| fwreq::flows::plan(black_box(&request)));
}

#[divan::bench]
fn render(bencher: divan::Bencher) {
    let request = fwreq::validate::load(&source()).unwrap();
    let kind = fwreq::formats::Kind::request(&request, &Default::default());
    let renderer = Renderer::new(None).unwrap();
    bencher.bench(|| renderer.ticket(black_box(&request), &kind).unwrap());
}

#[divan::bench]
fn renderer_setup() -> Renderer {
    Renderer::new(None).unwrap()
}

#[divan::bench]
fn html_page(bencher: divan::Bencher) {
    let markdown =
        std::fs::read_to_string("tests/snapshots/snapshots__avilla-calico-registry.snap")
            .unwrap_or_default();
    bencher.bench(|| fwreq::formats::html::fragment(black_box(&markdown)));
}
