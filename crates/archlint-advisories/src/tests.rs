//! Offline matching on the sample of the PyPA advisory database, case by case.

use std::path::{Path, PathBuf};

use super::*;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osv-sample.zip")
}

fn db() -> AdvisoryDb {
    import(&sample()).unwrap().0
}

fn ids(db: &AdvisoryDb, name: &str, version: &str) -> Vec<String> {
    db.check(name, version).into_iter().map(|v| v.id).collect()
}

#[test]
fn imports_the_sample() {
    let (db, report) = import(&sample()).unwrap();
    assert_eq!(report.files, 29);
    assert_eq!(report.error_count, 0, "{:?}", report.errors);
    assert_eq!(report.withdrawn, 3);
    assert_eq!(report.advisories, 26);
    assert_eq!(db.meta().advisories, 26);
    assert!(db.packages().contains(&"django".to_owned()));
}

#[test]
fn fixed_ranges_with_two_intervals() {
    let db = db();
    // accesscontrol: introduced 4.0 fixed 4.3, introduced 5.0 fixed 5.2.
    assert_eq!(
        ids(&db, "AccessControl", "4.2"),
        ["PYSEC-2021-335", "PYSEC-2021-370"]
    );
    assert!(ids(&db, "accesscontrol", "4.3").is_empty());
    assert_eq!(ids(&db, "accesscontrol", "5.1")[0], "PYSEC-2021-335");
    assert!(ids(&db, "accesscontrol", "3.9").is_empty());
    assert!(!ids(&db, "accesscontrol", "5.2").contains(&"PYSEC-2021-335".to_owned()));
    let v = &db.check("accesscontrol", "4.1")[0];
    assert_eq!(v.fixed.as_deref(), Some("4.3"));
    let v = db
        .check("accesscontrol", "5.0")
        .into_iter()
        .find(|v| v.id == "PYSEC-2021-335")
        .unwrap();
    assert_eq!(
        v.fixed.as_deref(),
        Some("5.2"),
        "the smallest fix above the installed version"
    );
}

#[test]
fn last_affected_is_inclusive() {
    let db = db();
    assert_eq!(ids(&db, "py", "1.11.0"), ["PYSEC-2022-42969"]);
    assert_eq!(ids(&db, "py", "1.0.0"), ["PYSEC-2022-42969"]);
    assert!(ids(&db, "py", "1.11.1").is_empty());
    assert_eq!(db.check("py", "1.11.0")[0].fixed, None);
}

#[test]
fn explicit_versions_only() {
    let db = db();
    assert_eq!(ids(&db, "gratient", "0.5"), ["PYSEC-2024-1"]);
    assert_eq!(
        ids(&db, "gratient", "0.5.0"),
        ["PYSEC-2024-1"],
        "PEP 440 equality"
    );
    assert!(ids(&db, "gratient", "0.4").is_empty());
    assert!(ids(&db, "gratient", "0.6").is_empty());
    assert_eq!(
        db.check("gratient", "0.5")[0].summary,
        "gratient 0.5 contains credential harvesting code"
    );
}

#[test]
fn withdrawn_advisories_are_ignored() {
    let db = db();
    assert!(!ids(&db, "aiohttp", "0.1").contains(&"PYSEC-2022-43059".to_owned()));
    assert!(db.advisories("ansible").is_empty());
}

#[test]
fn aliases_and_summaries() {
    let db = db();
    let v = &db.check("aim", "3.0.0")[0];
    assert_eq!(v.id, "PYSEC-2021-839");
    assert_eq!(v.aliases, ["CVE-2021-43775", "GHSA-8phj-f9w2-cjcc"]);
    assert!(
        v.summary.starts_with("Aim is an open-source"),
        "{}",
        v.summary
    );
    assert!(ids(&db, "aim", "3.1.0").is_empty());
}

#[test]
fn several_advisories_per_package() {
    let db = db();
    assert_eq!(ids(&db, "requests", "2.0.0").len(), 2);
    assert!(ids(&db, "requests", "2.31.0").is_empty());
    // urllib3: [1.17, 1.18.1), [0, 1.23), [0, 1.24.3).
    assert_eq!(
        ids(&db, "urllib3", "1.17"),
        ["PYSEC-2017-98", "PYSEC-2018-32", "PYSEC-2019-132"]
    );
    assert_eq!(
        ids(&db, "urllib3", "1.18.1"),
        ["PYSEC-2018-32", "PYSEC-2019-132"]
    );
    assert_eq!(ids(&db, "urllib3", "1.24.1"), ["PYSEC-2019-132"]);
    assert!(ids(&db, "urllib3", "1.24.3").is_empty());
    let pyyaml = ids(&db, "PyYAML", "5.3");
    assert!(pyyaml.contains(&"PYSEC-2020-96".to_owned()), "{pyyaml:?}");
    assert!(
        !ids(&db, "pyyaml", "5.0").contains(&"PYSEC-2020-96".to_owned()),
        "introduced 5.1"
    );
    assert!(ids(&db, "pyyaml", "6.0").is_empty());
    assert!(!ids(&db, "django", "0.96").is_empty());
    assert!(ids(&db, "not-a-package", "1.0").is_empty());
    assert!(ids(&db, "django", "not a version").is_empty());
}

#[test]
fn save_load_and_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db/pypi.db");
    let db = db();
    let bytes = db.save(&path).unwrap();
    let loaded = AdvisoryDb::load(&path).unwrap();
    assert_eq!(loaded.file_bytes, bytes);
    assert_eq!(loaded.meta(), db.meta());
    assert_eq!(ids(&loaded, "py", "1.0.0"), ["PYSEC-2022-42969"]);
    // One flipped byte: refused with a clear message, never a panic.
    let mut raw = std::fs::read(&path).unwrap();
    let last = raw.len() - 1;
    raw[last] ^= 0x55;
    std::fs::write(&path, &raw).unwrap();
    let err = AdvisoryDb::load(&path).err().unwrap().to_string();
    assert!(err.contains("checksum") && err.contains("import"), "{err}");
    std::fs::write(&path, b"junk").unwrap();
    assert!(AdvisoryDb::load(&path).is_err());
    assert!(AdvisoryDb::load(&dir.path().join("missing.db")).is_err());
}

#[test]
fn directories_json_and_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("GHSA-1.json"),
        r#"{"id": "GHSA-xxxx", "aliases": ["CVE-1"], "summary": "bad", "affected": [
            {"package": {"ecosystem": "PyPI", "name": "Foo_Bar"},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "1.5"}]}]},
            {"package": {"ecosystem": "npm", "name": "foo-bar"},
             "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]}"#,
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/broken.json"), "{not json").unwrap();
    std::fs::write(dir.path().join("sub/notes.txt"), "ignored").unwrap();
    let (db, report) = import(dir.path()).unwrap();
    assert_eq!(report.files, 2);
    assert_eq!(report.error_count, 1);
    assert!(report.errors[0].contains("broken.json"));
    assert_eq!(ids(&db, "foo-bar", "1.2"), ["GHSA-xxxx"]);
    assert!(ids(&db, "foo-bar", "1.5").is_empty());
    assert_eq!(db.packages(), ["foo-bar"]);
    // Nothing usable is an error, not an empty database.
    let empty = tempfile::tempdir().unwrap();
    assert!(import(empty.path()).is_err());
    assert!(import(&empty.path().join("nope.zip")).is_err());
}

/// Peak resident memory of this process so far, in MiB (Linux).
fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib / 1024)
}

/// A zip of `n` highly compressible entries of `size` bytes each, plus one real advisory.
fn bomb(dir: &Path, n: usize, size: usize) -> PathBuf {
    use std::io::Write;
    let path = dir.join("bomb.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    let filler = vec![b' '; size];
    for i in 0..n {
        zip.start_file(format!("vulns/x/PYSEC-0000-{i}.json"), options)
            .unwrap();
        zip.write_all(b"{\"id\": \"PYSEC-0000-x\", \"details\": \"")
            .unwrap();
        zip.write_all(&filler).unwrap();
        zip.write_all(b"\"}").unwrap();
    }
    zip.start_file("vulns/real/PYSEC-2099-1.json", options)
        .unwrap();
    zip.write_all(
        br#"{"id": "PYSEC-2099-1", "affected": [{"package": {"ecosystem": "PyPI", "name": "real"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}]}"#,
    )
    .unwrap();
    zip.finish().unwrap();
    path
}

/// A small archive of huge, highly compressed entries took 1.98 GB: entries are capped and the
/// archive is parsed a batch at a time.
#[test]
fn compressed_bombs_are_streamed_and_capped() {
    let dir = tempfile::tempdir().unwrap();
    // 120 entries of 8 MB: each over the per-entry cap, refused without being held.
    let (db, report) = import(&bomb(dir.path(), 120, 8 << 20)).unwrap();
    assert_eq!(report.files, 1);
    assert_eq!(report.error_count, 120);
    assert!(
        report.errors[0].contains("larger than 1024 KiB"),
        "{:?}",
        report.errors
    );
    assert_eq!(ids(&db, "real", "1.0"), ["PYSEC-2099-1"]);
    // 300 entries just under the cap (300 MB in all): parsed in batches, not held at once.
    let (db, report) = import(&bomb(dir.path(), 300, 1000 << 10)).unwrap();
    assert_eq!(report.files, 301);
    assert_eq!(ids(&db, "real", "1.5"), ["PYSEC-2099-1"]);
    if let Some(peak) = peak_rss_mib() {
        assert!(peak < 250, "peak {peak} MiB");
    }
}
