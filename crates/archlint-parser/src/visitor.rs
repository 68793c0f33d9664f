//! One walk over the syntax tree that fills [`ModuleFacts`].

use archlint_facts::{ClassFact, FunctionFact, ImportFact, ImportKind, ModuleFacts};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_source_file::LineIndex;
use ruff_text_size::{Ranged, TextSize};

pub(crate) fn collect(body: &[Stmt], source: &str, lines: &LineIndex, facts: &mut ModuleFacts) {
    // Expressions are walked only for dynamic imports; most files have none, and skipping every
    // expression saves a good part of the walk.
    let dynamic = memchr::memmem::find(source.as_bytes(), b"import_module").is_some()
        || memchr::memmem::find(source.as_bytes(), b"__import__").is_some();
    let mut v = FactCollector {
        source,
        dynamic,
        lines,
        facts,
        scopes: Vec::new(),
        function_depth: 0,
        type_checking: false,
        nesting: 0,
        max_nesting: Vec::new(),
    };
    v.visit_body(body);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ScopeKind {
    Class,
    Function,
}

struct FactCollector<'a, 'f> {
    source: &'a str,
    /// The source mentions a dynamic importer, so expressions must be walked.
    dynamic: bool,
    lines: &'a LineIndex,
    facts: &'f mut ModuleFacts,
    scopes: Vec<(String, ScopeKind)>,
    function_depth: u32,
    type_checking: bool,
    /// Compound-statement depth inside the innermost function.
    nesting: u32,
    /// Deepest nesting seen, one entry per open function.
    max_nesting: Vec<u32>,
}

impl<'a> FactCollector<'a, '_> {
    fn position(&self, offset: TextSize) -> (u32, u32) {
        let loc = self.lines.line_column(offset, self.source);
        (loc.line.get() as u32, loc.column.get() as u32)
    }

    fn line(&self, offset: TextSize) -> u32 {
        self.lines.line_index(offset).get() as u32
    }

    fn qualname(&self, name: &str) -> String {
        let mut parts: Vec<&str> = self.scopes.iter().map(|(n, _)| n.as_str()).collect();
        parts.push(name);
        parts.join(".")
    }

    fn push_import(
        &mut self,
        kind: ImportKind,
        level: u32,
        module: &str,
        name: Option<&str>,
        at: TextSize,
    ) {
        let (line, column) = self.position(at);
        self.facts.imports.push(ImportFact {
            kind,
            level,
            module: module.to_owned(),
            name: name.map(str::to_owned),
            line,
            column,
            type_checking: self.type_checking,
            in_function: self.function_depth > 0,
        });
    }

    fn enter_block<F: FnOnce(&mut Self)>(&mut self, f: F) {
        self.nesting += 1;
        if let Some(max) = self.max_nesting.last_mut() {
            *max = (*max).max(self.nesting);
        }
        f(self);
        self.nesting -= 1;
    }

    fn function(&mut self, def: &'a ast::StmtFunctionDef, stmt: &'a Stmt) {
        let range = stmt.range();
        let params = &def.parameters;
        let positional = (params.posonlyargs.len() + params.args.len()) as u32;
        let total = positional
            + params.kwonlyargs.len() as u32
            + u32::from(params.vararg.is_some())
            + u32::from(params.kwarg.is_some());
        let is_method = matches!(self.scopes.last(), Some((_, ScopeKind::Class)));
        let index = self.facts.functions.len();
        self.facts.functions.push(FunctionFact {
            name: def.name.id.to_string(),
            qualname: self.qualname(def.name.id.as_str()),
            start_line: self.line(range.start()),
            end_line: self.line(range.end()),
            parameters: total,
            positional_parameters: positional,
            max_nesting: 0,
            is_async: def.is_async,
            is_method,
        });

        self.scopes
            .push((def.name.id.to_string(), ScopeKind::Function));
        self.function_depth += 1;
        let saved_nesting = std::mem::replace(&mut self.nesting, 0);
        self.max_nesting.push(0);
        visitor::walk_stmt(self, stmt);
        let max = self.max_nesting.pop().unwrap_or(0);
        self.nesting = saved_nesting;
        self.function_depth -= 1;
        self.scopes.pop();
        self.facts.functions[index].max_nesting = max;
    }

    fn class(&mut self, def: &'a ast::StmtClassDef, stmt: &'a Stmt) {
        let range = stmt.range();
        let methods = def
            .body
            .iter()
            .filter(|s| matches!(s, Stmt::FunctionDef(_)))
            .count() as u32;
        let bases = def
            .bases()
            .iter()
            .map(|b| self.source[b.range()].to_owned())
            .collect();
        self.facts.classes.push(ClassFact {
            name: def.name.id.to_string(),
            qualname: self.qualname(def.name.id.as_str()),
            start_line: self.line(range.start()),
            end_line: self.line(range.end()),
            methods,
            bases,
        });
        self.scopes
            .push((def.name.id.to_string(), ScopeKind::Class));
        visitor::walk_stmt(self, stmt);
        self.scopes.pop();
    }
}

/// `TYPE_CHECKING` or `<anything>.TYPE_CHECKING`, the two spellings type checkers honour.
fn is_type_checking(test: &Expr) -> bool {
    match test {
        Expr::Name(name) => name.id.as_str() == "TYPE_CHECKING",
        Expr::Attribute(attr) => attr.attr.id.as_str() == "TYPE_CHECKING",
        _ => false,
    }
}

/// `importlib.import_module("x")`, `import_module("x")` or `__import__("x")` with a literal.
fn dynamic_import_target(call: &ast::ExprCall) -> Option<&str> {
    let is_importer = match call.func.as_ref() {
        Expr::Name(name) => matches!(name.id.as_str(), "import_module" | "__import__"),
        Expr::Attribute(attr) => {
            attr.attr.id.as_str() == "import_module"
                && matches!(attr.value.as_ref(), Expr::Name(n) if n.id.as_str() == "importlib")
        }
        _ => false,
    };
    if !is_importer {
        return None;
    }
    match call.arguments.args.first() {
        Some(Expr::StringLiteral(lit)) => Some(lit.value.to_str()),
        _ => None,
    }
}

impl<'a> Visitor<'a> for FactCollector<'a, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    self.push_import(
                        ImportKind::Import,
                        0,
                        alias.name.id.as_str(),
                        None,
                        import.range.start(),
                    );
                }
            }
            Stmt::ImportFrom(import) => {
                let module = import.module.as_ref().map(|m| m.id.as_str()).unwrap_or("");
                for alias in &import.names {
                    let name = alias.name.id.as_str();
                    let kind = if name == "*" {
                        ImportKind::Star
                    } else {
                        ImportKind::From
                    };
                    self.push_import(kind, import.level, module, Some(name), import.range.start());
                }
            }
            Stmt::FunctionDef(def) => self.function(def, stmt),
            Stmt::ClassDef(def) => self.class(def, stmt),
            Stmt::If(if_stmt) => {
                self.visit_expr(&if_stmt.test);
                let guarded = is_type_checking(&if_stmt.test);
                self.enter_block(|this| {
                    let saved = this.type_checking;
                    this.type_checking |= guarded;
                    this.visit_body(&if_stmt.body);
                    this.type_checking = saved;
                    // `else:` of `if TYPE_CHECKING:` runs at run time: not type-checking only.
                    for clause in &if_stmt.elif_else_clauses {
                        this.visit_elif_else_clause(clause);
                    }
                });
            }
            Stmt::For(_) | Stmt::While(_) | Stmt::With(_) | Stmt::Try(_) | Stmt::Match(_) => {
                self.enter_block(|this| visitor::walk_stmt(this, stmt));
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if !self.dynamic {
            return;
        }
        if let Expr::Call(call) = expr
            && let Some(target) = dynamic_import_target(call)
        {
            let level = target.chars().take_while(|&c| c == '.').count();
            let module = &target[level..];
            let valid = !module.is_empty()
                && module.split('.').all(|part| {
                    !part.is_empty() && part.chars().all(|c| c == '_' || c.is_alphanumeric())
                });
            if valid {
                self.push_import(
                    ImportKind::Dynamic,
                    level as u32,
                    module,
                    None,
                    call.range().start(),
                );
            }
        }
        visitor::walk_expr(self, expr);
    }
}
