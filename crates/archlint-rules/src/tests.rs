use archlint_facts::{ImportKind, ModuleFacts};
use archlint_graph::{GraphBuilder, ImportDetail, ImportGraph};
use archlint_parser::{ParseSettings, parse_source};

use super::*;

/// A project: (module, source) pairs; the graph holds the absolute imports between them.
struct Fixture {
    names: Vec<(String, String, bool)>,
    facts: Vec<ModuleFacts>,
    graph: ImportGraph,
}

fn fixture(files: &[(&str, &str)]) -> Fixture {
    let mut names = Vec::new();
    let mut facts = Vec::new();
    for (module, source) in files {
        let is_package = module.ends_with(".__init__");
        let module = module.trim_end_matches(".__init__");
        let path = if is_package {
            format!("{}/__init__.py", module.replace('.', "/"))
        } else {
            format!("{}.py", module.replace('.', "/"))
        };
        names.push((module.to_owned(), path, is_package));
        facts.push(parse_source(source, &ParseSettings::default()));
    }
    let mut builder = GraphBuilder::default();
    for (module, _, _) in &names {
        builder.add_module(module, false);
    }
    for ((module, _, _), f) in names.iter().zip(&facts) {
        for import in &f.imports {
            let target = if import.kind == ImportKind::From
                && names.iter().any(|(n, _, _)| *n == import.object_name())
            {
                import.object_name()
            } else {
                import.module.clone()
            };
            if names.iter().any(|(n, _, _)| *n == target) {
                builder.add_import(
                    module,
                    &target,
                    ImportDetail {
                        line: import.line,
                        column: import.column,
                        kind: import.kind,
                        type_checking: false,
                        in_function: false,
                    },
                );
            }
        }
    }
    Fixture {
        names,
        facts,
        graph: builder.finish(),
    }
}

impl Fixture {
    fn inputs(&self) -> Vec<ModuleInput<'_>> {
        self.names
            .iter()
            .zip(&self.facts)
            .map(|((module, path, is_package), facts)| ModuleInput {
                module,
                path,
                is_package: *is_package,
                facts,
            })
            .collect()
    }

    fn run(&self, config: &RulesConfig) -> Outcome {
        check(&self.inputs(), &self.graph, config)
    }
}

fn config(toml_text: &str) -> RulesConfig {
    RulesConfig::from_table(&toml_text.parse::<toml::Table>().unwrap()).unwrap()
}

/// Only the given rule, with the given options.
fn only(code: &str, options: &str) -> RulesConfig {
    config(&format!("select = [\"{code}\"]\n[{code}]\n{options}\n"))
}

fn findings(files: &[(&str, &str)], config: &RulesConfig) -> Vec<(String, u32, String)> {
    fixture(files)
        .run(config)
        .findings
        .into_iter()
        .map(|f| (f.code.to_owned(), f.line, f.message))
        .collect()
}

fn lines(files: &[(&str, &str)], config: &RulesConfig) -> Vec<u32> {
    findings(files, config).into_iter().map(|f| f.1).collect()
}

#[test]
fn every_rule_is_documented_in_the_same_shape() {
    let mut codes = Vec::new();
    for rule in RULES {
        let what = rule.doc.find("## What it does").expect(rule.code);
        let why = rule.doc.find("## Why is this bad?").expect(rule.code);
        let example = rule.doc.find("## Example").expect(rule.code);
        assert!(
            what < why && why < example,
            "{}: sections out of order",
            rule.code
        );
        assert!(
            rule.code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-'),
            "{}",
            rule.code
        );
        codes.push(rule.code);
    }
    let mut unique = codes.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), codes.len(), "codes are unique");
    assert_eq!(codes.len(), 15);
}

#[test]
fn config_errors_name_the_problem() {
    let bad = |text: &str| {
        RulesConfig::from_table(&text.parse::<toml::Table>().unwrap())
            .unwrap_err()
            .to_string()
    };
    assert!(bad("ignore = [\"god-objekt\"]").contains("unknown rule 'god-objekt'"));
    assert!(
        bad("[god-object]\nmax-method = 3").contains("god-object: unknown option 'max-method'")
    );
    assert!(bad("[long-function]\nmax-lines = -3").contains("whole number"));
    assert!(bad("[duplicate-code]\nmin-tokens = 5").contains("at least 20"));
    assert!(bad("per-file-ignores = { \"a[\" = [\"*\"] }").contains("bad glob"));
    assert!(bad("[magic-number]\nallowed = [\"x\"]").contains("must be a number"));
    assert!(
        bad("[assertion-density]\nmodules = [\"shop.**.*\"]")
            .contains("assertion-density.modules: invalid module expression 'shop.**.*'")
    );
    let defaults = RulesConfig::default();
    assert!(defaults.is_enabled("god-object"));
    assert!(!defaults.is_enabled("main-sequence-distance"));
}

#[test]
fn god_object_by_methods_lines_and_attributes() {
    let methods: String = (0..4)
        .map(|i| format!("    def m{i}(self):\n        self.a{i} = {i}\n"))
        .collect();
    let src = format!("class Big:\n{methods}\nclass Small:\n    def m(self):\n        pass\n");
    let files = [("pkg.mod", src.as_str())];
    let found = findings(&files, &only("god-object", "max-methods = 3"));
    assert_eq!(found.len(), 1);
    assert!(
        found[0]
            .2
            .contains("class Big is a god object: 4 methods (limit 3)"),
        "{found:?}"
    );
    let found = findings(
        &files,
        &only("god-object", "max-attributes = 3\nmax-lines = 5"),
    );
    assert!(
        found[0]
            .2
            .contains("9 lines (limit 5), 4 attributes (limit 3)"),
        "{found:?}"
    );
    assert!(findings(&files, &only("god-object", "")).is_empty());
}

#[test]
fn function_size_parameters_nesting_and_complexity() {
    let src = "\
@decorated
def long_one(a, b, c, d, e, /, f, *, g, h):
    if a:
        for x in b:
            while c:
                with d:
                    try:
                        pass
                    except E:
                        pass
    return a and b and c

class K:
    def method(self, a, b, c, d):
        return 1

    @staticmethod
    def static(a, b, c, d, e):
        return 1
";
    let files = [("pkg.mod", src)];
    assert_eq!(
        findings(&files, &only("long-function", "max-lines = 10")),
        [(
            "long-function".to_owned(),
            2,
            "function long_one is 11 lines long (limit 10)".to_owned()
        )]
    );
    let params = findings(&files, &only("too-many-parameters", "max-parameters = 4"));
    assert_eq!(params.len(), 2, "{params:?}");
    assert!(params[0].2.contains("long_one has 8 parameters"));
    assert!(params[1].2.contains("K.static has 5 parameters"));
    // `self` does not count: method has 4 positional parameters, the limit.
    let positional = findings(&files, &only("too-many-positional", ""));
    assert_eq!(positional.len(), 2, "{positional:?}");
    assert!(positional[0].2.contains("long_one takes 6 positional"));
    assert!(positional[1].2.contains("K.static takes 5 positional"));
    let nesting = findings(&files, &only("deep-nesting", ""));
    assert_eq!(nesting.len(), 1);
    assert!(nesting[0].2.contains("nests blocks 5 deep (limit 4)"));
    // 1 + if + for + while + except + 2 `and`s = 7.
    let complex = findings(&files, &only("complex-function", "max-complexity = 6"));
    assert_eq!(complex.len(), 1);
    assert!(complex[0].2.contains("complexity 7 (limit 6)"));
    assert!(findings(&files, &only("complex-function", "max-complexity = 7")).is_empty());
}

#[test]
fn magic_numbers_and_repeated_strings() {
    let src = "\
TIMEOUT = 30
def f(x, status):
    if x > 42 or x < -1:
        return x * 3.5
    if status == 'open' or status == 'closed':
        pass
    if status != 'open':
        pass
    return status in ('a',) or 'open' == status
";
    let files = [("pkg.mod", src)];
    let magic = findings(&files, &only("magic-number", ""));
    let values: Vec<&str> = magic.iter().map(|f| f.2.as_str()).collect();
    assert_eq!(
        values,
        [
            "magic number 42: its meaning has no name",
            "magic number 3.5: its meaning has no name"
        ]
    );
    assert_eq!(
        lines(&files, &only("magic-number", "allowed = [-1, 42, 3.5]")),
        [] as [u32; 0]
    );
    let repeated = findings(&files, &only("repeated-string", ""));
    assert_eq!(repeated.len(), 1);
    assert_eq!(repeated[0].1, 5);
    assert!(
        repeated[0]
            .2
            .contains("\"open\" is compared 3 times (limit 2), on lines 5, 7, 9")
    );
    assert!(findings(&files, &only("repeated-string", "max-repeats = 3")).is_empty());
    assert!(findings(&files, &only("repeated-string", "ignore = [\"open\"]")).is_empty());
}

#[test]
fn recursion_direct_mutual_methods_and_across_modules() {
    let a = "\
from pkg.b import ping

def fact(n):
    return 1 if n < 2 else n * fact(n - 1)

def pong(n):
    return ping(n - 1)

def plain(n):
    return len(n)

class Tree:
    def walk(self):
        for c in self.children:
            c.walk()
        return self.size()

    def size(self):
        return self.walk()

def outer():
    def inner(n):
        return inner(n)
    return inner
";
    let b = "\
from pkg.a import pong

def ping(n):
    return pong(n)
";
    let files = [("pkg.a", a), ("pkg.b", b)];
    let found = findings(&files, &only("recursion", ""));
    let messages: Vec<&str> = found.iter().map(|f| f.2.as_str()).collect();
    assert_eq!(
        messages,
        [
            "function fact calls itself",
            "functions call each other in a cycle: pkg.a.pong → pkg.b.ping → pkg.a.pong",
            "functions call each other in a cycle: pkg.a.Tree.walk → pkg.a.Tree.size → pkg.a.Tree.walk",
            "function outer.inner calls itself",
        ]
    );
}

#[test]
fn unbounded_loops_globals_and_assertion_density() {
    let src = "\
COUNT = 0
def bump():
    global COUNT
    COUNT += 1
    while True:
        break
    while COUNT < 10:
        break

def checked(x):
    assert x
    assert x > 0
";
    let files = [("pkg.core.engine", src), ("pkg.other", src)];
    assert_eq!(
        findings(&files[..1], &only("unbounded-loop", "")),
        [(
            "unbounded-loop".to_owned(),
            5,
            "loop has no bound: `while True`".to_owned()
        )]
    );
    let globals = findings(&files[..1], &only("global-statement", ""));
    assert_eq!(globals.len(), 1);
    assert_eq!(globals[0].1, 3);
    // Off until modules are named; then only the named modules, 2 asserts / 2 functions = 1.0.
    assert!(findings(&files, &only("assertion-density", "")).is_empty());
    let density = fixture(&files).run(&only("assertion-density", "modules = [\"pkg.core.*\"]"));
    assert_eq!(density.findings.len(), 1);
    assert_eq!(density.findings[0].module, "pkg.core.engine");
    assert!(
        density.findings[0]
            .message
            .contains("1.00 per function (minimum 2)")
    );
    assert!(
        fixture(&files)
            .run(&only(
                "assertion-density",
                "modules = [\"pkg.**\"]\nmin-per-function = 1"
            ))
            .findings
            .is_empty()
    );
}

const SHARED: &str = "\
    total = 0
    for line in order.lines:
        if line.price > 0 and line.quantity:
            total += line.price * line.quantity
        else:
            skipped.append(line)
    if total > limit:
        raise TooMuch(total, limit)
    return total
";

#[test]
fn duplicated_blocks_are_one_group_with_every_copy() {
    let a = format!("import os\n\ndef invoice_total(order, limit):\n{SHARED}");
    let b = format!(
        "import sys\n\n\ndef weight(parcel, maximum):\n{}",
        SHARED.replace("total", "w").replace("line", "item")
    );
    let c = format!("def third(order, limit):\n{}", SHARED.replace("0", "5"));
    let unrelated = "def other(x):\n    return x\n";
    let files = [
        ("billing.invoice", a.as_str()),
        ("shipping.label", b.as_str()),
        ("shop.third", c.as_str()),
        ("shop.other", unrelated),
    ];
    let outcome = fixture(&files).run(&only("duplicate-code", "min-tokens = 40"));
    assert_eq!(outcome.findings.len(), 1, "{:#?}", outcome.findings);
    let f = &outcome.findings[0];
    assert_eq!((f.path.as_str(), f.line), ("billing/invoice.py", 3));
    let copies: Vec<(&str, u32)> = f
        .related
        .iter()
        .map(|r| (r.path.as_str(), r.line))
        .collect();
    assert_eq!(copies, [("shipping/label.py", 4), ("shop/third.py", 1)]);
    assert!(f.message.starts_with("10 lines ("), "{}", f.message);
    assert!(f.message.contains("duplicated 2 more times"));
    // A changed statement breaks the copy into runs that are too short.
    let changed = c.replace(
        "skipped.append(line)",
        "skipped.append(line, 1)\n        log(line)",
    );
    let files = [
        ("billing.invoice", a.as_str()),
        ("shop.third", changed.as_str()),
    ];
    assert!(
        fixture(&files)
            .run(&only("duplicate-code", "min-tokens = 80"))
            .findings
            .is_empty()
    );
    // Suppressing one of two copies leaves nothing to report.
    let quiet = a.replace(
        "def invoice_total(order, limit):",
        "def invoice_total(order, limit):  # archlint: ignore[duplicate-code]",
    );
    let files = [
        ("billing.invoice", quiet.as_str()),
        ("shop.third", c.as_str()),
    ];
    let outcome = fixture(&files).run(&only("duplicate-code", "min-tokens = 40"));
    assert!(outcome.findings.is_empty());
    assert_eq!(outcome.suppressed, 1);
}

#[test]
fn package_cycles_and_coupling_metrics() {
    let files = [
        ("shop.__init__", ""),
        ("shop.orders.__init__", ""),
        (
            "shop.orders.models",
            "import shop.billing.api\nclass Order(ABC):\n    pass\n",
        ),
        ("shop.billing.__init__", ""),
        (
            "shop.billing.api",
            "import shop.orders.models\nclass Invoice:\n    pass\n",
        ),
        ("shop.util", "import shop.billing.api\n"),
    ];
    let fx = fixture(&files);
    let outcome = fx.run(&only("package-cycle", ""));
    assert_eq!(outcome.findings.len(), 1);
    let f = &outcome.findings[0];
    assert_eq!(
        f.message,
        "packages import each other in a cycle: shop.billing → shop.orders → shop.billing"
    );
    assert_eq!((f.path.as_str(), f.line), ("shop/billing/api.py", 1));
    assert_eq!(f.related.len(), 2);
    assert_eq!(f.symbol, "shop.billing,shop.orders");

    let metrics = package_metrics(&fx.inputs(), &fx.graph, 2);
    let billing = metrics
        .iter()
        .find(|m| m.package == "shop.billing")
        .unwrap();
    // Imported by shop.orders.models and shop.util; imports shop.orders.models.
    assert_eq!((billing.modules, billing.ca, billing.ce), (2, 2, 1));
    assert!((billing.instability - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!((billing.classes, billing.abstract_classes), (1, 0));
    assert!((billing.distance - 2.0 / 3.0).abs() < 1e-9);
    let orders = metrics.iter().find(|m| m.package == "shop.orders").unwrap();
    assert!((orders.abstractness - 1.0).abs() < 1e-9);

    let distance = fx.run(&only(
        "main-sequence-distance",
        "enabled = true\nmax-distance = 0.4\nmin-modules = 2",
    ));
    let flagged: Vec<&str> = distance
        .findings
        .iter()
        .map(|f| f.symbol.as_str())
        .collect();
    assert_eq!(flagged, ["shop.billing", "shop.orders"]);
    assert!(distance.findings[0].message.contains("zone of pain"));
    assert!(distance.findings[1].message.contains("zone of uselessness"));
}

#[test]
fn suppressions_by_comment_file_and_path() {
    let src = "\
def f(x):
    return x * 42  # archlint: ignore[magic-number]

def g(x):
    return x * 43  # archlint: ignore

def h(x):
    return x * 44  # archlint: ignore[long-function]
";
    let files = [("pkg.mod", src), ("tests.test_mod", src)];
    let mut c = config(
        "select = [\"magic-number\"]\nper-file-ignores = { \"tests/**\" = [\"magic-number\"] }",
    );
    let outcome = fixture(&files).run(&c);
    assert_eq!(
        outcome
            .findings
            .iter()
            .map(|f| (f.path.as_str(), f.line))
            .collect::<Vec<_>>(),
        [("pkg/mod.py", 8)]
    );
    assert_eq!(outcome.suppressed, 5);
    let whole_file = format!("# archlint: ignore-file[magic-number]\n{src}");
    c = only("magic-number", "");
    assert!(
        fixture(&[("pkg.mod", whole_file.as_str())])
            .run(&c)
            .findings
            .is_empty()
    );
    // A suppression on a decorator line covers the decorated function's findings.
    let decorated =
        "@cache  # archlint: ignore[too-many-parameters]\ndef f(a, b, c, d, e, f, g):\n    pass\n";
    assert!(
        fixture(&[("pkg.mod", decorated)])
            .run(&only("too-many-parameters", ""))
            .findings
            .is_empty()
    );
}

#[test]
fn identities_have_no_line_numbers() {
    let files = [("pkg.mod", "\n\ndef f(x):\n    return x * 42\n")];
    let moved = [("pkg.mod", "def f(x):\n    return x * 42\n")];
    let a = fixture(&files).run(&only("magic-number", ""));
    let b = fixture(&moved).run(&only("magic-number", ""));
    assert_eq!(a.findings[0].identity(), "magic-number:pkg.mod:42");
    assert_eq!(a.findings[0].identity(), b.findings[0].identity());
    assert_ne!(a.findings[0].line, b.findings[0].line);
}

#[test]
fn outcomes_round_trip_through_their_stored_form() {
    let files = [(
        "pkg.mod",
        "def f(x):\n    while True:\n        return x * 42\n",
    )];
    let outcome = fixture(&files).run(&RulesConfig::default());
    assert_eq!(outcome.findings.len(), 2);
    let back = Outcome::from_bytes(&outcome.to_bytes()).unwrap();
    assert_eq!(back.findings, outcome.findings);
    assert_eq!(back.rules_run, outcome.rules_run);
    let mut renamed = outcome.clone();
    renamed.findings[0].message.clear();
    let mut bytes = renamed.to_bytes();
    // An unknown rule code (the code's bytes overwritten) is rejected, not invented.
    let at = bytes
        .windows(b"unbounded-loop".len())
        .position(|w| w == b"unbounded-loop")
        .unwrap();
    bytes[at] = b'X';
    assert!(Outcome::from_bytes(&bytes).is_none());
    assert!(Outcome::from_bytes(&outcome.to_bytes()[..10]).is_none());
}
