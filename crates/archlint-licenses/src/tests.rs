use super::*;

fn fields<'a>(
    expr: Option<&'a str>,
    license: Option<&'a str>,
    classifiers: &'a [String],
) -> LicenseFields<'a> {
    LicenseFields {
        license_expression: expr,
        license,
        classifiers,
    }
}

fn classifiers(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn expression_first() {
    let c = classifiers(&["License :: OSI Approved :: BSD License"]);
    let r = resolve(fields(Some("MIT OR Apache-2.0"), Some("BSD"), &c));
    assert_eq!(r.status, LicenseStatus::Known);
    assert_eq!(r.expression.as_deref(), Some("MIT OR Apache-2.0"));
    assert_eq!(r.source, Some(LicenseSource::LicenseExpression));
}

#[test]
fn short_license_field_then_classifiers() {
    let r = resolve(fields(None, Some("Apache 2.0"), &[]));
    assert_eq!(r.expression.as_deref(), Some("Apache-2.0"));
    assert_eq!(r.source, Some(LicenseSource::LicenseField));
    let r = resolve(fields(None, Some("MIT/Apache-2.0"), &[]));
    assert_eq!(r.expression.as_deref(), Some("MIT OR Apache-2.0"));
    let c = classifiers(&[
        "License :: OSI Approved :: MIT License",
        "Programming Language :: Python",
    ]);
    let r = resolve(fields(None, Some("UNKNOWN"), &c));
    assert_eq!(r.expression.as_deref(), Some("MIT"));
    assert_eq!(r.source, Some(LicenseSource::Classifiers));
    let c = classifiers(&[
        "License :: OSI Approved :: Apache Software License",
        "License :: OSI Approved :: MIT License",
    ]);
    assert_eq!(
        resolve(fields(None, None, &c)).expression.as_deref(),
        Some("Apache-2.0 OR MIT")
    );
}

#[test]
fn bare_bsd_is_ambiguous_not_guessed() {
    let r = resolve(fields(None, Some("BSD"), &[]));
    assert_eq!(r.status, LicenseStatus::Ambiguous);
    assert!(r.note.unwrap().contains("BSD"));
    let c = classifiers(&["License :: OSI Approved :: BSD License"]);
    assert_eq!(
        resolve(fields(None, None, &c)).status,
        LicenseStatus::Ambiguous
    );
    // A precise classifier beats an ambiguous License field.
    let c = classifiers(&["License :: OSI Approved :: MIT License"]);
    assert_eq!(
        resolve(fields(None, Some("BSD"), &c)).expression.as_deref(),
        Some("MIT")
    );
    assert_eq!(
        resolve(fields(None, Some("GPL or BSD"), &[])).status,
        LicenseStatus::Ambiguous
    );
}

#[test]
fn unknown_says_where_we_looked() {
    let r = resolve(fields(
        None,
        Some("Copyright ACME, all rights reserved"),
        &[],
    ));
    assert_eq!(r.status, LicenseStatus::Unknown);
    let note = r.note.unwrap();
    assert!(note.contains("no License-Expression"), "{note}");
    assert!(note.contains("Copyright ACME"), "{note}");
    assert!(note.contains("no license classifiers"), "{note}");
    let r = resolve(fields(Some("not an expression!"), None, &[]));
    assert_eq!(r.status, LicenseStatus::Unknown);
    assert!(r.note.unwrap().contains("not valid SPDX"));
}

#[test]
fn pasted_license_text() {
    let text = "Copyright (c) 2020 Someone\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\nof this software...";
    assert_eq!(
        resolve(fields(None, Some(text), &[])).expression.as_deref(),
        Some("MIT")
    );
}

fn known(expr: &str) -> ResolvedLicense {
    ResolvedLicense {
        status: LicenseStatus::Known,
        expression: Some(expr.into()),
        source: Some(LicenseSource::LicenseExpression),
        raw: None,
        note: None,
    }
}

fn policy(allow: &[&str], deny: &[&str], review: &[&str]) -> LicensePolicy {
    let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
    LicensePolicy {
        allow: v(allow),
        deny: v(deny),
        review: v(review),
    }
}

#[test]
fn or_passes_when_any_side_is_allowed_and_when_all() {
    let p = policy(&["MIT", "Apache-2.0"], &["GPL-3.0-only"], &["MPL-2.0"]);
    assert_eq!(p.judge(&known("MIT")), LicenseVerdict::Allowed);
    assert_eq!(
        p.judge(&known("GPL-3.0-only OR MIT")),
        LicenseVerdict::Allowed
    );
    assert_eq!(
        p.judge(&known("GPL-3.0-only AND MIT")),
        LicenseVerdict::Denied(vec!["GPL-3.0-only".into()])
    );
    assert_eq!(
        p.judge(&known("MPL-2.0 AND MIT")),
        LicenseVerdict::Review(vec!["MPL-2.0".into()])
    );
    assert_eq!(
        p.judge(&known("ISC")),
        LicenseVerdict::NotAllowed(vec!["ISC".into()])
    );
    assert_eq!(
        p.judge(&known("(ISC OR GPL-3.0-only) AND Apache-2.0")),
        LicenseVerdict::Denied(vec!["GPL-3.0-only".into()])
    );
    let ambiguous = ResolvedLicense {
        status: LicenseStatus::Ambiguous,
        ..known("MIT")
    };
    assert_eq!(p.judge(&ambiguous), LicenseVerdict::Unjudged);
}

#[test]
fn deny_only_policy_allows_the_rest() {
    let p = policy(&[], &["AGPL-3.0-only", "AGPL-3.0-or-later"], &[]);
    assert_eq!(p.judge(&known("BSD-3-Clause")), LicenseVerdict::Allowed);
    assert!(matches!(
        p.judge(&known("AGPL-3.0-or-later")),
        LicenseVerdict::Denied(_)
    ));
    assert_eq!(
        policy(&["MIT", "Nonsense-1.0"], &[], &[]).unknown_ids(),
        ["Nonsense-1.0"]
    );
}
