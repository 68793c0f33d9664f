//! The online audit against a mock index on 127.0.0.1 serving the recorded-schema fixtures.
//! No test reaches the network.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use archlint_advisories::VulnSource;
use archlint_index::mock::{Behaviour, MockServer};
use archlint_index::{OnlineOptions, OnlineRequest, OnlineResult, Service, audit_online};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/index-json")
}

/// Every (name, version) the fixtures have, with the ids of their non-withdrawn advisories.
fn recorded() -> Vec<((String, String), BTreeSet<String>, bool)> {
    let mut out = Vec::new();
    for pkg in std::fs::read_dir(fixtures()).unwrap().flatten() {
        for file in std::fs::read_dir(pkg.path()).unwrap().flatten() {
            let path = file.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let version = path.file_stem().unwrap().to_string_lossy().into_owned();
            let not_found = path.with_extension("status").exists();
            let doc: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            let ids = doc["vulnerabilities"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|v| v["withdrawn"].is_null())
                .map(|v| v["id"].as_str().unwrap().to_owned())
                .collect();
            out.push((
                (pkg.file_name().to_string_lossy().into_owned(), version),
                ids,
                not_found,
            ));
        }
    }
    out.sort();
    out
}

fn fast() -> OnlineOptions {
    OnlineOptions {
        rate_limit: 1000.0,
        backoff_base: Duration::from_millis(10),
        breaker_threshold: 1000,
        timeout: Duration::from_secs(5),
        ..OnlineOptions::default()
    }
}

fn run(server: &MockServer, packages: &[(String, String)], options: OnlineOptions) -> OnlineResult {
    audit_online(OnlineRequest {
        packages,
        service: Service::Index {
            base: server.url.clone(),
        },
        options,
        cache: None,
        offline: None,
        progress: None,
    })
    .unwrap()
}

fn all_packages() -> Vec<(String, String)> {
    recorded().into_iter().map(|(p, ..)| p).collect()
}

#[test]
fn findings_equal_the_recorded_vulnerabilities() {
    let server = MockServer::start(&fixtures());
    let result = run(&server, &all_packages(), fast());
    let mut compared = 0;
    for ((name, version), ids, not_found) in recorded() {
        if not_found {
            assert!(
                result.audit.not_on_index.contains(&name),
                "{name} is not on the index"
            );
            continue;
        }
        let got = result
            .audit
            .checked
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("{name} checked"));
        let got_ids: BTreeSet<String> = got.vulnerabilities.iter().map(|v| v.id.clone()).collect();
        assert_eq!(got_ids, ids, "{name} {version}");
        assert_eq!(got.source, VulnSource::Index);
        compared += 1;
    }
    assert!(compared >= 20);
    assert!(result.audit.unchecked.is_empty());
    let django = result
        .audit
        .checked
        .iter()
        .find(|p| p.name == "django")
        .unwrap();
    assert_eq!(django.vulnerabilities.len(), 25);
    // The smallest fixed version above 3.2.0 is in the 3.2 series.
    assert!(
        django
            .vulnerabilities
            .iter()
            .all(|v| v.fixed.as_deref().is_some_and(|f| f.starts_with("3.2."))),
        "{:?}",
        django
            .vulnerabilities
            .iter()
            .map(|v| &v.fixed)
            .collect::<Vec<_>>()
    );
    // License data came along (for filling in unknown licenses).
    assert!(result.licenses.contains_key("requests"));
}

#[test]
fn half_failing_keeps_every_success_and_lists_every_failure() {
    let server = MockServer::start(&fixtures());
    server.set_behaviour(Behaviour::FailHalf);
    let packages: Vec<(String, String)> = recorded()
        .into_iter()
        .filter(|(.., nf)| !nf)
        .map(|(p, ..)| p)
        .collect();
    let mut options = fast();
    options.retries = 2;
    let result = run(&server, &packages, options);
    let failing: BTreeSet<&str> = packages
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| MockServer::fails_half(n))
        .collect();
    assert!(!failing.is_empty() && failing.len() < packages.len());
    let unchecked: BTreeSet<&str> = result
        .audit
        .unchecked
        .iter()
        .map(|u| u.name.as_str())
        .collect();
    assert_eq!(unchecked, failing);
    assert_eq!(result.audit.checked.len(), packages.len() - failing.len());
    for u in &result.audit.unchecked {
        assert_eq!(u.reason, "HTTP 503 (after 3 attempts)");
    }
    // Bounded retries: 3 attempts per failing package, 1 per other.
    assert_eq!(
        server.requests(),
        failing.len() * 3 + (packages.len() - failing.len())
    );
}

#[test]
fn never_more_than_the_concurrency_limit_in_flight() {
    let server = MockServer::start(&fixtures());
    server.set_latency(Duration::from_millis(40));
    let mut options = fast();
    options.concurrency = 4;
    let result = run(&server, &all_packages(), options);
    assert!(result.audit.unchecked.is_empty());
    assert!(server.max_in_flight() <= 4, "{}", server.max_in_flight());
    assert!(server.max_in_flight() >= 2, "requests do run in parallel");
}

#[test]
fn the_rate_limit_bounds_the_request_rate() {
    let server = MockServer::start(&fixtures());
    let packages: Vec<(String, String)> = all_packages().into_iter().take(11).collect();
    let mut options = fast();
    options.rate_limit = 20.0;
    let started = Instant::now();
    run(&server, &packages, options);
    // 11 requests at 20 per second: the last starts 0.5 s after the first.
    assert!(
        started.elapsed() >= Duration::from_millis(480),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn too_many_requests_honours_retry_after() {
    let server = MockServer::start(&fixtures());
    server.set_behaviour(Behaviour::RateLimited {
        retry_after_secs: 1,
        times: 1,
    });
    let packages = vec![
        ("requests".to_owned(), "2.19.1".to_owned()),
        ("flask".to_owned(), "0.12".to_owned()),
    ];
    let started = Instant::now();
    let result = run(&server, &packages, fast());
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(result.audit.checked.len(), 2);
    assert_eq!(server.requests(), 4);
}

#[test]
fn timeouts_resets_and_malformed_json_give_bounded_retries_and_a_clear_error() {
    let packages = vec![("requests".to_owned(), "2.19.1".to_owned())];
    for (behaviour, reason) in [
        (Behaviour::Hang, "timed out (after 3 attempts)"),
        (Behaviour::Reset, "(after 3 attempts)"),
        (
            Behaviour::Malformed,
            "malformed JSON in the response (after 3 attempts)",
        ),
        (Behaviour::Status(500), "HTTP 500 (after 3 attempts)"),
    ] {
        let server = MockServer::start(&fixtures());
        server.set_behaviour(behaviour.clone());
        let mut options = fast();
        options.retries = 2;
        options.timeout = Duration::from_millis(200);
        let result = run(&server, &packages, options);
        assert_eq!(result.audit.unchecked.len(), 1, "{behaviour:?}");
        let got = &result.audit.unchecked[0].reason;
        assert!(got.ends_with(reason), "{behaviour:?}: {got}");
        assert_eq!(server.requests(), 3, "{behaviour:?}");
    }
}

#[test]
fn the_breaker_opens_and_stops_calling_then_closes() {
    let server = MockServer::start(&fixtures());
    server.set_behaviour(Behaviour::Status(503));
    let packages: Vec<(String, String)> = all_packages();
    let options = OnlineOptions {
        concurrency: 1,
        retries: 0,
        breaker_threshold: 3,
        breaker_cooldown: Duration::from_secs(60),
        ..fast()
    };
    let result = run(&server, &packages, options);
    assert_eq!(
        server.requests(),
        3,
        "after three failures nothing more is asked"
    );
    assert_eq!(result.audit.unchecked.len(), packages.len());
    assert!(
        result
            .audit
            .unchecked
            .last()
            .unwrap()
            .reason
            .contains("circuit breaker open")
            || result
                .audit
                .unchecked
                .iter()
                .filter(|u| u.reason.contains("circuit breaker open"))
                .count()
                == packages.len() - 3
    );
    assert!(
        result
            .audit
            .notes
            .iter()
            .any(|n| n.contains("circuit breaker"))
    );
    assert_eq!(result.breaker_opened, 1);

    // Half-open after the cool-down: a successful probe closes it again.
    let server = MockServer::start(&fixtures());
    server.set_behaviour(Behaviour::FailFirst(3));
    let options = OnlineOptions {
        concurrency: 1,
        retries: 4,
        backoff_base: Duration::from_millis(60),
        breaker_threshold: 3,
        breaker_cooldown: Duration::from_millis(50),
        ..fast()
    };
    let result = run(
        &server,
        &[("requests".to_owned(), "2.19.1".to_owned())],
        options,
    );
    assert_eq!(
        result.audit.checked.len(),
        1,
        "{:?}",
        result.audit.unchecked
    );
    assert_eq!(result.breaker_opened, 1);
    assert_eq!(server.requests(), 4);
}

#[test]
fn repeated_runs_within_the_ttl_make_no_request() {
    let server = MockServer::start(&fixtures());
    let dir = tempfile::tempdir().unwrap();
    let open = || {
        archlint_cache::Cache::open(archlint_cache::CacheOptions {
            dir: Some(dir.path().to_owned()),
            ..Default::default()
        })
    };
    let packages = all_packages();
    let first = {
        let cache = open();
        audit_online(OnlineRequest {
            packages: &packages,
            service: Service::Index {
                base: server.url.clone(),
            },
            options: fast(),
            cache: Some(&cache),
            offline: None,
            progress: None,
        })
        .unwrap()
    };
    let asked = server.requests();
    assert_eq!(asked, packages.len());
    let cache = open();
    let second = audit_online(OnlineRequest {
        packages: &packages,
        service: Service::Index {
            base: server.url.clone(),
        },
        options: fast(),
        cache: Some(&cache),
        offline: None,
        progress: None,
    })
    .unwrap();
    assert_eq!(server.requests(), asked, "no request on a repeated run");
    assert_eq!(second.cache_hits as usize, packages.len());
    assert!(
        second
            .audit
            .checked
            .iter()
            .all(|p| p.source == VulnSource::Cache)
    );
    let ids = |r: &OnlineResult| -> Vec<(String, usize)> {
        r.audit
            .checked
            .iter()
            .map(|p| (p.name.clone(), p.vulnerabilities.len()))
            .collect()
    };
    assert_eq!(ids(&first), ids(&second));
    assert_eq!(second.audit.not_on_index, first.audit.not_on_index);
    // Licenses come back from the cache too, and the release metadata was kept (24 h kind).
    assert_eq!(second.licenses, first.licenses);
    assert!(!first.licenses.is_empty());
    let metadata = walk_files(&dir.path().join("v1/package-metadata"));
    assert_eq!(metadata, packages.len() - first.audit.not_on_index.len());
}

fn walk_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        walk_files(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

#[test]
fn a_dead_index_falls_back_to_the_offline_database_and_says_so() {
    let zip = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../archlint-advisories/tests/fixtures/osv-sample.zip");
    let (db, _) = archlint_advisories::import(&zip).unwrap();
    // A port with nothing listening.
    let url = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let packages = vec![
        ("requests".to_owned(), "2.0.0".to_owned()),
        ("gratient".to_owned(), "0.5".to_owned()),
    ];
    let result = audit_online(OnlineRequest {
        packages: &packages,
        service: Service::Index { base: url },
        options: OnlineOptions {
            retries: 1,
            ..fast()
        },
        cache: None,
        offline: Some(&db),
        progress: None,
    })
    .unwrap();
    assert!(result.audit.unchecked.is_empty());
    assert!(
        result
            .audit
            .checked
            .iter()
            .all(|p| p.source == VulnSource::OfflineDb)
    );
    assert_eq!(
        result
            .audit
            .checked
            .iter()
            .map(|p| p.vulnerabilities.len())
            .sum::<usize>(),
        3
    );
    assert!(
        result
            .audit
            .notes
            .iter()
            .any(|n| n.contains("offline advisory database")),
        "{:?}",
        result.audit.notes
    );
}

#[test]
fn an_osv_service_answers_the_same_in_batches() {
    let server = MockServer::start(&fixtures());
    let packages: Vec<(String, String)> = recorded()
        .into_iter()
        .filter(|(.., nf)| !nf)
        .map(|(p, ..)| p)
        .collect();
    let result = audit_online(OnlineRequest {
        packages: &packages,
        service: Service::Osv {
            base: server.url.clone(),
        },
        options: fast(),
        cache: None,
        offline: None,
        progress: None,
    })
    .unwrap();
    let unique_ids: BTreeSet<String> = recorded().into_iter().flat_map(|(_, ids, _)| ids).collect();
    assert_eq!(
        server.requests(),
        1 + unique_ids.len(),
        "one batch, then each advisory once"
    );
    for ((name, version), ids, not_found) in recorded() {
        if not_found {
            continue;
        }
        let got = result
            .audit
            .checked
            .iter()
            .find(|p| p.name == name)
            .unwrap();
        let got_ids: BTreeSet<String> = got.vulnerabilities.iter().map(|v| v.id.clone()).collect();
        assert_eq!(got_ids, ids, "{name} {version}");
        assert_eq!(got.source, VulnSource::OsvService);
    }
    let requests = result
        .audit
        .checked
        .iter()
        .find(|p| p.name == "requests")
        .unwrap();
    assert!(
        requests
            .vulnerabilities
            .iter()
            .all(|v| v.fixed.is_some() && !v.summary.is_empty())
    );
}
