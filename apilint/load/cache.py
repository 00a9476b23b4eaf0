"""The sources one process has read, kept while they may be read again and released after.

A checked file's source (text, data, positions) is needed until its findings are out; after that
only the findings, which carry their own positions, are kept. A file that a ``$ref`` or a template's
``DefinitionUri`` pulls in is likely to be pulled in again by the next files (a shared components
file), so those stay, but only up to a bound on their text: memory stays flat however many files one
run checks.
"""

from __future__ import annotations

from pathlib import Path

from apilint.load.source import Source

#: Characters of text that sources pulled in by references may hold in the cache together. Parsed,
#: a source takes about seven times its text; 8 MB of text keeps about 60 MB of memory.
MAX_SHARED_TEXT = 8 * 1024 * 1024


class SourceCache:
    """Sources by resolved path: the file being checked, and a bounded set of shared ones.

    Shared sources are evicted oldest-read first once their text adds up to more than
    ``max_text`` characters; the newest and the one being checked (``pinned``) always stay.
    """

    def __init__(self, max_text: int = MAX_SHARED_TEXT):
        self.max_text = max_text
        self._sources: dict[Path, Source] = {}
        self._text = 0
        #: The file being checked: never evicted, released when its findings are out.
        self.pinned: Path | None = None

    def __len__(self) -> int:
        return len(self._sources)

    def __contains__(self, path: Path) -> bool:
        return path in self._sources

    def get(self, path: Path) -> Source | None:
        source = self._sources.pop(path, None)
        if source is not None:
            self._sources[path] = source  # most recently read last
        return source

    def put(self, path: Path, source: Source) -> None:
        previous = self._sources.pop(path, None)
        if previous is not None:
            self._text -= len(previous.text)
        self._sources[path] = source
        self._text += len(source.text)
        if self._text > self.max_text:
            for old in [p for p in self._sources if p != path and p != self.pinned]:
                self._text -= len(self._sources.pop(old).text)
                if self._text <= self.max_text:
                    break

    def release(self, path: Path) -> None:
        """Forget the source of a file whose findings are out (read again if anything asks for it)."""
        source = self._sources.pop(path, None)
        if source is not None:
            self._text -= len(source.text)
        if self.pinned == path:
            self.pinned = None
