//! The Neo4j export: a property graph written two ways.
//!
//! - CSV files in the format of `neo4j-admin database import` (one file per label and per
//!   relationship type, headers with `:ID(space)`, `:START_ID(space)`, `:END_ID(space)`,
//!   `:LABEL`, `:TYPE` and typed properties), with the command that loads them;
//! - a Cypher script for a running server: for each batch of rows a `:param` line and an
//!   `UNWIND $rows` statement that merges them, so the script can be run again.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The type of a property, as the import tool spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Int,
    Long,
    Boolean,
    StringArray,
}

impl Kind {
    fn header(self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::Int => "int",
            Kind::Long => "long",
            Kind::Boolean => "boolean",
            Kind::StringArray => "string[]",
        }
    }
}

/// A property value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Bool(bool),
    StrList(Vec<String>),
    Null,
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}

impl From<Option<String>> for Value {
    fn from(s: Option<String>) -> Self {
        s.map_or(Value::Null, Value::Str)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<Vec<String>> for Value {
    fn from(v: Vec<String>) -> Self {
        Value::StrList(v)
    }
}

/// The nodes of one label; each has a unique id in the label's id space.
#[derive(Debug, Clone)]
pub struct Nodes {
    pub label: &'static str,
    pub properties: Vec<(&'static str, Kind)>,
    /// Id and one value per property.
    pub rows: Vec<(String, Vec<Value>)>,
}

/// The relationships of one type between two labels.
#[derive(Debug, Clone)]
pub struct Relationships {
    pub rel_type: &'static str,
    pub start: &'static str,
    pub end: &'static str,
    pub properties: Vec<(&'static str, Kind)>,
    /// The property that tells apart several relationships between the same two nodes (the
    /// line of an import); `None` when there is at most one.
    pub key: Option<&'static str>,
    /// Start id, end id and one value per property.
    pub rows: Vec<(String, String, Vec<Value>)>,
}

/// The whole graph.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    pub nodes: Vec<Nodes>,
    pub relationships: Vec<Relationships>,
}

/// Rows per `UNWIND` batch in the Cypher script.
pub const BATCH: usize = 1000;

/// What was written.
#[derive(Debug, Clone)]
pub struct Written {
    pub files: Vec<PathBuf>,
    pub nodes: usize,
    pub relationships: usize,
}

fn csv_field(value: &Value) -> String {
    match value {
        Value::Str(s) => s.clone(),
        Value::Int(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        // The import tool's default array delimiter.
        Value::StrList(items) => items.join(";"),
        Value::Null => String::new(),
    }
}

fn file_name(prefix: &str, name: &str) -> String {
    format!("{prefix}_{}.csv", name.to_ascii_lowercase())
}

/// Write the CSV files, the import command (`neo4j-admin-import.sh`) and the Cypher script
/// (`load.cypher`) into `dir`.
pub fn write(dir: &Path, graph: &Graph, tool_version: &str) -> std::io::Result<Written> {
    std::fs::create_dir_all(dir)?;
    let mut files = Vec::new();
    let mut command = String::from(
        "#!/bin/sh\n# Load archlint's graph into a new Neo4j database (the server must be stopped):\n\
         # run from this directory. Written by archlint ",
    );
    command.push_str(tool_version);
    command.push_str(
        ".\nset -e\ncd \"$(dirname \"$0\")\"\nneo4j-admin database import full \"${1:-neo4j}\" \
         --overwrite-destination --multiline-fields=true",
    );
    let mut nodes = 0;
    for set in &graph.nodes {
        let name = file_name("nodes", set.label);
        let path = dir.join(&name);
        let mut w = csv::Writer::from_path(&path)?;
        let mut header = vec![format!("id:ID({})", set.label)];
        header.extend(
            set.properties
                .iter()
                .map(|(p, k)| format!("{p}:{}", k.header())),
        );
        header.push(":LABEL".into());
        w.write_record(&header)?;
        for (id, values) in &set.rows {
            let mut record = vec![id.clone()];
            record.extend(values.iter().map(csv_field));
            record.push(set.label.to_owned());
            w.write_record(&record)?;
        }
        w.flush()?;
        nodes += set.rows.len();
        let _ = write!(command, " \\\n  --nodes={name}");
        files.push(path);
    }
    let mut relationships = 0;
    for set in &graph.relationships {
        let name = file_name(
            "relationships",
            &format!("{}_{}_{}", set.start, set.rel_type, set.end),
        );
        let path = dir.join(&name);
        let mut w = csv::Writer::from_path(&path)?;
        let mut header = vec![
            format!(":START_ID({})", set.start),
            format!(":END_ID({})", set.end),
        ];
        header.extend(
            set.properties
                .iter()
                .map(|(p, k)| format!("{p}:{}", k.header())),
        );
        header.push(":TYPE".into());
        w.write_record(&header)?;
        for (start, end, values) in &set.rows {
            let mut record = vec![start.clone(), end.clone()];
            record.extend(values.iter().map(csv_field));
            record.push(set.rel_type.to_owned());
            w.write_record(&record)?;
        }
        w.flush()?;
        relationships += set.rows.len();
        let _ = write!(command, " \\\n  --relationships={name}");
        files.push(path);
    }
    command.push('\n');
    let path = dir.join("neo4j-admin-import.sh");
    std::fs::write(&path, command)?;
    files.push(path);
    let path = dir.join("load.cypher");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
    write_cypher(&mut out, graph, tool_version)?;
    out.flush()?;
    files.push(path);
    Ok(Written {
        files,
        nodes,
        relationships,
    })
}

/// A Cypher string literal.
pub fn cypher_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn cypher_value(value: &Value) -> String {
    match value {
        Value::Str(s) => cypher_string(s),
        Value::Int(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::StrList(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|s| cypher_string(s))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Null => "null".into(),
    }
}

/// `{name: value, …}` of the non-null properties.
fn cypher_map(properties: &[(&'static str, Kind)], values: &[Value]) -> String {
    let fields: Vec<String> = properties
        .iter()
        .zip(values)
        .filter(|(_, v)| **v != Value::Null)
        .map(|((name, _), v)| format!("{name}: {}", cypher_value(v)))
        .collect();
    format!("{{{}}}", fields.join(", "))
}

/// The Cypher script: constraints, then batches of nodes and of relationships.
pub fn write_cypher(
    out: &mut dyn std::io::Write,
    graph: &Graph,
    tool_version: &str,
) -> std::io::Result<()> {
    writeln!(
        out,
        "// archlint {tool_version}: the graph of the CSV files beside this script, for a running \
         server\n// (cypher-shell -f load.cypher). Nodes and relationships are merged, so it can \
         be run again."
    )?;
    for set in &graph.nodes {
        writeln!(
            out,
            "CREATE CONSTRAINT archlint_{l}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE;",
            l = set.label.to_ascii_lowercase(),
            label = set.label
        )?;
    }
    for set in &graph.nodes {
        for batch in set.rows.chunks(BATCH) {
            let rows: Vec<String> = batch
                .iter()
                .map(|(id, values)| {
                    let map = cypher_map(&set.properties, values);
                    let inner = map.trim_start_matches('{').trim_end_matches('}');
                    if inner.is_empty() {
                        format!("{{id: {}}}", cypher_string(id))
                    } else {
                        format!("{{id: {}, {inner}}}", cypher_string(id))
                    }
                })
                .collect();
            writeln!(out, ":param rows => [{}];", rows.join(", "))?;
            writeln!(
                out,
                "UNWIND $rows AS row MERGE (n:{} {{id: row.id}}) SET n += row;",
                set.label
            )?;
        }
    }
    for set in &graph.relationships {
        for batch in set.rows.chunks(BATCH) {
            let rows: Vec<String> = batch
                .iter()
                .map(|(start, end, values)| {
                    format!(
                        "{{start: {}, end: {}, properties: {}}}",
                        cypher_string(start),
                        cypher_string(end),
                        cypher_map(&set.properties, values)
                    )
                })
                .collect();
            writeln!(out, ":param rows => [{}];", rows.join(", "))?;
            let key = match set.key {
                Some(k) => format!(" {{{k}: row.properties.{k}}}"),
                None => String::new(),
            };
            writeln!(
                out,
                "UNWIND $rows AS row MATCH (a:{start} {{id: row.start}}) MATCH (b:{end} {{id: row.end}}) \
                 MERGE (a)-[r:{ty}{key}]->(b) SET r += row.properties;",
                start = set.start,
                end = set.end,
                ty = set.rel_type,
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Graph {
        Graph {
            nodes: vec![Nodes {
                label: "Module",
                properties: vec![("path", Kind::String), ("lines", Kind::Int)],
                rows: vec![
                    ("a".into(), vec!["a.py".into(), Value::Int(3)]),
                    ("b".into(), vec!["it's, \"b\"\n.py".into(), Value::Null]),
                ],
            }],
            relationships: vec![Relationships {
                rel_type: "IMPORTS",
                start: "Module",
                end: "Module",
                properties: vec![("line", Kind::Int)],
                key: Some("line"),
                rows: vec![("a".into(), "b".into(), vec![Value::Int(1)])],
            }],
        }
    }

    #[test]
    fn csv_headers_and_quoting_follow_the_import_tool() {
        let dir = tempfile::tempdir().unwrap();
        let written = write(dir.path(), &small(), "0.1.0").unwrap();
        assert_eq!((written.nodes, written.relationships), (2, 1));
        let nodes = std::fs::read_to_string(dir.path().join("nodes_module.csv")).unwrap();
        assert_eq!(
            nodes,
            "id:ID(Module),path:string,lines:int,:LABEL\na,a.py,3,Module\n\
             b,\"it's, \"\"b\"\"\n.py\",,Module\n"
        );
        let rels =
            std::fs::read_to_string(dir.path().join("relationships_module_imports_module.csv"))
                .unwrap();
        assert_eq!(
            rels,
            ":START_ID(Module),:END_ID(Module),line:int,:TYPE\na,b,1,IMPORTS\n"
        );
        let command = std::fs::read_to_string(dir.path().join("neo4j-admin-import.sh")).unwrap();
        assert!(command.contains("--nodes=nodes_module.csv"));
        assert!(command.contains("--relationships=relationships_module_imports_module.csv"));
    }

    #[test]
    fn cypher_strings_escape_quotes_backslashes_and_control_characters() {
        assert_eq!(cypher_string("it's"), r"'it\'s'");
        assert_eq!(cypher_string("a\\b\n\u{1}"), r"'a\\b\n\u0001'");
    }

    #[test]
    fn the_script_merges_batches_of_rows() {
        let mut graph = small();
        graph.nodes[0].rows = (0..2500)
            .map(|i| {
                (
                    format!("m{i}"),
                    vec![Value::Str(format!("m{i}.py")), Value::Int(i)],
                )
            })
            .collect();
        let mut out = Vec::new();
        write_cypher(&mut out, &graph, "0.1.0").unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches("MERGE (n:Module {id: row.id})").count(), 3);
        assert!(text.contains("{id: 'm0', path: 'm0.py', lines: 0}"));
        assert!(text.contains(
            "MERGE (a)-[r:IMPORTS {line: row.properties.line}]->(b) SET r += row.properties;"
        ));
        assert!(text.contains("CREATE CONSTRAINT archlint_module_id IF NOT EXISTS"));
    }
}
