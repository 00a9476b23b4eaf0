"""A file as apilint reads it: bytes checked and decoded, parsed with positions, within the limits."""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from apilint.finding import Span, line_starts
from apilint.load.fastyaml import load_yaml
from apilint.load.limits import DEFAULT_MAX_FILE_BYTES, Limits
from apilint.load.problems import LoadProblem
from apilint.load.yamlload import YamlDocument

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "ByteReader",
    "Limits",
    "ReadError",
    "Source",
    "decode",
    "display_path",
    "is_within",
    "parse_text",
    "printable",
    "read_file_bytes",
    "read_source",
]

_FIRST_CHARACTER = re.compile(r"\s*(\S)")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: The line breaks libyaml counts (YAML 1.1): positions in YAML files are lines between these.
_YAML_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_OTHER_YAML_BREAKS = re.compile("[\r\x85\u2028\u2029]")
_FILE_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


class Document(Protocol):
    """What a parsed file offers: its data, the problems found reading it, and positions by path."""

    data: Any
    problems: list[LoadProblem]

    def locate(self, path: tuple[Any, ...]) -> tuple[Span, int]: ...


class Source:
    """One file: where it is, its text, its data and a way to find positions in it."""

    def __init__(self, path: Path, display: str, text: str, document: Document | None,
                 problems: list[LoadProblem], screened: bool | None = None, note: str | None = None):
        self.path = path
        self.display = display
        self.text = text
        self.document = document
        self.problems = problems
        #: What the screen of :func:`read_source` said of the text; None when there was none.
        self.screened = screened
        #: Why a readable file has no data (a template readable only once filled in); None otherwise.
        self.note = note

    @property
    def data(self) -> Any:
        return self.document.data if self.document is not None else None

    @cached_property
    def lines(self) -> list[str]:
        """The text's lines, split once (per-finding work must not rescan the whole text)."""
        return self.text.splitlines()

    @cached_property
    def has_ignore_comments(self) -> bool:
        """Whether any ``apilint-ignore`` comment is written in the file (searched once)."""
        return "apilint-ignore" in self.text

    @cached_property
    def _line_starts(self) -> list[int]:
        """Where lines start in the text, counted as the reader that gives positions counts them."""
        text = self.text
        if isinstance(self.document, YamlDocument) and _OTHER_YAML_BREAKS.search(text) is not None:
            return [0, *(match.end() for match in _YAML_BREAKS.finditer(text))]
        return line_starts(text)  # JSON and HCL count "\n" alone; so does YAML when it has no other break

    def offset(self, line: int, column: int) -> int | None:
        """The offset in the text of a 1-based line and column of a span; None outside the text."""
        starts = self._line_starts
        if not 1 <= line <= len(starts) or column < 1:
            return None
        offset = starts[line - 1] + column - 1
        return offset if offset <= len(self.text) else None

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


def _position(raw: bytes, offset: int) -> Span:
    """Line and column (in characters) of a byte offset in UTF-8-ish bytes."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    line = raw.count(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", "replace")) + 1
    return Span(line, column, line, column)


#: The byte-order marks honoured, and the encoding each says (UTF-32 before UTF-16: it shares a prefix).
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _encoding(raw: bytes) -> str:
    """The encoding the bytes' byte-order mark says; UTF-8 without one."""
    return next((encoding for bom, encoding in _BOMS if raw.startswith(bom)), "utf-8")


def decode(raw: bytes) -> tuple[str | None, LoadProblem | None]:
    """Text of the bytes, honouring a byte-order mark; ``(None, problem)`` for binary or undecodable input."""
    encoding = _encoding(raw)
    raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        span = _position(raw, error.start) if encoding == "utf-8" else Span(1, 1, 1, 1)
        hint = "; it looks binary" if encoding == "utf-8" and b"\x00" in raw[:8192] else ""
        return None, LoadProblem(
            "AG001", f"the file is not valid {encoding.upper()} text (byte {error.start:,}){hint}", span)
    if encoding != "utf-8":
        text = text.lstrip("\ufeff")
    nul = text.find("\x00")
    if nul != -1:
        line = text.count("\n", 0, nul) + 1
        column = nul - text.rfind("\n", 0, nul)
        span = Span(line, column, line, column)
        return None, LoadProblem(
            "AG001", "the file contains NUL bytes: it looks binary, or UTF-16 without a byte-order mark", span)
    return text, None


def _read_bytes(path: Path, display: str, max_bytes: int) -> bytes | None:
    """The file's bytes, or None when it is over ``max_bytes``; raises ReadError when it cannot be read.

    The file is opened without blocking and checked on the open descriptor, so a FIFO or device put
    where a file was (or swapped in after a check) is refused instead of hanging the run.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise ReadError(f"{display}: cannot read (a symbolic link loop)") from None
        if error.errno == errno.EISDIR:
            raise ReadError(f"{display}: is a directory") from None
        raise ReadError(f"{display}: cannot read ({error.strerror or error})") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            kind = _FILE_KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
            raise ReadError(f"{display}: is {kind}; only regular files are read")
        if info.st_size > max_bytes:
            return None
        chunks: list[bytes] = []
        remaining = max_bytes + 1  # the file may grow after fstat: never read past the limit
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        raw = b"".join(chunks)
        return None if len(raw) > max_bytes else raw
    except OSError as error:
        raise ReadError(f"{display}: cannot read ({error.strerror or error})") from None
    finally:
        os.close(descriptor)


#: Reads a file's bytes: ``(path, display, max_bytes) -> bytes``, or None when over ``max_bytes``;
#: raises ReadError when the file cannot be read.
#: How the file system is read (the default reader of :func:`read_source`).
read_file_bytes = _read_bytes

ByteReader = Callable[[Path, str, int], "bytes | None"]


def read_source(path: Path, display: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES,
                screen: Callable[[str], bool] | None = None, parse_screened_out: bool = True,
                read_bytes: ByteReader | None = None) -> Source:
    """Read and parse one file. Problems in it become load problems; unreadable files raise ReadError.

    ``read_bytes`` reads the file from somewhere else than the disk (a git revision); the default
    reads the file system.

    ``screen`` is a test of the text (or, when it cannot be decoded, of its bytes read as Latin-1
    without NUL bytes)
    whose answer the Source keeps as ``screened``. With ``parse_screened_out`` False, a file that
    fails it is not parsed: the Source has no text, no data and no problems.
    """
    raw = (read_bytes or _read_bytes)(path, display, max_bytes)
    if raw is None:
        try:
            size = f"{path.stat().st_size:,} bytes"
        except OSError:
            size = "larger"
        too_large = LoadProblem(
            "AG005",
            f"the file is {size}, over the {max_bytes:,}-byte limit; it is not read (raise the limit with "
            "--max-file-size)",
            Span(1, 1, 1, 1),
        )
        return Source(path, display, "", None, [too_large])
    text, problem = decode(raw)
    # Undecodable bytes are screened as Latin-1 without their NULs, so UTF-16 text still shows its keys.
    screened = (screen(text if text is not None else raw.replace(b"\0", b"").decode("latin-1"))
                if screen is not None else None)
    # The text's UTF-8 bytes, which the YAML reader would otherwise encode again: the bytes read, when
    # they are UTF-8 (a byte-order mark aside).
    utf8 = raw.removeprefix(codecs.BOM_UTF8) if text is not None and _encoding(raw) == "utf-8" else None
    del raw
    if screened is False and not parse_screened_out:
        return Source(path, display, "", None, [], screened=False)
    if text is None:
        return Source(path, display, "", None, [problem] if problem else [], screened=screened)
    source = parse_text(path, display, text, utf8)
    source.screened = screened
    return source


def parse_text(path: Path, display: str, text: str, utf8: bytes | None = None) -> Source:
    """Parse text as JSON when it looks like JSON, else as YAML; a ``.tf`` file as Terraform's HCL.

    ``utf8``, when given, is ``text`` encoded as UTF-8 (the bytes the file was read from).
    """
    document: Document
    if path.name.lower().endswith((".tf", ".tfvars")):
        from apilint.load.hclload import load_hcl  # the HCL parser is loaded by runs that read a .tf file

        document = load_hcl(text)
        return Source(path, display, text, document, list(document.problems))
    is_json_file = path.suffix.lower() == ".json"
    first = _FIRST_CHARACTER.match(text)
    json_like = is_json_file or (first is not None and first.group(1) in "{[")
    if json_like:
        from apilint.load.jsonload import load_json  # loaded by runs that read JSON

        document = load_json(text)
        failed = document.data is None and document.problems
        if failed and not is_json_file and all(p.code == "AG001" for p in document.problems):
            document = load_yaml(text, utf8=utf8)  # flow-style YAML starts with a brace too
    else:
        document = load_yaml(text, utf8=utf8)
    if document.data is None and _syntax_error(document) and ("${" in text or "%{" in text):
        templated, note = _as_template(text, json_like, is_json_file)
        if templated is not None or note is not None:
            return Source(path, display, text, templated, list(templated.problems) if templated else [], note=note)
    return Source(path, display, text, document, list(document.problems))


#: Why a template that is YAML or JSON only once its placeholders are filled in is not checked.
TEMPLATE_NOTE = ("a template: YAML or JSON only once its ${...} placeholders are filled in (Terraform's "
                 "templatefile(), envsubst); not checked")


def _syntax_error(document: Document) -> bool:
    return any(problem.code == "AG001" for problem in document.problems)


def _as_template(text: str, json_like: bool, is_json_file: bool) -> tuple[Document | None, str | None]:
    """A text that is unreadable as written and has placeholders (:mod:`apilint.load.placeholders`):
    the JSON document with the placeholders as values decided later (or with the syntax error they
    do not explain), (None, the note) for a template readable only once filled in, or the document
    read with stand-ins for its syntax error, which then lies where it is written."""
    from apilint.load.jsonload import load_json
    from apilint.load.placeholders import MAX_PLACEHOLDERS, json_with_tokens, put_back, with_stand_ins

    if text.count("${") + text.count("%{") > MAX_PLACEHOLDERS:
        return None, None
    if json_like:
        tokens = json_with_tokens(text)
        if tokens is not None:
            document = load_json(tokens[0])  # same length: the document finds positions in it
            if document.data is None:
                return document, None  # a syntax error the placeholders do not explain, where it is
            put_back(document.data, tokens[1])
            return document, None
    stand_ins = with_stand_ins(text)
    if stand_ins is None:
        return None, None
    if json_like:
        as_json: Document = load_json(stand_ins)
        if as_json.data is not None and not _syntax_error(as_json):
            return None, TEMPLATE_NOTE
        if is_json_file:
            return _without_data(as_json), None
    as_yaml: Document = load_yaml(stand_ins)
    if as_yaml.data is not None and not _syntax_error(as_yaml):
        return None, TEMPLATE_NOTE
    return _without_data(as_yaml), None  # the error the placeholders do not explain, where it is


def _without_data(document: Document) -> Document:
    """A document read with stand-ins, kept for its syntax error only: no data, since the stand-ins
    are not what the file says."""
    document.data = None
    return document


def is_within(path: Path, root: Path, *, resolved_path: Path | None = None,
              resolved_root: Path | None = None) -> bool:
    """Whether ``path`` (resolved, symlinks followed) lies inside ``root``.

    Callers that already resolved either path pass it, which saves the system calls.
    """
    try:
        (resolved_path or path.resolve()).relative_to(resolved_root or root.resolve())
        return True
    except (ValueError, OSError, RuntimeError):
        return False


def display_path(path: Path, base: Path, *, resolved_path: Path | None = None,
                 resolved_base: Path | None = None, shown_from: Path | None = None) -> str:
    """Path as shown in findings: relative to ``base`` when inside it, always printable.

    With ``shown_from`` (the working directory, when the root is the repository above it), a path
    inside ``base`` is shown relative to that folder instead (``../infra/template.yaml``).
    A file name that is not valid UTF-8 (its bytes reach Python as lone surrogates, which no output
    can encode) shows its odd bytes as ``\\xff`` escapes.
    """
    try:
        inside = is_within(path, base, resolved_path=resolved_path, resolved_root=resolved_base)
        if inside and shown_from is not None:
            if os.path.commonpath([path, shown_from]) == path.anchor:
                return printable(str(path))  # nothing shared but the top: ../../.. helps no one
            return printable(os.path.relpath(path, shown_from))
        shown = os.path.relpath(path, base) if inside else str(path)
    except ValueError:
        shown = str(path)
    return printable(shown)


def printable(text: str) -> str:
    """``text`` with lone surrogates (undecodable bytes of a file name) written as ``\\x..`` escapes."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(lambda match: _escape(ord(match.group())), text)


def _escape(code: int) -> str:
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"
