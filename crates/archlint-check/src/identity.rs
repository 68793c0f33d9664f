//! Every finding's identity: what is wrong, independent of line numbers — the one place they
//! are formatted (baselines match on them, SARIF fingerprints hash them).

/// Identity of a contract violation: contract and the two ends of the import chain.
pub fn contract_identity(contract: &str, importer: &str, imported: &str) -> String {
    format!("contract:{contract}:{importer}->{imported}")
}

/// Identity of a dependency finding: rule, package and what it says (which names the version).
pub fn dependency_identity(code: &str, package: Option<&str>, message: &str) -> String {
    format!("dependency:{code}:{}:{message}", package.unwrap_or("-"))
}

/// Identity of a rule finding: rule and symbol (never a line number).
pub fn rule_identity(f: &archlint_rules::RuleFinding) -> String {
    format!("rule:{}", f.identity())
}

/// Identity of a module a layers contract does not list (an exhaustive contract's finding).
pub fn undeclared_identity(contract: &str, module: &str) -> String {
    format!("contract:{contract}:undeclared:{module}")
}
