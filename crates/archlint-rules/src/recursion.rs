//! Recursion through the statically visible call graph.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::catalog::Recursion;
use crate::{Ctx, Raw, Related, RuleFinding};

type Node = (usize, usize);

/// The absolute module a `from` import names.
pub(crate) fn resolve_relative(
    importer: &str,
    is_package: bool,
    level: u32,
    module: &str,
) -> Option<String> {
    if level == 0 {
        return Some(module.to_owned());
    }
    let mut parts: Vec<&str> = importer.split('.').collect();
    if !is_package {
        parts.pop();
    }
    for _ in 1..level {
        parts.pop()?;
    }
    if parts.is_empty() {
        return None;
    }
    let mut base = parts.join(".");
    if !module.is_empty() {
        base.push('.');
        base.push_str(module);
    }
    Some(base)
}

pub(crate) fn check(ctx: &Ctx, out: &mut Vec<Raw>) {
    let modules = ctx.modules;
    let by_name = &ctx.by_name;
    // Per module: function qualname → index, and the class qualnames.
    let functions: Vec<FxHashMap<&str, usize>> = modules
        .iter()
        .map(|m| {
            let mut map = FxHashMap::default();
            for (i, f) in m.facts.functions.iter().enumerate() {
                map.entry(f.qualname.as_str()).or_insert(i);
            }
            map
        })
        .collect();
    let classes: Vec<FxHashSet<&str>> = modules
        .iter()
        .map(|m| {
            m.facts
                .classes
                .iter()
                .map(|c| c.qualname.as_str())
                .collect()
        })
        .collect();

    let mut edges: FxHashMap<Node, Vec<Node>> = FxHashMap::default();
    for (m, input) in modules.iter().enumerate() {
        // `from x import name` of this module: name → (module index, function index).
        let mut imported: FxHashMap<&str, Node> = FxHashMap::default();
        for import in &input.facts.imports {
            let Some(name) = import.name.as_deref() else {
                continue;
            };
            let Some(target) =
                resolve_relative(input.module, input.is_package, import.level, &import.module)
            else {
                continue;
            };
            if let Some(&tm) = by_name.get(target.as_str())
                && let Some(&tf) = functions[tm].get(name)
            {
                imported.insert(name, (tm, tf));
            }
        }
        for (fi, f) in input.facts.functions.iter().enumerate() {
            if f.calls.is_empty() {
                continue;
            }
            let parts: Vec<&str> = f.qualname.split('.').collect();
            let mut targets = Vec::new();
            for call in &f.calls {
                let found = if let Some(method) = call.strip_prefix("self.") {
                    // The innermost class around the function.
                    (1..parts.len())
                        .rev()
                        .map(|k| parts[..k].join("."))
                        .find(|prefix| classes[m].contains(prefix.as_str()))
                        .and_then(|class| functions[m].get(format!("{class}.{method}").as_str()))
                        .map(|&t| (m, t))
                } else {
                    // Enclosing function scopes, innermost first; class bodies are not scopes.
                    let mut hit = None;
                    for k in (0..=parts.len()).rev() {
                        let prefix = parts[..k].join(".");
                        if k > 0 && classes[m].contains(prefix.as_str()) {
                            continue;
                        }
                        let candidate = if k == 0 {
                            call.clone()
                        } else {
                            format!("{prefix}.{call}")
                        };
                        if let Some(&t) = functions[m].get(candidate.as_str()) {
                            hit = Some((m, t));
                            break;
                        }
                    }
                    hit.or_else(|| imported.get(call.as_str()).copied())
                };
                if let Some(t) = found {
                    targets.push(t);
                }
            }
            if !targets.is_empty() {
                edges.insert((m, fi), targets);
            }
        }
    }

    for component in strongly_connected(&edges) {
        let recursive = component.len() > 1
            || edges
                .get(&component[0])
                .is_some_and(|t| t.contains(&component[0]));
        if !recursive {
            continue;
        }
        let name = |(m, f): Node| {
            format!(
                "{}.{}",
                modules[m].module, modules[m].facts.functions[f].qualname
            )
        };
        let mut members = component.clone();
        members.sort_by_key(|&(m, f)| (modules[m].path, modules[m].facts.functions[f].line));
        let first = members[0];
        let cycle = cycle_from(first, &edges, &members);
        let (m, f) = first;
        let fact = &modules[m].facts.functions[f];
        let message = if cycle.len() == 1 {
            format!("function {} calls itself", fact.qualname)
        } else {
            let mut steps: Vec<String> = cycle.iter().map(|&n| name(n)).collect();
            steps.push(name(first));
            format!(
                "functions call each other in a cycle: {}",
                steps.join(" → ")
            )
        };
        let mut symbol: Vec<String> = members.iter().map(|&n| name(n)).collect();
        symbol.sort();
        let related = members[1..]
            .iter()
            .map(|&(rm, rf)| {
                let g = &modules[rm].facts.functions[rf];
                Related {
                    path: modules[rm].path.to_owned(),
                    line: g.line,
                    end_line: Some(g.end_line),
                    message: format!("{} is part of the cycle", g.qualname),
                }
            })
            .collect();
        out.push(Raw {
            module: m,
            anchor: fact.start_line..=fact.line,
            finding: RuleFinding {
                code: Recursion::CODE,
                path: modules[m].path.to_owned(),
                module: modules[m].module.to_owned(),
                line: fact.line,
                column: None,
                end_line: None,
                message,
                help: Some("replace the recursion with a loop over an explicit stack".into()),
                symbol: symbol.join(","),
                related,
            },
        });
    }
}

/// One cycle through `start` inside the component (breadth-first, so a shortest one).
fn cycle_from(start: Node, edges: &FxHashMap<Node, Vec<Node>>, members: &[Node]) -> Vec<Node> {
    let inside: FxHashSet<Node> = members.iter().copied().collect();
    let mut previous: FxHashMap<Node, Node> = FxHashMap::default();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        for &t in edges.get(&n).map(Vec::as_slice).unwrap_or(&[]) {
            if t == start {
                let mut path = vec![n];
                let mut at = n;
                while at != start {
                    at = previous[&at];
                    path.push(at);
                }
                path.reverse();
                path.dedup();
                return path;
            }
            if inside.contains(&t) && !previous.contains_key(&t) {
                previous.insert(t, n);
                queue.push_back(t);
            }
        }
    }
    vec![start]
}

/// Tarjan's algorithm, iterative (call graphs can be deep).
pub(crate) fn strongly_connected<N>(edges: &FxHashMap<N, Vec<N>>) -> Vec<Vec<N>>
where
    N: Copy + Eq + std::hash::Hash + Ord,
{
    let mut nodes: Vec<N> = edges.keys().copied().collect();
    nodes.sort_unstable();
    let mut index: FxHashMap<N, usize> = FxHashMap::default();
    let mut low: FxHashMap<N, usize> = FxHashMap::default();
    let mut on_stack: FxHashSet<N> = FxHashSet::default();
    let mut stack: Vec<N> = Vec::new();
    let mut components = Vec::new();
    let mut counter = 0;
    let empty: Vec<N> = Vec::new();
    for &root in &nodes {
        if index.contains_key(&root) {
            continue;
        }
        let mut work: Vec<(N, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut next)) = work.last_mut() {
            if *next == 0 && !index.contains_key(&v) {
                index.insert(v, counter);
                low.insert(v, counter);
                counter += 1;
                stack.push(v);
                on_stack.insert(v);
            }
            let targets = edges.get(&v).unwrap_or(&empty);
            if *next < targets.len() {
                let w = targets[*next];
                *next += 1;
                if !index.contains_key(&w) {
                    work.push((w, 0));
                } else if on_stack.contains(&w) {
                    let lw = index[&w];
                    let lv = low.get_mut(&v).expect("visited");
                    *lv = (*lv).min(lw);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                let lv = low[&v];
                let lp = low.get_mut(&parent).expect("visited");
                *lp = (*lp).min(lv);
            }
            if low[&v] == index[&v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack.remove(&w);
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                components.push(component);
            }
        }
    }
    components
}
