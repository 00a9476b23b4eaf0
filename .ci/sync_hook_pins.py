"""Write the pins of constraints.txt into the pre-commit hook's ``additional_dependencies``.

pre-commit installs a hook with ``pip install . <additional_dependencies>`` and takes no constraints
file, so the hook lists the same pins; ``tests/test_release.py`` checks that the two agree.
"""

from __future__ import annotations

from pathlib import Path

TOP = Path(__file__).resolve().parent.parent
HOOKS = TOP / ".pre-commit-hooks.yaml"
CONSTRAINTS = TOP / "constraints.txt"


def pins(text: str) -> list[str]:
    """The requirement lines of a constraints file, without comments and blank lines."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def with_pins(hooks: str, lines: list[str]) -> str:
    """The hook manifest with its ``additional_dependencies`` list replaced by ``lines``."""
    out: list[str] = []
    skipping = False
    for line in hooks.splitlines():
        if skipping and line.startswith("    - "):
            continue
        skipping = False
        out.append(line)
        if line.strip() == "additional_dependencies:":
            out.extend(f"    - '{pin}'" for pin in lines)
            skipping = True
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    manifest = HOOKS.read_text(encoding="utf-8")
    if "additional_dependencies:" not in manifest:
        raise SystemExit(f"{HOOKS}: no additional_dependencies list to fill")
    HOOKS.write_text(with_pins(manifest, pins(CONSTRAINTS.read_text(encoding="utf-8"))), encoding="utf-8")
