"""Baselines: record today's findings once, then report only the ones that are new.

A finding's identity is its code, its file, its document path (``paths./orders.post...``) and its
message with positions taken out. Line numbers are not part of it, so adding or removing lines above
a finding does not make it new. Identical findings are counted: if the baseline holds two and the
run finds three, one is reported.

The baseline file is JSON, sorted, with one entry per finding, so that it diffs well in review.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from apilint.finding import Finding
from apilint.record import Record

BASELINE_VERSION = 1
#: Positions that some messages quote ("first defined at line 12", "3:14"); not part of identity.
_POSITIONS = re.compile(r"\b(line|column|col)\s+\d+\b|\b\d+:\d+\b(?=\)|$|,|;|\s)", re.IGNORECASE)


class BaselineError(Exception):
    """A baseline file that cannot be read or written; the message names the file."""


def stable_message(message: str) -> str:
    """The message without the positions it may mention."""
    return _POSITIONS.sub(lambda match: f"{match.group(1)} #" if match.group(1) else "#", message)


def fingerprint(finding: Finding) -> str:
    """A short hash of what identifies a finding across unrelated edits (not its line)."""
    identity = json.dumps(
        [finding.code, finding.file.replace("\\", "/"), [str(step) for step in finding.path],
         stable_message(finding.message)],
        ensure_ascii=False,
    )
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]


class Filtered(Record):
    """Findings that are not in the baseline, and how many baseline entries no longer occur."""

    new: list[Finding]
    known: int
    fixed: int

    def __init__(self, new: list[Finding], known: int, fixed: int) -> None:
        self.new = new
        self.known = known
        self.fixed = fixed


def _entry(finding: Finding) -> dict[str, Any]:
    return {
        "fingerprint": fingerprint(finding),
        "code": finding.code,
        "name": finding.name,
        "file": finding.file.replace("\\", "/"),
        "path": [step if isinstance(step, (int, str)) else str(step) for step in finding.path],
        "message": finding.message,
        # For the reader of the file only; identity ignores it.
        "line": finding.line,
    }


def render_baseline(findings: Iterable[Finding], tool_version: str) -> str:
    """The baseline file's text for these findings."""
    entries = sorted((_entry(f) for f in findings), key=lambda e: (e["file"], e["code"], e["fingerprint"], e["line"]))
    document = {"apilint_baseline": BASELINE_VERSION, "tool_version": tool_version, "findings": entries}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_baseline(path: Path, findings: Iterable[Finding], tool_version: str) -> None:
    try:
        path.write_text(render_baseline(findings, tool_version), encoding="utf-8")
    except OSError as error:
        raise BaselineError(f"{path}: cannot write the baseline ({error.strerror or error})") from None


def read_baseline(path: Path) -> Counter[str]:
    """Fingerprints in a baseline file, with how often each occurs."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found (create it with --write-baseline {path})") from None
    except OSError as error:
        raise BaselineError(f"{path}: cannot read the baseline ({error.strerror or error})") from None
    except json.JSONDecodeError as error:
        raise BaselineError(f"{path}:{error.lineno}:{error.colno}: not a baseline file: {error.msg}") from None
    except RecursionError:  # arrays nested thousands deep: json recurses
        raise BaselineError(f"{path}: not a baseline file: it nests deeper than a baseline does") from None
    if not isinstance(document, dict) or not isinstance(document.get("findings"), list):
        raise BaselineError(f"{path}: not a baseline file (expected an object with a 'findings' list, "
                            "as --write-baseline writes)")
    version = document.get("apilint_baseline")
    if version != BASELINE_VERSION:
        raise BaselineError(f"{path}: baseline format {version!r} is not supported (expected {BASELINE_VERSION}); "
                            "write it again with --write-baseline")
    counts: Counter[str] = Counter()
    for index, entry in enumerate(document["findings"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            raise BaselineError(f"{path}: findings[{index}]: expected an object with a 'fingerprint' string")
        counts[entry["fingerprint"]] += 1
    return counts


def filter_new(findings: Sequence[Finding], baseline: Counter[str]) -> Filtered:
    """Drop findings the baseline accounts for; findings keep their order."""
    remaining = Counter(baseline)
    new = []
    for finding in findings:
        key = fingerprint(finding)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            new.append(finding)
    return Filtered(new, len(findings) - len(new), sum(remaining.values()))
