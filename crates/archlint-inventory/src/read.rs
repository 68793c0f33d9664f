//! Reading every distribution of an environment, in parallel.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

use rayon::prelude::*;
use serde::Deserialize;

use crate::metadata::parse_headers;
use crate::names::{import_names_from_record, is_valid_name, normalize_name};
use crate::{
    DirectUrl, DistInventory, DistRequirement, Distribution, Environment, ImportNamesSource,
    MetadataFormat, MetadataProblem,
};

/// Metadata files larger than this are not read (a sane METADATA is a few kB to a few hundred).
const MAX_METADATA_BYTES: u64 = 16 * 1024 * 1024;

/// Read every distribution on the environment's paths. The first distribution of a name on the
/// path wins, as for `pip list`.
pub fn read_inventory(environment: Environment) -> DistInventory {
    let started = Instant::now();
    // One listing per directory, in path order.
    let listings: Vec<Vec<(PathBuf, MetadataFormat)>> = environment
        .paths
        .par_iter()
        .map(|dir| metadata_dirs(dir))
        .collect();
    let candidates: Vec<(usize, PathBuf, MetadataFormat)> = listings
        .into_iter()
        .enumerate()
        .flat_map(|(i, l)| l.into_iter().map(move |(p, f)| (i, p, f)))
        .collect();
    let results: Vec<(usize, Result<Distribution, MetadataProblem>)> = candidates
        .into_par_iter()
        .map(|(i, path, format)| (i, read_distribution(&path, format, &environment)))
        .collect();
    let mut distributions: Vec<(usize, Distribution)> = Vec::with_capacity(results.len());
    let mut unreadable = Vec::new();
    for (i, r) in results {
        match r {
            Ok(d) => distributions.push((i, d)),
            Err(p) => unreadable.push(p),
        }
    }
    // Earlier path entries shadow later ones; within a directory, the listing order decides.
    distributions.sort_by(|(ia, a), (ib, b)| a.normalized.cmp(&b.normalized).then(ia.cmp(ib)));
    distributions.dedup_by(|(_, later), (_, first)| later.normalized == first.normalized);
    DistInventory {
        environment,
        distributions: distributions.into_iter().map(|(_, d)| d).collect(),
        unreadable,
        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
    }
}

/// The `*.dist-info` and `*.egg-info` entries of one directory, sorted by name.
fn metadata_dirs(dir: &Path) -> Vec<(PathBuf, MetadataFormat)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(PathBuf, MetadataFormat)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name();
            let name = name.to_str()?;
            let format = if name.ends_with(".dist-info") {
                MetadataFormat::DistInfo
            } else if name.ends_with(".egg-info") {
                MetadataFormat::EggInfo
            } else {
                return None;
            };
            Some((e.path(), format))
        })
        .collect();
    out.sort();
    out
}

fn read_small(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_METADATA_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_METADATA_BYTES {
        return Err(std::io::Error::other(format!(
            "larger than {} MB; not read",
            MAX_METADATA_BYTES / 1024 / 1024
        )));
    }
    Ok(bytes)
}

/// Text of a metadata file, decoded leniently; a decoding problem is recorded.
fn read_text(path: &Path, problems: &mut Vec<MetadataProblem>) -> Option<String> {
    match read_small(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => Some(s),
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let line = 1 + bytes[..valid].iter().filter(|&&b| b == b'\n').count() as u32;
                problems.push(MetadataProblem {
                    file: path.to_owned(),
                    line: Some(line),
                    message: "not valid UTF-8; read with replacement characters".into(),
                });
                Some(String::from_utf8_lossy(&bytes).into_owned())
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            problems.push(MetadataProblem {
                file: path.to_owned(),
                line: None,
                message: format!("cannot read: {e}"),
            });
            None
        }
    }
}

/// Read one `.dist-info` / `.egg-info` directory (or egg-info file). `Err` only when not even a
/// name can be found.
pub fn read_distribution(
    path: &Path,
    format: MetadataFormat,
    environment: &Environment,
) -> Result<Distribution, MetadataProblem> {
    let mut problems = Vec::new();
    let is_dir = path.is_dir();
    let metadata_file = match (format, is_dir) {
        (MetadataFormat::DistInfo, _) => path.join("METADATA"),
        (MetadataFormat::EggInfo, true) => path.join("PKG-INFO"),
        (MetadataFormat::EggInfo, false) => path.to_owned(),
    };
    let text = read_text(&metadata_file, &mut problems).ok_or_else(|| {
        problems.first().cloned().unwrap_or(MetadataProblem {
            file: metadata_file.clone(),
            line: None,
            message: "missing: not a usable distribution".into(),
        })
    })?;
    let (headers, header_problems) = parse_headers(&text);
    problems.extend(header_problems.into_iter().map(|p| MetadataProblem {
        file: metadata_file.clone(),
        line: Some(p.line),
        message: p.message,
    }));

    let first = |key: &str| {
        headers
            .iter()
            .find(|h| h.key.eq_ignore_ascii_case(key))
            .map(|h| h.value.clone())
    };
    let Some(name) = first("Name").map(|n| n.trim().to_owned()) else {
        return Err(MetadataProblem {
            file: metadata_file,
            line: None,
            message: "no Name field: not a usable distribution".into(),
        });
    };
    if !is_valid_name(&name) {
        problems.push(MetadataProblem {
            file: metadata_file.clone(),
            line: headers
                .iter()
                .find(|h| h.key.eq_ignore_ascii_case("Name"))
                .map(|h| h.line),
            message: format!("Name {name:?} is not a valid distribution name"),
        });
    }
    let version = first("Version")
        .map(|v| v.trim().to_owned())
        .unwrap_or_else(|| {
            problems.push(MetadataProblem {
                file: metadata_file.clone(),
                line: None,
                message: "no Version field".into(),
            });
            String::new()
        });
    let parsed_version = pep440_rs::Version::from_str(&version).ok();
    if parsed_version.is_none() && !version.is_empty() {
        problems.push(MetadataProblem {
            file: metadata_file.clone(),
            line: headers
                .iter()
                .find(|h| h.key.eq_ignore_ascii_case("Version"))
                .map(|h| h.line),
            message: format!("Version {version:?} is not a PEP 440 version"),
        });
    }

    let mut requires_dist = Vec::new();
    for h in headers
        .iter()
        .filter(|h| h.key.eq_ignore_ascii_case("Requires-Dist"))
    {
        match parse_requirement(&h.value) {
            Ok(r) => requires_dist.push(r),
            Err(e) => problems.push(MetadataProblem {
                file: metadata_file.clone(),
                line: Some(h.line),
                message: format!(
                    "Requires-Dist {:?} is not a valid requirement: {e}",
                    h.value
                ),
            }),
        }
    }
    if format == MetadataFormat::EggInfo && is_dir {
        let requires = path.join("requires.txt");
        if let Some(text) = read_text(&requires, &mut problems) {
            requires_txt(&text, &requires, &mut requires_dist, &mut problems);
        }
    }

    let license_classifiers = headers
        .iter()
        .filter(|h| h.key.eq_ignore_ascii_case("Classifier"))
        .map(|h| h.value.trim())
        .filter(|c| c.starts_with("License ::"))
        .map(str::to_owned)
        .collect();

    let (installer, direct_url, import_names, import_names_from) = if is_dir {
        let installer = read_text(&path.join("INSTALLER"), &mut problems)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        let direct_url = read_text(&path.join("direct_url.json"), &mut problems)
            .and_then(|text| parse_direct_url(&text, &path.join("direct_url.json"), &mut problems));
        let (names, from) = match read_text(&path.join("top_level.txt"), &mut problems) {
            Some(text) => {
                let mut names: Vec<String> = text
                    .lines()
                    .map(|l| l.trim().replace('/', "."))
                    .filter_map(|l| l.split('.').next().map(str::to_owned))
                    .filter(|l| !l.is_empty())
                    .collect();
                names.sort();
                names.dedup();
                (names, ImportNamesSource::TopLevel)
            }
            None => match read_text(&path.join("RECORD"), &mut problems) {
                Some(text) => (import_names_from_record(&text), ImportNamesSource::Record),
                None => (Vec::new(), ImportNamesSource::Guessed),
            },
        };
        (installer, direct_url, names, from)
    } else {
        (None, None, Vec::new(), ImportNamesSource::Guessed)
    };
    let (import_names, import_names_from) =
        if import_names.is_empty() && import_names_from == ImportNamesSource::Guessed {
            (
                vec![normalize_name(&name).replace('-', "_")],
                ImportNamesSource::Guessed,
            )
        } else {
            (import_names, import_names_from)
        };
    let _ = environment;

    Ok(Distribution {
        normalized: normalize_name(&name),
        name,
        version,
        parsed_version,
        metadata_version: first("Metadata-Version"),
        summary: first("Summary"),
        requires_python: first("Requires-Python"),
        requires_dist,
        license_expression: first("License-Expression").filter(|s| !s.trim().is_empty()),
        license: first("License"),
        license_classifiers,
        installer,
        direct_url,
        import_names,
        import_names_from,
        path: path.to_owned(),
        format,
        problems,
    })
}

fn parse_requirement(text: &str) -> Result<DistRequirement, String> {
    let req = crate::parse_requirement(text)?;
    Ok(DistRequirement {
        name: normalize_name(req.name.as_ref()),
        extras: req.extras.iter().map(|e| e.to_string()).collect(),
        marker: req.marker,
        raw: text.to_owned(),
    })
}

/// setuptools' `requires.txt`: plain requirement lines, with `[extra]`, `[:marker]` or
/// `[extra:marker]` section headers.
fn requires_txt(
    text: &str,
    file: &Path,
    out: &mut Vec<DistRequirement>,
    problems: &mut Vec<MetadataProblem>,
) {
    let mut condition: Option<String> = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let (extra, marker) = section.split_once(':').unwrap_or((section, ""));
            let mut parts = Vec::new();
            if !marker.trim().is_empty() {
                parts.push(format!("({})", marker.trim()));
            }
            if !extra.trim().is_empty() {
                parts.push(format!("extra == \"{}\"", extra.trim()));
            }
            condition = (!parts.is_empty()).then(|| parts.join(" and "));
            continue;
        }
        let full = match &condition {
            Some(c) => format!("{line} ; {c}"),
            None => line.to_owned(),
        };
        match parse_requirement(&full) {
            Ok(mut r) => {
                r.raw = full;
                out.push(r);
            }
            Err(e) => problems.push(MetadataProblem {
                file: file.to_owned(),
                line: Some(i as u32 + 1),
                message: format!("{line:?} is not a valid requirement: {e}"),
            }),
        }
    }
}

#[derive(Deserialize)]
struct RawDirectUrl {
    url: String,
    #[serde(default)]
    dir_info: Option<RawDirInfo>,
    #[serde(default)]
    vcs_info: Option<RawVcsInfo>,
    #[serde(default)]
    archive_info: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawDirInfo {
    #[serde(default)]
    editable: bool,
}

#[derive(Deserialize)]
struct RawVcsInfo {
    vcs: String,
    #[serde(default)]
    commit_id: Option<String>,
}

fn parse_direct_url(
    text: &str,
    file: &Path,
    problems: &mut Vec<MetadataProblem>,
) -> Option<DirectUrl> {
    let raw: RawDirectUrl = match serde_json::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            problems.push(MetadataProblem {
                file: file.to_owned(),
                line: Some(e.line() as u32),
                message: format!("not valid PEP 610 JSON: {e}"),
            });
            return None;
        }
    };
    Some(match (raw.dir_info, raw.vcs_info, raw.archive_info) {
        (Some(dir), _, _) if dir.editable => DirectUrl::Editable { url: raw.url },
        (Some(_), _, _) => DirectUrl::Local { url: raw.url },
        (_, Some(vcs), _) => DirectUrl::Vcs {
            url: raw.url,
            vcs: vcs.vcs,
            commit: vcs.commit_id,
        },
        _ => DirectUrl::Archive { url: raw.url },
    })
}
