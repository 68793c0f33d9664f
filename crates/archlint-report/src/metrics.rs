//! `archlint rules` (the catalog) and `archlint metrics` (the figures behind the rules), as
//! text and JSON.

use std::io::Write;

use anyhow::{Result, bail};
use archlint_check::rules::{project_paths, settings, with_inputs};
use archlint_engine::Project;
use archlint_rules::{PackageCycle, PackageMetrics, RulesConfig};
use serde_json::json;

/// Every rule with its summary, and whether it is on by default.
pub fn catalog_text(out: &mut impl Write) -> std::io::Result<()> {
    let defaults = RulesConfig::default();
    for rule in archlint_rules::RULES {
        let state = if defaults.is_enabled(rule.code) {
            ""
        } else {
            "  (off by default)"
        };
        writeln!(out, "{:<24} {}{state}", rule.code, rule.summary)?;
    }
    Ok(())
}

/// One rule's documentation; an error naming every rule when there is no rule `code`.
pub fn rule_text(out: &mut impl Write, code: &str) -> Result<()> {
    match archlint_rules::rule(code) {
        Some(rule) => {
            writeln!(out, "# {} ({})\n", rule.code, rule.summary)?;
            for line in rule.doc.lines() {
                writeln!(out, "{}", line.strip_prefix(' ').unwrap_or(line))?;
            }
            Ok(())
        }
        None => bail!(
            "no rule '{code}' (rules: {})",
            archlint_rules::RULES
                .iter()
                .map(|r| r.code)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The figures of a project loaded with every file's facts: per function, class and package
/// (coupling at `depth`, default the rules' `package-cycle` depth), and the package cycles.
pub struct Metrics<'a> {
    project: &'a Project,
    depth: usize,
    paths: Vec<String>,
    packages: Vec<PackageMetrics>,
    cycles: Vec<PackageCycle>,
    unused_exports: Vec<archlint_contracts::symbols::UnusedExport>,
}

impl<'a> Metrics<'a> {
    pub fn new(project: &'a Project, depth: Option<usize>) -> Result<Metrics<'a>> {
        let config = settings(project.config.as_ref())?;
        let depth = depth.unwrap_or(config.cycle_depth).max(1);
        let paths = project_paths(project);
        let (packages, cycles) = with_inputs(project, |inputs| {
            (
                archlint_rules::package_metrics(inputs, &project.graph, depth),
                archlint_rules::package_cycles(inputs, &project.graph, depth),
            )
        });
        let facts = project.facts.as_deref().unwrap_or(&[]);
        let unused_exports = archlint_contracts::symbols::SymbolIndex::build(
            project
                .files
                .iter()
                .zip(facts)
                .map(|(f, facts)| (f.module.as_str(), f.is_package, facts.as_ref())),
            project.settings.exclude_type_checking_imports,
        )
        .unused_exports();
        Ok(Metrics {
            project,
            depth,
            paths,
            packages,
            cycles,
            unused_exports,
        })
    }

    /// The shown path of a package's `__init__`.
    fn package_path(&self, package: &str) -> Option<&str> {
        self.project
            .files
            .iter()
            .position(|f| f.is_package && f.module == package)
            .map(|i| self.paths[i].as_str())
    }

    /// As JSON: every function and class, the packages, the cycles and the unused exports.
    pub fn json(&self) -> serde_json::Value {
        let (project, paths, depth) = (self.project, &self.paths[..], self.depth);
        let (packages, cycles) = (&self.packages, &self.cycles);
        let facts = project.facts.as_deref().unwrap_or(&[]);
        let mut functions = Vec::new();
        let mut classes = Vec::new();
        for ((file, path), facts) in project.files.iter().zip(paths).zip(facts) {
            for f in &facts.functions {
                functions.push(json!({
                    "module": file.module, "path": path, "qualname": f.qualname,
                    "line": f.line, "start_line": f.start_line, "end_line": f.end_line,
                    "complexity": f.complexity, "parameters": f.parameters,
                    "positional_parameters": f.positional_parameters,
                    "max_nesting": f.max_nesting, "asserts": f.asserts,
                    "is_async": f.is_async, "is_method": f.is_method,
                }));
            }
            for c in &facts.classes {
                classes.push(json!({
                    "module": file.module, "path": path, "qualname": c.qualname,
                    "line": c.line, "start_line": c.start_line, "end_line": c.end_line,
                    "methods": c.methods, "attributes": c.attributes,
                    "is_abstract": c.is_abstract,
                }));
            }
        }
        let value = json!({
            "depth": depth,
            "functions": functions,
            "classes": classes,
            "packages": packages,
            "package_cycles": cycles,
            "unused_exports": self.unused_exports.iter().map(|u| json!({
                "package": u.package, "name": u.name, "line": u.line,
                "path": self.package_path(&u.package),
            })).collect::<Vec<_>>(),
        });
        value
    }

    /// As text: the package table, the cycles and the ten most complex functions.
    pub fn text(&self, out: &mut impl Write) -> std::io::Result<()> {
        let (project, paths) = (self.project, &self.paths[..]);
        let (packages, cycles) = (&self.packages, &self.cycles);
        let facts = project.facts.as_deref().unwrap_or(&[]);
        writeln!(
            out,
            "{:<40} {:>7} {:>5} {:>5} {:>6} {:>6} {:>6}",
            "package", "modules", "Ca", "Ce", "I", "A", "D"
        )?;
        for p in packages {
            writeln!(
                out,
                "{:<40} {:>7} {:>5} {:>5} {:>6.2} {:>6.2} {:>6.2}",
                p.package, p.modules, p.ca, p.ce, p.instability, p.abstractness, p.distance
            )?;
        }
        for c in cycles {
            writeln!(out, "\ncycle between {}:", c.packages.join(", "))?;
            for (a, b, line) in &c.steps {
                writeln!(out, "  {a} imports {b} (line {line})")?;
            }
        }
        if !self.unused_exports.is_empty() {
            writeln!(
                out,
                "\nexported, but imported by nothing outside the package ({}):",
                self.unused_exports.len()
            )?;
            for u in &self.unused_exports {
                let at = match (self.package_path(&u.package), u.line) {
                    (Some(path), Some(line)) => format!("{path}:{line}"),
                    (Some(path), None) => path.to_owned(),
                    _ => u.package.clone(),
                };
                writeln!(out, "  {}.{}  ({at})", u.package, u.name)?;
            }
        }
        let mut complex: Vec<(u32, String)> = project
            .files
            .iter()
            .zip(paths)
            .zip(facts)
            .flat_map(|((_, path), facts)| {
                facts
                    .functions
                    .iter()
                    .map(move |f| (f.complexity, format!("{path}:{} {}", f.line, f.qualname)))
            })
            .collect();
        complex.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        if !complex.is_empty() {
            writeln!(out, "\nmost complex functions:")?;
            for (c, name) in complex.iter().take(10) {
                writeln!(out, "  {c:>4}  {name}")?;
            }
        }
        Ok(())
    }
}
