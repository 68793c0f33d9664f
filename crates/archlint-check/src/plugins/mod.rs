//! import-linter's custom contract types (`contract_types`): Python classes, run by the
//! project's own interpreter on archlint's graph, only when the user allows it — the checked
//! tree may be hostile, and a plugin is code from it.
//!
//! One process per check: `driver.py` gets the graph, the session options and the contracts as
//! JSON on its standard input, builds a grimp graph (`archlint.grimp` when archlint's wheel is
//! installed there, else grimp's, which import-linter brings), instantiates each class through
//! import-linter's own `Contract` base, checks it on a copy of the graph and captures what its
//! `render_broken_contract` prints.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use archlint_config::{ContractConfig, ContractType, RawValue};
use archlint_contracts::{ContractError, ContractResult};
use archlint_engine::Project;
use serde_json::{Value, json};

use crate::ContractOutcome;

const DRIVER: &str = include_str!("driver.py");

/// Whether and with which interpreter custom contract types run.
#[derive(Debug, Clone, Default)]
pub struct PluginOptions {
    /// The user allows running the project's contract classes (`--allow-plugins`,
    /// `ARCHLINT_ALLOW_PLUGINS=1`); never read from the checked tree's configuration.
    pub allow: bool,
    /// The interpreter (default: `VIRTUAL_ENV`'s, the project's `.venv`, `python3`).
    pub python: Option<PathBuf>,
    /// A virtualenv whose interpreter runs them.
    pub venv: Option<PathBuf>,
    /// How long the classes may take together (default 300 s).
    pub timeout: Option<Duration>,
}

impl PluginOptions {
    /// The interpreter that runs the classes.
    pub fn interpreter(&self, root: &Path) -> PathBuf {
        let in_venv = |venv: &Path| {
            if cfg!(windows) {
                venv.join("Scripts").join("python.exe")
            } else {
                venv.join("bin").join("python")
            }
        };
        if let Some(python) = &self.python {
            return python.clone();
        }
        if let Some(venv) = &self.venv {
            return in_venv(venv);
        }
        if let Some(venv) = std::env::var_os("VIRTUAL_ENV").filter(|v| !v.is_empty()) {
            return in_venv(Path::new(&venv));
        }
        let local = in_venv(&root.join(".venv"));
        if local.is_file() {
            return local;
        }
        PathBuf::from("python3")
    }
}

/// The custom type a contract names, if any.
pub(crate) fn custom_type<'a>(
    project: &'a Project,
    config: &ContractConfig,
) -> Option<&'a ContractType> {
    let Some(RawValue::One(kind)) = config.options.get("type") else {
        return None;
    };
    project
        .settings
        .contract_types
        .iter()
        .find(|t| &t.name == kind)
}

fn label(config: &ContractConfig) -> String {
    match (config.options.get("name"), &config.id) {
        (Some(RawValue::One(n)), _) => n.clone(),
        (_, Some(id)) => id.clone(),
        _ => "<unnamed>".to_owned(),
    }
}

fn error(
    config: &ContractConfig,
    kind: &ContractType,
    message: impl std::fmt::Display,
) -> ContractOutcome {
    ContractOutcome::Invalid(ContractError {
        contract: label(config),
        option: None,
        line: config.line,
        message: format!(
            "custom contract type '{}' ({}): {message}",
            kind.name, kind.class
        ),
    })
}

fn raw_json(value: &RawValue) -> Value {
    match value {
        RawValue::One(s) => json!(s),
        RawValue::Many(items) => json!(items),
    }
}

/// The graph as the driver rebuilds it: modules (external ones squashed) and each import with
/// the line numbers and text of its statements.
fn graph_json(project: &Project) -> Value {
    let graph = &project.graph;
    let modules: Vec<Value> = graph
        .modules()
        .map(|m| json!([graph.name(m), graph.is_squashed(m)]))
        .collect();
    let mut imports = Vec::new();
    for file in &project.files {
        let Some(importer) = graph.id(&file.module) else {
            continue;
        };
        let mut edges = graph.imports_with_details(importer).peekable();
        if edges.peek().is_none() {
            continue;
        }
        let source = std::fs::read(&file.path).unwrap_or_default();
        let source = String::from_utf8_lossy(&source);
        let lines: Vec<&str> = source.lines().collect();
        for (imported, details) in edges {
            let details: Vec<Value> = details
                .iter()
                .map(|d| {
                    let text = lines
                        .get((d.line as usize).wrapping_sub(1))
                        .map_or("", |l| l.trim());
                    json!([d.line, text])
                })
                .collect();
            imports.push(json!([file.module, graph.name(imported), details]));
        }
    }
    json!({"modules": modules, "imports": imports})
}

/// Check the contracts whose types are custom; one outcome each, in order.
pub(crate) fn check(
    project: &Project,
    configs: &[&ContractConfig],
    options: &PluginOptions,
) -> Vec<ContractOutcome> {
    let kinds: Vec<&ContractType> = configs
        .iter()
        .map(|c| custom_type(project, c).expect("only contracts of custom types come here"))
        .collect();
    if !options.allow {
        return configs
            .iter()
            .zip(&kinds)
            .map(|(c, k)| {
                error(
                    c,
                    k,
                    "custom contract types are Python code from the checked project; archlint \
                     runs them only when allowed (--allow-plugins or ARCHLINT_ALLOW_PLUGINS=1)",
                )
            })
            .collect();
    }
    let started = Instant::now();
    match run_driver(project, configs, options) {
        Err(message) => configs
            .iter()
            .zip(&kinds)
            .map(|(c, k)| error(c, k, &message))
            .collect(),
        Ok(answers) => {
            let ms = started.elapsed().as_secs_f64() * 1000.0 / configs.len().max(1) as f64;
            configs
                .iter()
                .zip(&kinds)
                .zip(answers)
                .map(|((c, k), answer)| outcome(c, k, &answer, ms))
                .collect()
        }
    }
}

fn outcome(
    config: &ContractConfig,
    kind: &ContractType,
    answer: &Value,
    ms: f64,
) -> ContractOutcome {
    if let Some(e) = answer.get("error") {
        let message = e.get("message").and_then(Value::as_str).unwrap_or("failed");
        return match e.get("kind").and_then(Value::as_str) {
            Some("import") => error(config, kind, format!("cannot load the class: {message}")),
            Some("options") => {
                // As import-linter reports it: the field at fault and what is wrong with it.
                let field = e
                    .get("fields")
                    .and_then(Value::as_array)
                    .and_then(|f| f.first())
                    .and_then(Value::as_array);
                match field.and_then(|f| Some((f.first()?.as_str()?, f.get(1)?.as_str()?))) {
                    Some((option, what)) => ContractOutcome::Invalid(ContractError {
                        contract: label(config),
                        option: Some(option.to_owned()),
                        line: config.line,
                        message: what.to_owned(),
                    }),
                    None => error(config, kind, format!("invalid options: {message}")),
                }
            }
            _ => error(config, kind, format!("the check failed: {message}")),
        };
    }
    let kept = answer.get("kept").and_then(Value::as_bool).unwrap_or(false);
    let warnings = answer
        .get("warnings")
        .and_then(Value::as_array)
        .map(|w| {
            w.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let rendered = answer
        .get("rendered")
        .and_then(Value::as_str)
        .filter(|r| !kept && !r.is_empty())
        .map(str::to_owned);
    let guidance = match config.options.get("broken_contract_guidance") {
        Some(RawValue::One(g)) => Some(g.clone()),
        Some(RawValue::Many(lines)) => Some(lines.join("\n")),
        None => None,
    };
    ContractOutcome::Checked(
        Ok(ContractResult {
            id: config.id.clone(),
            name: label(config),
            kind: kind.name.clone(),
            kept,
            violations: Vec::new(),
            undeclared_modules: Vec::new(),
            warnings,
            ignored_imports: answer
                .get("ignored_import_count")
                .and_then(Value::as_u64)
                .unwrap_or(0) as usize,
            unmatched_expressions: Vec::new(),
            guidance,
            rendered,
        }),
        ms,
    )
}

fn run_driver(
    project: &Project,
    configs: &[&ContractConfig],
    options: &PluginOptions,
) -> Result<Vec<Value>, String> {
    let settings = &project.settings;
    let mut sys_path = vec![project.root.display().to_string()];
    sys_path.extend(
        settings
            .source_dirs
            .iter()
            .map(|d| project.root.join(d).display().to_string()),
    );
    let contracts: Vec<Value> = configs
        .iter()
        .map(|c| {
            let mut opts: serde_json::Map<String, Value> = c
                .options
                .iter()
                .map(|(k, v)| (k.clone(), raw_json(v)))
                .collect();
            if let Some(id) = &c.id {
                opts.entry("id".to_owned()).or_insert_with(|| json!(id));
            }
            json!({"name": label(c), "type": raw_json(&c.options["type"]), "options": opts})
        })
        .collect();
    let request = json!({
        "sys_path": sys_path,
        "session_options": {
            "root_packages": settings.root_packages,
            "include_external_packages": settings.include_external_packages,
            "exclude_type_checking_imports": settings.exclude_type_checking_imports,
            "contract_types": settings.contract_types.iter().map(|t| format!("{}: {}", t.name, t.class)).collect::<Vec<_>>(),
        },
        "contract_types": settings.contract_types.iter().map(|t| json!([t.name, t.class])).collect::<Vec<_>>(),
        "graph": graph_json(project),
        "contracts": contracts,
    });
    let python = options.interpreter(&project.root);
    let mut child = Command::new(&python)
        .arg("-c")
        .arg(DRIVER)
        .current_dir(&project.root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run the interpreter {}: {e}", python.display()))?;
    let input = request.to_string();
    let mut stdin = child.stdin.take().expect("stdin was piped");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let stdout = child.stdout.take().expect("stdout was piped");
    let stderr = child.stderr.take().expect("stderr was piped");
    let out_reader =
        std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let err_reader =
        std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let limit = options.timeout.unwrap_or(Duration::from_secs(300));
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "the interpreter {} took longer than {} s",
                    python.display(),
                    limit.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("waiting for the interpreter: {e}")),
        }
    };
    let _ = writer.join();
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    if !status.success() {
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message");
        return Err(format!(
            "the interpreter {} failed ({status}): {last}",
            python.display()
        ));
    }
    let answer: Value = serde_json::from_str(&stdout)
        .map_err(|e| format!("the interpreter {} gave no answer ({e})", python.display()))?;
    let answers = answer
        .get("contracts")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if answers.len() != configs.len() {
        return Err(format!(
            "the interpreter {} answered for {} contracts of {}",
            python.display(),
            answers.len(),
            configs.len()
        ));
    }
    Ok(answers)
}
