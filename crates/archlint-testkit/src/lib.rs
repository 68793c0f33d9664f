//! What archlint's tests share, so that the library crates and the command line test the same
//! projects: files written to disk ([`write`]), a generated layered tree with broken contracts
//! ([`generated_project`]) and a virtualenv holding a distribution with known vulnerabilities
//! ([`vulnerable_requests_project`]).

use std::fs;
use std::path::{Path, PathBuf};

/// Write `content` to `rel` under `dir`, creating its directories.
pub fn write(dir: &Path, rel: &str, content: &str) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().expect("a file under dir")).expect("create directories");
    fs::write(p, content).expect("write the file");
}

/// A generated layered project: `app.{api,service,domain,infra}` with `n` modules spread over
/// the layers, each importing a few others (some against the layers, so contracts break), and
/// a `.importlinter` with a layers and a forbidden contract.
pub fn generated_project(dir: &Path, n: usize) {
    let layers = ["api", "service", "domain", "infra"];
    // Distinct contents everywhere, so every file has its own content hash.
    for layer in layers {
        write(
            dir,
            &format!("app/{layer}/__init__.py"),
            &format!("# app.{layer}\n"),
        );
    }
    write(dir, "app/__init__.py", "# app\n");
    for i in 0..n {
        let layer = layers[i % 4];
        let mut body = String::new();
        for k in 1..=3 {
            let j = (i * 7 + k * 13) % n;
            body.push_str(&format!("from app.{} import m{j}\n", layers[j % 4]));
        }
        if i % 5 == 0 {
            body.push_str("import os\nimport json\n");
        }
        body.push_str(&format!(
            "\n\nclass C{i}:\n    def run(self, x):\n        return x + {i}\n\n\ndef f{i}(a, b=1):\n    return a * b\n"
        ));
        write(dir, &format!("app/{layer}/m{i}.py"), &body);
    }
    write(
        dir,
        ".importlinter",
        "[importlinter]\nroot_package = app\ninclude_external_packages = True\n\n\
         [importlinter:contract:layers]\nname = Layers\ntype = layers\nlayers =\n    app.api\n    app.service\n    app.domain\n    app.infra\n\n\
         [importlinter:contract:no-json]\nname = Domain does not use json\ntype = forbidden\nsource_modules = app.domain\nforbidden_modules = json\n",
    );
}

/// The facts packs in an archlint cache directory.
pub fn pack_files(cache: &Path) -> Vec<PathBuf> {
    let Ok(items) = fs::read_dir(cache.join("v1/facts")) else {
        return Vec::new();
    };
    items
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "pack"))
        .collect()
}

/// The OSV advisory sample the advisory database is imported from.
pub fn osv_sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../archlint-advisories/tests/fixtures/osv-sample.zip")
}

/// A project `app` (whose `app.web` imports requests) with its own virtualenv holding
/// requests 2.0.0, which has known vulnerabilities, and an advisory database imported from the
/// OSV sample; returns the database.
pub fn vulnerable_requests_project(root: &Path) -> PathBuf {
    write(root, "app/__init__.py", "");
    write(root, "app/web.py", "import requests\n");
    write(root, "requirements.txt", "requests==2.0.0\n");
    let info = root.join(".venv/lib/python3.11/site-packages/requests-2.0.0.dist-info");
    fs::create_dir_all(&info).expect("create the dist-info");
    fs::write(root.join(".venv/pyvenv.cfg"), "version = 3.11.7\n").expect("write pyvenv.cfg");
    fs::write(
        info.join("METADATA"),
        "Metadata-Version: 2.1\nName: requests\nVersion: 2.0.0\nLicense: Apache-2.0\n\nbody\n",
    )
    .expect("write METADATA");
    fs::write(info.join("RECORD"), "requests/__init__.py,,\n").expect("write RECORD");
    let db = root.join("advisories.db");
    let (advisories, _) = archlint_advisories::import(&osv_sample()).expect("import the sample");
    advisories.save(&db).expect("save the advisory database");
    db
}
