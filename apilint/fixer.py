"""``apilint check --fix`` and ``--diff``: apply the fixes findings carry, safely.

For each file with fixable findings: the text is read again and checked alone; the fixes are applied
to it and the result is checked again. A fix whose result has a finding the file did not have is
not applied (all fixes are tried together first, then one by one). A file is never touched when it
has a parse error, lies outside the root (symbolic links followed), is not UTF-8 text, or changed
since it was checked. ``--fix`` writes each file atomically (a temporary file in the same folder,
renamed over the original, permissions kept); ``--diff`` prints a unified diff and writes nothing.
"""

from __future__ import annotations

import codecs
import difflib
import os
import stat
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apilint.engine import Engine, RunOptions
from apilint.finding import Finding
from apilint.fix import ResolvedFix, apply_edits, compatible
from apilint.load.source import is_within


@dataclass
class FileFix:
    """The fixes applied to one file's text: the text before and after, and the findings fixed."""

    file: str
    path: Path
    before: str
    after: str
    fixed: list[Finding] = field(default_factory=list)
    bom: bool = False

    def diff(self) -> str:
        return unified_diff(self.before, self.after, self.file)


@dataclass
class FixPlan:
    """What ``--fix`` would change, and the files it leaves alone with the reason."""

    files: list[FileFix] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def fixed(self) -> int:
        return sum(len(f.fixed) for f in self.files)


def _key(finding: Finding) -> tuple[Any, ...]:
    """What a finding is, whatever line it moved to."""
    return finding.code, finding.message, tuple(finding.path)


def fix_text(run: RunOptions, path: Path, text: str, findings: list[Finding] | None = None,
             overlays: dict[Path, str | bytes] | None = None) -> tuple[str, list[Finding]] | str:
    """``text`` (the file at ``path``) with every fix that introduces no finding, and the findings fixed.

    ``findings`` are those to fix (default: every finding of the text checked alone). A string is
    the reason nothing can be fixed.
    """

    def check(content: str) -> tuple[list[Finding], Any]:
        engine = Engine(run, overlays)
        result = engine.check_text(path, content)
        return result.findings, engine.open_source(path)

    before, source = check(text)
    if any(problem.code == "AG001" for problem in source.problems):
        return "it does not parse"
    if findings is None:
        findings = before
    fixes: dict[int, Finding] = {}
    for finding in findings:
        if finding.fix is not None:
            fixes.setdefault(id(finding.fix), finding)
    candidates = compatible(f.fix for f in fixes.values() if f.fix is not None)
    by_fix = {id(f.fix): f for f in fixes.values()}
    if not candidates:
        return text, []
    baseline = Counter(_key(f) for f in before)

    def introduces(chosen: list[ResolvedFix]) -> str | None:
        """The fixed text, or None when the edits do not apply or the result has a new finding."""
        result = apply_edits(text, [edit for fix in chosen for edit in fix.edits])
        if result is None:
            return None
        after, _ = check(result)
        new = Counter(_key(f) for f in after) - baseline
        return None if new else result

    whole = introduces(candidates)
    if whole is not None:
        return whole, [by_fix[id(fix)] for fix in candidates]
    accepted: list[ResolvedFix] = []
    current = text
    for fix in candidates:
        trial = introduces([*accepted, fix])
        if trial is not None:
            accepted.append(fix)
            current = trial
    return current, [by_fix[id(fix)] for fix in accepted]


def plan(run: RunOptions, findings: list[Finding],
         read: Callable[[Path], bytes] | None = None) -> FixPlan:
    """The fixes to apply to the files the fixable findings are in."""
    plan_ = FixPlan()
    root = run.root.resolve()
    by_file: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.fix is not None:
            by_file.setdefault(finding.file, []).append(finding)
    for display, file_findings in by_file.items():
        path = Path(display) if Path(display).is_absolute() else run.display_root / display
        resolved = path.resolve()
        if not is_within(resolved, root, resolved_path=resolved, resolved_root=root):
            plan_.skipped.append(f"{display}: not fixed: it lies outside {root}")
            continue
        try:
            raw = read(resolved) if read is not None else _read_regular(resolved)
        except OSError as error:
            plan_.skipped.append(f"{display}: not fixed: cannot read it ({error.strerror or error})")
            continue
        bom = raw.startswith(codecs.BOM_UTF8)
        try:
            text = raw[len(codecs.BOM_UTF8) if bom else 0:].decode("utf-8")
        except UnicodeDecodeError:
            plan_.skipped.append(f"{display}: not fixed: it is not UTF-8 text")
            continue
        outcome = fix_text(run, resolved, text, file_findings)
        if isinstance(outcome, str):
            plan_.skipped.append(f"{display}: not fixed: {outcome}")
            continue
        after, fixed = outcome
        if after != text:
            plan_.files.append(FileFix(display, resolved, text, after, fixed, bom))
    return plan_


def _read_regular(path: Path) -> bytes:
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise OSError(0, "not a regular file")
    return path.read_bytes()


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step: a temporary file beside it, renamed over it."""
    mode = stat.S_IMODE(os.stat(path).st_mode)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".apilint")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def write(plan_: FixPlan) -> None:
    for file in plan_.files:
        write_atomically(file.path, (codecs.BOM_UTF8 if file.bom else b"") + file.after.encode("utf-8"))


def unified_diff(before: str, after: str, name: str) -> str:
    """A unified diff as ``git diff`` prints it, marking a last line without a line break."""
    lines: list[str] = []
    for line in difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                     f"a/{name}", f"b/{name}"):
        if line.endswith(("\n", "\r")):
            lines.append(line)
        else:
            lines.append(line + "\n\\ No newline at end of file\n")
    return "".join(lines)
