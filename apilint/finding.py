"""The one type every check result becomes, and the severities."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from apilint.fix import ResolvedFix


class Severity(enum.IntEnum):
    """Finding severity; the order allows ``--fail-on`` comparisons."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (expected error, warning or info)") from None

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Span:
    """A 1-based position range in a file."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Finding:
    """One problem at one place. Sorted by file, line, column, code."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    severity: Severity
    message: str
    path: tuple[Any, ...] = ()
    api: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    #: Edits of the file that repair this finding without changing what the file means.
    fix: ResolvedFix | None = field(default=None, compare=False, hash=False)

    @property
    def sort_key(self) -> tuple[Any, ...]:
        return (self.file, self.line, self.column, self.code, self.message)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of a finding."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "name": self.name,
            "severity": str(self.severity),
            "message": self.message,
            "api": self.api,
            "path": list(self.path),
        }
