//! What every export shares: the analysis it runs (every contract, the dependency checks and
//! rules when configured, the findings model) and the mapping of modules and imports to rows.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use archlint_facts::ModuleFacts;
use archlint_findings::Report;
use archlint_graph::{GraphOptions, ModuleInput, ResolvedImport};
use archlint_store::ModuleKey;
use rustc_hash::FxHashSet;
use serde::Serialize;

use crate::analysis::{Analysis, Selection, analyze};
use crate::args::ProjectArgs;

/// What to analyse before exporting (or serving).
#[derive(Debug, Clone, clap::Args)]
pub struct AnalysisArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Also check dependencies (the default when a dependency policy is configured).
    #[arg(long, conflicts_with = "no_deps")]
    pub deps: bool,
    /// Skip the dependency checks.
    #[arg(long)]
    pub no_deps: bool,
    /// Also run the code-structure rules (the default when configured).
    #[arg(long, conflicts_with = "no_rules")]
    pub rules: bool,
    /// Skip the code-structure rules.
    #[arg(long)]
    pub no_rules: bool,
    #[command(flatten)]
    pub env: crate::args::EnvArgs,
}

impl AnalysisArgs {
    /// The analysis these flags ask for: every contract, nothing required to be configured.
    pub fn selection(&self, keep_facts: bool, keep_parsed_facts: bool) -> Selection<'_> {
        Selection {
            project: &self.project,
            env: &self.env,
            deps: self.deps,
            no_deps: self.no_deps,
            rules: self.rules,
            no_rules: self.no_rules,
            contracts: &[],
            keep_facts,
            keep_parsed_facts,
            require_checks: false,
        }
    }
}

/// An analysis with everything an export writes: every file's facts and the findings model.
pub struct Gathered {
    pub analysis: Analysis,
    pub report: Report,
    pub analysis_ms: f64,
}

/// Analyse for an export. `all_facts`: decode every file's facts (else only those at hand are
/// kept, and [`facts_of`] parses a file again when its facts are needed).
pub fn gather(args: &AnalysisArgs, all_facts: bool) -> Result<Gathered> {
    let started = Instant::now();
    let analysis = analyze(&args.selection(all_facts, !all_facts))?;
    let analysis_ms = started.elapsed().as_secs_f64() * 1000.0;
    let report = analysis.findings(analysis_ms / 1000.0);
    Ok(Gathered {
        analysis,
        report,
        analysis_ms,
    })
}

/// The name a serialized enum goes by (`"error"`), or its `verdict` tag.
pub fn tag<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Object(o)) => o
            .get("verdict")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned(),
        _ => String::new(),
    }
}

/// Each module's key: name, path, and content hash (hashed here when the cache did not).
pub fn module_keys(g: &Gathered) -> Vec<ModuleKey> {
    let project = &g.analysis.project;
    project
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let hash = match project.content_hashes.get(i).copied().flatten() {
                Some(h) => h.to_hex(),
                None => match std::fs::read(&f.path) {
                    Ok(bytes) => archlint_cache::content_hash(&bytes).to_hex(),
                    Err(_) => "unreadable".into(),
                },
            };
            ModuleKey {
                name: f.module.clone(),
                path: archlint_engine::display_path(&project.root, &f.path),
                is_package: f.is_package,
                content_hash: hash,
            }
        })
        .collect()
}

/// The facts of the file at `index`: kept by the analysis, or parsed again.
pub fn facts_of(g: &Gathered, index: usize) -> Arc<ModuleFacts> {
    let project = &g.analysis.project;
    if let Some(f) = project.facts.as_ref().and_then(|f| f.get(index)) {
        return Arc::clone(f);
    }
    if let Some(Some(f)) = project.parsed_facts.get(index) {
        return Arc::clone(f);
    }
    Arc::new(archlint_parser::parse_file(
        &project.files[index].path,
        &archlint_engine::parse_settings(&project.settings),
    ))
}

/// Every import of the file at `index`, resolved as the graph resolves it, with external
/// imports kept (as their top-level package).
pub fn resolved_imports(
    g: &Gathered,
    names: &FxHashSet<&str>,
    index: usize,
    facts: &ModuleFacts,
) -> Vec<ResolvedImport> {
    let project = &g.analysis.project;
    let file = &project.files[index];
    let settings = &project.settings;
    let options = GraphOptions {
        include_external_packages: true,
        exclude_type_checking_imports: settings.exclude_type_checking_imports,
        include_dynamic_imports: settings.include_dynamic_imports,
    };
    archlint_graph::resolve_imports(
        &ModuleInput {
            name: &file.module,
            is_package: file.is_package,
            facts,
        },
        names,
        &settings.root_packages,
        &options,
    )
}

/// The name of an import's kind in exports.
pub fn kind_name(kind: archlint_facts::ImportKind) -> &'static str {
    match kind {
        archlint_facts::ImportKind::Import => "import",
        archlint_facts::ImportKind::From => "from",
        archlint_facts::ImportKind::Star => "star",
        archlint_facts::ImportKind::Dynamic => "dynamic",
    }
}
