"""Where something is written: a file and the path of keys and indexes inside it.

Everything a check reports, and every setting the model holds, carries a :class:`Pointer`; the engine
alone turns pointers into lines and columns. This module imports only :mod:`apilint.record` at run time, so
the loader and the model can both depend on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from apilint.record import Frozen

if TYPE_CHECKING:
    from apilint.load.source import Source


class Pointer(Frozen):
    """A place in a file: the file and the path of keys and indexes leading to the node."""

    source: Source
    path: tuple[Any, ...]

    def __init__(self, source: Source, path: tuple[Any, ...]) -> None:
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "path", path)

    def child(self, *steps: Any) -> Pointer:
        return Pointer(self.source, self.path + steps)

    def __repr__(self) -> str:
        return f"Pointer({self.source.display}, {'/'.join(map(str, self.path))})"
