//! Differential test of the IDNA2008 rules against the reference
//! implementation: every label of `tests/idna2008/vectors.txt` (made by
//! `tests/idna2008/generate-vectors.py`, which says how to regenerate it) must
//! get the reference's verdict from `validate::idna2008`, and, through the
//! whole of `hostname()` (UTS 46 first), as `LABEL.example` wherever UTS 46
//! leaves the label as it is.

use fwreq::validate::host::hostname;
use fwreq::validate::idna2008::{UNICODE_VERSION, check_name};

const VECTORS: &str = include_str!("idna2008/vectors.txt");

/// (accepted by the reference, its error code, UTS 46 leaves it as it is,
/// the label).
fn vectors() -> Vec<(bool, &'static str, bool, String)> {
    VECTORS
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|line| {
            let mut fields = line.split(' ');
            let accept = fields.next() == Some("accept");
            let code = fields.next().unwrap();
            let unmapped = fields.next() == Some("=");
            let label = fields
                .map(|hex| char::from_u32(u32::from_str_radix(hex, 16).unwrap()).unwrap())
                .collect();
            (accept, code, unmapped, label)
        })
        .collect()
}

fn show(label: &str) -> String {
    label
        .chars()
        .map(|c| format!("U+{:04X}", u32::from(c)))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_vectors_are_of_the_tables_unicode_version() {
    assert!(
        VECTORS
            .lines()
            .next()
            .unwrap()
            .contains(&format!("Unicode {UNICODE_VERSION},")),
        "tests/idna2008/vectors.txt is not of the tables' Unicode version {UNICODE_VERSION}: regenerate it"
    );
}

#[test]
fn every_label_gets_the_reference_verdict() {
    let vectors = vectors();
    assert!(vectors.len() >= 5000, "{} vectors", vectors.len());
    let disagree: Vec<String> = vectors
        .iter()
        .filter_map(|(accept, code, _, label)| {
            let ours = check_name(&[label]);
            (ours.is_ok() != *accept).then(|| {
                format!(
                    "{} ({}): reference {}, fwreq {:?}",
                    label,
                    show(label),
                    if *accept { "accepts" } else { code },
                    ours
                )
            })
        })
        .collect();
    assert!(
        disagree.is_empty(),
        "{} of {} labels disagree:\n{}",
        disagree.len(),
        vectors.len(),
        disagree.join("\n")
    );
}

/// The same verdicts through `hostname()`, UTS 46 first, for the labels that
/// UTS 46 leaves as they are (lower case, NFC, nothing it maps); what it
/// maps is a different input.
#[test]
fn hostname_agrees_where_uts46_maps_nothing() {
    let mut compared = 0;
    let mut disagree = Vec::new();
    for (accept, code, unmapped, label) in vectors() {
        if !unmapped {
            continue;
        }
        compared += 1;
        let name = format!("{label}.example");
        let ours = hostname(&name);
        if ours.is_ok() != accept {
            disagree.push(format!(
                "{} ({}): reference {code}, fwreq {ours:?}",
                label,
                show(&label)
            ));
        }
    }
    assert!(compared >= 5000, "only {compared} labels compared");
    assert!(
        disagree.is_empty(),
        "{} of {compared} names disagree:\n{}",
        disagree.len(),
        disagree.join("\n")
    );
}
