//! Module expressions: `app.*.models`, `app.**`, `app.core[.sub]`.
//!
//! `*` stands for exactly one name component, `**` for one or more, and a bracketed fragment is
//! optional. These are the semantics import-linter users write in `ignore_imports` and module
//! lists.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Name(String),
    One,
    Many,
}

/// A parsed module expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleExpression {
    text: String,
    alternatives: Vec<Vec<Part>>,
}

/// Why an expression is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid module expression '{expression}': {reason}")]
pub struct ExpressionError {
    /// The expression as written.
    pub expression: String,
    /// What is wrong.
    pub reason: &'static str,
    /// Whether it is one of the wildcard mistakes import-linter names on their own (its
    /// message is then `reason` alone).
    pub wildcard: bool,
}

const RECURSIVE_THEN_WILDCARD: &str = "A recursive wildcard cannot be followed by a wildcard";
const WILDCARD_THEN_RECURSIVE: &str = "A wildcard cannot be followed by a recursive wildcard";
const PARTIAL_WILDCARD: &str = "A wildcard can only replace a whole module";

impl ModuleExpression {
    /// Parse an expression.
    pub fn parse(text: &str) -> Result<Self, ExpressionError> {
        let err = |reason| ExpressionError {
            expression: text.to_owned(),
            reason,
            wildcard: [
                RECURSIVE_THEN_WILDCARD,
                WILDCARD_THEN_RECURSIVE,
                PARTIAL_WILDCARD,
            ]
            .contains(&reason),
        };
        // Wildcards in the order they are written, brackets aside, as import-linter checks them.
        let mut last_wildcard: Option<&str> = None;
        let unbracketed = text.replace(['[', ']'], "");
        for part in unbracketed.split('.') {
            if last_wildcard == Some("**") && (part == "*" || part == "**") {
                return Err(err(RECURSIVE_THEN_WILDCARD));
            }
            if last_wildcard == Some("*") && part == "**" {
                return Err(err(WILDCARD_THEN_RECURSIVE));
            }
            if part == "*" || part == "**" {
                last_wildcard = Some(part);
                continue;
            }
            if part.contains('*') {
                return Err(err(PARTIAL_WILDCARD));
            }
            last_wildcard = None;
        }
        let mut alternatives = Vec::new();
        for expanded in expand_optional(text).map_err(err)? {
            let mut parts = Vec::new();
            for piece in expanded.split('.') {
                let part = match piece {
                    "*" => Part::One,
                    "**" => Part::Many,
                    "" => return Err(err("empty name component")),
                    p if p.contains('*') => return Err(err(PARTIAL_WILDCARD)),
                    p if !p.chars().all(|c| c == '_' || c.is_alphanumeric()) => {
                        return Err(err("module names may only contain letters, digits and _"));
                    }
                    p => Part::Name(p.to_owned()),
                };
                if let Some(prev) = parts.last() {
                    match (prev, &part) {
                        (Part::Many, Part::One | Part::Many) => {
                            return Err(err(RECURSIVE_THEN_WILDCARD));
                        }
                        (Part::One, Part::Many) => return Err(err(WILDCARD_THEN_RECURSIVE)),
                        _ => {}
                    }
                }
                parts.push(part);
            }
            alternatives.push(parts);
        }
        Ok(Self {
            text: text.to_owned(),
            alternatives,
        })
    }

    /// Whether the expression contains `*` or `**` (and so may match many modules).
    pub fn has_wildcard(&self) -> bool {
        self.text.contains('*')
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `module` matches.
    pub fn matches(&self, module: &str) -> bool {
        let names: Vec<&str> = module.split('.').collect();
        self.alternatives
            .iter()
            .any(|parts| match_parts(parts, &names))
    }
}

impl fmt::Display for ModuleExpression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn match_parts(parts: &[Part], names: &[&str]) -> bool {
    match parts.split_first() {
        None => names.is_empty(),
        Some((Part::Name(n), rest)) => {
            names.first() == Some(&n.as_str()) && match_parts(rest, &names[1..])
        }
        Some((Part::One, rest)) => !names.is_empty() && match_parts(rest, &names[1..]),
        Some((Part::Many, rest)) => (1..=names.len()).any(|k| match_parts(rest, &names[k..])),
    }
}

/// Expand `a[.b]` into `a` and `a.b`, recursively.
fn expand_optional(text: &str) -> Result<Vec<String>, &'static str> {
    let Some(open) = text.find('[') else {
        if text.contains(']') {
            return Err("unbalanced ']'");
        }
        return Ok(vec![text.to_owned()]);
    };
    let mut depth = 0;
    let mut close = None;
    for (i, c) in text[open..].char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + i);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close.ok_or("unbalanced '['")?;
    let inner = &text[open + 1..close];
    let (before, after) = (&text[..open], &text[close + 1..]);
    let mut out = Vec::new();
    for variant in [String::new(), inner.to_owned()] {
        for expanded in expand_optional(&format!("{before}{variant}{after}"))? {
            if !out.contains(&expanded) {
                out.push(expanded);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(expr: &str, module: &str) -> bool {
        ModuleExpression::parse(expr).unwrap().matches(module)
    }

    #[test]
    fn wildcards() {
        assert!(m("foo", "foo") && !m("foo", "bar"));
        assert!(m("foo.*", "foo.bar") && !m("foo.*", "foo") && !m("foo.*", "foo.bar.baz"));
        assert!(m("foo.**", "foo.bar") && m("foo.**", "foo.bar.baz") && !m("foo.**", "foo"));
        assert!(m("foo.*.baz", "foo.bar.baz") && !m("foo.*.baz", "foo.a.b.baz"));
        assert!(m("foo.**.baz", "foo.a.b.baz") && m("foo.**.baz", "foo.a.baz"));
        assert!(m("**.foo", "a.b.foo") && !m("**.foo", "foo"));
        assert!(m("foo.**.bar.*", "foo.a.b.bar.c") && !m("foo.**.bar.*", "foo.bar"));
    }

    #[test]
    fn optional_fragments() {
        assert!(m("a.b[.c]", "a.b") && m("a.b[.c]", "a.b.c") && !m("a.b[.c]", "a.b.d"));
        assert!(m("a[.b[.c]]", "a") && m("a[.b[.c]]", "a.b.c") && !m("a[.b[.c]]", "a.b.c.d"));
        assert!(m("a.b[.**]", "a.b.c.d"));
    }

    #[test]
    fn invalid() {
        for bad in [
            "foo.bar*",
            ".foo",
            "foo.",
            "foo..bar",
            "foo.*.**",
            "foo.**.*",
            "foo.**.**",
            "a b",
            "a[.b",
        ] {
            assert!(ModuleExpression::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn wildcard_mistakes_say_what_import_linter_says() {
        let reason = |text: &str| {
            let e = ModuleExpression::parse(text).unwrap_err();
            (e.reason, e.wildcard)
        };
        assert_eq!(reason("foo.**.*"), (RECURSIVE_THEN_WILDCARD, true));
        assert_eq!(reason("foo.*.**"), (WILDCARD_THEN_RECURSIVE, true));
        assert_eq!(reason("foo.bar*"), (PARTIAL_WILDCARD, true));
        assert_eq!(reason("foo[.**].*"), (RECURSIVE_THEN_WILDCARD, true));
        assert_eq!(reason("foo..bar"), ("empty name component", false));
    }
}
