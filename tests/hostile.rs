//! A hostile repository against its own user (issue 32): templates, terminal
//! bytes, the team-file search and `--force`, each case as the attacker's
//! session showed it. Every test here failed before its fix.

use crate::common;
use common::write;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Output;

use common::{stderr, stdout};

/// A valid request, clean of lints.
fn spec() -> String {
    format!(
        "{}\n[[rules]]\nsources = [\"10.0.0.0/24\"]\nports = [443]\ndestinations = [\"a.example.com\"]\n",
        common::HEADER
    )
}

/// A fresh folder with [`spec`] at `path` and the other `files`.
fn with_spec(path: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = common::folder_with(files);
    write(dir.path(), path, &spec());
    dir
}

/// `fwreq ARGS` in `dir` with a secret in the environment, as a user's
/// `SN_PASSWORD` would be.
fn fwreq(dir: &Path, args: &[&str]) -> Output {
    common::fwreq_with_env(dir, args, &[("SN_PASSWORD", "hunter2-secret")])
}

// 1. Templates read as a repository's files: no link out, no FIFO, no giant.

#[test]
fn a_template_linked_to_the_process_environment_is_refused_by_render_and_check() {
    let dir = with_spec(
        "requests/req.toml",
        &[("fwreq.toml", "templates = \"tpl\"\n")],
    );
    let root = dir.path();
    fs::create_dir(root.join("tpl")).unwrap();
    symlink("/proc/self/environ", root.join("tpl/ticket.md.j2")).unwrap();
    for args in [
        &["render", "requests/req.toml"][..],
        &["check", "requests"],
        &["submit", "requests/req.toml", "--dry-run"],
    ] {
        let out = fwreq(root, args);
        let (out_text, err_text) = (stdout(&out), stderr(&out));
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err_text}");
        assert!(!out_text.contains("hunter2") && !err_text.contains("hunter2"));
        assert!(
            err_text.contains("fwreq: error: template tpl/ticket.md.j2 is a link to /proc/"),
            "{args:?}: {err_text}"
        );
        assert!(err_text.contains("environ, outside the templates folder; it was not read"));
    }
}

#[test]
fn a_template_linked_to_a_file_outside_its_folder_is_refused_and_one_inside_is_read() {
    let dir = with_spec(
        "req.toml",
        &[
            ("secret.txt", "hunter2-secret\n"),
            ("tpl/real/ticket.md.j2", "inside {{ request.title }}\n"),
        ],
    );
    let root = dir.path();
    symlink("../secret.txt", root.join("tpl/ticket.md.j2")).unwrap();
    let out = fwreq(root, &["render", "req.toml", "--templates", "tpl"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!stdout(&out).contains("hunter2"));
    let secret = fs::canonicalize(root.join("secret.txt")).unwrap();
    assert_eq!(
        stderr(&out),
        format!(
            "fwreq: error: template tpl/ticket.md.j2 is a link to {}, outside the templates folder; it was not read\n",
            secret.display()
        )
    );
    // A link that stays inside the folder is read as the file it names.
    fs::remove_file(root.join("tpl/ticket.md.j2")).unwrap();
    symlink("real/ticket.md.j2", root.join("tpl/ticket.md.j2")).unwrap();
    let out = fwreq(root, &["render", "req.toml", "--templates", "tpl"]);
    assert_eq!(stdout(&out), "inside t\n", "{}", stderr(&out));
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_fifo_named_like_a_template_is_refused_unopened() {
    let dir = with_spec("req.toml", &[]);
    let root = dir.path();
    fs::create_dir(root.join("tpl")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(root.join("tpl/ticket.md.j2"))
        .status()
        .unwrap();
    assert!(made.success());
    // Before, render blocked forever in open(); a bound proves it does not.
    let started = std::time::Instant::now();
    let out = fwreq(root, &["render", "req.toml", "--templates", "tpl"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    assert_eq!(
        (out.status.code(), stderr(&out).as_str()),
        (
            Some(2),
            "fwreq: error: template tpl/ticket.md.j2 was refused: tpl/ticket.md.j2 is not a regular file (a FIFO, device or /proc file?); it was not read\n"
        )
    );
}

#[test]
fn a_template_too_large_to_be_one_is_refused_unread() {
    let dir = with_spec(
        "req.toml",
        &[("tpl/ticket.md.j2", &"x".repeat(256 * 1024 + 1))],
    );
    let root = dir.path();
    let out = fwreq(root, &["render", "req.toml", "--templates", "tpl"]);
    assert_eq!(
        (out.status.code(), stderr(&out).as_str()),
        (
            Some(2),
            "fwreq: error: template tpl/ticket.md.j2 was refused: tpl/ticket.md.j2 holds 262145 bytes, more than the 262144 it may; it was not read\n"
        )
    );
    // Files that are not templates (`*.j2`) are not read at all.
    fs::rename(root.join("tpl/ticket.md.j2"), root.join("tpl/notes.txt")).unwrap();
    let out = fwreq(root, &["render", "req.toml", "--templates", "tpl"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

// 2. A template that builds data to fill the memory stops with an error.

/// `fwreq render req.toml --templates NAME` in `dir`, `template` written as
/// `NAME/ticket.md.j2`, with the address space capped at 1 GiB (`ulimit
/// -v`): an allocation past it aborts the process, so a clean error proves
/// the bound. Its exit code, stdout and stderr.
fn render_in_1gib(dir: &Path, name: &str, template: &str) -> (Option<i32>, Vec<u8>, String) {
    write(dir, &format!("{name}/ticket.md.j2"), template);
    let bin = assert_cmd::cargo::cargo_bin!("fwreq");
    let out = std::process::Command::new("sh")
        .current_dir(dir)
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$0\" \"$@\"")
        .arg(bin)
        .args(["render", "req.toml", "--templates", name])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (out.status.code(), out.stdout.clone(), stderr(&out))
}

#[test]
fn templates_that_build_gigabytes_stop_at_the_data_bound_with_their_line() {
    let dir = with_spec("req.toml", &[]);
    let cases = [
        // The attacker's two lines: 100 MB printed a thousand times (9.5 GB).
        (
            "print",
            "{% set a = \"x\" * 100000000 %}\n{% for i in range(1000) %}{{ a }}{% endfor %}\n",
            2,
        ),
        // A value that doubles in a namespace, and one that doubles in a macro.
        (
            "namespace",
            "{% set ns = namespace(s=\"x\" * 1000000) %}\n{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}\n",
            2,
        ),
        (
            "macro",
            "{% macro f(s, n) %}{% if n %}{{ f(s ~ s, n - 1) }}{% else %}{{ s|length }}{% endif %}{% endmacro %}\n{{ f(\"x\" * 1000000, 40) }}\n",
            1,
        ),
    ];
    for (name, template, line) in cases {
        let (code, out, err) = render_in_1gib(dir.path(), name, template);
        assert_eq!(code, Some(2), "{name}: {err}");
        assert!(out.is_empty());
        assert!(
            err.starts_with(&format!(
                "fwreq: error: template error: engine ran out of fuel (in ticket.md.j2:{line})\n  help: a render may take 4000000 steps and make 256 MB of text; look for a loop that runs too long or a value that grows in the templates\n"
            )),
            "{name}: {err}"
        );
    }
}

// 3. Terminal bytes: refused in specs, escaped on the way to a terminal.

/// [`spec`] with a `[test]` section of `commands` (a TOML list).
fn with_commands(commands: &str) -> String {
    format!("{}\n[test]\ncommands = {commands}\n", spec())
}

/// `check` of `text`, which must fail (exit 1): its stderr.
fn check_fails(text: &str) -> String {
    let (code, err) = common::check(text, &[]);
    assert_eq!(code, 1, "{err}");
    err
}

#[test]
fn check_refuses_escapes_and_a_lone_cr_where_a_terminal_would_act_on_them() {
    let err = check_fails(&with_commands("[\"echo \\u001b]52;c;ZXZpbA==\\u0007\"]"));
    common::assert_starts(
        &err,
        "req.toml:14:13: error: a test command holds the character `\\u{1b}`, which a terminal would act on\n",
    );
    // The excerpt shows the ESC escaped, never raw.
    assert!(!err.contains('\u{1b}'), "{err:?}");
    let err = check_fails(&spec().replace(
        "request = \"r\"",
        "request = \"Open 443 to the registry.\\rClose everything else.\"",
    ));
    common::assert_starts(
        &err,
        "req.toml:3:11: error: `request` holds a carriage return (`\\r`) that ends no line\n",
    );
}

/// `fwreq ARGS` in `dir` with stdout on a terminal (`script` gives it a
/// pseudo-terminal); returns what the terminal received.
fn on_a_terminal(dir: &Path, args: &[&str]) -> String {
    let bin = assert_cmd::cargo::cargo_bin!("fwreq");
    let line = std::iter::once(bin.display().to_string())
        .chain(args.iter().map(|a| a.to_string()))
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let out = std::process::Command::new("script")
        .current_dir(dir)
        .args(["-qec", &line, "/dev/null"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn a_templates_escapes_reach_a_terminal_escaped_and_a_pipe_byte_for_byte() {
    let dir = with_spec("req.toml", &[]);
    let root = dir.path();
    let template = "{{ request.title }}\u{1b}]52;c;ZXZpbA==\u{7}\rhidden\u{202e}\n";
    write(root, "tpl/ticket.md.j2", template);
    let shown = on_a_terminal(root, &["render", "req.toml", "--templates", "tpl"]);
    // The terminal turns "\n" into "\r\n" itself (onlcr).
    assert_eq!(
        shown,
        "t\\u{1b}]52;c;ZXZpbA==\\u{7}\\u{d}hidden\\u{202e}\r\n"
    );
    let piped = fwreq(root, &["render", "req.toml", "--templates", "tpl"]);
    assert_eq!(
        stdout(&piped),
        "t\u{1b}]52;c;ZXZpbA==\u{7}\rhidden\u{202e}\n"
    );
}

#[test]
fn variation_selectors_are_shown_escaped_in_an_excerpt() {
    let err = check_fails(&with_commands("[\"ok\u{fe0f}\u{e0101} ``` x\"]"));
    common::assert_contains(&err, "commands = [\"ok\\u{fe0f}\\u{e0101} ``` x\"]");
    assert!(!err.contains('\u{fe0f}') && !err.contains('\u{e0101}'));
}

// 5. `--force` is said of the file named, never of where a link leads.

#[test]
fn force_replaces_an_output_link_itself_and_never_writes_through_it() {
    let dir = with_spec("req.toml", &[("home/.bashrc", "alias ls='ls --color'\n")]);
    let root = dir.path();
    let bashrc = root.join("home/.bashrc");
    for (args, output) in [
        (&["render", "req.toml", "-o", "ticket.md"][..], "ticket.md"),
        (
            &[
                "implement",
                "req.toml",
                "--target",
                "nftables",
                "--allow-partial",
                "-o",
                "rules.nft",
            ],
            "rules.nft",
        ),
    ] {
        symlink(&bashrc, root.join(output)).unwrap();
        let refused = fwreq(root, args);
        assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
        assert_eq!(
            stderr(&refused),
            format!(
                "fwreq: error: {output} is a link to {}; fwreq writes no file through a link: add --force to replace the link itself ({} is left as it is)\n",
                bashrc.display(),
                bashrc.display()
            )
        );
        let forced = fwreq(root, &[args, &["--force"]].concat());
        assert!(forced.status.success(), "{}", stderr(&forced));
        assert!(fs::symlink_metadata(root.join(output)).unwrap().is_file());
        assert!(!fs::read_to_string(root.join(output)).unwrap().is_empty());
        assert_eq!(
            fs::read_to_string(&bashrc).unwrap(),
            "alias ls='ls --color'\n"
        );
    }
}

// 4. The team-file search: not cut by a stray `.git`, not fooled by an ACL.

/// A repository whose team file makes port 80 an error, with a request
/// using it in `sub/`; returns the folder.
fn repo_with_policy() -> tempfile::TempDir {
    let dir = common::repo_with_team("deny = [\"cleartext-port\"]\n");
    write(dir.path(), "sub/req.toml", &spec().replace("[443]", "[80]"));
    dir
}

#[test]
fn an_empty_git_folder_does_not_end_the_team_file_search_silently() {
    let dir = repo_with_policy();
    let root = dir.path();
    let out = fwreq(root, &["check", "sub"]);
    assert_eq!(out.status.code(), Some(1), "the policy applies");
    // Anyone can make an empty `.git` in a shared folder; before, it ended
    // the search there and the policy vanished (exit 0, no word).
    fs::create_dir(root.join("sub/.git")).unwrap();
    let out = fwreq(root, &["check", "sub"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    common::assert_starts(
        &err,
        "fwreq: warning: sub/.git does not end the search for the team file: it is a folder without HEAD, not a repository; fwreq.toml is looked for above it too\n",
    );
    common::assert_contains(&err, "error[cleartext-port]");
    // A worktree's `.git` file ends it, as git's own does.
    fs::remove_dir(root.join("sub/.git")).unwrap();
    write(root, "sub/.git", "gitdir: /elsewhere/.git/worktrees/sub\n");
    let out = fwreq(root, &["check", "sub"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_team_file_another_user_may_write_through_an_acl_is_not_trusted() {
    let dir = repo_with_policy();
    let root = dir.path();
    let team = root.join("fwreq.toml");
    // user::rw-, user:1001:rw-, group::r--, mask::rw-, other::r--
    let mut acl = vec![2u8, 0, 0, 0];
    for (tag, perm, id) in [
        (0x01u16, 6u16, u32::MAX),
        (0x02, 6, 1001),
        (0x04, 4, u32::MAX),
        (0x10, 6, u32::MAX),
        (0x20, 4, u32::MAX),
    ] {
        acl.extend(tag.to_le_bytes());
        acl.extend(perm.to_le_bytes());
        acl.extend(id.to_le_bytes());
    }
    if let Err(e) = rustix::fs::setxattr(
        &team,
        "system.posix_acl_access",
        &acl,
        rustix::fs::XattrFlags::empty(),
    ) {
        common::skip(&format!("this file system takes no ACL: {e}"));
        return;
    }
    let out = fwreq(root, &["check", "sub"]);
    let err = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the policy is not applied: {err}"
    );
    let why = "its access control list lets user 1001 write it";
    common::assert_starts(&err, &common::team_file_ignored("fwreq.toml", why, &team));
}

#[test]
fn new_never_writes_through_a_link_nor_offers_a_force_it_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir(root.join("requests")).unwrap();
    symlink(
        root.join("elsewhere.toml"),
        root.join("requests/starter.toml"),
    )
    .unwrap();
    let out = fwreq(root, &["new", "starter"]);
    assert_eq!(
        (out.status.code(), stderr(&out).as_str()),
        (
            Some(2),
            "fwreq: error: requests/starter.toml is a link; fwreq new never writes through a link nor replaces one\n"
        )
    );
    assert!(!root.join("elsewhere.toml").exists());
}

// Found by the attacker's review of the fixes above.

#[test]
fn no_output_goes_into_a_folder_through_a_link_the_repository_ships() {
    let dir = with_spec("requests/req.toml", &[("victim/index.html", "keep\n")]);
    let root = dir.path();
    symlink(root.join("victim"), root.join("public")).unwrap();
    let victim = root.join("victim").display().to_string();
    for args in [
        &["site", "requests", "-o", "public"][..],
        &["render", "requests/req.toml", "-o", "public/ticket.md"],
        &[
            "implement",
            "requests/req.toml",
            "--target",
            "nftables",
            "--allow-partial",
            "-o",
            "public/rules.nft",
            "--force",
        ],
    ] {
        let out = fwreq(root, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(
            stderr(&out),
            format!(
                "fwreq: error: public is a link to {victim}; fwreq writes into no folder through a link (name the real folder)\n"
            ),
            "{args:?}"
        );
    }
    let left: Vec<_> = fs::read_dir(root.join("victim")).unwrap().collect();
    assert_eq!(left.len(), 1);
    assert_eq!(
        fs::read_to_string(root.join("victim/index.html")).unwrap(),
        "keep\n"
    );
}

#[test]
fn a_requests_folder_that_links_out_of_the_working_folder_is_not_read() {
    let dir = common::folder_with(&[
        ("secret/db.toml", "password = \"hunter2-db\"\n"),
        ("work/.git/HEAD", "ref: refs/heads/main\n"),
    ]);
    let root = dir.path();
    symlink(root.join("secret"), root.join("work/requests")).unwrap();
    let work = root.join("work");
    for args in [
        &["check", "requests"][..],
        &["site", "requests", "-o", "public"],
    ] {
        let out = fwreq(&work, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("hunter2") && !stdout(&out).contains("hunter2"));
        assert!(
            stderr(&out).starts_with(&format!(
                "fwreq: error: requests is a link to {}, outside the working folder; it was not read",
                root.join("secret").display()
            )),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert!(!work.join("public").exists());
}

#[test]
fn other_invisible_format_characters_reach_a_terminal_escaped() {
    let dir = common::folder_with(&[(
        "req.toml",
        &spec().replace(
            "request = \"r\"",
            "request = \"pay \u{1d173}\u{1d173}\u{600} bob\"",
        ),
    )]);
    let root = dir.path();
    let shown = on_a_terminal(root, &["render", "req.toml"]);
    common::assert_contains(&shown, "Request: pay \\u{1d173}\\u{1d173}\\u{600} bob");
    assert!(!shown.contains('\u{1d173}'));
}

#[test]
fn a_separate_git_dir_link_ends_the_team_file_search_like_a_folder() {
    let dir = repo_with_policy();
    let root = dir.path();
    // The repository is `sub/`, its git folder kept elsewhere, linked.
    write(root, "elsewhere/HEAD", "ref: refs/heads/main\n");
    symlink(root.join("elsewhere"), root.join("sub/.git")).unwrap();
    let out = fwreq(root, &["check", "sub"]);
    // The search ends at `sub/` (no word of a passed `.git`); the policy
    // above is another repository's, so port 80 is the default warning.
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains(".git"), "{err}");
    common::assert_ends(&err, "checked 1 request: 0 errors, 1 warning\n");
}

#[test]
fn a_list_repeated_lazily_then_written_out_stops_at_the_data_bound() {
    // From the attacker's review: fuel was charged for a list's slots only,
    // so these made gigabytes from a few bytes of fuel and aborted fwreq.
    let cases = [
        "{{ ([\"x\" * 10000000] * 1000) | join | length }}\n",
        "{{ ([\"x\" * 10000000] * 1000) | join_and | length }}\n",
        "{{ ([\"x\" * 1000000] * 3000) | string | length }}\n",
        "{{ (\"\" ~ ([\"x\" * 10000000] * 1000)) | length }}\n",
        "{% set ns = namespace(l=[\"x\" * 1000000]) %}{% for i in range(30) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}{{ ns.l | string | length }}\n",
    ];
    let dir = with_spec("req.toml", &[]);
    for (n, template) in cases.iter().enumerate() {
        let (code, _, err) = render_in_1gib(dir.path(), &format!("lazy{n}"), template);
        assert_eq!(code, Some(2), "{template}: {err}");
        assert!(
            err.starts_with(
                "fwreq: error: template error: engine ran out of fuel (in ticket.md.j2:1)\n"
            ),
            "{template}: {err}"
        );
    }
}

// Found by a second review: `lnk/` and `lnk/.` resolve through the link, and
// a link further down a relative path was not looked at.

#[test]
fn a_trailing_slash_or_dot_does_not_hide_a_link_from_reads_or_writes() {
    let dir = with_spec(
        "outside/x.toml",
        &[
            ("work/.git/HEAD", "ref: refs/heads/main\n"),
            ("work/requests/req.toml", &spec()),
        ],
    );
    let root = dir.path();
    let work = root.join("work");
    symlink(root.join("outside"), work.join("lnk")).unwrap();
    fs::create_dir(work.join("o")).unwrap();
    symlink(root.join("outside"), work.join("o/sub")).unwrap();
    for given in ["lnk/", "lnk/.", "o/sub/", "./o/sub"] {
        for (args, said) in [
            (
                vec!["check", given],
                "outside the working folder; it was not read",
            ),
            (
                vec!["site", "requests", "-o", given],
                "fwreq writes into no folder through a link",
            ),
        ] {
            let out = fwreq(&work, &args);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains(said), "{args:?}: {err}");
        }
    }
    let left: Vec<_> = fs::read_dir(root.join("outside")).unwrap().collect();
    assert_eq!(left.len(), 1, "nothing written beside x.toml");
}

#[test]
fn check_measures_the_body_with_the_team_signature_as_render_prints_it() {
    let dir = common::folder_with(&[
        (".git/HEAD", "ref: refs/heads/main\n"),
        (
            "fwreq.toml",
            &format!("requested-by = \"{}\"\n", "B".repeat(4000)),
        ),
        ("req.toml", &spec()),
    ]);
    let root = dir.path();
    let out = fwreq(root, &["check", "req.toml"]);
    common::assert_contains(
        &stderr(&out),
        "warning[body-too-long]: the rendered body is ",
    );
}

#[test]
fn the_index_takes_no_link_from_the_site_record() {
    let dir = with_spec("requests/req.toml", &[]);
    let root = dir.path();
    assert!(
        fwreq(root, &["site", "requests", "-o", "out"])
            .status
            .success()
    );
    let record = root.join("out/.fwreq-site.json");
    let text = fs::read_to_string(&record).unwrap();
    common::assert_contains(&text, "\"href\":\"req.html\"");
    fs::write(
        &record,
        text.replace("\"href\":\"req.html\"", "\"href\":\"javascript:alert(3)\""),
    )
    .unwrap();
    // Another day remakes nothing of the page but the index is written anew.
    fs::remove_file(root.join("out/index.html")).unwrap();
    assert!(
        fwreq(root, &["site", "requests", "-o", "out"])
            .status
            .success()
    );
    let index = fs::read_to_string(root.join("out/index.html")).unwrap();
    assert!(!index.contains("javascript:"), "{index}");
    assert!(index.contains("href=\"req.html\""));
}
