use super::*;
use archlint_facts::ImportKind;

fn facts(src: &str) -> ModuleFacts {
    parse_source(src, &ParseSettings::default())
}

fn names(f: &ModuleFacts) -> Vec<String> {
    f.imports.iter().map(|i| i.object_name()).collect()
}

#[test]
fn absolute_relative_and_star_imports() {
    let f = facts(
        "import a.b, c as d\nfrom x.y import z, w as q\nfrom . import s\nfrom ..p import *\n",
    );
    assert_eq!(names(&f), ["a.b", "c", "x.y.z", "x.y.w", ".s", "..p.*"]);
    assert_eq!(f.imports[5].kind, ImportKind::Star);
    assert_eq!(f.imports[5].level, 2);
    assert_eq!(
        f.imports.iter().map(|i| i.line).collect::<Vec<_>>(),
        [1, 1, 2, 2, 3, 4]
    );
    assert!(f.is_clean());
}

#[test]
fn type_checking_and_function_level_imports() {
    let src = "\
from typing import TYPE_CHECKING
import typing
if TYPE_CHECKING:
    import tc_only
else:
    import runtime_else
if typing.TYPE_CHECKING:
    from a import b
def f():
    import inner
    if True:
        import deeper
class C:
    def m(self):
        from .rel import thing
";
    let f = facts(src);
    let get = |n: &str| f.imports.iter().find(|i| i.object_name() == n).unwrap();
    assert!(get("tc_only").type_checking);
    assert!(!get("runtime_else").type_checking);
    assert!(get("a.b").type_checking);
    assert!(get("inner").in_function && !get("inner").type_checking);
    assert!(get("deeper").in_function);
    assert!(get(".rel.thing").in_function);
    assert!(!get("typing").in_function);
    assert_eq!(get("deeper").line, 12);
    assert_eq!(get("deeper").column, 9);
}

#[test]
fn name_lines_nesting_and_type_checking_branches() {
    let src = "\
from a import (
    b,
    c as d,
)
import e, \\
    f
if TYPE_CHECKING:
    import g
elif x:
    import h
else:
    import i
for _ in y:
    import j
with z:
    import k
try:
    import l
except E:
    import m
class C:
    import n
match q:
    case 1:
        import o
";
    let f = facts(src);
    let get = |n: &str| f.imports.iter().find(|i| i.object_name() == n).unwrap();
    assert_eq!((get("a.b").line, get("a.b").name_line), (1, 2));
    assert_eq!((get("a.c").line, get("a.c").name_line), (1, 3));
    assert_eq!((get("f").line, get("f").name_line), (5, 6));
    for top in ["a.b", "a.c", "e", "f", "o"] {
        assert!(!get(top).nested, "{top}");
    }
    for inner in ["g", "h", "i", "j", "k", "l", "m", "n"] {
        assert!(get(inner).nested, "{inner}");
    }
    assert!(get("g").type_checking && !get("g").type_checking_else);
    for other in ["h", "i"] {
        assert!(
            !get(other).type_checking && get(other).type_checking_else,
            "{other}"
        );
    }
    assert!(!get("j").type_checking_else);
}

#[test]
fn dynamic_imports_with_string_literals() {
    let f = facts(
        "import importlib\nm = importlib.import_module('pkg.plugins')\nn = __import__(name)\nimport_module('.sib')\n",
    );
    let dynamic: Vec<_> = f
        .imports
        .iter()
        .filter(|i| i.kind == ImportKind::Dynamic)
        .map(|i| i.object_name())
        .collect();
    assert_eq!(dynamic, ["pkg.plugins", ".sib"]);
}

#[test]
fn classes_and_functions_with_spans_params_nesting() {
    let src = "\
class A(Base, mixins.M):
    def one(self, a, /, b, *args, c, **kw):
        for x in a:
            if x:
                with y:
                    pass
    async def two(self):
        pass

def free(a, b=1):
    def inner():
        pass
    return a
";
    let f = facts(src);
    assert_eq!(f.classes.len(), 1);
    let class = &f.classes[0];
    assert_eq!((class.start_line, class.end_line, class.methods), (1, 8, 2));
    assert_eq!(class.bases, ["Base", "mixins.M"]);
    let one = &f.functions[0];
    assert_eq!(one.qualname, "A.one");
    assert_eq!((one.parameters, one.positional_parameters), (6, 3));
    assert_eq!(one.max_nesting, 3);
    assert!(one.is_method);
    assert!(f.functions[1].is_async);
    let inner = f.functions.iter().find(|f| f.name == "inner").unwrap();
    assert_eq!(inner.qualname, "free.inner");
    assert!(!inner.is_method);
    assert_eq!(f.lines, 14);
}

#[test]
fn syntax_errors_keep_recovered_facts() {
    let f = facts("import ok\ndef broken(:\n    pass\nx = = 1\nimport after_errors\n");
    assert!(names(&f).contains(&"after_errors".to_string()));
    assert!(names(&f).contains(&"ok".to_string()));
    let err = f
        .diagnostics
        .iter()
        .find(|d| d.code == "syntax-error")
        .unwrap();
    assert_eq!(err.line, Some(2));
}

#[test]
fn non_utf8_binary_and_oversized_inputs() {
    let f = parse_bytes(
        b"import ok\nx = '\xff'\nimport also_ok\n",
        &ParseSettings::default(),
    );
    assert_eq!(f.diagnostics[0].code, "non-utf8");
    assert_eq!(f.diagnostics[0].line, Some(2));
    assert_eq!(names(&f), ["ok", "also_ok"]);

    let f = parse_bytes(b"import a\n\0\0\0", &ParseSettings::default());
    assert_eq!(f.diagnostics[0].code, "binary");
    assert!(f.imports.is_empty());

    let small = ParseSettings {
        max_file_bytes: 4,
        ..ParseSettings::default()
    };
    let f = parse_bytes(b"import abc\n", &small);
    assert_eq!(f.diagnostics[0].code, "too-large");
}

#[test]
fn bom_is_ignored_and_new_syntax_parses() {
    let f = facts("\u{feff}import a\ntype X[T = int] = list[T]\nmatch a:\n    case 1: pass\n");
    assert_eq!(names(&f), ["a"]);
    assert!(f.diagnostics.iter().all(|d| d.code != "syntax-error"));
}

#[test]
fn missing_file_is_a_diagnostic() {
    let f = parse_file(
        Path::new("/nonexistent/archlint/x.py"),
        &ParseSettings::default(),
    );
    assert_eq!(f.diagnostics[0].code, "unreadable");
}

#[test]
fn without_code_facts_the_architecture_facts_are_the_same() {
    let src = "\
import importlib
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from app.models import Order
mod = importlib.import_module('app.plugins' '.extra')
other = __import__(\"app.legacy\")

class Service(Base, metaclass=ABCMeta):
    limit = 3

    def __init__(self, repo, *args, key=None, **kw):
        self.repo = repo
        if repo:
            for x in range(10):
                while True:
                    import json
                    break

    @staticmethod
    def helper(a, b):
        return [y for y in a if y > 2] or b == 'x'

async def handler(request):
    from app.views import render
    try:
        return render(request, 42)
    except ValueError:
        return None
def broken(:
    import after_error
";
    let full = facts(src);
    let lean = parse_source(
        src,
        &ParseSettings {
            code_facts: false,
            ..ParseSettings::default()
        },
    );
    assert_eq!(full.imports, lean.imports);
    assert_eq!(
        names(&lean),
        [
            "importlib",
            "typing.TYPE_CHECKING",
            "app.models.Order",
            "app.plugins.extra",
            "app.legacy",
            "json",
            "app.views.render",
            "after_error",
        ]
    );
    assert_eq!(full.diagnostics, lean.diagnostics);
    assert!(!lean.diagnostics.is_empty(), "the syntax error is reported");
    assert_eq!((full.lines, full.bytes), (lean.lines, lean.bytes));
    let shape = |f: &ModuleFacts| {
        (
            f.classes
                .iter()
                .map(|c| {
                    let (name, q, s, e, m) =
                        (&c.name, &c.qualname, c.start_line, c.end_line, c.methods);
                    format!("{name} {q} {s}-{e} {m} {:?} {}", c.bases, c.is_abstract)
                })
                .collect::<Vec<_>>(),
            f.functions
                .iter()
                .map(|x| {
                    format!(
                        "{} {}-{} p{} pos{} n{} a{} m{} r{}",
                        x.qualname,
                        x.start_line,
                        x.end_line,
                        x.parameters,
                        x.positional_parameters,
                        x.max_nesting,
                        x.is_async,
                        x.is_method,
                        x.has_receiver
                    )
                })
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(shape(&full), shape(&lean));
    let qualnames: Vec<&str> = lean.functions.iter().map(|f| f.qualname.as_str()).collect();
    assert_eq!(
        qualnames[..3],
        ["Service.__init__", "Service.helper", "handler"],
        "{qualnames:?}"
    );
    assert_eq!(lean.functions[0].max_nesting, 3);
    // The code-structure facts are left out.
    assert!(full.functions.iter().any(|f| f.complexity > 1));
    assert!(
        lean.functions
            .iter()
            .all(|f| f.complexity == 1 && f.calls.is_empty())
    );
    assert_eq!(full.classes[0].attributes, 2);
    assert_eq!(lean.classes[0].attributes, 0);
    assert!(!full.code.blocks.is_empty() || !full.code.numbers.is_empty());
    assert!(lean.code.blocks.is_empty() && lean.code.numbers.is_empty());
    assert!(lean.code.compared_strings.is_empty() && lean.code.unbounded_loops.is_empty());
}

#[test]
fn lean_facts_have_their_own_cache_fingerprint() {
    let lean = ParseSettings {
        code_facts: false,
        ..ParseSettings::default()
    };
    let imports = ParseSettings {
        structure: false,
        ..lean.clone()
    };
    let prints = [
        ParseSettings::default().fingerprint(),
        lean.fingerprint(),
        imports.fingerprint(),
    ];
    assert!(prints[0] != prints[1] && prints[1] != prints[2] && prints[0] != prints[2]);
}

/// What a contracts check reads, and nothing more: every import as the full walk finds it
/// (with its function and TYPE_CHECKING context), the size and the diagnostics.
#[test]
fn imports_only_facts_keep_imports_and_diagnostics() {
    let source = "import os\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import a.b\n\
                  class C(Base):\n    def m(self):\n        from . import x\n        return x\n\
                  def f(:\n    pass\n";
    let full = parse_source(source, &ParseSettings::default());
    let only = parse_source(
        source,
        &ParseSettings {
            code_facts: false,
            structure: false,
            ..ParseSettings::default()
        },
    );
    assert_eq!(only.imports, full.imports);
    assert_eq!(only.diagnostics, full.diagnostics);
    assert!(!only.diagnostics.is_empty());
    assert_eq!((only.lines, only.bytes), (full.lines, full.bytes));
    assert!(!full.classes.is_empty() && !full.functions.is_empty());
    assert!(only.classes.is_empty() && only.functions.is_empty());
    assert!(only.imports.iter().any(|i| i.in_function && i.level == 1));
    assert!(only.imports.iter().any(|i| i.type_checking));
}

/// Hostile nesting once overflowed the stack and aborted the whole run (exit 134): 10,000
/// nested brackets, a 7,000-term `+` chain, 10,000 unary minuses. Now each file is parsed, its
/// imports kept, and the depth said in a warning — on a thread with a rayon worker's stack.
/// `def`/`class`/`for` blocks nested `n` deep, tab-indented, ending in a deep expression.
fn deep_statements(n: usize) -> String {
    let mut source = String::new();
    for i in 0..n {
        source.push_str(&"\t".repeat(i));
        source.push_str(["def f():\n", "class C:\n", "for a in b:\n"][i % 3]);
    }
    source.push_str(&"\t".repeat(n));
    source.push_str(&format!("x = {}1\n", "-".repeat(300)));
    source
}

#[test]
fn deep_expressions_are_cut_not_overflowed() {
    let sources = [
        format!(
            "import os\nx = {}{}\n",
            "[".repeat(10_000),
            "]".repeat(10_000)
        ),
        format!("import os\nx = {}\n", vec!["\"s\""; 7_000].join(" + ")),
        format!("import os\nx = {}1\n", "-".repeat(10_000)),
        // Statements as deep as a 10 MB file of tabs allows, with a deep expression inside.
        format!("import os\n{}", deep_statements(4_400)),
        // Patterns: `case [[[…]]]`.
        format!(
            "import os\nmatch x:\n    case {}1{}:\n        pass\n",
            "[".repeat(10_000),
            "]".repeat(10_000)
        ),
    ];
    // The statement bound is met at the 401st nested statement (line 402).
    let lines = [2, 2, 2, 402, 3];
    for (source, line) in sources.into_iter().zip(lines) {
        let facts = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                parse_source(
                    &source,
                    &ParseSettings {
                        code_facts: true,
                        ..ParseSettings::default()
                    },
                )
            })
            .unwrap()
            .join()
            .expect("no stack overflow");
        assert_eq!(facts.imports.len(), 1);
        let deep: Vec<_> = facts
            .diagnostics
            .iter()
            .filter(|d| d.code == "too-deep")
            .collect();
        assert_eq!(deep.len(), 1, "{:?}", facts.diagnostics);
        assert_eq!(deep[0].line, Some(line));
    }
}

/// The reader takes a file in one read when it can, grows past its first buffer, stops at the
/// limit whatever the file's size, and gives the same bytes as `std::fs::read`.
#[test]
fn files_are_read_whole_at_every_size_and_refused_over_the_limit() {
    let dir = std::env::temp_dir().join(format!("archlint-read-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let first = 64 * 1024;
    for size in [0, 1, first - 1, first, first + 1, 3 * first + 7] {
        let path = dir.join(format!("f{size}.py"));
        let mut text = Vec::new();
        while text.len() < size {
            text.extend_from_slice(format!("import m{}\n", text.len()).as_bytes());
        }
        text.truncate(size);
        std::fs::write(&path, &text).unwrap();
        let read = read_source(&path, &ParseSettings::default()).unwrap();
        assert_eq!(read, std::fs::read(&path).unwrap(), "size {size}");
        // Over a limit just under the size: refused, with the file's real size.
        if size > 0 {
            let tight = ParseSettings {
                max_file_bytes: size as u64 - 1,
                ..ParseSettings::default()
            };
            let f = parse_file(&path, &tight);
            assert_eq!(f.diagnostics[0].code, "too-large", "size {size}");
            assert_eq!(f.bytes, size as u64);
            assert!(
                f.diagnostics[0]
                    .message
                    .contains(&format!("file is {size} bytes"))
            );
        }
        // At exactly the limit: read.
        let exact = ParseSettings {
            max_file_bytes: size as u64,
            ..ParseSettings::default()
        };
        assert!(read_source(&path, &exact).is_ok(), "size {size}");
    }
    // A directory is unreadable, not a panic; the buffer is still good for the next file.
    let f = parse_file(&dir, &ParseSettings::default());
    assert_eq!(f.diagnostics[0].code, "unreadable");
    let path = dir.join("after.py");
    std::fs::write(&path, "import after\n").unwrap();
    assert_eq!(
        names(&parse_file(&path, &ParseSettings::default())),
        ["after"]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
