//! The user's files, links and folders under hostile or unusual conditions
//! (issue 16): what the writing commands (`record`, `render -o`, `site`,
//! `new`) will and will not touch, what the reading ones (`check`, `list`,
//! `site`) will not read, and which team file (`fwreq.toml`) is trusted.
//! Each test is the CLI session that showed the problem.

use crate::common;
use common::write;

use std::fs;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _, symlink};
use std::path::Path;
use std::process::Output;

use common::{fwreq_in as fwreq, stderr, stdout};

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).unwrap()
}

fn chmod(dir: &Path, name: &str, mode: u32) {
    fs::set_permissions(dir.join(name), fs::Permissions::from_mode(mode)).unwrap();
}

/// A valid request, titled `title`.
fn spec(title: &str) -> String {
    common::HEADER.replace("title = \"t\"", &format!("title = \"{title}\""))
        + "\n[[rules]]\nsources = [\"10.0.0.0/24\"]\nports = [443]\ndestinations = [\"a.example.com\"]\n"
}

/// `check` of `requests/` with its diagnostics as JSON.
const CHECK_JSON: &[&str] = &[
    "check",
    "requests",
    "--today",
    "2026-11-26",
    "--format",
    "json",
];

fn with_ritm(text: &str) -> String {
    text.replace(
        "justification = \"j\"\n",
        "justification = \"j\"\nritm = \"RITM0194104\"\n",
    )
}

/// The uid of `nobody`, when this test runs as root and can give a file
/// away; otherwise None, with the reason printed (the test is then skipped).
fn nobody(dir: &Path, test: &str) -> Option<u32> {
    let probe = dir.join(".chown-probe");
    fs::write(&probe, "").unwrap();
    let given = std::os::unix::fs::chown(&probe, Some(65534), Some(65534));
    fs::remove_file(&probe).unwrap();
    match given {
        Ok(()) => Some(65534),
        Err(e) => {
            eprintln!("skipped {test}: cannot chown a file to nobody (not root?): {e}");
            None
        }
    }
}

/// A fresh folder and [`nobody`]'s uid, or `None` (the test skipped).
fn folder_and_nobody(test: &str) -> Option<(tempfile::TempDir, u32)> {
    let dir = tempfile::tempdir().unwrap();
    let uid = nobody(dir.path(), test)?;
    Some((dir, uid))
}

/// `fwreq check requests --today 2026-11-26` in `root`.
fn check_requests(root: &Path) -> Output {
    fwreq(root, &["check", "requests", "--today", "2026-11-26"])
}

/// A fresh folder with [`spec`] `a` as `requests/a.toml`, and `files`.
fn with_request_a(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = common::folder_with(files);
    write(dir.path(), "requests/a.toml", &spec("a"));
    dir
}

fn chown_nobody(dir: &Path, name: &str) {
    std::os::unix::fs::chown(dir.join(name), Some(65534), Some(65534)).unwrap();
}

// 1. Links.

#[test]
fn record_through_a_symlink_writes_the_real_spec_and_keeps_the_link() {
    let dir = common::folder_with(&[("shared/a.toml", &spec("t"))]);
    let root = dir.path();
    fs::create_dir(root.join("requests")).unwrap();
    symlink("../shared/a.toml", root.join("requests/a.toml")).unwrap();
    common::assert_run(
        root,
        &["record", "requests/a.toml", "--ritm", "RITM0194104"],
        0,
        "requests/a.toml: ritm = RITM0194104\n",
    );
    assert!(
        fs::symlink_metadata(root.join("requests/a.toml"))
            .unwrap()
            .file_type()
            .is_symlink(),
        "still a link"
    );
    assert_eq!(read(root, "shared/a.toml"), with_ritm(&spec("t")));
}

#[test]
fn record_refuses_a_hard_linked_spec_unless_forced() {
    let dir = common::folder_with(&[("a.toml", &spec("t"))]);
    let root = dir.path();
    fs::hard_link(root.join("a.toml"), root.join("copy.toml")).unwrap();
    common::assert_run(
        root,
        &["record", "a.toml", "--ritm", "RITM0194104"],
        2,
        "fwreq: error: a.toml has 2 hard links; replacing it would leave the other names with the old text; it is unchanged (add --force to write it anyway)\n",
    );
    assert_eq!(read(root, "a.toml"), spec("t"));
    let out = fwreq(
        root,
        &["record", "a.toml", "--ritm", "RITM0194104", "--force"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(read(root, "a.toml").contains("RITM0194104"));
}

// 2. Two writers at once.

#[test]
fn twenty_records_at_once_each_land_or_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    write(&root, "a.toml", &spec("t"));
    let flags = |i: usize| -> [String; 2] {
        match i % 4 {
            0 => ["--ritm".into(), format!("RITM01941{i:02}")],
            1 => ["--req".into(), format!("REQ01940{i:02}")],
            2 => [
                "--submitted".into(),
                format!("2026-11-{:02}T10:15:00", i + 1),
            ],
            _ => ["--status".into(), "submitted".into()],
        }
    };
    let runs: Vec<_> = (0..20)
        .map(|i| {
            let root = root.clone();
            std::thread::spawn(move || {
                let [flag, value] = flags(i);
                let out = fwreq(&root, &["record", "a.toml", &flag, &value]);
                (i, out)
            })
        })
        .collect();
    let mut landed = vec![false; 4];
    for run in runs {
        let (i, out) = run.join().unwrap();
        match out.status.code() {
            Some(0) => landed[i % 4] = true,
            Some(2) => eprintln!("call {i} refused: {}", stderr(&out)),
            code => panic!("call {i}: exit {code:?}: {}", stderr(&out)),
        }
    }
    let out = fwreq(&root, &["check", "a.toml"]);
    assert_eq!(out.status.code(), Some(0), "valid: {}", stderr(&out));
    let text = read(&root, "a.toml");
    for (key, done) in ["ritm = ", "req = ", "submitted = ", "status = "]
        .iter()
        .zip(landed)
    {
        if done {
            assert_eq!(text.matches(key).count(), 1, "{key} landed once: {text}");
        }
    }
}

// 3. Read-only and other people's files.

#[test]
fn a_read_only_file_is_left_alone_by_record_and_render() {
    let dir = common::folder_with(&[("a.toml", &spec("t"))]);
    let root = dir.path();
    chmod(root, "a.toml", 0o444);
    common::assert_run(
        root,
        &["record", "a.toml", "--ritm", "RITM0194104"],
        2,
        "fwreq: error: a.toml is read-only; it is unchanged (add --force to write it anyway)\n",
    );
    assert_eq!(read(root, "a.toml"), spec("t"));
    write(root, "ticket.md", "kept");
    chmod(root, "ticket.md", 0o444);
    common::assert_run(
        root,
        &["render", "a.toml", "-o", "ticket.md", "--force"],
        2,
        "fwreq: error: ticket.md is read-only; it is unchanged\n",
    );
    assert_eq!(read(root, "ticket.md"), "kept");
    // Forced, record writes it and it stays read-only.
    let out = fwreq(
        root,
        &["record", "a.toml", "--ritm", "RITM0194104", "--force"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let meta = fs::metadata(root.join("a.toml")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o444);
}

#[test]
fn another_users_spec_is_left_alone_and_stays_theirs_when_forced() {
    let Some((dir, uid)) = folder_and_nobody("another_users_spec_is_left_alone") else {
        return;
    };
    let root = dir.path();
    write(root, "a.toml", &spec("t"));
    chown_nobody(root, "a.toml");
    let out = fwreq(root, &["record", "a.toml", "--ritm", "RITM0194104"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "fwreq: error: a.toml belongs to user {uid}, not to you; it is unchanged (add --force to write it anyway)\n"
        )
    );
    let out = fwreq(
        root,
        &["record", "a.toml", "--ritm", "RITM0194104", "--force"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(fs::metadata(root.join("a.toml")).unwrap().uid(), uid);
}

// 4. No final newline.

#[test]
fn record_keeps_a_spec_without_a_final_newline_so() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let text = spec("t");
    write(root, "a.toml", text.trim_end());
    let out = fwreq(root, &["record", "a.toml", "--ritm", "RITM0194104"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(read(root, "a.toml"), with_ritm(text.trim_end()));
}

// 6. A rendered ticket never replaces a request.

/// `fwreq render INPUT -o TARGET --force` in `root`: exit code and stderr.
fn forced_render(root: &Path, input: &str, target: &str) -> (Option<i32>, String) {
    let out = fwreq(root, &["render", input, "-o", target, "--force"]);
    (out.status.code(), stderr(&out))
}

/// [`forced_render`] of `input` to each of `targets`, which must be refused
/// (exit 2) saying `said(target)`.
fn assert_outputs_refused(
    root: &Path,
    input: &str,
    targets: &[&str],
    said: impl Fn(&str) -> String,
) {
    for target in targets {
        let want = (Some(2), said(target));
        assert_eq!(forced_render(root, input, target), want, "{target}");
    }
}

#[test]
fn render_output_never_replaces_a_request_or_team_file() {
    let dir = common::folder_with(&[("a.toml", &spec("a")), ("b.toml", &spec("b"))]);
    let root = dir.path();
    assert_outputs_refused(
        root,
        "a.toml",
        &["b.toml", "fwreq.toml", "new.toml", "B.TOML"],
        |target| {
            format!(
                "fwreq: error: --output {target} is a .toml file, which check reads as a request; refusing to write it (--force or not): name the ticket .md, .html or .json\n"
            )
        },
    );
    assert_eq!(read(root, "b.toml"), spec("b"));
    assert!(!root.join("new.toml").exists() && !root.join("fwreq.toml").exists());
    // A link to a request is a request too.
    symlink("b.toml", root.join("ticket.md")).unwrap();
    assert_eq!(forced_render(root, "a.toml", "ticket.md").0, Some(2));
    assert_eq!(read(root, "b.toml"), spec("b"));
    // A request by any other name is still the input, directly or linked.
    write(root, "c.txt", &spec("c"));
    symlink("c.txt", root.join("c.md")).unwrap();
    assert_outputs_refused(root, "c.txt", &["c.txt", "./c.txt", "c.md"], |target| {
        format!(
            "fwreq: error: --output {target} is the request file c.txt; refusing to write over it (--force or not)\n"
        )
    });
    assert_eq!(read(root, "c.txt"), spec("c"));
}

// 8. Nothing outside the given folders is read, and nothing that is not a file.

/// Runs fwreq with a secret in its environment, as a CI job has.
fn fwreq_with_secret(dir: &Path, args: &[&str]) -> Output {
    common::fwreq_with_env(dir, args, &[("FWREQ_TEST_SECRET", "hunter2-secret")])
}

#[test]
fn links_out_of_the_tree_are_never_read_or_published() {
    let dir = with_request_a(&[("secret.env", "TOKEN = \"hunter2-secret\"\n")]);
    let root = dir.path();
    symlink("/proc/self/environ", root.join("requests/env.toml")).unwrap();
    symlink("../secret.env", root.join("requests/secret.toml")).unwrap();
    // A link inside the tree is still a request.
    symlink("a.toml", root.join("requests/alias.toml")).unwrap();
    let env = "fwreq: error: requests/env.toml is a link to /proc/self/environ, outside requests; it was not read (name the file itself to check it)\n";
    let secret = "fwreq: error: requests/secret.toml is a link to ../secret.env, outside requests; it was not read (name the file itself to check it)\n";

    let out = fwreq_with_secret(root, &["site", "requests", "-o", "site"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), env);
    assert!(!root.join("site/env.html").exists() && !root.join("site/secret.html").exists());

    let out = fwreq_with_secret(root, &["check", "requests"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "{env}{secret}checked 2 requests: 0 errors, 0 warnings\nfwreq: error: 2 paths could not be read\n"
        )
    );

    let out = fwreq_with_secret(root, &["list", "requests"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), env);

    // Named on the command line, a link must stay in the working folder,
    // and a /proc file is told by holding more than its size says.
    let out = fwreq_with_secret(
        &root.join("requests"),
        &["check", "secret.toml", "/proc/self/environ"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "fwreq: error: secret.toml is a link to ../secret.env, outside the working folder; it was not read (name the file itself to check it)\n\
         fwreq: error: /proc/self/environ is not a regular file (a FIFO, device or /proc file?); it was not read\n\
         checked 1 request: 0 errors, 0 warnings\nfwreq: error: 2 paths could not be read\n"
    );
    // Once the links are gone, the site has the two real requests.
    fs::remove_file(root.join("requests/env.toml")).unwrap();
    fs::remove_file(root.join("requests/secret.toml")).unwrap();
    let out = fwreq_with_secret(root, &["site", "requests", "-o", "site"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(root.join("site/alias.html").exists() && root.join("site/a.html").exists());
}

#[test]
fn a_fifo_is_never_opened() {
    let dir = with_request_a(&[]);
    let root = dir.path();
    let made = std::process::Command::new("mkfifo")
        .arg(root.join("requests/pipe.toml"))
        .status()
        .unwrap();
    assert!(made.success());
    let out = fwreq(root, &["check", "requests"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "fwreq: error: requests/pipe.toml is not a regular file (a FIFO, device or socket); it was not read\n\
         checked 1 request: 0 errors, 0 warnings\nfwreq: error: 1 path could not be read\n"
    );
    let out = fwreq(root, &["check", "requests/pipe.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "fwreq: error: requests/pipe.toml is not a regular file (a FIFO, device or /proc file?); it was not read\n\
         checked 1 request: 0 errors, 0 warnings\nfwreq: error: 1 path could not be read\n"
    );
    let out = fwreq(
        root,
        &["record", "requests/pipe.toml", "--ritm", "RITM0194104"],
    );
    assert_eq!(out.status.code(), Some(2));
    // Nor written: opening a FIFO would wait for a reader forever.
    std::process::Command::new("mkfifo")
        .arg(root.join("pipe.md"))
        .status()
        .unwrap();
    common::assert_run(
        root,
        &["render", "requests/a.toml", "-o", "pipe.md", "--force"],
        2,
        "fwreq: error: pipe.md is not a regular file; fwreq writes only regular files\n",
    );
    // A link in the tree to the FIFO is refused as the FIFO is, unopened.
    std::os::unix::fs::symlink("pipe.toml", root.join("requests/link.toml")).unwrap();
    let out = fwreq(root, &["check", "requests"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "fwreq: error: requests/link.toml is not a regular file (a FIFO, device or socket); it was not read\n\
         fwreq: error: requests/pipe.toml is not a regular file (a FIFO, device or socket); it was not read\n\
         checked 1 request: 0 errors, 0 warnings\nfwreq: error: 2 paths could not be read\n"
    );
}

// 9. Team files are trusted as git trusts a repository.

/// A request a permissive team file would silence: plain HTTP to anywhere.
fn risky() -> String {
    common::HEADER.to_string()
        + "\n[[rules]]\nsources = [\"10.0.0.0/24\"]\nports = [80]\ndestinations = [\"0.0.0.0/0\"]\n"
}

const PERMISSIVE: &str = "allow = [\"any-destination\", \"cleartext-port\"]\n";

#[test]
fn another_users_team_file_in_a_shared_folder_is_ignored_unless_trusted() {
    let Some((dir, uid)) = folder_and_nobody("another_users_team_file") else {
        return;
    };
    let root = dir.path();
    // A world-writable folder like /tmp, where someone else left a team file.
    fs::create_dir(root.join("shared")).unwrap();
    chmod(root, "shared", 0o1777);
    write(root, "shared/fwreq.toml", PERMISSIVE);
    chown_nobody(root, "shared/fwreq.toml");
    write(root, "shared/mine/a.toml", &risky());
    let out = fwreq(root, &["check", "shared/mine", "--today", "2026-11-26"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stderr(&out);
    let warning = common::team_file_ignored(
        "shared/fwreq.toml",
        &format!("it belongs to user {uid}, not to you"),
        &fs::canonicalize(root.join("shared/fwreq.toml")).unwrap(),
    );
    common::assert_starts(&text, &warning);
    assert!(
        text.ends_with("checked 1 request: 0 errors, 2 warnings\n"),
        "both lints fire and no team file applied: {text}"
    );
    // Trusted by name, it applies, and check says so.
    let trusted = root.join("shared/fwreq.toml");
    let out = common::fwreq_with_env(
        root,
        &["check", "shared/mine", "--today", "2026-11-26"],
        &[("FWREQ_TRUST_TEAM_FILE", trusted.to_str().unwrap())],
    );
    assert_eq!(
        stderr(&out),
        "checked 1 request: 0 errors, 0 warnings\nteam file: shared/fwreq.toml\n"
    );
}

/// A folder whose team file ([`PERMISSIVE`]) anyone may write, and
/// [`risky`] as `requests/a.toml`.
fn writable_team_file() -> tempfile::TempDir {
    let dir = common::folder_with(&[("fwreq.toml", PERMISSIVE), ("requests/a.toml", &risky())]);
    chmod(dir.path(), "fwreq.toml", 0o666);
    dir
}

#[test]
fn a_team_file_others_may_write_is_ignored() {
    let dir = writable_team_file();
    let root = dir.path();
    let out = check_requests(root);
    let text = stderr(&out);
    let trust = fs::canonicalize(root.join("fwreq.toml")).unwrap();
    let warning = common::team_file_ignored("fwreq.toml", "anyone may write it", &trust);
    common::assert_starts(&text, &warning);
    common::assert_ends(&text, "checked 1 request: 0 errors, 2 warnings\n");
    chmod(root, "fwreq.toml", 0o644);
    let out = fwreq(root, CHECK_JSON);
    assert_eq!(
        stderr(&out),
        "checked 1 request: 0 errors, 0 warnings\nteam file: fwreq.toml\n"
    );
    assert_eq!(stdout(&out), "[]\n");
    // Its JSON names the team file each problem was judged under.
    write(root, "fwreq.toml", "max-port-range = 1\n");
    write(
        root,
        "requests/a.toml",
        &risky().replace("ports = [80]", "ports = [\"8000-8001\"]"),
    );
    let out = fwreq(root, CHECK_JSON);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["team_file"], "fwreq.toml", "{json}");
}

#[test]
fn a_distrusted_team_file_is_named_once_and_trusted_only_as_told() {
    let dir = writable_team_file();
    let root = dir.path();
    // In another folder, so the walk passes the same file a second time.
    write(root, "requests/sub/b.toml", &risky());
    write(root, "other.toml", "");
    let check = |trust: Option<&std::ffi::OsStr>| {
        let mut command = assert_cmd::cargo::cargo_bin_cmd!("fwreq");
        command
            .current_dir(root)
            .args(["check", "requests", "--today", "2026-11-26"])
            .env("NO_COLOR", "1")
            .env_remove("FWREQ_TRUST_TEAM_FILE");
        if let Some(trust) = trust {
            command.env("FWREQ_TRUST_TEAM_FILE", trust);
        }
        stderr(&command.output().unwrap())
    };
    // Two folders under one distrusted file: one warning.
    let text = check(None);
    assert_eq!(text.matches("ignoring the team file").count(), 1, "{text}");
    common::assert_ends(&text, "checked 2 requests: 0 errors, 4 warnings\n");
    // Another file named: still ignored. `*`: every team file trusted.
    let text = check(Some(root.join("other.toml").as_os_str()));
    assert_eq!(text.matches("ignoring the team file").count(), 1, "{text}");
    // Named relative to the working folder: still ignored, since it would
    // name another file in every folder fwreq runs from.
    let text = check(Some("fwreq.toml".as_ref()));
    assert_eq!(text.matches("ignoring the team file").count(), 1, "{text}");
    let text = check(Some(root.join("fwreq.toml").as_os_str()));
    assert_eq!(text.matches("ignoring the team file").count(), 0, "{text}");
    assert_eq!(
        check(Some("*".as_ref())),
        "checked 2 requests: 0 errors, 0 warnings\nteam file: fwreq.toml\n"
    );
    // Owned by another group that may not write it: trusted.
    chmod(root, "fwreq.toml", 0o644);
    if nobody(root, "a_distrusted_team_file").is_some() {
        std::os::unix::fs::chown(root.join("fwreq.toml"), None, Some(65534)).unwrap();
        assert_eq!(
            check(None),
            "checked 2 requests: 0 errors, 0 warnings\nteam file: fwreq.toml\n"
        );
    }
}

#[test]
fn a_team_file_whose_real_path_cannot_be_worked_out_is_ignored() {
    let dir = common::folder_with(&[("requests/a.toml", &risky())]);
    let root = dir.path();
    // Two links of twelve 200-character folders each: every step is short,
    // but the file's real path is longer than PATH_MAX (4,096 bytes), so it
    // opens and `realpath` fails.
    let twelve = format!("{}/", "d".repeat(200)).repeat(12);
    fs::create_dir_all(root.join("deep").join(&twelve)).unwrap();
    symlink(format!("deep/{twelve}"), root.join("l1")).unwrap();
    fs::create_dir_all(root.join("l1").join(&twelve)).unwrap();
    write(root, &format!("l1/{twelve}team.toml"), PERMISSIVE);
    symlink(format!("l1/{twelve}team.toml"), root.join("fwreq.toml")).unwrap();
    assert_eq!(read(root, "fwreq.toml"), PERMISSIVE);
    assert!(fs::canonicalize(root.join("fwreq.toml")).is_err());
    let out = check_requests(root);
    let text = stderr(&out);
    assert!(
        text.starts_with(
            "fwreq: warning: ignoring the team file fwreq.toml: its path cannot be resolved: File name too long (os error 36) (if you trust it, set FWREQ_TRUST_TEAM_FILE="
        ),
        "{text}"
    );
    common::assert_ends(&text, "checked 1 request: 0 errors, 2 warnings\n");
}

#[test]
fn a_link_another_user_made_to_a_team_file_is_ignored() {
    let dir = common::folder_with(&[
        ("requests/a.toml", &risky()),
        ("mine/team.toml", PERMISSIVE),
    ]);
    let root = dir.path();
    symlink("mine/team.toml", root.join("fwreq.toml")).unwrap();
    // Yours: the file it leads to is applied.
    let out = check_requests(root);
    assert_eq!(
        stderr(&out),
        "checked 1 request: 0 errors, 0 warnings\nteam file: fwreq.toml\n"
    );
    // A hard link: another name of it may be anyone's.
    fs::hard_link(root.join("mine/team.toml"), root.join("mine/also.toml")).unwrap();
    let out = check_requests(root);
    common::assert_starts(
        &stderr(&out),
        "fwreq: warning: ignoring the team file fwreq.toml: it has 2 hard links, and another name of it may be anyone's (if you trust it",
    );
    fs::remove_file(root.join("mine/also.toml")).unwrap();
    let Some(nobody) = nobody(root, "a_link_another_user_made") else {
        return;
    };
    // Made by another user (in a shared folder, say): not, though the file
    // it leads to is yours.
    std::os::unix::fs::lchown(root.join("fwreq.toml"), Some(nobody), Some(nobody)).unwrap();
    let out = check_requests(root);
    let text = stderr(&out);
    let why = format!("it is a link user {nobody} made");
    let trust = fs::canonicalize(root).unwrap().join("fwreq.toml");
    common::assert_starts(
        &text,
        &common::team_file_ignored("fwreq.toml", &why, &trust),
    );
    common::assert_ends(&text, "checked 1 request: 0 errors, 2 warnings\n");
}

#[test]
fn the_team_file_walk_stops_at_the_repository_and_the_home_folder() {
    let dir = common::folder_with(&[("fwreq.toml", PERMISSIVE)]);
    let root = dir.path();
    // A repository below it: its requests do not get the file above it.
    write(root, "repo/.git/HEAD", "ref: refs/heads/main\n");
    write(root, "repo/requests/a.toml", &risky());
    let out = fwreq(
        &root.join("repo"),
        &["check", "requests", "--today", "2026-11-26"],
    );
    assert_eq!(
        stderr(&out).lines().last(),
        Some("checked 1 request: 0 errors, 2 warnings")
    );
    // Nor does a home folder below it.
    write(root, "home/requests/a.toml", &risky());
    let home = root.join("home");
    let out = common::fwreq_with_env(
        &home,
        &["check", "requests", "--today", "2026-11-26"],
        &[("HOME", home.to_str().unwrap())],
    );
    assert_eq!(
        stderr(&out).lines().last(),
        Some("checked 1 request: 0 errors, 2 warnings")
    );
    // Without either in the way, it applies.
    write(root, "plain/requests/a.toml", &risky());
    let out = fwreq(
        &root.join("plain"),
        &["check", "requests", "--today", "2026-11-26"],
    );
    assert_eq!(
        stderr(&out),
        format!(
            "checked 1 request: 0 errors, 0 warnings\nteam file: {}\n",
            fs::canonicalize(root.join("fwreq.toml")).unwrap().display()
        )
    );
}

// 7. site never writes one page over another.

#[test]
fn site_refuses_two_sources_for_one_page_before_writing_anything() {
    let dir = common::folder_with(&[
        ("st/a/index.toml", &spec("index")),
        ("st/a/one.toml", &spec("a one")),
    ]);
    let root = dir.path();
    common::assert_run(
        root,
        &["site", "st/a", "-o", "out"],
        2,
        "fwreq: error: st/a/index.toml and the site's index would both be out/index.html; nothing was written (rename one)\n",
    );
    assert!(!root.join("out/one.html").exists(), "nothing written");
    fs::remove_file(root.join("st/a/index.toml")).unwrap();
    // Several folders: each under its own name.
    write(root, "st/b/one.toml", &spec("b one"));
    let out = fwreq(root, &["site", "st/a", "st/b", "-o", "out"]);
    assert_eq!(
        (out.status.code(), stderr(&out).as_str()),
        (Some(0), "site: 3 written, 0 unchanged, in out\n")
    );
    assert!(read(root, "out/a/one.html").contains("a one"));
    // Each page links back to the index, a folder up.
    let page = scraper::Html::parse_document(&read(root, "out/a/one.html"));
    let links: Vec<&str> = page
        .select(&scraper::Selector::parse("a[href]").unwrap())
        .filter(|a| a.text().collect::<String>() == "\u{2190} All requests")
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(links, ["../index.html"]);
    assert!(read(root, "out/b/one.html").contains("b one"));
    // Two folders of the same name would share one: refused, naming both.
    write(root, "x/b/one.toml", &spec("x b one"));
    common::assert_run(
        root,
        &["site", "st/b", "x/b", "-o", "out2"],
        2,
        "fwreq: error: x/b/one.toml and st/b/one.toml would both be out2/b/one.html; nothing was written (rename one)\n",
    );
    assert!(!root.join("out2/b").exists());
    // A page where a folder of pages must be: refused too.
    write(root, "st/c/x.toml", &spec("x"));
    write(root, "st/c/x.html/y.toml", &spec("y"));
    common::assert_run(
        root,
        &["site", "st/c", "-o", "out3"],
        2,
        "fwreq: error: st/c/x.toml and the folder of st/c/x.html/y.toml would both be out3/x.html; nothing was written (rename one)\n",
    );
    assert!(!root.join("out3").exists());
}

#[test]
fn site_writes_nothing_through_a_link_out_of_its_folder() {
    let dir = with_request_a(&[("elsewhere/a.html", "kept")]);
    let root = dir.path();
    fs::create_dir(root.join("out")).unwrap();
    symlink("../elsewhere/a.html", root.join("out/a.html")).unwrap();
    let out = fwreq(root, &["site", "requests", "-o", "out"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "fwreq: error: out/a.html leads to {}, outside out; nothing was written\n",
            fs::canonicalize(root.join("elsewhere/a.html"))
                .unwrap()
                .display()
        )
    );
    assert_eq!(read(root, "elsewhere/a.html"), "kept");
    assert!(!root.join("out/index.html").exists());
}

// 11. new: names that check will find, and the team of the folder it writes in.

#[test]
fn new_adds_toml_refuses_hidden_names_and_uses_the_target_folders_team() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let out = fwreq(root, &["new", "plant/x"]);
    assert_eq!(
        (out.status.code(), stdout(&out).as_str()),
        (Some(0), "plant/x.toml\n")
    );
    for name in [
        "",
        ".",
        "..",
        "plant/",
        ".toml",
        "plant/.hidden",
        "fwreq",
        "fwreq.toml",
    ] {
        let out = fwreq(root, &["new", name]);
        assert_eq!(out.status.code(), Some(2), "{name:?}");
        let expected = if name.starts_with("fwreq") {
            format!(
                "fwreq: error: `{name}` is the team file's name; give the request another name\n"
            )
        } else {
            format!(
                "fwreq: error: `{name}` is not a request name: give a name such as avilla-registry (a hidden or empty file name would not be checked)\n"
            )
        };
        assert_eq!(stderr(&out), expected);
    }
    assert!(!root.join("requests").exists(), "nothing written");
    // The team file of the folder the spec goes to, not of the working folder.
    write(root, "site2/fwreq.toml", "templates = \"t\"\n");
    write(root, "site2/t/new.toml.j2", "# the plant's own starter\n");
    let out = fwreq(root, &["new", "site2/plant/y"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        read(root, "site2/plant/y.toml"),
        "# the plant's own starter\n"
    );
}

// 5. submitted: TOML 1.0 with seconds, offsets kept, sorted by the instant.

#[test]
fn record_writes_seconds_and_keeps_an_offset_that_list_sorts_and_shows() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for name in ["requests/a.toml", "requests/b.toml", "requests/c.toml"] {
        write(root, name, &spec(name));
    }
    let out = fwreq(
        root,
        &[
            "record",
            "requests/a.toml",
            "--submitted",
            "2026-11-26 10:15",
        ],
    );
    assert_eq!(
        stderr(&out),
        "requests/a.toml: submitted = 2026-11-26T10:15:00\n"
    );
    assert!(read(root, "requests/a.toml").contains("\nsubmitted = 2026-11-26T10:15:00\n"));
    for (name, when) in [
        ("requests/a.toml", "2026-11-26T12:00:00Z"),
        ("requests/b.toml", "2026-11-26T10:00:00-05:00"),
        ("requests/c.toml", "2026-11-26T13:00:00"),
    ] {
        let out = fwreq(root, &["record", name, "--submitted", when]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(read(root, name).contains(&format!("\nsubmitted = {when}\n")));
    }
    // 15:00Z is the newest, 12:00Z the oldest (local time here is UTC).
    let list = |args: &[&str]| {
        assert_cmd::cargo::cargo_bin_cmd!("fwreq")
            .current_dir(root)
            .args(args)
            .env("TZ", "UTC")
            .output()
            .unwrap()
    };
    let out = list(&["list", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let shown: Vec<(&str, &str)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["path"].as_str().unwrap(),
                r["submitted"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("requests/b.toml", "2026-11-26 10:00:00-05:00"),
            ("requests/c.toml", "2026-11-26 13:00:00"),
            ("requests/a.toml", "2026-11-26 12:00:00Z"),
        ]
    );
    let out = list(&["site", "requests", "-o", "out"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let index = read(root, "out/index.html");
    let at = |s: &str| index.find(s).unwrap();
    assert!(at("10:00:00-05:00") < at("13:00:00") && at("13:00:00") < at("12:00:00Z"));
    let out = list(&["check", "requests"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
