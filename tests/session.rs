//! The session layer (issue 29): every command that lints, renders or
//! judges a request does it with the request's own team, as `check` does.
//! Each test here failed before `src/session.rs`.

use crate::common::{self, fwreq_in, stderr, stdout, write};
use std::fs;

/// A valid request without lints, titled `title`.
fn spec(title: &str) -> String {
    common::HEADER.replace("title = \"t\"", &format!("title = \"{title}\""))
        + "[[rules]]\nsources = [\"10.0.0.0/24\"]\nports = [443]\ndestinations = [\"a.example.com\"]\n"
}

/// Two teams side by side, `a/` and `b/`, each with its own team file and
/// its own ticket template that names the team.
fn two_teams() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for team in ["a", "b"] {
        write(root, &format!("{team}/fwreq.toml"), "templates = \"tpl\"\n");
        write(
            root,
            &format!("{team}/tpl/ticket.md.j2"),
            &format!("team {team}: {{{{ request.title }}}}\n"),
        );
        write(
            root,
            &format!("{team}/req.toml"),
            &spec(&format!("to {team}")),
        );
    }
    dir
}

#[test]
fn render_renders_each_file_with_its_own_teams_templates() {
    let dir = two_teams();
    let out = fwreq_in(dir.path(), &["render", "a/req.toml", "b/req.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Before: both bodies came from a/'s template ("team a: to b").
    assert_eq!(stdout(&out), "team a: to a\n---\nteam b: to b\n");
}

#[test]
fn site_makes_each_page_with_its_own_teams_templates() {
    let dir = two_teams();
    let out = fwreq_in(dir.path(), &["site", "a", "b", "-o", "out"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = |name: &str| fs::read_to_string(dir.path().join("out").join(name)).unwrap();
    assert!(page("a/req.html").contains("<p>team a: to a</p>"));
    // Before: "team a: to b".
    assert!(page("b/req.html").contains("<p>team b: to b</p>"));
}

#[test]
fn a_teams_denied_warnings_are_errors_on_its_pages_as_in_check() {
    let dir = common::folder_with(&[("fwreq.toml", "deny = [\"warnings\"]\n")]);
    let root = dir.path();
    // No `sources`: a `missing-source` warning, which the team makes an error.
    let text = spec("open").replace("sources = [\"10.0.0.0/24\"]\n", "");
    write(root, "requests/req.toml", &text);
    let checked = fwreq_in(root, &["check", "requests/req.toml"]);
    assert_eq!(checked.status.code(), Some(1));
    let first = "requests/req.toml:7:1: error[missing-source]: this rule has no `sources`: it would open the path from any host";
    common::assert_starts(&stderr(&checked), first);
    let out = fwreq_in(root, &["site", "requests", "-o", "out"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = fs::read_to_string(root.join("out/req.html")).unwrap();
    // Before: the page said `warning[missing-source]` where check said error.
    let shown = format!("<pre>{}", first.replace('/', "&#x2f;"));
    common::assert_contains(&page, &shown);
}

/// A team's own `style.css.j2` styles its pages (inline, as every page is
/// self-contained); the other team's pages keep the built-in one.
#[test]
fn site_styles_each_teams_pages_with_its_own_stylesheet() {
    let dir = two_teams();
    write(dir.path(), "b/tpl/style.css.j2", "body { color: teal; }\n");
    let out = fwreq_in(dir.path(), &["site", "a", "b", "-o", "out"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let style = |page: &str| {
        let text = fs::read_to_string(dir.path().join("out").join(page)).unwrap();
        let doc = scraper::Html::parse_document(&text);
        let selector = scraper::Selector::parse("head style").unwrap();
        doc.select(&selector)
            .map(|s| s.text().collect::<String>())
            .collect::<Vec<_>>()
    };
    assert_eq!(style("b/req.html"), ["\nbody { color: teal; }\n"]);
    let built_in = style("a/req.html");
    assert_eq!(built_in.len(), 1);
    assert!(built_in[0].contains("prefers-color-scheme"), "{built_in:?}");
    assert!(!built_in[0].contains("teal"));
}
