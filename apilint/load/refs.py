"""``$ref`` resolution that never leaves the repository and never touches the network.

A reference is followed only to a YAML or JSON file (``.yaml``, ``.yml``, ``.json``) inside the
root, none of whose folders or name below the root starts with a dot: so a definition in a pull
request cannot make apilint read, and echo parts of, ``.git/config``, ``.env`` or any file outside the
checkout. Everything else is reported, never opened.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from apilint.load.limits import Limits
from apilint.load.source import ReadError, Source
from apilint.pointer import Pointer
from apilint.record import Frozen

#: How many references one chain may follow before it is treated as a loop.
MAX_REF_HOPS = Limits.max_ref_hops
#: Suffixes of the files a reference may name.
FOLLOWED_SUFFIXES = (".yaml", ".yml", ".json")
#: ``http:``, ``file:``, ``urn:`` ...: anything with a scheme is not a path in the repository.
_URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]+:")


class RefProblem(Frozen):
    """A reference that could not be followed, at the place it is written."""

    at: Pointer
    message: str

    def __init__(self, at: Pointer, message: str) -> None:
        object.__setattr__(self, "at", at)
        object.__setattr__(self, "message", message)


def parse_pointer(fragment: str) -> tuple[str, ...] | None:
    """JSON pointer fragment (``/a/b~1c``) to path steps; None when malformed.

    Most pointers have neither percent escapes nor ``~`` escapes: their steps are the parts as written.
    """
    if fragment == "":
        return ()
    if not fragment.startswith("/"):
        return None
    return pointer_steps(fragment, percent_escapes=True)


def pointer_steps(pointer: str, percent_escapes: bool = False) -> tuple[str, ...]:
    """The steps of a JSON pointer (``/a/b~1c``; ``""`` is the whole document) with ``~1`` and ``~0``
    unescaped, and ``%`` escapes too when it is a URI fragment (``percent_escapes``)."""
    parts = pointer[1:].split("/") if pointer else []
    if percent_escapes and "%" in pointer:
        parts = [unquote(part) for part in parts]
    if "~" in pointer:
        parts = [part.replace("~1", "/").replace("~0", "~") for part in parts]
    return tuple(parts)


def _index(step: str) -> int | None:
    """A list index as a pointer writes it (ASCII digits, no leading zero), else None."""
    if step.isascii() and step.isdigit() and len(step) < 19 and (step == "0" or step[0] != "0"):
        return int(step)
    return None


def refusal(path: Path, root: Path, any_suffix: bool = False) -> str | None:
    """Why a reference to ``path`` is not followed, or None when it may be read.

    ``path`` is resolved (symbolic links followed) before it is judged, so a link inside the root that
    points out of it is refused like the path it points at. ``any_suffix`` accepts any file name (a
    Terraform template such as ``openapi.yaml.tftpl``), not only YAML and JSON ones.
    """
    try:
        resolved = path.resolve(strict=False)
        relative = resolved.relative_to(root.resolve())
    except RuntimeError:  # Python < 3.13 reports a symbolic link loop this way
        return "it is a symbolic link loop"
    except OSError as error:
        return f"it cannot be resolved ({error.strerror or error})"
    except ValueError:
        return f"it lies outside {root}; apilint reads nothing outside the root it checks"
    if resolved.is_dir():
        return "it is a directory"
    if any(part.startswith(".") for part in relative.parts):
        return "it is a hidden file or lies in a hidden folder; apilint does not read those"
    if not any_suffix and resolved.suffix.lower() not in FOLLOWED_SUFFIXES:
        return "only .yaml, .yml and .json files are followed"
    return None


def walk(data: Any, steps: tuple[Any, ...]) -> tuple[bool, Any, tuple[Any, ...]]:
    """Follow path steps through data; list indexes become ints. Returns (found, value, steps)."""
    current = data
    typed: list[Any] = []
    for step in steps:
        if isinstance(current, dict) and step in current:
            current = current[step]
            typed.append(step)
            continue
        index = _index(step) if isinstance(current, list) and isinstance(step, str) else None
        if index is not None and index < len(current):
            current = current[index]
            typed.append(index)
        else:
            return False, None, tuple(typed)
    return True, current, tuple(typed)


class RefResolver:
    """Follows local and relative-file references, inside ``root`` only.

    Remote (``http://``, ``https://``) references are reported and never fetched; files outside the
    root, hidden files and files that are not YAML or JSON are refused without being opened; each
    file is read once, and at most ``Limits.max_ref_files`` files are read.
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
        name = unquote(target)
        if "\x00" in name:
            self._report(at, f"$ref {target!r} names no valid file")
            return None
        path = (base.path.parent / name).absolute()
        reason = refusal(path, self.root)
        if reason is not None:
            self._report(at, f"$ref {target!r} is not followed: {reason}")
            return None
        resolved = path.resolve()
        cached = self._cache.get(resolved)
        if isinstance(cached, Source):
            return cached
        if isinstance(cached, str):
            self._report(at, cached)
            return None
        if len(self._cache) >= Limits.max_ref_files:
            self._report(at, f"$ref {target!r} is not followed: the references of this file already pulled "
                             f"in {Limits.max_ref_files:,} files, apilint's limit")
            return None
        try:
            source = self._open_source(resolved)
        except ReadError as error:
            message = f"$ref {target!r} cannot be followed: {error}"
            self._cache[resolved] = message
            self._report(at, message)
            return None
        if source.data is None:
            first = source.problems[0] if source.problems else None
            where = f"{source.display}:{first.span.line}:{first.span.column}" if first else source.display
            why = first.message if first else "the file is empty"
            message = f"$ref {target!r} cannot be followed: {where}: {why}"
            self._cache[resolved] = message
            self._report(at, message)
            return None
        self._cache[resolved] = source
        return source

    def target(self, ref: str, at: Pointer, doc_at: Pointer, chain: bool = True) -> tuple[Any, Pointer] | None:
        """The value a reference string names, and where it is; None (and a problem) when it fails.

        With ``chain``, a target that is itself a reference is followed on, so that a loop or a broken
        link further down the chain is reported too; the value returned is still the first target.
        """
        if ref.startswith("//") or _URI_SCHEME.match(ref):
            self._report(at, f"remote $ref {ref!r} is not followed: apilint makes no network connections "
                             "and reads only files inside the root")
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
        value_at = base.child(*typed)
        if chain and isinstance(value, dict) and isinstance(value.get("$ref"), str):
            self.follow(value, value_at, base)
        return value, value_at

    def follow(self, value: Any, at: Pointer, doc_at: Pointer) -> tuple[Any, Pointer]:
        """Follow a chain of ``$ref`` objects; the original value stays when a step fails."""
        seen: set[tuple[str, tuple[Any, ...]]] = set()
        current, current_at, current_doc = value, at, doc_at
        for _ in range(MAX_REF_HOPS):
            if not (isinstance(current, dict) and isinstance(current.get("$ref"), str)):
                return current, current_at
            key = (current_at.source.display, current_at.path)
            if key in seen:
                self._report(at, "circular $ref: following it leads back to a reference already followed")
                return value, at
            seen.add(key)
            result = self.target(current["$ref"], current_at.child("$ref"), current_doc, chain=False)
            if result is None:
                return value, at
            current, current_at = result
            if current_at.source is not current_doc.source:
                current_doc = Pointer(current_at.source, ())
        self._report(at, f"$ref chain longer than {MAX_REF_HOPS} steps, apilint's limit; it is not followed further")
        return value, at


def _data_at(pointer: Pointer) -> Any:
    current = pointer.source.data
    for step in pointer.path:
        try:
            current = current[step]
        except (KeyError, IndexError, TypeError):
            return None
    return current
