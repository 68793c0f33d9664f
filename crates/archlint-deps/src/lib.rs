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
mod table;
pub mod vulns;

pub use check::{
    CheckInput, DepFinding, DepReport, ImportSite, ModuleImports, PackageRow, ProjectImports, Role,
    check, is_test_module, license_of,
};
pub use policy::{DependencyPolicy, Exception, Level, PackageRule};
pub use table::{PolicyError, parse_date};
pub use vulns::{IgnoredAdvisory, VulnPolicy};

/// The codes the dependency checks report.
pub mod codes {
    archlint_facts::codes! {
        CATALOG;
        ForbiddenPackage = "forbidden-package", "A forbidden package is installed or declared";
        UnapprovedPackage = "unapproved-package", "A package is not on the approved list";
        VersionNotApproved = "version-not-approved", "An approved package is installed at a version outside the approved range";
        VersionMismatch = "version-mismatch", "The installed version does not satisfy the declared requirement";
        NotInstalled = "not-installed", "A declared requirement is not installed";
        LicenseDenied = "license-denied", "A package's license is denied";
        LicenseNotAllowed = "license-not-allowed", "A package's license is not on the allow list";
        LicenseReview = "license-review", "A package's license needs review";
        LicenseAmbiguous = "license-ambiguous", "A package's license names a family, not a license";
        LicenseUnknown = "license-unknown", "A package's license is unknown";
        MissingDependency = "missing-dependency", "The code imports a package that is not declared";
        TransitiveDependency = "transitive-dependency", "The code imports a package installed only as another package's dependency";
        DevDependencyInProduction = "dev-dependency-in-production", "Production code imports a development-only dependency";
        UnusedDependency = "unused-dependency", "A declared dependency is never imported";
        InvalidRequirement = "invalid-requirement", "A requirement declaration cannot be read";
        MalformedMetadata = "malformed-metadata", "An installed distribution's metadata is malformed";
        VulnerablePackage = "vulnerable-package", "An installed package version has a known vulnerability";
        VulnerabilityUnchecked = "vulnerability-unchecked", "A package could not be checked for vulnerabilities";
        VulnerabilityDataOutdated = "vulnerability-data-outdated", "The vulnerability data is old";
    }
}

/// Every finding code the dependency checks report, with its one-line summary.
pub use codes::CATALOG;

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
