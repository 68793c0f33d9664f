//! Which index to ask: `--index-url`, `ARCHLINT_INDEX_URL`, the configuration, then pip's own
//! (`PIP_INDEX_URL`, pip.conf). archlint has no built-in default.

use std::path::{Path, PathBuf};

/// The index URL and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexUrl {
    pub url: String,
    pub from: String,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// pip configuration files, in pip's order of increasing precedence (global, user, site); the
/// last one that sets `index-url` wins, and `PIP_CONFIG_FILE` beats them all.
fn pip_conf_files() -> Vec<PathBuf> {
    // As for pip: PIP_CONFIG_FILE=os.devnull means "read no configuration file".
    if env("PIP_CONFIG_FILE").is_some_and(|f| f == "/dev/null" || f.eq_ignore_ascii_case("nul")) {
        return Vec::new();
    }
    let mut files = vec![
        PathBuf::from("/etc/xdg/pip/pip.conf"),
        PathBuf::from("/etc/pip.conf"),
    ];
    if let Some(home) = env("HOME").map(PathBuf::from) {
        files.push(home.join(".pip/pip.conf"));
        let xdg = env("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".config"));
        files.push(xdg.join("pip/pip.conf"));
    }
    if let Some(venv) = env("VIRTUAL_ENV") {
        files.push(Path::new(&venv).join("pip.conf"));
    }
    if let Some(file) = env("PIP_CONFIG_FILE") {
        files.push(PathBuf::from(file));
    }
    files
}

/// `index-url` from the `[global]` (or `[install]`) section of a pip.conf.
pub fn pip_conf_index_url(text: &str) -> Option<String> {
    let mut section = String::new();
    let mut found = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().to_ascii_lowercase();
            continue;
        }
        if let Some((k, v)) = line.split_once(['=', ':'])
            && matches!(
                k.trim().to_ascii_lowercase().replace('_', "-").as_str(),
                "index-url"
            )
            && matches!(section.as_str(), "global" | "install")
        {
            found = Some(v.trim().to_owned());
        }
    }
    found
}

/// Resolve the index URL from the flag, the environment, the configuration and pip's settings.
pub fn resolve_index_url(flag: Option<&str>, configured: Option<&str>) -> Option<IndexUrl> {
    let pick = |url: String, from: &str| {
        Some(IndexUrl {
            url,
            from: from.to_owned(),
        })
    };
    if let Some(u) = flag {
        return pick(u.to_owned(), "--index-url");
    }
    if let Some(u) = env("ARCHLINT_INDEX_URL") {
        return pick(u, "ARCHLINT_INDEX_URL");
    }
    if let Some(u) = configured {
        return pick(u.to_owned(), "configuration");
    }
    if let Some(u) = env("PIP_INDEX_URL") {
        return pick(u, "PIP_INDEX_URL");
    }
    let mut found = None;
    for file in pip_conf_files() {
        if let Ok(text) = std::fs::read_to_string(&file)
            && let Some(u) = pip_conf_index_url(&text)
        {
            found = Some(IndexUrl {
                url: u,
                from: file.display().to_string(),
            });
        }
    }
    found
}

/// The JSON API base for an index URL: a simple-index URL (`…/simple/`) loses its `simple`
/// part; credentials and trailing slashes are kept out of the base.
pub fn json_api_base(url: &str) -> Result<String, String> {
    let trimmed = url.trim().trim_end_matches('/');
    if !(trimmed.starts_with("http://") || trimmed.starts_with("https://")) {
        return Err(format!(
            "index URL {url:?} must start with http:// or https://"
        ));
    }
    let base = trimmed
        .strip_suffix("/+simple")
        .or_else(|| trimmed.strip_suffix("/simple"))
        .unwrap_or(trimmed);
    Ok(base.to_owned())
}

/// A URL with any `user:password@` removed, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://***@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_urls_become_json_bases() {
        assert_eq!(
            json_api_base("https://index.invalid/simple/").unwrap(),
            "https://index.invalid"
        );
        assert_eq!(
            json_api_base("https://index.invalid/simple").unwrap(),
            "https://index.invalid"
        );
        assert_eq!(
            json_api_base("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            json_api_base("https://mirror.invalid/root/pypi/+simple/").unwrap(),
            "https://mirror.invalid/root/pypi"
        );
        assert!(json_api_base("ftp://x").is_err());
        assert_eq!(
            redact("https://user:pw@index.invalid/simple"),
            "https://***@index.invalid/simple"
        );
    }

    #[test]
    fn pip_conf() {
        let text = "[global]\ntimeout = 60\nindex-url = https://index.invalid/simple\n[search]\nindex = x\n";
        assert_eq!(
            pip_conf_index_url(text).as_deref(),
            Some("https://index.invalid/simple")
        );
        assert_eq!(
            pip_conf_index_url("[install]\nindex_url: https://a.invalid/simple\n").as_deref(),
            Some("https://a.invalid/simple")
        );
        assert_eq!(pip_conf_index_url("[freeze]\nindex-url = x\n"), None);
    }
}
