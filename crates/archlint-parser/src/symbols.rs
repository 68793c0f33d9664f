//! The symbol facts: what a module binds at module level, its `__all__`, and the private
//! names it reaches through imported modules by attribute (`helpers._parse`).
//!
//! Statements only are walked (module level, and every import for the bindings); the attribute
//! chains come from the token stream, and only in files that hold `._` at all.

use archlint_facts::{
    AttributeUse, Definition, DefinitionKind, ExportsFact, SymbolFacts, is_private_name,
};
use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_source_file::LineIndex;
use ruff_text_size::{Ranged, TextRange, TextSize};

/// How deep nested module-level blocks (`if` in `try` in `with` …) are followed.
const MAX_DEPTH: u32 = 100;

pub(crate) fn collect(
    body: &[Stmt],
    source: &str,
    lines: &LineIndex,
    tokens: &Tokens,
) -> SymbolFacts {
    let mut out = Module {
        lines,
        symbols: SymbolFacts::default(),
    };
    out.block(body, 0);
    let mut symbols = out.symbols;
    if memchr::memmem::find(source.as_bytes(), b"._").is_some() {
        let mut bindings = Bindings::default();
        bindings.block(body, 0);
        if !bindings.names.is_empty() {
            symbols.private_attributes = private_attributes(&bindings, source, lines, tokens);
        }
    }
    symbols
}

struct Module<'a> {
    lines: &'a LineIndex,
    symbols: SymbolFacts,
}

impl Module<'_> {
    fn line(&self, at: TextSize) -> u32 {
        self.lines.line_index(at).get() as u32
    }

    fn define(&mut self, name: &str, at: TextSize, kind: DefinitionKind) {
        if self.symbols.definitions.iter().any(|d| d.name == name) {
            return;
        }
        let line = self.line(at);
        self.symbols.definitions.push(Definition {
            name: name.to_owned(),
            line,
            kind,
        });
    }

    fn target(&mut self, target: &Expr) {
        match target {
            Expr::Name(name) => self.define(
                name.id.as_str(),
                name.range.start(),
                DefinitionKind::Variable,
            ),
            Expr::Tuple(t) => t.elts.iter().for_each(|e| self.target(e)),
            Expr::List(l) => l.elts.iter().for_each(|e| self.target(e)),
            Expr::Starred(s) => self.target(&s.value),
            _ => {}
        }
    }

    /// `__all__` set, extended, or changed in a way that is not a literal.
    fn exports(&mut self, at: TextSize, replace: bool, names: Option<Vec<String>>) {
        let line = self.line(at);
        let all = self.symbols.all.get_or_insert_with(|| ExportsFact {
            names: Vec::new(),
            line,
            complete: true,
        });
        match names {
            Some(names) => {
                if replace {
                    all.names.clear();
                }
                for n in names {
                    if !all.names.contains(&n) {
                        all.names.push(n);
                    }
                }
            }
            None => all.complete = false,
        }
    }

    fn block(&mut self, body: &[Stmt], depth: u32) {
        if depth > MAX_DEPTH {
            return;
        }
        for stmt in body {
            self.stmt(stmt, depth);
        }
    }

    fn stmt(&mut self, stmt: &Stmt, depth: u32) {
        match stmt {
            Stmt::FunctionDef(def) => self.define(
                def.name.id.as_str(),
                def.name.range.start(),
                DefinitionKind::Function,
            ),
            Stmt::ClassDef(def) => self.define(
                def.name.id.as_str(),
                def.name.range.start(),
                DefinitionKind::Class,
            ),
            Stmt::Assign(assign) => {
                if let [Expr::Name(name)] = assign.targets.as_slice()
                    && name.id.as_str() == "__all__"
                {
                    self.exports(stmt.start(), true, literal_names(&assign.value));
                }
                assign.targets.iter().for_each(|t| self.target(t));
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    if let Expr::Name(name) = assign.target.as_ref()
                        && name.id.as_str() == "__all__"
                    {
                        self.exports(stmt.start(), true, literal_names(value));
                    }
                    self.target(&assign.target);
                }
            }
            Stmt::AugAssign(assign) => {
                if let Expr::Name(name) = assign.target.as_ref() {
                    if name.id.as_str() == "__all__" {
                        let names = matches!(assign.op, ast::Operator::Add)
                            .then(|| literal_names(&assign.value))
                            .flatten();
                        self.exports(stmt.start(), false, names);
                    }
                    self.target(&assign.target);
                }
            }
            Stmt::TypeAlias(alias) => self.target(&alias.name),
            Stmt::Expr(expr) => self.all_method(expr.value.as_ref(), stmt.start()),
            Stmt::Import(import) => {
                for alias in &import.names {
                    let name = alias.name.id.as_str();
                    let (bound, kind) = match &alias.asname {
                        Some(asname) if asname.id.as_str() == name => {
                            (asname.id.as_str(), DefinitionKind::ExplicitReexport)
                        }
                        Some(asname) => (asname.id.as_str(), DefinitionKind::Import),
                        None => (
                            name.split('.').next().unwrap_or(name),
                            DefinitionKind::Import,
                        ),
                    };
                    self.define(bound, alias.range.start(), kind);
                }
            }
            Stmt::ImportFrom(import) => {
                let from_dot = import.level == 1 && import.module.is_none();
                for alias in &import.names {
                    let name = alias.name.id.as_str();
                    if name == "*" {
                        continue;
                    }
                    let (bound, explicit) = match &alias.asname {
                        Some(asname) => (asname.id.as_str(), asname.id.as_str() == name),
                        None => (name, from_dot),
                    };
                    let kind = if explicit {
                        DefinitionKind::ExplicitReexport
                    } else {
                        DefinitionKind::Import
                    };
                    self.define(bound, alias.range.start(), kind);
                }
            }
            Stmt::If(s) => {
                self.block(&s.body, depth + 1);
                for clause in &s.elif_else_clauses {
                    self.block(&clause.body, depth + 1);
                }
            }
            Stmt::Try(s) => {
                self.block(&s.body, depth + 1);
                for handler in &s.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = handler;
                    self.block(&h.body, depth + 1);
                }
                self.block(&s.orelse, depth + 1);
                self.block(&s.finalbody, depth + 1);
            }
            Stmt::With(s) => {
                for item in &s.items {
                    if let Some(vars) = &item.optional_vars {
                        self.target(vars);
                    }
                }
                self.block(&s.body, depth + 1);
            }
            Stmt::For(s) => {
                self.target(&s.target);
                self.block(&s.body, depth + 1);
                self.block(&s.orelse, depth + 1);
            }
            Stmt::While(s) => {
                self.block(&s.body, depth + 1);
                self.block(&s.orelse, depth + 1);
            }
            Stmt::Match(s) => {
                for case in &s.cases {
                    self.block(&case.body, depth + 1);
                }
            }
            _ => {}
        }
    }

    /// `__all__.extend([...])`, `__all__.append("x")`; any other method changes it unknowably.
    fn all_method(&mut self, expr: &Expr, at: TextSize) {
        let Expr::Call(call) = expr else { return };
        let Expr::Attribute(attr) = call.func.as_ref() else {
            return;
        };
        let Expr::Name(base) = attr.value.as_ref() else {
            return;
        };
        if base.id.as_str() != "__all__" {
            return;
        }
        let args = &call.arguments.args;
        let names = match (attr.attr.id.as_str(), args.as_ref()) {
            ("extend", [arg]) => literal_names(arg),
            ("append", [Expr::StringLiteral(s)]) => Some(vec![s.value.to_str().to_owned()]),
            _ => None,
        };
        self.exports(at, false, names);
    }
}

/// The strings of a literal list or tuple of string literals.
fn literal_names(expr: &Expr) -> Option<Vec<String>> {
    let elts = match expr {
        Expr::List(l) => &l.elts,
        Expr::Tuple(t) => &t.elts,
        _ => return None,
    };
    elts.iter()
        .map(|e| match e {
            Expr::StringLiteral(s) => Some(s.value.to_str().to_owned()),
            _ => None,
        })
        .collect()
}

/// The names imports bind anywhere in the module, and what each stands for.
#[derive(Default)]
struct Bindings {
    /// Bound name → (relative level, dotted path it stands for).
    names: Vec<(String, u32, String)>,
    /// Where the import statements are: a chain there is the import itself.
    ranges: Vec<TextRange>,
}

impl Bindings {
    fn block(&mut self, body: &[Stmt], depth: u32) {
        if depth > MAX_DEPTH {
            return;
        }
        for stmt in body {
            self.stmt(stmt, depth + 1);
        }
    }

    fn bind(&mut self, name: &str, level: u32, path: String) {
        if let Some(slot) = self.names.iter_mut().find(|(n, ..)| n == name) {
            // The same name bound to two things: the chain is ambiguous, not followed.
            if slot.1 != level || slot.2 != path {
                slot.2.clear();
            }
            return;
        }
        self.names.push((name.to_owned(), level, path));
    }

    fn stmt(&mut self, stmt: &Stmt, depth: u32) {
        match stmt {
            Stmt::Import(import) => {
                self.ranges.push(import.range);
                for alias in &import.names {
                    let name = alias.name.id.as_str();
                    match &alias.asname {
                        Some(asname) => self.bind(asname.id.as_str(), 0, name.to_owned()),
                        None => {
                            let top = name.split('.').next().unwrap_or(name);
                            self.bind(top, 0, top.to_owned());
                        }
                    }
                }
            }
            Stmt::ImportFrom(import) => {
                self.ranges.push(import.range);
                let module = import.module.as_ref().map_or("", |m| m.id.as_str());
                for alias in &import.names {
                    let name = alias.name.id.as_str();
                    if name == "*" {
                        continue;
                    }
                    let bound = alias.asname.as_ref().map_or(name, |a| a.id.as_str());
                    let path = if module.is_empty() {
                        name.to_owned()
                    } else {
                        format!("{module}.{name}")
                    };
                    self.bind(bound, import.level, path);
                }
            }
            Stmt::FunctionDef(def) => self.block(&def.body, depth),
            Stmt::ClassDef(def) => self.block(&def.body, depth),
            Stmt::If(s) => {
                self.block(&s.body, depth);
                for clause in &s.elif_else_clauses {
                    self.block(&clause.body, depth);
                }
            }
            Stmt::Try(s) => {
                self.block(&s.body, depth);
                for handler in &s.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = handler;
                    self.block(&h.body, depth);
                }
                self.block(&s.orelse, depth);
                self.block(&s.finalbody, depth);
            }
            Stmt::With(s) => self.block(&s.body, depth),
            Stmt::For(s) => {
                self.block(&s.body, depth);
                self.block(&s.orelse, depth);
            }
            Stmt::While(s) => {
                self.block(&s.body, depth);
                self.block(&s.orelse, depth);
            }
            Stmt::Match(s) => {
                for case in &s.cases {
                    self.block(&case.body, depth);
                }
            }
            _ => {}
        }
    }
}

/// `name.attr…._private` chains whose first name an import bound, from the tokens.
fn private_attributes(
    bindings: &Bindings,
    source: &str,
    lines: &LineIndex,
    tokens: &Tokens,
) -> Vec<AttributeUse> {
    let tokens: &[ruff_python_ast::token::Token] = tokens;
    let mut out: Vec<AttributeUse> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        let starts_chain = token.kind() == TokenKind::Name
            && (i == 0 || tokens[i - 1].kind() != TokenKind::Dot)
            && tokens
                .get(i + 1)
                .is_some_and(|t| t.kind() == TokenKind::Dot);
        if !starts_chain {
            i += 1;
            continue;
        }
        let root = &source[token.range()];
        let Some((_, level, path)) = bindings.names.iter().find(|(n, ..)| n == root) else {
            i += 1;
            continue;
        };
        let mut j = i;
        let mut target = path.clone();
        let mut private = false;
        while let (Some(dot), Some(name)) = (tokens.get(j + 1), tokens.get(j + 2)) {
            if dot.kind() != TokenKind::Dot || name.kind() != TokenKind::Name {
                break;
            }
            let part = &source[name.range()];
            target.push('.');
            target.push_str(part);
            j += 2;
            if is_private_name(part) {
                private = true;
                break;
            }
        }
        let inside_import = bindings.ranges.iter().any(|r| r.contains(token.start()));
        if private && !path.is_empty() && !inside_import {
            let line = lines.line_index(token.start()).get() as u32;
            if !out.iter().any(|u| u.line == line && u.target == target) {
                out.push(AttributeUse {
                    level: *level,
                    target,
                    line,
                });
            }
        }
        i = j + 1;
    }
    out
}
