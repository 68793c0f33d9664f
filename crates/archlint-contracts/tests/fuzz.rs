//! Property test over the configuration readers: any text in `.importlinter`, `setup.cfg`,
//! `pyproject.toml` or `archlint.toml` — INI and TOML fragments, deep nesting, junk — is read
//! into contracts or refused with an error naming the file, never a panic; every contract read
//! is then validated the same way. 256 cases per file kind by default (`PROPTEST_CASES`).

use archlint_config::load_config;
use archlint_contracts::Contract;
use proptest::prelude::*;

const INI: &[&str] = &[
    "[importlinter]\n",
    "[importlinter:contract:",
    "one",
    "]\n",
    "root_package = app\n",
    "root_packages =\n    app\n    other\n",
    "name = N\n",
    "type = ",
    "layers",
    "forbidden",
    "independence",
    "protected",
    "private_modules",
    "acyclic_siblings",
    "nope",
    "\n",
    "    ",
    "\t",
    "layers =\n",
    "    app.a\n",
    "    app.b | app.c\n",
    "    (app.d)\n",
    "source_modules = app.*\n",
    "forbidden_modules = app.**.x\n",
    "modules = app.*\n",
    "containers = app\n",
    "ignore_imports =\n    app.a -> app.b\n",
    "    app.* -> *.x\n",
    "allow_indirect_imports = maybe\n",
    "exhaustive = true\n",
    "id = x:y\n",
    "id = ok\n",
    "unmatched_ignore_imports_alerting = warn\n",
    "unmatched_modules_alerting = error\n",
    "contract_types = x: y.Z\n",
    "=",
    ":",
    "=== \n",
    "# c\n",
    "; c\n",
    "[",
    "]",
    "é",
    "\0",
    "protected_modules = app.a\n",
    "allowed_importers = app.b\n",
    "ancestors = app\n",
    "include_external_packages = True\n",
    "exclude_type_checking_imports = yes\n",
];

const TOML: &[&str] = &[
    "[tool.importlinter]\n",
    "[tool.archlint]\n",
    "[[tool.importlinter.contracts]]\n",
    "[[tool.archlint.contracts]]\n",
    "[[contracts]]\n",
    "root_packages = [\"app\"]\n",
    "root_package = \"app\"\n",
    "name = \"N\"\n",
    "type = \"layers\"\n",
    "type = \"forbidden\"\n",
    "layers = [\"app.a\", \"app.b\"]\n",
    "layers = [[\"x\"]]\n",
    "source_modules = [\"app.*\"]\n",
    "forbidden_modules = [\"os\"]\n",
    "id = 3\n",
    "exclude = [\"[a-\"]\n",
    "cache_dir = \".\"\n",
    "target_version = \"2.7\"\n",
    "[tool.archlint.cache]\n",
    "redis_timeout = \"-1s\"\n",
    "max_size = \"1ZB\"\n",
    "[tool.archlint.rules]\n",
    "[tool.archlint.dependencies]\n",
    "x = ",
    "{",
    "}",
    "[",
    "]",
    "\"",
    "'",
    "=",
    "\n",
    "1",
    "true",
    "é",
    "\0",
];

fn text(tokens: &'static [&'static str]) -> impl Strategy<Value = String> {
    let soup = prop::collection::vec(prop::sample::select(tokens), 0..80).prop_map(|t| t.concat());
    let deep = (
        0usize..20_000,
        prop::sample::select(&["[", "{a=", "x = [", "\n    "][..]),
    )
        .prop_map(|(n, open)| format!("[tool.importlinter]\nx = {}", open.repeat(n)));
    prop_oneof![5 => soup, 1 => deep]
}

fn read_all(name: &str, body: &str) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, body).unwrap();
    match load_config(&path) {
        Ok(config) => {
            for contract in &config.contracts {
                let _ = Contract::from_config(contract);
            }
        }
        Err(e) => {
            prop_assert!(e.to_string().contains(name), "{e}");
            prop_assert!(!e.message.is_empty());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn ini_files_are_read_or_refused(body in text(INI), setup in any::<bool>()) {
        read_all(if setup { "setup.cfg" } else { ".importlinter" }, &body)?;
    }

    #[test]
    fn toml_files_are_read_or_refused(body in text(TOML), own in any::<bool>()) {
        read_all(if own { "archlint.toml" } else { "pyproject.toml" }, &body)?;
    }
}
