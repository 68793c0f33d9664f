use super::*;

fn graph(imports: &[(&str, &str)]) -> Graph {
    let mut g = Graph::new();
    for (a, b) in imports {
        g.add_import(a, b, None);
    }
    g
}

#[test]
fn ancestors_are_invisible_until_added() {
    let mut g = graph(&[("pkg.a.one", "pkg.b")]);
    assert_eq!(g.modules(), ["pkg.a.one", "pkg.b"]);
    assert!(!g.contains_module("pkg.a"));
    // Children of an invisible module are found; the module itself is not "present".
    assert_eq!(g.find_children("pkg").unwrap(), ["pkg.b"]);
    assert_eq!(g.find_descendants("pkg").unwrap(), ["pkg.a.one", "pkg.b"]);
    g.add_module("pkg.a", false).unwrap();
    assert_eq!(g.find_children("pkg").unwrap(), ["pkg.a", "pkg.b"]);
    assert_eq!(
        g.is_module_squashed("pkg"),
        Err(GraphError::ModuleNotPresent("pkg".into()))
    );
}

#[test]
fn removing_a_module_removes_its_descendants_and_their_imports() {
    let mut g = graph(&[("a.b.c", "x"), ("x", "a.b"), ("a.d", "x")]);
    g.add_module("a.b", false).unwrap();
    assert_eq!(g.count_imports(), 3);
    g.remove_module("a.b");
    assert_eq!(g.modules(), ["a.d", "x"]);
    assert_eq!(g.count_imports(), 1);
    g.remove_module("nowhere");
}

#[test]
fn squashing_takes_over_the_descendants_imports() {
    let mut g = graph(&[("a.b.c", "x"), ("y", "a.b.d"), ("a.b", "z")]);
    g.squash_module("a.b").unwrap();
    assert!(g.is_module_squashed("a.b").unwrap());
    assert_eq!(g.modules(), ["a.b", "x", "y", "z"]);
    assert_eq!(
        g.find_modules_directly_imported_by("a.b", false).unwrap(),
        ["x", "z"]
    );
    assert_eq!(
        g.find_modules_that_directly_import("a.b", false).unwrap(),
        ["y"]
    );
    assert!(g.add_module("a.b.e", false).is_err());
    assert!(g.add_module("a.b", false).is_err());
}

#[test]
fn details_are_kept_per_import_and_dropped_with_it() {
    let mut g = Graph::new();
    let detail = |n| Detail {
        line_number: n,
        line_contents: format!("import b  # {n}"),
        is_lazy: false,
    };
    g.add_import("a", "b", Some(detail(3)));
    g.add_import("a", "b", Some(detail(1)));
    g.add_import("a", "b", Some(detail(1)));
    assert_eq!(g.get_import_details("a", "b"), [detail(1), detail(3)]);
    assert_eq!(g.count_imports(), 1);
    g.remove_import("a", "b").unwrap();
    assert!(g.get_import_details("a", "b").is_empty());
    assert_eq!(
        g.remove_import("a", "c"),
        Err(GraphError::ModuleNotPresent("c".into()))
    );
}

#[test]
fn chains_follow_changes() {
    let mut g = graph(&[("a", "b"), ("b", "c"), ("a", "x"), ("x", "y"), ("y", "c")]);
    assert_eq!(
        g.find_shortest_chain("a", "c", false).unwrap().unwrap(),
        ["a", "b", "c"]
    );
    g.remove_import("b", "c").unwrap();
    assert_eq!(
        g.find_shortest_chain("a", "c", false).unwrap().unwrap(),
        ["a", "x", "y", "c"]
    );
    assert!(!g.chain_exists("c", "a", false).unwrap());
    assert_eq!(
        g.find_shortest_chain("a", "a", false),
        Err(GraphError::SharedDescendants)
    );
    assert_eq!(
        g.find_upstream_modules("a", false).unwrap(),
        ["b", "c", "x", "y"]
    );
    assert_eq!(
        g.find_downstream_modules("c", false).unwrap(),
        ["a", "x", "y"]
    );
}

#[test]
fn shortest_chains_between_packages_share_no_import() {
    let mut g = graph(&[
        ("p.one", "q.one"),
        ("p.two", "m"),
        ("m", "q.two"),
        ("p.two", "n"),
        ("n", "q.two"),
    ]);
    assert_eq!(
        g.find_shortest_chains("p", "q", true),
        Err(GraphError::ModuleNotPresent("p".into()))
    );
    g.add_module("p", false).unwrap();
    g.add_module("q", false).unwrap();
    let mut chains = g.find_shortest_chains("p", "q", true).unwrap();
    chains.sort();
    assert_eq!(
        chains,
        vec![
            vec!["p.one", "q.one"],
            vec!["p.two", "m", "q.two"],
            vec!["p.two", "n", "q.two"]
        ]
    );
}

#[test]
fn closed_layers_may_not_be_bypassed() {
    let mut g = graph(&[("app.high", "app.low"), ("app.low", "app.mid")]);
    g.add_module("app", false).unwrap();
    let level = |name: &str, closed| Level {
        layers: vec![name.into()],
        independent: true,
        closed,
    };
    let levels = [
        level("high", false),
        level("mid", true),
        level("low", false),
    ];
    let deps = g
        .find_illegal_dependencies_for_layers(&levels, &["app".into()])
        .unwrap();
    let pairs: Vec<(&str, &str)> = deps
        .iter()
        .map(|d| (d.importer.as_str(), d.imported.as_str()))
        .collect();
    assert_eq!(pairs, [("app.high", "app.low"), ("app.low", "app.mid")]);
    assert_eq!(
        g.find_illegal_dependencies_for_layers(&levels, &["nope".into()]),
        Err(GraphError::NoSuchContainer("nope".into()))
    );
}

#[test]
fn cycle_breakers_are_the_imports_behind_backward_dependencies() {
    let mut g = graph(&[
        ("pkg.a.one", "pkg.b"),
        ("pkg.a.two", "pkg.b"),
        ("pkg.b", "pkg.c"),
        ("pkg.c", "pkg.a.one"),
    ]);
    g.add_module("pkg", false).unwrap();
    g.add_module("pkg.a", false).unwrap();
    // b and c have no more imports between them than c and a: the one-import dependency breaks.
    assert_eq!(
        g.nominate_cycle_breakers("pkg", &[]).unwrap(),
        [("pkg.c".to_owned(), "pkg.a.one".to_owned())]
    );
    assert_eq!(
        g.nominate_cycle_breakers("pkg.a", &["pkg".into()]),
        Err(GraphError::SharedDescendants)
    );
}

#[test]
fn module_expressions_follow_grimps_rules() {
    let g = graph(&[("a.b.c", "a.x"), ("a.b", "a.x.y")]);
    assert_eq!(g.find_matching_modules("a.*").unwrap(), ["a.b", "a.x"]);
    assert_eq!(
        g.find_matching_modules("a.**").unwrap(),
        ["a.b", "a.b.c", "a.x", "a.x.y"]
    );
    for bad in ["a.b*", "a.*.**", "a..b", "", "a.**.**"] {
        assert!(
            matches!(
                g.find_matching_modules(bad),
                Err(GraphError::InvalidModuleExpression(_))
            ),
            "{bad}"
        );
    }
    assert_eq!(
        g.find_matching_direct_imports("a.**", "a.x.*").unwrap(),
        [("a.b".to_owned(), "a.x.y".to_owned())]
    );
}

#[test]
fn lines_read_from_a_source_file_when_asked_for() {
    let dir = std::env::temp_dir().join(format!("archlint-grimp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("a.py");
    std::fs::write(&file, "import b\n\n    from b import (x,\n  y)\n").unwrap();
    let mut g = Graph::new();
    g.set_source("a", std::sync::Arc::from(file.as_path()));
    g.add_import_at_lines("a", "b", &[3, 1]);
    g.add_import(
        "a",
        "b",
        Some(Detail {
            line_number: 1,
            line_contents: "import b".into(),
            is_lazy: false,
        }),
    );
    let texts: Vec<(u32, String)> = g
        .get_import_details("a", "b")
        .into_iter()
        .map(|d| (d.line_number, d.line_contents))
        .collect();
    assert_eq!(
        texts,
        [
            (1, "import b".to_owned()),
            (3, "from b import (x,".to_owned())
        ]
    );
    // A copy answers the same; a removed import has no details left.
    let copy = g.clone();
    g.remove_import("a", "b").unwrap();
    assert!(g.get_import_details("a", "b").is_empty());
    assert_eq!(copy.get_import_details("a", "b").len(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}
