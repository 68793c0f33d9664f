//! Rules that look at one module at a time.

use rustc_hash::FxHashMap;

use crate::catalog::{
    AssertionDensity, ComplexFunction, DeepNesting, GlobalStatement, GodObject, LongFunction,
    MagicNumber, RepeatedString, TooManyParameters, TooManyPositional, UnboundedLoop,
};
use crate::{Ctx, Raw, RuleFinding};

struct Emit<'a, 'b> {
    ctx: &'a Ctx<'a>,
    m: usize,
    out: &'b mut Vec<Raw>,
}

impl Emit<'_, '_> {
    fn on(&self, code: &str) -> bool {
        self.ctx.config.is_enabled(code)
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        code: &'static str,
        line: u32,
        column: Option<u32>,
        anchor_from: u32,
        symbol: String,
        message: String,
        help: &str,
    ) {
        let input = &self.ctx.modules[self.m];
        self.out.push(Raw {
            module: self.m,
            anchor: anchor_from.min(line)..=line,
            finding: RuleFinding {
                code,
                path: input.path.to_owned(),
                module: input.module.to_owned(),
                line,
                column,
                end_line: None,
                message,
                help: Some(help.to_owned()),
                symbol,
                related: Vec::new(),
            },
        });
    }
}

/// Parse a Python numeric literal as written (`1_000`, `0x1F`, `1e3`, `-2`).
pub(crate) fn numeric_value(text: &str) -> Option<f64> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let body: String = body.chars().filter(|&c| c != '_').collect();
    let lower = body.to_ascii_lowercase();
    let value = if let Some(hex) = lower.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()? as f64
    } else if let Some(oct) = lower.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()? as f64
    } else if let Some(bin) = lower.strip_prefix("0b") {
        i64::from_str_radix(bin, 2).ok()? as f64
    } else if lower.ends_with('j') {
        return None;
    } else {
        lower.parse::<f64>().ok()?
    };
    Some(if negative { -value } else { value })
}

/// One rule on one module.
type Rule = fn(&mut Emit);

/// Every enabled rule on module `m`, one function per rule (each documented in the catalog).
pub(crate) fn check_module(ctx: &Ctx, m: usize, out: &mut Vec<Raw>) {
    let mut e = Emit { ctx, m, out };
    let rules: [(&str, Rule); 11] = [
        (GodObject::CODE, god_object),
        (LongFunction::CODE, long_function),
        (TooManyParameters::CODE, too_many_parameters),
        (TooManyPositional::CODE, too_many_positional),
        (DeepNesting::CODE, deep_nesting),
        (ComplexFunction::CODE, complex_function),
        (MagicNumber::CODE, magic_number),
        (RepeatedString::CODE, repeated_string),
        (UnboundedLoop::CODE, unbounded_loop),
        (GlobalStatement::CODE, global_statement),
        (AssertionDensity::CODE, assertion_density),
    ];
    for (code, rule) in rules {
        if e.on(code) {
            rule(&mut e);
        }
    }
}

/// [`GodObject`].
fn god_object(e: &mut Emit) {
    let facts = e.ctx.modules[e.m].facts;
    let config = e.ctx.config;
    for class in &facts.classes {
        let lines = class.end_line.saturating_sub(class.start_line) + 1;
        let mut reasons = Vec::new();
        if class.methods > config.god_max_methods {
            reasons.push(format!(
                "{} methods (limit {})",
                class.methods, config.god_max_methods
            ));
        }
        if lines > config.god_max_lines {
            reasons.push(format!("{lines} lines (limit {})", config.god_max_lines));
        }
        if class.attributes > config.god_max_attributes {
            reasons.push(format!(
                "{} attributes (limit {})",
                class.attributes, config.god_max_attributes
            ));
        }
        if !reasons.is_empty() {
            e.push(
                GodObject::CODE,
                class.line,
                None,
                class.start_line,
                class.qualname.clone(),
                format!(
                    "class {} is a god object: {}",
                    class.qualname,
                    reasons.join(", ")
                ),
                "split the class along its responsibilities",
            );
        }
    }
}

/// [`LongFunction`].
fn long_function(e: &mut Emit) {
    let facts = e.ctx.modules[e.m].facts;
    let config = e.ctx.config;
    for f in &facts.functions {
        let anchor = f.start_line;
        let lines = f.end_line.saturating_sub(f.start_line) + 1;
        if lines > config.max_function_lines {
            e.push(
                LongFunction::CODE,
                f.line,
                None,
                anchor,
                f.qualname.clone(),
                format!(
                    "function {} is {lines} lines long (limit {})",
                    f.qualname, config.max_function_lines
                ),
                "extract the steps into functions of their own",
            );
        }
    }
}

/// [`TooManyParameters`].
fn too_many_parameters(e: &mut Emit) {
    let facts = e.ctx.modules[e.m].facts;
    let config = e.ctx.config;
    for f in &facts.functions {
        let anchor = f.start_line;
        let receiver = u32::from(f.has_receiver);
        let parameters = f.parameters.saturating_sub(receiver);
        if parameters > config.max_parameters {
            e.push(
                TooManyParameters::CODE,
                f.line,
                None,
                anchor,
                f.qualname.clone(),
                format!(
                    "function {} has {parameters} parameters (limit {})",
                    f.qualname, config.max_parameters
                ),
                "group parameters that travel together into an object",
            );
        }
    }
}

/// [`TooManyPositional`].
fn too_many_positional(e: &mut Emit) {
    let facts = e.ctx.modules[e.m].facts;
    let config = e.ctx.config;
    for f in &facts.functions {
        let anchor = f.start_line;
        let receiver = u32::from(f.has_receiver);
        let positional = f.positional_parameters.saturating_sub(receiver);
        if positional > config.max_positional {
            e.push(
                TooManyPositional::CODE,
                f.line,
                None,
                anchor,
                f.qualname.clone(),
                format!(
                    "function {} takes {positional} positional parameters (limit {}): \
                     connascence of position",
                    f.qualname, config.max_positional
                ),
                "make the later parameters keyword-only (put `*,` before them)",
            );
        }
    }
}

/// [`DeepNesting`].
fn deep_nesting(e: &mut Emit) {
    let facts = e.ctx.modules[e.m].facts;
    let config = e.ctx.config;
    for f in &facts.functions {
        let anchor = f.start_line;
        if f.max_nesting > config.max_depth {
            e.push(
                DeepNesting::CODE,
                f.line,
                None,
                anchor,
                f.qualname.clone(),
                format!(
                    "function {} nests blocks {} deep (limit {})",
                    f.qualname, f.max_nesting, config.max_depth
                ),
                "return early or move the inner blocks into a function",
            );
        }
    }
}

/// [`ComplexFunction`].
fn complex_function(e: &mut Emit) {
    let facts = e.ctx.modules[e.m].facts;
    let config = e.ctx.config;
    for f in &facts.functions {
        let anchor = f.start_line;
        if f.complexity > config.max_complexity {
            e.push(
                ComplexFunction::CODE,
                f.line,
                None,
                anchor,
                f.qualname.clone(),
                format!(
                    "function {} has cyclomatic complexity {} (limit {})",
                    f.qualname, f.complexity, config.max_complexity
                ),
                "split the decisions into smaller functions or a lookup table",
            );
        }
    }
}

/// [`MagicNumber`].
fn magic_number(e: &mut Emit) {
    let facts = e.ctx.modules[e.m].facts;
    let config = e.ctx.config;
    for n in &facts.code.numbers {
        let allowed = numeric_value(&n.value).is_none_or(|v| config.allowed_numbers.contains(&v));
        if !allowed {
            e.push(
                MagicNumber::CODE,
                n.line,
                Some(n.column),
                n.line,
                n.value.clone(),
                format!("magic number {}: its meaning has no name", n.value),
                "give it a name: a module-level constant, or a keyword argument",
            );
        }
    }
}

/// [`RepeatedString`].
fn repeated_string(e: &mut Emit) {
    let facts = e.ctx.modules[e.m].facts;
    let config = e.ctx.config;
    // Each string's occurrences (the first gives the location), in order of first use.
    let mut seen: FxHashMap<&str, Vec<&archlint_facts::Literal>> = FxHashMap::default();
    let mut order: Vec<&str> = Vec::new();
    for s in &facts.code.compared_strings {
        if config.ignored_strings.iter().any(|i| i == &s.value) {
            continue;
        }
        seen.entry(s.value.as_str())
            .or_insert_with(|| {
                order.push(s.value.as_str());
                Vec::new()
            })
            .push(s);
    }
    for value in order {
        let uses = &seen[value];
        if uses.len() as u32 > config.max_string_repeats {
            let first = (uses[0].line, uses[0].column);
            let lines: Vec<u32> = uses.iter().map(|s| s.line).collect();
            let shown: Vec<String> = lines.iter().map(u32::to_string).collect();
            e.push(
                RepeatedString::CODE,
                first.0,
                Some(first.1),
                first.0,
                format!("{value:?}"),
                format!(
                    "string {value:?} is compared {} times (limit {}), on lines {}: \
                     connascence of meaning",
                    lines.len(),
                    config.max_string_repeats,
                    shown.join(", ")
                ),
                "name the value once: a constant or an enum member",
            );
        }
    }
}

/// [`UnboundedLoop`].
fn unbounded_loop(e: &mut Emit) {
    let facts = e.ctx.modules[e.m].facts;
    for &line in &facts.code.unbounded_loops {
        let symbol = enclosing(facts, line);
        e.push(
            UnboundedLoop::CODE,
            line,
            None,
            line,
            format!("{symbol}:while"),
            "loop has no bound: `while True`".into(),
            "loop on a condition, or bound it with `for _ in range(LIMIT)`",
        );
    }
}

/// [`GlobalStatement`].
fn global_statement(e: &mut Emit) {
    let facts = e.ctx.modules[e.m].facts;
    for (line, names) in &facts.code.globals {
        let symbol = enclosing(facts, *line);
        e.push(
            GlobalStatement::CODE,
            *line,
            None,
            *line,
            format!("{symbol}:{}", names.join(",")),
            format!("`global {}` rebinds module state", names.join(", ")),
            "return the value, or keep the state in an object that is passed along",
        );
    }
}

/// [`AssertionDensity`].
fn assertion_density(e: &mut Emit) {
    let facts = e.ctx.modules[e.m].facts;
    let config = e.ctx.config;
    let ctx = e.ctx;
    if facts.functions.is_empty() {
        return;
    }
    let module = ctx.modules[e.m].module;
    if config.assertion_modules.iter().any(|p| p.matches(module)) {
        let asserts: u32 = facts.functions.iter().map(|f| f.asserts).sum();
        let density = f64::from(asserts) / facts.functions.len() as f64;
        if density < config.min_assertions {
            e.push(
                AssertionDensity::CODE,
                1,
                None,
                1,
                String::new(),
                format!(
                    "{asserts} assertions in {} functions: {density:.2} per function \
                     (minimum {})",
                    facts.functions.len(),
                    config.min_assertions
                ),
                "state what each function assumes and guarantees with `assert`",
            );
        }
    }
}

/// The qualified name of the innermost function or class around a line (`<module>` if none).
fn enclosing(facts: &archlint_facts::ModuleFacts, line: u32) -> String {
    facts
        .functions
        .iter()
        .filter(|f| f.start_line <= line && line <= f.end_line)
        .max_by_key(|f| f.start_line)
        .map(|f| f.qualname.clone())
        .unwrap_or_else(|| "<module>".into())
}
