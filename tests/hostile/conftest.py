"""Helpers for the hostile-input tests: run apilint in-process or measured in a child process.

Every test here holds apilint to its contract on input nobody should write: a finding or a one-line
error with a position, exit code 0, 1 or 2, never a traceback, in bounded time and memory.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO, Result, run_cli

#: Rules of the reader and the reference resolver; selecting them keeps expectations independent of
#: the rules other parts of apilint add.
LOAD_RULES = "AG001,AG003,AG004,AG005,AG006"

# Peak resident memory of the child alone: VmHWM belongs to the process image, whereas ru_maxrss
# keeps the parent's peak across fork and exec on Linux.
_MEASURED = (
    "import atexit, resource, sys\n"
    "def peak():\n"
    "    try:\n"
    "        with open('/proc/self/status') as status:\n"
    "            return next(int(l.split()[1]) for l in status if l.startswith('VmHWM:'))\n"
    "    except (OSError, StopIteration):\n"
    "        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "atexit.register(lambda: sys.stderr.write('\\nPEAK_KB=%d\\n' % peak()))\n"
    "from apilint.cli import main\n"
    "main(sys.argv[1:])\n"
)


def check(*args: str, cwd: Path | None = None) -> Result:
    """``apilint check ARGS`` in this process, asserting the contract every run keeps."""
    result = run_cli("check", *args, cwd=cwd)
    assert_contract(result)
    return result


def assert_contract(result: Result, codes: tuple[int, ...] = (0, 1, 2)) -> None:
    """Exit code within ``codes``, no traceback, no internal error; apilint's own messages one line each.

    (Usage errors of the argument parser come with its usage lines.)
    """
    assert result.code in codes, f"exit code {result.code}\n{result.err}"
    assert "Traceback" not in result.err, result.err
    assert "internal error" not in result.err, result.err
    if result.code != 2 or result.err.startswith("apilint: "):
        for line in result.err.splitlines():
            assert line.startswith("apilint: ") or not line.strip(), f"stray stderr line: {line!r}"


def findings(result: Result, code: str | None = None) -> list[tuple[int, int, str]]:
    """(line, column, code) of the JSON report's findings, optionally of one code only."""
    return [(f["line"], f["column"], f["code"]) for f in result.json()["findings"]
            if code is None or f["code"] == code]


def messages(result: Result, code: str) -> list[str]:
    return [f["message"] for f in result.json()["findings"] if f["code"] == code]


@dataclass
class Measured:
    """A run of apilint in its own process: exit code, output, CPU time and peak memory."""

    code: int
    out: str
    err: str
    seconds: float
    peak_mb: float


def measured(*args: str, cwd: Path, timeout: float = 120) -> Measured:
    """``apilint ARGS`` in a child process, with its CPU time and peak resident memory.

    CPU time (user and system, of the child alone) rather than wall time: these bounds catch work that
    grows without limit on hostile input, and the machine's other load must not decide them.
    """
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-c", _MEASURED, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    err, _, peak = done.stderr.rpartition("PEAK_KB=")
    return Measured(done.returncode, done.stdout, err.rstrip(), seconds, int(peak.strip() or 0) / 1024)
