//! Every example in requests/ rendered through the binary, held as an insta snapshot.
//! A changed template or rule shows up here as a reviewable diff.

use crate::common;

use assert_cmd::cargo::cargo_bin_cmd;

#[test]
fn every_example_request_renders_to_its_snapshot() {
    for path in common::examples() {
        let out = cargo_bin_cmd!("fwreq")
            .arg("render")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        insta::assert_snapshot!(name.clone(), String::from_utf8(out.stdout).unwrap());
        // The formats derived from that Markdown, one snapshot each.
        for format in ["html", "servicenow", "json"] {
            let out = cargo_bin_cmd!("fwreq")
                .args(["render", "--format", format])
                .arg(&path)
                .output()
                .unwrap();
            assert!(out.status.success(), "{} --format {format}", path.display());
            insta::assert_snapshot!(
                format!("{name}.{format}"),
                String::from_utf8(out.stdout).unwrap()
            );
        }
    }
}

#[test]
fn the_seed_example_has_every_section_of_the_seed_ticket_in_order() {
    let out = cargo_bin_cmd!("fwreq")
        .args(["render", "requests/avilla-calico-registry.toml"])
        .output()
        .unwrap();
    let body = String::from_utf8(out.stdout).unwrap();
    let sections = [
        "# AWS Container Registry Network Config Request\n",
        // Hard line breaks: separate lines in every format.
        "\nRITM0194104  \n",
        "\nSubmitted : 2025-03-14 16:28:49  \n",
        "\nRequest Number : REQ0194058  \n",
        "\nProject: Avilla Structures Kubernetes Cluster\n",
        "\nRequest: Please update the Avilla Structures",
        "\nReason: MicroK8s needs access",
        "\nAffected Application: Automated Report System, Tool Management System, and Tool Tracker",
        "\nBusiness Justification: The Avilla Structures Kubernetes Cluster",
        "\n## Requested Policy Change\n",
        "\n## Key points about the firewall rule\n",
        "\n- Protocol: TCP\n- Port: 80/443\n- Action: Allow\n- Zones: plant-k8s -> internet, needs review\n- Sources:\n  - 10.188.50.0/24\n- Destinations:\n",
        "\n## Details\n\n```bash\n# OCI container registries\n",
        "\ncurl -vv telnet://prod-registry-k8s-io-us-east-2.s3.dualstack.us-east-2.amazonaws.com:443\n",
        "\nsudo tcpdump -i any -nn dst host pkg.dev\n```\n",
        "\n## Test Process\n\n1. Add firewall rule\n2. microk8s start\n",
        "\n```bash\nssh brent@10.188.50.201\n",
        "\nJohn Biel\n",
    ];
    let mut at = 0;
    for section in sections {
        let found = body[at..].find(section);
        assert!(
            found.is_some(),
            "missing or out of order: {section:?}\n{body}"
        );
        at += found.unwrap_or(0) + section.len() - 1;
    }
    assert!(body.ends_with("John Biel\n"));
    // No invitation to paste internal addresses into a public website.
    assert!(!body.contains("markdownlivepreview"), "{body}");
}
