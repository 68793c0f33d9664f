//! Where a module's file is, as reports show it.

use std::collections::HashMap;

use archlint_contracts::Link;
use archlint_engine::{Project, display_path};

/// Module → file lookups for reports.
pub struct Paths<'p> {
    project: &'p Project,
    by_module: HashMap<&'p str, usize>,
}

impl<'p> Paths<'p> {
    pub fn new(project: &'p Project) -> Self {
        let by_module = project
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.module.as_str(), i))
            .collect();
        Self { project, by_module }
    }

    pub fn file(&self, module: &str) -> Option<String> {
        self.by_module
            .get(module)
            .map(|&i| display_path(&self.project.root, &self.project.files[i].path))
    }

    /// The importer's file on disk.
    pub fn source_file(&self, module: &str) -> Option<&'p std::path::Path> {
        self.by_module
            .get(module)
            .map(|&i| self.project.files[i].path.as_path())
    }

    /// `path/to/file.py:12, 30` for an import's statements; `?` where the line is unknown.
    pub fn location(&self, link: &Link) -> String {
        let lines = if link.lines.is_empty() {
            "?".to_owned()
        } else {
            link.lines
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self.file(&link.importer) {
            Some(path) => format!("{path}:{lines}"),
            None => format!("l.{lines}"),
        }
    }
}
