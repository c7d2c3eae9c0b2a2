//! The site in a real browser: headless Chromium (Debian's `chromium`) loads
//! the index and a request page, runs the page's script, and prints the DOM it
//! ended with; the test reads that DOM as a person reads the page. `.ci/run`
//! installs Chromium; where there is none, the test says so on stderr and
//! skips, except under CI (`CI` set), where a missing browser fails it: CI
//! can never pass without running it.

use crate::common;

use assert_cmd::cargo::cargo_bin_cmd;
use scraper::{Html, Selector};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The DOM after the page's scripts ran.
fn dom(browser: &Path, page: &Path, profile: &Path) -> Html {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        // Let the page's timers and promises run before the DOM is printed.
        .arg("--virtual-time-budget=1000")
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    common::succeeded(&out);
    Html::parse_document(&String::from_utf8(out.stdout).unwrap())
}

fn texts(doc: &Html, css: &str) -> Vec<String> {
    doc.select(&Selector::parse(css).unwrap())
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

#[test]
fn the_site_reads_right_in_a_real_browser() {
    let Some(browser) = chromium() else {
        return;
    };
    // The site of the examples, and the browser's profile, in one folder.
    let dir = tempfile::tempdir().unwrap();
    let (site, profile) = (dir.path().join("site"), dir.path().join("profile"));
    let out = cargo_bin_cmd!("fwreq")
        .args(["site", "requests", "--today", "2026-11-26", "-o"])
        .arg(&site)
        .output()
        .unwrap();
    common::succeeded(&out);

    let index = dom(&browser, &site.join("index.html"), &profile);
    assert_eq!(texts(&index, "title"), ["Firewall change requests"]);
    let titles = texts(&index, "tbody tr td:first-child a");
    assert_eq!(
        titles,
        [
            "Southfield Kubernetes Observability Vendor Trial Network Config Request",
            "AWS Container Registry Network Config Request",
            "Albion Plant Controllers NTP and Syslog Network Config Request",
        ]
    );

    let page = dom(
        &browser,
        &site.join("avilla-calico-registry.html"),
        &profile,
    );
    for css in ["title", "main h1"] {
        let want = ["AWS Container Registry Network Config Request"];
        assert_eq!(texts(&page, css), want, "{css}");
    }
    let blocks = texts(&page, "main pre");
    assert_eq!(blocks.len(), 2, "Details and Test Process");
    assert!(blocks[0].starts_with("# OCI container registries\ncurl -vv telnet://"));
    // The script ran: a copy button beside each block, and the whole-body button shown.
    assert_eq!(
        texts(&page, "main .code-block > button.copy"),
        ["Copy", "Copy"]
    );
    let whole = first(&page, "#copy-markdown");
    assert!(
        whole.value().attr("hidden").is_none(),
        "shown once the script ran"
    );

    // The copy buttons, clicked: a stand-in clipboard records what they copy
    // (headless Chromium grants no real one), added after the page's own script.
    let page_file = site.join("avilla-calico-registry.html");
    let html = std::fs::read_to_string(&page_file).unwrap();
    let clicked = html.replace(
        "</body>",
        "<script>var copied = [];\n\
         Object.defineProperty(navigator, 'clipboard', { value: { writeText: function (t) { copied.push(t); document.body.setAttribute('data-copied', JSON.stringify(copied)); return Promise.resolve(); } } });\n\
         document.querySelector('main button.copy').click();\n\
         document.getElementById('copy-markdown').click();</script>\n</body>",
    );
    let clicked_file = dir.path().join("clicked.html");
    std::fs::write(&clicked_file, clicked).unwrap();
    let after = dom(&browser, &clicked_file, &profile);
    let body = first(&after, "body");
    let copied: Vec<String> =
        serde_json::from_str(body.value().attr("data-copied").unwrap()).unwrap();
    let markdown = cargo_bin_cmd!("fwreq")
        .args(["render", "requests/avilla-calico-registry.toml"])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(copied.len(), 2);
    assert_eq!(
        copied[0].trim_end(),
        blocks[0],
        "the first code block, as shown"
    );
    assert_eq!(copied[1].as_bytes(), markdown, "the whole Markdown body");
    assert_eq!(texts(&after, "#copy-markdown"), ["Copied"]);

    // A picture for a person to look at: target/browser/.
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&shots).unwrap();
    for (name, file) in [
        ("index.png", "index.html"),
        ("page.png", "avilla-calico-registry.html"),
    ] {
        let status = Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--hide-scrollbars",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--screenshot={}", shots.join(name).display()))
            .arg("--window-size=1280,1400")
            .arg(format!("file://{}", site.join(file).display()))
            .output()
            .unwrap();
        assert!(status.status.success());
    }
    eprintln!("screenshots in {}", shots.display());
}

/// The first element `css` selects.
fn first<'a>(doc: &'a Html, css: &str) -> scraper::ElementRef<'a> {
    doc.select(&Selector::parse(css).unwrap()).next().unwrap()
}

/// Chromium on the PATH, or `None` (the test skipped: see the module doc).
fn chromium() -> Option<PathBuf> {
    common::tool_on_path(&["chromium", "chromium-browser", "google-chrome"])
}

/// A folder with a copy of the examples ([`common::examples_folder`]), the `extra` files and `broken.toml`,
/// a file with errors, in `requests/`, made by `fwreq site` (exit 1, for the
/// broken file) as of 2026-11-26 into `site/`: the folder and the site.
fn site_with_a_broken_file(extra: &[(&str, String)]) -> (tempfile::TempDir, PathBuf) {
    let dir = common::examples_folder();
    let requests = dir.path().join("requests");
    for (name, text) in extra {
        std::fs::write(requests.join(name), text).unwrap();
    }
    std::fs::write(requests.join("broken.toml"), "title = \"t\"\n").unwrap();
    let site = dir.path().join("site");
    let out = cargo_bin_cmd!("fwreq")
        .args(["site", "--today", "2026-11-26", "-o"])
        .arg(&site)
        .arg(&requests)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "broken.toml has errors");
    (dir, site)
}

/// Runs `tests/axe/SCRIPT BROWSER ARGS...` under node with the npm
/// `modules`; it must succeed, and its stdout is JSON.
fn node(modules: &Path, script: &str, browser: &Path, args: &[PathBuf]) -> serde_json::Value {
    let out = Command::new("node")
        .arg(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/axe")
                .join(script),
        )
        .arg(browser)
        .args(args)
        .env("NODE_PATH", modules)
        .output()
        .unwrap();
    common::succeeded(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Chromium and the npm modules for `check` (see [`axe_modules`]), or
/// `None` after saying on stderr that the test is skipped; under CI a
/// missing one fails it.
fn chromium_and_npm(check: &str) -> Option<(PathBuf, PathBuf)> {
    let browser = chromium()?;
    match axe_modules() {
        Ok(modules) => Some((browser, modules)),
        Err(why) => {
            common::skip(&format!("{check}: {why}"));
            None
        }
    }
}

/// The npm modules the axe check needs (`.ci/run` installs them into
/// target/npm), or why they cannot be used.
fn axe_modules() -> Result<PathBuf, String> {
    let dir = std::env::var_os("FWREQ_NPM_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/npm"),
        PathBuf::from,
    );
    let modules = dir.join("node_modules");
    if Command::new("node").arg("--version").output().is_err() {
        return Err("node not found (apt-get install nodejs npm; .ci/run does)".into());
    }
    for module in ["axe-core", "puppeteer-core"] {
        if !modules.join(module).join("package.json").is_file() {
            return Err(format!(
                "{module} not in {} (.ci/run installs it with npm)",
                modules.display()
            ));
        }
    }
    Ok(modules)
}

/// Every page kind (index, a ticket, a request with errors) through axe-core
/// in light and dark mode: no serious or critical violation, no Copy button
/// over a code block, no wrapped date. The site is made from an absolute
/// folder, whose path the index must not show.
#[test]
fn the_pages_pass_axe_in_light_and_dark_mode() {
    let Some((browser, modules)) = chromium_and_npm("the axe check") else {
        return;
    };
    let (dir, site) = site_with_a_broken_file(&[]);
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        !index.contains(&*dir.path().to_string_lossy()),
        "an absolute path on the index"
    );
    let doc = Html::parse_document(&index);
    assert_eq!(
        texts(&doc, "tbody td:first-child .muted:not(.zones)"),
        [
            "southfield-observability.toml",
            "avilla-calico-registry.toml",
            "albion-plant-time-and-logs.toml",
            "broken.toml",
        ]
    );
    for page in ["index.html", "avilla-calico-registry.html", "broken.html"] {
        let doc = Html::parse_document(&std::fs::read_to_string(site.join(page)).unwrap());
        assert_eq!(texts(&doc, "main").len(), 1, "{page}: one <main>");
        assert_eq!(texts(&doc, "h1").len(), 1, "{page}: one <h1>");
    }
    let pages: Vec<PathBuf> = ["index.html", "avilla-calico-registry.html", "broken.html"]
        .iter()
        .map(|p| site.join(p))
        .collect();
    let faults = node(&modules, "check.js", &browser, &pages);
    assert_eq!(faults, serde_json::json!([]), "{faults:#}");
}

/// The index at a desktop width (1280 px) and a phone's (390 px): nothing
/// reaches past the window (the page never scrolls sideways), no sort button
/// is drawn over another, no "->" and no
/// word of a title or path is split across lines, the filter box the script
/// shows keeps the rows holding every word typed. As written (no script),
/// the box is hidden and every request listed. Expired and expiring requests
/// say so in words; a file with errors says "invalid" where counts would be.
/// The screenshots are for a person to look at (target/tmp/browser/).
#[test]
fn the_index_fits_a_desktop_and_a_phone() {
    let Some((browser, modules)) = chromium_and_npm("the layout check") else {
        return;
    };
    // Two copies of an example, one past its expiry and one within 30 days of
    // it (the site is made as of 2026-11-26), and a file with errors.
    let albion = std::fs::read_to_string("requests/albion-plant-time-and-logs.toml").unwrap();
    let old_title = "title = \"Albion Plant Controllers NTP and Syslog Network Config Request\"\n";
    assert!(albion.contains(old_title));
    let copies = [
        ("expired.toml", "Expired NTP trial", "2026-11-01"),
        ("expiring.toml", "Expiring syslog trial", "2026-12-10"),
    ]
    .map(|(name, title, expires)| {
        let text = albion.replace(
            old_title,
            &format!("title = \"{title}\"\nexpires = {expires}\n"),
        );
        (name, text)
    });
    let (_dir, site) = site_with_a_broken_file(&copies);

    let index = site.join("index.html");
    let doc = Html::parse_document(&std::fs::read_to_string(&index).unwrap());
    let filter_box = first(&doc, "#filter-box");
    assert!(
        filter_box.value().attr("hidden").is_some(),
        "no script, no filter box"
    );
    assert_eq!(texts(&doc, "tbody tr").len(), 6);
    for (css, want) in [
        ("tr.expired td.title a", "Expired NTP trial"),
        ("tr.expired td.date + td.date", "2026-11-01 expired"),
        ("tr.expiring td.title a", "Expiring syslog trial"),
        ("tr.expiring td.date + td.date", "2026-12-10 expiring"),
    ] {
        assert_eq!(texts(&doc, css), [want], "{css}");
    }
    assert_eq!(
        texts(&doc, "tr.invalid td.num"),
        ["invalid", "invalid", "invalid"]
    );
    // The example with a RITM but no status: filed, its status never recorded.
    let filed: Vec<String> = doc
        .select(&Selector::parse("tbody tr").unwrap())
        .filter(|row| {
            row.select(&Selector::parse("td.status .filed").unwrap())
                .any(|e| e.text().collect::<String>() == "has a RITM: status not recorded")
        })
        .map(|row| {
            row.select(&Selector::parse("td.title a").unwrap())
                .map(|a| a.text().collect::<String>())
                .collect()
        })
        .collect();
    assert_eq!(
        filed,
        ["Southfield Kubernetes Observability Vendor Trial Network Config Request"]
    );
    assert_eq!(
        texts(&doc, "tr:not(.invalid) td.num").len(),
        15,
        "5 valid rows of counts"
    );

    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&shots).unwrap();
    let found = node(&modules, "fit.js", &browser, &[index, shots.clone()]);
    let fits = |width: u32| {
        serde_json::json!({
            "inner": width,
            "scrollWidth": width,
            "overflowing": [],
            "overlapping": [],
            "split": [],
            "filterShown": true,
            "filtered": {
                "shown": ["Southfield Kubernetes Observability Vendor Trial Network Config Request"],
                "count": "1 of 6 shown",
            },
        })
    };
    assert_eq!(
        found,
        serde_json::json!({ "1280": fits(1280), "390": fits(390) }),
        "{found:#}"
    );
    eprintln!("screenshots in {}", shots.display());
}
