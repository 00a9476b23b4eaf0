"""``$ref`` resolution that never leaves the repository and never touches the network."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote

from apilint.model import Pointer
from apilint.load.source import ReadError, Source, is_within

#: How many references one chain may follow before it is treated as a loop.
MAX_REF_HOPS = 64


@dataclass(frozen=True)
class RefProblem:
    """A reference that could not be followed, at the place it is written."""

    at: Pointer
    message: str


def parse_pointer(fragment: str) -> tuple[str, ...] | None:
    """JSON pointer fragment (``/a/b~1c``) to path steps; None when malformed."""
    if fragment == "":
        return ()
    if not fragment.startswith("/"):
        return None
    return tuple(unquote(part).replace("~1", "/").replace("~0", "~") for part in fragment[1:].split("/"))


def walk(data: Any, steps: tuple[Any, ...]) -> tuple[bool, Any, tuple[Any, ...]]:
    """Follow path steps through data; list indexes become ints. Returns (found, value, steps)."""
    current = data
    typed: list[Any] = []
    for step in steps:
        if isinstance(current, dict) and step in current:
            current = current[step]
            typed.append(step)
        elif isinstance(current, list) and isinstance(step, str) and step.isdigit() and int(step) < len(current):
            current = current[int(step)]
            typed.append(int(step))
        else:
            return False, None, tuple(typed)
    return True, current, tuple(typed)


class RefResolver:
    """Follows local and relative-file references, inside ``root`` only.

    Remote (``http://``, ``https://``) references are reported and never fetched; files outside the
    root are refused without being opened; each file is read once.
    """

    def __init__(self, root: Path, open_source: Callable[[Path], Source]):
        self.root = root
        self._open_source = open_source
        self._cache: dict[Path, Source | str] = {}
        self.problems: list[RefProblem] = []
        self._reported: set[tuple[str, tuple[Any, ...]]] = set()

    def _report(self, at: Pointer, message: str) -> None:
        key = (at.source.display, at.path)
        if key not in self._reported:
            self._reported.add(key)
            self.problems.append(RefProblem(at, message))

    def _file(self, base: Source, target: str, at: Pointer) -> Source | None:
        path = (base.path.parent / unquote(target)).absolute()
        if not is_within(path, self.root):
            self._report(at, f"$ref {target!r} points outside {self.root}; it is not read")
            return None
        resolved = path.resolve()
        cached = self._cache.get(resolved)
        if isinstance(cached, Source):
            return cached
        if isinstance(cached, str):
            self._report(at, cached)
            return None
        try:
            source = self._open_source(resolved)
        except ReadError as error:
            message = f"$ref {target!r} cannot be followed: {error}"
            self._cache[resolved] = message
            self._report(at, message)
            return None
        if source.data is None:
            message = f"$ref {target!r} cannot be followed: the file has no readable content"
            self._cache[resolved] = message
            self._report(at, message)
            return None
        self._cache[resolved] = source
        return source

    def target(self, ref: str, at: Pointer, doc_at: Pointer) -> tuple[Any, Pointer] | None:
        """The value a reference string names, and where it is; None (and a problem) when it fails."""
        if ref.startswith(("http://", "https://", "//")):
            self._report(at, f"remote $ref {ref!r} is not followed: apilint makes no network connections")
            return None
        file_part, _, fragment = ref.partition("#")
        steps = parse_pointer(fragment)
        if steps is None:
            self._report(at, f"$ref {ref!r} has a malformed JSON pointer")
            return None
        if file_part:
            source = self._file(at.source, file_part, at)
            if source is None:
                return None
            base_data, base = source.data, Pointer(source, ())
        else:
            base_data, base = _data_at(doc_at), doc_at
        found, value, typed = walk(base_data, steps)
        if not found:
            self._report(at, f"$ref {ref!r} points at nothing")
            return None
        return value, base.child(*typed)

    def follow(self, value: Any, at: Pointer, doc_at: Pointer) -> tuple[Any, Pointer]:
        """Follow a chain of ``$ref`` objects; the original value stays when a step fails."""
        seen: set[tuple[str, tuple[Any, ...]]] = set()
        current, current_at, current_doc = value, at, doc_at
        for _ in range(MAX_REF_HOPS):
            if not (isinstance(current, dict) and isinstance(current.get("$ref"), str)):
                return current, current_at
            key = (current_at.source.display, current_at.path)
            if key in seen:
                self._report(at, "circular $ref")
                return value, at
            seen.add(key)
            result = self.target(current["$ref"], current_at.child("$ref"), current_doc)
            if result is None:
                return value, at
            current, current_at = result
            if current_at.source is not current_doc.source:
                current_doc = Pointer(current_at.source, ())
        self._report(at, f"$ref chain longer than {MAX_REF_HOPS} steps")
        return value, at


def _data_at(pointer: Pointer) -> Any:
    current = pointer.source.data
    for step in pointer.path:
        try:
            current = current[step]
        except (KeyError, IndexError, TypeError):
            return None
    return current
