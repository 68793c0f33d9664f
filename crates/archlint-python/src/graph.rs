//! `archlint._native.Graph`: [`archlint_grimp::Graph`] for `archlint.grimp.ImportGraph`, which
//! adds grimp's argument checks and value types on top. Errors are grimp's exceptions
//! (`archlint.grimp.exceptions`) or `ValueError`, with grimp's messages.

use std::collections::HashSet;
use std::path::PathBuf;

use archlint_grimp::{Detail, GraphError, Level};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFrozenSet, PyList, PySet, PyTuple};

fn to_python(py: Python<'_>, err: GraphError) -> PyErr {
    let message = err.to_string();
    let class = match err {
        GraphError::ModuleNotPresent(_) => "ModuleNotPresent",
        GraphError::NoSuchContainer(_) => "NoSuchContainer",
        GraphError::InvalidModuleExpression(_) => "InvalidModuleExpression",
        GraphError::SharedDescendants | GraphError::Invalid(_) => {
            return PyValueError::new_err(message);
        }
    };
    let built = (|| -> PyResult<PyErr> {
        let exception = py
            .import("archlint.grimp.exceptions")?
            .getattr(class)?
            .call1((message,))?;
        Ok(PyErr::from_value(exception))
    })();
    built.unwrap_or_else(|e| e)
}

fn set<'py>(py: Python<'py>, names: Vec<String>) -> PyResult<Bound<'py, PySet>> {
    PySet::new(py, names)
}

#[pyclass(module = "archlint._native")]
#[derive(Clone, Default)]
pub struct Graph {
    graph: archlint_grimp::Graph,
}

impl Graph {
    pub fn from_graph(graph: archlint_grimp::Graph) -> Graph {
        Graph { graph }
    }
}

#[pymethods]
impl Graph {
    #[new]
    fn new() -> Graph {
        Graph::default()
    }

    fn get_modules<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PySet>> {
        set(py, self.graph.modules())
    }

    fn contains_module(&self, name: &str) -> bool {
        self.graph.contains_module(name)
    }

    #[pyo3(signature = (module, is_squashed=false))]
    fn add_module(&mut self, py: Python<'_>, module: &str, is_squashed: bool) -> PyResult<()> {
        self.graph
            .add_module(module, is_squashed)
            .map_err(|e| to_python(py, e))
    }

    fn remove_module(&mut self, module: &str) {
        self.graph.remove_module(module);
    }

    fn squash_module(&mut self, py: Python<'_>, module: &str) -> PyResult<()> {
        self.graph
            .squash_module(module)
            .map_err(|e| to_python(py, e))
    }

    fn is_module_squashed(&self, py: Python<'_>, module: &str) -> PyResult<bool> {
        self.graph
            .is_module_squashed(module)
            .map_err(|e| to_python(py, e))
    }

    #[pyo3(signature = (*, importer, imported, line_number=None, line_contents=None, is_lazy=None))]
    fn add_import(
        &mut self,
        importer: &str,
        imported: &str,
        line_number: Option<u32>,
        line_contents: Option<String>,
        is_lazy: Option<bool>,
    ) -> PyResult<()> {
        let detail = match (line_number, line_contents, is_lazy) {
            (None, None, None) => None,
            (Some(line_number), Some(line_contents), is_lazy) => Some(Detail {
                line_number,
                line_contents,
                is_lazy: is_lazy.unwrap_or(false),
            }),
            (_, _, Some(_)) => {
                return Err(PyValueError::new_err(
                    "You must provide line_number and line_contents when providing is_lazy.",
                ));
            }
            (_, _, None) => {
                return Err(PyValueError::new_err(
                    "Expected line_number and line_contents, or neither.",
                ));
            }
        };
        self.graph.add_import(importer, imported, detail);
        Ok(())
    }

    #[pyo3(signature = (*, importer, imported))]
    fn remove_import(&mut self, py: Python<'_>, importer: &str, imported: &str) -> PyResult<()> {
        self.graph
            .remove_import(importer, imported)
            .map_err(|e| to_python(py, e))
    }

    fn count_imports(&self) -> usize {
        self.graph.count_imports()
    }

    fn find_children<'py>(&self, py: Python<'py>, module: &str) -> PyResult<Bound<'py, PySet>> {
        let names = self
            .graph
            .find_children(module)
            .map_err(|e| to_python(py, e))?;
        set(py, names)
    }

    fn find_descendants<'py>(&self, py: Python<'py>, module: &str) -> PyResult<Bound<'py, PySet>> {
        let names = self
            .graph
            .find_descendants(module)
            .map_err(|e| to_python(py, e))?;
        set(py, names)
    }

    fn find_matching_modules<'py>(
        &self,
        py: Python<'py>,
        expression: &str,
    ) -> PyResult<Bound<'py, PySet>> {
        let names = self
            .graph
            .find_matching_modules(expression)
            .map_err(|e| to_python(py, e))?;
        set(py, names)
    }

    #[pyo3(signature = (*, importer, imported, as_packages=false))]
    fn direct_import_exists(
        &self,
        py: Python<'_>,
        importer: &str,
        imported: &str,
        as_packages: bool,
    ) -> PyResult<bool> {
        self.graph
            .direct_import_exists(importer, imported, as_packages)
            .map_err(|e| to_python(py, e))
    }

    #[pyo3(signature = (module, as_package=false))]
    fn find_modules_directly_imported_by<'py>(
        &self,
        py: Python<'py>,
        module: &str,
        as_package: bool,
    ) -> PyResult<Bound<'py, PySet>> {
        let names = self
            .graph
            .find_modules_directly_imported_by(module, as_package)
            .map_err(|e| to_python(py, e))?;
        set(py, names)
    }

    #[pyo3(signature = (module, as_package=false))]
    fn find_modules_that_directly_import<'py>(
        &self,
        py: Python<'py>,
        module: &str,
        as_package: bool,
    ) -> PyResult<Bound<'py, PySet>> {
        let names = self
            .graph
            .find_modules_that_directly_import(module, as_package)
            .map_err(|e| to_python(py, e))?;
        set(py, names)
    }

    #[pyo3(signature = (*, importer, imported))]
    fn get_import_details<'py>(
        &self,
        py: Python<'py>,
        importer: &str,
        imported: &str,
    ) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for d in self.graph.get_import_details(importer, imported) {
            let item = PyDict::new(py);
            item.set_item("importer", importer)?;
            item.set_item("imported", imported)?;
            item.set_item("line_number", d.line_number)?;
            item.set_item("line_contents", d.line_contents)?;
            item.set_item("is_lazy", d.is_lazy)?;
            list.append(item)?;
        }
        Ok(list)
    }

    #[pyo3(signature = (*, importer_expression, imported_expression))]
    fn find_matching_direct_imports<'py>(
        &self,
        py: Python<'py>,
        importer_expression: &str,
        imported_expression: &str,
    ) -> PyResult<Bound<'py, PyList>> {
        let imports = self
            .graph
            .find_matching_direct_imports(importer_expression, imported_expression)
            .map_err(|e| to_python(py, e))?;
        let list = PyList::empty(py);
        for (importer, imported) in imports {
            let item = PyDict::new(py);
            item.set_item("importer", importer)?;
            item.set_item("imported", imported)?;
            list.append(item)?;
        }
        Ok(list)
    }

    #[pyo3(signature = (module, as_package=false))]
    fn find_downstream_modules<'py>(
        &self,
        py: Python<'py>,
        module: &str,
        as_package: bool,
    ) -> PyResult<Bound<'py, PySet>> {
        let names = self
            .graph
            .find_downstream_modules(module, as_package)
            .map_err(|e| to_python(py, e))?;
        set(py, names)
    }

    #[pyo3(signature = (module, as_package=false))]
    fn find_upstream_modules<'py>(
        &self,
        py: Python<'py>,
        module: &str,
        as_package: bool,
    ) -> PyResult<Bound<'py, PySet>> {
        let names = self
            .graph
            .find_upstream_modules(module, as_package)
            .map_err(|e| to_python(py, e))?;
        set(py, names)
    }

    #[pyo3(signature = (importer, imported, as_packages=false))]
    fn find_shortest_chain(
        &self,
        py: Python<'_>,
        importer: &str,
        imported: &str,
        as_packages: bool,
    ) -> PyResult<Option<Vec<String>>> {
        let graph = &self.graph;
        py.detach(|| graph.find_shortest_chain(importer, imported, as_packages))
            .map_err(|e| to_python(py, e))
    }

    #[pyo3(signature = (importer, imported, as_packages=false))]
    fn chain_exists(
        &self,
        py: Python<'_>,
        importer: &str,
        imported: &str,
        as_packages: bool,
    ) -> PyResult<bool> {
        let graph = &self.graph;
        py.detach(|| graph.chain_exists(importer, imported, as_packages))
            .map_err(|e| to_python(py, e))
    }

    #[pyo3(signature = (importer, imported, as_packages=true))]
    fn find_shortest_chains<'py>(
        &self,
        py: Python<'py>,
        importer: &str,
        imported: &str,
        as_packages: bool,
    ) -> PyResult<Bound<'py, PySet>> {
        let graph = &self.graph;
        let chains = py
            .detach(|| graph.find_shortest_chains(importer, imported, as_packages))
            .map_err(|e| to_python(py, e))?;
        let tuples = chains
            .into_iter()
            .map(|c| PyTuple::new(py, c))
            .collect::<PyResult<Vec<_>>>()?;
        PySet::new(py, tuples)
    }

    /// `levels`: `(layers, independent, closed)` for each level, highest first. Returns
    /// `(importer, imported, routes)` tuples, each route `(heads, middle, tails)`.
    fn find_illegal_dependencies_for_layers<'py>(
        &self,
        py: Python<'py>,
        levels: Vec<(Vec<String>, bool, bool)>,
        containers: HashSet<String>,
    ) -> PyResult<Bound<'py, PyList>> {
        let levels: Vec<Level> = levels
            .into_iter()
            .map(|(layers, independent, closed)| Level {
                layers,
                independent,
                closed,
            })
            .collect();
        let mut containers: Vec<String> = containers.into_iter().collect();
        containers.sort_unstable();
        let graph = &self.graph;
        let dependencies = py
            .detach(|| graph.find_illegal_dependencies_for_layers(&levels, &containers))
            .map_err(|e| to_python(py, e))?;
        let out = PyList::empty(py);
        for dependency in dependencies {
            let routes = dependency
                .routes
                .into_iter()
                .map(|r| -> PyResult<Bound<'py, PyTuple>> {
                    (
                        PyFrozenSet::new(py, r.heads)?,
                        PyTuple::new(py, r.middle)?,
                        PyFrozenSet::new(py, r.tails)?,
                    )
                        .into_pyobject(py)
                })
                .collect::<PyResult<Vec<_>>>()?;
            out.append((dependency.importer, dependency.imported, routes))?;
        }
        Ok(out)
    }

    fn nominate_cycle_breakers<'py>(
        &self,
        py: Python<'py>,
        package: &str,
        additional_packages: Vec<String>,
    ) -> PyResult<Bound<'py, PySet>> {
        let graph = &self.graph;
        let breakers = py
            .detach(|| graph.nominate_cycle_breakers(package, &additional_packages))
            .map_err(|e| to_python(py, e))?;
        PySet::new(py, breakers)
    }

    fn clone(&self) -> Graph {
        Clone::clone(self)
    }
}

/// The files of a built graph with a syntax error: grimp raises `SourceSyntaxError(filename,
/// lineno, text)` for the first.
fn syntax_error(project: &archlint_engine::Project) -> Option<(String, Option<u32>, String)> {
    project
        .files
        .iter()
        .zip(&project.diagnostics)
        .find_map(|(file, diagnostics)| {
            let d = diagnostics.iter().find(|d| d.code == "syntax-error")?;
            let text = d
                .line
                .and_then(|line| {
                    let source = std::fs::read_to_string(&file.path).ok()?;
                    source
                        .lines()
                        .nth(line as usize - 1)
                        .map(|l| l.trim().to_owned())
                })
                .unwrap_or_else(|| d.message.clone());
            Some((file.path.display().to_string(), d.line, text))
        })
}

/// grimp's `build_graph` on the engine: the packages `packages` (top-level names, or portions
/// of namespace packages) found in `search_dirs`, parsed in parallel through archlint's cache
/// (`cache_dir`; none: no cache), as a grimp graph with each import's line and its text.
#[pyfunction]
#[pyo3(signature = (search_dirs, packages, *, include_external_packages=false, exclude_type_checking_imports=false, cache_dir=None))]
pub fn build_graph(
    py: Python<'_>,
    search_dirs: Vec<PathBuf>,
    packages: Vec<String>,
    include_external_packages: bool,
    exclude_type_checking_imports: bool,
    cache_dir: Option<PathBuf>,
) -> PyResult<Graph> {
    let Some(root) = search_dirs.first().cloned() else {
        return Err(PyValueError::new_err("no package to build a graph of"));
    };
    let options = archlint_engine::ProjectOptions {
        located: Some(archlint_engine::Located { root, config: None }),
        settings: Some(archlint_config::Settings {
            root_packages: packages,
            include_external_packages,
            exclude_type_checking_imports,
            source_dirs: search_dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect(),
            ..Default::default()
        }),
        cache: archlint_engine::CacheFlags {
            no_cache: cache_dir.is_none(),
            cache_dir,
            redis_url: None,
        },
        ..Default::default()
    };
    let built = crate::engine(py, move || {
        let project = archlint_engine::load_project(&options)?;
        Ok((syntax_error(&project), grimp_graph(&project)))
    })?;
    match built {
        (Some((filename, line, text)), _) => {
            let exception = py
                .import("archlint.grimp.exceptions")?
                .getattr("SourceSyntaxError")?
                .call1((filename, line, text))?;
            Err(PyErr::from_value(exception))
        }
        (None, graph) => Ok(Graph { graph }),
    }
}

/// The engine's graph as grimp's: every module (external packages squashed), every import
/// with the lines of its statements, whose text is read from the file when first asked for.
fn grimp_graph(project: &archlint_engine::Project) -> archlint_grimp::Graph {
    let graph = &project.graph;
    let mut out = archlint_grimp::Graph::new();
    for m in graph.modules() {
        let _ = out.add_module(graph.name(m), graph.is_squashed(m));
    }
    let mut lines: Vec<u32> = Vec::new();
    for file in &project.files {
        let Some(importer) = graph.id(&file.module) else {
            continue;
        };
        let mut imports = graph.imports_with_details(importer).peekable();
        if imports.peek().is_none() {
            continue;
        }
        out.set_source(&file.module, std::sync::Arc::from(file.path.as_path()));
        for (imported, details) in imports {
            lines.clear();
            lines.extend(details.iter().map(|d| d.line));
            out.add_import_at_lines(&file.module, graph.name(imported), &lines);
        }
    }
    out
}
