"""Print a pip constraints file that pins every dependency apilint declares to its lower bound.

    python .ci/minimum_constraints.py > minimums.txt
    pip install -c minimums.txt '.[test]'

Reads ``[project] dependencies`` and the ``test`` extra of pyproject.toml. Each requirement must
have a lower bound (``>=``, ``~=`` or ``==``): a dependency without one could not be tested at its
oldest release, so it is an error here. Environment markers are kept, so pip applies each line only
where the requirement applies. Only the standard library is used: this runs before anything is
installed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*?)\s*(;.*)?$")
_LOWER = re.compile(r"(?:>=|~=|==)\s*([0-9][0-9A-Za-z.+!-]*)")


def _load(path: Path) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def minimum_constraints(pyproject: Path = PYPROJECT, extras: tuple[str, ...] = ("test",)) -> list[str]:
    """``name==lowest; marker`` for every declared requirement with a lower bound."""
    project = _load(pyproject)["project"]
    requirements = list(project.get("dependencies", []))
    for extra in extras:
        requirements += project.get("optional-dependencies", {}).get(extra, [])
    lines: list[str] = []
    unbounded: list[str] = []
    for requirement in requirements:
        match = _REQUIREMENT.match(requirement)
        if match is None:
            raise ValueError(f"cannot read the requirement {requirement!r}")
        name, specifiers, marker = match.groups()
        lower = _LOWER.search(specifiers)
        if lower is None:
            unbounded.append(name)
            continue
        lines.append(f"{name}=={lower.group(1)}{' ' + marker if marker else ''}")
    if unbounded:
        raise ValueError(f"no lower bound declared for: {', '.join(unbounded)}")
    return lines


if __name__ == "__main__":
    try:
        print("\n".join(minimum_constraints()))
    except ValueError as error:
        sys.exit(f"minimum_constraints: {error}")
