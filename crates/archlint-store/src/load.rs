//! Connecting, migrating and writing one run in one transaction.

use std::collections::HashMap;
use std::time::Instant;

use tokio_postgres::{Client, NoTls, Transaction};

use crate::copy::{self, Value, copy_rows};

use crate::schema::{MIGRATIONS, SCHEMA_VERSION};
use crate::{ModuleKey, ModuleRows, RunInput, StoreError, Target};

/// What an export did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportSummary {
    pub project_id: i64,
    pub run_id: i64,
    pub schema_version: i32,
    pub modules: usize,
    /// Modules new or changed since the previous run, whose rows were (re)written.
    pub modules_written: usize,
    pub modules_removed: usize,
    pub imports_written: usize,
    pub imports: i64,
    pub findings: usize,
    pub elapsed_ms: f64,
    /// Milliseconds per step: connect, migrate, compare, delete, modules, imports, run, commit.
    pub steps: Vec<(&'static str, f64)>,
}

/// Milliseconds per step of an export.
struct Steps {
    last: Instant,
    done: Vec<(&'static str, f64)>,
}

impl Steps {
    fn new() -> Self {
        Steps {
            last: Instant::now(),
            done: Vec::new(),
        }
    }

    fn mark(&mut self, step: &'static str) {
        let now = Instant::now();
        self.done
            .push((step, (now - self.last).as_secs_f64() * 1000.0));
        self.last = now;
    }
}

/// Every archlint writer takes this transaction-scoped lock first, so concurrent exports (and
/// migrations) into one database run one after the other.
const LOCK_KEY: i64 = 0x0061_7263_6c69_6e74;

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        StoreError::Database(describe(&e))
    }
}

/// A message for a driver error: the server's own words when it sent some.
fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut out = format!("{} ({})", db.message(), db.code().code());
        if let Some(detail) = db.detail() {
            out.push_str(&format!("; {detail}"));
        }
        if let Some(hint) = db.hint() {
            out.push_str(&format!("; hint: {hint}"));
        }
        return out;
    }
    if e.is_closed() {
        return "the connection was closed during the export; nothing was written".into();
    }
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(&format!(": {s}"));
        source = s.source();
    }
    out
}

/// `host:port/database` of a configuration, without credentials.
fn where_to(config: &tokio_postgres::Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or("postgres");
    format!("{host}:{port}/{db}")
}

async fn connect(target: &Target) -> Result<Client, StoreError> {
    let mut config: tokio_postgres::Config = target
        .url
        .parse()
        .map_err(|e: tokio_postgres::Error| StoreError::Url(describe(&e)))?;
    if config.get_application_name().is_none() {
        config.application_name("archlint");
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(target.connect_timeout);
    }
    let (client, connection) = config
        .connect(NoTls)
        .await
        .map_err(|e| StoreError::Connect {
            target: where_to(&config),
            reason: describe(&e),
        })?;
    // The connection is driven on the runtime; it ends when the client is dropped.
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// Bring the schema up to [`SCHEMA_VERSION`] inside `tx`; refuse a newer one.
async fn migrate(tx: &Transaction<'_>) -> Result<i32, StoreError> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS archlint_schema (
             version      integer PRIMARY KEY,
             applied_at   timestamptz NOT NULL DEFAULT now(),
             tool_version text NOT NULL
         )",
    )
    .await?;
    let found: i32 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM archlint_schema", &[])
        .await?
        .get(0);
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO archlint_schema (version, tool_version) VALUES ($1, $2)",
            &[&(i as i32 + 1), &env!("CARGO_PKG_VERSION")],
        )
        .await?;
    }
    Ok(SCHEMA_VERSION)
}

pub(crate) async fn migrate_only(target: &Target) -> Result<i32, StoreError> {
    let mut client = connect(target).await?;
    let tx = client.transaction().await?;
    let version = migrate(&tx).await?;
    tx.commit().await?;
    Ok(version)
}

pub(crate) async fn export(
    target: &Target,
    run: &RunInput,
    modules: &[ModuleKey],
    rows: &mut dyn FnMut(&[usize]) -> Vec<ModuleRows>,
) -> Result<ExportSummary, StoreError> {
    let started = Instant::now();
    let mut steps = Steps::new();
    let mut client = connect(target).await?;
    let tx = client.transaction().await?;
    steps.mark("connect");
    let schema_version = migrate(&tx).await?;
    steps.mark("migrate");
    let project_id = project_id(&tx, &run.project_root).await?;
    let cmp = compare(&tx, project_id, modules).await?;
    steps.mark("compare");
    let run_id = insert_run(&tx, project_id, run, modules.len(), &cmp).await?;
    // The import count is kept up to date from the previous run's, not counted again.
    let previous_imports: i64 = tx
        .query_opt(
            "SELECT imports FROM runs WHERE project_id = $1 AND id < $2 ORDER BY id DESC LIMIT 1",
            &[&project_id, &run_id],
        )
        .await?
        .map(|r| r.get::<_, i32>(0) as i64)
        .unwrap_or(0);
    let imports_deleted = delete_modules(&tx, project_id, &cmp.deleted).await?;
    steps.mark("delete");
    let imports_written = write_modules(
        &tx,
        project_id,
        run_id,
        modules,
        &cmp.changed,
        rows,
        &mut steps,
    )
    .await?;
    write_run_rows(&tx, run_id, run).await?;

    let imports = previous_imports - imports_deleted as i64 + imports_written as i64;
    tx.execute(
        "UPDATE runs SET imports = $1 WHERE id = $2",
        &[&(imports as i32), &run_id],
    )
    .await?;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    tx.execute(
        "INSERT INTO timings (run_id, phase, ms) VALUES ($1, 'export', $2)
         ON CONFLICT (run_id, phase) DO UPDATE SET ms = EXCLUDED.ms",
        &[&run_id, &elapsed_ms],
    )
    .await?;
    steps.mark("run");
    tx.commit().await?;
    steps.mark("commit");
    Ok(ExportSummary {
        project_id,
        run_id,
        schema_version,
        modules: modules.len(),
        modules_written: cmp.changed.len(),
        modules_removed: cmp.removed,
        imports_written,
        imports,
        findings: run.findings.len(),
        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
        steps: steps.done,
    })
}

/// The project's row, created on its first export.
async fn project_id(tx: &Transaction<'_>, root: &str) -> Result<i64, StoreError> {
    Ok(tx
        .query_one(
            "WITH created AS (
                 INSERT INTO projects (root) VALUES ($1) ON CONFLICT (root) DO NOTHING RETURNING id
             )
             SELECT id FROM created UNION ALL SELECT id FROM projects WHERE root = $1",
            &[&root],
        )
        .await?
        .get(0))
}

/// What the database holds against this run's modules.
struct Comparison {
    /// Modules new or changed (hash, path or package-ness), by index: written again.
    changed: Vec<usize>,
    /// Modules no longer in the project.
    removed: usize,
    /// Rows to delete: the changed modules that were stored, and the removed ones.
    deleted: Vec<String>,
}

/// Compare the stored modules with this run's; a module is rewritten when its hash or path
/// changed.
async fn compare(
    tx: &Transaction<'_>,
    project_id: i64,
    modules: &[ModuleKey],
) -> Result<Comparison, StoreError> {
    let mut stored: HashMap<String, (String, String, bool)> = HashMap::new();
    for row in tx
        .query(
            "SELECT name, content_hash, path, is_package FROM modules WHERE project_id = $1",
            &[&project_id],
        )
        .await?
    {
        stored.insert(row.get(0), (row.get(1), row.get(2), row.get(3)));
    }
    let changed: Vec<usize> = modules
        .iter()
        .enumerate()
        .filter(|(_, m)| {
            stored.get(&m.name).is_none_or(|(hash, path, is_package)| {
                *hash != m.content_hash || *path != m.path || *is_package != m.is_package
            })
        })
        .map(|(i, _)| i)
        .collect();
    let current: std::collections::HashSet<&str> =
        modules.iter().map(|m| m.name.as_str()).collect();
    let removed: Vec<String> = stored
        .keys()
        .filter(|name| !current.contains(name.as_str()))
        .cloned()
        .collect();
    let mut deleted: Vec<String> = changed
        .iter()
        .map(|&i| &modules[i].name)
        .filter(|name| stored.contains_key(*name))
        .cloned()
        .collect();
    deleted.extend(removed.iter().cloned());

    Ok(Comparison {
        changed,
        removed: removed.len(),
        deleted,
    })
}

/// The run's row; its import count is set at the end.
async fn insert_run(
    tx: &Transaction<'_>,
    project_id: i64,
    run: &RunInput,
    modules: usize,
    cmp: &Comparison,
) -> Result<i64, StoreError> {
    let kept = run.contracts.iter().filter(|c| c.kept).count() as i32;
    let broken = run.contracts.len() as i32 - kept;
    Ok(tx
        .query_one(
            "INSERT INTO runs (project_id, tool_version, modules, imports, modules_written,
                               modules_removed, contracts_kept, contracts_broken, findings,
                               analysis_ms)
             VALUES ($1, $2, $3, 0, $4, $5, $6, $7, $8, $9) RETURNING id",
            &[
                &project_id,
                &run.tool_version,
                &(modules as i32),
                &(cmp.changed.len() as i32),
                &(cmp.removed as i32),
                &kept,
                &broken,
                &(run.findings.len() as i32),
                &run.analysis_ms,
            ],
        )
        .await?
        .get(0))
}

/// Delete the rows of changed and removed modules (with their imports); how many imports.
async fn delete_modules(
    tx: &Transaction<'_>,
    project_id: i64,
    deleted: &[String],
) -> Result<u64, StoreError> {
    let mut imports_deleted = 0u64;
    if !deleted.is_empty() {
        imports_deleted = tx
            .execute(
                "DELETE FROM imports WHERE project_id = $1 AND importer = ANY($2)",
                &[&project_id, &deleted],
            )
            .await?;
        tx.execute(
            "DELETE FROM modules WHERE project_id = $1 AND name = ANY($2)",
            &[&project_id, &deleted],
        )
        .await?;
    }
    Ok(imports_deleted)
}

/// Write the changed modules' rows and imports; how many imports.
async fn write_modules(
    tx: &Transaction<'_>,
    project_id: i64,
    run_id: i64,
    modules: &[ModuleKey],
    changed: &[usize],
    rows: &mut dyn FnMut(&[usize]) -> Vec<ModuleRows>,
    steps: &mut Steps,
) -> Result<usize, StoreError> {
    if changed.is_empty() {
        return Ok(0);
    }
    let written = rows(changed);
    if written.len() != changed.len() {
        return Err(StoreError::Runtime(format!(
            "internal error: rows for {} modules, expected {}",
            written.len(),
            changed.len()
        )));
    }
    let project = &project_id as Value;
    copy_rows(
        tx,
        &copy::MODULES,
        changed.iter().zip(&written).map(|(&i, r)| {
            let m = &modules[i];
            vec![
                project,
                &m.name,
                &m.path,
                &m.is_package,
                &m.content_hash,
                &r.size_bytes,
                &r.lines,
                &r.classes,
                &r.functions,
                &run_id,
            ]
        }),
    )
    .await?;
    steps.mark("modules");
    let imports_written = copy_rows(
        tx,
        &copy::IMPORTS,
        changed.iter().zip(&written).flat_map(|(&i, r)| {
            let importer = &modules[i].name;
            r.imports.iter().map(move |imp| {
                vec![
                    project,
                    importer,
                    &imp.imported,
                    &imp.external,
                    &imp.line,
                    &imp.column,
                    &imp.kind,
                    &imp.type_checking,
                    &imp.in_function,
                ]
            })
        }),
    )
    .await? as usize;
    steps.mark("imports");
    Ok(imports_written)
}

/// The rows that belong to the run itself: contracts, findings, distributions, licenses,
/// vulnerabilities and timings.
async fn write_run_rows(
    tx: &Transaction<'_>,
    run_id: i64,
    run: &RunInput,
) -> Result<(), StoreError> {
    let most = run
        .contracts
        .len()
        .max(run.findings.len())
        .max(run.distributions.len());
    let ordinals: Vec<i32> = (0..most as i32).collect();
    let run_id = &run_id as Value;
    copy_rows(
        tx,
        &copy::CONTRACTS,
        run.contracts
            .iter()
            .zip(&ordinals)
            .map(|(c, i)| vec![run_id, i, &c.id, &c.name, &c.kind, &c.kept, &c.violations]),
    )
    .await?;
    copy_rows(
        tx,
        &copy::FINDINGS,
        run.findings.iter().zip(&ordinals).map(|(f, i)| {
            vec![
                run_id,
                i,
                &f.check_kind,
                &f.check_name,
                &f.code,
                &f.severity,
                &f.message,
                &f.path,
                &f.line,
                &f.column,
                &f.identity,
                &f.suppressed,
                &f.chain,
            ]
        }),
    )
    .await?;
    copy_rows(
        tx,
        &copy::DISTRIBUTIONS,
        run.distributions.iter().zip(&ordinals).map(|(d, i)| {
            vec![
                run_id,
                i,
                &d.name,
                &d.normalized,
                &d.version,
                &d.role,
                &d.editable,
            ]
        }),
    )
    .await?;
    copy_rows(
        tx,
        &copy::LICENSES,
        run.licenses.iter().map(|l| {
            vec![
                run_id,
                &l.distribution,
                &l.expression,
                &l.status,
                &l.source,
                &l.verdict,
                &l.raw,
            ]
        }),
    )
    .await?;
    copy_rows(
        tx,
        &copy::VULNERABILITIES,
        run.vulnerabilities.iter().map(|v| {
            vec![
                run_id,
                &v.distribution,
                &v.version,
                &v.advisory,
                &v.aliases,
                &v.summary,
                &v.fixed,
            ]
        }),
    )
    .await?;
    // The export's own time is written when it is known.
    let mut seen = std::collections::HashSet::new();
    copy_rows(
        tx,
        &copy::TIMINGS,
        run.timings
            .iter()
            .filter(|(phase, _)| phase != "export" && seen.insert(phase.as_str()))
            .map(|(phase, ms)| vec![run_id, phase, ms]),
    )
    .await?;
    Ok(())
}
