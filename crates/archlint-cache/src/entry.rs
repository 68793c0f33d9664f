//! The envelope around every stored value: a header, a checksum or signature, and the payload.
//!
//! ```text
//! magic "ALC\x01" | schema u32 | flags u8 | kind u8 | created u64 | tag [32] | payload
//! ```
//!
//! The tag covers the header, the entry's key and the payload: a BLAKE3 hash (a checksum) or,
//! when a signing key is configured, a keyed BLAKE3 MAC. Binding the key means an entry copied to
//! another key is rejected, not served as the wrong facts.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::keys::{CACHE_SCHEMA, CacheKey, CacheKind};

const MAGIC: &[u8; 4] = b"ALC\x01";
const HEADER: usize = 4 + 4 + 1 + 1 + 8;
/// Bytes an envelope adds to its payload.
pub const OVERHEAD: usize = HEADER + 32;
const FLAG_SIGNED: u8 = 1;

/// A key that signs entries shared through Redis (from `ARCHLINT_CACHE_KEY`).
#[derive(Clone)]
pub struct SigningKey([u8; 32]);

impl SigningKey {
    /// Derive a signing key from a secret of any length.
    pub fn from_secret(secret: &str) -> SigningKey {
        SigningKey(blake3::derive_key(
            "archlint 2026-11 cache entry signing key",
            secret.as_bytes(),
        ))
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

/// Why an envelope was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// Truncated, wrong magic, or checksum mismatch.
    Corrupt,
    /// Written by another cache schema or kind.
    Foreign,
    /// A signing key is configured but the entry carries only a checksum.
    Unsigned,
    /// The signature does not match (tampered, or signed with another key).
    BadSignature,
}

/// A verified entry.
#[derive(Debug, PartialEq, Eq)]
pub struct Opened<'a> {
    /// Seconds since the Unix epoch when the entry was written.
    pub created: u64,
    /// The payload.
    pub payload: &'a [u8],
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn tag(header: &[u8], key: &CacheKey, payload: &[u8], signing: Option<&SigningKey>) -> [u8; 32] {
    let mut hasher = match signing {
        Some(k) => blake3::Hasher::new_keyed(&k.0),
        None => blake3::Hasher::new(),
    };
    hasher.update(header);
    hasher.update(&key.0);
    hasher.update(payload);
    *hasher.finalize().as_bytes()
}

/// Wrap a payload in an envelope, signed when a key is given.
pub fn seal(
    kind: CacheKind,
    key: &CacheKey,
    payload: &[u8],
    signing: Option<&SigningKey>,
) -> Vec<u8> {
    seal_at(kind, key, payload, signing, now_secs())
}

/// [`seal`] with an explicit creation time.
pub fn seal_at(
    kind: CacheKind,
    key: &CacheKey,
    payload: &[u8],
    signing: Option<&SigningKey>,
    created: u64,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(OVERHEAD + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&CACHE_SCHEMA.to_le_bytes());
    out.push(if signing.is_some() { FLAG_SIGNED } else { 0 });
    out.push(kind as u8);
    out.extend_from_slice(&created.to_le_bytes());
    let t = tag(&out, key, payload, signing);
    out.extend_from_slice(&t);
    out.extend_from_slice(payload);
    out
}

/// Verify an envelope for `key`. With a signing key, only entries signed by it are accepted.
pub fn open<'a>(
    kind: CacheKind,
    key: &CacheKey,
    bytes: &'a [u8],
    signing: Option<&SigningKey>,
) -> Result<Opened<'a>, Rejection> {
    if bytes.len() < OVERHEAD || &bytes[..4] != MAGIC {
        return Err(Rejection::Corrupt);
    }
    let schema = u32::from_le_bytes(bytes[4..8].try_into().expect("4 bytes"));
    let flags = bytes[8];
    if schema != CACHE_SCHEMA || bytes[9] != kind as u8 {
        return Err(Rejection::Foreign);
    }
    let created = u64::from_le_bytes(bytes[10..18].try_into().expect("8 bytes"));
    let stored: &[u8] = &bytes[HEADER..OVERHEAD];
    let payload = &bytes[OVERHEAD..];
    let signed = flags & FLAG_SIGNED != 0;
    match (signing, signed) {
        (Some(_), false) => {
            // Tell a tampered checksum entry apart from an honest unsigned one.
            return if tag(&bytes[..HEADER], key, payload, None) == stored {
                Err(Rejection::Unsigned)
            } else {
                Err(Rejection::Corrupt)
            };
        }
        (None, true) => {
            // Signed by someone; without the key we cannot verify it, so it is not trusted.
            return Err(Rejection::BadSignature);
        }
        _ => {}
    }
    if tag(&bytes[..HEADER], key, payload, signing) != stored {
        return Err(if signed {
            Rejection::BadSignature
        } else {
            Rejection::Corrupt
        });
    }
    Ok(Opened { created, payload })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::content_hash;

    #[test]
    fn round_trip_and_rejections() {
        let key = content_hash(b"a");
        let other = content_hash(b"b");
        let sealed = seal_at(CacheKind::Facts, &key, b"payload", None, 42);
        let opened = open(CacheKind::Facts, &key, &sealed, None).unwrap();
        assert_eq!(opened.created, 42);
        assert_eq!(opened.payload, b"payload");
        // Bound to its key and kind.
        assert_eq!(
            open(CacheKind::Facts, &other, &sealed, None),
            Err(Rejection::Corrupt)
        );
        assert_eq!(
            open(CacheKind::License, &key, &sealed, None),
            Err(Rejection::Foreign)
        );
        // Every single-byte flip is caught.
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x40;
            assert!(
                open(CacheKind::Facts, &key, &bad, None).is_err(),
                "byte {i}"
            );
        }
        for len in 0..sealed.len() {
            assert!(open(CacheKind::Facts, &key, &sealed[..len], None).is_err());
        }
    }

    #[test]
    fn signatures() {
        let key = content_hash(b"a");
        let ours = SigningKey::from_secret("s3cret");
        let theirs = SigningKey::from_secret("other");
        let signed = seal(CacheKind::Facts, &key, b"facts", Some(&ours));
        assert_eq!(
            open(CacheKind::Facts, &key, &signed, Some(&ours))
                .unwrap()
                .payload,
            b"facts"
        );
        assert_eq!(
            open(CacheKind::Facts, &key, &signed, Some(&theirs)),
            Err(Rejection::BadSignature)
        );
        assert_eq!(
            open(CacheKind::Facts, &key, &signed, None),
            Err(Rejection::BadSignature)
        );
        let unsigned = seal(CacheKind::Facts, &key, b"facts", None);
        assert_eq!(
            open(CacheKind::Facts, &key, &unsigned, Some(&ours)),
            Err(Rejection::Unsigned)
        );
        // A tampered payload with the signature left in place.
        let mut tampered = signed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(
            open(CacheKind::Facts, &key, &tampered, Some(&ours)),
            Err(Rejection::BadSignature)
        );
    }
}
