//! Property test over the parser and the walk over its tree: any bytes — Python-like token soup,
//! deep nesting of every kind, indentation, broken encodings — give facts, never a panic, a
//! stack overflow or a hang. Runs on a 2 MB stack (a worker thread's), 256 cases by default
//! (`PROPTEST_CASES` for more).

use archlint_parser::{ParseSettings, parse_bytes};
use proptest::prelude::*;

const TOKENS: &[&str] = &[
    "import ",
    "from ",
    " import ",
    "os",
    "a.b",
    ".",
    "..",
    " as x",
    "*",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ";",
    "=",
    "==",
    "+",
    "-",
    "~",
    "not ",
    " and ",
    " or ",
    "lambda",
    ":",
    " if ",
    " else ",
    "for ",
    " in ",
    "while ",
    "def ",
    "class ",
    "return ",
    "yield ",
    "await ",
    "async ",
    "with ",
    "try:",
    "except",
    "finally:",
    "match ",
    "case ",
    "_",
    "@",
    "->",
    "**",
    "'s'",
    "\"s\"",
    "f'{",
    "}'",
    "f\"{x!r:>{w}}\"",
    "'''",
    "\"\"\"",
    "b'\\x00'",
    "1",
    "0x1f",
    "1e5",
    "1j",
    "None",
    "True",
    "TYPE_CHECKING",
    "if TYPE_CHECKING:",
    "importlib",
    ".import_module(",
    "__import__(",
    "global ",
    "nonlocal ",
    "assert ",
    "del ",
    "pass",
    "raise ",
    "\\\n",
    "\n",
    "\n    ",
    "\n\t",
    "\r\n",
    " ",
    "#",
    "# archlint: ignore[X]\n",
    "é",
    "\u{202e}",
    "\u{feff}",
    "\0",
];

const OPENERS: &[&str] = &[
    "(",
    "[",
    "{",
    "-",
    "not ",
    "lambda: ",
    "await ",
    "*",
    "f(",
    "a[",
    "x if y else ",
    "[x for x in ",
    "{**",
    "\"s\" + ",
    "a.",
    "yield ",
    "(yield ",
];

fn source() -> impl Strategy<Value = Vec<u8>> {
    let soup = prop::collection::vec(prop::sample::select(TOKENS), 0..300)
        .prop_map(|tokens| tokens.concat().into_bytes());
    let deep =
        (prop::sample::select(OPENERS), 0usize..6000, 0usize..3).prop_map(|(opener, n, tail)| {
            let closer = match opener {
                "(" | "f(" | "(yield " => ")",
                "[" | "a[" | "[x for x in " => "]",
                "{" | "{**" => "}",
                _ => "",
            };
            let mut s = String::from("import os\nx = ");
            s.push_str(&opener.repeat(n));
            s.push('1');
            s.push_str(&closer.repeat(n.saturating_sub(tail)));
            s.push('\n');
            s.into_bytes()
        });
    let blocks = (
        0usize..5000,
        prop::sample::select(
            &[
                "def f():",
                "class C:",
                "if x:",
                "for a in b:",
                "with a:",
                "try:",
            ][..],
        ),
    )
        .prop_map(|(n, header)| {
            let mut s = String::new();
            for i in 0..n {
                s.push_str(&" ".repeat(i % 200));
                s.push_str(header);
                s.push('\n');
            }
            s.push_str("import os\n");
            s.into_bytes()
        });
    let bytes = prop::collection::vec(any::<u8>(), 0..2000);
    prop_oneof![4 => soup, 2 => deep, 1 => blocks, 1 => bytes]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn any_input_gives_facts(bytes in source(), code_facts in any::<bool>()) {
        let len = bytes.len() as u64;
        let facts = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                parse_bytes(&bytes, &ParseSettings { code_facts, ..ParseSettings::default() })
            })
            .unwrap()
            .join()
            .expect("parsing panicked");
        prop_assert_eq!(facts.bytes <= len, true);
        for d in &facts.diagnostics {
            prop_assert!(!d.message.is_empty());
            prop_assert!(d.line.is_none_or(|l| l >= 1));
        }
        for i in &facts.imports {
            prop_assert!(i.line >= 1);
        }
    }
}
