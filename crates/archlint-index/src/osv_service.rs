//! An OSV query service: one batch query for many packages, then each advisory's details
//! (deduplicated across packages).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use archlint_advisories::osv::OsvAdvisory;
use archlint_advisories::{Vulnerability, package_advisory, smallest_fix_above};
use serde::Deserialize;
use serde_json::json;

use crate::answer::Answer;
use crate::client::{Fetched, HttpClient};

/// Queries per batch request (OSV services accept up to 1,000).
const BATCH: usize = 500;

#[derive(Deserialize)]
struct BatchResponse {
    results: Vec<BatchResult>,
}

#[derive(Deserialize)]
struct BatchResult {
    #[serde(default)]
    vulns: Option<Vec<BatchVuln>>,
}

#[derive(Deserialize)]
struct BatchVuln {
    id: String,
}

fn safe_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

pub(crate) async fn ask_osv(
    client: Arc<HttpClient>,
    base: String,
    packages: Vec<(String, String)>,
) -> Vec<((String, String), Answer)> {
    let mut out: Vec<((String, String), Answer)> = Vec::new();
    // Per package: the advisory ids the service matched.
    let mut matched: Vec<((String, String), Vec<String>)> = Vec::new();
    for chunk in packages.chunks(BATCH) {
        let body = json!({
            "queries": chunk.iter().map(|(n, v)| json!({"package": {"name": n, "ecosystem": "PyPI"}, "version": v})).collect::<Vec<_>>()
        });
        let body = serde_json::to_vec(&body).unwrap_or_default();
        let expected = chunk.len();
        let accept = move |bytes: &[u8]| {
            serde_json::from_slice::<BatchResponse>(bytes)
                .is_ok_and(|r| r.results.len() == expected)
        };
        match client
            .fetch(&format!("{base}/v1/querybatch"), Some(&body), &accept)
            .await
        {
            Fetched::Ok(bytes) => {
                let response: BatchResponse =
                    serde_json::from_slice(&bytes).expect("accepted above");
                for (pkg, r) in chunk.iter().zip(response.results) {
                    let ids = r
                        .vulns
                        .unwrap_or_default()
                        .into_iter()
                        .map(|v| v.id)
                        .filter(|id| safe_id(id))
                        .collect();
                    matched.push((pkg.clone(), ids));
                }
            }
            Fetched::NotFound => {
                for pkg in chunk {
                    out.push((
                        pkg.clone(),
                        Answer::Failed("the OSV service has no /v1/querybatch endpoint".into()),
                    ));
                }
            }
            Fetched::Failed(reason) => {
                for pkg in chunk {
                    out.push((pkg.clone(), Answer::Failed(reason.clone())));
                }
            }
        }
    }

    let ids: BTreeSet<String> = matched
        .iter()
        .flat_map(|(_, ids)| ids.iter().cloned())
        .collect();
    let mut set = tokio::task::JoinSet::new();
    for id in ids {
        let client = client.clone();
        let url = format!("{base}/v1/vulns/{id}");
        set.spawn(async move {
            let accept = |bytes: &[u8]| serde_json::from_slice::<OsvAdvisory>(bytes).is_ok();
            let fetched = client.fetch(&url, None, &accept).await;
            (id, fetched)
        });
    }
    let mut details: HashMap<String, Result<OsvAdvisory, String>> = HashMap::new();
    while let Some(joined) = set.join_next().await {
        if let Ok((id, fetched)) = joined {
            let d = match fetched {
                Fetched::Ok(bytes) => {
                    serde_json::from_slice::<OsvAdvisory>(&bytes).map_err(|e| e.to_string())
                }
                Fetched::NotFound => Err("unknown to the service".into()),
                Fetched::Failed(reason) => Err(reason),
            };
            details.insert(id, d);
        }
    }

    for ((name, version), ids) in matched {
        let installed = version.parse::<pep440_rs::Version>().ok();
        let vulns = ids
            .into_iter()
            .map(|id| match details.get(&id) {
                Some(Ok(advisory)) => {
                    let pkg = package_advisory(advisory, &name);
                    Vulnerability {
                        id: id.clone(),
                        aliases: advisory.aliases.clone(),
                        summary: pkg.as_ref().map(|p| p.summary.clone()).unwrap_or_default(),
                        fixed: match (&pkg, &installed) {
                            (Some(p), Some(v)) => smallest_fix_above(p, v),
                            _ => None,
                        },
                    }
                }
                other => Vulnerability {
                    id: id.clone(),
                    aliases: Vec::new(),
                    summary: match other {
                        Some(Err(reason)) => format!("(details unavailable: {reason})"),
                        _ => "(details unavailable)".to_owned(),
                    },
                    fixed: None,
                },
            })
            .collect();
        out.push(((name, version), Answer::Vulns(vulns, None, None)));
    }
    out
}
