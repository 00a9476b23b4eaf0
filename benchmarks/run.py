#!/usr/bin/env python3
"""Time apilint against Spectral and Redocly on the same OpenAPI files, in one interleaved run.

Usage (from the repository root):

    python benchmarks/run.py                        # everything, 3 rounds
    python benchmarks/run.py --skip-slow            # leave out Spectral on files of 5 MB and more
    python benchmarks/run.py --tools apilint,redocly --files petstore,stripe --runs 5
    python benchmarks/run.py --apilint-cmd "python -m apilint check"
    python benchmarks/run.py --prepare-only         # download and build the spec files, time nothing

The first run downloads three npm packages of spec files and installs the peer linters (pinned in
benchmarks/package.json and package-lock.json) into benchmarks/.cache/; later runs are offline.
Needs only the Python standard library and PyYAML (plus Node and npm for the peers).
See docs/performance.md for what is measured and how to read the results.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from measure import QUIET_ENV, Measurer, Sample, log
from specs import CACHE_DIR, SpecBuilder, SpecFile, prepare_specs

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
NODE_DIR = CACHE_DIR / "node"
OUTPUT_DIR = CACHE_DIR / "out"
EMPTY_WORKDIR = CACHE_DIR / "workdir"
SPECTRAL_RULESET = BENCH_DIR / "spectral-ruleset.yaml"
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus"

# Spectral on the GitHub description takes over two minutes and 2.5 GB; --skip-slow leaves out
# Spectral on every file at least this large.
SLOW_SPECTRAL_BYTES = 5_000_000


# --------------------------------------------------------------------------------------------------
# Tools
# --------------------------------------------------------------------------------------------------


def install_peers() -> str | None:
    """Install the pinned peers into .cache/node with `npm ci`; return an error message or None."""
    lockfile = BENCH_DIR / "package-lock.json"
    installed_lock = NODE_DIR / "package-lock.json"
    binaries = [NODE_DIR / "node_modules" / ".bin" / name for name in ("spectral", "redocly")]
    if (
        all(b.exists() for b in binaries)
        and installed_lock.exists()
        and installed_lock.read_bytes() == lockfile.read_bytes()
    ):
        return None
    if shutil.which("npm") is None:
        return "npm is not on PATH"
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(BENCH_DIR / "package.json", NODE_DIR / "package.json")
    shutil.copyfile(lockfile, installed_lock)
    log("installing @stoplight/spectral-cli and @redocly/cli with npm ci")
    # --ignore-scripts: the only install script in the tree is an install-analytics ping.
    completed = subprocess.run(
        ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        env={**os.environ, **QUIET_ENV},
        check=False,
    )
    if completed.returncode != 0:
        installed_lock.unlink(missing_ok=True)
        return f"npm ci failed: {completed.stderr.strip()[-800:]}"
    return None


@dataclass
class Tool:
    """A linter under test: how to call it on a file and how to count what it reported."""

    name: str
    command: Callable[[Path], list[str]]
    count_findings: Callable[[str], int | None]
    cwd: Path
    version: str = "unknown"


def parse_json_output(text: str, opening: str) -> Any:
    """Parse a tool's JSON output, tolerating a banner line printed before it."""
    try:
        return json.loads(text)
    except ValueError:
        start = text.find(opening)
        if start < 0:
            return None
        try:
            return json.loads(text[start:])
        except ValueError:
            return None


def count_apilint(text: str) -> int | None:
    data = parse_json_output(text, "{")
    if isinstance(data, dict) and isinstance(data.get("findings"), list):
        return len(data["findings"])
    return None


def count_spectral(text: str) -> int | None:
    if "No results with a severity of" in text and "[" not in text:
        return 0
    data = parse_json_output(text, "[")
    return len(data) if isinstance(data, list) else None


def count_redocly(text: str) -> int | None:
    # "problems" is cut at --max-problems (100); the totals count everything that was not ignored.
    data = parse_json_output(text, "{")
    if isinstance(data, dict) and isinstance(data.get("totals"), dict):
        totals = data["totals"]
        return int(totals.get("errors", 0)) + int(totals.get("warnings", 0))
    return None


def first_line(argv: list[str], cwd: Path) -> str:
    try:
        completed = subprocess.run(
            argv,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, **QUIET_ENV},
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unavailable ({error})"
    lines = [line.strip() for line in (completed.stdout or completed.stderr).splitlines() if line.strip()]
    if completed.returncode != 0 or not lines:
        return f"unavailable (exit {completed.returncode})"
    return lines[0]


def version_in_output(text: str) -> str | None:
    """apilint's JSON report carries its version; used when `apilint --version` does not answer."""
    data = parse_json_output(text, "{")
    if isinstance(data, dict) and isinstance(data.get("version"), str):
        return f"{data['version']} (from its JSON output)"
    return None


def count_osvrs(text: str) -> int | None:
    """openapi-spec-validator-rs prints ``OK`` per valid file; errors are counted by the exit code only."""
    return 0 if text.strip().endswith("OK") else None


def make_tools(names: list[str], apilint_command: list[str], osvrs_command: list[str] | None = None) -> list[Tool]:
    bin_dir = NODE_DIR / "node_modules" / ".bin"
    EMPTY_WORKDIR.mkdir(parents=True, exist_ok=True)
    tools: list[Tool] = []
    for name in names:
        if name == "apilint":
            # Like the peers, apilint reads the file alone: run in the empty folder and rooted there, it
            # looks for no template that deploys the file (the search a repository would add is
            # measured on its own in docs/performance.md).
            tool = Tool(
                "apilint",
                lambda path: [*apilint_command, str(path), "--format", "json", "--root", str(EMPTY_WORKDIR)],
                count_apilint,
                EMPTY_WORKDIR,
            )
            base = apilint_command[:-1] if apilint_command[-1:] == ["check"] else apilint_command
            tool.version = first_line([*base, "--version"], REPO_ROOT)
        elif name == "spectral":
            tool = Tool(
                "spectral",
                lambda path: [
                    str(bin_dir / "spectral"),
                    "lint",
                    "-r",
                    str(SPECTRAL_RULESET),
                    "-f",
                    "json",
                    "--quiet",
                    str(path),
                ],
                count_spectral,
                EMPTY_WORKDIR,
            )
            tool.version = "@stoplight/spectral-cli " + first_line(
                [str(bin_dir / "spectral"), "--version"], EMPTY_WORKDIR
            )
        elif name == "redocly":
            # An empty working directory, so no redocly.yaml is found: the default ruleset applies.
            tool = Tool(
                "redocly",
                lambda path: [str(bin_dir / "redocly"), "lint", "--format", "json", str(path)],
                count_redocly,
                EMPTY_WORKDIR,
            )
            tool.version = "@redocly/cli " + first_line(
                [str(bin_dir / "redocly"), "--version"], EMPTY_WORKDIR
            )
        elif name == "osvrs":
            # The Rust validator from PyPI (openapi-spec-validator-rs): parses and validates the file
            # against the OpenAPI schema in one process; it runs no lint rules.
            command = osvrs_command or ["openapi-spec-validator-rs"]
            tool = Tool("osvrs", lambda path, command=command: [*command, str(path)], count_osvrs, EMPTY_WORKDIR)
            tool.version = "openapi-spec-validator-rs " + first_line([*command, "--version"], EMPTY_WORKDIR)
        else:
            raise SystemExit(f"unknown tool {name!r} (choose from apilint, spectral, redocly, osvrs)")
        tools.append(tool)
    return tools


# --------------------------------------------------------------------------------------------------
# Benchmark loops
# --------------------------------------------------------------------------------------------------


@dataclass
class Series:
    """All samples of one run label (tool__file)."""

    label: str
    tool: str
    file: str
    samples: list[Sample] = field(default_factory=list)
    note: str = ""

    def measured(self) -> list[Sample]:
        return [s for s in self.samples if not s.warmup]

    def completed(self) -> list[Sample]:
        return [s for s in self.measured() if s.exit != "timeout" and not str(s.exit).startswith("cannot")]

    def median_wall(self) -> float | None:
        done = self.completed()
        return statistics.median(s.wall_s for s in done) if done else None

    def median_rss(self) -> float | None:
        done = self.completed()
        return statistics.median(s.peak_rss_mib for s in done) if done else None


def run_file(
    spec: SpecFile,
    tools: list[Tool],
    runs: int,
    measurer: Measurer,
    skip: Callable[[Tool, SpecFile], str | None],
    into: list[Series],
) -> None:
    """Warm up every tool on one file, then run `runs` rounds, each tool once a round, rotated.

    The series are appended to `into` before the first run, so an interrupted run keeps its samples.
    """
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    series = {tool.name: Series(f"{tool.name}__{spec.name}", tool.name, spec.name) for tool in tools}
    into.extend(series.values())
    active: list[Tool] = []
    for tool in tools:
        reason = skip(tool, spec)
        if reason:
            series[tool.name].note = reason
        else:
            active.append(tool)

    def once(tool: Tool, warmup: bool) -> Sample:
        stem = OUTPUT_DIR / f"{tool.name}__{spec.name}"
        stdout_path, stderr_path = (
            stem.with_name(stem.name + ".stdout"),
            stem.with_name(stem.name + ".stderr"),
        )
        sample = measurer.run(tool.command(spec.path), tool.cwd, stdout_path, stderr_path)
        sample.warmup = warmup
        if sample.exit != "timeout":
            output = stdout_path.read_text(errors="replace")
            sample.findings = tool.count_findings(output)
            if tool.version.startswith("unavailable"):
                tool.version = version_in_output(output) or tool.version
        log(
            f"  {'warm-up' if warmup else 'run'} {tool.name:8} {spec.name:28} {sample.wall_s:8.3f} s "
            f"{sample.peak_rss_mib:7.0f} MiB exit {sample.exit} findings {sample.findings}"
        )
        return sample

    for tool in list(active):
        sample = once(tool, warmup=True)
        series[tool.name].samples.append(sample)
        if sample.exit == "timeout" or str(sample.exit).startswith("cannot"):
            limit = f"timed out (limit {measurer.timeout_s:.0f} s)"
            what = limit if sample.exit == "timeout" else sample.exit
            series[tool.name].note = f"warm-up {what}; not repeated"
            active.remove(tool)
    for round_index in range(runs):
        if not active:
            break
        shift = round_index % len(active)
        for tool in active[shift:] + active[:shift]:
            series[tool.name].samples.append(once(tool, warmup=False))


@dataclass
class ParallelResult:
    """One apilint call over many corpus files, timed with --jobs 1 and --jobs 2."""

    workload: str
    files: int
    status: str
    series: list[Series] = field(default_factory=list)
    speedup: float | None = None


def jobs_supported(apilint_command: list[str]) -> tuple[bool, str]:
    """Ask `apilint check --help` whether --jobs exists, without guessing from a failed run."""
    try:
        completed = subprocess.run(
            [*apilint_command, "--help"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, **QUIET_ENV},
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, f"`{shlex.join(apilint_command)} --help` could not run: {error}"
    text = completed.stdout + completed.stderr
    if completed.returncode != 0:
        last = text.strip().splitlines()[-1:] or [""]
        return False, f"`{shlex.join(apilint_command)} --help` exited {completed.returncode}: {last[0][:200]}"
    if "--jobs" not in text:
        return False, f"`{shlex.join(apilint_command)}` has no --jobs option yet"
    return True, ""


def corpus_workloads(corpus: Path) -> list[tuple[str, str, list[Path], int]]:
    """(key, description, paths given to apilint, number of definition files under them).

    The first is the issue's workload, the whole corpus folder in one call; the second leaves out
    the three 4 MB specs of ``large/`` to show how the many small files alone scale.
    """
    def count(paths: list[Path]) -> int:
        return sum(
            1
            for path in paths
            for file in (path.rglob("*") if path.is_dir() else [path])
            if file.is_file() and file.suffix.lower() in (".yaml", ".yml", ".json")
        )

    small = [corpus / "openapi", corpus / "templates"]
    return [
        ("corpus", f"`apilint check {corpus.name}/`: the whole corpus folder", [corpus], count([corpus])),
        ("corpus-small", "`openapi/` and `templates/` only: the small files, without `large/`", small, count(small)),
    ]


def run_corpus_parallel(
    key: str, description: str, paths: list[Path], file_count: int,
    apilint_command: list[str], runs: int, measurer: Measurer,
) -> ParallelResult:
    if not all(path.exists() for path in paths) or not file_count:
        return ParallelResult(description, 0, f"no corpus files under {', '.join(map(str, paths))}")
    supported, reason = jobs_supported(apilint_command)
    if not supported:
        return ParallelResult(description, file_count, f"not measured: {reason}")
    log(f"{key}: {file_count} files, --jobs 1 vs --jobs 2")
    arguments = [str(p) for p in paths]
    series = {
        jobs: Series(f"apilint__{key}-jobs{jobs}", "apilint", f"{key} --jobs {jobs}") for jobs in (1, 2)
    }
    order = [1, 2]
    for round_index in range(runs + 1):
        warmup = round_index == 0
        for jobs in order if round_index % 2 == 0 else order[::-1]:
            stem = OUTPUT_DIR / f"apilint__{key}-jobs{jobs}"
            stdout_path, stderr_path = (
                stem.with_name(stem.name + ".stdout"),
                stem.with_name(stem.name + ".stderr"),
            )
            sample = measurer.run(
                [*apilint_command, *arguments, "--format", "json", "--jobs", str(jobs)],
                REPO_ROOT,
                stdout_path,
                stderr_path,
            )
            sample.warmup = warmup
            stderr_text = stderr_path.read_text(errors="replace")
            if sample.exit == 2 and re.search(r"no such option|unrecognized arguments", stderr_text, re.IGNORECASE):
                return ParallelResult(
                    description, file_count, "not measured: apilint rejected --jobs: " + stderr_text.strip()[-200:]
                )
            if sample.exit != "timeout":
                sample.findings = count_apilint(stdout_path.read_text(errors="replace"))
            log(
                f"  {'warm-up' if warmup else 'run'} --jobs {jobs} {sample.wall_s:8.3f} s exit {sample.exit} "
                f"findings {sample.findings}"
            )
            series[jobs].samples.append(sample)
    one, two = series[1].median_wall(), series[2].median_wall()
    result = ParallelResult(description, file_count, "measured", list(series.values()))
    if one and two:
        result.speedup = one / two
    findings = {jobs: {s.findings for s in series[jobs].measured()} for jobs in (1, 2)}
    if findings[1] != findings[2]:
        result.status = (
            f"measured; finding counts differ: --jobs 1 {sorted(findings[1], key=str)}, "
            f"--jobs 2 {sorted(findings[2], key=str)}"
        )
    return result


# --------------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------------


def machine_facts() -> dict[str, str]:
    facts = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(os.cpu_count()),
        "python": platform.python_version(),
        "pyyaml": f"{yaml.__version__} (libyaml {'yes' if yaml.__with_libyaml__ else 'no'})",
        "os": f"{platform.system()} {platform.release()}",
    }
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            models = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
        facts["cpu"] = models[0] if models else "unknown"
    except OSError:
        facts["cpu"] = "unknown"
    try:
        with open("/proc/meminfo") as meminfo:
            total_kib = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
        facts["memory"] = f"{total_kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        facts["memory"] = "unknown"
    facts["node"] = first_line(["node", "--version"], REPO_ROOT) if shutil.which("node") else "not installed"
    return facts


CALIBRATION_CODE = "s = 0\nfor i in range(10_000_000):\n    s += i"


def calibrate(runs: int = 3) -> float:
    """Median seconds of a fixed pure-Python loop in a fresh interpreter: how fast this machine is
    right now. Shared and virtual machines vary, so compare timings only within one report."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", CALIBRATION_CODE], check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def load_summary(samples: list[Sample]) -> str:
    if not samples:
        return "-"
    loads = [sample.load_1min for sample in samples]
    return f"median {statistics.median(loads):.2f}, max {max(loads):.2f}"


def format_size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{size / 1000:.0f} KB" if size >= 1000 else f"{size} B"


def exit_summary(samples: list[Sample]) -> str:
    if not samples:
        return "-"
    codes = [str(s.exit) for s in samples]
    common = max(set(codes), key=codes.count)
    return f"{common} ({codes.count(common)} of {len(codes)})"


def findings_summary(samples: list[Sample]) -> str:
    values = sorted({s.findings for s in samples}, key=lambda v: (v is None, v))
    return "/".join("n/a" if v is None else str(v) for v in values) or "-"


def other_work(samples: list[Sample]) -> str:
    """How much of the cores other processes used while these runs ran (median over the runs)."""
    during = [s.other_during for s in samples if s.other_during is not None]
    if during:
        return f"{statistics.median(during):.0%}"
    return f"load {statistics.median(s.load_1min for s in samples):.1f}"


# The baseline's columns (docs/performance.md), then what each tool reported and the machine's load.
TIMING_HEADER = [
    "run",
    "median wall s",
    "min-max wall s",
    "median cpu s",
    "median peak RSS MiB",
    "runs",
    "exit",
    "findings",
    "other work",
]


def timing_row(series: Series) -> list[str]:
    measured = series.measured()
    done = series.completed()
    if not done:
        note = series.note or exit_summary(measured)
        return [series.label, "-", "-", "-", "-", str(len(measured)), note, "-", "-"]
    walls = [s.wall_s for s in done]
    return [
        series.label,
        f"{statistics.median(walls):.3f}",
        f"{min(walls):.3f}-{max(walls):.3f}",
        f"{statistics.median(s.cpu_s for s in done):.3f}",
        f"{statistics.median(s.peak_rss_mib for s in done):.0f}",
        str(len(measured)),
        exit_summary(measured),
        findings_summary(done),
        other_work(done),
    ]


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or denominator is None or denominator == 0:
        return "-"
    return f"{numerator / denominator:.2f}"


def render_markdown(
    report: dict[str, Any], all_series: list[Series], specs: list[SpecFile], parallel: list[ParallelResult]
) -> str:
    facts = report["machine"]
    out = [f"# apilint benchmark results, {facts['date']}", ""]
    out.append(
        f"Machine: {facts['nproc']} cores ({facts['cpu']}), {facts['memory']} memory, {facts['os']}; "
        f"Python {facts['python']}, PyYAML {facts['pyyaml']}, Node {facts['node']}."
    )
    out.append(
        f"Load average (1, 5, 15 min) before / after: {facts['load average (1, 5, 15 min) before']} / "
        f"{facts['load average (1, 5, 15 min) after']}; 1-minute load when each timed run started: "
        f"{facts['load average (1 min) at run starts']}. On 2 cores, a load above 1 means other work "
        "shared the machine and timings are inflated."
    )
    out.append(
        f"Calibration (a fixed 10-million-step Python loop, median of 3) before / after: "
        f"{facts['calibration loop s before / after']} s; where these differ between reports, so do all "
        "timings."
    )
    out.append("")
    for name, version in report["tools"].items():
        out.append(f"- {name}: {version}")
    out += ["", f"Method: {report['method']}", "", "## Files", ""]
    out.append(
        markdown_table(
            ["file", "size", "source"],
            [[s.name, format_size(s.path.stat().st_size), s.source] for s in specs],
        )
    )
    out += [
        "",
        "## Timings",
        "",
        (
            "Whole-process wall time, CPU time (user+system, with descendants) and peak resident memory; "
            "medians over the measured rounds (warm-up excluded). `findings` is what the tool reported "
            "(Redocly: errors + warnings from its totals). `other work`: the median share of all cores that "
            "other processes used during the runs (from /proc/stat, less the run's own CPU time); above a "
            "few per cent the timings are inflated."
        ),
        "",
    ]
    out.append(markdown_table(TIMING_HEADER, [timing_row(s) for s in all_series]))

    by_key = {(s.tool, s.file): s for s in all_series}
    tool_names = list(report["tools"])
    if "apilint" in tool_names and len(tool_names) > 1:
        peers = [t for t in ("redocly", "spectral", "osvrs") if t in tool_names]
        rows = []
        for spec in specs:
            apilint = by_key.get(("apilint", spec.name))
            if apilint is None:
                continue
            row = [spec.name]
            for peer in peers:
                other = by_key.get((peer, spec.name))
                row.append(ratio(apilint.median_wall(), other.median_wall() if other else None))
                row.append(ratio(apilint.median_rss(), other.median_rss() if other else None))
            rows.append(row)
        header = ["file"] + [f"apilint / {peer} {what}" for peer in peers for what in ("wall", "RSS")]
        out += [
            "",
            "## apilint relative to the peers",
            "",
            "Ratios of medians from this run; below 1 means apilint is faster or smaller.",
            "",
            markdown_table(header, rows),
        ]

    ladder = [s for s in specs if s.group == "ladder"]
    if ladder:
        rows = []
        for spec in ladder:
            row = [spec.name, format_size(spec.path.stat().st_size)]
            for tool in tool_names:
                found = by_key.get((tool, spec.name))
                median = found.median_wall() if found else None
                row.append("-" if median is None else f"{median:.3f}")
            rows.append(row)
        out += ["", "## Scaling (median wall s)", "", markdown_table(["file", "size", *tool_names], rows)]

    if parallel:
        out += ["", "## Corpus-wide parallelism (apilint --jobs)", ""]
        out.append(
            "Peak RSS is that of the largest single process (the kernel reports the maximum, not the sum, "
            "over a process and its workers)."
        )
    for result in parallel or []:
        out += ["", f"### {result.workload}", "", f"{result.files} YAML/JSON files. Status: {result.status}."]
        if result.series:
            out += ["", markdown_table(TIMING_HEADER, [timing_row(s) for s in result.series])]
        if result.speedup is not None:
            out += ["", f"Speed-up of --jobs 2 over --jobs 1: {result.speedup:.2f}x."]
    notes = report.get("notes", [])
    if notes:
        out += ["", "## Notes", ""] + [f"- {note}" for note in notes]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------------


def select_specs(all_specs: list[SpecFile], selection: str | None) -> list[SpecFile]:
    """`--files petstore,stripe`: a token picks the file of that exact name or stem, else every file
    whose name contains it."""
    if not selection:
        return all_specs
    chosen: list[SpecFile] = []
    for token in (t.strip() for t in selection.split(",") if t.strip()):
        exact = [s for s in all_specs if token in (s.name, s.name.rsplit(".", 1)[0])]
        matches = exact or [s for s in all_specs if token in s.name]
        if not matches:
            raise SystemExit(
                f"--files: nothing matches {token!r}; files are: " + ", ".join(s.name for s in all_specs)
            )
        chosen += [s for s in matches if s not in chosen]
    return [s for s in all_specs if s in chosen]


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--tools",
        default="apilint,redocly,spectral",
        help="comma-separated tools to time (default: apilint,redocly,spectral; also osvrs: "
        "openapi-spec-validator-rs from PyPI, see --osvrs-cmd)",
    )
    parser.add_argument(
        "--osvrs-cmd",
        default="openapi-spec-validator-rs",
        help="how to call openapi-spec-validator-rs (default: from PATH; install it with pip in any "
        "environment and give its path)",
    )
    parser.add_argument(
        "--files",
        help="comma-separated file names or parts of names (default: all); e.g. petstore,stripe,ladder",
    )
    parser.add_argument("--runs", type=int, default=3, help="measured rounds after the warm-up (default 3)")
    parser.add_argument("--timeout", type=float, default=300.0, help="limit per run in seconds (default 300)")
    parser.add_argument(
        "--skip-slow",
        action="store_true",
        help=f"leave out Spectral on files of {SLOW_SPECTRAL_BYTES // 1_000_000} MB and more",
    )
    parser.add_argument(
        "--apilint-cmd",
        default="apilint check",
        help='how to call apilint\'s check command (default "apilint check"; e.g. "python -m apilint check")',
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=Path(os.environ.get("APILINT_CORPUS", DEFAULT_CORPUS)),
        help=f"the shared corpus (default {DEFAULT_CORPUS})",
    )
    parser.add_argument(
        "--skip-corpus",
        action="store_true",
        help="do not measure apilint --jobs 1 vs --jobs 2 over the corpus",
    )
    parser.add_argument(
        "--rss-source",
        choices=["auto", "time", "wait4"],
        default="auto",
        help="peak RSS from /usr/bin/time -v (auto: when present) or from os.wait4",
    )
    parser.add_argument(
        "--prepare-only", action="store_true", help="prepare spec files and peers, time nothing"
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="before each run, wait up to this long until other processes use less than "
        "--busy-threshold of the cores (default 0: do not wait)",
    )
    parser.add_argument(
        "--busy-threshold",
        type=float,
        default=0.2,
        help="share of all cores other work may use for --wait-idle (default 0.2)",
    )
    parser.add_argument("--list-files", action="store_true", help="list the file names and exit")
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=CACHE_DIR,
        help="where results-<date>.md and .json go (default benchmarks/.cache)",
    )
    arguments = parser.parse_args(argv)
    if arguments.runs < 1:
        parser.error("--runs must be at least 1")
    return arguments


def resolved_program(command: list[str]) -> str:
    """Which program runs: a version manager's shim (pyenv's adds about 70 ms to every run) shows here."""
    found = shutil.which(command[0]) if command else None
    if found is None:
        return "not on PATH"
    try:
        with open(found, "rb") as handle:
            first = handle.readline(200).decode("utf-8", "replace").strip()
    except OSError:
        first = ""
    return f"{found}, {first}" if first.startswith("#!") else found


def byte_compile_apilint() -> str:
    """Write apilint's bytecode, as ``pip install`` does, so no run pays for compiling its modules.

    An editable install run with PYTHONDONTWRITEBYTECODE=1 (set on some machines) would otherwise
    compile every apilint module from source on every run, which is not what users run.
    """
    try:
        import apilint
    except ImportError as error:
        return f"apilint not importable here, not byte-compiled ({error})"
    package = Path(apilint.__file__).resolve().parent
    completed = subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(package)], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        return f"compileall {package} failed: {completed.stdout.strip()[-200:]}"
    return f"apilint's modules were byte-compiled before timing (`python -m compileall {package.name}`), as pip does on install"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    builder = SpecBuilder(arguments.corpus)
    all_specs = builder.specs()
    if arguments.list_files:
        for spec in all_specs:
            print(f"{spec.name:28} {spec.source}")
        return 0
    tool_names = [t.strip() for t in arguments.tools.split(",") if t.strip()]
    notes: list[str] = []
    wanted = select_specs(all_specs, arguments.files)
    specs, failures = prepare_specs(builder, wanted)
    notes += [f"{name} not prepared: {reason}" for name, reason in failures.items()]

    peer_names = [t for t in tool_names if t in ("spectral", "redocly")]
    if peer_names:
        problem = install_peers()
        if problem:
            notes.append(f"peers not installed, left out ({problem})")
            log(notes[-1])
            tool_names = [t for t in tool_names if t not in peer_names]
    if arguments.prepare_only:
        for spec in specs:
            print(f"{spec.name:28} {format_size(spec.path.stat().st_size):>8}  {spec.path}")
        return 0 if not failures else 1

    apilint_command = shlex.split(arguments.apilint_cmd)
    if "apilint" in tool_names:
        notes.append(byte_compile_apilint())
        log(notes[-1])
    tools = make_tools(tool_names, apilint_command, shlex.split(arguments.osvrs_cmd))
    use_gnu_time = arguments.rss_source == "time" or (
        arguments.rss_source == "auto" and os.access("/usr/bin/time", os.X_OK)
    )
    if arguments.rss_source == "time" and not os.access("/usr/bin/time", os.X_OK):
        raise SystemExit("--rss-source time: /usr/bin/time is not installed")
    measurer = Measurer(arguments.timeout, use_gnu_time, arguments.wait_idle, arguments.busy_threshold)

    def skip(tool: Tool, spec: SpecFile) -> str | None:
        if (
            arguments.skip_slow
            and tool.name == "spectral"
            and spec.path.stat().st_size >= SLOW_SPECTRAL_BYTES
        ):
            return "skipped (--skip-slow)"
        return None

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    load_before = os.getloadavg()
    calibration_before = calibrate()
    all_series: list[Series] = []
    parallel: list[ParallelResult] = []
    try:
        for spec in specs:
            log(f"{spec.name} ({format_size(spec.path.stat().st_size)})")
            run_file(spec, tools, arguments.runs, measurer, skip, all_series)
        if "apilint" in tool_names and not arguments.skip_corpus:
            for workload in corpus_workloads(arguments.corpus):
                parallel.append(run_corpus_parallel(*workload, apilint_command, arguments.runs, measurer))
    except KeyboardInterrupt:
        notes.append("interrupted: the report holds only what was measured before the interruption")
        log(notes[-1])

    report: dict[str, Any] = {
        "machine": {
            **machine_facts(),
            "load average (1, 5, 15 min) before": " ".join(f"{v:.2f}" for v in load_before),
            "load average (1, 5, 15 min) after": " ".join(f"{v:.2f}" for v in os.getloadavg()),
            "calibration loop s before / after": f"{calibration_before:.3f} / {calibrate():.3f}",
            "load average (1 min) at run starts": load_summary(
                [sample for series in all_series for sample in series.measured()]
                + [sample for result in parallel for series in result.series for sample in series.measured()]
            ),
        },
        "tools": {
            tool.name: tool.version
            + (f" (`{shlex.join(apilint_command)}`, {resolved_program(apilint_command)})"
               if tool.name == "apilint" else "")
            for tool in tools
        },
        "method": (
            f"for each file a warm-up run of every tool, then {arguments.runs} rounds in which every tool "
            f"runs once, in an order rotated each round; limit {arguments.timeout:.0f} s per run; peak RSS "
            f"from {'/usr/bin/time -v' if use_gnu_time else 'os.wait4 rusage'}; Spectral with "
            f'`extends: ["spectral:oas"]`, Redocly with its default ruleset and REDOCLY_TELEMETRY=off'
            + (
                f"; each run waited up to {arguments.wait_idle:.0f} s for other work to drop below "
                f"{arguments.busy_threshold:.0%} of the cores."
                if arguments.wait_idle > 0
                else "."
            )
        ),
        "notes": notes,
    }
    markdown = render_markdown(report, all_series, specs, parallel)
    print(markdown)

    stamp = dt.datetime.now().strftime("%Y-%m-%d-%H%M%S")
    arguments.output_dir.mkdir(parents=True, exist_ok=True)
    markdown_path = arguments.output_dir / f"results-{stamp}.md"
    json_path = arguments.output_dir / f"results-{stamp}.json"
    markdown_path.write_text(markdown)
    report["files"] = [
        {
            "name": s.name,
            "bytes": s.path.stat().st_size,
            "sha256": sha256(s.path),
            "source": s.source,
            "group": s.group,
        }
        for s in specs
    ]
    report["series"] = [
        {**asdict(s), "median_wall_s": s.median_wall(), "median_peak_rss_mib": s.median_rss()}
        for s in all_series
    ]
    report["corpus_parallel"] = [
        {
            "workload": result.workload,
            "files": result.files,
            "status": result.status,
            "speedup": result.speedup,
            "series": [asdict(s) for s in result.series],
        }
        for result in parallel
    ]
    json_path.write_text(json.dumps(report, indent=2) + "\n")
    log(f"wrote {markdown_path} and {json_path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
