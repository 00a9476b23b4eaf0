"""The command line's details as a person meets them: help, suggestions, summaries, option forms,
exit codes, completion, terminal output and progress. Each test runs the real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from apilint.docs import rule_markdown
from apilint.rules import find_rule, load_rules
from tests.conftest import FIXTURES, REPO, run_cli

BAD_TIMEOUT = FIXTURES / "rules" / "AG201" / "bad.yaml"
AG201_LINE = ("bad.yaml:15:9: error AG201 integration timeout 45,000 ms is over 29,000 ms, the fixed maximum for "
              "edge-optimized REST APIs (not set; API Gateway imports REST APIs as edge-optimized by default) "
              "[integration-timeout-out-of-range]\n")


def _apilint(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None,
             stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS", "NO_COLOR", "FORCE_COLOR")}
    environ |= {"PYTHONPATH": str(REPO)} | (env or {})
    return subprocess.run([sys.executable, "-m", "apilint", *args], cwd=cwd, env=environ, capture_output=True,
                          text=True, input=stdin, timeout=120, check=False)


def _on_terminal(args: list[str], columns: int, stream: str = "stdout",
                 env: dict[str, str] | None = None) -> tuple[str, str]:
    """Run with ``stream`` on a pseudo-terminal of ``columns`` columns: (terminal text, the other stream)."""
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS", "FORCE_COLOR", "TERM")}
    environ |= {"PYTHONPATH": str(REPO), "COLUMNS": str(columns), "NO_COLOR": "1"} | (env or {})
    streams = {"stdout": slave, "stderr": subprocess.PIPE} if stream == "stdout" else {
        "stdout": subprocess.PIPE, "stderr": slave}
    process = subprocess.Popen([sys.executable, *args], cwd=REPO, env=environ, stdin=subprocess.DEVNULL,
                               **streams)  # type: ignore[call-overload]
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    other = (process.stderr if stream == "stdout" else process.stdout).read()
    process.wait(timeout=120)
    return seen.decode("utf-8").replace("\r\n", "\n"), other.decode("utf-8")


# --- help -----------------------------------------------------------------------------------------

COMMANDS = [[], ["check"], ["rules"], ["rule"], ["server"], ["version"], ["cost"], ["cost", "diff"]]


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) or "apilint" for c in COMMANDS])
def test_help_fits_80_columns_and_truncates_nothing(command):
    result = _apilint(*command, "--help", env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Usage: apilint {' '.join(command)}".rstrip())
    assert max(len(line) for line in lines) <= 80
    assert "…" not in result.stdout and "run ." not in result.stdout and "it ." not in result.stdout


def test_check_help_shows_defaults_and_argument_help():
    lines = _apilint("check", "--help", env={"COLUMNS": "80"}).stdout.splitlines()
    assert lines[4:7] == [
        "Arguments:",
        "  PATHS...  Files or directories to check; '-' reads standard input.",
        "            [required]",
    ]
    start = lines.index("  --fail-on [error|warning|info]  Lowest severity that fails the run (default:")
    assert lines[start + 1] == "                                  the configuration's fail-on, else error)."
    assert "  --root PATH                     Repository root; $ref and file references" in lines
    assert "                                  never leave it (default: the git repository" in lines
    assert "  --exit-zero                     Report findings but exit with 0; usage and" in lines


def test_cost_help_shows_long_option_names_whole():
    lines = _apilint("cost", "--help", env={"COLUMNS": "80"}).stdout.splitlines()
    assert "  --messages-received-per-day TEXT" in lines
    assert "  --connection-minutes-per-request TEXT" in lines
    assert "  -f, --format TEXT               text, json or markdown.  [default: text]" in lines
    diff = _apilint("cost", "diff", "--help", env={"COLUMNS": "80"}).stdout.splitlines()
    assert "  --root PATH                   Repository root (default: the git repository" in diff


def test_a_mistyped_command_gets_one_suggestion():
    result = _apilint("chek")
    assert result.returncode == 2
    assert result.stderr == ("Usage: apilint [OPTIONS] COMMAND [ARGS]...\nTry 'apilint --help' for help.\n\n"
                             "Error: No such command 'chek'. Did you mean 'check'?\n")


# --- check: summaries, option forms, exit codes ---------------------------------------------------


def test_many_named_files_without_apis_are_counted_past_the_fifth(tmp_path: Path):
    """A hook passing hundreds of files that are not APIs gets one short line, not every name."""
    names = [f"values-{n:02}.yaml" for n in range(12)]
    for name in names:
        (tmp_path / name).write_text("replicas: 2\n", encoding="utf-8")
    result = run_cli("check", *names, cwd=tmp_path)
    expected = ('No API definition or template found in "values-00.yaml", "values-01.yaml", "values-02.yaml", '
                '"values-03.yaml", "values-04.yaml" and 7 more paths: nothing was checked.\n')
    assert (result.code, result.out) == (0, expected)
    six = run_cli("check", *names[:6], cwd=tmp_path)
    assert six.out.startswith('No API definition or template found in "values-00.yaml", ') and \
        six.out.endswith(', "values-05.yaml": nothing was checked.\n')


def test_a_folder_without_apis_says_nothing_was_checked(tmp_path: Path):
    (tmp_path / "notes.yaml").write_text("title: not an API\n", encoding="utf-8")
    result = run_cli("check", ".", cwd=tmp_path)
    assert (result.code, result.out, result.err) == (
        0, 'No API definition or template found in ".": nothing was checked.\n', "")
    github = run_cli("check", "--format", "github", ".", cwd=tmp_path)
    assert github.out == '::warning title=apilint::No API definition or template found in ".": nothing was checked.\n'

    strict = run_cli("check", "--fail-on-empty", ".", cwd=tmp_path)
    assert (strict.code, strict.out) == (2, 'No API definition or template found in ".": nothing was checked.\n')
    assert strict.err == 'apilint: error: no API definition or template found in ".", and fail-on-empty is set\n'

    (tmp_path / ".apilint.yaml").write_text("fail-on-empty: true\n", encoding="utf-8")
    configured = run_cli("check", ".", cwd=tmp_path)
    assert (configured.code, configured.err) == (
        2, 'apilint: error: no API definition or template found in ".", and fail-on-empty is set\n')


def test_the_summary_counts_the_definition_a_template_reads(tmp_path: Path):
    (tmp_path / "definition.yaml").write_text(
        (FIXTURES / "rules" / "AG418" / "bad-definition.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  OrdersApi:\n    Type: AWS::Serverless::Api\n"
        "    Properties:\n      StageName: prod\n      DefinitionUri: definition.yaml\n      TracingEnabled: yes\n"
        "      MethodSettings:\n        - HttpMethod: '*'\n          ResourcePath: /*\n"
        "          ThrottlingRateLimit: 20000\n", encoding="utf-8")
    for paths in (["."], ["template.yaml"]):
        result = run_cli("check", "--select", "AG418,AG212", *paths, cwd=tmp_path)
        lines = result.out.splitlines()
        assert [line.split(" ")[0] for line in lines[:-1]] == ["definition.yaml:14:9:", "template.yaml:12:11:"]
        assert lines[-1] == "Found 2 problems (1 error, 1 warning, 0 info) in 2 files.", paths
        assert run_cli("check", "--select", "AG418,AG212", "-f", "json", *paths,
                       cwd=tmp_path).json()["summary"]["files"] == 2


@pytest.mark.parametrize("form", [["-f=json"], ["--format=json"], ["-f", "json"], ["-fjson"]])
def test_format_options_in_every_form(form):
    result = run_cli("check", *form, str(BAD_TIMEOUT), cwd=REPO)
    assert result.code == 1, result.err
    assert [f["code"] for f in result.json()["findings"]] == ["AG201"]


def test_choices_are_read_in_any_case():
    lower = run_cli("check", "--api-type", "http", "-f", "json", str(BAD_TIMEOUT), cwd=REPO)
    upper = run_cli("check", "--api-type", "HTTP", "--fail-on", "Error", "-f", "json", str(BAD_TIMEOUT), cwd=REPO)
    assert upper.code == lower.code == 1 and upper.out == lower.out
    assert upper.json()["apis"][0]["api_type"] == "http"


def test_exit_zero_reports_findings_and_exits_0():
    result = run_cli("check", "--exit-zero", "bad.yaml", cwd=BAD_TIMEOUT.parent)
    assert (result.code, result.out) == (0, AG201_LINE + "Found 1 problem (1 error, 0 warnings, 0 info) in 1 file.\n")
    usage = run_cli("check", "--exit-zero", "no-such.yaml", cwd=BAD_TIMEOUT.parent)
    assert (usage.code, usage.err) == (2, "apilint: error: no such file or directory: no-such.yaml\n")


def test_standard_input_is_checked_as_the_named_file():
    result = _apilint("check", "-", "--stdin-filename", "bad.yaml", cwd=BAD_TIMEOUT.parent,
                      stdin=BAD_TIMEOUT.read_text(encoding="utf-8"))
    assert (result.returncode, result.stdout, result.stderr) == (
        1, AG201_LINE + "Found 1 problem (1 error, 0 warnings, 0 info) in 1 file.\n", "")


# --- completion -----------------------------------------------------------------------------------


def test_shell_completion_completes_commands_options_and_rules():
    def complete(words: str) -> list[str]:
        cword = str(len(words.split()) - (0 if words.endswith(" ") else 1))
        result = _apilint(env={"_APILINT_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": cword})
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    assert complete("apilint ch") == ["check"]
    assert complete("apilint check --fail-on-") == ["--fail-on-empty"]
    assert complete("apilint rule AG20") == [r.code for r in load_rules() if r.code.startswith("AG20")]
    script = _apilint("--show-completion", "bash")
    assert script.returncode == 0
    assert script.stdout.rstrip().endswith("complete -o default -F _apilint_completion apilint")


# --- terminal output ------------------------------------------------------------------------------


def test_rules_fit_the_terminal_and_stay_one_line_each_when_piped():
    rules = load_rules()
    piped = _apilint("rules", env={"COLUMNS": "80"}).stdout.splitlines()
    assert len(piped) == len(rules) + 2 and piped[0].split() == ["code", "name", "severity", "api", "types", "fix",
                                                                 "summary"]
    assert piped[2].startswith("AG001   parse-error ") and piped[2].endswith(rules[0].summary)

    wide, _ = _on_terminal(["-m", "apilint", "rules"], 160)
    assert max(len(line) for line in wide.splitlines()) <= 160
    summary_at = " " * 94
    assert wide.splitlines()[2:4] == [
        "AG001   parse-error" + " " * 35 + "error       http,rest,websocket         The file is not valid YAML, "
                                           "JSON or Terraform HCL, has a duplicate",
        summary_at + "key, or cannot be decoded.",
    ]
    narrow, _ = _on_terminal(["-m", "apilint", "rules"], 80)
    assert max(len(line) for line in narrow.splitlines()) <= 80
    assert narrow.splitlines()[:4] == [
        "AG001  parse-error",
        "       error; http, rest, websocket",
        "       The file is not valid YAML, JSON or Terraform HCL, has a duplicate key,",
        "       or cannot be decoded.",
    ]


def test_rule_is_rendered_on_a_terminal_and_markdown_when_piped():
    rule = find_rule("AG201")
    assert _apilint("rule", "AG201").stdout == rule_markdown(rule) + "\n"
    shown, _ = _on_terminal(["-m", "apilint", "rule", "AG201"], 80)
    lines = shown.splitlines()
    assert lines[0].strip() == "AG201 integration-timeout-out-of-range"
    assert lines[2:6] == [
        "An integration timeout outside the range the API type and endpoint type allow.",
        "",
        " • Default severity: error",
        " • API types: HTTP, REST, WebSocket",
    ]
    assert "## " not in shown and "**" not in shown and max(len(line) for line in lines) <= 80
    raw, _ = _on_terminal(["-m", "apilint", "rule", "AG201", "--format", "markdown"], 80)
    assert raw == rule_markdown(rule) + "\n"


# --- progress -------------------------------------------------------------------------------------

_NO_DELAY = ("import sys, apilint.terminal as t; t.PROGRESS_DELAY = t.PROGRESS_INTERVAL = 0.0; "
             "from apilint.cli import main; main(sys.argv[1:])")


def test_progress_shows_on_a_terminal_and_never_in_ci_or_machine_formats():
    folder = "fixtures/rules/AG201"
    files = sorted(p.name for p in (REPO / folder).iterdir() if p.suffix == ".yaml" and p.name != "cases.yaml")
    count = len(files)
    shown, out = _on_terminal(["-c", _NO_DELAY, "check", "-j", "1", "--exclude", "cases.yaml", folder], 80,
                              stream="stderr")
    assert shown == "".join(f"\r\x1b[Kapilint: checked {n} of {count} files" for n in range(1, count + 1)) + "\r\x1b[K"
    assert out.endswith(" files.\n")
    for env, args in (({"CI": "true"}, []), ({}, ["-f", "json"]), ({"TERM": "dumb"}, [])):
        quiet, _ = _on_terminal(["-c", _NO_DELAY, "check", "-j", "1", *args, folder], 80, stream="stderr", env=env)
        assert quiet == "", (env, args)
    # A run of one file shows nothing, and neither does a short run: progress waits for the first second.
    single, _ = _on_terminal(["-c", _NO_DELAY, "check", str(BAD_TIMEOUT)], 80, stream="stderr")
    assert single == ""
    waiting = _NO_DELAY.replace("t.PROGRESS_DELAY = t.PROGRESS_INTERVAL = 0.0", "t.PROGRESS_DELAY = 3600.0")
    short, _ = _on_terminal(["-c", waiting, "check", "-j", "1", folder], 80, stream="stderr")
    assert short == ""
    assert json.loads(_apilint("check", "-f", "json", folder).stdout)["summary"]["files"] == count
