"""Problems found while reading a file, before any rule runs."""

from __future__ import annotations

from apilint.finding import Span
from apilint.record import Frozen


class LoadProblem(Frozen):
    """A reading problem (syntax error, duplicate key, exceeded limit) at a position."""

    code: str
    message: str
    span: Span

    def __init__(self, code: str, message: str, span: Span) -> None:
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "span", span)
