//! Cache kinds, their time-to-live, and versioned keys.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Layout version of everything under the cache directory. Bump it when the on-disk or Redis
/// format changes; entries of another version are treated as foreign and never read.
pub const CACHE_SCHEMA: u32 = 1;

/// What a cache entry holds. Each kind has its own directory, Redis key prefix and TTL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CacheKind {
    /// Parsed `ModuleFacts` of one source file, addressed by the hash of its contents.
    Facts,
    /// A distribution's metadata from the package index.
    PackageMetadata,
    /// A distribution's resolved license.
    License,
    /// Known vulnerabilities of a distribution version.
    Vulnerability,
    /// A resolved dependency tree.
    DependencyTree,
}

impl CacheKind {
    /// Every kind, in a fixed order.
    pub const ALL: [CacheKind; 5] = [
        CacheKind::Facts,
        CacheKind::PackageMetadata,
        CacheKind::License,
        CacheKind::Vulnerability,
        CacheKind::DependencyTree,
    ];

    /// The kind's name in paths, keys, configuration and reports.
    pub fn name(self) -> &'static str {
        match self {
            CacheKind::Facts => "facts",
            CacheKind::PackageMetadata => "package-metadata",
            CacheKind::License => "license",
            CacheKind::Vulnerability => "vulnerability",
            CacheKind::DependencyTree => "dependency-tree",
        }
    }

    /// Parse a kind from its name.
    pub fn from_name(name: &str) -> Option<CacheKind> {
        CacheKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// How long an entry stays valid by default. Facts are addressed by content, so they never go
    /// stale (they are removed by pruning, not by age).
    pub fn default_ttl(self) -> Option<Duration> {
        const HOUR: u64 = 3600;
        match self {
            CacheKind::Facts => None,
            CacheKind::PackageMetadata => Some(Duration::from_secs(24 * HOUR)),
            CacheKind::License => Some(Duration::from_secs(7 * 24 * HOUR)),
            CacheKind::Vulnerability => Some(Duration::from_secs(HOUR)),
            CacheKind::DependencyTree => Some(Duration::from_secs(30 * 60)),
        }
    }
}

impl fmt::Display for CacheKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Time-to-live per kind; starts from the defaults and can be overridden from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ttls {
    ttls: [Option<Duration>; 5],
}

impl Default for Ttls {
    fn default() -> Self {
        Ttls {
            ttls: CacheKind::ALL.map(CacheKind::default_ttl),
        }
    }
}

impl Ttls {
    /// The TTL of a kind (`None`: never expires).
    pub fn get(&self, kind: CacheKind) -> Option<Duration> {
        self.ttls[kind as usize]
    }

    /// Override the TTL of a kind.
    pub fn set(&mut self, kind: CacheKind, ttl: Option<Duration>) {
        self.ttls[kind as usize] = ttl;
    }
}

/// Parse a duration such as `250ms`, `90s`, `30m`, `24h`, `7d` or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: u64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a duration (expected e.g. 90s, 30m, 24h, 7d)"))?;
    let seconds = match unit.trim() {
        "ms" => return Ok(Duration::from_millis(value)),
        "" | "s" => value,
        "m" => value.saturating_mul(60),
        "h" => value.saturating_mul(3600),
        "d" => value.saturating_mul(86_400),
        other => {
            return Err(format!(
                "unknown unit '{other}' in '{text}' (expected ms, s, m, h or d)"
            ));
        }
    };
    Ok(Duration::from_secs(seconds))
}

/// A 32-byte cache key: the BLAKE3 hash of everything the entry depends on.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CacheKey(pub [u8; 32]);

impl CacheKey {
    /// The key as 64 lowercase hex digits (safe in file names and Redis keys).
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// Parse 64 hex digits.
    pub fn from_hex(text: &str) -> Option<CacheKey> {
        if text.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(text.get(i * 2..i * 2 + 2)?, 16).ok()?;
        }
        Some(CacheKey(out))
    }
}

impl fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CacheKey({})", &self.to_hex()[..16])
    }
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// The hash of a source file's contents: the address of its facts.
pub fn content_hash(bytes: &[u8]) -> CacheKey {
    CacheKey(*blake3::hash(bytes).as_bytes())
}

/// Builds a versioned key from named parts. Every key starts with the archlint version and the
/// cache schema, so a new release never reads an old release's entries as its own.
pub struct KeyBuilder {
    hasher: blake3::Hasher,
}

impl KeyBuilder {
    /// A key for an entry of `kind`.
    pub fn new(kind: CacheKind) -> KeyBuilder {
        let mut builder = KeyBuilder {
            hasher: blake3::Hasher::new(),
        };
        builder
            .part("archlint", env!("CARGO_PKG_VERSION"))
            .part("schema", &CACHE_SCHEMA.to_string())
            .part("kind", kind.name());
        builder
    }

    /// Add a named part. Parts are length-prefixed, so `("a", "bc")` and `("ab", "c")` differ.
    pub fn part(&mut self, name: &str, value: &str) -> &mut Self {
        for piece in [name.as_bytes(), value.as_bytes()] {
            self.hasher.update(&(piece.len() as u64).to_le_bytes());
            self.hasher.update(piece);
        }
        self
    }

    /// Add the contents of a file the entry depends on (a requirements or lock file), so editing
    /// that file invalidates exactly the entries built from it. A missing file counts as empty
    /// but distinct from an empty file.
    pub fn file(&mut self, path: &Path) -> std::io::Result<&mut Self> {
        let name = path.to_string_lossy();
        match std::fs::read(path) {
            Ok(bytes) => {
                let digest = blake3::hash(&bytes);
                self.part(&format!("file:{name}"), &digest.to_hex());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.part(&format!("file:{name}"), "<missing>");
            }
            Err(e) => return Err(e),
        }
        Ok(self)
    }

    /// The finished key.
    pub fn finish(&self) -> CacheKey {
        CacheKey(*self.hasher.finalize().as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_duration("24h").unwrap(), Duration::from_secs(86_400));
        assert_eq!(parse_duration("7d").unwrap(), Duration::from_secs(604_800));
        assert_eq!(parse_duration("15").unwrap(), Duration::from_secs(15));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert!(parse_duration("7w").unwrap_err().contains("unknown unit"));
        assert!(parse_duration("h").is_err());
    }

    #[test]
    fn default_ttls_per_kind() {
        let ttls = Ttls::default();
        assert_eq!(ttls.get(CacheKind::Facts), None);
        assert_eq!(
            ttls.get(CacheKind::PackageMetadata),
            Some(Duration::from_secs(86_400))
        );
        assert_eq!(
            ttls.get(CacheKind::License),
            Some(Duration::from_secs(604_800))
        );
        assert_eq!(
            ttls.get(CacheKind::Vulnerability),
            Some(Duration::from_secs(3600))
        );
        assert_eq!(
            ttls.get(CacheKind::DependencyTree),
            Some(Duration::from_secs(1800))
        );
    }

    #[test]
    fn keys_depend_on_every_part_and_on_files() {
        let dir = tempfile::tempdir().unwrap();
        let req = dir.path().join("requirements.txt");
        std::fs::write(&req, "django==5.2\n").unwrap();
        let key = |kind| {
            KeyBuilder::new(kind)
                .part("package", "django")
                .file(&req)
                .unwrap()
                .finish()
        };
        let first = key(CacheKind::License);
        assert_eq!(first, key(CacheKind::License));
        assert_ne!(first, key(CacheKind::Vulnerability));
        std::fs::write(&req, "django==5.2.1\n").unwrap();
        assert_ne!(first, key(CacheKind::License));
        let ab = KeyBuilder::new(CacheKind::Facts).part("a", "bc").finish();
        let abc = KeyBuilder::new(CacheKind::Facts).part("ab", "c").finish();
        assert_ne!(ab, abc);
    }

    #[test]
    fn hex_round_trip() {
        let key = content_hash(b"import os\n");
        assert_eq!(CacheKey::from_hex(&key.to_hex()), Some(key));
        assert_eq!(CacheKey::from_hex("zz"), None);
        assert_eq!(CacheKey::from_hex(&"g".repeat(64)), None);
    }
}
