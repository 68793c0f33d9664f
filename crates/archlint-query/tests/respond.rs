//! The query protocol on a small project: each request's answer, and errors that keep the
//! session going.

use std::fs;

use archlint_engine::{CacheFlags, ProjectOptions, load_project};
use archlint_query::respond;
use serde_json::json;

fn project() -> (tempfile::TempDir, archlint_engine::Project) {
    let dir = tempfile::tempdir().unwrap();
    let w = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    };
    w(".importlinter", "[importlinter]\nroot_package = shop\n");
    w("shop/__init__.py", "");
    w("shop/api.py", "from shop import services\n");
    w(
        "shop/services.py",
        "import shop.db\n\n\ndef f():\n    from shop import db\n",
    );
    w("shop/db.py", "");
    let project = load_project(&ProjectOptions {
        path: Some(dir.path().to_path_buf()),
        cache: CacheFlags {
            no_cache: true,
            ..Default::default()
        },
        ..Default::default()
    })
    .unwrap();
    (dir, project)
}

#[test]
fn answers_each_kind_of_request() {
    let (_dir, p) = project();
    assert_eq!(
        respond(&p, r#"{"op": "modules"}"#),
        json!({"modules": ["shop", "shop.api", "shop.db", "shop.services"], "external": []})
    );
    assert_eq!(
        respond(&p, r#"{"op": "imports", "module": "shop.services"}"#),
        json!({"imports": [{"imported": "shop.db", "lines": [1, 5], "type_checking": false, "in_function": false}]})
    );
    let chain = respond(
        &p,
        r#"{"op": "chain", "importer": "shop.api", "imported": "shop.db"}"#,
    );
    assert_eq!(
        chain["chain"],
        json!(["shop.api", "shop.services", "shop.db"])
    );
    let contract = respond(
        &p,
        r#"{"op": "contract", "contract": {"type": "forbidden", "name": "No db", "source_modules": ["shop.api"], "forbidden_modules": ["shop.db"]}}"#,
    );
    assert_eq!(contract["kept"], json!(false), "{contract}");
}

#[test]
fn bad_requests_get_an_error_answer() {
    let (_dir, p) = project();
    assert!(respond(&p, "not json")["error"].is_string());
    assert!(
        respond(&p, r#"{"op": "imports", "module": "nope"}"#)["error"]
            .as_str()
            .unwrap()
            .contains("no module named 'nope'")
    );
    assert!(respond(&p, r#"{"op": "imports"}"#)["error"].is_string());
    assert!(respond(&p, r#"{"op": "fly"}"#)["error"].is_string());
}
