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
///
/// Nothing from the project is ever run: a virtualenv inside the project is read from its files
/// (`pyvenv.cfg`, `lib/pythonX.Y/site-packages`), and when the system's packages must be listed
/// too, the interpreter asked is one found on PATH outside the project, of the same version — or
/// the one named with `--python`. Every interpreter run is bounded by [`PROBE_TIMEOUT`].
pub fn locate(spec: &EnvironmentSpec) -> Result<Environment, InventoryError> {
    let project = spec
        .project_root
        .as_ref()
        .map(|r| r.canonicalize().unwrap_or_else(|_| r.clone()));
    let project = project.as_deref();
    if let Some(venv) = &spec.venv {
        return from_venv(venv, "--venv", project);
    }
    if let Some(python) = &spec.python {
        // An interpreter inside a virtualenv: read the venv's layout instead of running it.
        if let Some(venv) = python.parent().and_then(Path::parent)
            && venv.join("pyvenv.cfg").is_file()
        {
            return from_venv(venv, "--python", project).or_else(|_| {
                // Named by the user: it may be asked.
                from_interpreter(python, "--python")
            });
        }
        return from_interpreter(python, "--python");
    }
    if let Some(venv) = &spec.virtual_env {
        return from_venv(venv, "VIRTUAL_ENV", project);
    }
    if let Some(root) = &spec.project_root {
        let venv = root.join(".venv");
        if venv.join("pyvenv.cfg").is_file() {
            return from_venv(&venv, ".venv", project);
        }
    }
    let python =
        python_on_path(&["python3"], project).ok_or_else(|| InventoryError::Environment {
            message: "no virtualenv found and no python3 on PATH outside the project; pass \
                      --python or --venv"
                .into(),
        })?;
    from_interpreter(&python, "python3 on PATH")
}

/// How long an interpreter may take to describe itself.
pub const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Whether `path` lies inside the project (links resolved).
fn inside(path: &Path, project: Option<&Path>) -> bool {
    let Some(project) = project else {
        return false;
    };
    let real = path.canonicalize().unwrap_or_else(|_| path.to_owned());
    real.starts_with(project)
}

/// The first of `names` found on PATH in a directory outside the project.
fn python_on_path(names: &[&str], project: Option<&Path>) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        if dir.as_os_str().is_empty() || !dir.is_absolute() || inside(&dir, project) {
            continue;
        }
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() && !inside(&candidate, project) {
                return Some(candidate);
            }
        }
    }
    None
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

fn from_venv(
    venv: &Path,
    found_by: &str,
    project: Option<&Path>,
) -> Result<Environment, InventoryError> {
    let cfg = read_pyvenv_cfg(venv)?;
    let get = |key: &str| cfg.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let system_site =
        get("include-system-site-packages").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let cfg_version = get("version_info")
        .or_else(|| get("version"))
        .map(str::to_owned);
    let site = venv_site_packages(venv, cfg_version.as_deref());
    // Without a version in pyvenv.cfg, the layout tells X.Y: lib/pythonX.Y/site-packages.
    let version = cfg_version.or_else(|| {
        let dir = site.as_ref()?.parent()?.file_name()?.to_str()?;
        let v = dir.strip_prefix("python")?;
        v.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| v.to_owned())
    });
    let untrusted = inside(venv, project);
    if let (Some(version), Some(site), true) = (&version, &site, system_site) {
        // The system's packages are visible too: they are listed by an interpreter of the same
        // version found on PATH outside the project — never the virtualenv's own.
        let mut parts = version.split('.');
        let x_y = format!(
            "{}.{}",
            parts.next().unwrap_or("3"),
            parts.next().unwrap_or("")
        );
        let base = python_on_path(&[&format!("python{x_y}"), "python3"], project)
            .and_then(|p| from_interpreter(&p, found_by).ok().map(|e| (p, e)))
            .filter(|(_, e)| e.python_version.starts_with(&format!("{x_y}.")));
        let Some((python, base)) = base else {
            return Err(InventoryError::Environment {
                message: format!(
                    "{}: include-system-site-packages = true, and no python{x_y} outside the \
                     project on PATH to list the system's packages (archlint does not run the \
                     virtualenv's own interpreter); pass --python",
                    venv.display()
                ),
            });
        };
        let mut paths = vec![site.clone()];
        paths.extend(pth_paths(site));
        for p in base.paths {
            if !paths.contains(&p) {
                paths.push(p);
            }
        }
        let implementation = get("implementation").unwrap_or("CPython").to_owned();
        return Ok(Environment {
            prefix: venv.to_owned(),
            paths,
            markers: host_markers(version, &implementation)?,
            python_version: version.clone(),
            found_by: format!(
                "{found_by}, with the system's packages from {}",
                python.display()
            ),
            interpreter_called: true,
        });
    }
    if untrusted && (version.is_none() || site.is_none()) {
        return Err(InventoryError::Environment {
            message: format!(
                "{}: cannot tell its Python version or site-packages from pyvenv.cfg and its \
                 layout, and its interpreter is part of the project, which archlint does not \
                 run; pass --python",
                venv.display()
            ),
        });
    }
    match (version, site, false) {
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

/// Run an interpreter's probe, killing it after [`PROBE_TIMEOUT`].
fn probe_output(python: &Path) -> Result<std::process::Output, InventoryError> {
    use std::io::Read;
    // Not from the working directory (the project): `python -c` would import the probe's
    // modules from there first. PYTHONSAFEPATH (3.11+) leaves it off sys.path altogether.
    let neutral = python
        .parent()
        .filter(|d| d.is_absolute() && d.is_dir())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("/"));
    let mut child = Command::new(python)
        .args(["-c", PROBE])
        .current_dir(neutral)
        .env("PYTHONSAFEPATH", "1")
        .env_remove("PYTHONSTARTUP")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| InventoryError::Environment {
            message: format!(
                "cannot run {} ({e}); pass --python or --venv",
                python.display()
            ),
        })?;
    // Read both pipes on threads, so a chatty interpreter cannot fill one and stall.
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stdout.read_to_end(&mut b);
        b
    });
    let err = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stderr.read_to_end(&mut b);
        b
    });
    let deadline = std::time::Instant::now() + PROBE_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(InventoryError::Environment {
                    message: format!(
                        "{} did not describe itself within {} s; pass --python or --venv",
                        python.display(),
                        PROBE_TIMEOUT.as_secs()
                    ),
                });
            }
        }
    };
    Ok(std::process::Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

fn from_interpreter(python: &Path, found_by: &str) -> Result<Environment, InventoryError> {
    let output = probe_output(python)?;
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

    /// A checkout's own `.venv/bin/python` is never run: it could be anything (here a script
    /// that leaves a mark and hangs). Without a version in pyvenv.cfg the layout gives it; with
    /// the system's packages visible, an interpreter outside the project is asked; when nothing
    /// will do, a clear error — and never the mark.
    #[cfg(unix)]
    #[test]
    fn the_projects_own_interpreter_is_never_run() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        let venv = project.join(".venv");
        let mark = dir.path().join("ran");
        std::fs::create_dir_all(venv.join("bin")).unwrap();
        let python = venv.join("bin/python");
        std::fs::write(
            &python,
            format!("#!/bin/sh\ntouch {}\nsleep 30\n", mark.display()),
        )
        .unwrap();
        std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::copy(&python, venv.join("bin/python3")).unwrap();
        let spec = EnvironmentSpec {
            project_root: Some(project.clone()),
            ..Default::default()
        };
        // No version, no layout: an error naming the reason.
        std::fs::write(venv.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        let err = locate(&spec).unwrap_err().to_string();
        assert!(
            err.contains("does not run") && err.contains("--python"),
            "{err}"
        );
        // No version, but the layout says 3.11.
        std::fs::create_dir_all(venv.join("lib/python3.11/site-packages")).unwrap();
        let env = locate(&spec).unwrap();
        assert_eq!(env.python_version, "3.11");
        assert!(!env.interpreter_called);
        // The system's packages visible: some interpreter outside the project may be asked, or
        // the run says why it cannot; the venv's own is not.
        std::fs::write(
            venv.join("pyvenv.cfg"),
            "home = /usr/bin\ninclude-system-site-packages = true\nversion = 3.11.7\n",
        )
        .unwrap();
        match locate(&spec) {
            Ok(env) => {
                assert!(
                    env.found_by.contains("system's packages from"),
                    "{}",
                    env.found_by
                );
                assert!(!env.found_by.contains(".venv/bin"));
            }
            Err(e) => assert!(e.to_string().contains("does not run"), "{e}"),
        }
        assert!(!mark.exists(), "the project's interpreter ran");
    }
}
