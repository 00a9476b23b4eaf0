"""Set apilint's version everywhere it is written: ``python .ci/bump_version.py 0.2.0``.

The version's one source is ``apilint/__init__.py`` (the package metadata reads it); the
documentation shows it where users copy it (``uses: apilint/apilint@v0.2.0``, ``rev: v0.2.0``), and
the changelog's Unreleased section becomes the release's section.
"""

from __future__ import annotations

import datetime
import re
import sys
from pathlib import Path

TOP = Path(__file__).resolve().parent.parent
VERSION = re.compile(r"\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?")
#: Files whose examples name the current release.
PINNED_IN = ("README.md", "docs/ci.md", "docs/usage.md", "action.yml")


def current(top: Path = TOP) -> str:
    match = re.search(r'__version__ = "([^"]+)"', (top / "apilint" / "__init__.py").read_text(encoding="utf-8"))
    assert match is not None, "apilint/__init__.py has no __version__"
    return match.group(1)


def bump(new: str, top: Path = TOP, today: datetime.date | None = None) -> list[Path]:
    """Write ``new`` into every file that names the version; returns the files changed."""
    if not VERSION.fullmatch(new):
        raise ValueError(f"not a release version: {new!r} (expected e.g. 0.2.0)")
    old = current(top)
    if new == old:
        raise ValueError(f"the version is already {old}")
    changed: list[Path] = []

    def rewrite(path: Path, text: str) -> None:
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)

    init = top / "apilint" / "__init__.py"
    rewrite(init, init.read_text(encoding="utf-8").replace(f'__version__ = "{old}"', f'__version__ = "{new}"'))
    pinned = re.compile(rf"(apilint/apilint@v|rev: v|# v|\"version\": \"|e\.g\. ){re.escape(old)}\b")
    for name in PINNED_IN:
        path = top / name
        if path.exists():
            rewrite(path, pinned.sub(lambda m: m.group(1) + new, path.read_text(encoding="utf-8")))
    changelog = top / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    if "## [Unreleased]" not in text:
        raise ValueError("CHANGELOG.md has no '## [Unreleased]' section to release")
    date = (today or datetime.date.today()).isoformat()
    text = text.replace("## [Unreleased]", f"## [Unreleased]\n\n## [{new}] - {date}", 1)
    text = text.replace(f"[Unreleased]: https://github.com/apilint/apilint/compare/v{old}...HEAD",
                        f"[Unreleased]: https://github.com/apilint/apilint/compare/v{new}...HEAD\n"
                        f"[{new}]: https://github.com/apilint/apilint/compare/v{old}...v{new}")
    rewrite(changelog, text)
    return changed


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python .ci/bump_version.py VERSION")
    try:
        for path in bump(sys.argv[1]):
            print(f"wrote {path.relative_to(TOP)}")
    except ValueError as error:
        sys.exit(f"bump_version: {error}")
