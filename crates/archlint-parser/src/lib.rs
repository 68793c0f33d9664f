//! Python source → [`ModuleFacts`].
//!
//! This is the only crate that sees a syntax tree. It reads a file defensively (size limit,
//! binary and encoding checks), parses it with ruff's error-recovering parser and walks the tree
//! once, collecting imports, classes and functions. Bad input becomes a diagnostic in the facts,
//! never a panic.

mod normalize;
mod symbols;
mod visitor;

use std::io::Read;
use std::path::Path;

use archlint_facts::{ModuleFacts, Severity, SourceDiagnostic};
use ruff_python_ast::PythonVersion;
use ruff_python_parser::{Mode, ParseOptions};
use ruff_source_file::LineIndex;
use ruff_text_size::Ranged;

/// Version of ruff's parser crates we build on; part of every cache key for facts.
pub const PARSER_VERSION: &str = "ruff_python_parser-0.0.10";

/// Version of the walk over the tree (what it collects, how deep it goes); part of every cache
/// key for facts, raised whenever the same file would yield different facts.
pub const WALK_VERSION: u32 = 3;

/// Settings that change the facts a file yields (and therefore belong in cache keys).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ParseSettings {
    /// Files larger than this are not parsed.
    pub max_file_bytes: u64,
    /// Python version whose syntax is accepted without a warning, as (major, minor).
    pub target_version: (u8, u8),
    /// Collect the facts the code-structure rules read (statement hashes, literals,
    /// complexity, calls, attributes, suppressions). Without them a file yields its imports,
    /// classes, functions and diagnostics only, and its expressions are not walked unless it
    /// mentions a dynamic importer: about a fifth less work per file.
    pub code_facts: bool,
    /// Keep the classes and functions (the structure). Without them, and without code facts,
    /// a file yields its imports, size and diagnostics only: what a contracts check reads.
    /// A large tree then holds a fraction of the memory (on 48,000 modules of ~150 lines, the
    /// class and function records were most of the facts).
    pub structure: bool,
    /// Record the symbol facts (module-level names, `__all__`, private names reached by
    /// attribute) even without code facts, which always include them.
    pub symbols: bool,
}

impl Default for ParseSettings {
    fn default() -> Self {
        Self {
            max_file_bytes: 10 * 1024 * 1024,
            target_version: (3, 14),
            code_facts: true,
            structure: true,
            symbols: false,
        }
    }
}

impl ParseSettings {
    /// A stable textual fingerprint for cache keys.
    pub fn fingerprint(&self) -> String {
        format!(
            "{PARSER_VERSION};walk={WALK_VERSION};max={};py={}.{}{}{}",
            self.max_file_bytes,
            self.target_version.0,
            self.target_version.1,
            match (self.code_facts, self.structure) {
                (true, _) => "",
                (false, true) => ";lean",
                (false, false) => ";imports",
            },
            if self.symbols && !self.code_facts {
                ";symbols"
            } else {
                ""
            }
        )
    }
}

/// Read and parse a file. Never fails: I/O and decoding problems become diagnostics.
pub fn parse_file(path: &Path, settings: &ParseSettings) -> ModuleFacts {
    with_source(path, settings, |read| match read {
        Ok(bytes) => parse_bytes(bytes, settings),
        Err(facts) => *facts,
    })
}

/// Read a file for parsing. A file that cannot be analysed (over the size limit, unreadable)
/// yields its final facts, a single diagnostic, instead of bytes.
pub fn read_source(path: &Path, settings: &ParseSettings) -> Result<Vec<u8>, Box<ModuleFacts>> {
    with_source(path, settings, |read| read.map(<[u8]>::to_vec))
}

thread_local! {
    /// Each thread's read buffer, zeroed once and reused: reading a file then costs no
    /// allocation and no clearing.
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A buffer larger than this is not kept for the next file.
const KEEP_BUFFER: usize = 1024 * 1024;

/// Read a file into this thread's buffer and hand its bytes (or the facts of a file that
/// cannot be analysed) to `f`.
fn with_source<R>(
    path: &Path,
    settings: &ParseSettings,
    f: impl FnOnce(Result<&[u8], Box<ModuleFacts>>) -> R,
) -> R {
    BUFFER.with(|cell| {
        let mut own = Vec::new();
        let mut borrowed = cell.try_borrow_mut();
        // Only re-entered if `f` itself reads a file: then a buffer of its own.
        let buffer = match borrowed.as_mut() {
            Ok(b) => &mut **b,
            Err(_) => &mut own,
        };
        let read = match read_limited(path, settings.max_file_bytes, buffer) {
            Ok(ReadOutcome::Bytes(len)) => Ok(&buffer[..len]),
            Ok(ReadOutcome::TooLarge(size)) => Err(Box::new(only_diagnostic(
                size,
                archlint_facts::codes::TooLarge::CODE,
                format!(
                    "file is {size} bytes, over the {} byte limit; not analysed",
                    settings.max_file_bytes
                ),
                None,
            ))),
            Err(err) => Err(Box::new(only_diagnostic(
                0,
                "unreadable",
                format!("cannot read file: {err}"),
                None,
            ))),
        };
        let out = f(read);
        if buffer.len() > KEEP_BUFFER {
            *buffer = Vec::new();
        }
        out
    })
}

enum ReadOutcome {
    /// The file's bytes: the buffer's first this many.
    Bytes(usize),
    TooLarge(u64),
}

/// What a first read asks for: most source files fit, so one `read` takes the whole file.
const FIRST_READ: usize = 64 * 1024;

/// Read at most `limit + 1` bytes into `buffer`. No `stat` first and no read past a short
/// one: a regular file's short read is its end, so a typical file costs one open, one read and
/// one close. (The file's size is asked for only when it is over the limit, for the message.)
fn read_limited(path: &Path, limit: u64, buffer: &mut Vec<u8>) -> std::io::Result<ReadOutcome> {
    let mut file = std::fs::File::open(path)?;
    let cap = usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX);
    if buffer.len() < FIRST_READ.min(cap) {
        buffer.resize(FIRST_READ.min(cap), 0);
    }
    let mut len = 0;
    loop {
        let room = buffer.len().min(cap);
        let n = match file.read(&mut buffer[len..room]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        len += n;
        if n == 0 || len < room {
            break;
        }
        if len >= cap {
            // `limit + 1` bytes read: over the limit.
            let size = file.metadata().map(|m| m.len()).unwrap_or(len as u64);
            return Ok(ReadOutcome::TooLarge(size.max(len as u64)));
        }
        if len == buffer.len() {
            let grown = buffer.len().saturating_mul(2).min(cap);
            buffer.resize(grown, 0);
        }
    }
    Ok(ReadOutcome::Bytes(len))
}

fn only_diagnostic(bytes: u64, code: &str, message: String, line: Option<u32>) -> ModuleFacts {
    ModuleFacts {
        bytes,
        diagnostics: vec![SourceDiagnostic {
            code: code.into(),
            severity: Severity::Error,
            message,
            line,
            column: None,
        }],
        ..ModuleFacts::default()
    }
}

/// Parse raw file contents: checks for binary content and UTF-8 before parsing.
pub fn parse_bytes(bytes: &[u8], settings: &ParseSettings) -> ModuleFacts {
    if bytes.len() as u64 > settings.max_file_bytes {
        return only_diagnostic(
            bytes.len() as u64,
            archlint_facts::codes::TooLarge::CODE,
            format!(
                "file is {} bytes, over the {} byte limit; not analysed",
                bytes.len(),
                settings.max_file_bytes
            ),
            None,
        );
    }
    if let Some(pos) = memchr_nul(bytes) {
        let line = line_of_offset(bytes, pos);
        return only_diagnostic(
            bytes.len() as u64,
            archlint_facts::codes::Binary::CODE,
            "file contains NUL bytes and looks binary; not analysed".into(),
            Some(line),
        );
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(source) => parse_source(source, settings),
        Err(err) => {
            // Recover what we can from a lossy decoding, but say where the bad bytes are.
            let pos = err.valid_up_to();
            let line = line_of_offset(bytes, pos);
            let lossy = String::from_utf8_lossy(bytes);
            let mut facts = parse_source(&lossy, settings);
            facts.bytes = bytes.len() as u64;
            facts.diagnostics.insert(
                0,
                SourceDiagnostic {
                    code: archlint_facts::codes::NonUtf8::CODE.into(),
                    severity: Severity::Error,
                    message: format!(
                        "file is not valid UTF-8 (invalid byte at offset {pos}); \
                         analysed with replacement characters"
                    ),
                    line: Some(line),
                    column: None,
                },
            );
            facts
        }
    }
}

fn memchr_nul(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(0, bytes)
}

fn line_of_offset(bytes: &[u8], pos: usize) -> u32 {
    1 + memchr::memchr_iter(b'\n', &bytes[..pos.min(bytes.len())]).count() as u32
}

/// Parse Python source text into facts. Syntax errors become diagnostics; the facts still hold
/// everything the parser's error recovery found.
pub fn parse_source(source: &str, settings: &ParseSettings) -> ModuleFacts {
    let (major, minor) = settings.target_version;
    let options =
        ParseOptions::from(Mode::Module).with_target_version(PythonVersion { major, minor });
    // The tree is built in this thread's arena and discarded without a drop walk; everything
    // kept is copied out into the facts.
    archlint_arena::with_arena(
        || ruff_python_parser::parse_unchecked(source, options),
        |parsed| facts_of(parsed, source, settings),
    )
}

fn facts_of(
    parsed: &ruff_python_parser::Parsed<ruff_python_ast::Mod>,
    source: &str,
    settings: &ParseSettings,
) -> ModuleFacts {
    let line_index = LineIndex::from_source_text(source);
    let mut facts = ModuleFacts {
        lines: line_index.line_count() as u32,
        bytes: source.len() as u64,
        ..ModuleFacts::default()
    };
    if let Some(module) = parsed.syntax().as_module() {
        visitor::collect(
            &module.body,
            source,
            &line_index,
            parsed.tokens(),
            settings.code_facts,
            settings.structure,
            &mut facts,
        );
        if settings.code_facts || settings.symbols {
            facts.symbols = symbols::collect(&module.body, source, &line_index, parsed.tokens());
        }
    }

    facts.imports.shrink_to_fit();
    static TACH_IGNORE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"tach-ignore"));
    if TACH_IGNORE.find(source.as_bytes()).is_some() {
        for (i, line) in source.lines().enumerate() {
            if line.contains("tach-ignore") {
                facts.tach_ignores.push((i as u32 + 1, line.to_owned()));
            }
        }
    }
    for error in parsed.errors() {
        let loc = line_index.line_column(error.location.start(), source);
        facts.diagnostics.push(SourceDiagnostic {
            code: archlint_facts::codes::SyntaxError::CODE.into(),
            severity: Severity::Error,
            message: format!("syntax error: {}", error.error),
            line: Some(loc.line.get() as u32),
            column: Some(loc.column.get() as u32),
        });
    }
    for error in parsed.unsupported_syntax_errors() {
        let loc = line_index.line_column(error.range().start(), source);
        facts.diagnostics.push(SourceDiagnostic {
            code: archlint_facts::codes::UnsupportedSyntax::CODE.into(),
            severity: Severity::Warning,
            message: error.to_string(),
            line: Some(loc.line.get() as u32),
            column: Some(loc.column.get() as u32),
        });
    }
    facts
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod tests_rules;

#[cfg(test)]
mod tests_symbols;
