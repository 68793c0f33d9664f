//! The symbol facts: module-level names, `__all__`, private names reached by attribute.

use archlint_facts::{AttributeUse, DefinitionKind, SymbolFacts};

use crate::{ParseSettings, parse_source};

fn symbols(source: &str) -> SymbolFacts {
    let settings = ParseSettings {
        code_facts: false,
        structure: false,
        symbols: true,
        ..ParseSettings::default()
    };
    parse_source(source, &settings).symbols
}

fn names(s: &SymbolFacts) -> Vec<(&str, u32, DefinitionKind)> {
    s.definitions
        .iter()
        .map(|d| (d.name.as_str(), d.line, d.kind))
        .collect()
}

#[test]
fn module_level_bindings_with_their_first_line() {
    let s = symbols(
        "import os.path\nimport json as j\nimport re as re\nfrom . import sub\n\
         from .impl import Thing, _Hidden as Hidden\nfrom x import y as y\nfrom z import *\n\
         def f():\n    inner = 1\nclass C:\n    attr = 2\nA, (B, *C2) = 1, (2, 3)\n\
         f = 3\nif True:\n    D: int = 4\n    E: int\nelse:\n    try:\n        G = 1\n    except Exception:\n        H = 2\n\
         type Alias = int\nfor I in []: pass\nwith open('x') as K: pass\n",
    );
    use DefinitionKind::*;
    assert_eq!(
        names(&s),
        vec![
            ("os", 1, Import),
            ("j", 2, Import),
            ("re", 3, ExplicitReexport),
            ("sub", 4, ExplicitReexport),
            ("Thing", 5, Import),
            ("Hidden", 5, Import),
            ("y", 6, ExplicitReexport),
            ("f", 8, Function),
            ("C", 10, Class),
            ("A", 12, Variable),
            ("B", 12, Variable),
            ("C2", 12, Variable),
            ("D", 15, Variable),
            ("G", 19, Variable),
            ("H", 21, Variable),
            ("Alias", 22, Variable),
            ("I", 23, Variable),
            ("K", 24, Variable),
        ]
    );
    assert_eq!(s.all, None);
}

#[test]
fn dunder_all_literal_and_computed() {
    let s = symbols(
        "__all__ = ['a', 'b']\n__all__ += ('c',)\n__all__.append('d')\n__all__.extend(['a', 'e'])\n",
    );
    let all = s.all.unwrap();
    assert_eq!(all.names, ["a", "b", "c", "d", "e"]);
    assert_eq!(all.line, 1);
    assert!(all.complete);

    let s = symbols("from .m import __all__ as _m\n__all__ = ['x'] + _m\n");
    let all = s.all.unwrap();
    assert!(!all.complete);
    assert!(all.names.is_empty());

    let s = symbols("__all__: list[str] = ['x']\n__all__.remove('x')\n");
    let all = s.all.unwrap();
    assert_eq!(all.names, ["x"]);
    assert!(
        !all.complete,
        "remove() changes __all__ in a way not followed"
    );
}

#[test]
fn private_names_reached_through_imported_names() {
    let s = symbols(
        "import a.b\nimport c.d as cd\nfrom e import f\nfrom .. import g\nfrom .h import i as k\n\
         a.b._x()\ncd._y\nf.public._z.w\ng._q\nk.__dunder__\nk._r\nself._s\nnot_bound._t\n\
         def m():\n    import n\n    return n._u\nx = a.b._x\nimport o._p\n",
    );
    let uses: Vec<(u32, &str, u32)> = s
        .private_attributes
        .iter()
        .map(
            |AttributeUse {
                 level,
                 target,
                 line,
             }| (*level, target.as_str(), *line),
        )
        .collect();
    assert_eq!(
        uses,
        vec![
            (0, "a.b._x", 6),
            (0, "c.d._y", 7),
            (0, "e.f.public._z", 8),
            (2, "g._q", 9),
            (1, "h.i._r", 11),
            (0, "n._u", 16),
            (0, "a.b._x", 17),
        ],
        "the import statement `import o._p` itself is not an attribute use"
    );
}

#[test]
fn a_name_bound_to_two_imports_is_not_followed() {
    let s = symbols("import x as m\nif 0:\n    import y as m\nm._z\n");
    assert!(s.private_attributes.is_empty());
}

#[test]
fn symbols_are_left_out_unless_asked_for() {
    let lean = ParseSettings {
        code_facts: false,
        structure: false,
        ..ParseSettings::default()
    };
    let facts = parse_source("def f(): pass\n__all__ = ['f']\n", &lean);
    assert_eq!(facts.symbols, SymbolFacts::default());
    let full = parse_source(
        "def f(): pass\n__all__ = ['f']\n",
        &ParseSettings::default(),
    );
    assert_eq!(full.symbols.definitions.len(), 2);
    assert_ne!(
        lean.fingerprint(),
        ParseSettings {
            symbols: true,
            ..lean.clone()
        }
        .fingerprint()
    );
}
