"""Errors raised by archlint's Python API."""

from __future__ import annotations


class ArchlintError(Exception):
    """archlint could not do what was asked: a configuration error, an unknown module, a broken
    environment. The message is archlint's own, with the file and line where there is one."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    @classmethod
    def from_cli(cls, stderr: str) -> "ArchlintError":
        """From the CLI's `archlint: error: FILE:LINE: message` (or any stderr)."""
        lines = [l for l in stderr.strip().splitlines() if l.strip()]
        errors = [l for l in lines if l.startswith("archlint: error: ")]
        text = errors[-1][len("archlint: error: "):] if errors else (lines[-1] if lines else "archlint failed")
        file = line = None
        head = text.split(": ", 1)[0]
        parts = head.rsplit(":", 1)
        if len(parts) == 2 and parts[1].isdigit():
            file, line = parts[0], int(parts[1])
        elif head.endswith((".toml", ".cfg", ".importlinter", ".ini")):
            file = head
        return cls(text, file=file, line=line)
