//! Our own table from Trove classifiers and common spellings to SPDX, applied before the `spdx`
//! crate's lax parser (which knows only a few dozen imprecise names and maps a bare `BSD` to
//! `BSD-2-Clause`, a guess we refuse to make).

/// What a name or classifier means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alias {
    /// An SPDX expression.
    Spdx(&'static str),
    /// Names a family of licenses without saying which one.
    Ambiguous(&'static str),
    /// Says nothing about the license (`UNKNOWN`, `Other/Proprietary License`, `Dual License`).
    Unknown,
}

/// `License :: ...` Trove classifiers (the part after `License :: `, `OSI Approved :: ` removed).
const CLASSIFIERS: &[(&str, Alias)] = &[
    (
        "Academic Free License (AFL)",
        Alias::Ambiguous("AFL (which version?)"),
    ),
    ("Apache Software License", Alias::Spdx("Apache-2.0")),
    (
        "Apple Public Source License",
        Alias::Ambiguous("APSL (which version?)"),
    ),
    (
        "Artistic License",
        Alias::Ambiguous("Artistic (which version?)"),
    ),
    ("Attribution Assurance License", Alias::Spdx("AAL")),
    (
        "Blue Oak Model License (BlueOak-1.0.0)",
        Alias::Spdx("BlueOak-1.0.0"),
    ),
    (
        "Boost Software License 1.0 (BSL-1.0)",
        Alias::Spdx("BSL-1.0"),
    ),
    (
        "BSD License",
        Alias::Ambiguous("BSD (2-clause, 3-clause or another variant?)"),
    ),
    (
        "CEA CNRS Inria Logiciel Libre License, version 2.1 (CeCILL-2.1)",
        Alias::Spdx("CECILL-2.1"),
    ),
    (
        "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication",
        Alias::Spdx("CC0-1.0"),
    ),
    (
        "Common Development and Distribution License 1.0 (CDDL-1.0)",
        Alias::Spdx("CDDL-1.0"),
    ),
    ("Common Public License", Alias::Spdx("CPL-1.0")),
    (
        "Eclipse Public License 1.0 (EPL-1.0)",
        Alias::Spdx("EPL-1.0"),
    ),
    (
        "Eclipse Public License 2.0 (EPL-2.0)",
        Alias::Spdx("EPL-2.0"),
    ),
    (
        "Educational Community License, Version 2.0 (ECL-2.0)",
        Alias::Spdx("ECL-2.0"),
    ),
    (
        "Eiffel Forum License",
        Alias::Ambiguous("EFL (which version?)"),
    ),
    (
        "European Union Public Licence 1.0 (EUPL 1.0)",
        Alias::Spdx("EUPL-1.0"),
    ),
    (
        "European Union Public Licence 1.1 (EUPL 1.1)",
        Alias::Spdx("EUPL-1.1"),
    ),
    (
        "European Union Public Licence 1.2 (EUPL 1.2)",
        Alias::Spdx("EUPL-1.2"),
    ),
    (
        "GNU Affero General Public License v3",
        Alias::Spdx("AGPL-3.0-only"),
    ),
    (
        "GNU Affero General Public License v3 or later (AGPLv3+)",
        Alias::Spdx("AGPL-3.0-or-later"),
    ),
    (
        "GNU Free Documentation License (FDL)",
        Alias::Ambiguous("GFDL (which version?)"),
    ),
    (
        "GNU General Public License (GPL)",
        Alias::Ambiguous("GPL (which version?)"),
    ),
    (
        "GNU General Public License v2 (GPLv2)",
        Alias::Spdx("GPL-2.0-only"),
    ),
    (
        "GNU General Public License v2 or later (GPLv2+)",
        Alias::Spdx("GPL-2.0-or-later"),
    ),
    (
        "GNU General Public License v3 (GPLv3)",
        Alias::Spdx("GPL-3.0-only"),
    ),
    (
        "GNU General Public License v3 or later (GPLv3+)",
        Alias::Spdx("GPL-3.0-or-later"),
    ),
    (
        "GNU Lesser General Public License v2 (LGPLv2)",
        Alias::Spdx("LGPL-2.0-only"),
    ),
    (
        "GNU Lesser General Public License v2 or later (LGPLv2+)",
        Alias::Spdx("LGPL-2.0-or-later"),
    ),
    (
        "GNU Lesser General Public License v3 (LGPLv3)",
        Alias::Spdx("LGPL-3.0-only"),
    ),
    (
        "GNU Lesser General Public License v3 or later (LGPLv3+)",
        Alias::Spdx("LGPL-3.0-or-later"),
    ),
    (
        "GNU Library or Lesser General Public License (LGPL)",
        Alias::Ambiguous("LGPL (which version?)"),
    ),
    (
        "Historical Permission Notice and Disclaimer (HPND)",
        Alias::Spdx("HPND"),
    ),
    ("IBM Public License", Alias::Spdx("IPL-1.0")),
    ("Intel Open Source License", Alias::Spdx("Intel")),
    ("ISC License (ISCL)", Alias::Spdx("ISC")),
    ("MirOS License (MirOS)", Alias::Spdx("MirOS")),
    ("MIT License", Alias::Spdx("MIT")),
    ("MIT No Attribution License (MIT-0)", Alias::Spdx("MIT-0")),
    ("Motosoto License", Alias::Spdx("Motosoto")),
    ("Mozilla Public License 1.0 (MPL)", Alias::Spdx("MPL-1.0")),
    (
        "Mozilla Public License 1.1 (MPL 1.1)",
        Alias::Spdx("MPL-1.1"),
    ),
    (
        "Mozilla Public License 2.0 (MPL 2.0)",
        Alias::Spdx("MPL-2.0"),
    ),
    (
        "Mulan Permissive Software License v2 (MulanPSL-2.0)",
        Alias::Spdx("MulanPSL-2.0"),
    ),
    ("Nethack General Public License", Alias::Spdx("NGPL")),
    ("Nokia Open Source License", Alias::Spdx("Nokia")),
    ("Open Group Test Suite License", Alias::Spdx("OGTSL")),
    (
        "Open Software License 3.0 (OSL-3.0)",
        Alias::Spdx("OSL-3.0"),
    ),
    ("PostgreSQL License", Alias::Spdx("PostgreSQL")),
    (
        "Python License (CNRI Python License)",
        Alias::Spdx("CNRI-Python"),
    ),
    ("Python Software Foundation License", Alias::Spdx("PSF-2.0")),
    ("Qt Public License (QPL)", Alias::Spdx("QPL-1.0")),
    ("Ricoh Source Code Public License", Alias::Spdx("RSCPL")),
    (
        "SIL Open Font License 1.1 (OFL-1.1)",
        Alias::Spdx("OFL-1.1"),
    ),
    ("Sleepycat License", Alias::Spdx("Sleepycat")),
    (
        "Sun Industry Standards Source License (SISSL)",
        Alias::Spdx("SISSL"),
    ),
    ("Sun Public License", Alias::Spdx("SPL-1.0")),
    ("The Unlicense (Unlicense)", Alias::Spdx("Unlicense")),
    ("Universal Permissive License (UPL)", Alias::Spdx("UPL-1.0")),
    (
        "University of Illinois/NCSA Open Source License",
        Alias::Spdx("NCSA"),
    ),
    ("Vovida Software License 1.0", Alias::Spdx("VSL-1.0")),
    ("W3C License", Alias::Spdx("W3C")),
    ("X.Net License", Alias::Spdx("Xnet")),
    ("Zope Public License", Alias::Spdx("ZPL-2.1")),
    ("zlib/libpng License", Alias::Spdx("Zlib")),
    ("Aladdin Free Public License (AFPL)", Alias::Spdx("Aladdin")),
    (
        "CeCILL-B Free Software License Agreement (CECILL-B)",
        Alias::Spdx("CECILL-B"),
    ),
    (
        "CeCILL-C Free Software License Agreement (CECILL-C)",
        Alias::Spdx("CECILL-C"),
    ),
    ("Free For Educational Use", Alias::Unknown),
    ("Free For Home Use", Alias::Unknown),
    ("Free for non-commercial use", Alias::Unknown),
    ("Freely Distributable", Alias::Unknown),
    ("Freeware", Alias::Unknown),
    ("GUST Font License 1.0", Alias::Unknown),
    ("GUST Font License 2006-09-30", Alias::Unknown),
    (
        "Netscape Public License (NPL)",
        Alias::Ambiguous("NPL (which version?)"),
    ),
    ("Other/Proprietary License", Alias::Unknown),
    (
        "Public Domain",
        Alias::Ambiguous("public domain (no SPDX id; CC0-1.0 or Unlicense?)"),
    ),
    (
        "Repoze Public License",
        Alias::Spdx("BSD-3-Clause-Modification"),
    ),
    ("DFSG approved", Alias::Unknown),
];

/// Common spellings in the free-text `License` field, compared lower-case with runs of white
/// space collapsed.
const NAMES: &[(&str, Alias)] = &[
    ("mit", Alias::Spdx("MIT")),
    ("mit license", Alias::Spdx("MIT")),
    ("the mit license", Alias::Spdx("MIT")),
    ("the mit license (mit)", Alias::Spdx("MIT")),
    ("mit licence", Alias::Spdx("MIT")),
    ("expat", Alias::Spdx("MIT")),
    ("mit-0", Alias::Spdx("MIT-0")),
    ("apache", Alias::Ambiguous("Apache (which version?)")),
    ("apache 2", Alias::Spdx("Apache-2.0")),
    ("apache 2.0", Alias::Spdx("Apache-2.0")),
    ("apache-2", Alias::Spdx("Apache-2.0")),
    ("apache2", Alias::Spdx("Apache-2.0")),
    ("apache license 2.0", Alias::Spdx("Apache-2.0")),
    ("apache license, version 2.0", Alias::Spdx("Apache-2.0")),
    ("apache license version 2.0", Alias::Spdx("Apache-2.0")),
    ("apache software license", Alias::Spdx("Apache-2.0")),
    ("apache software license 2.0", Alias::Spdx("Apache-2.0")),
    (
        "apache software license, version 2.0",
        Alias::Spdx("Apache-2.0"),
    ),
    (
        "apache license",
        Alias::Ambiguous("Apache (which version?)"),
    ),
    ("asl 2.0", Alias::Spdx("Apache-2.0")),
    ("asl2", Alias::Spdx("Apache-2.0")),
    (
        "bsd",
        Alias::Ambiguous("BSD (2-clause, 3-clause or another variant?)"),
    ),
    (
        "bsd license",
        Alias::Ambiguous("BSD (2-clause, 3-clause or another variant?)"),
    ),
    (
        "bsd licence",
        Alias::Ambiguous("BSD (2-clause, 3-clause or another variant?)"),
    ),
    (
        "bsd-like",
        Alias::Ambiguous("BSD (2-clause, 3-clause or another variant?)"),
    ),
    (
        "bsd style",
        Alias::Ambiguous("BSD (2-clause, 3-clause or another variant?)"),
    ),
    (
        "bsd-style",
        Alias::Ambiguous("BSD (2-clause, 3-clause or another variant?)"),
    ),
    ("new bsd", Alias::Spdx("BSD-3-Clause")),
    ("new bsd license", Alias::Spdx("BSD-3-Clause")),
    ("modified bsd", Alias::Spdx("BSD-3-Clause")),
    ("modified bsd license", Alias::Spdx("BSD-3-Clause")),
    ("revised bsd", Alias::Spdx("BSD-3-Clause")),
    ("3-clause bsd", Alias::Spdx("BSD-3-Clause")),
    ("3-clause bsd license", Alias::Spdx("BSD-3-Clause")),
    ("bsd 3-clause", Alias::Spdx("BSD-3-Clause")),
    ("bsd 3-clause license", Alias::Spdx("BSD-3-Clause")),
    ("bsd-3", Alias::Spdx("BSD-3-Clause")),
    ("bsd3", Alias::Spdx("BSD-3-Clause")),
    ("simplified bsd", Alias::Spdx("BSD-2-Clause")),
    ("2-clause bsd", Alias::Spdx("BSD-2-Clause")),
    ("2-clause bsd license", Alias::Spdx("BSD-2-Clause")),
    ("bsd 2-clause", Alias::Spdx("BSD-2-Clause")),
    ("bsd 2-clause license", Alias::Spdx("BSD-2-Clause")),
    ("bsd-2", Alias::Spdx("BSD-2-Clause")),
    ("freebsd", Alias::Spdx("BSD-2-Clause")),
    ("isc", Alias::Spdx("ISC")),
    ("isc license", Alias::Spdx("ISC")),
    ("iscl", Alias::Spdx("ISC")),
    ("psf", Alias::Spdx("PSF-2.0")),
    ("psfl", Alias::Spdx("PSF-2.0")),
    ("psf license", Alias::Spdx("PSF-2.0")),
    ("psf-2.0", Alias::Spdx("PSF-2.0")),
    ("python software foundation license", Alias::Spdx("PSF-2.0")),
    ("python software foundation", Alias::Spdx("PSF-2.0")),
    ("mpl 2.0", Alias::Spdx("MPL-2.0")),
    ("mpl2", Alias::Spdx("MPL-2.0")),
    ("mpl-2", Alias::Spdx("MPL-2.0")),
    ("mozilla public license 2.0", Alias::Spdx("MPL-2.0")),
    (
        "mozilla public license 2.0 (mpl 2.0)",
        Alias::Spdx("MPL-2.0"),
    ),
    ("gpl", Alias::Ambiguous("GPL (which version?)")),
    ("gnu gpl", Alias::Ambiguous("GPL (which version?)")),
    ("gplv2", Alias::Spdx("GPL-2.0-only")),
    ("gpl v2", Alias::Spdx("GPL-2.0-only")),
    ("gplv2+", Alias::Spdx("GPL-2.0-or-later")),
    ("gplv3", Alias::Spdx("GPL-3.0-only")),
    ("gpl v3", Alias::Spdx("GPL-3.0-only")),
    ("gplv3+", Alias::Spdx("GPL-3.0-or-later")),
    ("gnu gplv3", Alias::Spdx("GPL-3.0-only")),
    ("lgpl", Alias::Ambiguous("LGPL (which version?)")),
    ("lgplv2", Alias::Spdx("LGPL-2.0-only")),
    ("lgplv2+", Alias::Spdx("LGPL-2.0-or-later")),
    ("lgplv3", Alias::Spdx("LGPL-3.0-only")),
    ("lgplv3+", Alias::Spdx("LGPL-3.0-or-later")),
    ("agpl", Alias::Ambiguous("AGPL (which version?)")),
    ("agplv3", Alias::Spdx("AGPL-3.0-only")),
    ("agplv3+", Alias::Spdx("AGPL-3.0-or-later")),
    ("unlicense", Alias::Spdx("Unlicense")),
    ("the unlicense", Alias::Spdx("Unlicense")),
    ("cc0", Alias::Spdx("CC0-1.0")),
    ("zlib", Alias::Spdx("Zlib")),
    ("zpl 2.1", Alias::Spdx("ZPL-2.1")),
    ("zpl", Alias::Spdx("ZPL-2.1")),
    (
        "public domain",
        Alias::Ambiguous("public domain (no SPDX id; CC0-1.0 or Unlicense?)"),
    ),
    ("dual license", Alias::Unknown),
    ("proprietary", Alias::Unknown),
    ("other", Alias::Unknown),
    ("unknown", Alias::Unknown),
    ("none", Alias::Unknown),
];

fn squash(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Look up a Trove classifier (`License :: OSI Approved :: MIT License`).
pub fn classifier(classifier: &str) -> Option<Alias> {
    let rest = classifier.strip_prefix("License ::")?.trim();
    let rest = rest
        .strip_prefix("OSI Approved ::")
        .map(str::trim)
        .unwrap_or(rest);
    if rest == "OSI Approved" {
        return Some(Alias::Ambiguous("OSI Approved (which license?)"));
    }
    CLASSIFIERS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(rest))
        .map(|(_, alias)| *alias)
}

/// Look up a short `License` field value.
pub fn name(text: &str) -> Option<Alias> {
    let key = squash(text);
    NAMES
        .iter()
        .find(|(n, _)| *n == key)
        .map(|(_, alias)| *alias)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spdx_alias_is_a_valid_expression() {
        for (name, alias) in CLASSIFIERS.iter().chain(NAMES) {
            if let Alias::Spdx(expr) = alias {
                assert!(spdx::Expression::parse(expr).is_ok(), "{name} -> {expr}");
            }
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(
            classifier("License :: OSI Approved :: MIT License"),
            Some(Alias::Spdx("MIT"))
        );
        assert!(matches!(
            classifier("License :: OSI Approved :: BSD License"),
            Some(Alias::Ambiguous(_))
        ));
        assert_eq!(
            classifier("License :: Public Domain").map(|a| matches!(a, Alias::Ambiguous(_))),
            Some(true)
        );
        assert_eq!(name("  The   MIT License "), Some(Alias::Spdx("MIT")));
        assert_eq!(
            name("Apache License, Version 2.0"),
            Some(Alias::Spdx("Apache-2.0"))
        );
        assert!(matches!(name("BSD"), Some(Alias::Ambiguous(_))));
        assert_eq!(name("something else"), None);
    }
}
