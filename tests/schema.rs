//! The JSON Schema against `check`: every bad input of the suite through
//! both, and the few that JSON Schema cannot refuse, by name.

use crate::common;

use common::{fwreq_in, stdout};

/// A TOML value as JSON the way Taplo hands it to a schema: dates as strings.
fn to_json(value: toml::Value) -> serde_json::Value {
    match value {
        toml::Value::String(s) => s.into(),
        toml::Value::Integer(i) => i.into(),
        toml::Value::Float(f) => f.into(),
        toml::Value::Boolean(b) => b.into(),
        toml::Value::Datetime(d) => d.to_string().into(),
        toml::Value::Array(a) => a.into_iter().map(to_json).collect(),
        toml::Value::Table(t) => t.into_iter().map(|(k, v)| (k, to_json(v))).collect(),
    }
}

#[test]
fn the_schema_refuses_what_check_refuses_but_for_a_documented_few() {
    let schema: serde_json::Value =
        serde_json::from_str(&stdout(&fwreq_in(std::path::Path::new("."), &["schema"]))).unwrap();
    // `allow` offers every lint with its description; an enum's hover is
    // the key's description alone; dates are TOML dates.
    let lints = &schema["definitions"]["LintName"];
    let names: Vec<&str> = fwreq::names::Lint::ALL.iter().map(|l| l.name()).collect();
    let docs: Vec<&str> = fwreq::names::Lint::ALL
        .iter()
        .map(|l| l.description())
        .collect();
    assert_eq!(lints["enum"], serde_json::json!(names));
    assert_eq!(
        lints["x-taplo"]["docs"]["enumValues"],
        serde_json::json!(docs)
    );
    assert_eq!(schema["definitions"]["Status"].get("description"), None);
    assert_eq!(schema["properties"]["expires"]["format"], "date");
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut disagree = Vec::new();
    for (kind, text, _) in common::bad_inputs() {
        let (code, _) = common::check(&text, &[]);
        assert_eq!(code, 1, "{kind}: check accepts it");
        // Not TOML at all: the editor's TOML parser says so before any schema.
        let Ok(value) = toml::from_str::<toml::Value>(&text) else {
            continue;
        };
        if validator.is_valid(&to_json(value)) {
            disagree.push(kind);
        }
    }
    // What JSON Schema cannot say (docs/spec.md, "Editor and shell support").
    assert_eq!(
        disagree,
        [
            "backwards port range",
            "CIDR with host bits",
            "probe outside its wildcard",
            "probe outside its range",
            "a quoted date",
            "a quoted date-time",
        ]
    );
}

#[test]
fn the_schema_accepts_every_example_and_rejects_what_check_refuses() {
    let out = fwreq_in(std::path::Path::new("."), &["schema"]);
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for entry in std::fs::read_dir("requests").unwrap() {
        let path = entry.unwrap().path();
        if path.ends_with("fwreq.toml") {
            continue; // the team file, not a request
        }
        let value: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&to_json(value))
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }
    let base = std::fs::read_to_string("requests/avilla-calico-registry.toml").unwrap();
    for (what, text) in [
        ("an unknown key", base.replace("project =", "projekt =")),
        (
            "a wrong type",
            base.replace("ports = [80, 443]", "ports = \"443\""),
        ),
        ("a missing key", base.replace("reason =", "# reason =")),
        ("a bad ticket number", base.replace("RITM0194104", "RITM12")),
    ] {
        let value: toml::Value = toml::from_str(&text).unwrap();
        assert!(
            !validator.is_valid(&to_json(value)),
            "{what} passed the schema"
        );
    }
}
