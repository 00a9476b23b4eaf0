"""`apilint check` lines are read without typer when they are well-formed; the run must be the same."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
import typer.main

from apilint import cli, commands, options
from tests.conftest import REPO, run_cli


def _click_check() -> click.Command:
    group = typer.main.get_command(commands.app)
    return group.commands["check"]  # type: ignore[attr-defined]


def test_the_option_table_matches_the_typer_command():
    declared = {p.name: p for p in _click_check().params if isinstance(p, click.Option)}
    assert set(declared) == set(options.CHECK_OPTIONS)
    for name, option in declared.items():
        names, kind = options.CHECK_OPTIONS[name]
        assert set(option.opts + option.secondary_opts) == set(names), name
        assert option.is_flag == (kind == "flag"), name
        assert option.multiple == (kind == "many"), name
        if kind == "choice":
            assert isinstance(option.type, click.Choice) and tuple(option.type.choices) == options.CHOICES[name]
        if kind == "count":
            assert isinstance(option.type, click.IntRange) and option.type.min == 0
        if kind == "path":
            assert isinstance(option.type, click.Path), name
        # Every option is absent by default, so check_request() is where every default lives.
        assert option.default in (None, False), name


def _request_from(monkeypatch, read, args):
    """The CheckRequest that ``read(args)`` hands to run_check."""
    import apilint.runner

    seen = []
    monkeypatch.setattr(apilint.runner, "run_check", lambda request: seen.append(request) or 0)
    read(args)
    assert len(seen) == 1
    return seen[0]


LINES = [
    ["check", "api.yaml"],
    ["check", "a.yaml", "b.json", "folder"],
    ["check", "--format", "json", "api.yaml"],
    ["check", "api.yaml", "--format=sarif=out/apilint.sarif", "-f", "text"],
    ["check", "-o", "report.txt", "api.yaml"],
    ["check", "--output-dir", "reports", "-f", "sarif", "-f", "json", "api.yaml"],
    ["check", "--api-type", "http", "--endpoint-type", "regional", "--region", "eu-west-1", "api.yaml"],
    ["check", "--config", "ci.yaml", "--select", "AG1,AG2", "--select", "AG501", "--ignore", "AG301", "x.yaml"],
    ["check", "--fail-on=warning", "--exclude", "build/**", "--exclude", "vendor", "."],
    ["check", "--baseline", "base.json", "--usage", "usage.yaml", "-f", "markdown", "."],
    ["check", "--write-baseline", "base.json", "."],
    ["check", "--max-file-size", "64MB", "--root", "..", "-j", "2", "--jobs", "0", "-v", "--debug", "a.yaml"],
    ["check", "--verbose", "--", "-odd-name.yaml", "--"],
    ["check", "-f=json", "-o=report.json", "-c=ci.yaml", "-j=2", "api.yaml"],
    ["check", "--api-type", "HTTP", "--endpoint-type=Regional", "--fail-on", "WARNING", "api.yaml"],
    ["check", "--exit-zero", "--fail-on-empty", "."],
]


@pytest.mark.parametrize("args", LINES, ids=[" ".join(a[1:]) for a in LINES])
def test_the_reader_and_the_parser_make_the_same_run(monkeypatch, args):
    assert options.parse_check_line(args) is not None
    fast = _request_from(monkeypatch, lambda a: cli._read_check(options.parse_check_line(a)), args)
    full = _request_from(monkeypatch, commands.run_app, args)
    assert fast == full


@pytest.mark.parametrize(
    "args",
    [
        ["check"],  # no path: the parser says so
        ["check", "-h"],
        ["check", "--help", "a.yaml"],
        ["check", "-vj2", "a.yaml"],  # clustered short options
        ["check", "-fjson", "a.yaml"],  # value attached to a short option
        ["check", "--api-type", "SOAP", "a.yaml"],  # not one of the choices
        ["check", "--jobs", "-1", "a.yaml"],
        ["check", "--jobs", "two", "a.yaml"],
        ["check", "--format", "a.yaml"],  # the value is the path: no path left
        ["check", "a.yaml", "--format"],  # no value
        ["check", "--verbose=yes", "a.yaml"],
        ["check", "--no-such-option", "a.yaml"],
        ["check", "-", "a.yaml"],
        ["check", "", "a.yaml"],
        ["rules"],
        ["--version"],
        [],
    ],
)
def test_lines_the_reader_is_not_sure_of_go_to_the_parser(args):
    assert options.parse_check_line(args) is None


@pytest.mark.parametrize(
    "args, message",
    [
        (["check", "--api-type", "SOAP", "a.yaml"], "'SOAP' is not one of"),
        (["check", "--jobs", "-1", "a.yaml"], "-1"),
        (["check", "--no-such-option", "a.yaml"], "No such option"),
        (["check"], "Missing argument"),
    ],
)
def test_the_parser_reports_what_the_reader_left_to_it(args, message):
    result = run_cli(*args)
    assert result.code == 2
    assert message in result.err


def test_a_plain_check_does_not_import_typer(tmp_path):
    definition = tmp_path / "api.yaml"
    definition.write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n", encoding="utf-8")
    probe = (
        "import sys\n"
        "from apilint.cli import main\n"
        "try:\n"
        "    main(['check', '--format', 'json', sys.argv[1]])\n"
        "except SystemExit as exit_:\n"
        "    code = exit_.code\n"
        "print(code, 'typer' in sys.modules, 'click' in sys.modules, file=sys.stderr)\n"
    )
    completed = subprocess.run([sys.executable, "-c", probe, str(definition)], capture_output=True, text=True,
                               cwd=REPO, timeout=60, check=False)
    assert completed.stderr.strip().splitlines()[-1] == "0 False False"
    assert '"findings": []' in completed.stdout


def test_output_is_the_same_either_way(monkeypatch):
    args = ["check", "--select", "AG101,AG201", "fixtures/examples"]
    fast = run_cli(*args, cwd=REPO)
    monkeypatch.setattr(cli, "parse_check_line", lambda _args: None)
    full = run_cli(*args, cwd=REPO)
    assert (fast.code, fast.out, fast.err) == (full.code, full.out, full.err)
    assert fast.code == 1 and "AG201" in fast.out


def _entry_point(body: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """Run ``body`` then the process entry point with ``argv`` in a fresh interpreter."""
    script = f"import sys\n{body}\nfrom apilint.cli import run\nsys.argv = ['apilint', *{list(argv)!r}]\nrun()\n"
    return subprocess.run([sys.executable, "-c", script], env=_buffered(), check=False, capture_output=True,
                          text=True, timeout=120)


def _buffered() -> dict[str, str]:
    """The environment with output to a pipe buffered, as it is unless the user says otherwise."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"} | {"PYTHONPATH": str(REPO)}


def test_the_process_entry_point_exits_with_mains_code_runs_exit_handlers_and_skips_the_teardown(tmp_path):
    """``python -m apilint`` and the ``apilint`` command run main, the exit handlers (what they print
    arrives) and leave without the interpreter freeing every object: a module-level object's
    finalizer never runs. The exit code is main's."""
    done = _entry_point(
        "import atexit, os\n"
        "class Noisy:\n"
        "    def __del__(self): os.write(1, b'torn down\\n')\n"
        "kept = Noisy()\n"
        "atexit.register(lambda: print('handler ran'))",
        "check", str(tmp_path / "missing.yaml"))
    assert done.returncode == 2, done.stderr
    assert done.stdout == "handler ran\n"
    assert "no such file or directory" in done.stderr


def test_a_thread_still_running_gets_the_interpreters_own_exit(tmp_path):
    """With another thread running, the process waits for it as the interpreter always does."""
    (tmp_path / "api.yaml").write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n",
                                       encoding="utf-8")
    done = _entry_point(
        "import threading, time\n"
        "threading.Thread(target=lambda: (time.sleep(0.3), print('thread finished'))).start()",
        "check", str(tmp_path / "api.yaml"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("thread finished\n")


def test_a_string_given_to_sys_exit_is_printed_and_exits_1():
    """As the interpreter does it: the message on standard error, exit code 1."""
    done = _entry_point("import apilint.cli\napilint.cli.main = lambda: sys.exit('stopped: reason')")
    assert (done.returncode, done.stdout, done.stderr) == (1, "", "stopped: reason\n")


def test_the_whole_report_reaches_a_pipe_before_the_process_leaves(tmp_path):
    """Standard output is flushed before ``os._exit``: a large report through a pipe is the report
    written to a file, byte for byte."""
    written = tmp_path / "report.json"
    environ = _buffered()
    to_file = subprocess.run([sys.executable, "-m", "apilint", "check", "fixtures", "-f", "json", "-o", str(written)],
                             cwd=REPO, env=environ, capture_output=True, check=False, timeout=300)
    piped = subprocess.run([sys.executable, "-m", "apilint", "check", "fixtures", "-f", "json"],
                           cwd=REPO, env=environ, capture_output=True, check=False, timeout=300)
    assert to_file.returncode == piped.returncode == 1
    assert len(piped.stdout) > 200_000  # larger than a pipe holds: written while the reader reads
    assert piped.stdout == written.read_bytes()


def test_a_reader_that_closes_the_pipe_early_ends_the_run_quietly_with_141():
    """``apilint check ... | head``: no traceback and no internal error, the code of a program
    stopped by SIGPIPE, as the other programs of a pipeline report it."""
    environ = _buffered()
    process = subprocess.Popen([sys.executable, "-m", "apilint", "check", "fixtures", "-f", "json"], cwd=REPO,
                               env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(10) == b'{\n  "versi'
    process.stdout.close()  # the report is larger than the pipe: the next write finds no reader
    error = process.stderr.read()
    assert process.wait(timeout=300) == 141
    assert error == b""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full to fill")
@pytest.mark.parametrize(("args", "message"), [
    (["check", "fixtures/examples/payments-sam"], "apilint: error: cannot write standard output: No space left on device\n"),
    (["check", "fixtures", "-f", "json"], "apilint: error: cannot write standard output: No space left on device\n"),
    (["rules"], "apilint: error: No space left on device\n"),
])
def test_a_full_disk_under_standard_output_is_the_machines_error_not_a_bug(args, message):
    """Output that cannot be written (``> /dev/full``) gives a message and exit code 2, never an
    internal error with a request to report a bug."""
    with open("/dev/full", "w", encoding="utf-8") as full:
        done = subprocess.run([sys.executable, "-m", "apilint", *args], cwd=REPO, env=_buffered(), stdout=full,
                              stderr=subprocess.PIPE, text=True, check=False, timeout=300)
    assert (done.returncode, done.stderr) == (2, message)


def test_a_closed_standard_output_is_a_message_not_a_bug():
    """``apilint check ... >&-``: exit code 2 and the reason, as when it cannot be written."""
    done = subprocess.run([sys.executable, "-m", "apilint", "check", "fixtures/examples/payments-sam"], cwd=REPO,
                          env=_buffered(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
                          timeout=300, preexec_fn=lambda: os.close(1))
    assert (done.returncode, done.stderr) == (2, "apilint: error: cannot write standard output: it is closed\n")


def test_a_deleted_working_directory_is_a_message_not_a_bug(tmp_path):
    """A shell still in a folder that was deleted: exit code 2 and what to do, for any path given."""
    gone = tmp_path / "gone"
    gone.mkdir()
    example = REPO / "fixtures" / "examples" / "payments-sam"

    def leave_it_deleted() -> None:
        os.chdir(gone)
        os.rmdir(gone)

    for args in (["check", "."], ["check", str(example)], ["check", str(example), "--jobs", "2"]):
        done = subprocess.run([sys.executable, "-m", "apilint", *args], env=_buffered(), capture_output=True,
                              text=True, check=False, timeout=300, preexec_fn=leave_it_deleted)
        assert (done.returncode, done.stdout) == (2, ""), args
        assert done.stderr == ("apilint: error: the working directory no longer exists (it was deleted); run "
                               "apilint from a folder that exists\n"), args
        gone.mkdir()


def test_an_output_encoding_that_cannot_write_a_character_gets_an_escape_not_an_error(tmp_path):
    """A Windows code page on a redirected output, or ``PYTHONIOENCODING=ascii``: the report arrives,
    what the encoding cannot write is escaped (as standard error does), and the exit code is the run's."""
    (tmp_path / "caf\u00e9.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /caf\u00e9:\n    get:\n"
        "      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: 'https://ex.com', "
        "timeoutInMillis: 45000}\n      responses: {'200': {description: ok}}\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "apilint", "check", "."], cwd=tmp_path,
                          env=_buffered() | {"PYTHONIOENCODING": "ascii"}, capture_output=True, check=False,
                          timeout=300)
    assert (done.returncode, done.stderr) == (1, b"")
    assert done.stdout.startswith(b"caf\\xe9.yaml:6:99: error AG201 integration timeout 45,000 ms")


def test_reading_a_closed_standard_input_is_a_message_not_a_bug():
    """``apilint check - <&-``: exit code 2 and why."""
    done = subprocess.run([sys.executable, "-m", "apilint", "check", "-", "--stdin-filename", "api.yaml"], cwd=REPO,
                          env=_buffered(), capture_output=True, text=True, check=False, timeout=300,
                          preexec_fn=lambda: os.close(0))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "apilint: error: '-' reads standard input, which is closed\n"
