//! Normalized token hashes for duplication detection.
//!
//! Every token of the file is mapped to a code: identifiers to one placeholder, literals to
//! another, everything else to its kind; comments and layout-only tokens are dropped. A
//! polynomial prefix hash over those codes gives the hash of any statement's tokens in constant
//! time, so hashing every statement of every block costs one pass over the tokens.

use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_text_size::{Ranged, TextRange, TextSize};

const BASE: u64 = 0x100_0000_01b3;

pub(crate) struct TokenHashes {
    /// Start offset of each kept token.
    starts: Vec<TextSize>,
    /// `prefix[i]`: hash of the first `i` kept tokens.
    prefix: Vec<u64>,
}

fn code(kind: TokenKind) -> Option<u64> {
    Some(match kind {
        TokenKind::Comment
        | TokenKind::NonLogicalNewline
        | TokenKind::FStringMiddle
        | TokenKind::FStringEnd
        | TokenKind::TStringMiddle
        | TokenKind::TStringEnd
        | TokenKind::EndOfFile => return None,
        TokenKind::Name => 1,
        TokenKind::Int | TokenKind::Float | TokenKind::Complex => 2,
        TokenKind::String | TokenKind::FStringStart | TokenKind::TStringStart => 3,
        other => 16 + other as u64,
    })
}

impl TokenHashes {
    pub(crate) fn new(tokens: &Tokens) -> Self {
        let mut starts = Vec::with_capacity(tokens.len());
        let mut prefix = Vec::with_capacity(tokens.len() + 1);
        prefix.push(0u64);
        let mut h = 0u64;
        for token in tokens.iter() {
            if let Some(c) = code(token.kind()) {
                starts.push(token.start());
                h = h.wrapping_mul(BASE).wrapping_add(c);
                prefix.push(h);
            }
        }
        Self { starts, prefix }
    }

    /// Hash and number of the kept tokens starting inside `range`.
    pub(crate) fn hash(&self, range: TextRange) -> (u64, u32) {
        let a = self.starts.partition_point(|&s| s < range.start());
        let b = self.starts.partition_point(|&s| s < range.end()).max(a);
        let n = b - a;
        let raw =
            self.prefix[b].wrapping_sub(self.prefix[a].wrapping_mul(BASE.wrapping_pow(n as u32)));
        (finish(raw, n as u64), n as u32)
    }
}

/// Mix the raw polynomial hash with its length (splitmix64's finalizer), never 0.
fn finish(raw: u64, len: u64) -> u64 {
    let mut z = raw ^ len.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    z.max(1)
}
