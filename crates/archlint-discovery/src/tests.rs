use super::*;
use std::fs;

fn touch(root: &Path, rel: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, "").unwrap();
}

fn modules(d: &Discovered) -> Vec<&str> {
    d.files.iter().map(|f| f.module.as_str()).collect()
}

fn opts(root: &Path, packages: &[&str]) -> DiscoveryOptions {
    DiscoveryOptions {
        root: root.to_path_buf(),
        root_packages: packages.iter().map(|s| s.to_string()).collect(),
        respect_gitignore: true,
        stat_files: false,
        ..DiscoveryOptions::default()
    }
}

#[test]
fn regular_packages_and_module_names() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    for f in [
        "app/__init__.py",
        "app/core.py",
        "app/sub/__init__.py",
        "app/sub/deep.py",
        "app/no_init/orphan.py",
        "app/not-ident/x.py",
        "app/some.module.py",
        "app/.hidden.py",
        "app/data.txt",
    ] {
        touch(r, f);
    }
    let d = discover(&opts(r, &["app"])).unwrap();
    assert_eq!(modules(&d), ["app", "app.core", "app.sub", "app.sub.deep"]);
    assert!(d.files[0].is_package && !d.files[1].is_package);
    assert!(d.warnings.iter().any(|w| w.contains("some.module.py")));
    assert!(d.namespace_packages.is_empty());
}

#[test]
fn src_layout_and_several_roots_detected() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    touch(r, "src/one/__init__.py");
    touch(r, "src/one/a.py");
    touch(r, "two/__init__.py");
    touch(r, "setup.py");
    let d = discover(&opts(r, &[])).unwrap();
    assert_eq!(d.root_packages, ["one", "two"]);
    assert_eq!(modules(&d), ["one", "one.a", "two"]);
}

#[test]
fn namespace_root_packages() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    touch(r, "ns/portion/__init__.py");
    touch(r, "ns/portion/m.py");
    touch(r, "ns/nested/inner/__init__.py");
    touch(r, "ns/empty_dir/readme.txt");
    let d = discover(&opts(r, &["ns"])).unwrap();
    assert_eq!(
        modules(&d),
        ["ns.nested.inner", "ns.portion", "ns.portion.m"]
    );
    assert_eq!(d.namespace_packages, ["ns", "ns.nested"]);

    let d = discover(&opts(r, &["ns.portion"])).unwrap();
    assert_eq!(modules(&d), ["ns.portion", "ns.portion.m"]);
}

#[test]
fn gitignore_and_globs() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    for f in [
        "app/__init__.py",
        "app/gen.py",
        "app/keep.py",
        "app/tests/__init__.py",
        "app/tests/t.py",
    ] {
        touch(r, f);
    }
    fs::write(r.join(".gitignore"), "gen.py\n").unwrap();
    let mut o = opts(r, &["app"]);
    o.exclude = vec!["app/tests".into()];
    let d = discover(&o).unwrap();
    assert_eq!(modules(&d), ["app", "app.keep"]);

    o.respect_gitignore = false;
    o.exclude.clear();
    o.include = vec!["**/keep.py".into()];
    let d = discover(&o).unwrap();
    assert_eq!(modules(&d), ["app.keep"]);
}

#[test]
fn clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    touch(r, "single.py");
    assert!(matches!(
        discover(&opts(r, &["missing"])),
        Err(DiscoveryError::PackageNotFound { .. })
    ));
    assert!(matches!(
        discover(&opts(r, &["single"])),
        Err(DiscoveryError::NotAPackage { .. })
    ));
    assert!(matches!(
        discover(&opts(r, &["bad-name"])),
        Err(DiscoveryError::InvalidName(_))
    ));
    assert!(matches!(
        discover(&opts(r, &[])),
        Err(DiscoveryError::NothingFound(_))
    ));
    let mut o = opts(r, &["x"]);
    o.exclude = vec!["[".into()];
    assert!(matches!(
        discover(&o),
        Err(DiscoveryError::InvalidGlob { .. })
    ));
}

#[test]
fn identifiers() {
    assert!(is_dotted_identifier("a.b_c.d1"));
    assert!(is_dotted_identifier("café"));
    assert!(!is_dotted_identifier("a..b"));
    assert!(!is_dotted_identifier("1a"));
    assert!(!is_dotted_identifier("a/b"));
    assert!(!is_dotted_identifier(""));
}

#[test]
fn a_module_next_to_a_package_of_the_same_name() {
    // Python imports the package; the module file is said to be shadowed, naming both paths.
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    for f in [
        "pkg/__init__.py",
        "pkg/a.py",
        "pkg/a/__init__.py",
        "pkg/a/x.py",
    ] {
        touch(r, f);
    }
    let d = discover(&opts(r, &["pkg"])).unwrap();
    assert_eq!(modules(&d), ["pkg", "pkg.a", "pkg.a.x"]);
    let a = &d.files[1];
    assert!(a.is_package && a.path.ends_with("pkg/a/__init__.py"));
    let warning = d
        .warnings
        .iter()
        .find(|w| w.contains("are both module pkg.a"))
        .expect("a warning");
    assert!(warning.contains("pkg/a.py") && warning.contains("pkg/a/__init__.py"));
}

/// A `.py` link to a file outside the project (a hostile checkout's `evil.py -> /etc/shadow`)
/// is skipped, with a warning and without being read; a link inside the project is a module;
/// a FIFO named `.py` is skipped rather than read (reading it would block).
#[cfg(unix)]
#[test]
fn links_out_of_the_project_and_special_files_are_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path().join("project");
    touch(&r, "app/__init__.py");
    touch(&r, "app/real.py");
    fs::write(tmp.path().join("secret.py"), "PASSWORD = 'hunter2'\n").unwrap();
    std::os::unix::fs::symlink(tmp.path().join("secret.py"), r.join("app/evil.py")).unwrap();
    std::os::unix::fs::symlink(r.join("app/real.py"), r.join("app/alias.py")).unwrap();
    let fifo = r.join("app/pipe.py");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status();
    let made_fifo = status.is_ok_and(|s| s.success());
    let d = discover(&opts(&r, &["app"])).unwrap();
    assert_eq!(modules(&d), ["app", "app.alias", "app.real"]);
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("evil.py") && w.contains("outside the project")),
        "{:?}",
        d.warnings
    );
    assert!(d.warnings.iter().all(|w| !w.contains("hunter2")));
    if made_fifo {
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("pipe.py") && w.contains("not a regular file"))
        );
    }
}

/// A module name with a newline would forge report lines: such a file is skipped, and the
/// warning quotes its name escaped.
#[cfg(unix)]
#[test]
fn control_characters_in_file_names_are_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    touch(r, "app/__init__.py");
    touch(r, "app/ok.py");
    touch(r, "app/evil\nKEPT.py");
    let d = discover(&opts(r, &["app"])).unwrap();
    assert_eq!(modules(&d), ["app", "app.ok"]);
    let w = d
        .warnings
        .iter()
        .find(|w| w.contains("control character"))
        .expect("a warning");
    assert!(w.contains("evil\\nKEPT.py") && !w.contains('\n'), "{w}");
}
