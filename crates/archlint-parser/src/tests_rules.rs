//! The facts the code-structure rules read.

use super::*;

fn facts(src: &str) -> ModuleFacts {
    parse_source(src, &ParseSettings::default())
}

fn complexity(src: &str) -> Vec<(String, u32)> {
    facts(src)
        .functions
        .iter()
        .map(|f| (f.qualname.clone(), f.complexity))
        .collect()
}

fn c(name: &str, n: u32) -> (String, u32) {
    (name.to_owned(), n)
}

#[test]
fn complexity_counts_branches_like_radon() {
    let src = "\
def flat():
    return 1

def branches(a, b):
    if a and b or a:
        pass
    elif b:
        pass
    else:
        pass
    for x in a:
        pass
    else:
        pass
    while b:
        break
    try:
        pass
    except ValueError:
        pass
    except KeyError:
        pass
    else:
        pass
    with open(a) as f:
        pass
    assert a and (b or [y for y in a if y])
    return [y for y in a if y if not y] or (1 if a else 2)
";
    // branches: 1 + if(1) + and/or(2) + elif(1) + for(1+1) + while(1) + try(2+1) + assert(1)
    //           + comprehension(1+2) + `or`(1) + IfExp(1) = 17; nothing inside the `assert`
    //           counts (radon never visits it).
    assert_eq!(complexity(src), [c("flat", 1), c("branches", 17)]);
}

#[test]
fn nested_functions_lambdas_decorators_async_and_match() {
    let src = "\
@decorate(a if b else c)
def outer(x=1 if y else 2):
    def inner():
        if x:
            return 1
    class Local:
        flag = x if x else None
    key = lambda v: v if v else 0
    return inner

async def fetch(items):
    async for i in items:
        async with i:
            pass
    return [j async for j in items if j]

def dispatch(command):
    match command:
        case 'go':
            return 1
        case 'stop' if command:
            return 2
        case _:
            return 3

def no_wildcard(command):
    match command:
        case 1:
            pass
        case 2:
            pass
";
    // outer: 1 + lambda's IfExp; not its decorators, defaults, closures or local classes.
    assert_eq!(
        complexity(src),
        [
            c("outer", 2),
            c("outer.inner", 2),
            c("fetch", 4),
            c("dispatch", 3),
            c("no_wildcard", 3),
        ]
    );
    let f = facts(src);
    assert!(
        f.functions
            .iter()
            .find(|f| f.name == "fetch")
            .unwrap()
            .is_async
    );
    // The decorator line starts the definition; the `def` line is where it is named.
    let outer = &f.functions[0];
    assert_eq!((outer.start_line, outer.line), (1, 2));
}

#[test]
fn classes_count_attributes_and_know_abstract_ones() {
    let src = "\
import abc
class Plain:
    kind = 'x'
    size: int = 3
    def __init__(self, a):
        self.a = a
        self.b, self.c = a, a
        self.a += 1
        other.d = 1
        def helper():
            self.e = 2
    @staticmethod
    def build(x):
        x.f = 1

class Base(abc.ABC):
    pass

class Proto(Protocol[T]):
    pass

class Meta(metaclass=abc.ABCMeta):
    pass

class Marked:
    @abc.abstractmethod
    def run(self):
        ...
";
    let f = facts(src);
    let plain = &f.classes[0];
    // kind, size, a, b, c: not other.d, not the closure's self.e, not the static method's x.f.
    assert_eq!((plain.attributes, plain.methods, plain.line), (5, 2, 2));
    assert!(!plain.is_abstract);
    let abstract_: Vec<bool> = f.classes[1..].iter().map(|c| c.is_abstract).collect();
    assert_eq!(abstract_, [true, true, true, true]);
}

#[test]
fn magic_numbers_skip_named_positions() {
    let src = "\
LIMIT = 500
def f(x, retries=3):
    timeout = 30
    x[4] = x[2:7]
    sleep(seconds=12)
    if x > 42:
        return x * -7 + 0.5
    return compute(99, x)
";
    let f = facts(src);
    let numbers: Vec<(&str, u32)> = f
        .code
        .numbers
        .iter()
        .map(|n| (n.value.as_str(), n.line))
        .collect();
    assert_eq!(numbers, [("42", 6), ("-7", 7), ("0.5", 7), ("99", 8)]);
}

#[test]
fn compared_strings_loops_globals_calls_and_asserts() {
    let src = "\
STATE = None
if __name__ == '__main__':
    pass
def check(s):
    global STATE, OTHER
    assert s
    assert s != 'closed'
    while True:
        if s in ('open', 'x') or s == 'open':
            check(s)
    while 1:
        self.step()
    match s:
        case 'open':
            helper.run()
";
    let f = facts(src);
    let strings: Vec<(&str, u32)> = f
        .code
        .compared_strings
        .iter()
        .map(|s| (s.value.as_str(), s.line))
        .collect();
    // A tuple of strings is not itself compared; its members are values, not meanings.
    assert_eq!(
        strings,
        [("__main__", 2), ("closed", 7), ("open", 9), ("open", 14)]
    );
    assert_eq!(f.code.unbounded_loops, [8, 11]);
    assert_eq!(
        f.code.globals,
        [(5, vec!["STATE".to_owned(), "OTHER".to_owned()])]
    );
    let check = &f.functions[0];
    assert_eq!(check.asserts, 2);
    assert_eq!(check.calls, ["check", "self.step"]);
}

#[test]
fn suppression_comments() {
    let src = "\
# archlint: ignore-file[magic-number]
x = 1  # archlint: ignore[god-object, long-function]
y = 2  # archlint: ignore
z = '# archlint: ignore'  # archlint: ignored-by-nobody
";
    let f = facts(src);
    assert_eq!(f.code.file_suppressions, [vec!["magic-number".to_owned()]]);
    assert_eq!(
        f.code.suppressions,
        [
            (2, vec!["god-object".to_owned(), "long-function".to_owned()]),
            (3, vec![])
        ]
    );
}

#[test]
fn renamed_code_hashes_alike_and_imports_never_count() {
    let a = "\
import os
def total(items, rate):
    result = 0
    for item in items:
        if item.price > 10:
            result += item.price * rate  # a comment
    return result
";
    let b = "\
import sys

def summed(rows, factor):
    acc = 0
    for row in rows:
        if row.cost > 99:
            acc += row.cost * factor
    return acc
";
    let c_src = a.replace("result +=", "result -=");
    let top = |src: &str| facts(src).code.blocks[0].clone();
    let (fa, fb, fc) = (top(a), top(b), top(&c_src));
    assert_eq!(fa[0].hash, 0, "imports never count as duplication");
    assert_eq!(fa[1].hash, fb[1].hash);
    assert_eq!(fa[1].tokens, fb[1].tokens);
    assert_ne!(fa[1].hash, fc[1].hash);
    assert_eq!((fb[1].start_line, fb[1].end_line), (3, 8));
    // The function body is a block of its own, hashed statement by statement.
    let body = &facts(a).code.blocks[1];
    assert_eq!(body.len(), 3);
}
