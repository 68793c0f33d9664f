//! The PostgreSQL store: analysis results in tables a team can query.
//!
//! One export is one transaction: the schema is migrated if needed, the project's modules are
//! compared by content hash with what the database holds, and only new or changed modules
//! (with their imports) are rewritten, with COPY; removed modules are deleted. The run's
//! contracts, findings, distributions, licenses, vulnerabilities and timings are added under a
//! new run. Anything that fails rolls the whole export back.

mod copy;
mod load;
pub mod schema;

use std::time::Duration;

pub use load::ExportSummary;

/// What one export writes, apart from the modules.
#[derive(Debug, Clone, Default)]
pub struct RunInput {
    /// The project root, as the project's key.
    pub project_root: String,
    pub tool_version: String,
    /// Wall time of the analysis being exported.
    pub analysis_ms: f64,
    pub contracts: Vec<ContractRow>,
    pub findings: Vec<FindingRow>,
    pub distributions: Vec<DistributionRow>,
    pub licenses: Vec<LicenseRow>,
    pub vulnerabilities: Vec<VulnerabilityRow>,
    /// Phase name and milliseconds.
    pub timings: Vec<(String, f64)>,
}

/// A module as the project has it now: enough to tell whether its rows must be rewritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleKey {
    pub name: String,
    pub path: String,
    pub is_package: bool,
    /// Hex content hash of the file.
    pub content_hash: String,
}

/// The rows of one module that is written.
#[derive(Debug, Clone, Default)]
pub struct ModuleRows {
    pub size_bytes: i64,
    pub lines: i32,
    pub classes: i32,
    pub functions: i32,
    pub imports: Vec<ImportRow>,
}

/// One import statement of a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub imported: String,
    pub external: bool,
    pub line: i32,
    pub column: i32,
    /// `import`, `from`, `star` or `dynamic`.
    pub kind: &'static str,
    pub type_checking: bool,
    pub in_function: bool,
}

#[derive(Debug, Clone)]
pub struct ContractRow {
    pub id: Option<String>,
    pub name: String,
    pub kind: String,
    pub kept: bool,
    pub violations: i32,
}

#[derive(Debug, Clone)]
pub struct FindingRow {
    /// `contract`, `dependencies`, `rule` or `sources`.
    pub check_kind: String,
    pub check_name: String,
    pub code: String,
    pub severity: String,
    pub message: String,
    pub path: Option<String>,
    pub line: Option<i32>,
    pub column: Option<i32>,
    pub identity: String,
    pub suppressed: Option<String>,
    /// The chain of imports, as JSON.
    pub chain: serde_json::Value,
}

#[derive(Debug, Clone)]
pub struct DistributionRow {
    pub name: String,
    pub normalized: String,
    pub version: String,
    pub role: String,
    pub editable: bool,
}

#[derive(Debug, Clone)]
pub struct LicenseRow {
    pub distribution: String,
    pub expression: Option<String>,
    pub status: String,
    pub source: Option<String>,
    pub verdict: String,
    pub raw: Option<String>,
}

#[derive(Debug, Clone)]
pub struct VulnerabilityRow {
    pub distribution: String,
    pub version: String,
    pub advisory: String,
    pub aliases: Vec<String>,
    pub summary: String,
    pub fixed: Option<String>,
}

/// Why an export failed. Nothing of it was written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("invalid database URL: {0}")]
    Url(String),
    #[error("cannot connect to PostgreSQL at {target}: {reason}")]
    Connect { target: String, reason: String },
    #[error(
        "the database schema is version {found}, newer than this archlint supports ({supported}); \
         upgrade archlint or export to another database"
    )]
    NewerSchema { found: i32, supported: i32 },
    #[error("PostgreSQL: {0}")]
    Database(String),
    #[error("{0}")]
    Runtime(String),
}

/// Where to export and how long to wait for the server.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: String,
    pub connect_timeout: Duration,
}

impl Target {
    pub fn new(url: impl Into<String>) -> Self {
        Target {
            url: url.into(),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// Export one run. `rows` is asked for the rows of the modules (indices into `modules`) that
/// are new or whose content hash changed; the others are left as they are.
pub fn export(
    target: &Target,
    run: &RunInput,
    modules: &[ModuleKey],
    rows: &mut dyn FnMut(&[usize]) -> Vec<ModuleRows>,
) -> Result<ExportSummary, StoreError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| StoreError::Runtime(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(load::export(target, run, modules, rows))
}

/// Apply the migrations to the database at `target` (what an export does first), returning the
/// schema version.
pub fn migrate(target: &Target) -> Result<i32, StoreError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| StoreError::Runtime(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(load::migrate_only(target))
}
