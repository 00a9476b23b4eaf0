"""One ``apilint check`` run: configuration, files, engine, baseline, reports, exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from apilint import __version__
from apilint.config import (
    ConfigError,
    find_config,
    load_config,
)
from apilint.discover import Discovery, discover_files, repository_top
from apilint.engine import FileResult, RunOptions, UsageProblem
from apilint.finding import Finding, Severity
from apilint.load.source import DEFAULT_MAX_FILE_BYTES, ByteReader, ReadError
from apilint.model import Api
from apilint.parallel import check_files
from apilint.report import DEFAULT_FILE_NAMES, REPORTERS, ReportContext, reporter


@dataclass
class CheckRequest:
    """Everything the command line passes to a run."""

    paths: list[Path]
    #: ``--format`` values as given: ``sarif`` or ``sarif=PATH``; empty means the default format.
    formats: list[str] = field(default_factory=list)
    output: Path | None = None
    output_dir: Path | None = None
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
    baseline: Path | None = None
    write_baseline: Path | None = None
    usage_file: Path | None = None


@dataclass
class CheckOutcome:
    """The result of a run, before it is reported."""

    findings: list[Finding]
    results: list[FileResult]
    fail_on: Severity
    files_checked: int
    files_skipped: int
    files_ignored: int = 0
    rules_by_file: dict[str, list[str]] = field(default_factory=dict)
    root: Path = field(default_factory=Path.cwd)


@dataclass(frozen=True)
class ReportTarget:
    """One report to produce: its format and where it goes (None: standard output)."""

    format: str
    path: Path | None


def known_usage_error(error: BaseException) -> str | None:
    """The message for errors that are the user's to fix (exit code 2), None for bugs."""
    from apilint.baseline import BaselineError

    if isinstance(error, (ConfigError, UsageProblem, ReadError, BaselineError)):
        return str(error)
    return None


def default_format(environ: Mapping[str, str]) -> str:
    """``github`` inside GitHub Actions (annotations on the diff), ``text`` everywhere else."""
    return "github" if environ.get("GITHUB_ACTIONS", "").lower() == "true" else "text"


def plan_reports(formats: list[str], output: Path | None, output_dir: Path | None,
                 environ: Mapping[str, str] | None = None) -> list[ReportTarget]:
    """Where each requested format goes.

    ``--format F=PATH`` writes F to PATH. A format without a path goes to ``--output-dir`` (under a
    fixed name such as ``apilint.sarif``), else to ``--output``, else to standard output; at most
    one report can go to standard output.
    """
    # Annotations only make sense on standard output; a report written to a file stays text.
    to_stdout = output is None and output_dir is None
    specs = formats or [default_format(os.environ if environ is None else environ) if to_stdout else "text"]
    if output is not None and output_dir is not None:
        raise UsageProblem("--output and --output-dir cannot be used together; give each format a path "
                           "(--format sarif=apilint.sarif) or a folder (--output-dir)")
    targets: list[ReportTarget] = []
    for spec in specs:
        name, separator, where = spec.partition("=")
        name = name.strip().lower()
        if name not in REPORTERS:
            raise UsageProblem(f"unknown format {name!r} (expected {', '.join(REPORTERS)}; "
                               "write to a file with FORMAT=PATH)")
        if separator and not where.strip():
            raise UsageProblem(f"--format {spec}: no path after '='")
        targets.append(ReportTarget(name, Path(where.strip()) if separator else None))
    pathless = [t for t in targets if t.path is None]
    if output_dir is not None:
        targets = [t if t.path is not None else ReportTarget(t.format, output_dir / DEFAULT_FILE_NAMES[t.format])
                   for t in targets]
    elif output is not None:
        if len(pathless) != 1:
            raise UsageProblem("--output takes exactly one format without a path; give the others a path "
                               "(--format sarif=apilint.sarif) or use --output-dir")
        targets = [t if t.path is not None else ReportTarget(t.format, output) for t in targets]
    elif len(pathless) > 1:
        names = ", ".join(t.format for t in pathless)
        raise UsageProblem(f"only one report can go to standard output, not {names}; give the others a path "
                           "(--format sarif=apilint.sarif) or use --output-dir")
    written = [t.path.resolve() for t in targets if t.path is not None]
    duplicates = {str(p) for p in written if written.count(p) > 1}
    if duplicates:
        raise UsageProblem(f"two reports would be written to {', '.join(sorted(duplicates))}")
    return targets


@dataclass
class PreparedRun:
    """A run ready to go: the engine's options, the files to check and how the files were found."""

    run: RunOptions
    files: list[Path]
    fail_on: Severity
    found: Discovery
    jobs: int | None


def prepare(request: CheckRequest, read_bytes: ByteReader | None = None,
            listing: Discovery | None = None) -> PreparedRun:
    """Configuration, files and engine options for a request: what ``apilint check`` and
    ``apilint cost`` share, so that both read the same files with the same configuration.

    ``read_bytes`` and ``listing`` read another revision than the working tree (the files it holds,
    found without walking the disk).
    """
    root = (request.root or Path.cwd()).resolve()
    config_path = request.config_file
    if config_path is not None and not config_path.is_file():
        raise UsageProblem(f"{config_path}: configuration file not found")
    config = load_config(config_path if config_path is not None else find_config(Path.cwd()))
    fail_on = Severity.parse(request.fail_on or config.get("fail-on", "error"))
    found = listing if listing is not None else discover_files(
        request.paths, [*config.get("exclude", []), *request.exclude])
    if found.missing:
        raise UsageProblem(f"no such file or directory: {', '.join(found.missing)}")
    files = found.files
    flags: dict[str, Any] = {
        "api_type": request.api_type,
        "endpoint_type": request.endpoint_type,
        "region": request.region,
        "select": request.select,
        "ignore": request.ignore,
    }
    max_bytes = request.max_file_size or config.get("max-file-size") or DEFAULT_MAX_FILE_BYTES
    if listing is None:
        looping = [f for f in files if _loops(f)]
        if looping:
            named = [str(f) for f in looping if f in request.paths]
            if named:
                raise UsageProblem(f"symbolic link loop: {', '.join(named)}")
            files = [f for f in files if f not in looping]
        escaping = [str(p) for p in request.paths if p.is_symlink() and not _within(p.resolve(), root)]
        if escaping:
            raise UsageProblem(f"symbolic link to a file outside {root} is not read: {', '.join(escaping)}")
        explicit = frozenset(p.resolve() for p in request.paths if p.is_file())
    else:
        explicit = frozenset(p.resolve() for p in request.paths if p in files)
    run = RunOptions(root, config, flags, max_bytes, explicit, read_bytes)
    jobs = request.jobs if request.jobs is not None else config.get("jobs")  # None or 0: by the work
    return PreparedRun(run, files, fail_on, found, jobs)


def collect_apis(request: CheckRequest, read_bytes: ByteReader | None = None,
                 listing: Discovery | None = None) -> list[Api]:
    """The APIs the check engine builds from a request's files, with their template context.

    A definition that a template of the same run deploys is modelled once, through the template.
    Files that cannot be read or hold no API add nothing.
    """
    from apilint.apis import source_kind
    from apilint.config import resolve_file_options
    from apilint.engine import Engine

    prepared = prepare(request, read_bytes, listing)
    engine = Engine(prepared.run)
    built: list[tuple[Path, list[Api], set[Path]]] = []
    for path in prepared.files:
        resolved = path.resolve()
        try:
            source = engine.open_source(path, walked=resolved not in prepared.run.explicit_files)
        except ReadError:
            if resolved in prepared.run.explicit_files:
                raise
            continue
        kind = source_kind(source)
        if kind is None:
            continue
        options = resolve_file_options(prepared.run.config, path, prepared.run.flags)
        builder, apis = engine.build_apis(source, kind, options)
        built.append((resolved, apis, set(builder.consumed)))
    consumed = {path for _, _, used in built for path in used}
    return [api for path, apis, _ in built if path not in consumed for api in apis]


def execute(request: CheckRequest) -> CheckOutcome:
    """Run the checks a request asks for and collect the findings (no output)."""
    prepared = prepare(request)
    run, files, fail_on, found, jobs = prepared.run, prepared.files, prepared.fail_on, prepared.found, prepared.jobs
    root = run.root
    explicit = run.explicit_files
    results: list[FileResult] = []
    for path, outcome in zip(files, check_files(run, files, jobs)):
        if isinstance(outcome, str):
            if path.resolve() in explicit:
                raise ReadError(outcome)
            print(f"apilint: warning: {outcome}", file=sys.stderr)
            continue
        results.append(outcome)
    consumed = {c for r in results for c in r.consumed}
    kept = [r for r in results if not (consumed and r.kind == "openapi" and _is_consumed(r, consumed, root))]
    findings = sorted((f for r in kept for f in r.findings), key=lambda f: f.sort_key)
    checked = [r for r in kept if r.kind is not None or r.findings]
    rules_by_file = {r.file: r.rules_run for r in checked}
    return CheckOutcome(findings, kept, fail_on, len(checked), len(kept) - len(checked),
                        found.gitignored + found.excluded, rules_by_file, root)


def _within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _loops(path: Path) -> bool:
    """Whether a path is a symbolic link that leads back to itself.

    Only the file itself can be such a link: the walk does not enter looping folders, and a named
    path through one does not exist.
    """
    try:
        if not path.is_symlink():
            return False
        path.resolve()
        return False
    except RuntimeError:
        return True
    except OSError:
        return False


def _is_consumed(result: FileResult, consumed: set[str], root: Path) -> bool:
    """A definition a template in the same run pulls in is checked once, with the template's context."""
    return str((root / result.file).resolve()) in consumed


def cost_summary_markdown(usage_file: Path, request: CheckRequest, outcome: CheckOutcome) -> str:
    """The cost section of the Markdown report: the cost engine's Markdown report for a usage file.

    The checked definitions go along, so that the cost report can name features that block a move
    to a cheaper API type. A usage file the cost engine rejects does not hide the lint results: the
    section and standard error say why there is no estimate.
    """
    try:
        from apilint.cost.cli import CostRequest, run_cost
        from apilint.cost.errors import CostError
    except ImportError:
        print("apilint: warning: this apilint has no cost engine; the Markdown report says so", file=sys.stderr)
        return ("### Cost\n\nNo cost summary: this version of apilint has no cost engine (`apilint.cost`), "
                f"so `{usage_file.as_posix()}` was not read.\n")
    # The same paths, configuration and root as the check: the cost engine models the same APIs.
    cost_request = CostRequest(paths=tuple(request.paths), usage_file=usage_file, region=request.region,
                               output_format="markdown", environment=dict(os.environ),
                               config_file=request.config_file, root=request.root, exclude=tuple(request.exclude))
    try:
        return run_cost(cost_request)
    except CostError as error:
        print(f"apilint: warning: no cost summary: {error}", file=sys.stderr)
        return f"### Cost\n\nNo cost summary: {_markdown_text(str(error))}\n"


def _markdown_text(text: str) -> str:
    return " ".join(text.split()).replace("<", "&lt;").replace(">", "&gt;")


def _write(target: ReportTarget, text: str) -> None:
    if target.path is None:
        sys.stdout.write(text)
        return
    try:
        target.path.parent.mkdir(parents=True, exist_ok=True)
        target.path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageProblem(f"cannot write {target.path}: {error.strerror or error}") from None


def run_check(request: CheckRequest) -> int:
    """Run, report, and return the exit code."""
    targets = plan_reports(request.formats, request.output, request.output_dir)
    if request.usage_file is not None and not request.usage_file.is_file():
        raise UsageProblem(f"{request.usage_file}: usage file not found")
    if request.baseline is not None or request.write_baseline is not None:
        from apilint.baseline import filter_new, read_baseline, write_baseline
    baseline = read_baseline(request.baseline) if request.baseline and not request.write_baseline else None
    outcome = execute(request)
    findings = outcome.findings
    baselined: int | None = None
    if request.write_baseline is not None:
        write_baseline(request.write_baseline, findings, __version__)
        print(f"apilint: wrote {len(findings)} finding(s) to the baseline {request.write_baseline}",
              file=sys.stderr)
    elif baseline is not None:
        filtered = filter_new(findings, baseline)
        findings, baselined = filtered.new, filtered.known
        if request.verbose and filtered.fixed:
            print(f"apilint: {filtered.fixed} baseline entr{'y' if filtered.fixed == 1 else 'ies'} no longer "
                  f"occur; refresh the baseline with --write-baseline {request.baseline}", file=sys.stderr)
    from apilint.rules import load_rules

    context = ReportContext(
        files_checked=outcome.files_checked,
        files_skipped=outcome.files_skipped,
        apis=[api for r in outcome.results for api in r.apis],
        notices=[n for r in outcome.results for n in r.notices],
        verbose=request.verbose,
        color=request.color,
        fail_on=outcome.fail_on,
        root=str(outcome.root),
        tool_version=__version__,
        files=list(outcome.rules_by_file),
        rules_by_file=outcome.rules_by_file,
        rules=load_rules(),
        files_ignored=outcome.files_ignored,
        baselined=baselined,
        repository_root=str(repository_top(outcome.root) or outcome.root),
        cost_markdown=cost_summary_markdown(request.usage_file, request, outcome) if request.usage_file else None,
    )
    if request.verbose and not any(t.path is None and t.format == "text" for t in targets):
        print(f"apilint: checked {outcome.files_checked} file(s); skipped {outcome.files_skipped} that are "
              f"neither OpenAPI definitions nor templates; left out {outcome.files_ignored} path(s) ignored by "
              ".gitignore or --exclude", file=sys.stderr)
    # Files first, so that what a reader sees on standard output is never ahead of the files.
    for target in sorted(targets, key=lambda t: t.path is None):
        target_context = context if target.path is None else replace(context, color=False)
        _write(target, reporter(target.format)(findings, target_context))
    failing = any(f.severity >= outcome.fail_on for f in findings)
    return 1 if failing and request.write_baseline is None else 0
