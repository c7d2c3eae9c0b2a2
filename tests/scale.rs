//! Many requests at once (issue 33): enough files that `check` and `site`
//! work on every core, and still the output of one file after another.

use crate::common::{self, HEADER, fwreq_in};

use std::fs;
use std::path::Path;

/// Past the count from which files are read on every core (32).
const FILES: usize = 48;

/// Request `i`: clean, with an error or with a warning, by turns, so each
/// file's diagnostics say which file they came from.
fn request(i: usize) -> String {
    let port = match i % 3 {
        0 => 443,
        1 => 70_000 + i,
        _ => 80,
    };
    format!(
        "{HEADER}[[rules]]\nports = [{port}]\ndestinations = [\"host{i}.example.com\"]\nsources = [\"10.1.2.0/24\"]\n"
    )
}

/// Writes the requests into `dir/requests`; their names in a scrambled
/// order (not the order of their names, nor of their numbers).
fn requests(dir: &Path) -> Vec<String> {
    fs::create_dir(dir.join("requests")).unwrap();
    let mut names = Vec::new();
    for i in 0..FILES {
        let name = format!("requests/r{i:02}.toml");
        fs::write(dir.join(&name), request(i)).unwrap();
        names.push(name);
    }
    (0..FILES)
        .map(|k| names[(k * 7 + 5) % FILES].clone())
        .collect()
}

/// `check` of many files given in some order prints each file's diagnostics
/// in that order, exactly as checking them one by one would.
#[test]
fn check_reports_many_files_in_the_order_given() {
    let dir = tempfile::tempdir().unwrap();
    let names = requests(dir.path());
    let mut expected = String::new();
    for name in &names {
        let one = common::stderr(&fwreq_in(dir.path(), &["check", name]));
        let (diagnostics, summary) = one.trim_end().rsplit_once('\n').unwrap_or(("", &one));
        assert!(summary.starts_with("checked 1 request: "), "{one}");
        if !diagnostics.is_empty() {
            expected.push_str(diagnostics);
            expected.push('\n');
        }
    }
    assert!(expected.contains("error: port 70001"), "{expected}");
    assert!(expected.contains("warning[cleartext-port]"), "{expected}");
    let mut args = vec!["check"];
    args.extend(names.iter().map(String::as_str));
    let all = common::stderr(&fwreq_in(dir.path(), &args));
    let summary = all.lines().last().unwrap();
    assert_eq!(all, format!("{expected}{summary}\n"));
    assert_eq!(
        summary,
        format!("checked {FILES} requests: 16 errors, 16 warnings")
    );
}

/// A site made in a new folder (built hidden beside it, then renamed into
/// place) and one whose every page was made again in its existing folder are
/// the same files, byte for byte; an unchanged rerun changes none of them.
#[test]
fn a_site_is_the_same_made_fresh_remade_or_rerun() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    requests(root);
    let site = |out: &str, today: &str| {
        let done = fwreq_in(root, &["site", "requests", "-o", out, "--today", today]);
        assert_eq!(done.status.code(), Some(1), "{}", common::stderr(&done));
        common::stderr(&done)
    };
    let errors = "fwreq: 16 requests with errors (their pages list them)\n";
    assert_eq!(
        site("fresh", "2026-11-26"),
        format!(
            "site: {} written, 0 unchanged, in fresh\n{errors}",
            FILES + 1
        )
    );
    // Made, then every page edited by hand, then every page made again in
    // its existing folder.
    site("remade", "2026-11-26");
    for entry in fs::read_dir(root.join("remade")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "html") {
            fs::write(path, "edited").unwrap();
        }
    }
    assert_eq!(
        site("remade", "2026-11-26"),
        format!(
            "site: {} written, 0 unchanged, in remade\n{errors}",
            FILES + 1
        )
    );
    let fresh = common::tree(&root.join("fresh"));
    assert_eq!(fresh, common::tree(&root.join("remade")));
    assert_eq!(fresh.len(), FILES + 1, "pages and index");
    assert_eq!(
        site("fresh", "2026-11-26"),
        format!(
            "site: 0 written, {} unchanged, in fresh\n{errors}",
            FILES + 1
        )
    );
    assert_eq!(fresh, common::tree(&root.join("fresh")));
    // Nothing of the hidden folder a fresh site was built in is left.
    let mut left: Vec<String> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["fresh", "remade", "requests"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = fs::metadata(root.join("fresh"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o055, 0o055, "others can read a site ({mode:o})");
    }
}

/// A site's page and index, held byte for byte: issue 33 made `site` fast
/// without changing a byte of what it writes, and this keeps it so.
#[test]
fn a_site_page_and_its_index_are_held_byte_for_byte() {
    let dir = common::examples_folder();
    let done = fwreq_in(
        dir.path(),
        &["site", "requests", "-o", "out", "--today", "2026-11-26"],
    );
    assert_eq!(done.status.code(), Some(0), "{}", common::stderr(&done));
    let read = |name: &str| fs::read_to_string(dir.path().join("out").join(name)).unwrap();
    insta::assert_snapshot!("site-page", read("avilla-calico-registry.html"));
    insta::assert_snapshot!("site-index", read("index.html"));
}

/// A run stopped before its rename (Ctrl-C) leaves its hidden folder; the
/// next fresh site beside it removes it, but keeps one whose process still
/// runs, one not named by a process, and a link.
#[cfg(unix)]
#[test]
fn a_fresh_site_removes_the_hidden_folders_of_stopped_runs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    requests(root);
    // No process has this id (Linux's largest is 4,194,304); process 1 always runs.
    for name in [
        ".fwreq-site-999999999-Ab12",
        ".fwreq-site-1-Cd34",
        ".fwreq-site-x",
    ] {
        fs::create_dir(root.join(name)).unwrap();
        fs::write(root.join(name).join("half.html"), "half").unwrap();
    }
    std::os::unix::fs::symlink(
        root.join(".fwreq-site-x"),
        root.join(".fwreq-site-999999998-Ef56"),
    )
    .unwrap();
    let done = fwreq_in(
        root,
        &["site", "requests", "-o", "out", "--today", "2026-11-26"],
    );
    assert_eq!(done.status.code(), Some(1), "{}", common::stderr(&done));
    let mut left: Vec<String> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            ".fwreq-site-1-Cd34",
            ".fwreq-site-999999998-Ef56",
            ".fwreq-site-x",
            "out",
            "requests"
        ]
    );
    assert!(root.join(".fwreq-site-x/half.html").exists());
}

/// A new site folder named through `..` or `.` is refused before anything
/// is made, naming the path (it was made half, then said to have appeared).
#[test]
fn a_new_site_folder_named_through_dots_is_refused_and_nothing_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    requests(root);
    for out in ["dd/x/..", "nd/."] {
        let done = fwreq_in(root, &["site", "requests", "-o", out]);
        assert_eq!(
            (done.status.code(), common::stderr(&done)),
            (
                Some(2),
                format!(
                    "fwreq: error: {out} does not exist; name the new site folder itself (without a trailing `.` or `..`)\n"
                )
            )
        );
    }
    let mut left: Vec<String> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["requests"]);
}
