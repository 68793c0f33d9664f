//! Per-module facts extracted by the parser.
//!
//! `ModuleFacts` is the contract between parsing and everything downstream: the cache stores it,
//! the import graph and the rules consume it, and none of them ever sees a syntax tree.

use serde::{Deserialize, Serialize};

/// Version of the `ModuleFacts` layout. Bump it whenever a field changes meaning or shape, so
/// cached facts from an older layout are never read back as current ones.
pub const FACTS_SCHEMA_VERSION: u32 = 5;

/// Blocks with fewer normalized tokens than this cannot hold a duplicated region worth
/// reporting and are not recorded (the smallest configurable region is this size).
pub const MIN_BLOCK_TOKENS: u32 = 20;

/// Everything archlint knows about one Python source file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleFacts {
    /// Every import statement (and string-literal dynamic import), in source order.
    pub imports: Vec<ImportFact>,
    /// Class definitions, at any depth.
    pub classes: Vec<ClassFact>,
    /// Function and method definitions, at any depth.
    pub functions: Vec<FunctionFact>,
    /// Number of lines in the file.
    pub lines: u32,
    /// Size of the file in bytes.
    pub bytes: u64,
    /// Problems found while reading or parsing; facts above are what recovery still found.
    pub diagnostics: Vec<SourceDiagnostic>,
    /// What the code-structure rules need beyond classes and functions.
    pub code: CodeFacts,
    /// Lines holding `tach-ignore` (1-based line, the line as written), for tach's ignore
    /// directives (tach reads them from raw lines, strings included).
    pub tach_ignores: Vec<(u32, String)>,
    /// The names the module defines and exports, and private names it reaches through
    /// imported modules (the symbol-level contracts and the unused-exports report read them).
    pub symbols: SymbolFacts,
}

/// What a module offers by name, and which private names it reaches by attribute.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SymbolFacts {
    /// The module's `__all__`, when it assigns one at module level.
    pub all: Option<ExportsFact>,
    /// Names bound at module level (outside any function or class body): definitions,
    /// assignments and imports, each once, at its first binding.
    pub definitions: Vec<Definition>,
    /// Attribute chains through an imported name that reach a private name, such as
    /// `helpers._parse` after `from app import helpers`, as if imported directly.
    pub private_attributes: Vec<AttributeUse>,
}

/// A module's `__all__`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportsFact {
    /// The names listed, in order (from `=`, `+=`, `.append` and `.extend` with literals).
    pub names: Vec<String>,
    /// Line of the first assignment.
    pub line: u32,
    /// Every change to `__all__` was a literal list or tuple of strings; `false` when some
    /// part is computed (`__all__ = base.__all__ + [...]`), so `names` may be short.
    pub complete: bool,
}

/// A name bound at module level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Definition {
    pub name: String,
    /// 1-based line of the first binding.
    pub line: u32,
    pub kind: DefinitionKind,
}

/// How a module-level name is bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefinitionKind {
    /// `def name`
    Function,
    /// `class name`
    Class,
    /// An assignment, annotated assignment, `type` alias, `for`/`with` target.
    Variable,
    /// An import that binds the name (`import a`, `from a import name`, `... as name`).
    Import,
    /// An import in a form that marks it as a deliberate re-export: `import a as a`,
    /// `from x import a as a`, `from . import a` (the typed-library convention).
    ExplicitReexport,
}

/// An attribute chain reaching a private name through an imported name, written as the import
/// it amounts to: `from app import helpers` then `helpers._parse` is `level` 0,
/// `target` `app.helpers._parse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeUse {
    /// Leading dots of the import that bound the chain's first name.
    pub level: u32,
    /// The dotted path, ending at the first private name.
    pub target: String,
    /// 1-based line of the chain.
    pub line: u32,
}

/// Facts for the code-structure rules: literals, loops, `global`, suppression comments and the
/// normalized statement hashes duplication detection works on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeFacts {
    /// Numeric literals in function bodies that are not named: not a keyword argument, not
    /// the whole right-hand side of an assignment, not a subscript, not a default value.
    pub numbers: Vec<Literal>,
    /// String literals compared with something (`==`, `in`, …) or matched in a `case`.
    pub compared_strings: Vec<Literal>,
    /// Lines of `while True:` / `while 1:` loops.
    pub unbounded_loops: Vec<u32>,
    /// `global` statements: line and names.
    pub globals: Vec<(u32, Vec<String>)>,
    /// `# archlint: ignore[CODE, …]` comments: line and codes (empty: every code).
    pub suppressions: Vec<(u32, Vec<String>)>,
    /// `# archlint: ignore-file[CODE, …]` comments (empty codes: every code).
    pub file_suppressions: Vec<Vec<String>>,
    /// Statement sequences of every block (module, class, function and compound-statement
    /// bodies) big enough to hold a duplicated region, as normalized hashes.
    pub blocks: Vec<Vec<StatementHash>>,
}

/// A literal and where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Literal {
    /// The literal as written for numbers (with a leading `-` when negated); the value for
    /// strings.
    pub value: String,
    pub line: u32,
    pub column: u32,
}

/// One statement, normalized: identifiers and literals replaced by placeholders, comments and
/// layout dropped, then hashed. Equal hashes mean the same code up to renaming.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementHash {
    /// Hash of the normalized tokens; 0 for statements that never count as duplication
    /// (imports).
    pub hash: u64,
    /// Number of normalized tokens.
    pub tokens: u32,
    pub start_line: u32,
    pub end_line: u32,
}

/// A name part that is private: a leading underscore, but not a dunder name (`__main__`, and
/// `__` itself, are not private).
pub fn is_private_name(part: &str) -> bool {
    part.starts_with('_') && !(part.starts_with("__") && part.ends_with("__"))
}

impl ModuleFacts {
    /// Whether the file parsed without any syntax error.
    pub fn is_clean(&self) -> bool {
        self.diagnostics.is_empty()
    }

    /// The compact binary form stored in caches.
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }

    /// Read the binary form back; `None` for bytes that are not a complete, valid encoding.
    pub fn decode(bytes: &[u8]) -> Option<ModuleFacts> {
        match postcard::take_from_bytes::<ModuleFacts>(bytes) {
            Ok((facts, [])) => Some(facts),
            _ => None,
        }
    }
}

/// How an import was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// `import a.b.c`
    Import,
    /// `from a.b import c`
    From,
    /// `from a.b import *`
    Star,
    /// `importlib.import_module("a.b")` or `__import__("a.b")` with a string literal.
    Dynamic,
}

/// One imported name.
///
/// The target is kept unresolved (as written, with its relative level) because resolving it needs
/// the set of modules in the project, which is known only once every file is discovered.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ImportFact {
    /// How the import was written.
    pub kind: ImportKind,
    /// Number of leading dots (0 for an absolute import).
    pub level: u32,
    /// The module part: `a.b` in `import a.b` and `from a.b import c`; empty in `from . import c`.
    pub module: String,
    /// The imported name in `from a.b import c` (`*` for a star import), `None` otherwise.
    pub name: Option<String>,
    /// 1-based line of the statement.
    pub line: u32,
    /// 1-based column of the statement.
    pub column: u32,
    /// The import sits in the body of an `if TYPE_CHECKING:` block.
    pub type_checking: bool,
    /// The import sits inside a function or method body.
    pub in_function: bool,
    /// 1-based line of the imported name itself (differs from `line` in a parenthesised
    /// `from a import (\n    b,\n)`): where tach reports an import.
    pub name_line: u32,
    /// The import is not at module level: it sits in the body of an `if`, `for`, `while`,
    /// `with`, `try`, function or class (tach's local imports, governed by its
    /// `local_imports` rule).
    pub nested: bool,
    /// The import sits in the `elif`/`else` branches of an `if TYPE_CHECKING:` statement
    /// (runtime code, but tach's `ignore_type_checking_imports` leaves out the whole
    /// statement).
    pub type_checking_else: bool,
}

impl ImportFact {
    /// The imported object as a dotted name with leading dots for the relative level,
    /// e.g. `..pkg.mod.name`, the form import-linter's scanner works with.
    pub fn object_name(&self) -> String {
        let mut out = ".".repeat(self.level as usize);
        out.push_str(&self.module);
        if let Some(name) = &self.name {
            if !self.module.is_empty() {
                out.push('.');
            }
            out.push_str(name);
        }
        out
    }
}

/// A class definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassFact {
    /// The class name.
    pub name: String,
    /// Dotted path inside the module, e.g. `Outer.Inner`.
    pub qualname: String,
    /// First line (the `class` keyword or first decorator).
    pub start_line: u32,
    /// Last line.
    pub end_line: u32,
    /// Number of methods defined directly in the class body.
    pub methods: u32,
    /// Names of base-class expressions, as written.
    pub bases: Vec<String>,
    /// Line of the `class` keyword (after any decorators).
    pub line: u32,
    /// Distinct attributes: names assigned in the class body plus `self.<name>` targets in
    /// its methods.
    pub attributes: u32,
    /// Derives from `ABC` or `Protocol`, uses `ABCMeta`, or has an `@abstractmethod`.
    pub is_abstract: bool,
}

/// A function or method definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionFact {
    /// The function name.
    pub name: String,
    /// Dotted path inside the module, e.g. `Class.method` or `outer.inner`.
    pub qualname: String,
    /// First line.
    pub start_line: u32,
    /// Last line.
    pub end_line: u32,
    /// All parameters, including `self`, `*args` and `**kwargs`.
    pub parameters: u32,
    /// Parameters that can be passed by position.
    pub positional_parameters: u32,
    /// Deepest nesting of compound statements (`if`, `for`, `while`, `with`, `try`, `match`)
    /// inside the body; 0 for a flat body.
    pub max_nesting: u32,
    /// `async def`.
    pub is_async: bool,
    /// Defined directly in a class body.
    pub is_method: bool,
    /// Line of the `def` keyword (after any decorators).
    pub line: u32,
    /// The first parameter is the instance or class (a method that is not a `staticmethod`).
    pub has_receiver: bool,
    /// Cyclomatic complexity, counted as mccabe and radon count it.
    pub complexity: u32,
    /// `assert` statements in the body (not in nested functions).
    pub asserts: u32,
    /// Names called in the body: `name` for `name(…)`, `self.name` for `self.name(…)` (or
    /// `cls.name(…)`); each once, in order of first call.
    pub calls: Vec<String>,
}

/// Severity of a source diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The file could not be analysed at all, or only partly.
    Error,
    /// The file was analysed, but something deserves attention.
    Warning,
}

/// A check's finding codes, each a unit struct with its stable `CODE` and one-line `SUMMARY`
/// (so an emit site names a code the compiler knows), and the catalog of them all (SARIF's rule
/// list, the reports' descriptions).
#[macro_export]
macro_rules! codes {
    ($catalog:ident; $( $(#[doc = $doc:literal])* $ident:ident = $code:literal, $summary:literal; )*) => {
        $(
            $(#[doc = $doc])*
            #[derive(Debug, Clone, Copy)]
            pub struct $ident;
            impl $ident {
                pub const CODE: &'static str = $code;
                pub const SUMMARY: &'static str = $summary;
            }
        )*
        /// Every code, with its one-line summary.
        pub const $catalog: &[(&str, &str)] = &[$(($code, $summary),)*];
    };
}

/// The codes a source file's diagnostics carry.
pub mod codes {
    crate::codes! {
        CATALOG;
        SyntaxError = "syntax-error", "A source file has a syntax error";
        UnsupportedSyntax = "unsupported-syntax", "A source file uses syntax newer than the target version";
        NonUtf8 = "non-utf8", "A source file is not valid UTF-8";
        Binary = "binary", "A source file looks binary";
        TooLarge = "too-large", "A source file is over the size limit";
        TooDeep = "too-deep", "A source file nests deeper than the parser follows";
    }
}

/// Every code a source file's diagnostics carry, with its one-line summary.
pub use codes::CATALOG as DIAGNOSTIC_CATALOG;

/// A problem with one source file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SourceDiagnostic {
    /// Stable code, e.g. `syntax-error`, `non-utf8`, `too-large`.
    pub code: String,
    /// Error or warning.
    pub severity: Severity,
    /// Human-readable message.
    pub message: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// 1-based column, when known.
    pub column: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(level: u32, module: &str, name: Option<&str>) -> ImportFact {
        ImportFact {
            kind: ImportKind::From,
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
    fn binary_round_trip() {
        let facts = ModuleFacts {
            imports: vec![fact(1, "x", Some("y"))],
            lines: 3,
            bytes: 40,
            diagnostics: vec![SourceDiagnostic {
                code: "syntax-error".into(),
                severity: Severity::Error,
                message: "bad".into(),
                line: Some(2),
                column: None,
            }],
            ..ModuleFacts::default()
        };
        let bytes = facts.encode();
        assert_eq!(ModuleFacts::decode(&bytes), Some(facts));
        assert_eq!(ModuleFacts::decode(&bytes[..bytes.len() - 1]), None);
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(ModuleFacts::decode(&longer), None);
    }

    #[test]
    fn object_names() {
        assert_eq!(fact(0, "a.b", None).object_name(), "a.b");
        assert_eq!(fact(0, "a.b", Some("c")).object_name(), "a.b.c");
        assert_eq!(fact(1, "", Some("c")).object_name(), ".c");
        assert_eq!(fact(2, "x", Some("*")).object_name(), "..x.*");
    }
}
