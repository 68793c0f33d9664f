//! A layered drawing of the package graph as SVG, with no script and no external resources.
//!
//! Importers sit above what they import (so a clean layered architecture reads top to bottom),
//! nodes are ranked by longest path once cycles are broken, rows are ordered by a few barycenter
//! sweeps, and edges are cubic curves. Every node and edge carries classes and `data-` attributes
//! so violations can be styled and found (`edge violation`).
//!
//! We draw this ourselves rather than through `layout-rs` (crates.md's pick) because the report
//! needs per-element classes, ids and tooltips for highlighting, and the graphs drawn here are
//! small (packages, not modules).

use std::collections::HashMap;
use std::fmt::Write as _;

use archlint_findings::xml_escape as escape;
use serde::Serialize;

/// A package in the picture.
#[derive(Debug, Clone, Serialize)]
pub struct Node {
    pub name: String,
    /// An external (third-party) package.
    pub external: bool,
}

/// Imports from one package to another.
#[derive(Debug, Clone, Serialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// How many module-level imports it stands for.
    pub imports: usize,
    /// Part of a broken contract's chain.
    pub violation: bool,
}

/// The graph to draw.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

const NODE_H: f64 = 32.0;
const ROW_GAP: f64 = 70.0;
const COL_GAP: f64 = 28.0;
const MARGIN: f64 = 20.0;
const CHAR_W: f64 = 7.2;

/// Rank of each node: longest path from a node nothing imports, over the graph without the
/// edges that close cycles.
fn ranks(n: usize, adj: &[Vec<usize>]) -> Vec<usize> {
    // Iterative DFS marks back edges (those closing a cycle) so ranking sees a DAG.
    let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
    let mut dag: Vec<Vec<usize>> = vec![Vec::new(); n];
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        state[start] = 1;
        while let Some(&mut (v, ref mut i)) = stack.last_mut() {
            if *i < adj[v].len() {
                let w = adj[v][*i];
                *i += 1;
                match state[w] {
                    0 => {
                        dag[v].push(w);
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    2 => dag[v].push(w),
                    _ => {} // back edge: leave it out
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    // Longest path by Kahn's order.
    let mut indegree = vec![0usize; n];
    for targets in &dag {
        for &w in targets {
            indegree[w] += 1;
        }
    }
    let mut queue: Vec<usize> = (0..n).filter(|&v| indegree[v] == 0).collect();
    let mut rank = vec![0usize; n];
    while let Some(v) = queue.pop() {
        for &w in &dag[v] {
            rank[w] = rank[w].max(rank[v] + 1);
            indegree[w] -= 1;
            if indegree[w] == 0 {
                queue.push(w);
            }
        }
    }
    rank
}

/// Order nodes within each row to reduce crossings: barycenter sweeps down and up.
fn order_rows(rows: &mut [Vec<usize>], rank: &[usize], undirected: &[Vec<usize>]) {
    let mut pos: Vec<f64> = vec![0.0; rank.len()];
    let refresh = |rows: &[Vec<usize>], pos: &mut Vec<f64>| {
        for row in rows {
            for (i, &v) in row.iter().enumerate() {
                pos[v] = i as f64;
            }
        }
    };
    refresh(rows, &mut pos);
    for sweep in 0..6 {
        let down = sweep % 2 == 0;
        let order: Vec<usize> = if down {
            (1..rows.len()).collect()
        } else {
            (0..rows.len().saturating_sub(1)).rev().collect()
        };
        for r in order {
            let neighbour_rank = |w: usize| {
                if down { rank[w] < r } else { rank[w] > r }
            };
            let mut keyed: Vec<(f64, usize)> = rows[r]
                .iter()
                .map(|&v| {
                    let ns: Vec<f64> = undirected[v]
                        .iter()
                        .filter(|&&w| neighbour_rank(w))
                        .map(|&w| pos[w])
                        .collect();
                    let key = if ns.is_empty() {
                        pos[v]
                    } else {
                        ns.iter().sum::<f64>() / ns.len() as f64
                    };
                    (key, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            rows[r] = keyed.into_iter().map(|(_, v)| v).collect();
            refresh(rows, &mut pos);
        }
    }
}

/// The SVG element for the graph (empty graph: a short note instead).
pub fn render(graph: &Graph) -> String {
    if graph.nodes.is_empty() {
        return "<p class=\"empty\">No packages to draw.</p>".to_owned();
    }
    let n = graph.nodes.len();
    let index: HashMap<&str, usize> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| (node.name.as_str(), i))
        .collect();
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut undirected: Vec<Vec<usize>> = vec![Vec::new(); n];
    let edges: Vec<(usize, usize, &Edge)> = graph
        .edges
        .iter()
        .filter_map(|e| Some((*index.get(e.from.as_str())?, *index.get(e.to.as_str())?, e)))
        .filter(|(a, b, _)| a != b)
        .collect();
    for &(a, b, _) in &edges {
        adj[a].push(b);
        undirected[a].push(b);
        undirected[b].push(a);
    }
    let rank = ranks(n, &adj);
    let depth = rank.iter().copied().max().unwrap_or(0) + 1;
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); depth];
    let mut by_name: Vec<usize> = (0..n).collect();
    by_name.sort_by(|&a, &b| graph.nodes[a].name.cmp(&graph.nodes[b].name));
    for v in by_name {
        rows[rank[v]].push(v);
    }
    order_rows(&mut rows, &rank, &undirected);

    let width_of =
        |v: usize| (graph.nodes[v].name.chars().count() as f64 * CHAR_W + 24.0).max(70.0);
    let row_widths: Vec<f64> = rows
        .iter()
        .map(|row| {
            row.iter().map(|&v| width_of(v)).sum::<f64>()
                + COL_GAP * row.len().saturating_sub(1) as f64
        })
        .collect();
    let total_w = row_widths.iter().copied().fold(0.0, f64::max) + 2.0 * MARGIN;
    let total_h = depth as f64 * NODE_H + (depth - 1) as f64 * ROW_GAP + 2.0 * MARGIN;
    // Centre of each node.
    let mut at = vec![(0.0f64, 0.0f64); n];
    for (r, row) in rows.iter().enumerate() {
        let mut x = (total_w - row_widths[r]) / 2.0;
        let y = MARGIN + r as f64 * (NODE_H + ROW_GAP) + NODE_H / 2.0;
        for &v in row {
            let w = width_of(v);
            at[v] = (x + w / 2.0, y);
            x += w + COL_GAP;
        }
    }

    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"graph\" class=\"graph\" role=\"img\" \
         aria-label=\"Package import graph\" viewBox=\"0 0 {total_w:.0} {total_h:.0}\" \
         width=\"{total_w:.0}\" height=\"{total_h:.0}\">"
    );
    svg.push_str(
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" \
         markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" \
         fill=\"#8a94a6\"/></marker><marker id=\"arrow-bad\" viewBox=\"0 0 10 10\" refX=\"9\" \
         refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">\
         <path d=\"M0,0 L10,5 L0,10 z\" fill=\"#d62d20\"/></marker></defs>",
    );
    // Violations last, so they are drawn on top.
    let mut ordered = edges.clone();
    ordered.sort_by_key(|(_, _, e)| e.violation);
    for (a, b, e) in ordered {
        let (x1, y1) = at[a];
        let (x2, y2) = at[b];
        let half = NODE_H / 2.0;
        let d = if rank[b] > rank[a] {
            // Downwards: bottom of the importer to the top of the imported.
            let (sy, ty) = (y1 + half, y2 - half);
            let mid = (sy + ty) / 2.0;
            format!("M{x1:.1},{sy:.1} C{x1:.1},{mid:.1} {x2:.1},{mid:.1} {x2:.1},{ty:.1}")
        } else if rank[b] < rank[a] {
            // Upwards (an edge that closes a cycle): bow out to the side.
            let (sy, ty) = (y1 - half, y2 + half);
            let bow = 40.0 + (y1 - y2).abs() * 0.15;
            format!(
                "M{x1:.1},{sy:.1} C{:.1},{sy:.1} {:.1},{ty:.1} {x2:.1},{ty:.1}",
                x1 + bow,
                x2 + bow
            )
        } else {
            // Same row: an arc above.
            let sy = y1 - half;
            let lift = sy - 30.0;
            format!("M{x1:.1},{sy:.1} C{x1:.1},{lift:.1} {x2:.1},{lift:.1} {x2:.1},{sy:.1}")
        };
        let class = if e.violation {
            "edge violation"
        } else {
            "edge"
        };
        let marker = if e.violation { "arrow-bad" } else { "arrow" };
        let plural = if e.imports == 1 { "" } else { "s" };
        let _ = write!(
            svg,
            "<path class=\"{class}\" data-from=\"{f}\" data-to=\"{t}\" d=\"{d}\" \
             marker-end=\"url(#{marker})\"><title>{f} → {t} ({n} import{plural}){bad}</title></path>",
            f = escape(&e.from),
            t = escape(&e.to),
            n = e.imports,
            bad = if e.violation {
                ": breaks a contract"
            } else {
                ""
            },
        );
    }
    let involved: Vec<bool> = (0..n)
        .map(|v| {
            edges
                .iter()
                .any(|(a, b, e)| e.violation && (*a == v || *b == v))
        })
        .collect();
    for (v, node) in graph.nodes.iter().enumerate() {
        let (cx, cy) = at[v];
        let w = width_of(v);
        let mut class = String::from("node");
        if node.external {
            class.push_str(" external");
        }
        if involved[v] {
            class.push_str(" violation");
        }
        let _ = write!(
            svg,
            "<g class=\"{class}\" data-name=\"{name}\"><title>{name}</title>\
             <rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{NODE_H}\" rx=\"6\"/>\
             <text x=\"{cx:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\">{name}</text></g>",
            name = escape(&node.name),
            x = cx - w / 2.0,
            y = cy - NODE_H / 2.0,
            ty = cy + 4.5,
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &str, bool)]) -> Graph {
        let mut names: Vec<&str> = edges.iter().flat_map(|(a, b, _)| [*a, *b]).collect();
        names.sort_unstable();
        names.dedup();
        Graph {
            nodes: names
                .iter()
                .map(|n| Node {
                    name: (*n).into(),
                    external: false,
                })
                .collect(),
            edges: edges
                .iter()
                .map(|(a, b, v)| Edge {
                    from: (*a).into(),
                    to: (*b).into(),
                    imports: 1,
                    violation: *v,
                })
                .collect(),
        }
    }

    #[test]
    fn importers_are_drawn_above_what_they_import() {
        let g = graph(&[
            ("app.api", "app.services", false),
            ("app.services", "app.db", false),
        ]);
        let index = |n: &str| g.nodes.iter().position(|x| x.name == n).unwrap();
        let mut adj = vec![Vec::new(); 3];
        for e in &g.edges {
            adj[index(&e.from)].push(index(&e.to));
        }
        let r = ranks(3, &adj);
        assert_eq!(
            (
                r[index("app.api")],
                r[index("app.services")],
                r[index("app.db")]
            ),
            (0, 1, 2)
        );
    }

    #[test]
    fn cycles_still_get_a_layout() {
        let g = graph(&[("a", "b", false), ("b", "c", false), ("c", "a", true)]);
        let svg = render(&g);
        assert_eq!(svg.matches("<g class=\"node").count(), 3);
        assert_eq!(svg.matches("class=\"edge violation\"").count(), 1);
        assert!(svg.contains("data-from=\"c\" data-to=\"a\""));
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn violations_are_marked_on_edges_and_their_nodes() {
        let svg = render(&graph(&[
            ("x.domain", "x.api", true),
            ("x.api", "x.domain", false),
        ]));
        assert!(svg.contains("<g class=\"node violation\" data-name=\"x.api\">"));
        assert!(svg.contains("marker-end=\"url(#arrow-bad)\""));
    }

    #[test]
    fn names_are_escaped() {
        let svg = render(&graph(&[("<a>", "b&c", false)]));
        assert!(svg.contains("&lt;a&gt;") && svg.contains("b&amp;c"));
        assert!(!svg.contains("<a>"));
    }

    #[test]
    fn empty_graph() {
        assert!(render(&Graph::default()).contains("No packages"));
    }

    #[test]
    fn rows_are_ordered_to_avoid_crossings() {
        // a1→b2 and a2→b1 cross if rows stay in name order; the sweep uncrosses them.
        let g = graph(&[("a1", "b2", false), ("a2", "b1", false)]);
        let svg = render(&g);
        let x_of = |name: &str| {
            let at = svg.find(&format!("data-name=\"{name}\"")).unwrap();
            let rest = &svg[at..];
            let x = rest.find("<text x=\"").unwrap() + 9;
            rest[x..].split('"').next().unwrap().parse::<f64>().unwrap()
        };
        assert_eq!(x_of("a1") < x_of("a2"), x_of("b2") < x_of("b1"));
    }
}
