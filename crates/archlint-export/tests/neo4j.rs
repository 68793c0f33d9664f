//! The Neo4j export of a check: the CSV files follow `neo4j-admin database import`'s header
//! syntax, ids are unique per id space, every relationship ends at nodes that exist, and the
//! Cypher script (parsed here) carries the same rows. Written through the library, as
//! `archlint export neo4j` does.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use archlint_check::{CheckOptions, EnvOptions, Report, Run};
use archlint_engine::CacheFlags;
use archlint_testkit::{vulnerable_requests_project, write};

/// The bundled example project.
fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/layered-shop")
}

/// Check `root` for an export (no cache; the dependency checks as `deps` says, with the
/// advisory database `db`) and write its Neo4j files to `out`.
fn export(root: &Path, deps: Run, db: Option<PathBuf>, out: &Path) -> Report {
    let options = CheckOptions {
        path: Some(root.to_path_buf()),
        cache: CacheFlags {
            no_cache: true,
            ..Default::default()
        },
        deps,
        env: EnvOptions {
            db,
            ..Default::default()
        },
        ..Default::default()
    };
    let checked = archlint_export::gather(options, true).unwrap();
    let graph = archlint_export::neo4j::graph(&checked);
    let written = archlint_neo4j::write(out, &graph, "test").unwrap();
    assert!(written.nodes > 0 && written.relationships > 0);
    checked
}

/// One parsed CSV file: its header and rows.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn read_tables(dir: &Path) -> BTreeMap<String, Table> {
    let mut out = BTreeMap::new();
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".csv") {
            continue;
        }
        let mut reader = csv::Reader::from_path(entry.path()).unwrap();
        let header = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        let rows = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        out.insert(name, Table { header, rows });
    }
    out
}

const TYPES: [&str; 6] = ["string", "int", "long", "boolean", "string[]", "double"];

/// Check one header field against the import tool's syntax; return its special role.
fn header_role(field: &str) -> Option<(String, String)> {
    let ident = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    for role in ["ID", "START_ID", "END_ID"] {
        let open = format!(":{role}(");
        if let Some(i) = field.find(&open) {
            let space = field[i + open.len()..]
                .strip_suffix(')')
                .expect("closed id space");
            assert!(ident(space), "id space in {field}");
            assert!(
                field[..i].is_empty() || ident(&field[..i]),
                "property name in {field}"
            );
            return Some((role.to_owned(), space.to_owned()));
        }
    }
    if field == ":LABEL" || field == ":TYPE" {
        return Some((field[1..].to_owned(), String::new()));
    }
    let (name, ty) = field.split_once(':').expect("typed property");
    assert!(ident(name), "property name in {field}");
    assert!(TYPES.contains(&ty), "type in {field}");
    None
}

/// Ids per id space, and relationships (type, start space, end space, start, end).
struct Checked {
    ids: BTreeMap<String, BTreeSet<String>>,
    relationships: Vec<(String, String, String, String, String)>,
    labels: BTreeMap<String, usize>,
}

fn check_tables(tables: &BTreeMap<String, Table>) -> Checked {
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut labels = BTreeMap::new();
    let mut relationships = Vec::new();
    // Nodes first, then relationships against them.
    for (name, t) in tables.iter().filter(|(n, _)| n.starts_with("nodes_")) {
        let roles: Vec<_> = t.header.iter().map(|f| header_role(f)).collect();
        let id_col = roles
            .iter()
            .position(|r| r.as_ref().is_some_and(|(role, _)| role == "ID"))
            .unwrap_or_else(|| panic!("{name} has an :ID column"));
        let space = roles[id_col].as_ref().unwrap().1.clone();
        let label_col = t.header.iter().position(|f| f == ":LABEL").unwrap();
        for row in &t.rows {
            assert_eq!(row.len(), t.header.len(), "{name}: {row:?}");
            assert!(
                ids.entry(space.clone())
                    .or_default()
                    .insert(row[id_col].clone()),
                "{name}: duplicate id {}",
                row[id_col]
            );
            *labels.entry(row[label_col].clone()).or_insert(0) += 1;
        }
    }
    for (name, t) in tables
        .iter()
        .filter(|(n, _)| n.starts_with("relationships_"))
    {
        let roles: Vec<_> = t.header.iter().map(|f| header_role(f)).collect();
        let find = |want: &str| {
            roles
                .iter()
                .position(|r| r.as_ref().is_some_and(|(role, _)| role == want))
                .unwrap_or_else(|| panic!("{name} has :{want}"))
        };
        let (s, e, ty) = (find("START_ID"), find("END_ID"), find("TYPE"));
        let start_space = roles[s].as_ref().unwrap().1.clone();
        let end_space = roles[e].as_ref().unwrap().1.clone();
        for row in &t.rows {
            assert_eq!(row.len(), t.header.len(), "{name}: {row:?}");
            for (col, space) in [(s, &start_space), (e, &end_space)] {
                assert!(
                    ids.get(space).is_some_and(|set| set.contains(&row[col])),
                    "{name}: {} is not a {space} node",
                    row[col]
                );
            }
            relationships.push((
                row[ty].clone(),
                start_space.clone(),
                end_space.clone(),
                row[s].clone(),
                row[e].clone(),
            ));
        }
    }
    Checked {
        ids,
        relationships,
        labels,
    }
}

/// A Cypher literal: what the script's `:param` lines hold.
#[derive(Debug, Clone, PartialEq)]
enum Lit {
    Str(String),
    Int(i64),
    Bool(bool),
    Null,
    List(Vec<Lit>),
    Map(Vec<(String, Lit)>),
}

impl Lit {
    fn get(&self, key: &str) -> Option<&Lit> {
        match self {
            Lit::Map(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn text(&self) -> String {
        match self {
            Lit::Str(s) => s.clone(),
            Lit::Int(n) => n.to_string(),
            Lit::Bool(b) => b.to_string(),
            Lit::Null => String::new(),
            Lit::List(items) => items.iter().map(Lit::text).collect::<Vec<_>>().join(";"),
            Lit::Map(_) => panic!("a map has no text"),
        }
    }
}

/// A recursive-descent parser of Cypher literals.
struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) {
        assert!(self.eat(c), "expected {:?} at {}", c as char, self.i);
    }

    fn ident(&mut self) -> String {
        self.ws();
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_')
        {
            self.i += 1;
        }
        assert!(self.i > start, "identifier at {start}");
        String::from_utf8(self.s[start..self.i].to_vec()).unwrap()
    }

    fn value(&mut self) -> Lit {
        self.ws();
        match self.s[self.i] {
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value());
                        if self.eat(b']') {
                            break;
                        }
                        self.expect(b',');
                    }
                }
                Lit::List(items)
            }
            b'{' => {
                self.i += 1;
                let mut fields = Vec::new();
                if !self.eat(b'}') {
                    loop {
                        let key = self.ident();
                        self.expect(b':');
                        fields.push((key, self.value()));
                        if self.eat(b'}') {
                            break;
                        }
                        self.expect(b',');
                    }
                }
                Lit::Map(fields)
            }
            b'\'' => {
                self.i += 1;
                let mut out = String::new();
                loop {
                    let rest = std::str::from_utf8(&self.s[self.i..]).unwrap();
                    let c = rest.chars().next().expect("unterminated string");
                    self.i += c.len_utf8();
                    match c {
                        '\'' => break,
                        '\\' => {
                            let e = self.s[self.i];
                            self.i += 1;
                            match e {
                                b'\\' => out.push('\\'),
                                b'\'' => out.push('\''),
                                b'n' => out.push('\n'),
                                b'r' => out.push('\r'),
                                b't' => out.push('\t'),
                                b'u' => {
                                    let hex =
                                        std::str::from_utf8(&self.s[self.i..self.i + 4]).unwrap();
                                    self.i += 4;
                                    out.push(
                                        char::from_u32(u32::from_str_radix(hex, 16).unwrap())
                                            .unwrap(),
                                    );
                                }
                                other => panic!("unknown escape \\{}", other as char),
                            }
                        }
                        c => out.push(c),
                    }
                }
                Lit::Str(out)
            }
            b'-' | b'0'..=b'9' => {
                let start = self.i;
                self.i += 1;
                while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
                    self.i += 1;
                }
                Lit::Int(
                    std::str::from_utf8(&self.s[start..self.i])
                        .unwrap()
                        .parse()
                        .unwrap(),
                )
            }
            _ => match self.ident().as_str() {
                "true" => Lit::Bool(true),
                "false" => Lit::Bool(false),
                "null" => Lit::Null,
                other => panic!("unexpected {other}"),
            },
        }
    }
}

/// Statements of the script: (label or relationship type, start label, end label, rows).
type Loaded = Vec<(String, Option<(String, String)>, Vec<Lit>)>;

fn parse_script(text: &str) -> Loaded {
    let mut loaded = Vec::new();
    let mut pending: Option<Vec<Lit>> = None;
    for line in text.lines() {
        if line.starts_with("//") || line.trim().is_empty() {
            continue;
        }
        assert!(line.ends_with(';'), "statement ends with ';': {line}");
        if line.starts_with("CREATE CONSTRAINT ") {
            assert!(
                line.contains(" IF NOT EXISTS FOR (n:") && line.contains("REQUIRE n.id IS UNIQUE")
            );
            continue;
        }
        if let Some(rest) = line.strip_prefix(":param rows => ") {
            assert!(pending.is_none(), "a :param not used");
            let mut p = Parser {
                s: rest.as_bytes(),
                i: 0,
            };
            let Lit::List(rows) = p.value() else {
                panic!("rows are a list")
            };
            p.expect(b';');
            assert_eq!(p.i, rest.len(), "nothing after the list");
            assert!(rows.len() <= archlint_batch());
            pending = Some(rows);
            continue;
        }
        let rows = pending.take().expect("UNWIND after a :param");
        assert!(line.starts_with("UNWIND $rows AS row "), "{line}");
        if let Some(i) = line.find("MERGE (n:") {
            let label: String = line[i + 9..]
                .chars()
                .take_while(|c| c.is_alphanumeric())
                .collect();
            assert!(line.ends_with("SET n += row;"));
            loaded.push((label, None, rows));
        } else {
            let label_after = |marker: &str| -> String {
                let i = line
                    .find(marker)
                    .unwrap_or_else(|| panic!("{marker} in {line}"));
                line[i + marker.len()..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect()
            };
            let start = label_after("MATCH (a:");
            let end = label_after("MATCH (b:");
            let ty = label_after("MERGE (a)-[r:");
            assert!(line.ends_with("->(b) SET r += row.properties;"), "{line}");
            loaded.push((ty, Some((start, end)), rows));
        }
    }
    assert!(pending.is_none());
    loaded
}

fn archlint_batch() -> usize {
    1000
}

/// The vulnerable project, with more modules: a cycle through a function-level
/// import, and a contract.
fn vulnerable_project() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let db = vulnerable_requests_project(root);
    write(
        root,
        "app/web.py",
        "import requests\nfrom app import core\n",
    );
    write(root, "app/core.py", "from app.util import helpers\n");
    write(root, "app/util/__init__.py", "");
    write(
        root,
        "app/util/helpers.py",
        "def f():\n    from app import web\n    return web\n",
    );
    write(
        root,
        ".importlinter",
        "[importlinter]\nroot_package = app\n\n[importlinter:contract:one]\nname = Core below web\n\
         type = layers\nlayers =\n    app.web\n    app.core\n",
    );
    (dir, db)
}

#[test]
fn the_example_exports_import_files_with_integrity() {
    let out = tempfile::tempdir().unwrap();
    let checked_project = export(&example(), Run::WhenConfigured, None, out.path());
    let tables = read_tables(out.path());
    let checked = check_tables(&tables);
    // Every file is a Module; packages include `shop` and its subpackages.
    let files = fs::read_dir(example().join("shop")).unwrap().count();
    assert!(checked.ids["Module"].len() > files);
    assert!(checked.ids["Package"].contains("shop.plugins.payments"));
    // IMPORTS are the graph's internal edges.
    let graph = &checked_project.analysis.project.graph;
    let modules = &checked.ids["Module"];
    let internal: BTreeSet<(String, String)> = graph
        .edges()
        .filter(|(a, b)| a != b)
        .map(|(a, b)| (graph.name(a).to_owned(), graph.name(b).to_owned()))
        .filter(|(a, b)| modules.contains(a) && modules.contains(b))
        .collect();
    let imports: BTreeSet<(String, String)> = checked
        .relationships
        .iter()
        .filter(|r| r.0 == "IMPORTS")
        .map(|r| (r.3.clone(), r.4.clone()))
        .collect();
    assert_eq!(imports, internal);
    // Each module sits in exactly one package.
    let mut containers: BTreeMap<&str, usize> = BTreeMap::new();
    for r in checked
        .relationships
        .iter()
        .filter(|r| r.0 == "CONTAINS" && r.2 == "Module")
    {
        *containers.entry(r.4.as_str()).or_default() += 1;
    }
    assert!(containers.values().all(|&n| n == 1));
    assert_eq!(containers.len(), modules.len());
    // The example's dependency checks are configured: its distributions are nodes, and the
    // modules importing them depend on them.
    assert!(checked.labels["Distribution"] > 0);
    assert!(
        checked
            .relationships
            .iter()
            .any(|r| r.0 == "DEPENDS_ON" && r.3 == "shop.infra.repository" && r.4 == "sqlalchemy")
    );
}

#[test]
fn vulnerabilities_and_the_cypher_script_match_the_csv_files() {
    let (dir, db) = vulnerable_project();
    let out = tempfile::tempdir().unwrap();
    export(dir.path(), Run::Always, Some(db), out.path());
    let tables = read_tables(out.path());
    let checked = check_tables(&tables);
    assert!(checked.ids["Vulnerability"].contains("PYSEC-2014-13"));
    assert!(
        checked
            .relationships
            .iter()
            .any(|r| r.0 == "AFFECTED_BY" && r.3 == "requests" && r.4 == "PYSEC-2014-13")
    );
    assert!(
        checked
            .relationships
            .iter()
            .any(|r| r.0 == "DEPENDS_ON" && r.3 == "app.web" && r.4 == "requests")
    );
    // An import inside a function keeps its flag.
    let imports = &tables["relationships_module_imports_module.csv"];
    let col = |name: &str| {
        imports
            .header
            .iter()
            .position(|h| h.starts_with(name))
            .unwrap()
    };
    let helper = imports
        .rows
        .iter()
        .find(|r| r[0] == "app.util.helpers")
        .unwrap();
    assert_eq!(helper[1], "app.web");
    assert_eq!(helper[col("in_function")], "true");
    assert_eq!(helper[col("line")], "2");

    // The script: the same nodes with the same properties, the same relationships.
    let script = fs::read_to_string(out.path().join("load.cypher")).unwrap();
    let loaded = parse_script(&script);
    for (name, table) in tables.iter() {
        let id_col = table
            .header
            .iter()
            .position(|h| h.contains(":ID("))
            .or_else(|| {
                table
                    .header
                    .iter()
                    .position(|h| h.starts_with(":START_ID("))
            })
            .unwrap();
        let kind_col = table
            .header
            .iter()
            .position(|h| h == ":LABEL" || h == ":TYPE")
            .unwrap();
        let Some(first) = table.rows.first() else {
            continue;
        };
        let kind = &first[kind_col];
        let rows: Vec<&Lit> = loaded
            .iter()
            .filter(|(k, ends, _)| {
                k == kind
                    && match ends {
                        None => name.starts_with("nodes_"),
                        Some((s, e)) => {
                            name == &format!(
                                "relationships_{}_{}_{}.csv",
                                s.to_lowercase(),
                                kind.to_lowercase(),
                                e.to_lowercase()
                            )
                        }
                    }
            })
            .flat_map(|(_, _, rows)| rows)
            .collect();
        assert_eq!(rows.len(), table.rows.len(), "{name}");
        for (row, lit) in table.rows.iter().zip(rows) {
            if name.starts_with("nodes_") {
                assert_eq!(lit.get("id").unwrap().text(), row[id_col]);
            } else {
                assert_eq!(lit.get("start").unwrap().text(), row[id_col]);
                assert_eq!(lit.get("end").unwrap().text(), row[id_col + 1]);
            }
            for (i, h) in table.header.iter().enumerate() {
                if h.starts_with(':') || h.contains(":ID(") {
                    continue;
                }
                let prop = h.split(':').next().unwrap();
                let holder = if name.starts_with("nodes_") {
                    lit
                } else {
                    lit.get("properties").unwrap()
                };
                let value = holder.get(prop).map(Lit::text).unwrap_or_default();
                assert_eq!(value, row[i], "{name}: {prop} of {:?}", row);
            }
        }
    }
}
