//! Source snippets under text findings: the offending line, numbered and underlined, as rustc
//! and ruff show them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// Longest line shown; longer ones (minified or generated code) are left out.
const MAX_LINE: usize = 400;

/// How serious the underlined line is.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Error,
    Warning,
}

/// Renders snippets, reading each file at most once; shared by the threads that render a
/// report's parts in parallel.
pub struct Snippets {
    renderer: Renderer,
    files: Mutex<HashMap<PathBuf, Arc<Option<SourceText>>>>,
}

/// A file's text and where each of its lines starts, so a report with many findings in one
/// big file does not scan it from the top for each.
struct SourceText {
    text: String,
    line_starts: Vec<usize>,
}

impl SourceText {
    fn new(bytes: Vec<u8>) -> Self {
        let text = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        Self { text, line_starts }
    }

    /// Line `index` (0-based) without its line ending, as `str::lines` gives it.
    fn line(&self, index: usize) -> Option<&str> {
        let start = *self.line_starts.get(index)?;
        if start == self.text.len() {
            // After a final newline (or in an empty file) there is no further line.
            return None;
        }
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(self.text.len(), |&next| next - 1);
        let line = &self.text[start..end];
        Some(line.strip_suffix('\r').unwrap_or(line))
    }
}

impl Snippets {
    pub fn new(color: bool) -> Self {
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        Self {
            renderer,
            files: Mutex::new(HashMap::new()),
        }
    }

    /// The snippet of `line` (1-based) of `file`, labelled; `None` when the file or the line
    /// cannot be read (the finding's own `file:line` still says where).
    pub fn render(
        &self,
        file: &Path,
        shown_path: &str,
        line: u32,
        column: Option<u32>,
        kind: Kind,
        label: &str,
    ) -> Option<String> {
        let known = self
            .files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(file)
            .cloned();
        let text = match known {
            Some(text) => text,
            None => {
                // Read outside the lock; two threads may read the same file once each.
                let text = Arc::new(std::fs::read(file).ok().map(SourceText::new));
                self.files
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(file.to_owned(), Arc::clone(&text));
                text
            }
        };
        let text = text.as_ref().as_ref()?;
        let source = text.line(line.checked_sub(1)? as usize)?;
        let binary = source.chars().any(|c| c.is_control() && c != '\t');
        if source.len() > MAX_LINE || source.trim().is_empty() || binary {
            return None;
        }
        let indent = source.len() - source.trim_start().len();
        let start = match column {
            // Columns are 1-based characters; spans are bytes.
            Some(c) if c > 1 => source
                .char_indices()
                .nth(c as usize - 1)
                .map_or(source.len(), |(i, _)| i),
            _ => indent,
        };
        let code = &source[..code_end(source)];
        let end = code.trim_end().len().max(start + 1).min(source.len());
        let start = start.min(source.len());
        let span = if start >= end {
            // An error at the end of the line: point just past it.
            source.len()..source.len()
        } else {
            start..end
        };
        let level = match kind {
            Kind::Error => Level::ERROR,
            Kind::Warning => Level::WARNING,
        };
        let group = Group::with_level(level).element(
            Snippet::source(source)
                .line_start(line as usize)
                .path(shown_path)
                .fold(false)
                .annotation(AnnotationKind::Primary.span(span).label(label)),
        );
        let mut out = self.renderer.render(&[group]);
        out.push('\n');
        Some(out)
    }
}

/// Where the code of a line ends: before a trailing `# comment` (a `#` outside quotes).
fn code_end(line: &str) -> usize {
    let mut quote: Option<u8> = None;
    let mut escaped = false;
    for (i, b) in line.bytes().enumerate() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == q {
                    quote = None;
                }
            }
            None => match b {
                b'\'' | b'"' => quote = Some(b),
                b'#' => return i,
                _ => {}
            },
        }
    }
    line.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m.py");
        std::fs::write(&file, text).unwrap();
        (dir, file)
    }

    #[test]
    fn lines_are_found_by_index_as_str_lines_splits_them() {
        for text in [
            "",
            "a",
            "a\n",
            "a\nb",
            "a\r\nb\r\n",
            "\n\nx\n",
            "a\rb\nc",
            "é\nü\n",
        ] {
            let source = SourceText::new(text.as_bytes().to_vec());
            let expected: Vec<&str> = text.lines().collect();
            let got: Vec<&str> = (0..expected.len() + 2)
                .map_while(|i| source.line(i))
                .collect();
            assert_eq!(got, expected, "{text:?}");
        }
    }

    #[test]
    fn underlines_the_statement_without_its_indentation() {
        let (_d, file) = fixture("import os\n\ndef f():\n    from shop.infra import db\n");
        let out = Snippets::new(false)
            .render(&file, "m.py", 4, None, Kind::Error, "imports shop.infra.db")
            .unwrap();
        assert!(out.contains("4 |     from shop.infra import db"), "{out}");
        assert!(
            out.contains("|     ^^^^^^^^^^^^^^^^^^^^^^^^^ imports shop.infra.db"),
            "{out}"
        );
        assert!(out.contains("--> m.py:4:5"), "{out}");
        assert!(!out.contains('\x1b'), "plain output has no escapes: {out}");
    }

    #[test]
    fn trailing_comments_are_not_underlined() {
        let (_d, file) = fixture("from a import b  # not 'this'\nx = '#' + y  # c\n");
        let s = Snippets::new(false);
        let out = s.render(&file, "m.py", 1, None, Kind::Error, "l").unwrap();
        assert!(out.contains("| ^^^^^^^^^^^^^^^ l"), "{out}");
        let out = s.render(&file, "m.py", 2, None, Kind::Error, "l").unwrap();
        assert!(out.contains("| ^^^^^^^^^^^ l"), "{out}");
    }

    #[test]
    fn a_column_moves_the_underline() {
        let (_d, file) = fixture("x = (1 +\n");
        let out = Snippets::new(false)
            .render(&file, "m.py", 1, Some(9), Kind::Error, "unexpected end")
            .unwrap();
        assert!(out.contains("--> m.py:1:9"), "{out}");
    }

    #[test]
    fn missing_lines_and_files_give_nothing() {
        let (_d, file) = fixture("import os\n");
        let s = Snippets::new(false);
        assert!(s.render(&file, "m.py", 7, None, Kind::Error, "x").is_none());
        assert!(s.render(&file, "m.py", 0, None, Kind::Error, "x").is_none());
        assert!(
            s.render(
                Path::new("/nonexistent/x.py"),
                "x.py",
                1,
                None,
                Kind::Error,
                "x"
            )
            .is_none()
        );
    }

    #[test]
    fn colour_is_styled() {
        let (_d, file) = fixture("import os\n");
        let out = Snippets::new(true)
            .render(&file, "m.py", 1, None, Kind::Warning, "here")
            .unwrap();
        assert!(out.contains('\x1b'), "{out:?}");
    }
}
