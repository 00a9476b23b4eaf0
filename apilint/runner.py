"""One ``apilint check`` run: configuration, files, engine, baseline, reports, exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from apilint import __version__
from apilint.config import Config, ConfigError
from apilint.discover import repository_top, resolve_all
from apilint.engine import Engine, FileResult, UsageProblem
from apilint.finding import Finding, Severity
from apilint.load.source import ReadError
from apilint.parallel import check_files
from apilint.record import Frozen, Record, replace
from apilint.report import DEFAULT_FILE_NAMES, REPORTERS, ReportContext, report_pieces, searched
from apilint.terminal import Progress, shows_progress
from apilint.workspace import STDIN, CheckRequest, prepare, run_options

__all__ = ["CheckOutcome", "CheckRequest", "execute", "execute_text", "known_usage_error", "plan_reports",
           "run_check"]


class CheckOutcome(Record):
    """The result of a run, before it is reported."""

    findings: list[Finding]
    results: list[FileResult]
    fail_on: Severity
    files_checked: int
    files_skipped: int
    files_ignored: int
    rules_by_file: dict[str, list[str]]
    root: Path
    #: Whether a run that checks nothing fails (``--fail-on-empty`` or ``fail-on-empty: true``).
    fail_on_empty: bool

    def __init__(
        self,
        findings: list[Finding],
        results: list[FileResult],
        fail_on: Severity,
        files_checked: int,
        files_skipped: int,
        files_ignored: int = 0,
        rules_by_file: dict[str, list[str]] | None = None,
        root: Path | None = None,
        fail_on_empty: bool = False,
    ) -> None:
        self.findings = findings
        self.results = results
        self.fail_on = fail_on
        self.files_checked = files_checked
        self.files_skipped = files_skipped
        self.files_ignored = files_ignored
        self.rules_by_file = {} if rules_by_file is None else rules_by_file
        self.root = Path.cwd() if root is None else root
        self.fail_on_empty = fail_on_empty


class ReportTarget(Frozen):
    """One report to produce: its format and where it goes (None: standard output)."""

    format: str
    path: Path | None

    def __init__(self, format: str, path: Path | None) -> None:
        object.__setattr__(self, "format", format)
        object.__setattr__(self, "path", path)


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


def execute_text(request: CheckRequest, content: str | bytes) -> CheckOutcome:
    """Check content (standard input) as the file ``--stdin-filename`` names, inside the root."""
    if request.paths != [Path(STDIN)]:
        raise UsageProblem(f"'{STDIN}' (standard input) cannot be checked together with other paths")
    run = run_options(request)
    fail_on = Severity.parse(request.fail_on or run.config.get("fail-on", "error"))
    result = Engine(run).check_text(request.stdin_filename or Path(STDIN), content)
    checked = int(result.kind is not None or bool(result.findings))
    findings = sorted(result.findings, key=lambda f: f.sort_key)
    files_checked = _count_checked([result][:checked], [result], findings, run.display_root)
    return CheckOutcome(findings, [result], fail_on, files_checked, 1 - checked, 0, {result.file: result.rules_run},
                        run.display_root, _fails_when_empty(request, run.config))


def execute(request: CheckRequest, progress: bool = False) -> CheckOutcome:
    """Run the checks a request asks for and collect the findings (no output but, with ``progress``,
    the progress of a long run on standard error)."""
    prepared = prepare(request)
    run, files, fail_on, found, jobs = prepared.run, prepared.files, prepared.fail_on, prepared.found, prepared.jobs
    root = run.display_root
    explicit = run.explicit_files
    results: list[FileResult] = []
    known: dict[str, Path] = {}
    shown = Progress(len(files)) if progress else None
    try:
        outcomes = check_files(run, files, jobs, shown.advance if shown else None)
    finally:
        if shown:
            shown.close()
    for path, outcome in zip(files, outcomes):
        if isinstance(outcome, str):
            if path.resolve() in explicit:
                raise ReadError(outcome)
            print(f"apilint: warning: {outcome}", file=sys.stderr)
            continue
        results.append(outcome)
        known[outcome.file] = run.resolved.get(path) or path.resolve()
    # a definition a template of the same run pulls in is checked once, with the template's context
    consumed = {c for r in results for c in r.consumed}
    kept = [r for r in results
            if not r.deployed_by and not (consumed and r.kind == "openapi" and str(known[r.file]) in consumed)]
    findings = sorted((f for r in kept for f in r.findings), key=lambda f: f.sort_key)
    checked = [r for r in kept if r.kind is not None or r.findings]
    rules_by_file = {r.file: r.rules_run for r in checked}
    return CheckOutcome(findings, kept, fail_on, _count_checked(checked, results, findings, root, known),
                        len(kept) - len(checked), found.gitignored + found.excluded, rules_by_file, root,
                        _fails_when_empty(request, run.config))


def _count_checked(checked: list[FileResult], results: list[FileResult], findings: list[Finding],
                   root: Path, known: dict[str, Path] | None = None) -> int:
    """The files the run checked: those it reported on, and the definitions it checked as part of a
    template (read through DefinitionUri or deployed by it), which have findings of their own.

    ``known`` maps the names of the run's files to their resolved paths; other names are resolved
    here, each once.
    """
    known = known or {}
    names = {r.file for r in checked} | {f.file for f in findings}
    files = {str(known[name]) for name in names if name in known}
    paths = [root / name for name in names if name not in known]
    resolved = resolve_all(paths)
    files.update(str(resolved.get(path) or path.resolve()) for path in paths)
    files.update(c for r in results for c in r.consumed)
    return len(files)


def _fails_when_empty(request: CheckRequest, config: Config) -> bool:
    return request.fail_on_empty or bool(config.get("fail-on-empty", False))


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
    # The same paths, configuration and root as the check, and the APIs the check built: the cost
    # engine prices what was checked without reading the files again.
    cost_request = CostRequest(paths=tuple(request.paths), usage_file=usage_file, region=request.region,
                               output_format="markdown", environment=dict(os.environ),
                               config_file=request.config_file, root=request.root, exclude=tuple(request.exclude),
                               defined=tuple(api for result in outcome.results for api in result.defined))
    try:
        return run_cost(cost_request)
    except CostError as error:
        print(f"apilint: warning: no cost summary: {error}", file=sys.stderr)
        return f"### Cost\n\nNo cost summary: {_markdown_text(str(error))}\n"


def _markdown_text(text: str) -> str:
    return " ".join(text.split()).replace("<", "&lt;").replace(">", "&gt;")


def _write(target: ReportTarget, pieces: Iterable[str]) -> None:
    """Write a report to its file or standard output, each piece as it is made."""
    if target.path is None:
        if sys.stdout is None:  # started with standard output closed (`>&-`)
            raise UsageProblem("cannot write standard output: it is closed")
        write = sys.stdout.write
        try:
            for piece in pieces:
                write(piece)
        except BrokenPipeError:
            raise  # the reader went away: the run ends quietly (apilint.cli)
        except OSError as error:
            raise UsageProblem(f"cannot write standard output: {error.strerror or error}") from None
        return
    try:
        target.path.parent.mkdir(parents=True, exist_ok=True)
        with open(target.path, "w", encoding="utf-8") as handle:
            for piece in pieces:
                handle.write(piece)
    except OSError as error:
        folder = next((p for p in target.path.parents if p.exists()), None)
        if folder is not None and not folder.is_dir():
            raise UsageProblem(f"cannot write {target.path}: {folder} is a file, not a folder") from None
        raise UsageProblem(f"cannot write {target.path}: {error.strerror or error}") from None


def _fix(request: CheckRequest, outcome: CheckOutcome, stdin: bytes | None) -> tuple[int | None, bool]:
    """Apply (``--fix``) or show (``--diff``) the fixes: the exit code when the run ends here, and
    whether files were written.

    ``--diff`` ends the run: exit code 1 when there is something to fix. ``--fix`` on standard input
    prints the fixed text and ends with the exit code of what is left; on files it writes them, and
    the run goes on to report what is left.
    """
    from apilint.fixer import plan, write

    run = run_options(request)
    read = (lambda path: stdin) if stdin is not None else None
    fixes = plan(run, outcome.findings, read)
    for reason in fixes.skipped:
        print(f"apilint: {reason}", file=sys.stderr)
    if request.diff:
        sys.stdout.write("".join(f.diff() for f in fixes.files))
        count = fixes.fixed
        print(f"apilint: {count} fixable finding{'s' if count != 1 else ''} in {len(fixes.files)} "
              f"file{'s' if len(fixes.files) != 1 else ''}", file=sys.stderr)
        return (1 if fixes.files else 0), False
    if stdin is not None:
        fixed_text = fixes.files[0].after if fixes.files else stdin.decode("utf-8", "replace")
        sys.stdout.write(fixed_text)
        left = execute_text(request, fixed_text).findings if fixes.files else outcome.findings
        return (1 if any(f.severity >= outcome.fail_on for f in left) else 0), False
    write(fixes)
    if fixes.files:
        count = fixes.fixed
        print(f"apilint: fixed {count} finding{'s' if count != 1 else ''} in {len(fixes.files)} "
              f"file{'s' if len(fixes.files) != 1 else ''}", file=sys.stderr)
    return None, bool(fixes.files)


def run_check(request: CheckRequest) -> int:
    """Run, report, and return the exit code."""
    targets = plan_reports(request.formats, request.output, request.output_dir)
    if request.usage_file is not None and not request.usage_file.is_file():
        raise UsageProblem(f"{request.usage_file}: usage file not found")
    if request.baseline is not None or request.write_baseline is not None:
        from apilint.baseline import filter_new, read_baseline, write_baseline
    baseline = read_baseline(request.baseline) if request.baseline and not request.write_baseline else None
    if request.fix and request.diff:
        raise UsageProblem("--fix writes the fixes and --diff only shows them: give one of them")
    if request.reads_stdin and sys.stdin is None:  # started with standard input closed (`<&-`)
        raise UsageProblem(f"'{STDIN}' reads standard input, which is closed")
    stdin = sys.stdin.buffer.read() if request.reads_stdin else None
    # Progress is for a person at a terminal reading a text report, never for a CI log or a machine.
    progress = shows_progress(sys.stderr) and all(t.format in ("text", "markdown") for t in targets)
    outcome = execute_text(request, stdin) if stdin is not None else execute(request, progress)
    if request.fix or request.diff:
        exit_code, written = _fix(request, outcome, stdin)
        if exit_code is not None:
            return exit_code
        if written:
            outcome = execute(request, progress)  # report what is left
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
        paths=[str(request.stdin_filename or p) if str(p) == STDIN else str(p) for p in request.paths],
        cost_markdown=cost_summary_markdown(request.usage_file, request, outcome) if request.usage_file else None,
    )
    if request.verbose and not any(t.path is None and t.format == "text" for t in targets):
        print(f"apilint: checked {outcome.files_checked} file(s); skipped {outcome.files_skipped} that are "
              f"neither OpenAPI definitions nor templates; left out {outcome.files_ignored} path(s) ignored by "
              ".gitignore or --exclude", file=sys.stderr)
    # Files first, so that what a reader sees on standard output is never ahead of the files.
    for target in sorted(targets, key=lambda t: t.path is None):
        target_context = context if target.path is None else replace(context, color=False)
        _write(target, report_pieces(target.format)(findings, target_context))
    if not outcome.files_checked and outcome.fail_on_empty:
        print(f"apilint: error: no API definition or template found in {searched(context)}, and fail-on-empty "
              "is set", file=sys.stderr)
        return 2
    failing = any(f.severity >= outcome.fail_on for f in findings)
    return 1 if failing and request.write_baseline is None and not request.exit_zero else 0
