use super::*;
use archlint_findings::{ChainStep, CheckOutcome, Location};

fn contract(name: &str) -> Check {
    Check::Contract {
        id: Some(name.to_lowercase()),
        name: name.into(),
        contract_type: "layers".into(),
    }
}

fn sample() -> (Report, Page) {
    let broken = contract("Layers");
    let kept = contract("Independence");
    let finding = Finding {
        code: "layers".into(),
        severity: Severity::Error,
        message: "Layers: app.db is not allowed to import app.api".into(),
        help: Some("Move the call behind an interface".into()),
        location: Some(Location {
            path: "app/db.py".into(),
            line: Some(3),
            column: None,
        }),
        chain: vec![ChainStep {
            importer: "app.db".into(),
            imported: "app.api".into(),
            location: Some(Location {
                path: "app/db.py".into(),
                line: Some(3),
                column: None,
            }),
        }],
        related: Vec::new(),
        check: broken.clone(),
        identity: "contract:layers:app.db->app.api".into(),
        suppressed: None,
    };
    let report = Report {
        tool_version: "9.9.9".into(),
        descriptions: Default::default(),
        checks: vec![
            CheckOutcome {
                check: broken,
                passed: false,
            },
            CheckOutcome {
                check: kept,
                passed: true,
            },
            CheckOutcome {
                check: Check::Dependencies {
                    area: "licenses".into(),
                },
                passed: true,
            },
        ],
        findings: vec![finding],
        seconds: 0.0123,
    };
    let page = Page {
        title: "<shop>".into(),
        root: "/p/shop".into(),
        config: Some(".importlinter".into()),
        files: 3,
        modules: 3,
        imports: 2,
        graph: svg::Graph {
            nodes: vec![
                svg::Node {
                    name: "app.api".into(),
                    external: false,
                },
                svg::Node {
                    name: "app.db".into(),
                    external: false,
                },
            ],
            edges: vec![
                svg::Edge {
                    from: "app.api".into(),
                    to: "app.db".into(),
                    imports: 2,
                    violation: false,
                },
                svg::Edge {
                    from: "app.db".into(),
                    to: "app.api".into(),
                    imports: 1,
                    violation: true,
                },
            ],
        },
        packages: Some(vec![PackageRow {
            name: "leftpad".into(),
            version: "0.1.0".into(),
            role: "direct".into(),
            license: "GPL-3.0-only".into(),
            license_verdict: "denied".into(),
            vulnerabilities: vec!["PYSEC-1".into()],
            findings: vec!["license-denied".into()],
            status: "error".into(),
        }]),
        vulnerability_note: None,
        timings: vec![Timing {
            phase: "parse".into(),
            ms: 1.25,
        }],
    };
    (report, page)
}

#[test]
fn page_has_every_section() {
    let (report, page) = sample();
    let html = render(&report, &page, None).unwrap();
    for needle in [
        "id=\"summary\"",
        "<article class=\"contract broken\" data-contract=\"layers\">",
        "<article class=\"contract kept\" data-contract=\"independence\">",
        "<span class=\"importer\">app.db</span> → <span class=\"imported\">app.api</span> <code class=\"loc\">app&#x2f;db.py:3</code>",
        "Move the call behind an interface",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"graph\"",
        "class=\"edge violation\" data-from=\"app.db\" data-to=\"app.api\"",
        "<tr class=\"error\" data-package=\"leftpad\">",
        "<code class=\"vuln\">PYSEC-1</code>",
        "id=\"status\" class=\"badge fail\">FAILED",
        "<td>parse</td><td class=\"num\">1.2",
        "12 ms",
    ] {
        assert!(html.contains(needle), "missing {needle}\n{html}");
    }
}

#[test]
fn text_is_escaped_but_the_svg_is_not() {
    let (report, page) = sample();
    let html = render(&report, &page, None).unwrap();
    assert!(html.contains("archlint: &lt;shop&gt;"));
    assert!(!html.contains("<shop>"));
    assert!(!html.contains("&lt;svg"));
}

#[test]
fn the_page_loads_nothing_from_the_network() {
    let (report, page) = sample();
    let html = render(&report, &page, None).unwrap();
    for bad in ["<link", "src=\"http", "href=\"http", "@import", "url(http"] {
        assert!(!html.contains(bad), "{bad}");
    }
}

#[test]
fn a_passing_run_and_no_dependency_section() {
    let (mut report, mut page) = sample();
    report.findings.clear();
    report.checks.retain(|c| c.passed);
    page.packages = None;
    let html = render(&report, &page, None).unwrap();
    assert!(html.contains("class=\"badge pass\">PASSED"));
    assert!(!html.contains("id=\"dependencies\""));
}

#[test]
fn a_custom_template_and_a_broken_one() {
    let (report, page) = sample();
    let html = render(
        &report,
        &page,
        Some("{{ page.title }}: {{ contracts_broken }}"),
    )
    .unwrap();
    assert_eq!(html, "&lt;shop&gt;: 1");
    let err = render(&report, &page, Some("{% for x in %}")).unwrap_err();
    assert!(err.starts_with("HTML template:"), "{err}");
}
