"""The one type every check result becomes, and the severities."""

from __future__ import annotations

import enum
from itertools import accumulate, count
from operator import add
from typing import TYPE_CHECKING, Any

from apilint.record import Frozen

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


class Span(Frozen):
    """A 1-based position range in a file."""

    line: int
    column: int
    end_line: int
    end_column: int

    def __init__(self, line: int, column: int, end_line: int, end_column: int) -> None:
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "column", column)
        object.__setattr__(self, "end_line", end_line)
        object.__setattr__(self, "end_column", end_column)


def line_starts(text: str) -> list[int]:
    """The offsets where the lines of ``text`` start, its line breaks being ``\\n`` alone.

    Counted by C loops over the whole text (the lengths of the lines, summed): a large file has tens
    of thousands of lines.
    """
    lengths = accumulate(map(len, text.split("\n")), initial=0)
    return list(map(add, lengths, count()))[:-1] if text else [0]


class Finding(Frozen, uncompared=("extra", "fix")):
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
    path: tuple[Any, ...]
    api: str | None
    extra: dict[str, Any]
    #: Edits of the file that repair this finding without changing what the file means.
    fix: ResolvedFix | None

    def __init__(
        self,
        file: str,
        line: int,
        column: int,
        end_line: int,
        end_column: int,
        code: str,
        name: str,
        severity: Severity,
        message: str,
        path: tuple[Any, ...] = (),
        api: str | None = None,
        extra: dict[str, Any] | None = None,
        fix: ResolvedFix | None = None,
    ) -> None:
        object.__setattr__(self, "file", file)
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "column", column)
        object.__setattr__(self, "end_line", end_line)
        object.__setattr__(self, "end_column", end_column)
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "severity", severity)
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "api", api)
        object.__setattr__(self, "extra", {} if extra is None else extra)
        object.__setattr__(self, "fix", fix)

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
