//! What fwreq documents about itself: man pages for every command and the
//! spec format, and one exit-code text in `--help`, man and README.

use crate::common;

use clap::CommandFactory as _;
use common::{fwreq_in, stdout};
use std::fs;

#[test]
fn man_dir_writes_a_page_per_subcommand_with_every_option() {
    let dir = tempfile::tempdir().unwrap();
    let out = fwreq_in(dir.path(), &["man", "--dir", "man"]);
    assert_eq!(out.status.code(), Some(0));
    let cli = fwreq::cli::Cli::command();
    let mut want: Vec<String> = cli
        .get_subcommands()
        .map(|s| format!("fwreq-{}.1", s.get_name()))
        .chain(["fwreq.1".to_string(), "fwreq-spec.5".to_string()])
        .collect();
    want.sort();
    let mut written: Vec<String> = fs::read_dir(dir.path().join("man"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    written.sort();
    assert_eq!(written, want);
    assert_eq!(
        common::stderr(&out),
        format!("wrote {} man pages to man\n", want.len())
    );
    for sub in cli.get_subcommands() {
        let page =
            fs::read_to_string(dir.path().join(format!("man/fwreq-{}.1", sub.get_name()))).unwrap();
        for arg in sub.get_arguments() {
            if let Some(long) = arg.get_long() {
                let shown = format!("\\-\\-{}", long.replace('-', "\\-"));
                assert!(
                    page.contains(&shown),
                    "fwreq-{} lacks {shown}",
                    sub.get_name()
                );
            }
        }
    }
    // Every page a page names exists.
    for name in &written {
        let page = fs::read_to_string(dir.path().join("man").join(name)).unwrap();
        for (at, _) in page.match_indices("fwreq\\-") {
            let rest = &page[at + "fwreq\\-".len()..];
            if let Some(end) = rest.find('(')
                && let Some(section) = rest[end + 1..].chars().next()
                && rest[..end].chars().all(|c| c.is_ascii_lowercase())
            {
                let named = format!("fwreq-{}.{section}", &rest[..end]);
                assert!(written.contains(&named), "{name} names {named}");
            }
        }
    }
    let spec = fs::read_to_string(dir.path().join("man/fwreq-spec.5")).unwrap();
    common::assert_contains(
        &spec,
        ".TP\n\\fBdestinations\\fR (array of destination, required)\nHostnames, *.domain wildcards, addresses or CIDR ranges, or { host, probe } tables.\n",
    );
    // Every key with its type in words, as the schema has them.
    insta::assert_snapshot!("fwreq-spec.5", spec);
    // `man` alone prints fwreq(1), the same page.
    let alone = fwreq_in(dir.path(), &["man"]);
    assert_eq!(
        stdout(&alone),
        fs::read_to_string(dir.path().join("man/fwreq.1")).unwrap()
    );
}

#[test]
fn one_exit_code_text_in_help_man_and_readme() {
    let text = fwreq::exit_codes_text();
    for code in ["0", "1", "2", "130"] {
        assert!(text.contains(&format!("\n  {code:<5}")), "{code}: {text}");
    }
    for command in [
        "check", "render", "list", "expiring", "site", "probe", "record",
    ] {
        assert!(text.contains(command), "{command}");
    }
    let help = stdout(&fwreq_in(std::path::Path::new("."), &["--help"]));
    common::assert_ends(&help, &text);
    let readme = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(readme.contains(&format!("```text\n{text}```\n")));
    let page = stdout(&fwreq_in(std::path::Path::new("."), &["man"]));
    for (code, meaning) in fwreq::EXIT_CODES {
        assert!(
            page.contains(&format!(
                ".TP\n\\fB{code}\\fR\n{}\n",
                meaning.replace('-', "\\-")
            )),
            "{code}"
        );
    }
}
