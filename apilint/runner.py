"""One ``apilint check`` run: configuration, files, engine, report, exit code."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apilint import __version__
from apilint.config import ConfigError, find_config, load_config
from apilint.engine import FileResult, RunOptions, UsageProblem, discover
from apilint.finding import Finding, Severity
from apilint.parallel import check_files, default_jobs
from apilint.load.source import DEFAULT_MAX_FILE_BYTES, ReadError
from apilint.report import REPORTERS, ReportContext, reporter


@dataclass
class CheckRequest:
    """Everything the command line passes to a run."""

    paths: list[Path]
    output_format: str = "text"
    output: Path | None = None
    api_type: str | None = None
    endpoint_type: str | None = None
    region: str | None = None
    config_file: Path | None = None
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    fail_on: str | None = None
    exclude: list[str] = field(default_factory=list)
    max_file_size: int | None = None
    root: Path | None = None
    verbose: bool = False
    color: bool = False
    jobs: int | None = None


@dataclass
class CheckOutcome:
    """The result of a run, before it is reported."""

    findings: list[Finding]
    results: list[FileResult]
    fail_on: Severity
    files_checked: int
    files_skipped: int


def known_usage_error(error: BaseException) -> str | None:
    """The message for errors that are the user's to fix (exit code 2), None for bugs."""
    if isinstance(error, (ConfigError, UsageProblem, ReadError)):
        return str(error)
    return None


def execute(request: CheckRequest) -> CheckOutcome:
    """Run the checks a request asks for and collect the findings (no output)."""
    root = (request.root or Path.cwd()).resolve()
    config_path = request.config_file
    if config_path is not None and not config_path.is_file():
        raise UsageProblem(f"{config_path}: configuration file not found")
    config = load_config(config_path if config_path is not None else find_config(Path.cwd()))
    if request.output_format not in REPORTERS:
        raise UsageProblem(f"unknown format {request.output_format!r} (expected {', '.join(REPORTERS)})")
    fail_on = Severity.parse(request.fail_on or config.get("fail-on", "error"))
    files, missing = discover(request.paths, [*config.get("exclude", []), *request.exclude])
    if missing:
        raise UsageProblem(f"no such file or directory: {', '.join(missing)}")
    flags: dict[str, Any] = {
        "api_type": request.api_type,
        "endpoint_type": request.endpoint_type,
        "region": request.region,
        "select": request.select,
        "ignore": request.ignore,
    }
    max_bytes = request.max_file_size or config.get("max-file-size") or DEFAULT_MAX_FILE_BYTES
    explicit = frozenset(p.resolve() for p in request.paths if p.is_file())
    run = RunOptions(root, config, flags, max_bytes, explicit)
    jobs = request.jobs if request.jobs is not None else config.get("jobs")
    jobs = default_jobs(len(files)) if not jobs else jobs
    results: list[FileResult] = []
    for path, outcome in zip(files, check_files(run, files, jobs)):
        if isinstance(outcome, str):
            if path.resolve() in explicit:
                raise ReadError(outcome)
            print(f"apilint: warning: {outcome}", file=sys.stderr)
            continue
        results.append(outcome)
    consumed = {c for r in results for c in r.consumed}
    kept = [r for r in results if not (r.kind == "openapi" and _is_consumed(r, consumed, root))]
    findings = sorted((f for r in kept for f in r.findings), key=lambda f: f.sort_key)
    checked = sum(1 for r in kept if r.kind is not None or r.findings)
    return CheckOutcome(findings, kept, fail_on, checked, len(kept) - checked)


def _is_consumed(result: FileResult, consumed: set[str], root: Path) -> bool:
    """A definition a template in the same run pulls in is checked once, with the template's context."""
    return str((root / result.file).resolve()) in consumed


def run_check(request: CheckRequest) -> int:
    """Run, report, and return the exit code."""
    outcome = execute(request)
    context = ReportContext(
        files_checked=outcome.files_checked,
        files_skipped=outcome.files_skipped,
        apis=[api for r in outcome.results for api in r.apis],
        notices=[n for r in outcome.results for n in r.notices],
        verbose=request.verbose,
        color=request.color,
        fail_on=outcome.fail_on,
        tool_version=__version__,
    )
    text = reporter(request.output_format)(outcome.findings, context)
    if request.output is not None:
        try:
            request.output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise UsageProblem(f"cannot write {request.output}: {error.strerror or error}") from None
    else:
        sys.stdout.write(text)
    failing = any(f.severity >= outcome.fail_on for f in outcome.findings)
    return 1 if failing else 0
