//! What `tach check` reports, in tach's own shapes: serialised, a list of these is exactly
//! what `tach check --output json` prints, and the messages are tach's word for word.

use serde::Serialize;

/// Error or warning (tach's order: errors sort before warnings in its JSON, warnings first in
/// its text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Severity {
    Error,
    Warning,
}

/// A problem with the configuration or with reading a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum ConfigurationDiagnostic {
    ModuleNotFound { file_mod_path: String },
    UnknownLayer { layer: String },
    SkippedFileSyntaxError { file_path: String },
    SkippedFileIoError { file_path: String },
    NoFirstPartyImportsFound(),
}

/// A problem with one import.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum CodeDiagnostic {
    PrivateDependency {
        dependency: String,
        definition_module: String,
        usage_module: String,
    },
    UndeclaredDependency {
        dependency: String,
        usage_module: String,
        definition_module: String,
    },
    DeprecatedDependency {
        dependency: String,
        usage_module: String,
        definition_module: String,
    },
    ForbiddenDependency {
        dependency: String,
        usage_module: String,
        definition_module: String,
    },
    LayerViolation {
        dependency: String,
        usage_module: String,
        usage_layer: String,
        definition_module: String,
        definition_layer: String,
    },
    ClosedLayerViolation {
        dependency: String,
        usage_module: String,
        usage_layer: String,
        definition_module: String,
        definition_layer: String,
        closed_layer: String,
    },
    UnusedIgnoreDirective(),
    MissingIgnoreDirectiveReason(),
    /// `tach check-external`: an import of a distribution its package does not declare.
    UndeclaredExternalDependency {
        dependency: String,
        package_name: String,
    },
    /// `tach check-external`: a declared distribution nothing in its package imports.
    UnusedExternalDependency {
        package_module_name: String,
        package_name: String,
    },
    /// `tach check-external`: not in the module's `depends_on_external`.
    ModuleUndeclaredExternalDependency {
        dependency: String,
        usage_module: String,
    },
    /// `tach check-external`: in the module's `cannot_depend_on_external`.
    ModuleForbiddenExternalDependency {
        dependency: String,
        usage_module: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum DiagnosticDetails {
    Code(CodeDiagnostic),
    Configuration(ConfigurationDiagnostic),
}

/// One finding: about the whole project, or at a line of a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum Diagnostic {
    Global {
        severity: Severity,
        details: DiagnosticDetails,
    },
    Located {
        /// Relative to the project root, `/`-separated.
        file_path: String,
        /// The line of the imported name.
        line_number: u32,
        /// The line of the import statement.
        original_line_number: Option<u32>,
        severity: Severity,
        details: DiagnosticDetails,
    },
}

impl Diagnostic {
    pub fn severity(&self) -> Severity {
        match self {
            Diagnostic::Global { severity, .. } | Diagnostic::Located { severity, .. } => *severity,
        }
    }

    pub fn details(&self) -> &DiagnosticDetails {
        match self {
            Diagnostic::Global { details, .. } | Diagnostic::Located { details, .. } => details,
        }
    }

    pub fn file_path(&self) -> Option<&str> {
        match self {
            Diagnostic::Global { .. } => None,
            Diagnostic::Located { file_path, .. } => Some(file_path),
        }
    }

    pub fn line_number(&self) -> Option<u32> {
        match self {
            Diagnostic::Global { .. } => None,
            Diagnostic::Located { line_number, .. } => Some(*line_number),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }

    /// tach's message for it.
    pub fn message(&self) -> String {
        self.details().message()
    }

    /// A stable name for the kind (`UndeclaredDependency`, `ModuleNotFound`, …).
    pub fn kind(&self) -> &'static str {
        self.details().kind()
    }

    /// The section of tach's text report it is listed under.
    pub fn group(&self) -> Group {
        match self.details() {
            DiagnosticDetails::Configuration(_) => Group::Configuration,
            DiagnosticDetails::Code(
                CodeDiagnostic::UnusedIgnoreDirective()
                | CodeDiagnostic::MissingIgnoreDirectiveReason(),
            ) => Group::General,
            DiagnosticDetails::Code(CodeDiagnostic::PrivateDependency { .. }) => Group::Interface,
            DiagnosticDetails::Code(
                CodeDiagnostic::UndeclaredExternalDependency { .. }
                | CodeDiagnostic::UnusedExternalDependency { .. }
                | CodeDiagnostic::ModuleUndeclaredExternalDependency { .. }
                | CodeDiagnostic::ModuleForbiddenExternalDependency { .. },
            ) => Group::ExternalDependency,
            DiagnosticDetails::Code(_) => Group::InternalDependency,
        }
    }

    /// The importing and imported tach modules, for findings that have them.
    pub fn modules(&self) -> Option<(&str, &str)> {
        match self.details() {
            DiagnosticDetails::Code(
                CodeDiagnostic::PrivateDependency {
                    usage_module,
                    definition_module,
                    ..
                }
                | CodeDiagnostic::UndeclaredDependency {
                    usage_module,
                    definition_module,
                    ..
                }
                | CodeDiagnostic::DeprecatedDependency {
                    usage_module,
                    definition_module,
                    ..
                }
                | CodeDiagnostic::ForbiddenDependency {
                    usage_module,
                    definition_module,
                    ..
                }
                | CodeDiagnostic::LayerViolation {
                    usage_module,
                    definition_module,
                    ..
                }
                | CodeDiagnostic::ClosedLayerViolation {
                    usage_module,
                    definition_module,
                    ..
                },
            ) => Some((usage_module, definition_module)),
            _ => None,
        }
    }

    /// The imported path (`core.main.DataModel`), for findings about an import.
    pub fn dependency(&self) -> Option<&str> {
        match self.details() {
            DiagnosticDetails::Code(
                CodeDiagnostic::PrivateDependency { dependency, .. }
                | CodeDiagnostic::UndeclaredDependency { dependency, .. }
                | CodeDiagnostic::DeprecatedDependency { dependency, .. }
                | CodeDiagnostic::ForbiddenDependency { dependency, .. }
                | CodeDiagnostic::LayerViolation { dependency, .. }
                | CodeDiagnostic::ClosedLayerViolation { dependency, .. }
                | CodeDiagnostic::UndeclaredExternalDependency { dependency, .. }
                | CodeDiagnostic::ModuleUndeclaredExternalDependency { dependency, .. }
                | CodeDiagnostic::ModuleForbiddenExternalDependency { dependency, .. }
                | CodeDiagnostic::UnusedExternalDependency {
                    package_module_name: dependency,
                    ..
                },
            ) => Some(dependency),
            _ => None,
        }
    }
}

/// The sections of tach's text report, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    General,
    Configuration,
    Interface,
    InternalDependency,
    ExternalDependency,
}

impl Group {
    /// Its heading in tach's text report.
    pub fn title(self) -> &'static str {
        match self {
            Group::General => "General",
            Group::Configuration => "Configuration",
            Group::Interface => "Interfaces",
            Group::InternalDependency => "Internal Dependencies",
            Group::ExternalDependency => "External Dependencies",
        }
    }
}

impl DiagnosticDetails {
    pub fn kind(&self) -> &'static str {
        match self {
            DiagnosticDetails::Configuration(c) => match c {
                ConfigurationDiagnostic::ModuleNotFound { .. } => "ModuleNotFound",
                ConfigurationDiagnostic::UnknownLayer { .. } => "UnknownLayer",
                ConfigurationDiagnostic::SkippedFileSyntaxError { .. } => "SkippedFileSyntaxError",
                ConfigurationDiagnostic::SkippedFileIoError { .. } => "SkippedFileIoError",
                ConfigurationDiagnostic::NoFirstPartyImportsFound() => "NoFirstPartyImportsFound",
            },
            DiagnosticDetails::Code(c) => match c {
                CodeDiagnostic::PrivateDependency { .. } => "PrivateDependency",
                CodeDiagnostic::UndeclaredDependency { .. } => "UndeclaredDependency",
                CodeDiagnostic::DeprecatedDependency { .. } => "DeprecatedDependency",
                CodeDiagnostic::ForbiddenDependency { .. } => "ForbiddenDependency",
                CodeDiagnostic::LayerViolation { .. } => "LayerViolation",
                CodeDiagnostic::ClosedLayerViolation { .. } => "ClosedLayerViolation",
                CodeDiagnostic::UnusedIgnoreDirective() => "UnusedIgnoreDirective",
                CodeDiagnostic::MissingIgnoreDirectiveReason() => "MissingIgnoreDirectiveReason",
                CodeDiagnostic::UndeclaredExternalDependency { .. } => {
                    "UndeclaredExternalDependency"
                }
                CodeDiagnostic::UnusedExternalDependency { .. } => "UnusedExternalDependency",
                CodeDiagnostic::ModuleUndeclaredExternalDependency { .. } => {
                    "ModuleUndeclaredExternalDependency"
                }
                CodeDiagnostic::ModuleForbiddenExternalDependency { .. } => {
                    "ModuleForbiddenExternalDependency"
                }
            },
        }
    }

    pub fn message(&self) -> String {
        match self {
            DiagnosticDetails::Configuration(c) => match c {
                ConfigurationDiagnostic::ModuleNotFound { file_mod_path } => {
                    format!("Module containing '{file_mod_path}' not found in project.")
                }
                ConfigurationDiagnostic::UnknownLayer { layer } => {
                    format!("Layer '{layer}' is not defined in the project.")
                }
                ConfigurationDiagnostic::SkippedFileSyntaxError { file_path } => {
                    format!("Skipped '{file_path}' due to a syntax error.")
                }
                ConfigurationDiagnostic::SkippedFileIoError { file_path } => {
                    format!("Skipped '{file_path}' due to an I/O error.")
                }
                ConfigurationDiagnostic::NoFirstPartyImportsFound() => {
                    "No first-party imports were found. You may need to use 'tach mod' to update \
                     your Python source roots. Docs: https://docs.gauge.sh/usage/configuration#source-roots"
                        .to_owned()
                }
            },
            DiagnosticDetails::Code(c) => match c {
                CodeDiagnostic::PrivateDependency {
                    dependency,
                    definition_module,
                    ..
                } => format!(
                    "The path '{dependency}' is not part of the public interface for \
                     '{definition_module}'."
                ),
                CodeDiagnostic::UndeclaredDependency {
                    dependency,
                    usage_module,
                    definition_module,
                }
                | CodeDiagnostic::ForbiddenDependency {
                    dependency,
                    usage_module,
                    definition_module,
                } => format!(
                    "Cannot use '{dependency}'. Module '{usage_module}' cannot depend on \
                     '{definition_module}'."
                ),
                CodeDiagnostic::DeprecatedDependency {
                    dependency,
                    usage_module,
                    definition_module,
                } => format!(
                    "Dependency '{dependency}' is deprecated. Module '{usage_module}' should not \
                     depend on '{definition_module}'."
                ),
                CodeDiagnostic::LayerViolation {
                    dependency,
                    usage_module,
                    usage_layer,
                    definition_module,
                    definition_layer,
                } => format!(
                    "Cannot use '{dependency}'. Layer '{usage_layer}' ('{usage_module}') is lower \
                     than layer '{definition_layer}' ('{definition_module}')."
                ),
                CodeDiagnostic::ClosedLayerViolation {
                    dependency,
                    usage_module,
                    usage_layer,
                    definition_module,
                    definition_layer,
                    closed_layer,
                } => format!(
                    "Cannot use '{dependency}'. Layer '{usage_layer}' ('{usage_module}') cannot \
                     import from layer '{definition_layer}' ('{definition_module}') because layer \
                     '{closed_layer}' is a closed layer between them."
                ),
                CodeDiagnostic::UnusedIgnoreDirective() => "Ignore directive is unused.".to_owned(),
                CodeDiagnostic::MissingIgnoreDirectiveReason() => {
                    "Ignore directive is missing a reason.".to_owned()
                }
                CodeDiagnostic::UndeclaredExternalDependency {
                    dependency,
                    package_name,
                } => format!(
                    "Dependency '{dependency}' is not declared in package '{package_name}'."
                ),
                CodeDiagnostic::UnusedExternalDependency {
                    package_module_name,
                    package_name,
                } => format!(
                    "External package '{package_module_name}' is not used in package \
                     '{package_name}'."
                ),
                CodeDiagnostic::ModuleUndeclaredExternalDependency {
                    dependency,
                    usage_module,
                } => format!(
                    "Module '{usage_module}' does not declare a dependency on external package \
                     '{dependency}'."
                ),
                CodeDiagnostic::ModuleForbiddenExternalDependency {
                    dependency,
                    usage_module,
                } => format!(
                    "Module '{usage_module}' cannot depend on external package '{dependency}'."
                ),
            },
        }
    }
}
