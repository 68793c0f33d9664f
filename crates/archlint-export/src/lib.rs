//! The exports of an analysis: the mapping of modules, imports, contracts, findings and
//! dependencies to PostgreSQL rows ([`postgres`]) and to Neo4j nodes and relationships
//! ([`neo4j`]), beside the writers in archlint-store and archlint-neo4j. Every file's facts come
//! from the engine ([`archlint_engine::Project::facts_of`]): kept, decoded from the cache, or —
//! without one — parsed.

pub mod neo4j;
pub mod postgres;

use anyhow::Result;
use archlint_check::{CheckOptions, Report};
use archlint_engine::KeepFacts;
use archlint_facts::ModuleFacts;
use archlint_graph::{GraphOptions, ModuleInput, ResolvedImport};
use archlint_store::ModuleKey;
use rustc_hash::FxHashSet;
use serde::Serialize;

/// The check options of an export: `options` with every contract, nothing required, and every
/// file's facts kept (`all_facts`, for an export of every module) or at hand on request.
pub fn export_options(options: CheckOptions, all_facts: bool) -> CheckOptions {
    CheckOptions {
        contracts: Vec::new(),
        require_checks: false,
        keep_facts: if all_facts {
            KeepFacts::All
        } else {
            KeepFacts::OnDemand
        },
        ..options
    }
}

/// Check for an export (see [`export_options`]).
pub fn gather(options: CheckOptions, all_facts: bool) -> Result<Report> {
    archlint_check::check(&export_options(options, all_facts))
}

/// The name a serialized enum goes by (`"error"`), or its `verdict` tag.
pub(crate) fn tag<T: Serialize>(value: &T) -> String {
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
pub(crate) fn module_keys(g: &Report) -> Vec<ModuleKey> {
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

/// Every import of the file at `index`, resolved as the graph resolves it, with external
/// imports kept (as their top-level package).
pub(crate) fn resolved_imports(
    g: &Report,
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
pub(crate) fn kind_name(kind: archlint_facts::ImportKind) -> &'static str {
    match kind {
        archlint_facts::ImportKind::Import => "import",
        archlint_facts::ImportKind::From => "from",
        archlint_facts::ImportKind::Star => "star",
        archlint_facts::ImportKind::Dynamic => "dynamic",
    }
}
