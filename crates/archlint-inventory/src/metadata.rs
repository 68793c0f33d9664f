//! The core-metadata header block (`METADATA`, `PKG-INFO`): RFC 822-style `Key: value` lines,
//! continuation lines that start with white space, and a body (the description) after the first
//! blank line, which we never need and never read.

/// One header, as `importlib.metadata` would return it: the value keeps continuation lines
/// (joined with `\n`, their indentation intact).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header<'a> {
    pub key: &'a str,
    pub value: String,
    /// 1-based line of the `Key:` line.
    pub line: u32,
}

/// A line of the header block that is not a header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderProblem {
    pub line: u32,
    pub message: String,
}

/// Split the header block into headers, in file order. Problems never stop the parse: a bad line
/// is reported and skipped.
pub fn parse_headers(text: &str) -> (Vec<Header<'_>>, Vec<HeaderProblem>) {
    let mut headers: Vec<Header<'_>> = Vec::with_capacity(32);
    let mut problems = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let line_no = i as u32 + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() {
            break; // end of headers; the body (description) follows
        }
        if line.starts_with([' ', '\t']) {
            match headers.last_mut() {
                Some(h) => {
                    h.value.push('\n');
                    h.value.push_str(line);
                }
                None => problems.push(HeaderProblem {
                    line: line_no,
                    message: "continuation line before any header".into(),
                }),
            }
            continue;
        }
        match line.split_once(':') {
            Some((key, value)) if is_header_name(key) => headers.push(Header {
                key,
                value: value.trim_start_matches([' ', '\t']).to_owned(),
                line: line_no,
            }),
            _ => {
                let shown: String = line.chars().take(60).collect();
                problems.push(HeaderProblem {
                    line: line_no,
                    message: format!("not a 'Key: value' header: {shown:?}"),
                });
            }
        }
    }
    (headers, problems)
}

/// RFC 5322 field names: printable ASCII except `:` and space.
fn is_header_name(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| (33..=126).contains(&b) && b != b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_continuations_and_body() {
        let text = "Metadata-Version: 2.1\nName: Foo\nLicense: line one\n        line two\nClassifier: A\nClassifier: B\n\nName: body is ignored\n";
        let (headers, problems) = parse_headers(text);
        assert!(problems.is_empty());
        let keys: Vec<_> = headers.iter().map(|h| h.key).collect();
        assert_eq!(
            keys,
            [
                "Metadata-Version",
                "Name",
                "License",
                "Classifier",
                "Classifier"
            ]
        );
        assert_eq!(headers[2].value, "line one\n        line two");
        assert_eq!(headers[4].line, 6);
    }

    #[test]
    fn bad_lines_are_reported_and_skipped() {
        let (headers, problems) = parse_headers(" stray\nName: x\nthis is junk\nVersion: 1\n");
        assert_eq!(headers.len(), 2);
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].line, 1);
        assert_eq!(problems[1].line, 3);
    }

    #[test]
    fn crlf_and_empty_values() {
        let (headers, problems) = parse_headers("Name: a\r\nSummary:\r\nVersion:1.0\r\n");
        assert!(problems.is_empty());
        assert_eq!(headers[1].value, "");
        assert_eq!(headers[2].value, "1.0");
    }
}
