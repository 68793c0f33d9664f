//! Each contract type on small graphs, down to the chains reported.

use std::collections::BTreeMap;

use archlint_facts::ImportKind;
use archlint_graph::{ImportDetail, ImportGraph};

use crate::config::{ContractConfig, RawValue, Settings};
use crate::{Contract, ContractResult};

fn graph(modules: &[&str], edges: &[(&str, &str, u32)]) -> ImportGraph {
    ImportGraph::from_parts(
        modules.iter().map(|m| (m.to_string(), false)),
        edges.iter().map(|(a, b, line)| {
            (
                a.to_string(),
                b.to_string(),
                ImportDetail {
                    line: *line,
                    column: 1,
                    kind: ImportKind::Import,
                    type_checking: false,
                    in_function: false,
                },
            )
        }),
    )
}

fn contract(options: &[(&str, &[&str])]) -> ContractConfig {
    let mut map = BTreeMap::new();
    for (k, v) in options {
        let value = if v.len() == 1 {
            RawValue::One(v[0].to_string())
        } else {
            RawValue::Many(v.iter().map(|s| s.to_string()).collect())
        };
        map.insert(k.to_string(), value);
    }
    ContractConfig {
        id: Some("c".into()),
        line: Some(3),
        options: map,
    }
}

fn settings() -> Settings {
    Settings {
        root_packages: vec!["app".into()],
        ..Settings::default()
    }
}

fn check(g: &ImportGraph, options: &[(&str, &[&str])]) -> ContractResult {
    Contract::from_config(&contract(options))
        .unwrap()
        .check(g, &settings())
        .unwrap()
}

fn chains(r: &ContractResult) -> Vec<String> {
    r.violations
        .iter()
        .flat_map(|v| &v.routes)
        .map(|route| {
            route
                .chain
                .iter()
                .map(|l| format!("{}>{}:{:?}", l.importer, l.imported, l.lines))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

const MODS: &[&str] = &[
    "app",
    "app.high",
    "app.high.v",
    "app.mid",
    "app.mid.s",
    "app.low",
    "app.low.m",
    "app.util",
];

#[test]
fn layers_direct_and_indirect_routes() {
    let g = graph(
        MODS,
        &[
            ("app.low.m", "app.high.v", 4),
            ("app.low.m", "app.util", 2),
            ("app.util", "app.mid.s", 9),
        ],
    );
    let r = check(
        &g,
        &[
            ("name", &["L"]),
            ("type", &["layers"]),
            ("containers", &["app"]),
            ("layers", &["high", "mid", "low"]),
        ],
    );
    assert!(!r.kept);
    assert_eq!(r.violations.len(), 2);
    assert_eq!(
        r.violations[0].summary,
        "app.low is not allowed to import app.high:"
    );
    assert_eq!(
        chains(&r),
        [
            "app.low.m>app.high.v:[4]",
            "app.low.m>app.util:[2] app.util>app.mid.s:[9]"
        ]
    );
    assert_eq!(
        r.direct_imports(),
        [("app.low.m".to_string(), "app.high.v".to_string())]
    );
}

#[test]
fn layers_siblings_and_exhaustive() {
    let g = graph(MODS, &[("app.high.v", "app.mid.s", 1)]);
    let independent = check(
        &g,
        &[
            ("name", &["L"]),
            ("type", &["layers"]),
            ("layers", &["app.high | app.mid", "app.low"]),
        ],
    );
    assert!(!independent.kept);
    let open = check(
        &g,
        &[
            ("name", &["L"]),
            ("type", &["layers"]),
            ("layers", &["app.high : app.mid", "app.low"]),
        ],
    );
    assert!(open.kept);
    let exhaustive = check(
        &g,
        &[
            ("name", &["L"]),
            ("type", &["layers"]),
            ("containers", &["app"]),
            ("layers", &["high", "mid", "low"]),
            ("exhaustive", &["true"]),
        ],
    );
    assert_eq!(exhaustive.undeclared_modules, ["app.util"]);
    assert!(!exhaustive.kept);
}

#[test]
fn forbidden_indirect_and_allow_indirect() {
    let g = graph(
        MODS,
        &[("app.high.v", "app.util", 1), ("app.util", "app.low.m", 2)],
    );
    let base: &[(&str, &[&str])] = &[
        ("name", &["F"]),
        ("type", &["forbidden"]),
        ("source_modules", &["app.high"]),
        ("forbidden_modules", &["app.low"]),
    ];
    let r = check(&g, base);
    assert_eq!(
        chains(&r),
        ["app.high.v>app.util:[1] app.util>app.low.m:[2]"]
    );
    let mut allow = base.to_vec();
    allow.push(("allow_indirect_imports", &["true"]));
    assert!(check(&g, &allow).kept);
}

#[test]
fn independence_and_ignore_imports() {
    let g = graph(
        MODS,
        &[("app.high.v", "app.low.m", 1), ("app.low", "app.util", 1)],
    );
    let r = check(
        &g,
        &[
            ("name", &["I"]),
            ("type", &["independence"]),
            ("modules", &["app.high", "app.low"]),
        ],
    );
    assert!(!r.kept);
    let r = check(
        &g,
        &[
            ("name", &["I"]),
            ("type", &["independence"]),
            ("modules", &["app.high", "app.low"]),
            ("ignore_imports", &["app.*.v -> app.low.**"]),
        ],
    );
    assert!(r.kept);
    assert_eq!(r.ignored_imports, 1);
}

#[test]
fn protected_allows_listed_importers_and_itself() {
    let g = graph(
        MODS,
        &[
            ("app.mid.s", "app.low.m", 1),
            ("app.high.v", "app.low.m", 7),
            ("app.low", "app.low.m", 1),
        ],
    );
    let r = check(
        &g,
        &[
            ("name", &["P"]),
            ("type", &["protected"]),
            ("protected_modules", &["app.low"]),
            ("allowed_importers", &["app.mid"]),
        ],
    );
    assert_eq!(chains(&r), ["app.high.v>app.low.m:[7]"]);
}

#[test]
fn acyclic_siblings_finds_cycles_between_children() {
    let g = graph(
        MODS,
        &[("app.high.v", "app.low.m", 1), ("app.low.m", "app.high", 2)],
    );
    let r = check(
        &g,
        &[
            ("name", &["A"]),
            ("type", &["acyclic_siblings"]),
            ("ancestors", &["app"]),
        ],
    );
    assert!(!r.kept);
    assert_eq!(r.violations[0].importer, "app");
    let acyclic = graph(MODS, &[("app.high.v", "app.low.m", 1)]);
    assert!(
        check(
            &acyclic,
            &[
                ("name", &["A"]),
                ("type", &["acyclic_siblings"]),
                ("ancestors", &["app"])
            ]
        )
        .kept
    );
}

#[test]
fn option_errors_name_the_option() {
    let err = Contract::from_config(&contract(&[
        ("name", &["X"]),
        ("type", &["forbidden"]),
        ("source_modules", &["app"]),
        ("forbiden_modules", &["app"]),
    ]))
    .unwrap_err();
    assert_eq!(err.option.as_deref(), Some("forbidden_modules"));
    let err =
        Contract::from_config(&contract(&[("name", &["X"]), ("type", &["nope"])])).unwrap_err();
    assert!(err.message.contains("unknown contract type 'nope'"));
    // An indented line after `type = layers` continues it: said so, not "type is required".
    let err = Contract::from_config(&contract(&[
        ("name", &["X"]),
        ("type", &["layers", "garbage here"]),
    ]))
    .unwrap_err();
    assert_eq!(err.option.as_deref(), Some("type"));
    assert!(
        err.message.contains("('layers', 'garbage here')")
            && err.message.contains("an indented line continues"),
        "{}",
        err.message
    );
    let err = Contract::from_config(&contract(&[
        ("name", &["X"]),
        ("type", &["layers"]),
        ("layers", &["a", "a"]),
    ]))
    .unwrap_err();
    assert!(err.message.contains("more than one layer"));
    let g = graph(MODS, &[]);
    let err = Contract::from_config(&contract(&[
        ("name", &["X"]),
        ("type", &["layers"]),
        ("layers", &["app.nope"]),
    ]))
    .unwrap()
    .check(&g, &settings())
    .unwrap_err();
    assert!(err.message.contains("Missing layer 'app.nope'"));
}

/// import-linter's table of who may import a private module, one case per row.
#[test]
fn private_modules_follow_import_linters_table() {
    let mods = &[
        "foo",
        "foo._private",
        "foo._private._green",
        "foo._private.green",
        "foo.public",
        "foo.public.blue",
        "foo.green",
        "foo.green._private",
        "foo.green._private.red",
        "foo.blue",
        "foo.__main__",
        "foo.orange",
    ];
    let edges = &[
        ("foo._private", "foo.public", 1), // allowed: private imports public
        ("foo.public", "foo._private", 2), // allowed: sibling
        ("foo.green", "foo.green._private", 3), // allowed: its own package
        ("foo.public.blue", "foo._private.green", 4), // allowed: inside foo
        ("foo.blue", "foo.green._private", 5), // illegal
        ("foo.blue", "foo._private._green", 6), // illegal: outside foo._private
        ("foo.blue", "foo.green._private.red", 7), // illegal: descendant
        ("foo.orange", "foo.__main__", 8), // allowed: dunder is not private
    ];
    let g = graph(mods, edges);
    let r = check(&g, &[("name", &["P"]), ("type", &["private_modules"])]);
    assert!(!r.kept);
    assert_eq!(r.kind, "private_modules");
    assert_eq!(
        chains(&r),
        [
            "foo.blue>foo._private._green:[6]",
            "foo.blue>foo.green._private:[5]",
            "foo.blue>foo.green._private.red:[7]",
        ]
    );
    assert_eq!(
        r.violations[0].summary,
        "Private modules may only be imported from within their parent package:"
    );

    // Only the private modules inside the listed packages are checked.
    let only = |packages: &[&str]| {
        let mut options: Vec<(&str, &[&str])> =
            vec![("name", &["P"]), ("type", &["private_modules"])];
        options.push(("packages_with_private_modules", packages));
        check(&g, &options)
    };
    assert_eq!(
        chains(&only(&["foo.green"])),
        [
            "foo.blue>foo.green._private:[5]",
            "foo.blue>foo.green._private.red:[7]"
        ]
    );
    assert!(only(&["foo.blue"]).kept);
    assert_eq!(
        chains(&only(&["foo.public", "foo.green"])).len(),
        2,
        "several packages"
    );

    // ignore_imports hides an illegal import.
    let r = check(
        &g,
        &[
            ("name", &["P"]),
            ("type", &["private_modules"]),
            ("packages_with_private_modules", &["foo.green"]),
            (
                "ignore_imports",
                &["foo.blue -> foo.green._private", "foo.blue -> foo.green.**"],
            ),
        ],
    );
    assert!(r.kept, "{:?}", chains(&r));
    assert_eq!(r.ignored_imports, 2);
}

#[test]
fn private_modules_reject_private_packages() {
    let g = graph(&["foo", "foo._x", "foo._x.y", "foo.z"], &[]);
    // Listed by name: a configuration error naming the option.
    let err = Contract::from_config(&contract(&[
        ("name", &["P"]),
        ("type", &["private_modules"]),
        ("packages_with_private_modules", &["foo._x.y", "foo.z"]),
    ]))
    .unwrap_err();
    assert_eq!(err.option.as_deref(), Some("packages_with_private_modules"));
    assert!(err.message.contains("'foo._x.y'"), "{}", err.message);
    // Matched by a wildcard: an error when checked.
    let c = Contract::from_config(&contract(&[
        ("name", &["P"]),
        ("type", &["private_modules"]),
        ("packages_with_private_modules", &["foo.*"]),
    ]))
    .unwrap();
    let err = c.check(&g, &settings()).unwrap_err();
    assert!(
        err.message.contains("matched packages that are private")
            && err.message.contains("'foo._x'"),
        "{}",
        err.message
    );
    // A package that does not exist, or a wildcard that matches nothing.
    for missing in ["foo.nope", "foo.nope.*"] {
        let c = Contract::from_config(&contract(&[
            ("name", &["P"]),
            ("type", &["private_modules"]),
            ("packages_with_private_modules", &[missing]),
        ]))
        .unwrap();
        assert!(c.check(&g, &settings()).is_err(), "{missing}");
    }
}

#[test]
fn forbidden_chains_share_no_import_and_layers_routes_are_a_set() {
    // app.low.a and app.low.b both import app.mid.m, which imports app.high.h: grimp hides a
    // chain's imports before looking again, so the forbidden contract lists one chain through
    // app.mid.m -> app.high.h, not one per source module.
    let g = graph(
        &[
            "app",
            "app.high",
            "app.high.h",
            "app.high.k",
            "app.mid",
            "app.mid.m",
            "app.low",
            "app.low.a",
            "app.low.b",
        ],
        &[
            ("app.low.a", "app.mid.m", 1),
            ("app.low.b", "app.mid.m", 2),
            ("app.mid.m", "app.high.h", 3),
            ("app.mid.m", "app.high.k", 4),
        ],
    );
    let r = check(
        &g,
        &[
            ("name", &["F"]),
            ("type", &["forbidden"]),
            ("source_modules", &["app.low"]),
            ("forbidden_modules", &["app.high"]),
        ],
    );
    assert_eq!(
        chains(&r),
        [
            "app.low.a>app.mid.m:[1] app.mid.m>app.high.h:[3]",
            "app.low.b>app.mid.m:[2] app.mid.m>app.high.k:[4]",
        ]
    );
    // The layers contract finds the same two chains; both have the middle app.mid.m, so they are
    // one route with every head and tail.
    let g2 = graph(
        &[
            "app",
            "app.high",
            "app.high.h",
            "app.high.k",
            "app.other",
            "app.other.m",
            "app.low",
            "app.low.a",
            "app.low.b",
        ],
        &[
            ("app.low.a", "app.other.m", 1),
            ("app.low.b", "app.other.m", 2),
            ("app.other.m", "app.high.h", 3),
            ("app.other.m", "app.high.k", 4),
        ],
    );
    let r = check(
        &g2,
        &[
            ("name", &["L"]),
            ("type", &["layers"]),
            ("layers", &["app.high", "app.low"]),
        ],
    );
    assert_eq!(r.violations.len(), 1);
    let routes = &r.violations[0].routes;
    assert_eq!(routes.len(), 1, "{routes:?}");
    assert_eq!(
        chains(&r),
        ["app.low.a>app.other.m:[1] app.other.m>app.high.h:[3]"]
    );
    assert_eq!(routes[0].extra_firsts[0].importer, "app.low.b");
    assert_eq!(routes[0].extra_lasts[0].imported, "app.high.k");
}

/// A wildcard that matches nothing made the contract vacuously kept, silently: now it is named
/// (a warning by default), or fails the contract with `unmatched_modules_alerting = error`.
#[test]
fn wildcards_that_match_nothing_are_reported() {
    let g = graph(MODS, &[]);
    let options: &[(&str, &[&str])] = &[
        ("name", &["X"]),
        ("type", &["forbidden"]),
        ("source_modules", &["app.*.nothing_here"]),
        ("forbidden_modules", &["app.util", "app.**.nor_here"]),
    ];
    let kept = check(&g, options);
    assert!(kept.kept);
    assert_eq!(
        kept.unmatched_expressions,
        [
            "source_modules 'app.*.nothing_here'",
            "forbidden_modules 'app.**.nor_here'"
        ]
    );
    // import-linter's own warnings are untouched.
    assert!(kept.warnings.is_empty());
    let contract = Contract::from_config(&contract(options)).unwrap();
    for (level, expect_error) in [
        (crate::options::AlertLevel::Error, true),
        (crate::options::AlertLevel::None, false),
    ] {
        let s = Settings {
            unmatched_modules_alerting: Some(level),
            ..settings()
        };
        let outcome = contract.check(&g, &s);
        if expect_error {
            let err = outcome.unwrap_err();
            assert!(
                err.message
                    .contains("The expression 'app.*.nothing_here' did not match any modules."),
                "{}",
                err.message
            );
        } else {
            assert!(outcome.unwrap().unmatched_expressions.is_empty());
        }
    }
    // A wildcard that matches, and the other contract types.
    let matched = check(
        &g,
        &[
            ("name", &["X"]),
            ("type", &["independence"]),
            ("modules", &["app.*", "app.none.*"]),
        ],
    );
    assert_eq!(matched.unmatched_expressions, ["modules 'app.none.*'"]);
    let protected = check(
        &g,
        &[
            ("name", &["X"]),
            ("type", &["protected"]),
            ("protected_modules", &["app.*.secret"]),
            ("allowed_importers", &["app.high"]),
        ],
    );
    assert_eq!(
        protected.unmatched_expressions,
        ["protected_modules 'app.*.secret'"]
    );
}
