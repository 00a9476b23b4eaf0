"""Plain classes with a dataclass's equality, hashing and ``repr``, without its import-time cost.

``@dataclass`` writes the source of ``__init__``, ``__repr__`` and ``__eq__`` (frozen: also
``__setattr__``, ``__delattr__`` and ``__hash__``) for every class and compiles it when the module is
imported: about 3 M instructions a class, and with the ``dataclasses`` and ``inspect`` modules it
needs, a third of a run on a small file. The classes every run imports therefore write their
``__init__`` by hand and take the rest from :class:`Record` (or :class:`Frozen`), which reads the
fields from the class's annotations once, when the class is created.

A subclass behaves as ``@dataclass`` (``@dataclass(frozen=True)`` for :class:`Frozen`) would make
it: equal to an instance of the same class whose compared fields are equal, unhashable unless frozen,
shown as ``Name(field=value, ...)``. Fields named in ``uncompared`` take no part in equality and
hashing (``field(compare=False)``), those named in ``hidden`` are not shown (``field(repr=False)``).
"""

from __future__ import annotations

import reprlib
from typing import Any, ClassVar, TypeVar, cast


class Record:
    """Equality and ``repr`` over the fields a class annotates (its bases' first, in order)."""

    _fields: ClassVar[tuple[str, ...]] = ()
    _compared: ClassVar[tuple[str, ...]] = ()
    _shown: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, *, uncompared: tuple[str, ...] = (), hidden: tuple[str, ...] = (),
                          **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        inherited = cls._fields
        own = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 - importing inspect is what this module avoids
        fields = inherited + tuple(name for name in own if name not in inherited)
        skipped = set(uncompared) | (set(inherited) - set(cls._compared))
        unshown = set(hidden) | (set(inherited) - set(cls._shown))
        cls._fields = fields
        cls._compared = tuple(name for name in fields if name not in skipped)
        cls._shown = tuple(name for name in fields if name not in unshown)

    def _key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._compared)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._key() == other._key()
        return NotImplemented

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
        return f"{self.__class__.__qualname__}({shown})"


#: Bound to the class itself, not to the string "Record": typing compiles a string bound, and the
#: first ``compile()`` of a process builds the AST types (about 9 M instructions).
R = TypeVar("R", bound=Record)


class Frozen(Record):
    """A :class:`Record` whose fields cannot be assigned after ``__init__`` (which sets them with
    ``object.__setattr__``), hashable by its compared fields."""

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")


def replace(record: R, /, **changes: Any) -> R:
    """A new record of the same class with ``changes`` applied (as :func:`dataclasses.replace`)."""
    values = {name: getattr(record, name) for name in record._fields}
    values.update(changes)
    return cast(R, cast(Any, type(record))(**values))
