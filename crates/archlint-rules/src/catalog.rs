//! Every rule: its stable code and its documentation, in one fixed shape
//! (`## What it does` / `## Why is this bad?` / `## Example`).

macro_rules! rules {
    ($( $(#[doc = $doc:literal])* $ident:ident = $code:literal, $summary:literal; )*) => {
        $(
            $(#[doc = $doc])*
            pub struct $ident;
            impl $ident {
                pub const CODE: &'static str = $code;
            }
        )*
        /// Every rule, in documentation order.
        pub const RULES: &[RuleInfo] = &[
            $( RuleInfo { code: $code, summary: $summary, doc: concat!($($doc, "\n"),*) }, )*
        ];
    };
}

/// A rule's code, one-line summary and documentation.
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo {
    pub code: &'static str,
    pub summary: &'static str,
    pub doc: &'static str,
}

/// The rule with this code.
pub fn rule(code: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|r| r.code == code)
}

rules! {
    /// ## What it does
    /// Flags classes with more than `max-methods` methods (default 20), more than `max-lines`
    /// lines (default 500) or more than `max-attributes` attributes (default 15): names
    /// assigned in the class body plus `self.<name>` targets in its methods.
    ///
    /// ## Why is this bad?
    /// A god object knows and does too much. Every change to it risks every caller, and it
    /// cannot be understood, tested or replaced piece by piece.
    ///
    /// ## Example
    /// ```python
    /// class Application:  # 48 methods: users, billing, e-mail, reports, caching...
    ///     def create_user(self): ...
    ///     def charge_card(self): ...
    /// ```
    /// Split it along its responsibilities (`Users`, `Billing`, `Mailer`).
    GodObject = "god-object", "A class with too many methods, lines or attributes";

    /// ## What it does
    /// Flags functions longer than `max-lines` lines (default 60, the limit of NASA's
    /// Power-of-Ten rule 4: one printed page), decorators included.
    ///
    /// ## Why is this bad?
    /// A long function does several things; each is harder to read, name, test and reuse than
    /// it would be on its own.
    ///
    /// ## Example
    /// ```python
    /// def handle(request):   # 140 lines: parse, validate, save, notify, render
    ///     ...
    /// ```
    /// Extract `parse`, `validate`, `save` and `render` and call them in turn.
    LongFunction = "long-function", "A function longer than the limit";

    /// ## What it does
    /// Flags functions with more than `max-parameters` parameters (default 6), not counting
    /// `self` or `cls`.
    ///
    /// ## Why is this bad?
    /// Every caller must know every parameter; many parameters usually mean the function
    /// does several jobs or that some of them travel together and want a type of their own.
    ///
    /// ## Example
    /// ```python
    /// def ship(street, city, zip_code, country, weight, carrier, insured): ...
    /// ```
    /// Group them: `def ship(address: Address, parcel: Parcel, carrier: Carrier): ...`
    TooManyParameters = "too-many-parameters", "A function with too many parameters";

    /// ## What it does
    /// Flags functions with more than `max-positional` parameters that can be passed by
    /// position (default 4), not counting `self` or `cls`.
    ///
    /// ## Why is this bad?
    /// Positional arguments are connascence of position: every caller depends on the order,
    /// and swapping two arguments of the same type is a silent bug. Keyword-only parameters
    /// (after `*`) are connascence of name, which is weaker and visible.
    ///
    /// ## Example
    /// ```python
    /// def transfer(source, target, amount, currency, fee): ...
    /// transfer(a, b, 10, "EUR", 0)
    /// ```
    /// Use `def transfer(source, target, *, amount, currency, fee): ...`
    TooManyPositional = "too-many-positional", "A function with too many positional parameters";

    /// ## What it does
    /// Flags functions whose compound statements (`if`, `for`, `while`, `with`, `try`,
    /// `match`) nest deeper than `max-depth` (default 4).
    ///
    /// ## Why is this bad?
    /// Every level multiplies the paths a reader has to keep in mind; deep nesting hides the
    /// main path among the special cases.
    ///
    /// ## Example
    /// ```python
    /// for order in orders:
    ///     if order.paid:
    ///         for line in order.lines:
    ///             if line.stock:
    ///                 with lock:
    ///                     ...
    /// ```
    /// Return early, or move the inner loop into a function of its own.
    DeepNesting = "deep-nesting", "A function nested too deeply";

    /// ## What it does
    /// Flags functions whose cyclomatic complexity is over `max-complexity` (default 10),
    /// counted exactly as radon and mccabe count it: 1, plus each `if`, `elif`, `for`,
    /// `while` (and their `else`), `except` (and `try`'s `else`), boolean operator, ternary,
    /// comprehension `for` and `if`, `assert`, and `match` case other than the wildcard.
    ///
    /// ## Why is this bad?
    /// Complexity is the number of independent paths through the function: the number of
    /// tests needed to cover it, and a good predictor of defects.
    ///
    /// ## Example
    /// ```python
    /// def price(item, user, day):  # complexity 14
    ///     if item.sale and not user.staff or day in HOLIDAYS: ...
    /// ```
    /// Replace branches with a lookup table or split the decision into named functions.
    ComplexFunction = "complex-function", "A function with too high cyclomatic complexity";

    /// ## What it does
    /// Flags numeric literals in function bodies other than those in `allowed` (default -1,
    /// 0, 1, 2). A literal is not flagged where it is already named: the whole value of an
    /// assignment (`timeout = 30`), a keyword argument (`retry(times=3)`), a default value,
    /// a subscript or slice (`row[3]`) or a `case` value.
    ///
    /// ## Why is this bad?
    /// A bare number is connascence of meaning: every place that uses `86400` must agree on
    /// what it means, and nothing tells a reader or a search that they are the same thing.
    ///
    /// ## Example
    /// ```python
    /// if age > 18: ...
    /// ```
    /// Name it once: `ADULT_AGE = 18`, then `if age > ADULT_AGE: ...`
    MagicNumber = "magic-number", "A numeric literal whose meaning has no name";

    /// ## What it does
    /// Flags string literals compared (`==`, `!=`, `in`, …) or matched (`case "x":`) more
    /// than `max-repeats` times (default 2) in one module; `ignore` lists strings never
    /// flagged (default `""` and `"__main__"`).
    ///
    /// ## Why is this bad?
    /// The same string compared in many places is connascence of meaning: a typo in one of
    /// them is a silent bug, and renaming the value means finding every copy.
    ///
    /// ## Example
    /// ```python
    /// if order.status == "shipped": ...
    /// elif order.status == "shipped" and late: ...
    /// return status != "shipped"
    /// ```
    /// Use a constant or an `enum.Enum`: `Status.SHIPPED`.
    RepeatedString = "repeated-string", "A string literal compared in many places";

    /// ## What it does
    /// Flags functions that call themselves, directly or through other functions, where the
    /// call graph can be seen statically: calls by name to functions of the same module or
    /// imported with `from module import name`, and `self.method()` calls within a class
    /// (NASA Power-of-Ten rule 1). Each cycle is reported once.
    ///
    /// ## Why is this bad?
    /// Recursion has no bound the code states: depth depends on the data, Python's recursion
    /// limit turns deep inputs into crashes, and cycles through several functions are hard to
    /// see at all.
    ///
    /// ## Example
    /// ```python
    /// def walk(node):
    ///     for child in node.children:
    ///         walk(child)
    /// ```
    /// Use an explicit stack: `stack = [node]; while stack: node = stack.pop(); ...`
    Recursion = "recursion", "A function that calls itself, directly or through others";

    /// ## What it does
    /// Flags `while True:` and `while 1:` loops (NASA Power-of-Ten rule 2).
    ///
    /// ## Why is this bad?
    /// A loop without a bound in its condition ends only when its body says so; a missed
    /// `break` is a hang. A stated bound makes termination visible.
    ///
    /// ## Example
    /// ```python
    /// while True:
    ///     job = queue.get()
    /// ```
    /// Bound it: `for _ in range(MAX_JOBS): ...`, or loop on a condition.
    UnboundedLoop = "unbounded-loop", "A loop without a stated bound";

    /// ## What it does
    /// In the modules listed in `modules` (module expressions, as in contracts: `pkg.core`,
    /// `pkg.core.*`, `pkg.**`; an invalid one is a configuration error), flags a module whose
    /// functions have fewer than `min-per-function` `assert` statements on average (default 2,
    /// NASA Power-of-Ten rule 5). Off until `modules` is set.
    ///
    /// ## Why is this bad?
    /// Assertions state what a function assumes and guarantees; critical code without them
    /// fails far from the cause.
    ///
    /// ## Example
    /// ```python
    /// def withdraw(account, amount):
    ///     account.balance -= amount
    /// ```
    /// State the contract: `assert amount > 0` and `assert account.balance >= 0`.
    AssertionDensity = "assertion-density", "Too few assertions in a critical module";

    /// ## What it does
    /// Flags `global` statements (NASA Power-of-Ten rule 6: data at the smallest scope).
    ///
    /// ## Why is this bad?
    /// A function that rebinds a module global has a hidden input and output: its callers,
    /// its tests and other threads all share that state.
    ///
    /// ## Example
    /// ```python
    /// def connect():
    ///     global CONNECTION
    ///     CONNECTION = open_connection()
    /// ```
    /// Return the value, or keep the state in an object passed to whoever needs it.
    GlobalStatement = "global-statement", "A `global` statement";

    /// ## What it does
    /// Finds blocks of statements repeated across the project, up to renamed identifiers and
    /// changed literals, of at least `min-tokens` normalized tokens (default 60) and
    /// `min-lines` lines (default 6). Each group of copies is reported once, at its first
    /// location, with every other location. Imports never count.
    ///
    /// ## Why is this bad?
    /// Copies drift: a bug fixed in one is still present in the others, and every change must
    /// be made several times.
    ///
    /// ## Example
    /// ```python
    /// # billing/invoice.py and shipping/label.py
    /// total = 0
    /// for line in order.lines:
    ///     if line.price > 0:
    ///         total += line.price * line.quantity
    /// ```
    /// Move the shared code into one function both call.
    DuplicateCode = "duplicate-code", "A block of code repeated in several places";

    /// ## What it does
    /// Collapses modules to packages of `depth` name components (default 2: `shop.orders`)
    /// and flags every cycle of imports between those packages, once per strongly connected
    /// group, with one cycle spelled out import by import.
    ///
    /// ## Why is this bad?
    /// Packages in a cycle cannot be understood, tested, released or split apart one at a
    /// time: they are one package with several names.
    ///
    /// ## Example
    /// `shop.orders` imports `shop.billing`, which imports `shop.orders.models`. Move what
    /// both need into a third package, or invert one dependency.
    PackageCycle = "package-cycle", "Packages that import each other in a cycle";

    /// ## What it does
    /// For every package of `depth` name components (default 2) with at least `min-modules`
    /// modules (default 3), computes afferent coupling Ca (modules outside that import it),
    /// efferent coupling Ce (modules outside it imports), instability I = Ce / (Ca + Ce),
    /// abstractness A (abstract classes / classes) and the distance from the main sequence
    /// D = |A + I - 1|, and flags D over `max-distance` (default 0.7). Off by default;
    /// `archlint metrics` shows the figures for every package.
    ///
    /// ## Why is this bad?
    /// A package far from the main sequence is either concrete and depended upon (rigid: hard
    /// to change, the zone of pain) or abstract and unused (the zone of uselessness).
    ///
    /// ## Example
    /// `shop.util`: imported by 40 modules, imports nothing, no abstract classes: I = 0,
    /// A = 0, D = 1. Depend on an abstraction, or split the stable core out.
    MainSequenceDistance = "main-sequence-distance", "A package far from the main sequence";
}
