//! Every metadata variant, on generated site-packages trees.

use std::fs;
use std::path::Path;

use super::*;

fn venv() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("pyvenv.cfg"), "version = 3.11.7\n").unwrap();
    let site = dir.path().join("lib/python3.11/site-packages");
    fs::create_dir_all(&site).unwrap();
    (dir, site)
}

fn write(path: &Path, text: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn inventory(dir: &Path) -> DistInventory {
    let env = locate(&EnvironmentSpec {
        venv: Some(dir.to_owned()),
        ..Default::default()
    })
    .unwrap();
    read_inventory(env)
}

#[test]
fn every_variant() {
    let (dir, site) = venv();
    // dist-info with top_level.txt, INSTALLER, a VCS direct_url and markers.
    let a = site.join("Alpha_Pkg-1.0.dist-info");
    write(
        &a.join("METADATA"),
        b"Metadata-Version: 2.4\nName: Alpha_Pkg\nVersion: 1.0\nLicense-Expression: MIT\nRequires-Dist: beta>=2\nRequires-Dist: colorama; sys_platform == \"win32\"\nRequires-Dist: gamma[fast]; extra == \"speed\"\nClassifier: License :: OSI Approved :: MIT License\nClassifier: Programming Language :: Python\n\ndescription\n",
    );
    write(&a.join("top_level.txt"), b"alpha\nalpha_ext\n");
    write(&a.join("INSTALLER"), b"uv\n");
    write(
        &a.join("direct_url.json"),
        br#"{"url": "git+https://example.invalid/alpha.git", "vcs_info": {"vcs": "git", "commit_id": "abc123"}}"#,
    );
    // dist-info with RECORD only, editable, multi-line License.
    let b = site.join("beta-2.5.dist-info");
    write(
        &b.join("METADATA"),
        b"Metadata-Version: 2.1\nName: beta\nVersion: 2.5\nLicense: Some license\n        second line\n\n",
    );
    write(&b.join("RECORD"), b"beta.py,,\n_beta_speedups.cpython-311-x86_64-linux-gnu.so,,\nbeta-2.5.dist-info/RECORD,,\n");
    write(
        &b.join("direct_url.json"),
        br#"{"url": "file:///src/beta", "dir_info": {"editable": true}}"#,
    );
    // egg-info directory with requires.txt sections.
    let c = site.join("gamma-0.9-py3.11.egg-info");
    write(
        &c.join("PKG-INFO"),
        b"Metadata-Version: 1.2\nName: gamma\nVersion: 0.9\nLicense: BSD\n",
    );
    write(
        &c.join("requires.txt"),
        b"six\n\n[fast]\ncython\n\n[:python_version < \"3.0\"]\nfutures\n",
    );
    write(&c.join("top_level.txt"), b"gamma\n");
    // egg-info as a single file.
    write(
        &site.join("delta-3.0-py3.11.egg-info"),
        b"Metadata-Version: 1.1\nName: delta\nVersion: 3.0\n",
    );
    // A local (non-editable) install and an archive install.
    let e = site.join("eps-1.0.dist-info");
    write(&e.join("METADATA"), b"Name: eps\nVersion: 1.0\n");
    write(
        &e.join("direct_url.json"),
        br#"{"url": "file:///src/eps", "dir_info": {}}"#,
    );
    let f = site.join("phi-1.0.dist-info");
    write(&f.join("METADATA"), b"Name: phi\nVersion: 1.0\n");
    write(
        &f.join("direct_url.json"),
        br#"{"url": "https://index.invalid/phi-1.0.tar.gz", "archive_info": {}}"#,
    );

    let inv = inventory(dir.path());
    let names: Vec<&str> = inv
        .distributions
        .iter()
        .map(|d| d.normalized.as_str())
        .collect();
    assert_eq!(names, ["alpha-pkg", "beta", "delta", "eps", "gamma", "phi"]);

    let alpha = inv.get("alpha.pkg").unwrap();
    assert_eq!(alpha.name, "Alpha_Pkg");
    assert_eq!(alpha.license_expression.as_deref(), Some("MIT"));
    assert_eq!(
        alpha.license_classifiers,
        ["License :: OSI Approved :: MIT License"]
    );
    assert_eq!(alpha.installer.as_deref(), Some("uv"));
    assert_eq!(alpha.import_names, ["alpha", "alpha_ext"]);
    assert_eq!(alpha.import_names_from, ImportNamesSource::TopLevel);
    assert!(
        matches!(&alpha.direct_url, Some(DirectUrl::Vcs { vcs, commit: Some(c), .. }) if vcs == "git" && c == "abc123")
    );
    let env = &inv.environment.markers;
    let active: Vec<&str> = alpha
        .requires_dist
        .iter()
        .filter(|r| r.is_active(env, &[]))
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(
        active,
        ["beta"],
        "colorama is Windows-only, gamma needs the extra"
    );
    let speed = pep508_rs::ExtraName::new("speed".to_owned()).unwrap();
    assert!(alpha.requires_dist[2].is_active(env, &[speed]));
    assert_eq!(alpha.requires_dist[2].extras, ["fast"]);

    let beta = inv.get("beta").unwrap();
    assert!(beta.is_editable());
    assert_eq!(
        beta.license.as_deref(),
        Some("Some license\n        second line")
    );
    assert_eq!(beta.import_names, ["_beta_speedups", "beta"]);
    assert_eq!(beta.import_names_from, ImportNamesSource::Record);

    let gamma = inv.get("gamma").unwrap();
    assert_eq!(gamma.format, MetadataFormat::EggInfo);
    let reqs: Vec<(&str, bool)> = gamma
        .requires_dist
        .iter()
        .map(|r| (r.name.as_str(), r.is_active(env, &[])))
        .collect();
    assert_eq!(reqs, [("six", true), ("cython", false), ("futures", false)]);

    let delta = inv.get("delta").unwrap();
    assert_eq!(delta.format, MetadataFormat::EggInfo);
    assert_eq!(delta.import_names, ["delta"]);
    assert_eq!(delta.import_names_from, ImportNamesSource::Guessed);
    assert!(matches!(
        inv.get("eps").unwrap().direct_url,
        Some(DirectUrl::Local { .. })
    ));
    assert!(matches!(
        inv.get("phi").unwrap().direct_url,
        Some(DirectUrl::Archive { .. })
    ));
    assert!(
        inv.distributions.iter().all(|d| d.problems.is_empty()),
        "{:?}",
        inv.distributions
            .iter()
            .map(|d| &d.problems)
            .collect::<Vec<_>>()
    );
}

#[test]
fn first_on_the_path_wins() {
    let (dir, site) = venv();
    let other = dir.path().join("extra");
    write(
        &site.join("easy-install.pth"),
        format!("{}\n", other.display()).as_bytes(),
    );
    write(
        &site.join("dup-1.0.dist-info/METADATA"),
        b"Name: dup\nVersion: 1.0\n",
    );
    write(
        &other.join("Dup-2.0.dist-info/METADATA"),
        b"Name: Dup\nVersion: 2.0\n",
    );
    write(
        &other.join("only_here-1.0.dist-info/METADATA"),
        b"Name: only-here\nVersion: 1.0\n",
    );
    let inv = inventory(dir.path());
    assert_eq!(inv.get("dup").unwrap().version, "1.0");
    assert!(inv.get("only-here").is_some());
}

#[test]
fn malformed_metadata_never_stops_the_read() {
    let (dir, site) = venv();
    write(
        &site.join("ok-1.0.dist-info/METADATA"),
        b"Name: ok\nVersion: 1.0\n",
    );
    // No METADATA at all, binary junk, a bad direct_url, a non-UTF-8 license, a huge file.
    fs::create_dir_all(site.join("empty-1.0.dist-info")).unwrap();
    write(
        &site.join("junk-1.0.dist-info/METADATA"),
        b"\x00\x01\x02\xff\xfe",
    );
    write(
        &site.join("badurl-1.0.dist-info/METADATA"),
        b"Name: badurl\nVersion: 1.0\n",
    );
    write(
        &site.join("badurl-1.0.dist-info/direct_url.json"),
        b"{not json",
    );
    write(
        &site.join("latin-1.0.dist-info/METADATA"),
        b"Name: latin\nVersion: 1.0\nLicense: caf\xe9\n",
    );
    let huge = site.join("huge-1.0.dist-info/METADATA");
    write(&huge, &vec![b'a'; 17 * 1024 * 1024]);
    let inv = inventory(dir.path());
    let names: Vec<&str> = inv
        .distributions
        .iter()
        .map(|d| d.normalized.as_str())
        .collect();
    assert_eq!(names, ["badurl", "latin", "ok"]);
    assert_eq!(inv.unreadable.len(), 3, "{:?}", inv.unreadable);
    assert!(
        inv.unreadable
            .iter()
            .any(|p| p.message.contains("larger than"))
    );
    let badurl = inv.get("badurl").unwrap();
    assert!(badurl.problems[0].message.contains("PEP 610"));
    let latin = inv.get("latin").unwrap();
    assert_eq!(latin.problems[0].line, Some(3));
    assert_eq!(latin.license.as_deref(), Some("caf\u{fffd}"));
}
