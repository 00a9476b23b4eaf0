"""Measuring one process: wall time, CPU time and peak resident memory, with a time limit."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

# Environment for every timed process and every npm call: no telemetry, no update checks, no
# install analytics. Redocly reads REDOCLY_TELEMETRY; without it each lint tries a network call.
QUIET_ENV = {
    "REDOCLY_TELEMETRY": "off",
    "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
    "DO_NOT_TRACK": "1",
    "SCARF_ANALYTICS": "false",
    "NO_UPDATE_NOTIFIER": "1",
    "NODE_NO_WARNINGS": "1",
}


def log(message: str) -> None:
    """Progress goes to stderr so that stdout holds only the Markdown report."""
    print(message, file=sys.stderr, flush=True)


@dataclass
class Sample:
    """One timed run of one command."""

    wall_s: float
    cpu_s: float
    peak_rss_mib: float
    exit: int | str
    findings: int | None = None
    warmup: bool = False
    load_1min: float = 0.0  # the machine's load average when the run started


@dataclass
class Measurer:
    """Runs a command and records wall time, CPU time and peak RSS of it and its descendants.

    Peak RSS comes from the kernel's rusage of the reaped child (os.wait4), which includes every
    descendant the child waited for. GNU time -v reads the same counter; when /usr/bin/time exists
    and --rss-source allows it, its "Maximum resident set size" is used instead.
    """

    timeout_s: float
    use_gnu_time: bool
    env: dict[str, str] = field(default_factory=lambda: {**os.environ, **QUIET_ENV})

    def run(self, argv: list[str], cwd: Path, stdout_path: Path, stderr_path: Path) -> Sample:
        time_report = stderr_path.with_suffix(".time")
        if self.use_gnu_time:
            argv = ["/usr/bin/time", "-v", "-o", str(time_report), *argv]
        load_1min = os.getloadavg()[0]
        with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
            started = time.perf_counter()
            try:
                process = subprocess.Popen(
                    argv,
                    cwd=cwd,
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=err,
                    start_new_session=True,
                )
            except OSError as error:
                err.write(str(error).encode())
                return Sample(0.0, 0.0, 0.0, f"cannot start: {error.strerror}")
            timed_out = threading.Event()

            def kill() -> None:
                timed_out.set()
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

            timer = threading.Timer(self.timeout_s, kill)
            timer.start()
            try:
                _, status, usage = os.wait4(process.pid, 0)
            except BaseException:
                # Interrupted (Ctrl-C, SIGTERM): the child runs in its own session, so end it here.
                timer.cancel()
                kill()
                os.wait4(process.pid, 0)
                raise
            wall = time.perf_counter() - started
            timer.cancel()
            process.returncode = os.waitstatus_to_exitcode(status)
        peak_kib = float(usage.ru_maxrss)
        if self.use_gnu_time and time_report.exists():
            match = re.search(
                r"Maximum resident set size \(kbytes\): (\d+)", time_report.read_text(errors="replace")
            )
            if match:
                peak_kib = float(match.group(1))
        exit_code: int | str = "timeout" if timed_out.is_set() else process.returncode
        return Sample(wall, usage.ru_utime + usage.ru_stime, peak_kib / 1024, exit_code, load_1min=load_1min)
