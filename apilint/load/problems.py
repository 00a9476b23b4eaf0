"""Problems found while reading a file, before any rule runs."""

from __future__ import annotations

from dataclasses import dataclass

from apilint.finding import Span


@dataclass(frozen=True)
class LoadProblem:
    """A reading problem (syntax error, duplicate key, exceeded limit) at a position."""

    code: str
    message: str
    span: Span
