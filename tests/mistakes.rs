//! The TOML mistakes people make most in a request (issue 34), each answered
//! at its span with what to write instead of the parser's own words.

use crate::common;

/// A one-rule request whose rule holds `rule`.
fn with_rule(rule: &str) -> String {
    format!("{}\n[[rules]]\n{rule}\n", common::HEADER)
}

#[test]
fn each_common_mistake_gets_help_at_its_value() {
    let cases = [
        (
            "ports = [8443-8445]\ndestinations = [\"a.example.com\"]",
            "req.toml:9:10: error: invalid date, expected `-` (MM-DD)",
            "  = help: a port range is text: write it in quotes, \"8443-8445\"",
        ),
        (
            "ports = [443]\nsources = [10.0.0.0/24]\ndestinations = [\"a.example.com\"]",
            "req.toml:10:16: error: invalid float, expected nothing",
            "  = help: an address or network is text: write it in quotes, \"10.0.0.0/24\"",
        ),
        (
            "ports = 443\ndestinations = [\"a.example.com\"]",
            "req.toml:9:9: error: invalid type: integer `443`, expected a sequence",
            "  = help: `ports` takes a list, even of one: write ports = [443]",
        ),
        (
            "ports [443]\ndestinations = [\"a.example.com\"]",
            "req.toml:9:7: error: key with no value, expected `=`",
            "  = help: write `key = value`, with `=` between them",
        ),
        (
            "ports = [443\ndestinations = [\"a.example.com\"]",
            "req.toml:10:1: error: missing comma between array elements, expected `,`",
            "  = help: items of a list are separated by commas, and the list ends with `]`: is the `]` of the list above missing?",
        ),
        (
            "ports = [443]\ndestinations = [\"any\"]",
            "req.toml:10:17: error: `any` is not a destination: a rule names what it opens",
            "  = help: list the hosts or networks; every address is 0.0.0.0/0 or ::/0, which the lints question",
        ),
        (
            "ports = [443]\nsources = [\"10.0.0.0 255.255.255.0\"]\ndestinations = [\"a.example.com\"]",
            "req.toml:10:12: error: `10.0.0.0 255.255.255.0` gives a netmask; fwreq takes a prefix length",
            "  = help: write \"10.0.0.0/24\"",
        ),
    ];
    for (rule, first, help) in cases {
        let (code, err) = common::check(&with_rule(rule), &[]);
        assert_eq!(code, 1, "{rule}\n{err}");
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines[0], first, "{rule}\n{err}");
        assert!(lines.contains(&help), "{rule}\n{err}");
    }
}
