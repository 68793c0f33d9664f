//! What reading the policy tables shares: the error naming the file, and dates.

use std::path::PathBuf;

/// A configuration error: the option and the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub file: Option<PathBuf>,
    pub message: String,
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{}: {}", file.display(), self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for PolicyError {}

/// A `YYYY-MM-DD` date as (year, month, day).
pub fn parse_date(text: &str) -> Option<(i32, u32, u32)> {
    let mut parts = text.split('-');
    let y: i32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    (parts.next().is_none() && (1..=12).contains(&m) && (1..=31).contains(&d) && text.len() == 10)
        .then_some((y, m, d))
}
