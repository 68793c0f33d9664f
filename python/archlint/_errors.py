"""Errors raised by archlint's Python API."""

from __future__ import annotations


class ArchlintError(Exception):
    """archlint could not do what was asked: a configuration error, an unknown module, a broken
    environment. The message is archlint's own, with the file and line where there is one."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line


class ConfigError(ArchlintError):
    """A configuration file is at fault: `file` names it and `line` (when known) the line; the
    message is the one `archlint check` prints, `FILE:LINE: what is wrong`."""
