"""A file as apilint reads it: bytes checked and decoded, parsed with positions."""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path
from typing import Any

from apilint.finding import Span
from apilint.load.jsonload import JsonDocument, load_json
from apilint.load.problems import LoadProblem
from apilint.load.yamlload import Limits, YamlDocument, expanded_size, load_yaml

#: Files larger than this are refused with a finding (``--max-file-size`` / config ``max-file-size``).
DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024


class Source:
    """One file: where it is, its text, its data and a way to find positions in it."""

    def __init__(self, path: Path, display: str, text: str, document: YamlDocument | JsonDocument | None,
                 problems: list[LoadProblem]):
        self.path = path
        self.display = display
        self.text = text
        self.document = document
        self.problems = problems

    @property
    def data(self) -> Any:
        return self.document.data if self.document is not None else None

    def locate(self, path: tuple[Any, ...]) -> Span:
        """Span of ``path`` in this file, falling back to the nearest existing parent."""
        if self.document is None:
            return Span(1, 1, 1, 1)
        span, _ = self.document.locate(path)
        return span

    def __repr__(self) -> str:
        return f"Source({self.display!r})"


class ReadError(Exception):
    """A file that cannot be read at all (missing, a directory, a FIFO, no permission)."""


def decode(raw: bytes) -> tuple[str | None, str | None]:
    """Text of the bytes, honouring a BOM; ``(None, reason)`` for binary or undecodable input."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
        encoding = "utf-8"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "utf-32"
    else:
        encoding = "utf-8"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        return None, f"the file is not valid {encoding.upper()} (byte {error.start})"
    if encoding == "utf-16" or encoding == "utf-32":
        text = text.lstrip("\ufeff")
    if "\x00" in text:
        return None, "the file contains NUL bytes; it looks binary"
    return text, None


def read_source(path: Path, display: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Source:
    """Read and parse one file. Problems in it become load problems; unreadable files raise."""
    try:
        info = path.stat()
    except OSError as error:
        raise ReadError(f"{display}: cannot read ({error.strerror or error})") from None
    if stat.S_ISDIR(info.st_mode):
        raise ReadError(f"{display}: is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise ReadError(f"{display}: not a regular file")
    if info.st_size > max_bytes:
        problem = LoadProblem(
            "AG005",
            f"the file is {info.st_size:,} bytes, over the {max_bytes:,}-byte limit (raise it with --max-file-size)",
            Span(1, 1, 1, 1),
        )
        return Source(path, display, "", None, [problem])
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as error:
        raise ReadError(f"{display}: cannot read ({error.strerror or error})") from None
    text, reason = decode(raw)
    if text is None:
        return Source(path, display, "", None, [LoadProblem("AG001", reason or "unreadable", Span(1, 1, 1, 1))])
    return parse_text(path, display, text)


def parse_text(path: Path, display: str, text: str) -> Source:
    """Parse text as JSON when it looks like JSON, else as YAML."""
    stripped = text.lstrip()
    document: YamlDocument | JsonDocument
    if path.suffix.lower() == ".json" or stripped.startswith(("{", "[")):
        document = load_json(text)
        if document.data is None and document.problems and path.suffix.lower() != ".json":
            document = load_yaml(text)  # flow-style YAML starts with a brace too
    else:
        document = load_yaml(text)
        if isinstance(document, YamlDocument) and document.root is not None and document.aliases:
            size = expanded_size(document.root, Limits.max_nodes)
            if size > Limits.max_nodes:
                problem = LoadProblem(
                    "AG005",
                    f"YAML aliases expand to more than {Limits.max_nodes:,} nodes; the file is not checked",
                    Span(1, 1, 1, 1),
                )
                return Source(path, display, text, None, document.problems + [problem])
    return Source(path, display, text, document, list(document.problems))


def is_within(path: Path, root: Path) -> bool:
    """Whether ``path`` (resolved, symlinks followed) lies inside ``root``."""
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError, RuntimeError):
        return False


def display_path(path: Path, base: Path) -> str:
    """Path as shown in findings: relative to ``base`` when inside it."""
    try:
        return os.path.relpath(path, base) if is_within(path, base) else str(path)
    except ValueError:
        return str(path)
