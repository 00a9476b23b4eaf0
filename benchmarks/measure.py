"""Measuring one process: wall time, CPU time and peak resident memory, with a time limit."""

from __future__ import annotations

import os
import re
import shutil
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


def read_cpu_times() -> tuple[float, float] | None:
    """Seconds of CPU time all cores have spent busy and idle since boot (/proc/stat), or None."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
        ticks = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None
    if len(fields) < 5:
        return None
    idle = fields[3] + fields[4]  # idle + iowait; guest time is already counted in user
    busy = sum(fields[:8]) - idle
    return busy / ticks, idle / ticks


def cpu_busy_fraction(interval_s: float = 0.5) -> float:
    """Share of all cores busy over `interval_s` (0.0 where /proc/stat is unreadable).

    Taken between timed runs, when the benchmark itself is idle, it measures other work only.
    """
    before = read_cpu_times()
    time.sleep(interval_s)
    after = read_cpu_times()
    if before is None or after is None:
        return 0.0
    busy, idle = after[0] - before[0], after[1] - before[1]
    return 0.0 if busy + idle <= 0 else busy / (busy + idle)


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
    busy_before: float | None = None  # share of the cores other work used just before the run
    # Share of the cores that other processes used while this run ran: all busy CPU time on the
    # machine minus the run's own, over wall time times cores. Above 0 the timing is inflated.
    other_during: float | None = None


@dataclass
class Measurer:
    """Runs a command and records wall time, CPU time and peak RSS of it and its descendants.

    Peak RSS comes from the kernel's rusage of the reaped child (os.wait4), which includes every
    descendant the child waited for. GNU time -v reads the same counter; when /usr/bin/time exists
    and --rss-source allows it, its "Maximum resident set size" is used instead.
    """

    timeout_s: float
    use_gnu_time: bool
    # With wait_idle_s > 0, each run waits (up to that long) until other work uses less than
    # busy_threshold of the cores: on a shared machine, other processes inflate every timing.
    wait_idle_s: float = 0.0
    busy_threshold: float = 0.2
    env: dict[str, str] = field(default_factory=lambda: {**os.environ, **QUIET_ENV})

    def wait_until_idle(self) -> float | None:
        """Wait for the other work on the machine to calm down; return the last busy share seen."""
        if self.wait_idle_s <= 0:
            return None
        deadline = time.monotonic() + self.wait_idle_s
        busy = cpu_busy_fraction()
        announced = False
        while busy > self.busy_threshold and time.monotonic() < deadline:
            if not announced:
                log(f"  waiting for other work to finish ({busy:.0%} of the cores busy)")
                announced = True
            time.sleep(2.0)
            busy = cpu_busy_fraction()
        return busy

    def run(self, argv: list[str], cwd: Path, stdout_path: Path, stderr_path: Path) -> Sample:
        findable = os.sep not in argv[0] or os.path.isabs(argv[0])
        if findable and shutil.which(argv[0]) is None:
            stderr_path.write_text(f"{argv[0]}: command not found\n")
            stdout_path.write_text("")
            return Sample(0.0, 0.0, 0.0, "cannot start: command not found")
        busy_before = self.wait_until_idle()
        time_report = stderr_path.with_suffix(".time")
        if self.use_gnu_time:
            argv = ["/usr/bin/time", "-v", "-o", str(time_report), *argv]
        load_1min = os.getloadavg()[0]
        cpu_before = read_cpu_times()
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
            cpu_after = read_cpu_times()
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
        own_cpu = usage.ru_utime + usage.ru_stime
        other_during = None
        if cpu_before is not None and cpu_after is not None and wall > 0:
            other_cpu = (cpu_after[0] - cpu_before[0]) - own_cpu
            other_during = min(1.0, max(0.0, other_cpu / (wall * (os.cpu_count() or 1))))
        return Sample(
            wall,
            own_cpu,
            peak_kib / 1024,
            exit_code,
            load_1min=load_1min,
            busy_before=busy_before,
            other_during=other_during,
        )
