"""Where usage files and definitions are read: the working tree, or a git revision without checking
anything out.

Files are read with ``git cat-file`` and folders listed with ``git ls-tree``; nothing is written to
the repository or the working tree. Paths stay the paths of the working tree (``api/openapi.yaml``
means the same file in every revision), so reports name files as ``apilint check`` does.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from apilint.cost.errors import CostError

if TYPE_CHECKING:
    from apilint.discover import Discovery
    from apilint.model import Api
    from apilint.workspace import CheckRequest


class Tree:
    """Where usage files and definitions are read: the working tree (this class) or a git revision."""

    #: How messages name where a file was looked for ("" for the working tree).
    where = ""

    def exists(self, path: Path) -> bool:
        return path.exists()

    def read_text(self, path: Path) -> str | None:
        """The file's text, or None to let the reader open it from the disk."""
        return None

    def apis(self, check: CheckRequest) -> list[Api]:
        from apilint.workspace import collect_apis

        return collect_apis(check)


WORKING_TREE = Tree()


def _git(args: list[str], cwd: Path, what: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as error:
        raise CostError(f"{what}: git cannot be run ({error.strerror or error})") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CostError(f"{what}: {message[-1]}" if message else what)
    return done.stdout


@dataclass(frozen=True)
class GitRevision(Tree):
    """The files of one commit of the repository that holds the current directory."""

    revision: str
    commit: str
    top: Path

    @classmethod
    def open(cls, revision: str, start: Path | None = None) -> GitRevision:
        """The revision ``revision`` (a branch, tag, commit or ``origin/main``) of the repository."""
        start = (start or Path.cwd()).resolve()
        top = Path(_git(["rev-parse", "--show-toplevel"], start, "not in a git repository").decode().strip())
        commit = _git(
            ["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], top, f"unknown revision {revision!r}"
        ).decode().strip()
        if not commit:
            raise CostError(f"unknown revision {revision!r}")
        return cls(revision, commit, top.resolve())

    @property
    def where(self) -> str:  # type: ignore[override]
        return f" at {self.revision}"

    def _relative(self, path: Path) -> str | None:
        try:
            return Path(os.path.normpath(path.absolute())).relative_to(self.top).as_posix()
        except ValueError:
            return None

    def _object(self, path: Path) -> str | None:
        relative = self._relative(path)
        if relative is None:
            return None
        return f"{self.commit}:{relative}" if relative != "." else f"{self.commit}^{{tree}}"

    def exists(self, path: Path) -> bool:
        name = self._object(path)
        if name is None:
            return False
        done = subprocess.run(["git", "cat-file", "-e", name], cwd=self.top, capture_output=True, check=False)
        return done.returncode == 0

    def read_bytes(self, path: Path, display: str, max_bytes: int) -> bytes | None:
        """The file's bytes at this revision (None when over ``max_bytes``); ReadError when absent."""
        from apilint.load.source import ReadError

        name = self._object(path)
        if name is None:
            raise ReadError(f"{display}: cannot read (outside the repository)")
        done = subprocess.run(["git", "cat-file", "-s", name], cwd=self.top, capture_output=True, check=False)
        if done.returncode != 0:
            raise ReadError(f"{display}: cannot read (not in {self.revision})")
        if int(done.stdout.strip() or 0) > max_bytes:
            return None
        blob = subprocess.run(["git", "cat-file", "blob", name], cwd=self.top, capture_output=True, check=False)
        if blob.returncode != 0:
            raise ReadError(f"{display}: cannot read (not a file in {self.revision})")
        return blob.stdout

    def read_text(self, path: Path) -> str | None:
        raw = self.read_bytes(path, str(path), 64 * 1024 * 1024)
        if raw is None:
            raise CostError(f"{path} at {self.revision} is too large to read")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise CostError(f"{path} at {self.revision} is not UTF-8 text") from None

    def listing(self, paths: list[Path], exclude: list[str]) -> Discovery:
        """The files a folder walk would take at this revision: YAML, JSON and .template files outside
        hidden and dependency folders, without the ``--exclude`` globs; named files as they are."""
        from apilint.discover import CANDIDATE_SUFFIXES, SKIPPED_FOLDERS, Discovery, _excluded

        found = Discovery()
        for path in paths:
            relative = self._relative(path)
            if relative is None or not self.exists(path):
                found.missing.append(str(path))
                continue
            kind = _git(["cat-file", "-t", self._object(path) or ""], self.top, str(path)).decode().strip()
            if kind == "blob":
                if exclude and _excluded(path, exclude):
                    found.excluded += 1
                else:
                    found.files.append(path)
                continue
            listed = _git(
                ["ls-tree", "-r", "-z", "--name-only", self.commit, "--", relative], self.top, str(path)
            ).decode("utf-8", "surrogateescape")
            for name in sorted(filter(None, listed.split("\0"))):
                parts = name.split("/")
                if any(part.startswith(".") or part in SKIPPED_FOLDERS for part in parts[:-1]):
                    continue
                file = Path(os.path.relpath(self.top / name))
                if Path(name).suffix.lower() not in CANDIDATE_SUFFIXES or parts[-1].startswith("."):
                    continue
                if exclude and _excluded(file, exclude):
                    found.excluded += 1
                    continue
                found.files.append(file)
        return found

    def apis(self, check: CheckRequest) -> list[Api]:
        from apilint.workspace import collect_apis

        listing = self.listing(list(check.paths), list(check.exclude))
        return collect_apis(check, read_bytes=self.read_bytes, listing=listing)
