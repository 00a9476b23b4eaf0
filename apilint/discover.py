"""Which files a run checks: named files as they are, directories walked.

A walk takes YAML and JSON files (and CloudFormation's ``.template``, Terraform's ``.tf``), skips hidden folders and
dependency folders, honours ``.gitignore`` files (the repository's and nested ones, plus
``.git/info/exclude``) and the ``--exclude`` globs. Whether a file is an OpenAPI definition or a
template is decided later, by its content.

Only the common part of gitignore syntax is understood: ``*``, ``?``, ``[...]``, ``**``, a leading or
inner ``/`` (anchored to the folder of the ``.gitignore``), a trailing ``/`` (folders only), ``!``
negation and ``\\`` escapes. Git's own rules are followed where they differ from shell globs: the
last matching pattern wins, deeper ``.gitignore`` files win over higher ones, and nothing below an
ignored folder can be re-included.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable
from pathlib import Path

from apilint.record import Frozen, Record

CANDIDATE_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".template", ".tf"})
#: Folders never walked: hidden ones (``.git``, ``.venv``) and dependency or cache folders.
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__"})


class IgnorePattern(Frozen):
    """One line of a ``.gitignore``, compiled; ``base`` is the folder that holds the file."""

    base: Path
    regex: re.Pattern[str]
    negated: bool
    folders_only: bool
    text: str

    def __init__(self, base: Path, regex: re.Pattern[str], negated: bool, folders_only: bool, text: str) -> None:
        object.__setattr__(self, "base", base)
        object.__setattr__(self, "regex", regex)
        object.__setattr__(self, "negated", negated)
        object.__setattr__(self, "folders_only", folders_only)
        object.__setattr__(self, "text", text)

    @property
    def prefix(self) -> str:
        """What the absolute path of a file below ``base`` starts with."""
        return _folder_prefix(self.base)


def _folder_prefix(folder: Path) -> str:
    text = folder.as_posix()
    return text if text.endswith("/") else text + "/"


class Discovery(Record, uncompared=("resolved",), hidden=("resolved",)):
    """The outcome of looking for files: what to check, what does not exist, what was left out."""

    files: list[Path]
    missing: list[str]
    gitignored: int
    excluded: int
    #: Each file's resolved path (symbolic links followed), where it could be resolved.
    resolved: dict[Path, Path]

    def __init__(
        self,
        files: list[Path] | None = None,
        missing: list[str] | None = None,
        gitignored: int = 0,
        excluded: int = 0,
    ) -> None:
        self.files = [] if files is None else files
        self.missing = [] if missing is None else missing
        self.gitignored = gitignored
        self.excluded = excluded
        self.resolved = {}


def _segment_regex(segment: str) -> str:
    """A regex for one path segment of a gitignore pattern (no ``/`` inside)."""
    out: list[str] = []
    index = 0
    while index < len(segment):
        char = segment[index]
        if char == "\\" and index + 1 < len(segment):
            out.append(re.escape(segment[index + 1]))
            index += 2
            continue
        if char == "*":
            while index + 1 < len(segment) and segment[index + 1] == "*":
                index += 1
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            close = segment.find("]", index + 2 if segment[index + 1:index + 2] in ("!", "^") else index + 1)
            if close == -1:
                out.append(re.escape(char))
            else:
                body = segment[index + 1:close]
                if body[:1] in ("!", "^"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                index = close
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)


def compile_pattern(line: str, base: Path) -> IgnorePattern | None:
    """Compile one ``.gitignore`` line; None for blank lines and comments."""
    text = line.rstrip("\n\r")
    if text.endswith("\\ "):
        text = text[:-2].rstrip() + " "  # an escaped trailing space is kept
    else:
        text = text.rstrip()
    if not text or text.startswith("#"):
        return None
    negated = text.startswith("!")
    if negated or text.startswith(("\\!", "\\#")):  # "\\!" and "\\#" escape a literal first character
        text = text[1:]
    folders_only = text.endswith("/")
    text = text.rstrip("/")
    if not text:
        return None
    anchored = "/" in text
    text = text.lstrip("/")
    parts: list[str] = []
    segments = text.split("/")
    for position, segment in enumerate(segments):
        last = position == len(segments) - 1
        if segment == "**":
            parts.append(".*" if last else "(?:.*/)?")
        else:
            parts.append(_segment_regex(segment) + ("" if last else "/"))
    regex = "".join(parts)
    if not anchored:
        regex = "(?:.*/)?" + regex
    return IgnorePattern(base, re.compile(regex, re.DOTALL), negated, folders_only, line.strip())


def read_ignore_file(path: Path, base: Path) -> list[IgnorePattern]:
    """The patterns of one ignore file (an unreadable file ignores nothing)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    patterns = (compile_pattern(line, base) for line in text.splitlines())
    return [pattern for pattern in patterns if pattern is not None]


def is_ignored(path: Path, is_folder: bool, patterns: Iterable[IgnorePattern]) -> bool:
    """Whether the last pattern that matches ``path`` (absolute) ignores it."""
    return _ignored(path.as_posix(), is_folder, [(pattern.prefix, pattern) for pattern in patterns])


def _ignored(path: str, is_folder: bool, patterns: list[tuple[str, IgnorePattern]]) -> bool:
    """:func:`is_ignored` on an absolute POSIX path, each pattern with its folder's prefix."""
    ignored = False
    for prefix, pattern in patterns:
        if (pattern.folders_only and not is_folder) or not path.startswith(prefix):
            continue
        if pattern.regex.fullmatch(path, len(prefix)):
            ignored = not pattern.negated
    return ignored


def repository_top(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds ``.git`` (a folder or a worktree file)."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def inherited_patterns(folder: Path) -> list[IgnorePattern]:
    """Patterns that apply inside ``folder`` from the repository above it, top first.

    Covers ``.git/info/exclude`` and the ``.gitignore`` of every folder from the repository top down
    to ``folder``'s parent; ``folder``'s own ``.gitignore`` is read by the walk.
    """
    top = repository_top(folder)
    if top is None:
        return []
    patterns = read_ignore_file(top / ".git" / "info" / "exclude", top) if (top / ".git").is_dir() else []
    chain = [folder.parent, *folder.parent.parents] if folder != top else []
    for ancestor in reversed([a for a in chain if a == top or top in a.parents]):
        patterns += read_ignore_file(ancestor / ".gitignore", ancestor)
    return patterns


def _excluded(path: Path, globs: list[str], start: Path | None = None) -> bool:
    """Whether an ``--exclude`` glob matches the path as given, relative to the walk, or its name."""
    forms = {path.as_posix(), path.name}
    if start is not None:
        try:
            forms.add(path.relative_to(start).as_posix())
        except ValueError:
            pass
    return any(fnmatch.fnmatch(form, glob) for glob in globs for form in forms)


def _walk(start: Path, globs: list[str], found: Discovery) -> None:
    """Walk ``start`` top-down, each folder's files before its subfolders, both sorted by name.

    The folder's entries are read once (``os.scandir``): whether an entry is a folder or a symbolic
    link comes with it, and paths are handled as strings; a ``Path`` is made only for a file found.
    A symbolic link to a folder is not walked; a folder that cannot be read is skipped.
    """
    absolute_start = start.resolve()
    inherited = [(pattern.prefix, pattern) for pattern in inherited_patterns(absolute_start)]
    _walk_folder(os.fspath(start), _folder_prefix(absolute_start), absolute_start, inherited, start, globs, found)


def _walk_folder(here: str, absolute: str, absolute_start: Path, parent_patterns: list[tuple[str, IgnorePattern]],
                 start: Path, globs: list[str], found: Discovery) -> None:
    ignore_file = read_ignore_file(Path(absolute, ".gitignore"), Path(absolute))
    patterns = parent_patterns + [(pattern.prefix, pattern) for pattern in ignore_file] if ignore_file \
        else parent_patterns
    try:
        with os.scandir(here) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return
    folders: list[str] = []
    for entry in entries:
        name = entry.name
        try:
            is_folder = entry.is_dir()
        except OSError:
            is_folder = False
        if is_folder:
            if name.startswith(".") or name in SKIPPED_FOLDERS:
                continue
            if _ignored(absolute + name, True, patterns):
                found.gitignored += 1
            elif globs and _excluded(Path(here, name), globs, start):
                found.excluded += 1
            elif not entry.is_symlink():  # a link to a folder is listed, never walked
                folders.append(name)
            continue
        if os.path.splitext(name)[1].lower() not in CANDIDATE_SUFFIXES:
            continue
        candidate = Path(here, name)
        if entry.is_symlink() and not _inside(candidate, absolute_start):
            found.excluded += 1  # a link that loops or leads out of the folder is not followed
        elif _ignored(absolute + name, False, patterns):
            found.gitignored += 1
        elif globs and _excluded(candidate, globs, start):
            found.excluded += 1
        else:
            found.files.append(candidate)
    for name in folders:
        _walk_folder(os.path.join(here, name), absolute + name + "/", absolute_start, patterns, start, globs, found)


def _inside(link: Path, folder: Path) -> bool:
    try:
        link.resolve(strict=True).relative_to(folder)
        return True
    except (OSError, RuntimeError, ValueError):
        return False


def discover_files(paths: Iterable[Path], exclude: Iterable[str] = ()) -> Discovery:
    """Files to check, in a stable order: named files first-come, each folder's files sorted.

    Named files are taken whatever their suffix and whether or not git ignores them (the user asked
    for them); ``--exclude`` still applies. A file reached twice is checked once.
    """
    globs = [glob for glob in exclude if glob]
    found = Discovery()
    for path in paths:
        if not path.exists() and not path.is_symlink():
            found.missing.append(str(path))
        elif path.is_dir():
            _walk(path, globs, found)
        elif globs and _excluded(path, globs):
            found.excluded += 1
        else:
            found.files.append(path)
    found.resolved = resolve_all(found.files)
    seen: set[Path] = set()
    unique = []
    for file in found.files:
        # a file that cannot be resolved (a symbolic link loop) is kept: reading it reports the problem
        key = found.resolved.get(file) or file.absolute()
        if key not in seen:
            seen.add(key)
            unique.append(file)
    found.files = unique
    return found


def resolve_all(files: Iterable[Path]) -> dict[Path, Path]:
    """Each file's resolved path (what ``Path.resolve`` gives), leaving out those that cannot be resolved.

    Each folder is resolved once: a file that is not a symbolic link is its name in its folder's
    resolved path, known from one ``lstat`` instead of one per part of the path.
    """
    folders: dict[Path, Path] = {}
    resolved: dict[Path, Path] = {}
    for file in files:
        try:
            if file.name in ("", ".", "..") or file.is_symlink():
                resolved[file] = file.resolve()
                continue
            folder = folders.get(file.parent)
            if folder is None:
                folder = folders[file.parent] = file.parent.resolve()
            resolved[file] = folder / file.name
        except (OSError, RuntimeError):  # a symbolic link loop
            continue
    return resolved
