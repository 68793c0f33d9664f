//! The report formats of `archlint check`, each rendered from one [`archlint_check::Report`]:
//! SARIF, JUnit, GitHub annotations and HTML from its findings model alone, text and JSON from
//! the findings model and each check's detail.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use archlint_check::Report;

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Text,
    Json,
    /// SARIF 2.1.0 for code-scanning services.
    Sarif,
    /// JUnit XML: a test case per contract and per dependency policy area.
    Junit,
    /// GitHub Actions annotations.
    Github,
    /// A self-contained HTML page.
    Html,
}

impl Format {
    /// Every format, in the order the help lists them.
    pub const ALL: [Format; 6] = [
        Format::Text,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Github,
        Format::Html,
    ];

    /// The format's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Github => "github",
            Format::Html => "html",
        }
    }

    /// The format named `name`.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The file name of the format under `--output-dir`.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Text => "archlint.txt",
            Format::Json => "archlint.json",
            Format::Sarif => "archlint.sarif",
            Format::Junit => "archlint.junit.xml",
            Format::Github => "archlint.github.txt",
            Format::Html => "archlint.html",
        }
    }
}

/// `--output FORMAT=PATH`.
pub fn parse_output(spec: &str) -> Result<(Format, PathBuf)> {
    let (name, path) = spec.split_once('=').ok_or_else(|| {
        anyhow!("--output takes FORMAT=PATH (e.g. sarif=archlint.sarif), not '{spec}'")
    })?;
    let Some(format) = Format::from_name(name) else {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        return Err(anyhow!(
            "--output: unknown format '{name}' ({})",
            names.join(", ")
        ));
    };
    if path.is_empty() {
        return Err(anyhow!("--output {name}=: missing path"));
    }
    Ok((format, path.into()))
}

/// What a report is written from.
pub struct Input<'a> {
    pub report: &'a Report,
    /// A Jinja template for the HTML page (default: the built-in one).
    pub html_template: Option<&'a str>,
}

/// One format rendered (text without colour).
pub fn render(format: Format, input: &Input<'_>) -> Result<String> {
    let report = input.report;
    let findings = report.findings();
    Ok(match format {
        Format::Text => {
            let mut buf = Vec::new();
            crate::text::write(&mut buf, false, report);
            String::from_utf8_lossy(&buf).into_owned()
        }
        Format::Json => crate::json::report(report)?,
        Format::Html => {
            let a = &report.analysis;
            let page = crate::html_page::page(&a.project, &a.results, a.deps.as_ref(), report.ms);
            archlint_html::render(findings, &page, input.html_template).map_err(|e| anyhow!(e))?
        }
        Format::Sarif => {
            serde_json::to_string_pretty(&archlint_findings::sarif::Sarif(findings))? + "\n"
        }
        Format::Junit => archlint_findings::junit::junit(findings),
        Format::Github => archlint_findings::github::annotations(findings),
    })
}

/// Write one rendered format to a file.
pub fn write_file(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}
