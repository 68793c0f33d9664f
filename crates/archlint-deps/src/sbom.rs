//! A CycloneDX 1.5 JSON SBOM of the environment: one `library` component per distribution with
//! its purl and license, and the dependency graph from `Requires-Dist`.
//!
//! Hand-written (a few structs) rather than the `cyclonedx-bom` crate, the heaviest pure-Rust
//! build unit in our tree, for one output format.

use std::collections::BTreeSet;
use std::hash::{BuildHasher, Hasher};

use archlint_inventory::DistInventory;
use archlint_licenses::LicenseStatus;
use serde_json::{Value, json};

use crate::check::license_of;

/// A package URL for a PyPI-style distribution: `pkg:pypi/<name>@<version>`.
pub fn purl(normalized: &str, version: &str) -> String {
    let mut v = String::new();
    for b in version.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            v.push(b as char);
        } else {
            v.push_str(&format!("%{b:02X}"));
        }
    }
    format!("pkg:pypi/{normalized}@{v}")
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((y + i64::from(m <= 2)) as i32, m, d)
}

/// Seconds since the epoch now, or `SOURCE_DATE_EPOCH` for reproducible output.
fn now_secs() -> i64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        })
}

fn timestamp(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn random_uuid() -> String {
    let mut bytes = [0u8; 16];
    for chunk in bytes.chunks_mut(8) {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        h.write_u32(std::process::id());
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The SBOM document. `project` names the root component.
pub fn cyclonedx(inventory: &DistInventory, project: &str, tool_version: &str) -> Value {
    let env = &inventory.environment.markers;
    let refs: std::collections::HashMap<&str, String> = inventory
        .distributions
        .iter()
        .map(|d| (d.normalized.as_str(), purl(&d.normalized, &d.version)))
        .collect();
    let components: Vec<Value> = inventory
        .distributions
        .iter()
        .map(|d| {
            let license = license_of(d);
            let licenses = match (license.status, &license.expression) {
                (LicenseStatus::Known, Some(expr)) if spdx::license_id(expr).is_some() => {
                    json!([{ "license": { "id": expr } }])
                }
                (LicenseStatus::Known, Some(expr)) => json!([{ "expression": expr }]),
                _ => match &license.raw {
                    Some(raw) if !raw.is_empty() => json!([{ "license": { "name": raw } }]),
                    _ => json!([]),
                },
            };
            let mut c = json!({
                "type": "library",
                "bom-ref": refs[d.normalized.as_str()],
                "name": d.name,
                "version": d.version,
                "purl": refs[d.normalized.as_str()],
            });
            if let Some(summary) = d.summary.as_deref().filter(|s| !s.is_empty()) {
                c["description"] = json!(summary);
            }
            if licenses.as_array().is_some_and(|a| !a.is_empty()) {
                c["licenses"] = licenses;
            }
            c
        })
        .collect();
    let dependencies: Vec<Value> = inventory
        .distributions
        .iter()
        .map(|d| {
            let on: BTreeSet<&str> = d
                .requires_dist
                .iter()
                .filter(|r| r.is_active(env, &[]))
                .filter_map(|r| refs.get(r.name.as_str()).map(String::as_str))
                .collect();
            json!({ "ref": refs[d.normalized.as_str()], "dependsOn": on })
        })
        .collect();
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": format!("urn:uuid:{}", random_uuid()),
        "version": 1,
        "metadata": {
            "timestamp": timestamp(now_secs()),
            "tools": { "components": [ { "type": "application", "name": "archlint", "version": tool_version } ] },
            "component": { "type": "application", "bom-ref": format!("project:{project}"), "name": project },
        },
        "components": components,
        "dependencies": dependencies,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_and_dates() {
        assert_eq!(
            purl("zope-interface", "5.0+local"),
            "pkg:pypi/zope-interface@5.0%2Blocal"
        );
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_415), (2025, 11, 23));
        assert_eq!(timestamp(86_399), "1970-01-01T23:59:59Z");
        let u = random_uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_ne!(random_uuid(), u);
    }
}
