//! One walk over the syntax tree that fills [`ModuleFacts`].

use archlint_facts::{
    ClassFact, CodeFacts, FunctionFact, ImportFact, ImportKind, Literal, ModuleFacts, StatementHash,
};
use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_source_file::LineIndex;
use ruff_text_size::{Ranged, TextSize};

use crate::normalize::TokenHashes;

use archlint_facts::MIN_BLOCK_TOKENS;

pub(crate) fn collect(
    body: &[Stmt],
    source: &str,
    lines: &LineIndex,
    tokens: &Tokens,
    code: bool,
    structure: bool,
    facts: &mut ModuleFacts,
) {
    // The dynamic-import check runs only when the source mentions an importer.
    let dynamic = memchr::memmem::find(source.as_bytes(), b"import_module").is_some()
        || memchr::memmem::find(source.as_bytes(), b"__import__").is_some();
    if code && memchr::memmem::find(source.as_bytes(), b"archlint:").is_some() {
        collect_suppressions(source, lines, tokens, &mut facts.code);
    }
    let hashes = code.then(|| TokenHashes::new(tokens));
    let mut v = FactCollector {
        source,
        dynamic,
        code,
        structure: structure || code,
        lines,
        hashes,
        facts,
        scopes: Vec::new(),
        frames: Vec::new(),
        function_depth: 0,
        type_checking: false,
        type_checking_else: false,
        block_depth: 0,
        header: 0,
        named_literal: false,
        uncounted: 0,
        expr_depth: 0,
        stmt_depth: 0,
        too_deep: None,
    };
    v.visit_body(body);
    if let Some(at) = v.too_deep {
        let (line, column) = v.position(at);
        v.facts.diagnostics.push(archlint_facts::SourceDiagnostic {
            code: archlint_facts::codes::TooDeep::CODE.into(),
            severity: archlint_facts::Severity::Warning,
            message: format!(
                "code nested more than {MAX_STMT_DEPTH} statements or {MAX_EXPR_DEPTH} \
                 expressions deep; what lies deeper is not analysed"
            ),
            line: Some(line),
            column: Some(column),
        });
    }
}

/// `# archlint: ignore[CODE, …]`, `# archlint: ignore` and `# archlint: ignore-file[…]`.
fn collect_suppressions(source: &str, lines: &LineIndex, tokens: &Tokens, code: &mut CodeFacts) {
    for token in tokens.iter() {
        if token.kind() != TokenKind::Comment {
            continue;
        }
        let text = &source[token.range()];
        let Some(at) = text.find("archlint:") else {
            continue;
        };
        let rest = text[at + "archlint:".len()..].trim_start();
        let (file, rest) = if let Some(r) = rest.strip_prefix("ignore-file") {
            (true, r)
        } else if let Some(r) = rest.strip_prefix("ignore") {
            (false, r)
        } else {
            continue;
        };
        let codes: Vec<String> = match rest.strip_prefix('[') {
            Some(r) => match r.find(']') {
                Some(end) => r[..end]
                    .split(',')
                    .map(|c| c.trim().to_owned())
                    .filter(|c| !c.is_empty())
                    .collect(),
                None => continue,
            },
            // `ignore` must end the directive (not `ignored`, `ignore_this`).
            None if rest.is_empty() || rest.starts_with(char::is_whitespace) => Vec::new(),
            None => continue,
        };
        if file {
            code.file_suppressions.push(codes);
        } else {
            let line = lines.line_index(token.start()).get() as u32;
            code.suppressions.push((line, codes));
        }
    }
}

/// What encloses the code being walked.
enum Frame {
    Class(ClassState),
    Function(FunctionState),
}

struct ClassState {
    index: usize,
    attributes: Vec<String>,
}

struct FunctionState {
    index: usize,
    complexity: u32,
    asserts: u32,
    calls: Vec<String>,
    /// Compound-statement depth and the deepest seen.
    nesting: u32,
    max_nesting: u32,
    /// Name of the first parameter of a method (`self`), whose attributes are the class's.
    receiver: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ScopeKind {
    Class,
    Function,
}

struct FactCollector<'a, 'f> {
    source: &'a str,
    /// The source mentions a dynamic importer, so calls are checked for one.
    dynamic: bool,
    /// Collect the code-structure facts (see `ParseSettings::code_facts`).
    code: bool,
    /// Record classes and functions (see `ParseSettings::structure`); without them a
    /// definition is only a scope the walk passes through.
    structure: bool,
    lines: &'a LineIndex,
    hashes: Option<TokenHashes>,
    facts: &'f mut ModuleFacts,
    scopes: Vec<(String, ScopeKind)>,
    frames: Vec<Frame>,
    function_depth: u32,
    type_checking: bool,
    /// In the `elif`/`else` branches of an `if TYPE_CHECKING:` statement.
    type_checking_else: bool,
    /// Bodies of `if`/`for`/`while`/`with`/`try`/`def`/`class` the walk is inside (an import
    /// with 0 is at module level).
    block_depth: u32,
    /// Inside decorators, parameters, annotations of a definition: counted for nothing.
    header: u32,
    /// The literal being visited is named (a keyword argument, an assignment's whole value).
    named_literal: bool,
    /// Inside an `assert`: branches there add nothing to complexity.
    uncounted: u32,
    /// Expressions (and patterns) being walked, one inside the other.
    expr_depth: u32,
    /// Statements being walked, one inside the other.
    stmt_depth: u32,
    /// Where code first nested deeper than [`MAX_EXPR_DEPTH`] or [`MAX_STMT_DEPTH`] (not
    /// walked further).
    too_deep: Option<TextSize>,
}

/// How deep expressions are walked: a hostile file of 10,000 nested brackets or a 7,000-term
/// `+` chain must not exhaust the stack. CPython itself refuses more than 200 nested
/// parentheses.
pub(crate) const MAX_EXPR_DEPTH: u32 = 200;

/// How deep statements are walked (a 10 MB file of tab-indented `def`/`class`/`for` reaches
/// ~4,500). CPython refuses more than 100 levels of indentation.
pub(crate) const MAX_STMT_DEPTH: u32 = 400;

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
        name_at: TextSize,
    ) {
        let (line, column) = self.position(at);
        let name_line = self.line(name_at);
        self.facts.imports.push(ImportFact {
            kind,
            level,
            module: module.to_owned(),
            name: name.map(str::to_owned),
            line,
            column,
            type_checking: self.type_checking,
            in_function: self.function_depth > 0,
            name_line,
            nested: self.block_depth > 0,
            type_checking_else: self.type_checking_else,
        });
    }

    /// The function whose body is being walked (not a class inside it, not a header).
    fn current_function(&mut self) -> Option<&mut FunctionState> {
        if self.header > 0 {
            return None;
        }
        match self.frames.last_mut() {
            Some(Frame::Function(f)) => Some(f),
            _ => None,
        }
    }

    fn add_complexity(&mut self, n: u32) {
        if self.uncounted > 0 || !self.code {
            return;
        }
        if let Some(f) = self.current_function() {
            f.complexity += n;
        }
    }

    /// A compound statement whose body is not module level for tach (`for`, `while`, `with`,
    /// `try`; `match` is, as tach's walk counts it).
    fn nested_block(&mut self, stmt: &'a Stmt) {
        self.block_depth += 1;
        self.enter_block(|this| visitor::walk_stmt(this, stmt));
        self.block_depth -= 1;
    }

    fn enter_block<F: FnOnce(&mut Self)>(&mut self, f: F) {
        if let Some(Frame::Function(state)) = self.frames.last_mut() {
            state.nesting += 1;
            state.max_nesting = state.max_nesting.max(state.nesting);
        }
        f(self);
        if let Some(Frame::Function(state)) = self.frames.last_mut() {
            state.nesting -= 1;
        }
    }

    fn header<F: FnOnce(&mut Self)>(&mut self, f: F) {
        self.header += 1;
        f(self);
        self.header -= 1;
    }

    /// A definition's body: code of its own, whatever header it sits in.
    fn definition_body(&mut self, body: &'a [Stmt]) {
        let saved_header = std::mem::replace(&mut self.header, 0);
        self.visit_body(body);
        self.header = saved_header;
    }

    /// A definition's decorators, type parameters, parameters and return annotation.
    fn function_header(&mut self, def: &'a ast::StmtFunctionDef) {
        self.header(|this| {
            for decorator in &def.decorator_list {
                this.visit_decorator(decorator);
            }
            if let Some(type_params) = &def.type_params {
                this.visit_type_params(type_params);
            }
            this.visit_parameters(&def.parameters);
            if let Some(returns) = &def.returns {
                this.visit_annotation(returns);
            }
        });
    }

    /// A class's decorators, type parameters and bases.
    fn class_header(&mut self, def: &'a ast::StmtClassDef) {
        self.header(|this| {
            for decorator in &def.decorator_list {
                this.visit_decorator(decorator);
            }
            if let Some(type_params) = &def.type_params {
                this.visit_type_params(type_params);
            }
            if let Some(arguments) = &def.arguments {
                this.visit_arguments(arguments);
            }
        });
    }

    fn function(&mut self, def: &'a ast::StmtFunctionDef, stmt: &'a Stmt) {
        if !self.structure {
            self.function_header(def);
            self.function_depth += 1;
            self.definition_body(&def.body);
            self.function_depth -= 1;
            return;
        }
        let range = stmt.range();
        let params = &def.parameters;
        let positional = (params.posonlyargs.len() + params.args.len()) as u32;
        let total = positional
            + params.kwonlyargs.len() as u32
            + u32::from(params.vararg.is_some())
            + u32::from(params.kwarg.is_some());
        let is_method = matches!(self.scopes.last(), Some((_, ScopeKind::Class)));
        let is_static = def
            .decorator_list
            .iter()
            .any(|d| last_segment(&self.source[d.expression.range()]) == "staticmethod");
        let receiver = if is_method && !is_static {
            params
                .posonlyargs
                .iter()
                .chain(&params.args)
                .next()
                .map(|p| p.parameter.name.id.to_string())
        } else {
            None
        };
        if is_method
            && def
                .decorator_list
                .iter()
                .any(|d| last_segment(&self.source[d.expression.range()]) == "abstractmethod")
            && let Some(Frame::Class(class)) = self.frames.last()
        {
            self.facts.classes[class.index].is_abstract = true;
        }
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
            line: self.line(def.name.range.start()),
            has_receiver: receiver.is_some(),
            complexity: 1,
            asserts: 0,
            calls: Vec::new(),
        });

        // Decorators, defaults and annotations belong to no function's complexity (radon).
        self.function_header(def);
        self.scopes
            .push((def.name.id.to_string(), ScopeKind::Function));
        self.function_depth += 1;
        self.frames.push(Frame::Function(FunctionState {
            index,
            complexity: 1,
            asserts: 0,
            calls: Vec::new(),
            nesting: 0,
            max_nesting: 0,
            receiver,
        }));
        self.definition_body(&def.body);
        if let Some(Frame::Function(state)) = self.frames.pop() {
            let fact = &mut self.facts.functions[state.index];
            fact.complexity = state.complexity;
            fact.asserts = state.asserts;
            fact.calls = state.calls;
            fact.max_nesting = state.max_nesting;
        }
        self.function_depth -= 1;
        self.scopes.pop();
    }

    fn class(&mut self, def: &'a ast::StmtClassDef, stmt: &'a Stmt) {
        if !self.structure {
            self.class_header(def);
            self.definition_body(&def.body);
            return;
        }
        let range = stmt.range();
        let methods = def
            .body
            .iter()
            .filter(|s| matches!(s, Stmt::FunctionDef(_)))
            .count() as u32;
        let bases: Vec<String> = def
            .bases()
            .iter()
            .map(|b| self.source[b.range()].to_owned())
            .collect();
        let is_abstract = bases.iter().any(|b| {
            let name = last_segment(b.split('[').next().unwrap_or(b));
            matches!(name, "ABC" | "Protocol")
        }) || def.keywords().iter().any(|k| {
            k.arg.as_ref().is_some_and(|a| a.id.as_str() == "metaclass")
                && last_segment(&self.source[k.value.range()]) == "ABCMeta"
        });
        let index = self.facts.classes.len();
        self.facts.classes.push(ClassFact {
            name: def.name.id.to_string(),
            qualname: self.qualname(def.name.id.as_str()),
            start_line: self.line(range.start()),
            end_line: self.line(range.end()),
            methods,
            bases,
            line: self.line(def.name.range.start()),
            attributes: 0,
            is_abstract,
        });
        self.class_header(def);
        self.scopes
            .push((def.name.id.to_string(), ScopeKind::Class));
        self.frames.push(Frame::Class(ClassState {
            index,
            attributes: Vec::new(),
        }));
        self.definition_body(&def.body);
        if let Some(Frame::Class(state)) = self.frames.pop() {
            self.facts.classes[state.index].attributes = state.attributes.len() as u32;
        }
        self.scopes.pop();
    }

    /// Record an assignment target as a class attribute: a name in the class body, or
    /// `self.<name>` in one of its methods.
    fn attribute_target(&mut self, target: &Expr) {
        if !self.code {
            return;
        }
        match target {
            Expr::Tuple(t) => t.elts.iter().for_each(|e| self.attribute_target(e)),
            Expr::List(l) => l.elts.iter().for_each(|e| self.attribute_target(e)),
            Expr::Starred(s) => self.attribute_target(&s.value),
            Expr::Name(name) => {
                if let Some(Frame::Class(class)) = self.frames.last_mut() {
                    push_unique(&mut class.attributes, name.id.as_str());
                }
            }
            Expr::Attribute(attr) => {
                let n = self.frames.len();
                if n >= 2
                    && let Expr::Name(base) = attr.value.as_ref()
                    && let Frame::Function(f) = &self.frames[n - 1]
                    && f.receiver.as_deref() == Some(base.id.as_str())
                    && let Frame::Class(class) = &mut self.frames[n - 2]
                {
                    push_unique(&mut class.attributes, attr.attr.id.as_str());
                }
            }
            _ => {}
        }
    }

    fn number(&mut self, expr: &Expr, negative: bool) {
        if self.named_literal || self.current_function().is_none() {
            return;
        }
        let text = &self.source[expr.range()];
        let value = if negative {
            format!("-{text}")
        } else {
            text.to_owned()
        };
        let (line, column) = self.position(expr.range().start());
        self.facts.code.numbers.push(Literal {
            value,
            line,
            column,
        });
    }

    fn compared_string(&mut self, expr: &Expr) {
        if self.header > 0 {
            return;
        }
        if let Expr::StringLiteral(lit) = expr {
            let (line, column) = self.position(expr.range().start());
            self.facts.code.compared_strings.push(Literal {
                value: literal_text(&lit.value).into_owned(),
                line,
                column,
            });
        }
    }

    fn call(&mut self, call: &ast::ExprCall) {
        // (prefix, name): `name(…)` or `self.name(…)`; stored as one string, allocated only
        // the first time a function calls it.
        let (prefix, name) = match call.func.as_ref() {
            Expr::Name(name) => ("", name.id.as_str()),
            Expr::Attribute(attr) => match attr.value.as_ref() {
                Expr::Name(base) if matches!(base.id.as_str(), "self" | "cls") => {
                    ("self.", attr.attr.id.as_str())
                }
                _ => return,
            },
            _ => return,
        };
        if let Some(f) = self.current_function()
            && !f.calls.iter().any(|c| c.strip_prefix(prefix) == Some(name))
        {
            f.calls.push(format!("{prefix}{name}"));
        }
    }

    /// Visit an expression whose literal value is named by its context.
    fn visit_named(&mut self, expr: &'a Expr) {
        if is_number(expr) {
            let saved = std::mem::replace(&mut self.named_literal, true);
            self.visit_expr(expr);
            self.named_literal = saved;
        } else {
            self.visit_expr(expr);
        }
    }
}

fn push_unique(list: &mut Vec<String>, name: &str) {
    if !list.iter().any(|n| n == name) {
        list.push(name.to_owned());
    }
}

/// `abc.abstractmethod` → `abstractmethod`; `x.y(z)` → `y`.
fn last_segment(text: &str) -> &str {
    let text = text.split('(').next().unwrap_or(text).trim();
    text.rsplit('.').next().unwrap_or(text).trim()
}

/// A number literal, possibly negated.
fn is_number(expr: &Expr) -> bool {
    match expr {
        Expr::NumberLiteral(_) => true,
        Expr::UnaryOp(op) => {
            matches!(op.op, ast::UnaryOp::USub | ast::UnaryOp::UAdd)
                && matches!(op.operand.as_ref(), Expr::NumberLiteral(_))
        }
        _ => false,
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
fn dynamic_import_target(call: &ast::ExprCall) -> Option<std::borrow::Cow<'_, str>> {
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
        Some(Expr::StringLiteral(lit)) => Some(literal_text(&lit.value)),
        _ => None,
    }
}

/// A string literal's value. Implicitly concatenated parts are joined here rather than with
/// `to_str()`, which caches the joined string inside the tree: the tree lives in the parse
/// arena and is never dropped, so that string would leak.
fn literal_text(value: &ast::StringLiteralValue) -> std::borrow::Cow<'_, str> {
    match value.as_slice() {
        [single] => std::borrow::Cow::Borrowed(&*single.value),
        parts => std::borrow::Cow::Owned(parts.iter().map(|p| &*p.value).collect()),
    }
}

impl<'a> Visitor<'a> for FactCollector<'a, '_> {
    fn visit_body(&mut self, body: &'a [Stmt]) {
        if self.header == 0
            && let Some(token_hashes) = &self.hashes
        {
            // Hash first; lines are looked up only for blocks big enough to keep.
            let hashes: Vec<(u64, u32)> = body
                .iter()
                .map(|stmt| match stmt {
                    Stmt::Import(_) | Stmt::ImportFrom(_) => (0, token_hashes.hash(stmt.range()).1),
                    _ => token_hashes.hash(stmt.range()),
                })
                .collect();
            let tokens: u32 = hashes.iter().filter(|h| h.0 != 0).map(|h| h.1).sum();
            if tokens >= MIN_BLOCK_TOKENS {
                let block = body
                    .iter()
                    .zip(hashes)
                    .map(|(stmt, (hash, tokens))| StatementHash {
                        hash,
                        tokens,
                        start_line: self.line(stmt.range().start()),
                        end_line: self.line(stmt.range().end()),
                    })
                    .collect();
                self.facts.code.blocks.push(block);
            }
        }
        visitor::walk_body(self, body);
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.stmt_depth >= MAX_STMT_DEPTH {
            self.too_deep.get_or_insert(stmt.range().start());
            return;
        }
        self.stmt_depth += 1;
        self.visit_stmt_within(stmt);
        self.stmt_depth -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.expr_depth >= MAX_EXPR_DEPTH {
            self.too_deep.get_or_insert(expr.range().start());
            return;
        }
        self.expr_depth += 1;
        self.visit_expr_within(expr);
        self.expr_depth -= 1;
    }

    fn visit_pattern(&mut self, pattern: &'a ast::Pattern) {
        if self.expr_depth >= MAX_EXPR_DEPTH {
            self.too_deep.get_or_insert(pattern.range().start());
            return;
        }
        self.expr_depth += 1;
        self.visit_pattern_within(pattern);
        self.expr_depth -= 1;
    }
}

impl<'a> FactCollector<'a, '_> {
    /// One statement, within the depth bound [`Visitor::visit_stmt`] keeps.
    fn visit_stmt_within(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    self.push_import(
                        ImportKind::Import,
                        0,
                        alias.name.id.as_str(),
                        None,
                        import.range.start(),
                        alias.range.start(),
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
                    self.push_import(
                        kind,
                        import.level,
                        module,
                        Some(name),
                        import.range.start(),
                        alias.range.start(),
                    );
                }
            }
            Stmt::FunctionDef(def) => {
                self.block_depth += 1;
                self.function(def, stmt);
                self.block_depth -= 1;
            }
            Stmt::ClassDef(def) => {
                self.block_depth += 1;
                self.class(def, stmt);
                self.block_depth -= 1;
            }
            Stmt::If(if_stmt) => {
                let elifs = if_stmt
                    .elif_else_clauses
                    .iter()
                    .filter(|c| c.test.is_some())
                    .count() as u32;
                self.add_complexity(1 + elifs);
                self.visit_expr(&if_stmt.test);
                let guarded = is_type_checking(&if_stmt.test);
                self.block_depth += 1;
                self.enter_block(|this| {
                    let saved = this.type_checking;
                    this.type_checking |= guarded;
                    this.visit_body(&if_stmt.body);
                    this.type_checking = saved;
                    // `else:` of `if TYPE_CHECKING:` runs at run time: not type-checking only.
                    let saved_else = this.type_checking_else;
                    this.type_checking_else |= guarded;
                    for clause in &if_stmt.elif_else_clauses {
                        this.visit_elif_else_clause(clause);
                    }
                    this.type_checking_else = saved_else;
                });
                self.block_depth -= 1;
            }
            Stmt::For(for_stmt) => {
                self.add_complexity(1 + u32::from(!for_stmt.orelse.is_empty()));
                self.nested_block(stmt);
            }
            Stmt::While(while_stmt) => {
                self.add_complexity(1 + u32::from(!while_stmt.orelse.is_empty()));
                let literal_true = match while_stmt.test.as_ref() {
                    Expr::BooleanLiteral(b) => b.value,
                    Expr::NumberLiteral(n) => {
                        matches!(&n.value, ast::Number::Int(i) if i.as_u8() == Some(1))
                    }
                    _ => false,
                };
                if literal_true && self.header == 0 && self.code {
                    let line = self.line(stmt.range().start());
                    self.facts.code.unbounded_loops.push(line);
                }
                self.nested_block(stmt);
            }
            Stmt::Try(try_stmt) => {
                // radon counts the handlers of `try`, not of `try`/`except*`.
                if !try_stmt.is_star {
                    self.add_complexity(
                        try_stmt.handlers.len() as u32 + u32::from(!try_stmt.orelse.is_empty()),
                    );
                }
                self.nested_block(stmt);
            }
            Stmt::Match(match_stmt) => {
                let wildcard = match_stmt
                    .cases
                    .iter()
                    .any(|c| matches!(&c.pattern, ast::Pattern::MatchAs(p) if p.pattern.is_none()));
                let n = (match_stmt.cases.len() as u32).saturating_sub(u32::from(wildcard));
                self.add_complexity(n);
                self.enter_block(|this| visitor::walk_stmt(this, stmt));
            }
            Stmt::With(_) => {
                self.nested_block(stmt);
            }
            Stmt::Assert(_) => {
                if self.code
                    && let Some(f) = self.current_function()
                {
                    f.complexity += 1;
                    f.asserts += 1;
                }
                // radon counts the statement, never what is inside it.
                self.uncounted += 1;
                visitor::walk_stmt(self, stmt);
                self.uncounted -= 1;
            }
            Stmt::Global(global) => {
                if self.header == 0 && self.code {
                    let line = self.line(stmt.range().start());
                    let names = global.names.iter().map(|n| n.id.to_string()).collect();
                    self.facts.code.globals.push((line, names));
                }
            }
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    self.attribute_target(target);
                    self.visit_expr(target);
                }
                if assign
                    .targets
                    .iter()
                    .all(|t| matches!(t, Expr::Name(_) | Expr::Attribute(_)))
                {
                    self.visit_named(&assign.value);
                } else {
                    self.visit_expr(&assign.value);
                }
            }
            Stmt::AnnAssign(assign) => {
                self.attribute_target(&assign.target);
                self.visit_expr(&assign.target);
                self.header(|this| this.visit_annotation(&assign.annotation));
                if let Some(value) = &assign.value {
                    self.visit_named(value);
                }
            }
            Stmt::AugAssign(assign) => {
                self.attribute_target(&assign.target);
                visitor::walk_stmt(self, stmt);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    /// One pattern, within the depth bound [`Visitor::visit_pattern`] keeps.
    fn visit_pattern_within(&mut self, pattern: &'a ast::Pattern) {
        if let ast::Pattern::MatchValue(value) = pattern {
            self.compared_string(&value.value);
            // Case values are compared, not computed with.
            let saved = std::mem::replace(&mut self.named_literal, true);
            visitor::walk_pattern(self, pattern);
            self.named_literal = saved;
            return;
        }
        visitor::walk_pattern(self, pattern);
    }
    /// One expression, within the depth bound [`Visitor::visit_expr`] keeps.
    fn visit_expr_within(&mut self, expr: &'a Expr) {
        if !self.code {
            // Imports only: expressions matter just for a dynamic importer's call.
            if self.dynamic {
                if let Expr::Call(call) = expr
                    && let Some(target) = dynamic_import_target(call)
                {
                    self.dynamic_import(&target, call.range().start());
                }
                visitor::walk_expr(self, expr);
            }
            return;
        }
        match expr {
            Expr::Call(call) => {
                if self.dynamic
                    && let Some(target) = dynamic_import_target(call)
                {
                    self.dynamic_import(&target, call.range().start());
                }
                self.call(call);
                self.visit_expr(&call.func);
                for arg in &call.arguments.args {
                    self.visit_expr(arg);
                }
                for keyword in &call.arguments.keywords {
                    // A literal passed by keyword is named by it.
                    if keyword.arg.is_some() {
                        self.visit_named(&keyword.value);
                    } else {
                        self.visit_expr(&keyword.value);
                    }
                }
                return;
            }
            Expr::NumberLiteral(_) => {
                self.number(expr, false);
                return;
            }
            Expr::UnaryOp(op) if is_number(expr) => {
                self.number(&op.operand, matches!(op.op, ast::UnaryOp::USub));
                return;
            }
            Expr::Subscript(sub) => {
                self.visit_expr(&sub.value);
                // Indexes and slices with literal bounds are positions, not meanings.
                match sub.slice.as_ref() {
                    Expr::Slice(slice) => {
                        for bound in [&slice.lower, &slice.upper, &slice.step]
                            .into_iter()
                            .flatten()
                        {
                            self.visit_named(bound);
                        }
                    }
                    s => self.visit_named(s),
                }
                return;
            }
            Expr::BoolOp(op) => self.add_complexity(op.values.len().saturating_sub(1) as u32),
            Expr::If(_) => self.add_complexity(1),
            Expr::ListComp(ast::ExprListComp { generators, .. })
            | Expr::SetComp(ast::ExprSetComp { generators, .. })
            | Expr::DictComp(ast::ExprDictComp { generators, .. })
            | Expr::Generator(ast::ExprGenerator { generators, .. }) => {
                let n: usize = generators.iter().map(|g| 1 + g.ifs.len()).sum();
                self.add_complexity(n as u32);
            }
            Expr::Compare(cmp) => {
                self.compared_string(&cmp.left);
                for c in &cmp.comparators {
                    self.compared_string(c);
                }
            }
            _ => {}
        }
        // Literals nested deeper than the named position are not named.
        let saved = std::mem::replace(&mut self.named_literal, false);
        visitor::walk_expr(self, expr);
        self.named_literal = saved;
    }
}

impl FactCollector<'_, '_> {
    fn dynamic_import(&mut self, target: &str, at: TextSize) {
        let level = target.chars().take_while(|&c| c == '.').count();
        let module = &target[level..];
        let valid = !module.is_empty()
            && module.split('.').all(|part| {
                !part.is_empty() && part.chars().all(|c| c == '_' || c.is_alphanumeric())
            });
        if valid {
            self.push_import(ImportKind::Dynamic, level as u32, module, None, at, at);
        }
    }
}
