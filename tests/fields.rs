//! Team-defined fields (issue 36): `[fields.NAME]` in `fwreq.toml`, their
//! values under a request's `[fields]` (and a rule's `fields`), checked at
//! their spans, and carried into the ticket, the JSON, the schema, the
//! starter, `list`, change tickets and the catalog variables.

use crate::common::{self, HEADER, run};
use std::fs;

/// A team file with a field of every type, every key, and both scopes.
const TEAM: &str = r#"list-columns = ["environment", "cmdb_ci"]

[fields.environment]
type = "choice"
label = "Environment"
help = "where the change lands"
values = ["production", "test", "development"]
required = true

[fields.classification]
type = "choice"
label = "Data classification"
values = ["public", "internal", "confidential"]
default = "internal"

[fields.change_window]
type = "date"
label = "Change window"
help = "the day the change may be made"

[fields.backout_plan]
type = "text"
label = "Backout plan"
help = "how the rule comes out if it breaks something"
required_when = { field = "environment", is = "production" }

[fields.internet_facing]
type = "bool"
label = "Internet facing"
default = false

[fields.cmdb_ci]
type = "line"
label = "CMDB CI"

[fields.applications]
type = "list"
label = "App-ID"
help = "the applications the firewall should match"
scope = "rule"
"#;

/// A request filling every field in (the rule's too); its rule names its
/// sources last, so no lint warns and the fields keep their lines.
fn filled() -> String {
    format!(
        "{HEADER}\n[fields]\nenvironment = \"production\"\nchange_window = 2026-12-14\nbackout_plan = \"Remove the rule.\"\ncmdb_ci = \"registry-prod\"\n\n[[rules]]\nports = [443]\ndestinations = [\"registry.example.com\"]\nfields = {{ applications = [\"ssl\", \"web-browsing\"] }}\nsources = [\"10.0.0.0/24\"]\n"
    )
}

/// A request without fields: one rule, tcp 443 to a.example.com.
fn plain() -> String {
    format!("{HEADER}[[rules]]\nports = [443]\ndestinations = [\"a.example.com\"]\n")
}

/// A git repository holding `team` as fwreq.toml and `request` as req.toml.
fn repo(team: &str, request: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::git(dir.path(), &["init", "-q"]);
    fs::write(dir.path().join("fwreq.toml"), team).unwrap();
    fs::write(dir.path().join("req.toml"), request).unwrap();
    dir
}

#[test]
fn a_team_file_with_every_type_renders_its_fields_in_its_order_with_its_labels() {
    let dir = repo(TEAM, &filled());
    let (code, out, err) = run(dir.path(), &["render", "req.toml"]);
    assert_eq!((code, err.as_str()), (0, ""));
    // Defaults fill what the request leaves out; a field without a value is not shown.
    let section = "Business Justification: j\n\n## Additional Information\n\nEnvironment: production\n\nData classification: internal\n\nChange window: 2026-12-14\n\nBackout plan: Remove the rule.\n\nInternet facing: no\n\nCMDB CI: registry-prod\n\n## Requested Policy Change\n";
    common::assert_contains(&out, section);
    // A rule's fields are among the rule's lines.
    common::assert_contains(
        &out,
        "- Destinations:\n  - registry.example.com\n- App-ID: ssl, web-browsing\n",
    );
    let (code, _, err) = run(dir.path(), &["check", "req.toml"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_team_without_fields_renders_as_before() {
    let dir = repo("[zones]\nk8s = [\"10.0.0.0/8\"]\n", &plain());
    let (code, out, _) = run(dir.path(), &["render", "req.toml"]);
    assert_eq!(code, 0);
    common::assert_contains(
        &out,
        "Business Justification: j\n\n## Requested Policy Change\n",
    );
    let (_, json, _) = run(dir.path(), &["render", "req.toml", "--format", "json"]);
    assert!(!json.contains("\"fields\""), "{json}");
}

/// Runs `check` on a team file with one mistake; returns its first two lines of stderr.
fn team_mistake(team: &str) -> Vec<String> {
    let dir = repo(team, &plain());
    let (code, _, err) = run(dir.path(), &["check", "req.toml"]);
    assert_eq!(code, 1, "{err}");
    let lines: Vec<&str> = err.lines().collect();
    let help = lines.iter().find(|l| l.starts_with("  = help:")).unwrap();
    vec![lines[0].to_string(), help.to_string()]
}

#[test]
fn each_mistake_in_a_field_definition_is_reported_at_its_place_in_the_team_file() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "[fields.env]\ntype = \"choise\"\nvalues = [\"a\"]\n",
            "fwreq.toml:2:8: error: unknown field type `choise`",
            "  = help: did you mean `choice`? the types are text, line, choice, date, bool, list",
        ),
        (
            "[fields.env]\ntype = \"choice\"\nvalues = [\"production\", \"test\"]\ndefault = \"prod\"\n",
            "fwreq.toml:4:11: error: the default of `env`: `prod` is not one of the values of `env`",
            "  = help: write one of production, test",
        ),
        (
            "[fields.window]\ntype = \"date\"\ndefault = \"next week\"\n",
            "fwreq.toml:3:11: error: the default of `window`: `window` takes a date, written YYYY-MM-DD",
            "  = help: write e.g. window = 2027-01-31",
        ),
        (
            "[fields.internet]\ntype = \"bool\"\ndefault = \"no\"\n",
            "fwreq.toml:3:11: error: the default of `internet`: `internet` takes true or false, not a string",
            "  = help: write e.g. internet = true",
        ),
        (
            "[fields.env]\ntype = \"choice\"\nvalues = [\"production\"]\n\n[fields.plan]\ntype = \"text\"\nrequired_when = { field = \"enviroment\", is = \"production\" }\n[fields.environment]\ntype = \"bool\"\n",
            "fwreq.toml:7:27: error: `required_when` of `plan` names `enviroment`, which is not a field",
            "  = help: did you mean `environment`?",
        ),
        (
            "[fields.env]\ntype = \"choice\"\nvalues = [\"production\", \"test\"]\n\n[fields.plan]\ntype = \"text\"\nrequired_when = { field = \"env\", is = \"produktion\" }\n",
            "fwreq.toml:7:39: error: `produktion` is not one of the values of `env`",
            "  = help: did you mean `production`? write one of production, test",
        ),
        (
            "[fields.ci]\ntype = \"line\"\nvalues = [\"a\", \"b\"]\n",
            "fwreq.toml:3:10: error: `values` is for a choice, and this field is a line",
            "  = help: remove values, or make it type = \"choice\"",
        ),
        (
            "[fields.env]\ntype = \"choice\"\n",
            "fwreq.toml:2:8: error: a choice needs values",
            "  = help: add values = [\"...\", \"...\"]: the answers the form offers",
        ),
        (
            "[fields.app]\ntype = \"list\"\nscope = \"rules\"\n",
            "fwreq.toml:3:9: error: unknown scope `rules`",
            "  = help: did you mean `rule`? scope is request (the default) or rule",
        ),
        (
            "list-columns = [\"environment\"]\n[fields.env]\ntype = \"line\"\n",
            "fwreq.toml:1:17: error: list-columns names `environment`, which is not a request field",
            "  = help: the request fields are env",
        ),
        (
            "[fields.env]\ntype = \"line\"\n\n[servicenow]\ninstance = \"https://acme.service-now.com\"\n\n[servicenow.variables]\nu_environment = \"{{ fields.evn }}\"\n",
            "fwreq.toml:8:17: error: `fields.evn` in a variable template names no field of the team's",
            "  = help: did you mean `fields.env`?",
        ),
        (
            "[fields.env]\ntype = \"bool\"\n\n[fields.plan]\ntype = \"text\"\nrequired = true\nrequired_when = { field = \"env\", is = true }\n",
            "fwreq.toml:7:17: error: `plan` is required already (required = true)",
            "  = help: keep required = true or required_when, not both",
        ),
        (
            "[fields.ci]\ntype = \"line\"\nhelp = \"\"\"\nthe CI\nof the change\"\"\"\n",
            "fwreq.toml:3:8: error: the help of `ci` spans lines",
            "  = help: write it on one line: `fwreq new` puts it in a comment",
        ),
        (
            "[fields.cmdb-ci]\ntype = \"line\"\n",
            "fwreq.toml:1:9: error: `cmdb-ci` is not a field name",
            "  = help: a field's name is a letter, then letters, digits and underscores (templates use it as fields.NAME)",
        ),
    ];
    for (team, first, help) in cases {
        assert_eq!(team_mistake(team), vec![*first, *help], "{team}");
    }
}

/// `check` of `request` under [`TEAM`]: (exit code, stderr).
fn check(request: &str) -> (i32, String) {
    let dir = repo(TEAM, request);
    let (code, _, err) = run(dir.path(), &["check", "req.toml"]);
    (code, err)
}

/// `check` of [`filled`] with `from` replaced by `to`, which must fail (exit 1): its stderr.
fn check_fails(from: &str, to: &str) -> String {
    let (code, err) = check(&filled().replace(from, to));
    assert_eq!(code, 1, "{err}");
    err
}

#[test]
fn a_condition_on_a_field_with_errors_adds_no_error_of_its_own() {
    let dir = repo(
        "[fields.env]\ntype = \"choise\"\nvalues = [\"production\"]\n\n[fields.plan]\ntype = \"text\"\nrequired_when = { field = \"env\", is = \"production\" }\n",
        &plain(),
    );
    let (code, _, err) = run(dir.path(), &["check", "req.toml"]);
    assert_eq!(code, 1);
    let errors: Vec<&str> = err.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(
        errors,
        vec!["fwreq.toml:2:8: error: unknown field type `choise`"],
        "{err}"
    );
}

#[test]
fn a_misspelt_field_gets_the_nearest_name_and_an_undefined_one_is_an_error() {
    let err = check_fails("cmdb_ci =", "cmdbci =");
    common::assert_starts(
        &err,
        "req.toml:12:1: error: unknown field `cmdbci`\n   |\n12 | cmdbci = \"registry-prod\"\n   | ^^^^^^\n  = help: did you mean `cmdb_ci`?\n",
    );
    let err = check_fails("cmdb_ci =", "risk_rating =");
    common::assert_starts(&err, "req.toml:12:1: error: unknown field `risk_rating`\n");
    common::assert_contains(
        &err,
        "= help: the team's request fields are environment, classification, change_window, backout_plan, internet_facing, cmdb_ci\n",
    );
    // A misspelt required field is one mistake, the typo, not a missing field too.
    let err = check_fails("environment =", "enviroment =");
    common::assert_starts(
        &err,
        "req.toml:9:1: error: unknown field `enviroment`\n  |\n9 | enviroment = \"production\"\n  | ^^^^^^^^^^\n  = help: did you mean `environment`?\nchecked 1 request: 1 error, 0 warnings\n",
    );
    // A rule's field in the request's table says where it belongs.
    let (_, err) = check(&filled().replace("cmdb_ci =", "applications = [\"ssl\"]\nx ="));
    common::assert_starts(&err, "req.toml:12:1: error: unknown field `applications`\n");
    common::assert_contains(
        &err,
        "= help: `applications` is filled in a rule's `fields`, not here\n",
    );
}

#[test]
fn a_choice_lists_its_values_and_a_date_its_format() {
    let err = check_fails("\"production\"", "\"Produktion\"");
    common::assert_starts(
        &err,
        "req.toml:9:15: error: `Produktion` is not one of the values of `environment`\n",
    );
    common::assert_contains(
        &err,
        "= help: did you mean `production`? write one of production, test, development\n",
    );
    let err = check_fails("2026-12-14", "\"14/12/2026\"");
    common::assert_starts(
        &err,
        "req.toml:10:17: error: `change_window` takes a date, written YYYY-MM-DD\n",
    );
    common::assert_contains(&err, "= help: write e.g. change_window = 2027-01-31\n");
    let err = check_fails("[\"ssl\", \"web-browsing\"]", "\"ssl\"");
    common::assert_starts(
        &err,
        "req.toml:17:27: error: `applications` takes a list of text, not a string\n",
    );
}

#[test]
fn a_request_without_a_required_field_fails_check_naming_its_label_and_help() {
    let err = check_fails("environment = \"production\"\n", "");
    assert_eq!(
        err,
        "req.toml:8:1: error: missing the team's field \"Environment\" (`environment`)\n  |\n8 | [fields]\n  | ^\n  = help: where the change lands; add environment = \"production\" to [fields]\nchecked 1 request: 1 error, 0 warnings\nteam file: fwreq.toml\n"
    );
    // Required on a condition: only when the condition holds.
    let err = check_fails("backout_plan = \"Remove the rule.\"\n", "");
    common::assert_starts(
        &err,
        "req.toml:8:1: error: missing the team's field \"Backout plan\" (`backout_plan`), required when `environment` is production\n",
    );
    common::assert_contains(
        &err,
        "= help: how the rule comes out if it breaks something; add backout_plan = \"...\" to [fields]\n",
    );
    let test = filled()
        .replace("\"production\"", "\"test\"")
        .replace("backout_plan = \"Remove the rule.\"\n", "");
    assert_eq!(check(&test).0, 0);
    // A request with no [fields] at all is reported at its first line.
    let (code, err) = check(&plain());
    assert_eq!(code, 1);
    common::assert_starts(
        &err,
        "req.toml:1:1: error: missing the team's field \"Environment\" (`environment`)\n",
    );
}

#[test]
fn fields_without_a_team_that_defines_them_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    common::git(dir.path(), &["init", "-q"]);
    fs::write(dir.path().join("req.toml"), filled()).unwrap();
    let (code, _, err) = run(dir.path(), &["check", "req.toml"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "req.toml:8:1: error: this request has fields, but its team defines none\n  |\n8 | [fields]\n  | ^^^^^^^^\n  = help: no valid fwreq.toml governs this request: define the fields in the team file as [fields.NAME] tables (docs/fields.md), or remove the fields\nchecked 1 request: 1 error, 0 warnings\n"
    );
    let (code, _, err) = run(dir.path(), &["render", "req.toml"]);
    assert_eq!(code, 1);
    common::assert_starts(&err, "req.toml:8:1: error: this request has fields");
}

#[test]
fn the_json_carries_each_field_with_its_label_value_and_text() {
    let dir = repo(TEAM, &filled());
    let (code, out, _) = run(dir.path(), &["render", "req.toml", "--format", "json"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let fields = &json["request"]["fields"];
    assert_eq!(
        fields[0],
        serde_json::json!({"name": "environment", "label": "Environment", "value": "production", "text": "production"})
    );
    assert_eq!(
        fields[2],
        serde_json::json!({"name": "change_window", "label": "Change window", "value": "2026-12-14", "text": "2026-12-14"})
    );
    assert_eq!(
        fields[4],
        serde_json::json!({"name": "internet_facing", "label": "Internet facing", "value": false, "text": "no"})
    );
    assert_eq!(
        json["request"]["rules"][0]["fields"],
        serde_json::json!([{"name": "applications", "label": "App-ID", "value": ["ssl", "web-browsing"], "text": "ssl, web-browsing"}])
    );
    // `list --format json` carries them too, and `list` shows the team's columns.
    let (_, out, _) = run(dir.path(), &["list", ".", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rows[0]["fields"][0]["value"], "production");
    let (_, out, _) = run(dir.path(), &["list", "."]);
    assert_eq!(
        out,
        "PATH        TITLE  RITM  REQ  STATUS  SUBMITTED  EXPIRES  RULES  FLOWS  ENVIRONMENT  CMDB CI\n./req.toml  t      -     -    draft   -          -        1      1      production   registry-prod\n"
    );
}

#[test]
fn the_site_index_shows_the_teams_list_columns() {
    let dir = repo(TEAM, &filled());
    let (code, _, err) = run(dir.path(), &["site", ".", "-o", "site"]);
    assert_eq!(code, 0, "{err}");
    let index = fs::read_to_string(dir.path().join("site/index.html")).unwrap();
    common::assert_contains(
        &index,
        "<th data-sort=\"number\"><button type=\"button\">Warnings</button></th><th data-sort=\"text\"><button type=\"button\">Environment</button></th><th data-sort=\"text\"><button type=\"button\">CMDB CI</button></th></tr>",
    );
    common::assert_contains(
        &index,
        "</td><td data-label=\"Environment\" class=\"field\">production</td>\n<td data-label=\"CMDB CI\" class=\"field\">registry-prod</td>\n</tr>",
    );
}

#[test]
fn the_schema_inside_a_repository_holds_the_teams_fields() {
    let dir = repo(TEAM, &filled());
    let (code, out, _) = run(dir.path(), &["schema"]);
    assert_eq!(code, 0);
    let schema: serde_json::Value = serde_json::from_str(&out).unwrap();
    let fields = &schema["properties"]["fields"];
    assert_eq!(
        fields["properties"]["environment"],
        serde_json::json!({"type": "string", "enum": ["production", "test", "development"], "description": "Environment: where the change lands"})
    );
    assert_eq!(
        fields["properties"]["change_window"]["format"],
        serde_json::json!("date")
    );
    assert_eq!(fields["required"], serde_json::json!(["environment"]));
    assert_eq!(fields["additionalProperties"], serde_json::json!(false));
    assert_eq!(
        schema["definitions"]["RawRule"]["properties"]["fields"]["properties"]["applications"]["items"],
        serde_json::json!({"type": "string", "minLength": 1})
    );
    // The filled request is valid under it; one without the required field is not.
    let validator = jsonschema::validator_for(&schema).unwrap();
    // A TOML date is text to JSON Schema (Taplo checks its `format`).
    let mut request: toml::Table = toml::from_str(&filled()).unwrap();
    request["fields"]["change_window"] = toml::Value::String("2026-12-14".into());
    let mut as_json = serde_json::to_value(&request).unwrap();
    assert!(validator.is_valid(&as_json));
    as_json["fields"]
        .as_object_mut()
        .unwrap()
        .remove("environment");
    assert!(!validator.is_valid(&as_json));
}

#[test]
fn new_scaffolds_the_teams_fields_with_their_help() {
    let dir = repo(TEAM, "");
    fs::remove_file(dir.path().join("req.toml")).unwrap();
    let (code, _, err) = run(dir.path(), &["new", "registry"]);
    assert_eq!(code, 0, "{err}");
    let text = fs::read_to_string(dir.path().join("requests/registry.toml")).unwrap();
    insta::assert_snapshot!(text);
}

#[test]
fn a_change_ticket_says_which_fields_changed_before_and_after() {
    let dir = repo(TEAM, &filled());
    let new = filled()
        .replace("\"production\"", "\"test\"")
        .replace("\"web-browsing\"", "\"ssh\"");
    fs::write(dir.path().join("new.toml"), new).unwrap();
    let (code, out, err) = run(dir.path(), &["diff", "req.toml", "new.toml"]);
    assert_eq!(code, 0, "{err}");
    common::assert_contains(
        &out,
        "\n## Fields that change\n\n- Environment: production -> test\n- Rule 1, App-ID: ssl, web-browsing -> ssl, ssh\n",
    );
    // A text over several lines stays inside its list item.
    let two_lines = filled().replace("Remove the rule.", "Remove the rule.\\nTell the plant.");
    fs::write(dir.path().join("new.toml"), two_lines).unwrap();
    let (_, out, _) = run(dir.path(), &["diff", "req.toml", "new.toml"]);
    common::assert_contains(
        &out,
        "\n- Backout plan: Remove the rule. -> Remove the rule.\n  Tell the plant.\n\n",
    );
}

#[test]
fn a_dry_run_submit_sends_the_fields_in_the_catalog_variables() {
    let team = format!(
        "{TEAM}\n[servicenow]\ninstance = \"http://127.0.0.1:9\"\ncatalog-item = \"5f1b2c3d4e5f60718293a4b5c6d7e8f9\"\n\n[servicenow.variables]\nshort_description = \"{{{{ title }}}}\"\nu_environment = \"{{{{ fields.environment }}}}\"\nu_change_window = \"{{{{ fields.change_window }}}}\"\nu_cmdb_ci = \"{{{{ fields.cmdb_ci }}}}\"\n"
    );
    let dir = repo(&team, &filled());
    let out = assert_cmd::cargo::cargo_bin_cmd!("fwreq")
        .current_dir(dir.path())
        .args(["submit", "req.toml", "--dry-run"])
        .env("NO_COLOR", "1")
        .env("SN_INSTANCE", "http://127.0.0.1:9")
        .env("XDG_CONFIG_HOME", dir.path().join(".config"))
        .env_remove("SN_USER")
        .env_remove("SN_PASSWORD")
        .env_remove("SN_TOKEN")
        .env_remove("SN_API_KEY")
        .output()
        .unwrap();
    let stdout = common::stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    // order_now's body: `variables` keyed by the variable's name (ServiceNow
    // Service Catalog API, POST /sn_sc/servicecatalog/items/{sys_id}/order_now).
    common::assert_contains(
        &stdout,
        "  \"variables\": {\n    \"fwreq_correlation_id\": \"fwreq:req.toml\",\n    \"short_description\": \"t\",\n    \"u_change_window\": \"2026-12-14\",\n    \"u_cmdb_ci\": \"registry-prod\",\n    \"u_environment\": \"production\"\n  }\n",
    );
}

#[test]
fn a_rule_without_its_required_field_is_reported_at_its_header() {
    let team = TEAM.replace("scope = \"rule\"\n", "scope = \"rule\"\nrequired = true\n");
    let request = filled().replace(
        "fields = { applications = [\"ssl\", \"web-browsing\"] }\n",
        "",
    );
    let dir = repo(&team, &request);
    let (code, _, err) = run(dir.path(), &["check", "req.toml"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "req.toml:14:1: error: missing the team's field \"App-ID\" (`applications`)\n   |\n14 | [[rules]]\n   | ^\n  = help: the applications the firewall should match; add applications = [\"...\"] to this rule's fields\nchecked 1 request: 1 error, 0 warnings\nteam file: fwreq.toml\n"
    );
}

/// `body-too-long` counts the body as rendered: fields that take it past
/// 4,000 characters are found, though the request's other text is short.
#[test]
fn a_body_made_too_long_by_its_fields_is_flagged() {
    let plan = "Remove the rule. ".repeat(240);
    let request = filled().replace("Remove the rule.", plan.trim_end());
    let dir = repo(TEAM, &request);
    let (code, _, err) = run(dir.path(), &["check", "req.toml"]);
    assert_eq!(code, 0, "{err}");
    common::assert_contains(&err, "warning[body-too-long]");
}

/// Removal and renewal tickets carry the team's fields too, under the same
/// heading and in the team's order: the organisation's ServiceNow form asks
/// for them on every ticket kind.
#[test]
fn removal_and_renewal_tickets_show_the_teams_fields() {
    let dir = repo(TEAM, &filled());
    let section = "\n\n## Additional Information\n\nEnvironment: production\n\nData classification: internal\n\nChange window: 2026-12-14\n\nBackout plan: Remove the rule.\n\nInternet facing: no\n\nCMDB CI: registry-prod\n\n## ";
    let (code, out, err) = run(dir.path(), &["render", "--removal", "req.toml"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(
        out.contains(&format!(
            "Affected Application: a{section}Rules to remove\n"
        )),
        "{out}"
    );
    let (code, out, err) = run(
        dir.path(),
        &[
            "renew",
            "req.toml",
            "--until",
            "2027-06-30",
            "--reason",
            "extended",
            "--today",
            "2026-12-02",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&format!(
            "Affected Application: a{section}Rules that stay in place\n"
        )),
        "{out}"
    );
}

/// implement, probe and sync load a request as check does, through its
/// team: a field value check refuses is refused by them too, at its place,
/// and nothing is written, probed or synced.
#[test]
fn implement_probe_and_sync_refuse_a_field_value_check_refuses() {
    let request = filled().replace("\"production\"", "\"prod\"");
    let line = 1 + request
        .lines()
        .position(|l| l == "environment = \"prod\"")
        .unwrap();
    let dir = repo(TEAM, &request);
    let said =
        format!("req.toml:{line}:15: error: `prod` is not one of the values of `environment`\n");
    for (args, last) in [
        (
            &["implement", "req.toml", "--target", "nftables"][..],
            "fwreq: error: req.toml has errors; nothing was written\n",
        ),
        (
            &["probe", "req.toml"][..],
            "fwreq: error: req.toml has errors; fix them before probing\n",
        ),
        (
            &["sync", "req.toml"][..],
            "fwreq: error: 1 request could not be synced\n",
        ),
    ] {
        let (code, out, err) = run(dir.path(), args);
        assert_eq!((code, out.as_str()), (2, ""), "{args:?}: {err}");
        assert!(err.starts_with(&said), "{args:?}: {err}");
        assert!(err.ends_with(last), "{args:?}: {err}");
    }
}
