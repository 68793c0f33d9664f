use super::*;
use archlint_facts::{ImportFact, ModuleFacts};
use rustc_hash::FxHashSet;

fn detail(line: u32) -> ImportDetail {
    ImportDetail {
        line,
        column: 1,
        kind: ImportKind::Import,
        type_checking: false,
        in_function: false,
    }
}

fn graph(modules: &[&str], edges: &[(&str, &str)]) -> ImportGraph {
    ImportGraph::from_parts(
        modules.iter().map(|m| (m.to_string(), false)),
        edges
            .iter()
            .enumerate()
            .map(|(i, (a, b))| (a.to_string(), b.to_string(), detail(i as u32 + 1))),
    )
}

/// A graph from modules and their resolved imports, built from scratch: the reference
/// [`reassemble_graph`] is held to.
fn assemble_graph<'a>(
    namespace_packages: &[String],
    modules: impl IntoIterator<Item = (&'a str, &'a [ResolvedImport])>,
) -> ImportGraph {
    let mut builder = GraphBuilder::default();
    for ns in namespace_packages {
        builder.add_module(ns, false);
    }
    let modules: Vec<(&str, &[ResolvedImport])> = modules.into_iter().collect();
    for (name, _) in &modules {
        builder.add_module(name, false);
    }
    for (name, imports) in modules {
        for import in imports {
            if import.external {
                builder.add_module(&import.target, true);
            }
            builder.add_import(name, &import.target, import.detail.clone());
        }
    }
    builder.finish()
}

fn names(g: &ImportGraph, ids: &[ModuleId]) -> Vec<String> {
    ids.iter().map(|&i| g.name(i).to_owned()).collect()
}

fn fact(level: u32, module: &str, name: Option<&str>) -> ImportFact {
    ImportFact {
        kind: if name.is_some() {
            ImportKind::From
        } else {
            ImportKind::Import
        },
        level,
        module: module.into(),
        name: name.map(Into::into),
        line: 1,
        column: 1,
        type_checking: false,
        in_function: false,
        name_line: 1,
        nested: false,
        type_checking_else: false,
    }
}

#[test]
fn relative_and_from_resolution() {
    let mods: FxHashSet<&str> = ["app", "app.a", "app.a.x", "app.b", "app.b.y"]
        .into_iter()
        .collect();
    let roots = vec!["app".to_string()];
    let r = |f: &ImportFact, importer: &str, pkg: bool| {
        resolve_import(f, importer, pkg, &mods, &roots, true).map(|r| match r {
            build::Resolved::Internal(s) => format!("int:{s}"),
            build::Resolved::External(s) => format!("ext:{s}"),
        })
    };
    // from . import x  inside app/a/__init__.py → app.a.x
    assert_eq!(
        r(&fact(1, "", Some("x")), "app.a", true).unwrap(),
        "int:app.a.x"
    );
    // from . import x  inside app/a/x.py → app.a.x is itself... a sibling named x in app.a
    assert_eq!(
        r(&fact(1, "", Some("y")), "app.a.x", false).unwrap(),
        "int:app.a"
    );
    // from ..b import y inside app/a/x.py → app.b.y
    assert_eq!(
        r(&fact(2, "b", Some("y")), "app.a.x", false).unwrap(),
        "int:app.b.y"
    );
    // from app.b import func → app.b
    assert_eq!(
        r(&fact(0, "app.b", Some("func")), "app.a", true).unwrap(),
        "int:app.b"
    );
    // star
    assert_eq!(
        r(&fact(0, "app.b", Some("*")), "app.a", true).unwrap(),
        "int:app.b"
    );
    // external squashed to top level
    assert_eq!(
        r(&fact(0, "django.db.models", None), "app.a", true).unwrap(),
        "ext:django"
    );
    // above the top level
    assert_eq!(r(&fact(3, "", Some("z")), "app.a", true), None);
    // into a directory without __init__.py, relative or absolute: the root package, as grimp
    // records an import it cannot find inside the project (with external packages on)
    assert_eq!(
        r(&fact(1, "nsdir.mod", Some("x")), "app.a.x", false).unwrap(),
        "int:app"
    );
    assert_eq!(
        r(&fact(0, "app.a.nsdir.mod", Some("x")), "app.a.x", false).unwrap(),
        "int:app"
    );
    assert_eq!(
        resolve_import(
            &fact(1, "nsdir.mod", Some("x")),
            "app.a.x",
            false,
            &mods,
            &roots,
            false
        ),
        None
    );
    // externals off
    assert_eq!(
        resolve_import(&fact(0, "os.path", None), "app", true, &mods, &roots, false),
        None
    );
}

#[test]
fn namespace_sharing_externals() {
    let mods: FxHashSet<&str> = ["ns.blue", "ns.blue.one"].into_iter().collect();
    let roots = vec!["ns.blue".to_string()];
    let got = resolve_import(
        &fact(0, "ns.green.alpha", None),
        "ns.blue",
        true,
        &mods,
        &roots,
        true,
    );
    assert_eq!(got, Some(build::Resolved::External("ns.green".into())));
    assert_eq!(
        resolve_import(&fact(0, "ns", None), "ns.blue", true, &mods, &roots, true),
        None
    );
}

#[test]
fn build_from_facts_with_options() {
    let mut a = ModuleFacts::default();
    a.imports.push(fact(0, "app.b", None));
    let mut tc = fact(0, "app.c", None);
    tc.type_checking = true;
    a.imports.push(tc);
    a.imports.push(fact(0, "requests", None));
    let empty = ModuleFacts::default();
    let inputs = [
        ModuleInput {
            name: "app",
            is_package: true,
            facts: &empty,
        },
        ModuleInput {
            name: "app.a",
            is_package: false,
            facts: &a,
        },
        ModuleInput {
            name: "app.b",
            is_package: false,
            facts: &empty,
        },
        ModuleInput {
            name: "app.c",
            is_package: false,
            facts: &empty,
        },
    ];
    let roots = vec!["app".to_string()];
    let g = build_graph(&inputs, &[], &roots, &GraphOptions::default());
    let a_id = g.id("app.a").unwrap();
    assert_eq!(names(&g, g.imports_of(a_id)), ["app.b", "app.c"]);
    assert!(g.id("requests").is_none());

    let opts = GraphOptions {
        include_external_packages: true,
        exclude_type_checking_imports: true,
        ..GraphOptions::default()
    };
    let g = build_graph(&inputs, &[], &roots, &opts);
    let a_id = g.id("app.a").unwrap();
    assert_eq!(names(&g, g.imports_of(a_id)), ["app.b", "requests"]);
    assert!(g.is_squashed(g.id("requests").unwrap()));
}

#[test]
fn hierarchy_queries() {
    let g = graph(&["app", "app.a", "app.a.x", "app.b"], &[]);
    let app = g.id("app").unwrap();
    assert_eq!(names(&g, &g.children(app)), ["app.a", "app.b"]);
    assert_eq!(
        names(&g, &g.descendants(app)),
        ["app.a", "app.a.x", "app.b"]
    );
    assert!(g.is_in_package(g.id("app.a.x").unwrap(), app));
    let expr = ModuleExpression::parse("app.*").unwrap();
    assert_eq!(
        names(&g, &g.find_matching_modules(&expr)),
        ["app.a", "app.b"]
    );
}

#[test]
fn chains_and_exclusions() {
    let g = graph(
        &["p.a", "p.b", "p.c", "p.d"],
        &[
            ("p.a", "p.b"),
            ("p.b", "p.c"),
            ("p.a", "p.d"),
            ("p.d", "p.c"),
        ],
    );
    let id = |n| g.id(n).unwrap();
    let mut bfs = Bfs::new(g.len());
    let view = g.view();
    let c = id("p.c");
    let chain = view
        .shortest_chain(&mut bfs, &[id("p.a")], &[c], None, &FxHashSet::default())
        .unwrap();
    assert_eq!(names(&g, &chain), ["p.a", "p.b", "p.c"]);
    let b = id("p.b");
    let chain = view
        .shortest_chain(
            &mut bfs,
            &[id("p.a")],
            &[c],
            Some(&|m| m == b),
            &FxHashSet::default(),
        )
        .unwrap();
    assert_eq!(names(&g, &chain), ["p.a", "p.d", "p.c"]);

    let mut hidden = g.view();
    hidden.remove_import(id("p.a"), id("p.b"));
    hidden.remove_import(id("p.a"), id("p.d"));
    let none = FxHashSet::default();
    assert!(
        hidden
            .shortest_chain(&mut bfs, &[id("p.a")], &[c], None, &none)
            .is_none()
    );
    assert!(
        view.shortest_chain(&mut bfs, &[id("p.a")], &[c], None, &none)
            .is_some()
    );
}

#[test]
fn cycles_are_strongly_connected_components() {
    let g = graph(
        &["m.a", "m.b", "m.c", "m.d"],
        &[
            ("m.a", "m.b"),
            ("m.b", "m.c"),
            ("m.c", "m.a"),
            ("m.c", "m.d"),
        ],
    );
    let cycles = g.view().cycles();
    assert_eq!(cycles.len(), 1);
    assert_eq!(names(&g, &cycles[0]), ["m.a", "m.b", "m.c"]);
    let mut v = g.view();
    v.remove_import(g.id("m.c").unwrap(), g.id("m.a").unwrap());
    assert!(v.cycles().is_empty());
}

#[test]
fn matching_direct_imports() {
    let g = graph(
        &["a.x", "a.y", "b.z"],
        &[("a.x", "b.z"), ("a.y", "b.z"), ("b.z", "a.x")],
    );
    let imp = ModuleExpression::parse("a.*").unwrap();
    let exp = ModuleExpression::parse("b.**").unwrap();
    let found = g.find_matching_direct_imports(&imp, &exp);
    assert_eq!(found.len(), 2);
    assert_eq!(g.details(found[0].0, found[0].1)[0].line, 1);
}

fn dump(g: &ImportGraph) -> Vec<String> {
    let mut out = Vec::new();
    for id in 0..g.len() as ModuleId {
        out.push(format!(
            "{} present={} squashed={}",
            g.name(id),
            g.is_present(id),
            g.is_squashed(id)
        ));
        for (target, details) in g.imports_with_details(id) {
            out.push(format!("  -> {} {:?}", g.name(target), details));
        }
    }
    out
}

#[test]
fn reassembling_with_replaced_imports_equals_assembling_from_scratch() {
    let r = |target: &str, external: bool, line: u32| ResolvedImport {
        target: target.into(),
        external,
        detail: detail(line),
    };
    let modules = ["app", "app.a", "app.b", "app.c", "app.ns.d"];
    let namespaces = vec!["app.ns".to_string()];
    let before: Vec<Vec<ResolvedImport>> = vec![
        vec![],
        vec![
            r("app.b", false, 1),
            r("requests", true, 2),
            r("app.b", false, 5),
        ],
        vec![r("app.c", false, 3), r("yaml", true, 1)],
        vec![r("requests", true, 4)],
        vec![r("app.a", false, 1)],
    ];
    // app.a drops requests and gains django; app.c drops its only import.
    let mut after = before.clone();
    after[1] = vec![r("app.c", false, 2), r("django", true, 7)];
    after[3] = vec![];
    let assemble = |imports: &[Vec<ResolvedImport>]| {
        assemble_graph(
            &namespaces,
            modules.iter().zip(imports).map(|(m, i)| (*m, i.as_slice())),
        )
    };
    let old = assemble(&before);
    let replaced: rustc_hash::FxHashMap<&str, &[ResolvedImport]> = [
        ("app.a", after[1].as_slice()),
        ("app.c", after[3].as_slice()),
    ]
    .into_iter()
    .collect();
    let patched = reassemble_graph(&old, &namespaces, &modules, &replaced);
    assert_eq!(dump(&patched), dump(&assemble(&after)));
    // That change adds and drops externals: no splicing possible.
    assert!(old.with_rows_replaced(&replaced).is_none());
    // Nothing replaced: the same graph.
    let same = reassemble_graph(&old, &namespaces, &modules, &Default::default());
    assert_eq!(dump(&same), dump(&old));

    // Internal edges only (and an external that stays imported elsewhere): spliced in place.
    let mut internal = before.clone();
    internal[1] = vec![
        r("app.c", false, 9),
        r("requests", true, 2),
        r("app.c", false, 3),
    ];
    internal[4] = vec![r("app.b", false, 1), r("app.a", false, 2)];
    let replaced: rustc_hash::FxHashMap<&str, &[ResolvedImport]> = [
        ("app.a", internal[1].as_slice()),
        ("app.ns.d", internal[4].as_slice()),
    ]
    .into_iter()
    .collect();
    let spliced = old.with_rows_replaced(&replaced).expect("same modules");
    assert_eq!(dump(&spliced), dump(&assemble(&internal)));
    assert_eq!(
        dump(&reassemble_graph(&old, &namespaces, &modules, &replaced)),
        dump(&assemble(&internal))
    );
    // app.c was the last importer of nothing external; dropping requests from app.a while
    // app.c still imports it keeps requests visible: splicing allowed.
    let mut drop_one = before.clone();
    drop_one[1] = vec![r("app.b", false, 1)];
    let replaced: rustc_hash::FxHashMap<&str, &[ResolvedImport]> =
        [("app.a", drop_one[1].as_slice())].into_iter().collect();
    assert_eq!(
        dump(&old.with_rows_replaced(&replaced).unwrap()),
        dump(&assemble(&drop_one))
    );
    // Dropping the last importer of yaml: not spliceable (yaml would disappear).
    let mut drop_last = before.clone();
    drop_last[2] = vec![r("app.c", false, 3)];
    let replaced: rustc_hash::FxHashMap<&str, &[ResolvedImport]> =
        [("app.b", drop_last[2].as_slice())].into_iter().collect();
    assert!(old.with_rows_replaced(&replaced).is_none());
    assert_eq!(
        dump(&reassemble_graph(&old, &namespaces, &modules, &replaced)),
        dump(&assemble(&drop_last))
    );
}

#[test]
fn shortest_chains_share_no_import() {
    // Two sources reach the target through one import (x -> t): grimp reports one chain, the
    // second search finds that import hidden. A disjoint route is reported too, and the direct
    // import comes first.
    let g = graph(
        &["p.s1", "p.s2", "p.x", "p.y", "p.t"],
        &[
            ("p.s1", "p.x"),
            ("p.s2", "p.x"),
            ("p.x", "p.t"),
            ("p.s2", "p.y"),
            ("p.y", "p.t"),
            ("p.s1", "p.t"),
        ],
    );
    let id = |n| g.id(n).unwrap();
    let mut bfs = Bfs::new(g.len());
    let chains = g
        .view()
        .shortest_chains(&mut bfs, &[id("p.s1"), id("p.s2")], &[id("p.t")], None);
    let chains: Vec<Vec<String>> = chains.iter().map(|c| names(&g, c)).collect();
    assert_eq!(
        chains,
        [
            vec!["p.s1", "p.t"],
            vec!["p.s1", "p.x", "p.t"],
            vec!["p.s2", "p.y", "p.t"],
        ]
    );
    let used: FxHashSet<(String, String)> = chains
        .iter()
        .flat_map(|c| c.windows(2).map(|w| (w[0].clone(), w[1].clone())))
        .collect();
    assert_eq!(used.len(), 5, "no import is in two chains");
}

#[test]
fn shortest_chain_steps_like_grimp() {
    // One level forwards, one level backwards, stop at the first module both sides reached:
    // s -> a -> t and s -> b -> t tie, and the backward step meets `a` first (name order).
    let g = graph(
        &["q.s", "q.a", "q.b", "q.t", "q.x"],
        &[
            ("q.s", "q.b"),
            ("q.s", "q.a"),
            ("q.a", "q.t"),
            ("q.b", "q.t"),
            ("q.x", "q.t"),
        ],
    );
    let id = |n| g.id(n).unwrap();
    let mut bfs = Bfs::new(g.len());
    let none = FxHashSet::default();
    let view = g.view();
    let chain = view
        .shortest_chain(&mut bfs, &[id("q.s")], &[id("q.t")], None, &none)
        .unwrap();
    assert_eq!(names(&g, &chain), ["q.s", "q.a", "q.t"]);
    // An excluded module is never passed through; a hidden import is never followed.
    let a = id("q.a");
    let chain = view
        .shortest_chain(
            &mut bfs,
            &[id("q.s")],
            &[id("q.t")],
            Some(&|m| m == a),
            &none,
        )
        .unwrap();
    assert_eq!(names(&g, &chain), ["q.s", "q.b", "q.t"]);
    let hidden: FxHashSet<(ModuleId, ModuleId)> = [(id("q.s"), id("q.b")), (id("q.a"), id("q.t"))]
        .into_iter()
        .collect();
    assert!(
        view.shortest_chain(&mut bfs, &[id("q.s")], &[id("q.t")], None, &hidden)
            .is_none()
    );
}

/// Whether any chain leads from `from` to `to` without entering an excluded module or
/// following a hidden import: a plain breadth-first search, the reference for the searches'
/// early stop (a side with nothing new ends the search).
fn reachable(
    g: &ImportGraph,
    from: &[ModuleId],
    to: &[ModuleId],
    excluded: &FxHashSet<ModuleId>,
    hidden: &FxHashSet<(ModuleId, ModuleId)>,
) -> bool {
    let mut seen: FxHashSet<ModuleId> = from.iter().copied().collect();
    let mut queue: Vec<ModuleId> = from.to_vec();
    while let Some(m) = queue.pop() {
        if to.contains(&m) {
            return true;
        }
        for &n in g.imports_of(m) {
            if !hidden.contains(&(m, n)) && !excluded.contains(&n) && seen.insert(n) {
                queue.push(n);
            }
        }
    }
    false
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

    /// On random graphs, a chain is found exactly when one exists, and every chain found is
    /// real: it starts in `from`, ends in `to`, follows visible imports and enters no excluded
    /// module; the repeated search finds chains that share no import.
    #[test]
    fn searches_find_a_chain_exactly_when_one_exists(
        n in 2usize..24,
        edges in proptest::collection::vec((0usize..24, 0usize..24), 0..70),
        from in proptest::collection::vec(0usize..24, 1..4),
        to in proptest::collection::vec(0usize..24, 1..4),
        excluded in proptest::collection::vec(0usize..24, 0..6),
        hidden in proptest::collection::vec(0usize..70, 0..6),
    ) {
        let name = |i: usize| format!("p.m{:02}", i % n);
        let edges: Vec<(String, String)> = edges
            .iter()
            .map(|&(a, b)| (name(a), name(b)))
            .filter(|(a, b)| a != b)
            .collect();
        let modules: Vec<String> = (0..n).map(name).collect();
        let module_refs: Vec<&str> = modules.iter().map(String::as_str).collect();
        let edge_refs: Vec<(&str, &str)> = edges.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let g = graph(&module_refs, &edge_refs);
        let id = |i: usize| g.id(&name(i)).unwrap();
        let from: Vec<ModuleId> = from.iter().map(|&i| id(i)).collect::<FxHashSet<_>>().into_iter().collect();
        let to: Vec<ModuleId> = to
            .iter()
            .map(|&i| id(i))
            .filter(|m| !from.contains(m))
            .collect::<FxHashSet<_>>()
            .into_iter()
            .collect();
        let excluded: FxHashSet<ModuleId> = excluded
            .iter()
            .map(|&i| id(i))
            .filter(|m| !from.contains(m) && !to.contains(m))
            .collect();
        let hidden: FxHashSet<(ModuleId, ModuleId)> = hidden
            .iter()
            .filter_map(|&k| edge_refs.get(k))
            .map(|&(a, b)| (g.id(a).unwrap(), g.id(b).unwrap()))
            .collect();
        let mut bfs = Bfs::new(g.len());
        let view = g.view();
        let is_excluded = |m: ModuleId| excluded.contains(&m);
        let found = view.shortest_chain(&mut bfs, &from, &to, Some(&is_excluded), &hidden);
        proptest::prop_assert_eq!(found.is_some(), reachable(&g, &from, &to, &excluded, &hidden));
        if let Some(chain) = &found {
            proptest::prop_assert!(from.contains(&chain[0]));
            proptest::prop_assert!(to.contains(chain.last().unwrap()));
            for w in chain.windows(2) {
                proptest::prop_assert!(g.imports_of(w[0]).contains(&w[1]) && !hidden.contains(&(w[0], w[1])));
            }
            for m in &chain[1..chain.len() - 1] {
                proptest::prop_assert!(!excluded.contains(m));
            }
        }
        // The repeated search: chains that share no import, until none is left.
        let chains = view.shortest_chains(&mut bfs, &from, &to, Some(&is_excluded));
        let mut used: FxHashSet<(ModuleId, ModuleId)> = FxHashSet::default();
        for chain in &chains {
            for w in chain.windows(2) {
                proptest::prop_assert!(used.insert((w[0], w[1])), "an import in two chains");
            }
        }
        let none = FxHashSet::default();
        proptest::prop_assert_eq!(chains.is_empty(), !reachable(&g, &from, &to, &excluded, &none));
        proptest::prop_assert!(!reachable(&g, &from, &to, &excluded, &used), "a chain was left");
    }
}

/// A graph with every kind of part the stored form carries: hidden ancestors, squashed
/// externals, several statements behind one edge, every import kind and both flags.
fn varied_graph() -> ImportGraph {
    let d = |line, column, kind, type_checking, in_function| ImportDetail {
        line,
        column,
        kind,
        type_checking,
        in_function,
    };
    ImportGraph::from_parts(
        [
            ("app.a".to_string(), false),
            ("app.b.c".to_string(), false),
            ("django".to_string(), true),
            ("app".to_string(), false),
        ],
        [
            (
                "app.a",
                "app.b.c",
                d(1, 0, ImportKind::Import, false, false),
            ),
            ("app.a", "app.b.c", d(7, 4, ImportKind::From, true, false)),
            ("app.a", "django", d(2, 0, ImportKind::Star, false, true)),
            (
                "app.b.c",
                "app.a",
                d(u32::MAX, 9, ImportKind::Dynamic, true, true),
            ),
            ("app", "app.a", d(3, 0, ImportKind::From, false, false)),
        ]
        .map(|(a, b, detail)| (a.to_string(), b.to_string(), detail)),
    )
}

#[test]
fn the_stored_form_reads_back_as_the_same_graph_and_leaves_what_follows() {
    let g = varied_graph();
    let mut bytes = Vec::new();
    g.encode_snapshot(&mut bytes);
    bytes.extend_from_slice(b"after");
    let (back, rest) = ImportGraph::decode_snapshot(&bytes).expect("decodes");
    assert_eq!(rest, b"after");
    assert_eq!(dump(&back), dump(&g));
    for id in g.modules() {
        assert_eq!(back.importers_of(id), g.importers_of(id));
        assert_eq!(back.parent(id), g.parent(id));
        assert_eq!(back.children(id), g.children(id));
    }
    assert_eq!(back.id("app.b"), g.id("app.b"));
    // An empty graph too.
    let mut bytes = Vec::new();
    ImportGraph::from_parts([], []).encode_snapshot(&mut bytes);
    let (empty, rest) = ImportGraph::decode_snapshot(&bytes).expect("decodes");
    assert!(empty.is_empty() && rest.is_empty());
}

#[test]
fn a_damaged_stored_form_is_refused_never_a_panic() {
    let g = varied_graph();
    let mut bytes = Vec::new();
    g.encode_snapshot(&mut bytes);
    // Every truncation is refused.
    for len in 0..bytes.len() {
        assert!(
            ImportGraph::decode_snapshot(&bytes[..len]).is_none(),
            "truncated to {len}"
        );
    }
    // Every single-byte change either is refused or reads back as some consistent graph;
    // changes in the counts, a flag byte or a target are refused.
    for i in 0..bytes.len() {
        for flip in [1u8, 0x80, 0xff] {
            let mut damaged = bytes.clone();
            damaged[i] ^= flip;
            if let Some((back, _)) = ImportGraph::decode_snapshot(&damaged) {
                assert!(back.len() <= g.len() + 1, "byte {i}");
            }
            if i < 16 {
                assert!(
                    ImportGraph::decode_snapshot(&damaged).is_none(),
                    "count byte {i}"
                );
            }
        }
    }
    // A huge count asks for no allocation: it is refused against the bytes present.
    let mut huge = bytes.clone();
    huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(ImportGraph::decode_snapshot(&huge).is_none());
}

#[test]
fn a_module_groups_under_its_package_at_each_depth() {
    assert_eq!(package_at_depth("a.b.c", 1), "a");
    assert_eq!(package_at_depth("a.b.c", 2), "a.b");
    assert_eq!(package_at_depth("a.b.c", 3), "a.b.c");
    assert_eq!(package_at_depth("a.b.c", 9), "a.b.c");
    assert_eq!(package_at_depth("a.b.c", 0), "a.b.c");
    assert_eq!(package_at_depth("a", 1), "a");
    assert_eq!(package_at_depth("", 2), "");
}
