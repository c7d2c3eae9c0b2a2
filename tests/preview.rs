//! `fwreq preview`: pages in one folder of this user's, old ones removed, and
//! an opener that fails is reported.

use crate::common;

use assert_cmd::cargo::cargo_bin_cmd;
use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

const REQUEST: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/requests/avilla-calico-registry.toml"
);

/// `fwreq preview REQUEST` with `xdg-open` replaced by `opener` (a shell
/// script) and the runtime folder in `runtime`.
fn preview(runtime: &Path, opener: &str) -> std::process::Output {
    let bin = runtime.join("bin");
    fs::create_dir_all(&bin).unwrap();
    let script = bin.join("xdg-open");
    fs::write(&script, format!("#!/bin/sh\n{opener}\n")).unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    cargo_bin_cmd!("fwreq")
        .args(["preview", REQUEST])
        .env("PATH", path)
        .env("XDG_RUNTIME_DIR", runtime)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn a_failing_opener_is_reported_with_its_exit_code_and_words() {
    let runtime = tempfile::tempdir().unwrap();
    let out = preview(
        runtime.path(),
        // Slow to fail, so a preview that stopped waiting at once would
        // miss the failure however the machine is loaded.
        "sleep 0.3; echo 'xdg-open: no method available for opening' >&2; exit 3",
    );
    assert_eq!(
        (out.status.code(), common::stderr(&out).as_str()),
        (
            Some(2),
            "fwreq: error: xdg-open failed (exit code 3): xdg-open: no method available for opening; open the page above in a browser\n"
        )
    );
    // The page is there all the same, its path printed.
    assert!(Path::new(common::stdout(&out).trim()).is_file());
    let out = preview(runtime.path(), "exit 0");
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    assert_eq!(common::stderr(&out), "");
    // An opener that stays (xdg-open until its browser exits) is left to
    // run after a few seconds: preview does not wait for the browser.
    let started = std::time::Instant::now();
    let out = preview(runtime.path(), "exec sleep 60");
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    assert!(started.elapsed() < std::time::Duration::from_secs(40));
}

#[test]
fn previews_live_in_one_folder_of_the_user_and_old_ones_go() {
    let runtime = tempfile::tempdir().unwrap();
    let folder = runtime.path().join("fwreq-preview");
    fs::create_dir(&folder).unwrap();
    fs::set_permissions(&folder, fs::Permissions::from_mode(0o700)).unwrap();
    let old = folder.join("fwreq-preview-old.html");
    let recent = folder.join("fwreq-preview-recent.html");
    let other = folder.join("notes.txt");
    for file in [&old, &recent, &other] {
        fs::write(file, "x").unwrap();
    }
    for file in [&old, &other] {
        let touched = std::process::Command::new("touch")
            .args(["-d", "2 hours ago"])
            .arg(file)
            .status()
            .unwrap();
        assert!(touched.success());
    }
    let out = preview(runtime.path(), "exit 0");
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let page = std::path::PathBuf::from(common::stdout(&out).trim());
    assert_eq!(page.parent(), Some(folder.as_path()));
    assert!(!old.exists(), "an old preview stays");
    assert!(
        recent.exists() && other.exists(),
        "a recent preview or another file went"
    );
    // A runtime folder that is not there: the preview folder cannot be made.
    let missing = runtime.path().join("gone");
    let out = cargo_bin_cmd!("fwreq")
        .args(["preview", "--no-open", REQUEST])
        .env("XDG_RUNTIME_DIR", &missing)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        common::stderr(&out),
        format!(
            "fwreq: error: cannot create the preview folder {}: No such file or directory (os error 2)\n",
            missing.join("fwreq-preview").display()
        ),
    );
    // A folder others can open is refused: they could read or swap the pages.
    fs::set_permissions(&folder, fs::Permissions::from_mode(0o777)).unwrap();
    let out = preview(runtime.path(), "exit 0");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        common::stderr(&out),
        format!(
            "fwreq: error: {} is not a folder of yours that only you can open; remove it and preview again\n",
            folder.display()
        )
    );
}

/// As a user other than root (`nobody`, through `setpriv`), which is how
/// fwreq runs everywhere but on the test hosts: without a runtime folder,
/// the preview folder is in the temporary folder, named by the user's id,
/// and theirs alone.
#[test]
fn another_user_gets_a_preview_folder_of_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::set_permissions(root, fs::Permissions::from_mode(0o755)).unwrap();
    let tmp = root.join("tmp");
    fs::create_dir(&tmp).unwrap();
    fs::set_permissions(&tmp, fs::Permissions::from_mode(0o1777)).unwrap();
    // Copies nobody can read and run, wherever this checkout lies.
    let bin = root.join("fwreq");
    fs::copy(env!("CARGO_BIN_EXE_fwreq"), &bin).unwrap();
    common::copy_example(REQUEST, root.join("a.toml"));
    let as_nobody = |program: &Path| {
        let mut command = std::process::Command::new("setpriv");
        command
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(program)
            .current_dir(root);
        command
    };
    let can = as_nobody(Path::new("true")).status();
    if !can.as_ref().is_ok_and(|s| s.success()) {
        common::skip(&format!(
            "another_user_gets_a_preview_folder: setpriv cannot run a program as nobody (not root?): {can:?}"
        ));
        return;
    }
    let out = as_nobody(&bin)
        .args(["preview", "--no-open", "a.toml"])
        .env_remove("XDG_RUNTIME_DIR")
        .env("TMPDIR", &tmp)
        .env("HOME", root)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let folder = tmp.join("fwreq-preview-65534");
    let page = std::path::PathBuf::from(common::stdout(&out).trim());
    assert_eq!(page.parent(), Some(folder.as_path()));
    let meta = fs::symlink_metadata(&folder).unwrap();
    use std::os::unix::fs::MetadataExt as _;
    assert!(meta.is_dir());
    assert_eq!((meta.uid(), meta.mode() & 0o777), (65534, 0o700));
}
