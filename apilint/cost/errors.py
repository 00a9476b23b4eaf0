"""The one error type of ``apilint cost``: bad input, reported in one line with exit code 2."""

from __future__ import annotations

from dataclasses import dataclass


class CostError(Exception):
    """A problem with flags, a usage file, a price list or the region: the user can fix it."""


@dataclass(frozen=True)
class Problem:
    """One problem in a file, at a 1-based line and column."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class UsageFileError(CostError):
    """Problems in a usage file, each with its position; ``str()`` gives one line per problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.line, p.column, p.message))
        super().__init__("\n".join(str(problem) for problem in self.problems))
