//! The contract types. One module each; every type documents what it does, why it matters and
//! an example configuration.

mod acyclic_siblings;
mod forbidden;
mod independence;
mod layers;
mod private_modules;
mod private_names;
mod protected;
mod public_interface;

use archlint_graph::{GraphView, ImportGraph, ModuleExpression};

pub use acyclic_siblings::AcyclicSiblingsContract;
pub use forbidden::ForbiddenContract;
pub use independence::IndependenceContract;
pub use layers::LayersContract;
pub use private_modules::PrivateModulesContract;
pub use private_names::PrivateNamesContract;
pub use protected::ProtectedContract;
pub use public_interface::PublicInterfaceContract;

use crate::ContractResult;
use crate::config::{ContractConfig, RawValue, Settings};
use crate::options::{AlertLevel, ContractError, ImportExpression, OptionReader};
use crate::routes::apply_ignores;
use crate::symbols::SymbolIndex;

/// A validated contract of any type.
#[derive(Debug, Clone)]
pub enum Contract {
    /// `type = forbidden`
    Forbidden(ForbiddenContract),
    /// `type = layers`
    Layers(LayersContract),
    /// `type = independence`
    Independence(IndependenceContract),
    /// `type = protected`
    Protected(ProtectedContract),
    /// `type = private_modules`
    PrivateModules(PrivateModulesContract),
    /// `type = acyclic_siblings`
    AcyclicSiblings(AcyclicSiblingsContract),
    /// `type = public_interface` (archlint's own, symbol-level)
    PublicInterface(PublicInterfaceContract),
    /// `type = private_names` (archlint's own, symbol-level)
    PrivateNames(PrivateNamesContract),
}

/// The contract types that read symbol facts (archlint's own; import-linter has none).
pub const SYMBOL_CONTRACT_TYPES: [&str; 2] = ["public_interface", "private_names"];

/// What every contract carries besides its type-specific options.
#[derive(Debug, Clone)]
pub struct ContractMeta {
    /// Section id.
    pub id: Option<String>,
    /// Display name.
    pub name: String,
    /// Line in the configuration file.
    pub line: Option<u32>,
    /// Text shown after the violations of a broken contract.
    pub guidance: Option<String>,
}

impl ContractMeta {
    pub(crate) fn error(&self, message: impl Into<String>) -> ContractError {
        ContractError {
            contract: self.name.clone(),
            option: None,
            line: self.line,
            message: message.into(),
        }
    }

    /// An empty (kept) result and a view of the graph with the contract's ignored imports hidden.
    pub(crate) fn start<'g>(
        &self,
        kind: &str,
        graph: &'g ImportGraph,
        ignores: &[ImportExpression],
        alert: AlertLevel,
    ) -> Result<(ContractResult, GraphView<'g>), ContractError> {
        let mut result = self.result(kind);
        let mut view = graph.view();
        let (warnings, ignored) =
            apply_ignores(&mut view, ignores, alert).map_err(|m| self.error(m))?;
        result.warnings = warnings;
        result.ignored_imports = ignored;
        Ok((result, view))
    }

    pub(crate) fn result(&self, kind: &str) -> ContractResult {
        ContractResult {
            id: self.id.clone(),
            name: self.name.clone(),
            kind: kind.to_owned(),
            kept: true,
            violations: Vec::new(),
            undeclared_modules: Vec::new(),
            warnings: Vec::new(),
            ignored_imports: 0,
            unmatched_expressions: Vec::new(),
            guidance: self.guidance.clone(),
            rendered: None,
        }
    }
}

/// Why a single-valued option (`name`, `type`) has no value: absent, or continued by an
/// indented line that follows it (`type = layers` then `    junk`).
fn missing_or_multiline(
    reader: &OptionReader,
    config: &ContractConfig,
    key: &str,
) -> ContractError {
    match config.options.get(key) {
        Some(RawValue::Many(values)) => reader.error(
            Some(key),
            format!(
                "Expected a single value, got multiple values ({}): an indented line continues \
                 the option above it.",
                values
                    .iter()
                    .map(|v| format!("'{v}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        _ => reader.error(Some(key), "This is a required field."),
    }
}

impl Contract {
    /// Validate a configured contract.
    pub fn from_config(config: &ContractConfig) -> Result<Self, ContractError> {
        let label = match (config.options.get("name"), &config.id) {
            (Some(RawValue::One(n)), _) => n.clone(),
            (_, Some(id)) => id.clone(),
            _ => "<unnamed>".to_owned(),
        };
        let mut reader = OptionReader::new(config, label.clone());
        let name = reader.string("name");
        let kind = reader.string("type");
        let guidance = reader.text("broken_contract_guidance");
        let Some(name) = name else {
            return Err(missing_or_multiline(&reader, config, "name"));
        };
        let meta = ContractMeta {
            id: config.id.clone(),
            name,
            line: config.line,
            guidance,
        };
        let Some(kind) = kind else {
            return Err(missing_or_multiline(&reader, config, "type"));
        };
        let contract = match kind.as_str() {
            "forbidden" => Contract::Forbidden(ForbiddenContract::read(meta, &mut reader)),
            "layers" => Contract::Layers(LayersContract::read(meta, &mut reader)),
            "independence" => Contract::Independence(IndependenceContract::read(meta, &mut reader)),
            "protected" => Contract::Protected(ProtectedContract::read(meta, &mut reader)),
            "private_modules" => {
                Contract::PrivateModules(PrivateModulesContract::read(meta, &mut reader))
            }
            "acyclic_siblings" => {
                Contract::AcyclicSiblings(AcyclicSiblingsContract::read(meta, &mut reader))
            }
            "public_interface" => {
                Contract::PublicInterface(PublicInterfaceContract::read(meta, &mut reader))
            }
            "private_names" => {
                Contract::PrivateNames(PrivateNamesContract::read(meta, &mut reader))
            }
            other => {
                return Err(reader.error(
                    Some("type"),
                    format!(
                        "unknown contract type '{other}' (expected forbidden, layers, independence, \
                         protected, private_modules, acyclic_siblings, public_interface or private_names)"
                    ),
                ));
            }
        };
        reader.finish()?;
        contract.validate()?;
        Ok(contract)
    }

    /// Shared data.
    pub fn meta(&self) -> &ContractMeta {
        match self {
            Contract::Forbidden(c) => &c.meta,
            Contract::Layers(c) => &c.meta,
            Contract::Independence(c) => &c.meta,
            Contract::Protected(c) => &c.meta,
            Contract::PrivateModules(c) => &c.meta,
            Contract::AcyclicSiblings(c) => &c.meta,
            Contract::PublicInterface(c) => &c.meta,
            Contract::PrivateNames(c) => &c.meta,
        }
    }

    /// The contract type's name as configured.
    pub fn kind(&self) -> &'static str {
        match self {
            Contract::Forbidden(_) => "forbidden",
            Contract::Layers(_) => "layers",
            Contract::Independence(_) => "independence",
            Contract::Protected(_) => "protected",
            Contract::PrivateModules(_) => "private_modules",
            Contract::AcyclicSiblings(_) => "acyclic_siblings",
            Contract::PublicInterface(_) => "public_interface",
            Contract::PrivateNames(_) => "private_names",
        }
    }

    fn validate(&self) -> Result<(), ContractError> {
        match self {
            Contract::Layers(c) => c.validate(),
            Contract::AcyclicSiblings(c) => c.validate(),
            Contract::PrivateModules(c) => c.validate(),
            _ => Ok(()),
        }
    }

    /// Whether the contract reads symbol facts ([`Contract::check_with_symbols`]).
    pub fn needs_symbols(&self) -> bool {
        matches!(
            self,
            Contract::PublicInterface(_) | Contract::PrivateNames(_)
        )
    }

    /// Check the contract against the graph (a symbol-level contract sees no symbols: use
    /// [`Contract::check_with_symbols`] for those).
    pub fn check(
        &self,
        graph: &ImportGraph,
        settings: &Settings,
    ) -> Result<ContractResult, ContractError> {
        self.check_with_symbols(graph, settings, &SymbolIndex::default())
    }

    /// Check the contract against the graph and, for the symbol-level contracts, the symbols.
    pub fn check_with_symbols(
        &self,
        graph: &ImportGraph,
        settings: &Settings,
        symbols: &SymbolIndex,
    ) -> Result<ContractResult, ContractError> {
        // A wildcard that matches nothing leaves the contract kept without checking anything
        // for it: import-linter says nothing; archlint warns, or fails the contract.
        let unmatched: Vec<(&str, &ModuleExpression)> = self
            .wildcard_options()
            .into_iter()
            .flat_map(|(option, exprs)| exprs.iter().map(move |e| (option, e)))
            .filter(|(_, e)| e.has_wildcard() && graph.find_matching_modules(e).is_empty())
            .collect();
        if let Some((_, expr)) = unmatched.first()
            && settings.unmatched_modules_alerting() == AlertLevel::Error
        {
            return Err(self.meta().error(format!(
                "The expression '{expr}' did not match any modules."
            )));
        }
        let mut result = match self {
            Contract::Forbidden(c) => c.check(graph, settings),
            Contract::Layers(c) => c.check(graph, settings),
            Contract::Independence(c) => c.check(graph),
            Contract::Protected(c) => c.check(graph),
            Contract::PrivateModules(c) => c.check(graph),
            Contract::AcyclicSiblings(c) => c.check(graph),
            Contract::PublicInterface(c) => c.check(graph, symbols),
            Contract::PrivateNames(c) => c.check(graph, symbols),
        }?;
        if settings.unmatched_modules_alerting() == AlertLevel::Warn {
            result.unmatched_expressions = unmatched
                .iter()
                .map(|(option, expr)| format!("{option} '{expr}'"))
                .collect();
        }
        Ok(result)
    }

    /// The options of module expressions whose wildcards, matching nothing, would make the
    /// contract hold vacuously.
    fn wildcard_options(&self) -> Vec<(&'static str, &[ModuleExpression])> {
        match self {
            Contract::Forbidden(c) => c.wildcard_options(),
            Contract::Independence(c) => c.wildcard_options(),
            Contract::Protected(c) => c.wildcard_options(),
            Contract::PublicInterface(c) => c.wildcard_options(),
            Contract::PrivateNames(c) => c.wildcard_options(),
            _ => Vec::new(),
        }
    }
}

/// Module names for expressions: wildcards expand against the graph, plain names are taken as
/// written (existence is each contract's own check). With `as_packages`, descendants are added.
pub(crate) fn expand(
    graph: &ImportGraph,
    exprs: &[ModuleExpression],
    as_packages: bool,
    raise_if_unmatched: bool,
    meta: &ContractMeta,
) -> Result<Vec<String>, ContractError> {
    let mut out: Vec<String> = Vec::new();
    for expr in exprs {
        let mut names: Vec<String> = if expr.has_wildcard() {
            let found: Vec<String> = graph
                .find_matching_modules(expr)
                .into_iter()
                .map(|m| graph.name(m).to_owned())
                .collect();
            if raise_if_unmatched && found.is_empty() {
                return Err(meta.error(format!(
                    "The expression '{expr}' did not match any modules."
                )));
            }
            found
        } else {
            if raise_if_unmatched && graph.id(expr.as_str()).is_none() {
                return Err(meta.error(format!("Module '{expr}' does not exist.")));
            }
            vec![expr.as_str().to_owned()]
        };
        if as_packages {
            let extra: Vec<String> = names
                .iter()
                .filter_map(|n| graph.id(n))
                .flat_map(|id| graph.descendants(id))
                .map(|d| graph.name(d).to_owned())
                .collect();
            names.extend(extra);
        }
        out.extend(names);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

pub(crate) use crate::symbols::name_in_package;
