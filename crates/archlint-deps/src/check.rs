//! The dependency checks: policy (approved / forbidden), versions, licenses, metadata problems,
//! and declared vs used (missing, unused, transitive-only, dev-only in production code).

use crate::codes;
use std::collections::{BTreeMap, VecDeque};

use archlint_facts::{ImportKind, ModuleFacts};
use archlint_inventory::{DistInventory, Distribution};
use archlint_licenses::{LicenseFields, LicenseStatus, LicenseVerdict, ResolvedLicense, resolve};
use archlint_requirements::{Declarations, DeclaredRequirement};
use pep508_rs::ExtraName;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::policy::{DependencyPolicy, Level};
use crate::stdlib::is_stdlib;
use crate::table::parse_date;

/// One place where the project imports an external top-level name.
#[derive(Debug, Clone, Serialize)]
pub struct ImportSite {
    pub module: String,
    /// Path relative to the project root.
    pub path: String,
    pub line: u32,
    /// Not test code (`tests/`, `test_*.py`, `conftest.py`).
    pub production: bool,
}

/// The project's imports of names outside it, by top-level name.
#[derive(Debug, Clone, Default)]
pub struct ProjectImports {
    pub by_name: BTreeMap<String, Vec<ImportSite>>,
}

/// One module's facts, for [`ProjectImports::collect`].
pub struct ModuleImports<'a> {
    pub module: &'a str,
    pub path: &'a str,
    pub facts: &'a ModuleFacts,
}

/// Whether a module is test code, by its dotted name or file name.
pub fn is_test_module(module: &str, path: &str) -> bool {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    module
        .split('.')
        .any(|p| matches!(p, "tests" | "test" | "testing" | "conftest"))
        || file.starts_with("test_")
        || file.ends_with("_test.py")
        || file == "conftest.py"
}

impl ProjectImports {
    /// External top-level names imported by `modules`; `internal` are the project's own
    /// top-level names. Relative imports, the standard library and `__future__` are skipped.
    pub fn collect<'a>(
        modules: impl Iterator<Item = ModuleImports<'a>>,
        internal: &FxHashSet<&str>,
    ) -> ProjectImports {
        let mut by_name: BTreeMap<String, Vec<ImportSite>> = BTreeMap::new();
        for m in modules {
            let production = !is_test_module(m.module, m.path);
            let mut seen: FxHashSet<&str> = FxHashSet::default();
            for import in &m.facts.imports {
                if import.level != 0 {
                    continue;
                }
                let top = match import.kind {
                    ImportKind::Import
                    | ImportKind::From
                    | ImportKind::Star
                    | ImportKind::Dynamic => import.module.split('.').next().unwrap_or(""),
                };
                if top.is_empty() || internal.contains(top) || is_stdlib(top) || !seen.insert(top) {
                    continue;
                }
                by_name.entry(top.to_owned()).or_default().push(ImportSite {
                    module: m.module.to_owned(),
                    path: m.path.to_owned(),
                    line: import.line,
                    production,
                });
            }
        }
        ProjectImports { by_name }
    }
}

/// One finding.
#[derive(Debug, Clone, Serialize)]
pub struct DepFinding {
    /// Stable code, e.g. `forbidden-package`.
    pub code: &'static str,
    pub level: Level,
    pub package: Option<String>,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    /// The exception's reason, when an exception covers it (then it does not count).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excepted: Option<String>,
}

/// A distribution's place in the project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Declared by the project.
    Direct,
    /// Required by a declared distribution.
    Transitive,
    /// Installed, but neither.
    Unrelated,
}

impl Role {
    /// The role's name, as serialized.
    pub fn name(self) -> &'static str {
        match self {
            Role::Direct => "direct",
            Role::Transitive => "transitive",
            Role::Unrelated => "unrelated",
        }
    }
}

/// One installed distribution with its license and verdict.
#[derive(Debug, Clone, Serialize)]
pub struct PackageRow {
    pub name: String,
    pub version: String,
    pub role: Role,
    pub license: ResolvedLicense,
    pub verdict: LicenseVerdict,
    pub import_names: Vec<String>,
    pub editable: bool,
}

/// Everything the dependency check found.
#[derive(Debug, Clone, Serialize)]
pub struct DepReport {
    pub packages: Vec<PackageRow>,
    pub findings: Vec<DepFinding>,
    pub declared: usize,
    pub errors: usize,
    pub warnings: usize,
    pub excepted: usize,
}

/// What the check works on.
pub struct CheckInput<'a> {
    pub inventory: &'a DistInventory,
    pub declarations: &'a Declarations,
    /// `None` when the project's code was not analysed (no missing/unused checks).
    pub imports: Option<&'a ProjectImports>,
    pub policy: &'a DependencyPolicy,
    /// Today, `YYYY-MM-DD`, for exception expiry.
    pub today: (i32, u32, u32),
    /// Known vulnerabilities, when an audit ran.
    pub vulnerabilities: Option<&'a archlint_advisories::VulnAudit>,
    /// Licenses from the package index, for distributions whose own metadata says nothing.
    pub extra_licenses: Option<&'a std::collections::HashMap<String, ResolvedLicense>>,
}

/// Resolve every installed distribution's license (used by `deps licenses` too).
pub fn license_of(dist: &Distribution) -> ResolvedLicense {
    resolve(LicenseFields {
        license_expression: dist.license_expression.as_deref(),
        license: dist.license.as_deref(),
        classifiers: &dist.license_classifiers,
    })
}

/// Tools every environment has; never "unapproved" unless the project declares them.
const ENVIRONMENT_TOOLS: &[&str] = &["pip", "setuptools", "wheel", "distribute", "pkg-resources"];

struct Ctx<'a> {
    input: &'a CheckInput<'a>,
    findings: Vec<DepFinding>,
}

impl Ctx<'_> {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        code: &'static str,
        level: Level,
        package: Option<&str>,
        message: String,
        file: Option<String>,
        line: Option<u32>,
    ) {
        if level == Level::Ignore {
            return;
        }
        let excepted = package.and_then(|p| self.exception_for(p, code));
        self.findings.push(DepFinding {
            code,
            level,
            package: package.map(str::to_owned),
            message,
            file,
            line,
            excepted,
        });
    }

    fn exception_for(&self, package: &str, code: &str) -> Option<String> {
        self.input
            .policy
            .exceptions
            .iter()
            .find(|e| {
                e.package == package
                    && (e.rules.is_empty() || e.rules.iter().any(|r| r == code))
                    && e.expires
                        .as_deref()
                        .and_then(parse_date)
                        .is_none_or(|d| d >= self.input.today)
            })
            .map(|e| e.reason.clone())
    }
}

fn origin_of(r: &DeclaredRequirement) -> (Option<String>, Option<u32>) {
    (
        Some(r.origin.file.display().to_string()),
        Some(r.origin.line),
    )
}

fn dist_file(d: &Distribution) -> (Option<String>, Option<u32>) {
    let file = if d.format == archlint_inventory::MetadataFormat::DistInfo {
        d.path.join("METADATA")
    } else {
        d.path.clone()
    };
    (Some(file.display().to_string()), None)
}

/// Run every dependency check.
pub fn check(input: &CheckInput<'_>) -> DepReport {
    let mut ctx = Ctx {
        input,
        findings: Vec::new(),
    };
    let inventory = input.inventory;
    let installed: FxHashMap<&str, &Distribution> = inventory
        .distributions
        .iter()
        .map(|d| (d.normalized.as_str(), d))
        .collect();
    // Declaration problems first: they explain later surprises.
    declaration_errors(&mut ctx);
    let declared = direct_requirements(input);
    let closure = Closure::new(&declared, &installed, &inventory.environment.markers);
    let scope = Scope {
        policy: input.policy,
        own_name: input.declarations.project_name.as_deref(),
        closure: &closure,
        has_declarations: !declared.is_empty(),
    };
    let rows = inventory
        .distributions
        .iter()
        .map(|d| check_distribution(&mut ctx, d, &declared, &scope))
        .collect();
    for p in &inventory.unreadable {
        ctx.add(
            codes::MalformedMetadata::CODE,
            Level::Warn,
            None,
            p.message.clone(),
            Some(p.file.display().to_string()),
            p.line,
        );
    }
    check_declared(&mut ctx, &declared, &installed);
    if let Some(imports) = input.imports
        && scope.has_declarations
    {
        declared_vs_used(
            &mut ctx,
            imports,
            &declared,
            &installed,
            &closure.role,
            &|name| closure.via(name),
        );
    }
    if let Some(audit) = input.vulnerabilities {
        vulnerability_findings(&mut ctx, audit, &installed, &declared);
    }
    summarize(ctx.findings, declared.len(), rows)
}

/// Requirements that could not be read.
fn declaration_errors(ctx: &mut Ctx<'_>) {
    for e in &ctx.input.declarations.errors {
        ctx.add(
            codes::InvalidRequirement::CODE,
            Level::Error,
            None,
            e.message.clone(),
            Some(e.origin.file.display().to_string()),
            (e.origin.line > 0).then_some(e.origin.line),
        );
    }
}

/// Direct requirements: declared (not constraints), marker true here, not the project itself.
fn direct_requirements<'a>(input: &CheckInput<'a>) -> Vec<&'a DeclaredRequirement> {
    let own_name = input.declarations.project_name.as_deref();
    let env = &input.inventory.environment.markers;
    input
        .declarations
        .requirements
        .iter()
        .filter(|r| !r.constraint && r.name.is_some() && r.name.as_deref() != own_name)
        .filter(|r| r.marker.evaluate(env, &[]))
        .collect()
}

/// The transitive closure of the direct requirements through installed Requires-Dist, with
/// requested extras: each distribution's role and what pulled it in.
struct Closure<'a> {
    role: FxHashMap<&'a str, Role>,
    parent: FxHashMap<&'a str, &'a str>,
}

impl<'a> Closure<'a> {
    fn new(
        declared: &[&'a DeclaredRequirement],
        installed: &FxHashMap<&'a str, &'a Distribution>,
        env: &pep508_rs::MarkerEnvironment,
    ) -> Self {
        let mut role: FxHashMap<&str, Role> = FxHashMap::default();
        let mut parent: FxHashMap<&str, &str> = FxHashMap::default();
        let mut queue: VecDeque<(&str, Vec<ExtraName>)> = VecDeque::new();
        for r in declared {
            let name = r.name.as_deref().unwrap_or("");
            role.insert(name, Role::Direct);
            let extras = r
                .extras
                .iter()
                .filter_map(|e| ExtraName::new(e.clone()).ok())
                .collect();
            queue.push_back((name, extras));
        }
        let mut expanded: FxHashSet<(String, Vec<ExtraName>)> = FxHashSet::default();
        while let Some((name, extras)) = queue.pop_front() {
            if !expanded.insert((name.to_owned(), extras.clone())) {
                continue;
            }
            let Some(dist) = installed.get(name) else {
                continue;
            };
            for req in &dist.requires_dist {
                if !req.is_active(env, &extras) {
                    continue;
                }
                let Some((&child, _)) = installed.get_key_value(req.name.as_str()) else {
                    continue;
                };
                if !role.contains_key(child) {
                    role.insert(child, Role::Transitive);
                    parent.insert(child, dist.normalized.as_str());
                }
                let child_extras = req
                    .extras
                    .iter()
                    .filter_map(|e| ExtraName::new(e.clone()).ok())
                    .collect();
                queue.push_back((child, child_extras));
            }
        }
        Closure { role, parent }
    }

    fn role_of(&self, name: &str) -> Role {
        self.role.get(name).copied().unwrap_or(Role::Unrelated)
    }

    /// `a -> b -> name`: what requires `name`.
    fn via(&self, name: &str) -> String {
        let mut chain = vec![name];
        let mut at = name;
        while let Some(p) = self.parent.get(at) {
            if chain.contains(p) {
                break;
            }
            chain.push(p);
            at = p;
        }
        chain.reverse();
        chain.join(" -> ")
    }
}

/// What the policy covers: the declared packages (and what they pull in, with `transitive`);
/// with no declarations at all, everything installed.
struct Scope<'a> {
    policy: &'a DependencyPolicy,
    own_name: Option<&'a str>,
    closure: &'a Closure<'a>,
    has_declarations: bool,
}

impl Scope<'_> {
    fn covers(&self, d: &Distribution) -> bool {
        if self.policy.ignore.contains(&d.normalized)
            || Some(d.normalized.as_str()) == self.own_name
        {
            return false;
        }
        match self.closure.role_of(&d.normalized) {
            Role::Direct => true,
            Role::Transitive => self.policy.transitive,
            Role::Unrelated => !self.has_declarations,
        }
    }
}

/// A distribution's license: its own metadata's, else the package index's.
fn license_with_index(input: &CheckInput<'_>, d: &Distribution) -> ResolvedLicense {
    let license = license_of(d);
    if license.status == LicenseStatus::Unknown
        && let Some(online) = input.extra_licenses.and_then(|m| m.get(&d.normalized))
        && online.status != LicenseStatus::Unknown
    {
        let mut filled = online.clone();
        filled.note = Some(format!(
            "from the package index (the installed metadata has none: {})",
            license.note.as_deref().unwrap_or("")
        ));
        return filled;
    }
    license
}

/// One installed distribution: its metadata problems, then (unless ignored) the forbidden
/// and approved lists and its license; its row in the report.
fn check_distribution(
    ctx: &mut Ctx<'_>,
    d: &Distribution,
    declared: &[&DeclaredRequirement],
    scope: &Scope<'_>,
) -> PackageRow {
    let policy = scope.policy;
    let license = license_with_index(ctx.input, d);
    let verdict = policy.licenses.judge(&license);
    let r = scope.closure.role_of(&d.normalized);
    for problem in &d.problems {
        ctx.add(
            codes::MalformedMetadata::CODE,
            Level::Warn,
            Some(&d.normalized),
            format!("{} {}: {}", d.name, d.version, problem.message),
            Some(problem.file.display().to_string()),
            problem.line,
        );
    }
    if !policy.ignore.contains(&d.normalized) {
        let declared_here = declared
            .iter()
            .find(|q| q.name.as_deref() == Some(d.normalized.as_str()));
        let (file, line) = match declared_here {
            Some(q) => origin_of(q),
            None => dist_file(d),
        };
        let at = Place {
            d,
            role: r,
            scoped: scope.covers(d),
            file,
            line,
        };
        let how = match r {
            Role::Direct => "declared".to_owned(),
            Role::Transitive => format!("required through {}", scope.closure.via(&d.normalized)),
            Role::Unrelated => "installed".to_owned(),
        };
        check_forbidden_and_approved(ctx, &at, scope, &how);
        if at.scoped {
            check_license(ctx, &at, &license, &verdict);
        }
    }
    PackageRow {
        name: d.name.clone(),
        version: d.version.clone(),
        role: r,
        license,
        verdict,
        import_names: d.import_names.clone(),
        editable: d.is_editable(),
    }
}

/// A distribution being checked, and where its findings point.
struct Place<'a> {
    d: &'a Distribution,
    role: Role,
    /// Whether the policy covers it.
    scoped: bool,
    file: Option<String>,
    line: Option<u32>,
}

/// The forbidden list (everything installed that the project could be running with), then,
/// for what is not forbidden, the approved list (what the policy covers).
fn check_forbidden_and_approved(ctx: &mut Ctx<'_>, at: &Place<'_>, scope: &Scope<'_>, how: &str) {
    let (d, r, scoped, policy) = (at.d, at.role, at.scoped, scope.policy);
    let has_declarations = scope.has_declarations;
    let (file, line) = (&at.file, at.line);
    // Forbidden applies to everything installed that the project could be running with.
    let mut forbidden = false;
    if let Some(rule) = policy
        .forbidden
        .iter()
        .find(|f| f.name == d.normalized && f.matches_version(d.parsed_version.as_ref()))
        && (scoped || r != Role::Unrelated || !has_declarations)
    {
        ctx.add(
            codes::ForbiddenPackage::CODE,
            Level::Error,
            Some(&d.normalized),
            format!(
                "{} {} is forbidden (rule {:?}; {how})",
                d.name, d.version, rule.text
            ),
            file.clone(),
            line,
        );
        forbidden = true;
    }
    if scoped && !forbidden && !policy.approved.is_empty() {
        match policy.approved.iter().find(|a| a.name == d.normalized) {
            None if !(ENVIRONMENT_TOOLS.contains(&d.normalized.as_str()) && r != Role::Direct) => {
                ctx.add(
                    codes::UnapprovedPackage::CODE,
                    policy.unapproved,
                    Some(&d.normalized),
                    format!(
                        "{} {} is not on the approved list ({how})",
                        d.name, d.version
                    ),
                    file.clone(),
                    line,
                )
            }
            Some(rule) if !rule.matches_version(d.parsed_version.as_ref()) => ctx.add(
                codes::VersionNotApproved::CODE,
                Level::Error,
                Some(&d.normalized),
                format!(
                    "{} {} is installed; the approved versions are {:?}",
                    d.name, d.version, rule.text
                ),
                file.clone(),
                line,
            ),
            _ => {}
        }
    }
}

/// The license policy's verdict on a distribution the policy covers.
fn check_license(
    ctx: &mut Ctx<'_>,
    at: &Place<'_>,
    license: &ResolvedLicense,
    verdict: &LicenseVerdict,
) {
    let (d, policy) = (at.d, ctx.input.policy);
    let (file, line) = (&at.file, at.line);
    let name = format!("{} {}", d.name, d.version);
    match (&verdict, license.status) {
        (LicenseVerdict::Denied(ids), _) => ctx.add(
            codes::LicenseDenied::CODE,
            Level::Error,
            Some(&d.normalized),
            format!(
                "{name}: license {} is denied ({})",
                license.expression.as_deref().unwrap_or("?"),
                ids.join(", ")
            ),
            file.clone(),
            line,
        ),
        (LicenseVerdict::NotAllowed(ids), _) => ctx.add(
            codes::LicenseNotAllowed::CODE,
            Level::Error,
            Some(&d.normalized),
            format!(
                "{name}: license {} is not on the allow list ({})",
                license.expression.as_deref().unwrap_or("?"),
                ids.join(", ")
            ),
            file.clone(),
            line,
        ),
        (LicenseVerdict::Review(ids), _) => ctx.add(
            codes::LicenseReview::CODE,
            Level::Warn,
            Some(&d.normalized),
            format!(
                "{name}: license {} needs review ({})",
                license.expression.as_deref().unwrap_or("?"),
                ids.join(", ")
            ),
            file.clone(),
            line,
        ),
        (LicenseVerdict::Unjudged, LicenseStatus::Ambiguous) => ctx.add(
            codes::LicenseAmbiguous::CODE,
            policy.ambiguous_license,
            Some(&d.normalized),
            format!(
                "{name}: ambiguous license {:?} ({})",
                license.raw.as_deref().unwrap_or(""),
                license.note.as_deref().unwrap_or("")
            ),
            file.clone(),
            line,
        ),
        (LicenseVerdict::Unjudged, _) => ctx.add(
            codes::LicenseUnknown::CODE,
            policy.unknown_license,
            Some(&d.normalized),
            format!(
                "{name}: unknown license ({})",
                license.note.as_deref().unwrap_or("")
            ),
            file.clone(),
            line,
        ),
        (LicenseVerdict::Allowed, _) => {}
    }
}

/// Declared requirements: forbidden even when not installed; installed versions must satisfy.
fn check_declared(
    ctx: &mut Ctx<'_>,
    declared: &[&DeclaredRequirement],
    installed: &FxHashMap<&str, &Distribution>,
) {
    let (policy, inventory) = (ctx.input.policy, ctx.input.inventory);
    for r in declared {
        let name = r.name.as_deref().unwrap_or("");
        let (file, line) = origin_of(r);
        match installed.get(name) {
            None => {
                if let Some(rule) = policy
                    .forbidden
                    .iter()
                    .find(|f| f.name == name && f.specifiers.is_none())
                {
                    ctx.add(
                        codes::ForbiddenPackage::CODE,
                        Level::Error,
                        Some(name),
                        format!(
                            "{} is declared but forbidden (rule {:?})",
                            r.text, rule.text
                        ),
                        file.clone(),
                        line,
                    );
                }
                if !policy.ignore.iter().any(|i| i == name) {
                    ctx.add(
                        codes::NotInstalled::CODE,
                        Level::Warn,
                        Some(name),
                        format!(
                            "{} is declared but not installed in {}",
                            r.text,
                            inventory.environment.prefix.display()
                        ),
                        file,
                        line,
                    );
                }
            }
            Some(d) => {
                if !r.specifier.is_empty()
                    && let Ok(spec) = r.specifier.parse::<pep440_rs::VersionSpecifiers>()
                    && let Some(v) = &d.parsed_version
                    && !spec.contains(v)
                {
                    ctx.add(
                        codes::VersionMismatch::CODE,
                        Level::Warn,
                        Some(name),
                        format!(
                            "{} is declared but {} {} is installed",
                            r.text, d.name, d.version
                        ),
                        file,
                        line,
                    );
                }
            }
        }
    }
}

/// The report: the findings counted by level (excepted ones apart) and every package's row.
fn summarize(findings: Vec<DepFinding>, declared: usize, rows: Vec<PackageRow>) -> DepReport {
    let counted = |level: Level| {
        findings
            .iter()
            .filter(|f| f.level == level && f.excepted.is_none())
            .count()
    };
    DepReport {
        errors: counted(Level::Error),
        warnings: counted(Level::Warn),
        excepted: findings.iter().filter(|f| f.excepted.is_some()).count(),
        declared,
        packages: rows,
        findings,
    }
}

fn declared_vs_used(
    ctx: &mut Ctx<'_>,
    imports: &ProjectImports,
    declared: &[&DeclaredRequirement],
    installed: &FxHashMap<&str, &Distribution>,
    role: &FxHashMap<&str, Role>,
    via: &dyn Fn(&str) -> String,
) {
    let policy = ctx.input.policy;
    // Import name -> installed distributions providing it (from top_level.txt / RECORD).
    let mut providers: FxHashMap<&str, Vec<&str>> = FxHashMap::default();
    for d in installed.values() {
        for n in &d.import_names {
            providers
                .entry(n.as_str())
                .or_default()
                .push(d.normalized.as_str());
        }
    }
    for v in providers.values_mut() {
        v.sort_unstable();
    }
    // Declared name -> is it declared for production (any non-dev group)?
    let mut production_declared: FxHashMap<&str, bool> = FxHashMap::default();
    for r in declared {
        let entry = production_declared
            .entry(r.name.as_deref().unwrap_or(""))
            .or_insert(false);
        *entry |= !r.group.is_dev();
    }
    let guess = |name: &str| name.replace('-', "_");
    let mut used: FxHashSet<&str> = FxHashSet::default();

    for (top, sites) in &imports.by_name {
        let mut candidates: Vec<&str> = providers.get(top.as_str()).cloned().unwrap_or_default();
        // Declared but not installed: fall back to the distribution's own name.
        for r in declared {
            let n = r.name.as_deref().unwrap_or("");
            if !installed.contains_key(n) && guess(n) == *top && !candidates.contains(&n) {
                candidates.push(n);
            }
        }
        for c in &candidates {
            used.insert(c);
        }
        let first = &sites[0];
        let declared_provider = candidates
            .iter()
            .find(|c| production_declared.contains_key(*c));
        match declared_provider {
            Some(p) => {
                let prod_sites: Vec<&ImportSite> = sites.iter().filter(|s| s.production).collect();
                let any_prod_declared = candidates
                    .iter()
                    .any(|c| production_declared.get(c).copied().unwrap_or(false));
                if !any_prod_declared && let Some(site) = prod_sites.first() {
                    ctx.add(
                        codes::DevDependencyInProduction::CODE,
                        Level::Error,
                        Some(p),
                        format!(
                            "{} imports {top}, but {p} is declared only as a development dependency",
                            site.module
                        ),
                        Some(site.path.clone()),
                        Some(site.line),
                    );
                }
            }
            None => {
                let transitive = candidates
                    .iter()
                    .find(|c| role.get(*c) == Some(&Role::Transitive));
                match transitive {
                    Some(t) => ctx.add(
                        codes::TransitiveDependency::CODE,
                        policy.missing.min(Level::Warn),
                        Some(t),
                        format!(
                            "{} imports {top}, which is only installed through another package ({}); declare {t}",
                            first.module,
                            via(t)
                        ),
                        Some(first.path.clone()),
                        Some(first.line),
                    ),
                    None => {
                        let what = match candidates.first() {
                            Some(c) => format!("provided by {c}, which is not declared"),
                            None => "which no installed distribution provides and nothing declares".to_owned(),
                        };
                        ctx.add(
                            codes::MissingDependency::CODE,
                            policy.missing,
                            candidates.first().copied(),
                            format!("{} imports {top}, {what}", first.module),
                            Some(first.path.clone()),
                            Some(first.line),
                        );
                    }
                }
            }
        }
    }

    // Unused: declared for production, never imported. Development groups hold tools (pytest,
    // ruff) that code rarely imports, so they are not judged.
    let mut reported: FxHashSet<&str> = FxHashSet::default();
    for r in declared {
        let name = r.name.as_deref().unwrap_or("");
        if r.group.is_dev()
            || used.contains(name)
            || !reported.insert(name)
            || policy.ignore.iter().any(|i| i == name)
        {
            continue;
        }
        if let Some(d) = installed.get(name)
            && d.import_names.is_empty()
        {
            continue; // nothing importable (a plugin or a command-line tool)
        }
        ctx.add(
            codes::UnusedDependency::CODE,
            policy.unused,
            Some(name),
            format!("{} is declared but the project never imports it", r.text),
            Some(r.origin.file.display().to_string()),
            Some(r.origin.line),
        );
    }
}

/// The packages a vulnerability audit covers: declared and what they pull in (everything
/// installed when nothing is declared), minus `ignore`d ones.
pub fn audit_scope(
    inventory: &DistInventory,
    declarations: &Declarations,
    policy: &DependencyPolicy,
) -> Vec<(String, String)> {
    let env = &inventory.environment.markers;
    let installed: FxHashMap<&str, &Distribution> = inventory
        .distributions
        .iter()
        .map(|d| (d.normalized.as_str(), d))
        .collect();
    let own = declarations.project_name.as_deref();
    let roots: Vec<&str> = declarations
        .requirements
        .iter()
        .filter(|r| {
            !r.constraint
                && r.name.as_deref().is_some_and(|n| Some(n) != own)
                && r.marker.evaluate(env, &[])
        })
        .filter_map(|r| r.name.as_deref())
        .collect();
    let mut names: Vec<&str> = if roots.is_empty() {
        installed.keys().copied().collect()
    } else {
        let mut seen: FxHashSet<&str> = FxHashSet::default();
        let mut stack: Vec<&str> = roots;
        while let Some(n) = stack.pop() {
            let Some(d) = installed.get(n) else { continue };
            if !seen.insert(d.normalized.as_str()) {
                continue;
            }
            for req in &d.requires_dist {
                if req.is_active(env, &[]) {
                    stack.push(req.name.as_str());
                }
            }
        }
        seen.into_iter().collect()
    };
    names.retain(|n| !policy.ignore.iter().any(|i| i == n) && Some(*n) != own);
    names.sort_unstable();
    names
        .into_iter()
        .map(|n| (n.to_owned(), installed[n].version.clone()))
        .collect()
}

fn vulnerability_findings(
    ctx: &mut Ctx<'_>,
    audit: &archlint_advisories::VulnAudit,
    installed: &FxHashMap<&str, &Distribution>,
    declared: &[&DeclaredRequirement],
) {
    let policy = &ctx.input.policy.vulnerabilities;
    let today = ctx.input.today;
    for note in &audit.notes {
        ctx.add(
            codes::VulnerabilityDataOutdated::CODE,
            Level::Warn,
            None,
            note.clone(),
            None,
            None,
        );
    }
    for p in &audit.checked {
        let (file, line) = match declared
            .iter()
            .find(|r| r.name.as_deref() == Some(p.name.as_str()))
        {
            Some(r) => origin_of(r),
            None => installed
                .get(p.name.as_str())
                .map(|d| dist_file(d))
                .unwrap_or((None, None)),
        };
        let display = installed
            .get(p.name.as_str())
            .map(|d| d.name.as_str())
            .unwrap_or(&p.name);
        for v in &p.vulnerabilities {
            let mut ids: Vec<&str> = vec![v.id.as_str()];
            ids.extend(v.aliases.iter().map(String::as_str));
            let aliases = if v.aliases.is_empty() {
                String::new()
            } else {
                format!(" ({})", v.aliases.join(", "))
            };
            let fix = match &v.fixed {
                Some(f) => format!("; fixed in {f}"),
                None => "; no fixed version".to_owned(),
            };
            let summary = if v.summary.is_empty() {
                String::new()
            } else {
                format!(": {}", v.summary)
            };
            let before = ctx.findings.len();
            ctx.add(
                codes::VulnerablePackage::CODE,
                Level::Error,
                Some(&p.name),
                format!(
                    "{display} {} has {}{aliases}{summary}{fix}",
                    p.version, v.id
                ),
                file.clone(),
                line,
            );
            if let Some(reason) = policy.ignored(&ids, today)
                && let Some(f) = ctx.findings.get_mut(before)
                && f.excepted.is_none()
            {
                f.excepted = Some(reason);
            }
        }
    }
    for u in &audit.unchecked {
        ctx.add(
            codes::VulnerabilityUnchecked::CODE,
            if policy.fail_on_incomplete {
                Level::Error
            } else {
                Level::Warn
            },
            Some(&u.name),
            format!(
                "{} {} could not be checked for vulnerabilities: {}",
                u.name, u.version, u.reason
            ),
            None,
            None,
        );
    }
}
