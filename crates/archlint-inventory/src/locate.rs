//! Finding the target Python environment and its package directories, without starting Python
//! when the layout says enough (`pyvenv.cfg` and `lib/pythonX.Y/site-packages`), with one
//! interpreter call as the fallback.

use std::path::{Path, PathBuf};
use std::process::Command;

use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder};
use serde::Deserialize;

use crate::InventoryError;

/// Where to look for the environment, most specific first.
#[derive(Debug, Clone, Default)]
pub struct EnvironmentSpec {
    /// `--python PATH`: an interpreter (inside a virtualenv or not).
    pub python: Option<PathBuf>,
    /// `--venv DIR`.
    pub venv: Option<PathBuf>,
    /// `VIRTUAL_ENV` from the environment.
    pub virtual_env: Option<PathBuf>,
    /// The project root, where `.venv/` is looked for.
    pub project_root: Option<PathBuf>,
}

impl EnvironmentSpec {
    /// The spec for `root` with `VIRTUAL_ENV` taken from the process environment.
    pub fn from_env(root: &Path) -> Self {
        EnvironmentSpec {
            virtual_env: std::env::var_os("VIRTUAL_ENV")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            project_root: Some(root.to_owned()),
            ..Self::default()
        }
    }
}

/// The environment whose packages are inventoried.
#[derive(Debug, Clone)]
pub struct Environment {
    /// `sys.prefix`: the virtualenv directory or the interpreter's installation.
    pub prefix: PathBuf,
    /// Directories searched for distributions, in `sys.path` order.
    pub paths: Vec<PathBuf>,
    /// The interpreter's full version, e.g. `3.11.7`.
    pub python_version: String,
    /// How it was found: `--venv`, `--python`, `VIRTUAL_ENV`, `.venv`, `python3 on PATH`.
    pub found_by: String,
    /// Whether Python had to be started to find it.
    pub interpreter_called: bool,
    /// Values for evaluating environment markers.
    pub markers: MarkerEnvironment,
}

/// Locate the environment described by `spec`.
pub fn locate(spec: &EnvironmentSpec) -> Result<Environment, InventoryError> {
    if let Some(venv) = &spec.venv {
        return from_venv(venv, "--venv");
    }
    if let Some(python) = &spec.python {
        // An interpreter inside a virtualenv: read the venv's layout instead of running it.
        if let Some(venv) = python.parent().and_then(Path::parent)
            && venv.join("pyvenv.cfg").is_file()
        {
            return from_venv(venv, "--python");
        }
        return from_interpreter(python, "--python");
    }
    if let Some(venv) = &spec.virtual_env {
        return from_venv(venv, "VIRTUAL_ENV");
    }
    if let Some(root) = &spec.project_root {
        let venv = root.join(".venv");
        if venv.join("pyvenv.cfg").is_file() {
            return from_venv(&venv, ".venv");
        }
    }
    from_interpreter(Path::new("python3"), "python3 on PATH")
}

/// The `key = value` lines of `pyvenv.cfg`.
fn read_pyvenv_cfg(venv: &Path) -> Result<Vec<(String, String)>, InventoryError> {
    let path = venv.join("pyvenv.cfg");
    let text = std::fs::read_to_string(&path).map_err(|e| InventoryError::Environment {
        message: format!(
            "{} is not a virtualenv: cannot read {} ({e})",
            venv.display(),
            path.display()
        ),
    })?;
    Ok(text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect())
}

fn from_venv(venv: &Path, found_by: &str) -> Result<Environment, InventoryError> {
    let cfg = read_pyvenv_cfg(venv)?;
    let get = |key: &str| cfg.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let version = get("version_info")
        .or_else(|| get("version"))
        .map(str::to_owned);
    let system_site =
        get("include-system-site-packages").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let site = venv_site_packages(venv, version.as_deref());
    match (version, site, system_site) {
        (Some(version), Some(site), false) => {
            let mut paths = vec![site.clone()];
            paths.extend(pth_paths(&site));
            let implementation = get("implementation").unwrap_or("CPython").to_owned();
            Ok(Environment {
                prefix: venv.to_owned(),
                paths,
                markers: host_markers(&version, &implementation)?,
                python_version: version,
                found_by: found_by.into(),
                interpreter_called: false,
            })
        }
        // The layout is not enough (no version, an unusual layout, or the system's packages
        // are visible too): ask the venv's own interpreter.
        _ => {
            let python = [venv.join("bin/python"), venv.join("bin/python3"), venv.join("Scripts/python.exe")]
                .into_iter()
                .find(|p| p.exists())
                .ok_or_else(|| InventoryError::Environment {
                    message: format!(
                        "{}: cannot tell its Python version or site-packages from pyvenv.cfg, and it has no interpreter",
                        venv.display()
                    ),
                })?;
            from_interpreter(&python, found_by)
        }
    }
}

/// `lib/pythonX.Y/site-packages` (or the Windows / PyPy spellings).
fn venv_site_packages(venv: &Path, version: Option<&str>) -> Option<PathBuf> {
    if let Some(version) = version {
        let mut parts = version.split('.');
        if let (Some(major), Some(minor)) = (parts.next(), parts.next()) {
            let p = venv.join(format!("lib/python{major}.{minor}/site-packages"));
            if p.is_dir() {
                return Some(p);
            }
        }
    }
    let windows = venv.join("Lib/site-packages");
    if windows.is_dir() {
        return Some(windows);
    }
    // Any single lib/python*/site-packages (pypy3.10, python3.13t, ...).
    let mut found: Vec<PathBuf> = std::fs::read_dir(venv.join("lib"))
        .ok()?
        .flatten()
        .map(|e| e.path().join("site-packages"))
        .filter(|p| p.is_dir())
        .collect();
    (found.len() == 1).then(|| found.remove(0))
}

/// Directories that `.pth` files in `site` add to `sys.path` (editable and develop installs).
pub fn pth_paths(site: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(site) else {
        return Vec::new();
    };
    let mut pth: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "pth"))
        .collect();
    pth.sort(); // site.py processes them in name order
    let mut out = Vec::new();
    for file in pth {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for line in text.lines() {
            let line = line.trim_end();
            if line.is_empty()
                || line.starts_with('#')
                || line.starts_with("import ")
                || line.starts_with("import\t")
            {
                continue;
            }
            let dir = site.join(line);
            if dir.is_dir() && !out.contains(&dir) && dir != site {
                out.push(dir);
            }
        }
    }
    out
}

/// Marker values for this machine and the given interpreter version.
fn host_markers(version: &str, implementation: &str) -> Result<MarkerEnvironment, InventoryError> {
    let mut parts = version.split('.');
    let short = match (parts.next(), parts.next()) {
        (Some(a), Some(b)) => format!("{a}.{b}"),
        _ => version.to_owned(),
    };
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let (os_name, sys_platform, platform_system) = if cfg!(windows) {
        ("nt", "win32", "Windows")
    } else if cfg!(target_os = "macos") {
        ("posix", "darwin", "Darwin")
    } else {
        ("posix", "linux", "Linux")
    };
    let implementation_name = implementation.to_ascii_lowercase();
    let release = read("/proc/sys/kernel/osrelease");
    let kernel_version = read("/proc/sys/kernel/version");
    MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
        implementation_name: &implementation_name,
        implementation_version: version,
        os_name,
        platform_machine: std::env::consts::ARCH,
        platform_python_implementation: implementation,
        platform_release: &release,
        platform_system,
        platform_version: &kernel_version,
        python_full_version: version,
        python_version: &short,
        sys_platform,
    })
    .map_err(|e| InventoryError::Environment {
        message: format!("Python version {version:?} is not a valid version ({e})"),
    })
}

const PROBE: &str = r#"
import json, os, platform, sys
print(json.dumps({
    "prefix": sys.prefix,
    "paths": [p for p in sys.path if p and os.path.isdir(p)],
    "implementation_name": sys.implementation.name,
    "implementation_version": platform.python_version(),
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_python_implementation": platform.python_implementation(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}))
"#;

#[derive(Deserialize)]
struct Probe {
    prefix: PathBuf,
    paths: Vec<PathBuf>,
    implementation_name: String,
    implementation_version: String,
    os_name: String,
    platform_machine: String,
    platform_python_implementation: String,
    platform_release: String,
    platform_system: String,
    platform_version: String,
    python_full_version: String,
    python_version: String,
    sys_platform: String,
}

fn from_interpreter(python: &Path, found_by: &str) -> Result<Environment, InventoryError> {
    let output = Command::new(python)
        .args(["-c", PROBE])
        .env_remove("PYTHONSTARTUP")
        .output()
        .map_err(|e| InventoryError::Environment {
            message: format!(
                "cannot run {} ({e}); pass --python or --venv",
                python.display()
            ),
        })?;
    if !output.status.success() {
        return Err(InventoryError::Environment {
            message: format!(
                "{} failed: {}",
                python.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        });
    }
    let probe: Probe =
        serde_json::from_slice(&output.stdout).map_err(|e| InventoryError::Environment {
            message: format!("{} gave unexpected output ({e})", python.display()),
        })?;
    let markers = MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
        implementation_name: &probe.implementation_name,
        implementation_version: &probe.implementation_version,
        os_name: &probe.os_name,
        platform_machine: &probe.platform_machine,
        platform_python_implementation: &probe.platform_python_implementation,
        platform_release: &probe.platform_release,
        platform_system: &probe.platform_system,
        platform_version: &probe.platform_version,
        python_full_version: &probe.python_full_version,
        python_version: &probe.python_version,
        sys_platform: &probe.sys_platform,
    })
    .map_err(|e| InventoryError::Environment {
        message: format!("{}: unusable version ({e})", python.display()),
    })?;
    Ok(Environment {
        prefix: probe.prefix,
        paths: probe.paths,
        python_version: probe.python_full_version,
        found_by: found_by.into(),
        interpreter_called: true,
        markers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn venv_layout_is_read_without_python() {
        let dir = tempfile::tempdir().unwrap();
        let venv = dir.path();
        std::fs::write(
            venv.join("pyvenv.cfg"),
            "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.7\n",
        )
        .unwrap();
        let site = venv.join("lib/python3.11/site-packages");
        std::fs::create_dir_all(&site).unwrap();
        std::fs::create_dir_all(venv.join("src/proj")).unwrap();
        std::fs::write(
            site.join("__editable__.proj.pth"),
            "import __editable___finder\n",
        )
        .unwrap();
        std::fs::write(
            site.join("easy-install.pth"),
            format!("{}\n# comment\n", venv.join("src").display()),
        )
        .unwrap();
        let env = locate(&EnvironmentSpec {
            venv: Some(venv.to_owned()),
            ..Default::default()
        })
        .unwrap();
        assert!(!env.interpreter_called);
        assert_eq!(env.python_version, "3.11.7");
        assert_eq!(env.paths, vec![site, venv.join("src")]);
        assert_eq!(env.markers.python_version().string, "3.11");
    }

    #[test]
    fn not_a_venv_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = locate(&EnvironmentSpec {
            venv: Some(dir.path().to_owned()),
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("is not a virtualenv"), "{err}");
    }

    #[test]
    fn dot_venv_at_the_project_root() {
        let dir = tempfile::tempdir().unwrap();
        let venv = dir.path().join(".venv");
        std::fs::create_dir_all(venv.join("lib/python3.12/site-packages")).unwrap();
        std::fs::write(
            venv.join("pyvenv.cfg"),
            "version_info = 3.12.1\nimplementation = CPython\n",
        )
        .unwrap();
        let env = locate(&EnvironmentSpec {
            project_root: Some(dir.path().to_owned()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(env.found_by, ".venv");
        assert_eq!(env.python_version, "3.12.1");
    }
}
