//! Architecture contracts, compatible with import-linter.
//!
//! A contract is configured as data ([`config`]), validated into a typed [`Contract`], and
//! checked against an [`ImportGraph`] to give a [`ContractResult`]. Nothing here reads source
//! files, prints, or times anything: rendering is the caller's business.

/// The configuration types contracts are built from (owned by `archlint-config`).
pub use archlint_config as config;
mod contracts;
mod options;
mod routes;
pub mod symbols;

pub use contracts::{Contract, SYMBOL_CONTRACT_TYPES};
pub use options::ContractError;

use serde::{Deserialize, Serialize};

/// The codes the contracts report: each contract type's name, and `exhaustive-layers`.
pub mod codes {
    archlint_facts::codes! {
        CATALOG;
        Layers = "layers", "A layer imports a higher layer";
        Forbidden = "forbidden", "A module imports a forbidden module";
        Independence = "independence", "Independent modules import each other";
        Protected = "protected", "A protected module is imported from outside its allowed importers";
        PrivateModules = "private_modules", "A private module is imported from outside its parent package";
        AcyclicSiblings = "acyclic_siblings", "Sibling modules import each other in a cycle";
        PublicInterface = "public_interface", "A module outside a package imports a name the package does not export";
        PrivateNames = "private_names", "A private name is imported from outside its package";
        ExhaustiveLayers = "exhaustive-layers", "A child of a layers container is not listed as a layer";
    }
}

/// Every finding code the contracts report, with its one-line summary (SARIF's rule list).
pub use codes::CATALOG;

/// One import statement in a chain: importer → imported, with the lines it occurs on. (Fields
/// in name order: the JSON report's keys are written in this order and come out sorted.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// Where the imported name is defined (symbol-level contracts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defined: Option<DefinedAt>,
    /// Imported module (for the symbol-level contracts, the imported name, `module.name`).
    pub imported: String,
    /// Importing module.
    pub importer: String,
    /// Lines of the import statements (sorted; empty when unknown).
    pub lines: Vec<u32>,
}

/// Where a name is defined: its module and the line of its module-level binding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefinedAt {
    pub line: u32,
    pub module: String,
}

/// A chain of imports, with extra starting and ending imports that share its middle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// The chain, first import first.
    pub chain: Vec<Link>,
    /// Other imports into the chain's second module from the importing package.
    pub extra_firsts: Vec<Link>,
    /// Other imports out of the chain's second-to-last module into the imported package.
    pub extra_lasts: Vec<Link>,
}

impl Route {
    /// Whether this is a single direct import (plus any alternatives with the same ends).
    pub fn is_direct(&self) -> bool {
        self.chain.len() == 1
    }
}

/// One broken rule of a contract. (Fields in name order, as for [`Link`].)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// The imported module or package (the upstream side).
    pub imported: String,
    /// The importing module or package (the downstream side).
    pub importer: String,
    /// Every route that breaks the rule.
    pub routes: Vec<Route>,
    /// Headline, e.g. `app.domain is not allowed to import app.infra:`.
    pub summary: String,
}

/// The outcome of checking one contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractResult {
    /// Contract id (section id), when there is one.
    pub id: Option<String>,
    /// Contract name.
    pub name: String,
    /// Contract type, e.g. `layers`.
    pub kind: String,
    /// Whether the contract is kept.
    pub kept: bool,
    /// What breaks it.
    pub violations: Vec<Violation>,
    /// Layers contracts marked `exhaustive`: children of containers not listed as layers.
    pub undeclared_modules: Vec<String>,
    /// Warnings (e.g. unmatched ignored imports with `unmatched_ignore_imports_alerting = warn`).
    pub warnings: Vec<String>,
    /// Number of imports removed by `ignore_imports`.
    pub ignored_imports: usize,
    /// Wildcard expressions that matched no module (`option 'expression'`), so the contract
    /// checks nothing for them; reported as a warning unless `unmatched_modules_alerting` says
    /// otherwise. Not part of import-linter's report.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmatched_expressions: Vec<String>,
    /// Guidance to show when broken.
    pub guidance: Option<String>,
    /// The contract's own account of what breaks it, as its class renders it (custom contract
    /// types, whose violations archlint does not model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rendered: Option<String>,
}

impl ContractResult {
    /// Every direct import (importer, imported) that breaks the contract.
    pub fn direct_imports(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .violations
            .iter()
            .flat_map(|v| v.routes.iter())
            .filter(|r| r.is_direct())
            .flat_map(|r| r.chain.iter().chain(&r.extra_firsts).chain(&r.extra_lasts))
            .map(|l| (l.importer.clone(), l.imported.clone()))
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests;
