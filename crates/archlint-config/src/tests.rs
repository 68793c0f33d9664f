use super::*;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn ini_like_configparser() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        ".importlinter",
        "[importlinter]\nroot_package = app\nInclude_External_Packages = True\n\n\
         [importlinter:contract:one]\nname = One\ntype = layers\nlayers =\n    high\n    # comment\n\n    low\n",
    );
    let c = discover_config(tmp.path()).unwrap().unwrap();
    assert_eq!(c.format, ConfigFormat::ImportLinterIni);
    assert_eq!(c.settings.root_packages, ["app"]);
    assert!(c.settings.include_external_packages);
    assert_eq!(c.contracts[0].id.as_deref(), Some("one"));
    assert_eq!(c.contracts[0].line, Some(5));
    assert_eq!(
        c.contracts[0].options["layers"],
        RawValue::Many(vec!["high".into(), "".into(), "low".into()])
    );
}

#[test]
fn setup_cfg_before_pyproject_and_archlint_first() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "setup.cfg", "[metadata]\nname = x\n");
    write(
        tmp.path(),
        "pyproject.toml",
        "[tool.importlinter]\nroot_packages = [\"a\", \"b\"]\nexclude_type_checking_imports = true\n\
         [[tool.importlinter.contracts]]\nname = \"C\"\ntype = \"forbidden\"\nsource_modules = [\"a\"]\nforbidden_modules = [\"b\"]\n",
    );
    let c = discover_config(tmp.path()).unwrap().unwrap();
    assert_eq!(c.format, ConfigFormat::ImportLinterToml);
    assert_eq!(c.settings.root_packages, ["a", "b"]);
    assert!(c.settings.exclude_type_checking_imports);
    assert_eq!(c.contracts[0].line, Some(4));

    write(
        tmp.path(),
        "archlint.toml",
        "root_packages = [\"z\"]\nexclude = [\"z/tests\"]\n",
    );
    let c = discover_config(tmp.path()).unwrap().unwrap();
    assert_eq!(c.format, ConfigFormat::ArchlintToml);
    assert_eq!(c.settings.exclude, ["z/tests"]);
}

#[test]
fn errors_name_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(
        tmp.path(),
        "bad.toml",
        "[tool.importlinter\nroot_package = 1\n",
    );
    let e = load_config(&p).unwrap_err();
    assert_eq!(e.line, Some(1));
    assert!(e.to_string().contains("bad.toml:1:"));

    let p = write(
        tmp.path(),
        "bad.ini",
        "[importlinter]\nroot_package = app\nnot a pair\n",
    );
    let e = load_config(&p).unwrap_err();
    assert_eq!(e.line, Some(3));

    // A line with no option name before `=` is not an option '' (line 4).
    let p = write(
        tmp.path(),
        "eq.ini",
        "[importlinter]\nroot_package = app\n[importlinter:contract:c]\n=== \n",
    );
    let e = load_config(&p).unwrap_err();
    assert_eq!(e.line, Some(4));
    assert!(
        e.message.contains("expected 'key = value', found: ==="),
        "{e}"
    );

    let p = write(
        tmp.path(),
        "archlint.toml",
        "root_packages = [\"a\"]\nfrobnicate = true\n",
    );
    assert!(load_config(&p).unwrap_err().message.contains("frobnicate"));

    let p = write(
        tmp.path(),
        "x.ini",
        "[importlinter]\nroot_package = not-valid\n",
    );
    assert!(load_config(&p).unwrap_err().message.contains("not-valid"));

    let p = write(
        tmp.path(),
        "plug.ini",
        "[importlinter]\nroot_package = a\ncontract_types =\n    x: y.Z\n    other: a.b.C\n\n[importlinter:contract:c]\nname = C\ntype = x\n",
    );
    let config = load_config(&p).unwrap();
    let types: Vec<(&str, &str)> = config
        .settings
        .contract_types
        .iter()
        .map(|t| (t.name.as_str(), t.class.as_str()))
        .collect();
    assert_eq!(types, [("x", "y.Z"), ("other", "a.b.C")]);
    let p = write(
        tmp.path(),
        "plug2.ini",
        "[importlinter]\nroot_package = a\ncontract_types = x y.Z\n",
    );
    assert!(
        load_config(&p)
            .unwrap_err()
            .message
            .contains("contract_types")
    );
}

#[test]
fn target_version_is_read_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let write = |v: &str| {
        std::fs::write(
            dir.path().join("archlint.toml"),
            format!("root_packages = [\"app\"]\ntarget_version = \"{v}\"\n"),
        )
        .unwrap();
        load_config(&dir.path().join("archlint.toml"))
    };
    assert_eq!(
        write("3.12").unwrap().settings.target_version,
        Some((3, 12))
    );
    assert_eq!(write("py39").unwrap().settings.target_version, Some((3, 9)));
    let err = write("2.7").unwrap_err();
    assert!(err.message.contains("target_version"), "{}", err.message);
    assert!(write("3.99").is_err());
}

#[test]
fn contract_ids_are_unique_and_have_no_colon() {
    let tmp = tempfile::tempdir().unwrap();
    let contract = |id: &str| {
        format!(
            "[[tool.importlinter.contracts]]\nid = \"{id}\"\nname = \"N{id}\"\ntype = \"independence\"\nmodules = [\"a.x\", \"a.y\"]\n"
        )
    };
    let toml = |contracts: &str| {
        let p = write(
            tmp.path(),
            "pyproject.toml",
            &format!("[tool.importlinter]\nroot_package = \"a\"\n{contracts}"),
        );
        load_config(&p)
    };
    assert!(toml(&(contract("one") + &contract("two"))).is_ok());
    let err = toml(&(contract("one") + &contract("one"))).unwrap_err();
    assert!(
        err.message
            .contains("more than one contract has the id 'one'"),
        "{err}"
    );
    assert!(err.to_string().contains("pyproject.toml"), "{err}");
    let err = toml(&contract("a:b")).unwrap_err();
    assert!(err.message.contains("may not contain a colon"), "{err}");

    // In an INI file the id is the section name's last part, or the section's own `id`.
    let ini = |text: &str| {
        let p = write(tmp.path(), ".importlinter", text);
        load_config(&p)
    };
    let head = "[importlinter]\nroot_package = a\n";
    let section = |name: &str, extra: &str| {
        format!(
            "[{name}]\nname = {name}\ntype = independence\nmodules =\n    a.x\n    a.y\n{extra}"
        )
    };
    let err = ini(&format!(
        "{head}{}{}",
        section("importlinter:contract:one", ""),
        section("importlinter:other:one", "")
    ))
    .unwrap_err();
    assert!(err.message.contains("'one'"), "{err}");
    assert_eq!(err.line, Some(9), "the second section: {err}");
    let err = ini(&format!(
        "{head}{}",
        section("importlinter:contract:one", "id = x:y\n")
    ))
    .unwrap_err();
    assert!(err.message.contains("'x:y'"), "{err}");
}
