"""Dependency assertions on the result of `archlint deps check`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

#: The dependency areas, each a test case in JUnit and a test item in the pytest plugin.
AREAS = ("policy", "licenses", "vulnerabilities", "declarations", "metadata")


def area_of(code: str) -> str:
    """Which area a finding code belongs to (the same split as the CLI's reports)."""
    if code in ("forbidden-package", "unapproved-package", "version-not-approved"):
        return "policy"
    if code.startswith("license-"):
        return "licenses"
    if code.startswith("vulnerab"):
        return "vulnerabilities"
    if code == "malformed-metadata":
        return "metadata"
    return "declarations"


@dataclass(frozen=True)
class DependencyFinding:
    code: str
    level: str
    message: str
    package: str | None = None
    file: str | None = None
    line: int | None = None
    excepted: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file and self.line else (f"{self.file}: " if self.file else "")
        return f"{where}{self.level}[{self.code}] {self.message}"


class Dependencies:
    """What the dependency checks found, with assertions that fail with every finding listed."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.findings = [
            DependencyFinding(
                code=f["code"],
                level=f.get("level", "error"),
                message=f["message"],
                package=f.get("package"),
                file=f.get("file"),
                line=f.get("line"),
                excepted=f.get("excepted"),
            )
            for f in doc.get("findings", [])
        ]
        self.packages: list[dict[str, Any]] = doc.get("packages", [])

    def errors(self, *areas: str) -> list[DependencyFinding]:
        """Errors that count (not excepted), in the given areas (default: all)."""
        return [
            f
            for f in self.findings
            if f.level == "error" and f.excepted is None and (not areas or area_of(f.code) in areas)
        ]

    def _assert_none(self, areas: Iterable[str], what: str) -> None:
        found = self.errors(*areas)
        if found:
            lines = "\n".join(f"  {f}" for f in found)
            raise AssertionError(f"{what}: {len(found)} finding{'s' if len(found) != 1 else ''}\n{lines}")

    def assert_no_unapproved_packages(self) -> None:
        """No forbidden package, none outside the approved list and its versions."""
        self._assert_none(["policy"], "dependency policy")

    def assert_licenses_allowed(self) -> None:
        """Every license allowed by the policy (denied, not allowed and unknown ones fail)."""
        self._assert_none(["licenses"], "licenses")

    def assert_no_vulnerabilities(self) -> None:
        """No installed version with a known vulnerability (and, when configured, none left
        unchecked)."""
        self._assert_none(["vulnerabilities"], "known vulnerabilities")

    def assert_declared_matches_imports(self) -> None:
        """No missing, unused or transitive-only dependency."""
        self._assert_none(["declarations"], "declared vs imported dependencies")

    def assert_clean(self) -> None:
        """No dependency error at all."""
        self._assert_none(AREAS, "dependencies")
