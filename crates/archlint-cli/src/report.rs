//! Every check's results as one [`Report`] of [`Finding`]s, and the CI formats written from it.

use std::path::Path;

use anyhow::{Context, Result, anyhow};

use archlint_findings::Report;

/// The formats written from the findings model.
pub fn render(format: &str, report: &Report) -> Result<String> {
    Ok(match format {
        "sarif" => serde_json::to_string_pretty(&archlint_findings::sarif::Sarif(report))? + "\n",
        "junit" => archlint_findings::junit::junit(report),
        "github" => archlint_findings::github::annotations(report),
        other => return Err(anyhow!("unknown report format '{other}'")),
    })
}

/// The formats that can be written to files.
pub const FORMATS: [&str; 6] = ["text", "json", "sarif", "junit", "github", "html"];

/// The file name of a format under `--output-dir`.
pub fn file_name(format: &str) -> &'static str {
    match format {
        "text" => "archlint.txt",
        "json" => "archlint.json",
        "sarif" => "archlint.sarif",
        "junit" => "archlint.junit.xml",
        "github" => "archlint.github.txt",
        _ => "archlint.html",
    }
}

/// `--output FORMAT=PATH`.
pub fn parse_output(spec: &str) -> Result<(String, std::path::PathBuf)> {
    let (format, path) = spec.split_once('=').ok_or_else(|| {
        anyhow!("--output takes FORMAT=PATH (e.g. sarif=archlint.sarif), not '{spec}'")
    })?;
    if !FORMATS.contains(&format) {
        return Err(anyhow!(
            "--output: unknown format '{format}' ({})",
            FORMATS.join(", ")
        ));
    }
    if path.is_empty() {
        return Err(anyhow!("--output {format}=: missing path"));
    }
    Ok((format.to_owned(), path.into()))
}

/// Write one rendered format to a file.
pub fn write_file(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}
