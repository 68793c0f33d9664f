//! The OSV schema, as far as matching needs it; read from JSON or from the PyPA advisory
//! database's YAML.

use serde::{Deserialize, Deserializer};

/// A list that YAML may leave empty (`versions:` with nothing after it is null).
fn list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// One OSV advisory.
#[derive(Debug, Clone, Deserialize)]
pub struct OsvAdvisory {
    pub id: String,
    #[serde(default, deserialize_with = "list")]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
    /// Present: the advisory was withdrawn and must be ignored.
    #[serde(default)]
    pub withdrawn: Option<Scalar>,
    #[serde(default)]
    pub modified: Option<Scalar>,
    #[serde(default, deserialize_with = "list")]
    pub affected: Vec<OsvAffected>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OsvAffected {
    #[serde(default)]
    pub package: Option<OsvPackage>,
    #[serde(default, deserialize_with = "list")]
    pub ranges: Vec<OsvRange>,
    #[serde(default, deserialize_with = "list")]
    pub versions: Vec<Scalar>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OsvPackage {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub ecosystem: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OsvRange {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default, deserialize_with = "list")]
    pub events: Vec<OsvEvent>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OsvEvent {
    #[serde(default)]
    pub introduced: Option<Scalar>,
    #[serde(default)]
    pub fixed: Option<Scalar>,
    #[serde(default)]
    pub last_affected: Option<Scalar>,
    #[serde(default)]
    pub limit: Option<Scalar>,
}

/// A string that YAML may have written as a number or a date (`fixed: 2.0`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar(pub String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_owned()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}
