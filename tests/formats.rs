//! The formats after Markdown, `preview`, `site` and `--copy`, as the CLI
//! sessions an engineer runs. Whether spec text became markup is judged by
//! parsing the output as a browser would (html5ever), never by searching it.

use crate::common;

use common::fwreq_in;

use assert_cmd::cargo::cargo_bin_cmd;
use base64::Engine as _;
use scraper::{Html, Selector};
use std::fs;

/// A spec with markup in every text field a person writes.
const HOSTILE: &str = r#"title = "<script>alert('title')</script> Registry"
project = "<img src=x onerror=alert(1)> Plant"
request = "Open [this](javascript:alert(1)) and <a href=\"javascript:alert(2)\">that</a> <b onmouseover=alert(3)>now</b>"
reason = "<iframe src=\"https://evil.example\"></iframe> ![x](https://evil.example/t.gif) <svg onload=alert(4)>"
affected_apps = ["<style>body{display:none}</style>", "[ok](https://example.com)", "<a href='data:text/html,x'>d</a>"]
justification = "<details open ontoggle=alert(5)>x</details> [code]<script>alert(6)</script>[/code] [/code]"
change = "<object data=x></object><embed src=x><form action=x><input autofocus onfocus=alert(7)>"
requested_by = "<marquee>John</marquee>"
[[rules]]
comment = "<script>alert(8)</script>"
sources = ["10.1.2.0/24"]
ports = [443]
destinations = ["a.example.com"]
[test]
steps = ["<img src=y onerror=alert(9)>"]
commands = ["echo '</pre><script>alert(10)</script>'", "</code></pre><img src=z onerror=alert(11)>"]
"#;

/// The elements and attributes a page may hold that could run or load anything.
fn assert_inert(html: &str, our_scripts: usize, what: &str) {
    let doc = Html::parse_document(html);
    let all = Selector::parse("*").unwrap();
    let mut scripts = 0;
    for el in doc.select(&all) {
        let name = el.value().name();
        // fwreq's own filter box on the site index: a search field, nothing more.
        if name == "input"
            && el.value().id() == Some("filter")
            && {
                let mut attrs: Vec<&str> = el.value().attrs().map(|(a, _)| a).collect();
                attrs.sort_unstable();
                attrs == ["autocomplete", "id", "spellcheck", "type"]
            }
            && el.value().attr("type") == Some("search")
        {
            assert_eq!(
                doc.select(&Selector::parse("input").unwrap()).count(),
                1,
                "{what}: one filter box"
            );
            continue;
        }
        assert!(
            ![
                "iframe", "object", "embed", "img", "svg", "math", "form", "input", "details",
                "marquee", "base", "link", "video", "audio",
            ]
            .contains(&name),
            "{what}: a live <{name}> element"
        );
        if name == "script" {
            scripts += 1;
            assert!(
                el.text()
                    .collect::<String>()
                    .contains("Copy buttons: one per code block"),
                "{what}: a script that is not fwreq's own"
            );
        }
        for (attr, value) in el.value().attrs() {
            assert!(!attr.starts_with("on"), "{what}: <{name} {attr}=...>");
            if ["href", "src", "action", "data", "formaction"].contains(&attr) {
                let v = value.trim().to_ascii_lowercase();
                assert!(
                    v.starts_with("https://")
                        || v.starts_with("http://")
                        || v.starts_with("mailto:")
                        || (!v.contains(':') && attr == "href"),
                    "{what}: <{name} {attr}=\"{value}\">"
                );
            }
        }
    }
    assert_eq!(scripts, our_scripts, "{what}: script elements");
}

/// The text of the first element `css` selects in `doc`.
fn first_text(doc: &Html, css: &str) -> String {
    doc.select(&Selector::parse(css).unwrap())
        .next()
        .unwrap()
        .text()
        .collect()
}

/// The text a reader sees must still hold what the spec said, as text.
fn text_of(html: &str) -> String {
    Html::parse_document(html).root_element().text().collect()
}

#[test]
fn a_hostile_spec_renders_without_one_live_element_in_any_format() {
    let dir = common::folder_with(&[("evil.toml", HOSTILE)]);
    // html: a whole page with fwreq's one script.
    let out = fwreq_in(dir.path(), &["render", "--format", "html", "evil.toml"]);
    common::succeeded(&out);
    let page = String::from_utf8(out.stdout).unwrap();
    assert_inert(&page, 1, "html");
    let doc = Html::parse_document(&page);
    let title = doc
        .select(&Selector::parse("title").unwrap())
        .next()
        .unwrap();
    assert_eq!(
        title.text().collect::<String>(),
        "<script>alert('title')</script> Registry"
    );
    let pres: Vec<String> = doc
        .select(&Selector::parse("main pre").unwrap())
        .map(|p| p.text().collect())
        .collect();
    assert!(
        pres.iter()
            .any(|p| p.contains("echo '</pre><script>alert(10)</script>'")),
        "the test command stays text inside its block: {pres:?}"
    );
    let text = text_of(&page);
    common::assert_contains(&text, "<img src=x onerror=alert(1)> Plant");
    // servicenow: one [code] fragment, no live element inside.
    let out = fwreq_in(
        dir.path(),
        &["render", "--format", "servicenow", "evil.toml"],
    );
    let fragment = String::from_utf8(out.stdout).unwrap();
    let inner = fragment
        .trim_end()
        .strip_prefix("[code]")
        .and_then(|f| f.strip_suffix("[/code]"))
        .unwrap();
    assert!(
        !inner.contains("[/code]") && !inner.contains("[code]"),
        "spec text closed the block"
    );
    assert_inert(inner, 0, "servicenow");
    // json: its work_notes are the same fragment.
    let out = fwreq_in(dir.path(), &["render", "--format", "json", "evil.toml"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["work_notes"].as_str().unwrap(), fragment.trim_end());
    assert_eq!(
        json["short_description"],
        "<script>alert('title')</script> Registry"
    );
    // site: the page and the index.
    let out = fwreq_in(
        dir.path(),
        &["site", ".", "-o", "site", "--today", "2026-11-26"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_inert(
        &fs::read_to_string(dir.path().join("site/evil.html")).unwrap(),
        1,
        "site page",
    );
    assert_inert(
        &fs::read_to_string(dir.path().join("site/index.html")).unwrap(),
        1,
        "site index",
    );
}

#[test]
fn raw_html_in_a_spec_is_a_lint() {
    let (code, stderr) = common::check(HOSTILE, &["--today", "2026-11-26"]);
    assert_eq!(code, 0);
    let first: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("req.toml:"))
        .collect();
    assert_eq!(
        first[..2],
        [
            "req.toml:1:9: warning[raw-html]: `title` holds raw HTML (`<script>`): the ticket shows it as text, not as markup",
            "req.toml:2:11: warning[raw-html]: `project` holds raw HTML (`<img src=x onerror=alert(1)>`): the ticket shows it as text, not as markup",
        ]
    );
    assert_eq!(
        first.iter().filter(|l| l.contains("[raw-html]")).count(),
        11,
        "{stderr}"
    );
}

#[test]
fn a_body_over_four_thousand_characters_is_a_lint() {
    let names: Vec<String> = (0..120)
        .map(|i| format!("\"host-{i}.example.com\""))
        .collect();
    let text = format!(
        "{}[[rules]]\nsources = [\"10.1.2.0/24\"]\nports = [443]\ndestinations = [{}]\n",
        common::HEADER,
        names.join(", ")
    );
    let (code, stderr) = common::check(&text, &["--today", "2026-11-26"]);
    assert_eq!(code, 0);
    let line = stderr.lines().next().unwrap();
    common::assert_starts(
        line,
        "req.toml:1:9: warning[body-too-long]: the rendered body is ",
    );
    assert!(line.ends_with(" characters; ServiceNow's description field holds 4000 by default"));
    let (_, quiet) = common::check(
        &text,
        &["--today", "2026-11-26", "--allow", "body-too-long"],
    );
    assert_eq!(quiet, "checked 1 request: 0 errors, 0 warnings\n");
    // The pages a reviewer opens show it too: the site's and the preview's.
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("requests")).unwrap();
    fs::write(dir.path().join("requests/long.toml"), &text).unwrap();
    let out = common::fwreq_in(dir.path(), &["site", "requests", "-o", "site"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let out = common::fwreq_in(dir.path(), &["preview", "--no-open", "requests/long.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let preview = common::stdout(&out).trim().to_string();
    for page in [dir.path().join("site/long.html"), preview.into()] {
        let doc = Html::parse_document(&fs::read_to_string(&page).unwrap());
        let warnings: Vec<String> = doc
            .select(&Selector::parse("section.warnings pre").unwrap())
            .map(|pre| pre.text().collect())
            .collect();
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("warning[body-too-long]: the rendered body is ")),
            "{}: {warnings:?}",
            page.display()
        );
    }
}

#[test]
fn copy_sends_the_output_through_the_terminal() {
    let bin = assert_cmd::cargo::cargo_bin!("fwreq");
    // `script` gives the command a pseudo terminal and records what reaches it.
    let dir = tempfile::tempdir().unwrap();
    let typescript = dir.path().join("typescript");
    let command = format!(
        "{} render requests/albion-plant-time-and-logs.toml --copy",
        bin.display()
    );
    let status = std::process::Command::new("script")
        .args(["-qec", &command])
        .arg(&typescript)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .status();
    let Ok(status) = status else {
        eprintln!("skipped: no `script` command (util-linux) to make a pseudo terminal");
        return;
    };
    assert!(status.success());
    let seen = fs::read_to_string(&typescript).unwrap();
    let start = seen.find("\x1b]52;c;").expect("an OSC 52 sequence") + "\x1b]52;c;".len();
    let end = start + seen[start..].find('\x07').unwrap();
    let copied = base64::engine::general_purpose::STANDARD
        .decode(&seen[start..end])
        .unwrap();
    let rendered = cargo_bin_cmd!("fwreq")
        .args(["render", "requests/albion-plant-time-and-logs.toml"])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(copied, rendered);
    assert!(seen.contains(&format!(
        "copied {} characters (markdown) to the clipboard through the terminal",
        String::from_utf8(rendered).unwrap().chars().count()
    )));
    // Without a terminal: a clear error, exit 2.
    let out = cargo_bin_cmd!("fwreq")
        .args([
            "render",
            "requests/albion-plant-time-and-logs.toml",
            "--copy",
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    if out.status.code() == Some(2) {
        assert!(String::from_utf8(out.stderr).unwrap().starts_with(
            "fwreq: error: --copy needs a terminal to send the text through (OSC 52), and this process has none"
        ));
    }
}

#[test]
fn preview_writes_a_page_and_prints_its_path() {
    let out = cargo_bin_cmd!("fwreq")
        .args([
            "preview",
            "--no-open",
            "requests/avilla-calico-registry.toml",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let path = String::from_utf8(out.stdout).unwrap().trim().to_string();
    common::assert_ends(&path, ".html");
    let page = fs::read_to_string(&path).unwrap();
    fs::remove_file(&path).unwrap();
    let doc = Html::parse_document(&page);
    let h1: String = first_text(&doc, "main h1");
    assert_eq!(h1, "AWS Container Registry Network Config Request");
    assert_inert(&page, 1, "preview");
}

#[test]
fn site_mirrors_paths_lists_every_request_and_leaves_unchanged_files_alone() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("requests");
    fs::create_dir_all(root.join("plant")).unwrap();
    common::copy_example(
        "requests/avilla-calico-registry.toml",
        root.join("avilla.toml"),
    );
    common::copy_example(
        "requests/southfield-observability.toml",
        root.join("plant/southfield.toml"),
    );
    fs::write(
        root.join("plant/bad.toml"),
        format!(
            "{}[[rules]]\nports = [70000]\ndestinations = [\"a.example.com\"]\n",
            common::HEADER
        ),
    )
    .unwrap();
    let out = fwreq_in(
        dir.path(),
        &["site", "requests", "-o", "out", "--today", "2026-11-26"],
    );
    assert_eq!(out.status.code(), Some(1), "a request with errors");
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "site: 4 written, 0 unchanged, in out\nfwreq: 1 request with errors (their pages list them)\n"
    );
    for page in [
        "out/index.html",
        "out/avilla.html",
        "out/plant/southfield.html",
        "out/plant/bad.html",
    ] {
        assert!(dir.path().join(page).is_file(), "{page}");
    }
    let index =
        Html::parse_document(&fs::read_to_string(dir.path().join("out/index.html")).unwrap());
    let rows: Vec<Vec<String>> = index
        .select(&Selector::parse("tbody tr").unwrap())
        .map(|tr| {
            tr.select(&Selector::parse("td").unwrap())
                .map(|td| td.text().collect::<String>().trim().to_string())
                .collect()
        })
        .collect();
    let firsts: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r[1].as_str(), r[3].as_str(), r[4].as_str()))
        .collect();
    assert_eq!(
        firsts,
        [
            (
                "RITM0201877",
                "draft has a RITM: status not recorded",
                "2026-11-20 09:15:00-05:00"
            ),
            ("RITM0194104", "submitted", "2025-03-14 16:28:49"),
            ("", "1 error", ""),
        ],
        "newest first, the broken one last; a draft with a RITM says so"
    );
    let links: Vec<&str> = index
        .select(&Selector::parse("tbody a").unwrap())
        .map(|a| a.value().attr("href").unwrap())
        .collect();
    assert_eq!(
        links,
        ["plant/southfield.html", "avilla.html", "plant/bad.html"]
    );
    let bad =
        Html::parse_document(&fs::read_to_string(dir.path().join("out/plant/bad.html")).unwrap());
    let errors: String = first_text(&bad, ".errors pre");
    common::assert_starts(
        &errors,
        "requests/plant/bad.toml:8:10: error: port 70000 is out of range",
    );
    let home = bad
        .select(&Selector::parse("nav a").unwrap())
        .next()
        .unwrap();
    assert_eq!(home.value().attr("href"), Some("../index.html"));
    // Again: nothing changed, nothing rewritten (modification times kept).
    let before = fs::metadata(dir.path().join("out/avilla.html"))
        .unwrap()
        .modified()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let out = fwreq_in(
        dir.path(),
        &["site", "requests", "-o", "out", "--today", "2026-11-26"],
    );
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .starts_with("site: 0 written, 4 unchanged, in out\n")
    );
    let after = fs::metadata(dir.path().join("out/avilla.html"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after);
}

#[test]
fn several_requests_in_json_are_one_array_of_their_records() {
    let files = [
        "requests/avilla-calico-registry.toml",
        "requests/albion-plant-time-and-logs.toml",
    ];
    let json = |files: &[&str]| -> serde_json::Value {
        let out = cargo_bin_cmd!("fwreq")
            .arg("render")
            .args(files)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let both = json(&files);
    assert_eq!(
        both,
        serde_json::Value::Array(vec![json(&files[..1]), json(&files[1..])])
    );
}

/// A rerun makes again only the pages whose inputs changed (the request,
/// the templates, the day, the page itself), and what it leaves is byte for
/// byte the site a fresh run makes.
#[test]
fn site_remakes_only_what_changed_and_matches_a_fresh_build() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("requests")).unwrap();
    for example in common::examples() {
        common::copy_example(
            &example,
            root.join("requests").join(example.file_name().unwrap()),
        );
    }
    let count = common::examples().len();
    let site = |out: &str, today: &str| {
        let done = fwreq_in(root, &["site", "requests", "-o", out, "--today", today]);
        common::succeeded(&done);
        String::from_utf8(done.stderr).unwrap()
    };
    assert_eq!(
        site("out", "2026-11-26"),
        format!("site: {} written, 0 unchanged, in out\n", count + 1)
    );
    assert!(root.join("out/.fwreq-site.json").is_file());
    // One request's title changed: its page and the index, nothing else.
    let changed = root.join("requests/avilla-calico-registry.toml");
    let text = fs::read_to_string(&changed).unwrap();
    assert!(text.contains("title = \"AWS Container Registry"));
    fs::write(
        &changed,
        text.replace("title = \"AWS Container Registry", "title = \"AWS Registry"),
    )
    .unwrap();
    assert_eq!(
        site("out", "2026-11-26"),
        format!("site: 2 written, {} unchanged, in out\n", count - 1)
    );
    assert_eq!(site("fresh", "2026-11-26").lines().count(), 1);
    assert_eq!(
        common::tree(&root.join("out")),
        common::tree(&root.join("fresh"))
    );
    // A page edited by hand is made again.
    fs::write(root.join("out/avilla-calico-registry.html"), "edited").unwrap();
    assert_eq!(
        site("out", "2026-11-26"),
        format!("site: 1 written, {count} unchanged, in out\n")
    );
    assert_eq!(
        common::tree(&root.join("out")),
        common::tree(&root.join("fresh"))
    );
    // Another day (expiry warnings move) remakes every page it changes.
    site("out", "2027-06-01");
    site("fresh2", "2027-06-01");
    assert_eq!(
        common::tree(&root.join("out")),
        common::tree(&root.join("fresh2"))
    );
    // A template of the team's own remakes every page.
    fs::create_dir(root.join("tpl")).unwrap();
    fs::write(root.join("tpl/page.html.j2"), "{{ title }}\n").unwrap();
    let done = fwreq_in(
        root,
        &[
            "site",
            "requests",
            "-o",
            "out",
            "--today",
            "2027-06-01",
            "--templates",
            "tpl",
        ],
    );
    assert_eq!(
        String::from_utf8(done.stderr).unwrap(),
        format!("site: {count} written, 1 unchanged, in out\n")
    );
}
