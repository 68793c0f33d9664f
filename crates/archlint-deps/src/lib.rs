//! Dependency compliance: is every dependency approved, declared, used and acceptably licensed?
//!
//! Inputs are the installed environment ([`archlint_inventory`]), the project's declarations
//! ([`archlint_requirements`]), its imports (from the parsed code's facts) and a
//! [`DependencyPolicy`]. [`check`] returns a [`DepReport`] of packages and findings;
//! [`sbom::cyclonedx`] writes a CycloneDX 1.5 SBOM.

pub mod check;
pub mod policy;
pub mod sbom;
pub mod stdlib;
pub mod vulns;

pub use check::{
    CheckInput, DepFinding, DepReport, ImportSite, ModuleImports, PackageRow, ProjectImports, Role,
    check, is_test_module, license_of,
};
pub use policy::{DependencyPolicy, Exception, Level, PackageRule, PolicyError};
pub use vulns::{IgnoredAdvisory, VulnPolicy};

/// Today's date (UTC), for exception expiry.
pub fn today() -> (i32, u32, u32) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    sbom::civil_from_days(secs.div_euclid(86_400))
}

#[cfg(test)]
mod tests;
