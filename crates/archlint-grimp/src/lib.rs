//! grimp's import graph as a mutable Rust structure: the semantics of `grimp.ImportGraph`
//! (grimp 3.20) — visible and invisible modules, squashed modules, imports with their details,
//! the hierarchy, direct-import queries, reach, shortest chains, illegal layer dependencies and
//! cycle breakers — for `archlint.grimp`, the Python module that stands in for grimp.
//!
//! Chains come from archlint's chain search ([`archlint_graph::GraphView`]), which follows grimp's
//! bidirectional search step for step and breaks ties in module-name order where grimp's follow
//! hash-set order; the search runs on a frozen copy of the graph made on the first chain query
//! after a change. Everything else is computed on the mutable graph itself.

mod chains;
mod cycles;

use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use archlint_graph::ModuleExpression;
use rustc_hash::{FxHashMap, FxHashSet};

pub use chains::{Level, PackageDependency, Route};

/// A module's slot in the graph (slots of removed modules are not reused).
type Token = u32;

/// What grimp knows about one import statement behind an import.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Detail {
    pub line_number: u32,
    pub line_contents: String,
    pub is_lazy: bool,
}

/// Why a query or change cannot be answered, with grimp's messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    #[error("Module {0} is not present in the graph.")]
    ModuleNotPresent(String),
    #[error("Container {0} does not exist.")]
    NoSuchContainer(String),
    #[error("Modules have shared descendants.")]
    SharedDescendants,
    #[error("{0} is not a valid module expression.")]
    InvalidModuleExpression(String),
    /// A bad argument (Python's `ValueError`).
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T> = std::result::Result<T, GraphError>;

#[derive(Debug, Clone)]
struct Node {
    name: Box<str>,
    /// In the hierarchy as an ancestor of a module, but never added itself.
    invisible: bool,
    squashed: bool,
    parent: Option<Token>,
    children: FxHashSet<Token>,
    imports: FxHashSet<Token>,
    importers: FxHashSet<Token>,
}

/// A directed graph of imports between Python modules, changed and queried as grimp's is.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    nodes: Vec<Option<Node>>,
    by_name: FxHashMap<Box<str>, Token>,
    details: FxHashMap<(Token, Token), FxHashSet<Detail>>,
    /// Imports read from source files: the lines of their statements, whose text is read from
    /// the importer's file when first asked for (a built graph reads no file twice).
    file_lines: FxHashMap<(Token, Token), Vec<u32>>,
    sources: Sources,
    imports: usize,
    /// The frozen copy chain searches run on; dropped by every change.
    frozen: OnceLock<chains::Frozen>,
}

/// Each module's source file, and the lines of those read so far.
#[derive(Debug, Default)]
struct Sources {
    files: FxHashMap<Token, Arc<Path>>,
    read: Mutex<FxHashMap<Token, Arc<Vec<Box<str>>>>>,
}

impl Clone for Sources {
    fn clone(&self) -> Sources {
        let read = self.read.lock().map(|r| r.clone()).unwrap_or_default();
        Sources {
            files: self.files.clone(),
            read: Mutex::new(read),
        }
    }
}

impl Sources {
    /// The text of 1-based `line` of `module`'s file, trimmed (empty when unreadable).
    fn line(&self, module: Token, line: u32) -> String {
        let Some(path) = self.files.get(&module) else {
            return String::new();
        };
        let Ok(mut read) = self.read.lock() else {
            return String::new();
        };
        let lines = read.entry(module).or_insert_with(|| {
            let bytes = std::fs::read(path).unwrap_or_default();
            Arc::new(
                String::from_utf8_lossy(&bytes)
                    .lines()
                    .map(|l| l.trim().into())
                    .collect(),
            )
        });
        lines
            .get((line as usize).wrapping_sub(1))
            .map_or_else(String::new, |l| l.to_string())
    }
}

fn parent_name(name: &str) -> Option<&str> {
    name.rfind('.').map(|i| &name[..i])
}

/// grimp's rule for module expressions: dotted names, each a word, `*` or `**`, with no `*`
/// next to a `**` and no two `**` in a row.
pub fn parse_expression(text: &str) -> Result<ModuleExpression> {
    let invalid = || GraphError::InvalidModuleExpression(text.to_owned());
    let parts: Vec<&str> = text.split('.').collect();
    for part in &parts {
        let word = !part.is_empty() && part.chars().all(|c| c.is_alphanumeric() || c == '_');
        if !(word || *part == "*" || *part == "**") {
            return Err(invalid());
        }
    }
    for pair in parts.windows(2) {
        if matches!((pair[0], pair[1]), ("*", "**") | ("**", "*") | ("**", "**")) {
            return Err(invalid());
        }
    }
    ModuleExpression::parse(text).map_err(|_| invalid())
}

impl Graph {
    pub fn new() -> Graph {
        Graph::default()
    }

    fn node(&self, token: Token) -> &Node {
        self.nodes[token as usize]
            .as_ref()
            .expect("tokens in use point at live modules")
    }

    fn node_mut(&mut self, token: Token) -> &mut Node {
        self.frozen = OnceLock::new();
        self.nodes[token as usize]
            .as_mut()
            .expect("tokens in use point at live modules")
    }

    fn name(&self, token: Token) -> &str {
        &self.node(token).name
    }

    /// Any module, visible or an invisible ancestor.
    fn token(&self, name: &str) -> Option<Token> {
        self.by_name.get(name).copied()
    }

    /// A module added to the graph (not an invisible ancestor).
    fn visible(&self, name: &str) -> Result<Token> {
        self.token(name)
            .filter(|&t| !self.node(t).invisible)
            .ok_or_else(|| GraphError::ModuleNotPresent(name.to_owned()))
    }

    fn names_of(&self, tokens: impl IntoIterator<Item = Token>) -> Vec<String> {
        let mut names: Vec<String> = tokens
            .into_iter()
            .filter(|&t| !self.node(t).invisible)
            .map(|t| self.name(t).to_owned())
            .collect();
        names.sort_unstable();
        names
    }

    /// Every module added to the graph, sorted.
    pub fn modules(&self) -> Vec<String> {
        self.names_of(self.by_name.values().copied())
    }

    pub fn contains_module(&self, name: &str) -> bool {
        self.visible(name).is_ok()
    }

    /// The module's token; when missing, it is added invisible, with its missing ancestors.
    fn ensure(&mut self, name: &str) -> Token {
        if let Some(t) = self.token(name) {
            return t;
        }
        let parent = parent_name(name).map(|p| self.ensure(p));
        let token = self.nodes.len() as Token;
        self.nodes.push(Some(Node {
            name: name.into(),
            invisible: true,
            squashed: false,
            parent,
            children: FxHashSet::default(),
            imports: FxHashSet::default(),
            importers: FxHashSet::default(),
        }));
        self.by_name.insert(name.into(), token);
        if let Some(p) = parent {
            self.node_mut(p).children.insert(token);
        }
        self.frozen = OnceLock::new();
        token
    }

    /// The module, added (with invisible ancestors where missing) or made visible.
    fn add_visible(&mut self, name: &str) -> Token {
        let t = self.ensure(name);
        self.node_mut(t).invisible = false;
        t
    }

    pub fn add_module(&mut self, name: &str, squashed: bool) -> Result<()> {
        let mut cursor = parent_name(name);
        while let Some(ancestor) = cursor {
            if self.visible(ancestor).is_ok_and(|t| self.node(t).squashed) {
                return Err(GraphError::Invalid(format!(
                    "Module is a descendant of squashed module {ancestor}."
                )));
            }
            cursor = parent_name(ancestor);
        }
        if let Ok(t) = self.visible(name)
            && self.node(t).squashed != squashed
        {
            return Err(GraphError::Invalid(
                "Cannot add a squashed module when it is already present in the graph as an \
                 unsquashed module, or vice versa."
                    .into(),
            ));
        }
        if squashed
            && let Some(t) = self.token(name)
            && !self.node(t).children.is_empty()
        {
            return Err(GraphError::Invalid(
                "cannot mark a module with children as squashed".into(),
            ));
        }
        let t = self.add_visible(name);
        if squashed {
            self.node_mut(t).squashed = true;
        }
        Ok(())
    }

    /// Remove a module (visible or not) with its descendants and their imports; nothing happens
    /// when it is not in the graph.
    pub fn remove_module(&mut self, name: &str) {
        if let Some(t) = self.token(name) {
            self.remove_token(t);
        }
    }

    fn remove_token(&mut self, t: Token) {
        let children: Vec<Token> = self.node(t).children.iter().copied().collect();
        for child in children {
            self.remove_token(child);
        }
        let imports: Vec<Token> = self.node(t).imports.iter().copied().collect();
        for imported in imports {
            self.remove_edge(t, imported);
        }
        let importers: Vec<Token> = self.node(t).importers.iter().copied().collect();
        for importer in importers {
            self.remove_edge(importer, t);
        }
        if let Some(p) = self.node(t).parent {
            self.node_mut(p).children.remove(&t);
        }
        self.sources.files.remove(&t);
        if let Ok(mut read) = self.sources.read.lock() {
            read.remove(&t);
        }
        let node = self.nodes[t as usize].take().expect("a live module");
        self.by_name.remove(&node.name);
        self.frozen = OnceLock::new();
    }

    fn add_edge(&mut self, a: Token, b: Token) {
        if self.node_mut(a).imports.insert(b) {
            self.imports += 1;
        }
        self.node_mut(b).importers.insert(a);
    }

    fn remove_edge(&mut self, a: Token, b: Token) {
        if self.node_mut(a).imports.remove(&b) {
            self.imports -= 1;
        }
        self.node_mut(b).importers.remove(&a);
        self.details.remove(&(a, b));
        self.file_lines.remove(&(a, b));
    }

    /// Add an import (both modules are added when missing), with the statement's details when
    /// known.
    pub fn add_import(&mut self, importer: &str, imported: &str, detail: Option<Detail>) {
        let a = self.add_visible(importer);
        let b = self.add_visible(imported);
        self.add_edge(a, b);
        if let Some(d) = detail {
            self.details.entry((a, b)).or_default().insert(d);
        }
    }

    /// Record `module`'s source file, where the text of its imports' lines is read from.
    pub fn set_source(&mut self, module: &str, path: Arc<Path>) {
        let t = self.add_visible(module);
        self.sources.files.insert(t, path);
    }

    /// Add an import made at `lines` of the importer's source file (see [`Graph::set_source`]).
    pub fn add_import_at_lines(&mut self, importer: &str, imported: &str, lines: &[u32]) {
        let a = self.add_visible(importer);
        let b = self.add_visible(imported);
        self.add_edge(a, b);
        let known = self.file_lines.entry((a, b)).or_default();
        known.extend_from_slice(lines);
        known.sort_unstable();
        known.dedup();
    }

    pub fn remove_import(&mut self, importer: &str, imported: &str) -> Result<()> {
        let a = self.visible(importer)?;
        let b = self.visible(imported)?;
        self.remove_edge(a, b);
        Ok(())
    }

    pub fn count_imports(&self) -> usize {
        self.imports
    }

    /// The module stands for itself and its descendants: their imports become its imports, and
    /// they leave the graph.
    pub fn squash_module(&mut self, name: &str) -> Result<()> {
        let t = self.visible(name)?;
        let descendants = self.descendant_tokens(t);
        let mut imported = FxHashSet::default();
        let mut importers = FxHashSet::default();
        for &d in &descendants {
            imported.extend(self.node(d).imports.iter().copied());
            importers.extend(self.node(d).importers.iter().copied());
        }
        for b in imported {
            self.add_edge(t, b);
        }
        for a in importers {
            self.add_edge(a, t);
        }
        for d in descendants {
            if self.nodes[d as usize].is_some() {
                self.remove_token(d);
            }
        }
        self.node_mut(t).squashed = true;
        Ok(())
    }

    pub fn is_module_squashed(&self, name: &str) -> Result<bool> {
        Ok(self.node(self.visible(name)?).squashed)
    }

    fn descendant_tokens(&self, t: Token) -> Vec<Token> {
        let mut out: Vec<Token> = Vec::new();
        let mut stack: Vec<Token> = self.node(t).children.iter().copied().collect();
        while let Some(c) = stack.pop() {
            out.push(c);
            stack.extend(self.node(c).children.iter().copied());
        }
        out
    }

    fn with_descendants(&self, t: Token) -> FxHashSet<Token> {
        let mut set: FxHashSet<Token> = self.descendant_tokens(t).into_iter().collect();
        set.insert(t);
        set
    }

    /// The visible children of a module (visible or not).
    pub fn find_children(&self, name: &str) -> Result<Vec<String>> {
        let t = self
            .token(name)
            .ok_or_else(|| GraphError::ModuleNotPresent(name.to_owned()))?;
        Ok(self.names_of(self.node(t).children.iter().copied()))
    }

    /// The visible descendants of a module (visible or not).
    pub fn find_descendants(&self, name: &str) -> Result<Vec<String>> {
        let t = self
            .token(name)
            .ok_or_else(|| GraphError::ModuleNotPresent(name.to_owned()))?;
        Ok(self.names_of(self.descendant_tokens(t)))
    }

    pub fn find_matching_modules(&self, expression: &str) -> Result<Vec<String>> {
        let expression = parse_expression(expression)?;
        if !expression.has_wildcard() {
            return Ok(self.names_of(self.token(expression.as_str())));
        }
        Ok(self.names_of(
            self.by_name
                .iter()
                .filter(|(name, _)| expression.matches(name))
                .map(|(_, &t)| t),
        ))
    }

    fn packages(
        &self,
        a: Token,
        b: Token,
        as_packages: bool,
    ) -> Result<(FxHashSet<Token>, FxHashSet<Token>)> {
        if !as_packages {
            return Ok(([a].into_iter().collect(), [b].into_iter().collect()));
        }
        let (from, to) = (self.with_descendants(a), self.with_descendants(b));
        if !from.is_disjoint(&to) {
            return Err(GraphError::SharedDescendants);
        }
        Ok((from, to))
    }

    pub fn direct_import_exists(
        &self,
        importer: &str,
        imported: &str,
        as_packages: bool,
    ) -> Result<bool> {
        let (from, to) = self.packages(
            self.visible(importer)?,
            self.visible(imported)?,
            as_packages,
        )?;
        Ok(from
            .iter()
            .any(|&f| self.node(f).imports.iter().any(|i| to.contains(i))))
    }

    /// Module-level imports from `a` (as a package) to `b` (as a package).
    fn direct_imports_between(&self, a: Token, b: Token) -> Result<Vec<(Token, Token)>> {
        let (from, to) = self.packages(a, b, true)?;
        let mut out = Vec::new();
        for &f in &from {
            for &i in &self.node(f).imports {
                if to.contains(&i) {
                    out.push((f, i));
                }
            }
        }
        Ok(out)
    }

    /// The visible module `name`, with its descendants when `as_package`.
    fn module_or_package(&self, name: &str, as_package: bool) -> Result<FxHashSet<Token>> {
        let t = self.visible(name)?;
        Ok(if as_package {
            self.with_descendants(t)
        } else {
            [t].into_iter().collect()
        })
    }

    /// The modules `m` imports (`forwards`) or that import it.
    fn next(&self, m: Token, forwards: bool) -> &FxHashSet<Token> {
        if forwards {
            &self.node(m).imports
        } else {
            &self.node(m).importers
        }
    }

    fn neighbours(&self, name: &str, as_package: bool, forwards: bool) -> Result<Vec<String>> {
        let own = self.module_or_package(name, as_package)?;
        let mut out = FxHashSet::default();
        for &m in &own {
            let next = self.next(m, forwards);
            out.extend(
                next.iter()
                    .copied()
                    .filter(|n| !as_package || !own.contains(n)),
            );
        }
        Ok(self.names_of(out))
    }

    pub fn find_modules_directly_imported_by(
        &self,
        name: &str,
        as_package: bool,
    ) -> Result<Vec<String>> {
        self.neighbours(name, as_package, true)
    }

    pub fn find_modules_that_directly_import(
        &self,
        name: &str,
        as_package: bool,
    ) -> Result<Vec<String>> {
        self.neighbours(name, as_package, false)
    }

    /// The details of the imports from `importer` to `imported`, sorted; none when either is
    /// not in the graph.
    pub fn get_import_details(&self, importer: &str, imported: &str) -> Vec<Detail> {
        let (Some(a), Some(b)) = (self.token(importer), self.token(imported)) else {
            return Vec::new();
        };
        let mut details: Vec<Detail> = self
            .details
            .get(&(a, b))
            .map(|d| d.iter().cloned().collect())
            .unwrap_or_default();
        for &line in self.file_lines.get(&(a, b)).into_iter().flatten() {
            details.push(Detail {
                line_number: line,
                line_contents: self.sources.line(a, line),
                is_lazy: false,
            });
        }
        details.sort_unstable();
        details.dedup();
        details
    }

    /// Imports whose importer matches one expression and whose imported module the other,
    /// sorted.
    pub fn find_matching_direct_imports(
        &self,
        importer: &str,
        imported: &str,
    ) -> Result<Vec<(String, String)>> {
        let importers = self.find_matching_modules(importer)?;
        let imported: FxHashSet<Token> = self
            .find_matching_modules(imported)?
            .iter()
            .filter_map(|n| self.token(n))
            .collect();
        let mut out = Vec::new();
        for name in importers {
            let a = self
                .token(&name)
                .expect("a matching module is in the graph");
            for &b in &self.node(a).imports {
                if imported.contains(&b) && !self.node(b).invisible {
                    out.push((name.clone(), self.name(b).to_owned()));
                }
            }
        }
        out.sort_unstable();
        Ok(out)
    }

    fn reach(&self, name: &str, as_package: bool, forwards: bool) -> Result<Vec<String>> {
        let start = self.module_or_package(name, as_package)?;
        let mut seen = start.clone();
        let mut queue: Vec<Token> = start.iter().copied().collect();
        while let Some(m) = queue.pop() {
            let next = self.next(m, forwards);
            for &n in next {
                if seen.insert(n) {
                    queue.push(n);
                }
            }
        }
        Ok(self.names_of(seen.into_iter().filter(|m| !start.contains(m))))
    }

    /// Modules that import `name`, directly or not.
    pub fn find_downstream_modules(&self, name: &str, as_package: bool) -> Result<Vec<String>> {
        self.reach(name, as_package, false)
    }

    /// Modules `name` imports, directly or not.
    pub fn find_upstream_modules(&self, name: &str, as_package: bool) -> Result<Vec<String>> {
        self.reach(name, as_package, true)
    }
}

#[cfg(test)]
mod tests;
