"""The composite action, run step by step the way a GitHub runner runs it.

Each ``run:`` step of ``action.yml`` gets its ``${{ ... }}`` expressions substituted, its ``env``, and
the files a runner provides (``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``, ``GITHUB_PATH``), and runs
under ``bash --noprofile --norc -eo pipefail`` as GitHub's ``shell: bash`` does. A step's ``if:``
(``steps.ID.outputs.NAME != ''`` and ``==``) is evaluated; ``uses:`` steps (the pip cache) are
recorded, not run. The install step is skipped with ``APILINT_SKIP_INSTALL``; ``apilint`` on the
PATH runs this checkout.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.integrations.conftest import ALL_FINDINGS_IN_APIS, CONFIG, CORE, USAGE

ACTION = REPO / "action.yml"
#: The OASIS SARIF 2.1.0 schema (errata 01), kept as test data so the SARIF tests run everywhere.
SARIF_SCHEMA = REPO / "tests" / "data" / "sarif-2.1.0.schema.json"
_EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


def _read_outputs(path: Path) -> dict[str, str]:
    """``name=value`` lines, and ``name<<DELIMITER`` blocks, as the runner reads them."""
    outputs: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, index + 1)
            outputs[name] = "\n".join(lines[index + 1:end])
            index = end + 1
            continue
        name, _, value = line.partition("=")
        outputs[name] = value
        index += 1
    return outputs


class ActionRun:
    """One run of the composite action in a workspace folder."""

    def __init__(self, workspace: Path, temp: Path, inputs: dict[str, str], environ: dict[str, str] | None = None):
        self.action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
        declared = self.action["inputs"]
        unknown = set(inputs) - set(declared)
        assert not unknown, f"inputs the action does not declare: {unknown}"
        self.inputs = {name: str(spec.get("default", "")) for name, spec in declared.items()} | inputs
        self.workspace = workspace
        self.temp = temp
        self.summary = temp / "step-summary.md"
        self.path_file = temp / "github-path"
        self.step_outputs: dict[str, dict[str, str]] = {}
        self.logs: dict[str, subprocess.CompletedProcess] = {}
        #: Environment of the job (RUNNER_OS, APILINT_SKIP_INSTALL=1 unless the test says otherwise).
        self.environ = {"RUNNER_OS": "Linux", "APILINT_SKIP_INSTALL": "1"} | (environ or {})
        #: ``uses:`` steps whose condition held, with their expanded ``with:`` values.
        self.used: dict[str, dict[str, str]] = {}
        self.bin = temp / "bin"
        self.bin.mkdir()
        # `apilint` and `python3` on the PATH run this checkout with the test's interpreter.
        (self.bin / "apilint").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m apilint "$@"\n', encoding="utf-8")
        (self.bin / "apilint").chmod(0o755)
        (self.bin / "python3").symlink_to(sys.executable)

    def expand(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            expression = match.group(1)
            scope, _, rest = expression.partition(".")
            if scope == "inputs":
                return self.inputs[rest]
            if expression == "github.action_path":
                return str(REPO)
            if expression == "runner.temp":
                return str(self.temp)
            if scope == "steps":
                step, _, output = rest.partition(".outputs.")
                return self.step_outputs.get(step, {}).get(output, "")
            raise AssertionError(f"the test runner does not know the expression {expression!r}")

        return _EXPRESSION.sub(value, text)

    def condition(self, expression: str) -> bool:
        """A step's ``if:``: ``steps.ID.outputs.NAME`` compared with ``==`` or ``!=`` to a quoted string."""
        expression = expression.strip()
        if expression.startswith("${{") and expression.endswith("}}"):
            expression = expression[3:-2].strip()
        expression = expression.removeprefix("always() &&").strip()
        match = re.fullmatch(r"((?:steps\.[\w-]+\.outputs|inputs)\.[\w-]+)\s*(==|!=)\s*'([^']*)'", expression)
        assert match, f"the test runner does not know the condition {expression!r}"
        left = self.expand("${{ " + match.group(1) + " }}")
        return (left == match.group(3)) == (match.group(2) == "==")

    def run(self, until: str | None = None) -> int:
        """Run every step in order; stop at the first failing one, as a runner does. Returns its code.

        ``until``: stop after the step of that id.
        """
        for number, step in enumerate(self.action["runs"]["steps"]):
            step_id = step.get("id", f"step{number}")
            if "if" in step and not self.condition(str(step["if"])):
                continue
            if "uses" in step:
                self.used[step["uses"]] = {k: self.expand(str(v)) for k, v in (step.get("with") or {}).items()}
                continue
            assert step.get("shell") == "bash", "every step says shell: bash"
            output_file = self.temp / f"output-{step_id}"
            output_file.touch()
            env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_", "INPUT_"))}
            env.update({key: self.expand(str(value)) for key, value in (step.get("env") or {}).items()})
            env.update({
                "GITHUB_ACTIONS": "true",
                "GITHUB_OUTPUT": str(output_file),
                "GITHUB_STEP_SUMMARY": str(self.summary),
                "GITHUB_PATH": str(self.path_file),
                "GITHUB_ENV": str(self.temp / "github-env"),
                "GITHUB_WORKSPACE": str(self.workspace),
                "RUNNER_TEMP": str(self.temp),
                **self.environ,
                "PATH": f"{self.bin}{os.pathsep}{env.get('PATH', '')}",
                "PYTHONPATH": str(REPO),
                "NO_COLOR": "1",
            })
            script = self.temp / f"{step_id}.sh"
            script.write_text(self.expand(step["run"]), encoding="utf-8")
            completed = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                                       cwd=self.workspace, env=env, capture_output=True, text=True, timeout=300,
                                       check=False)
            self.logs[step_id] = completed
            self.step_outputs[step_id] = _read_outputs(output_file)
            if completed.returncode != 0 or step_id == until:
                return completed.returncode
        return 0

    def outputs(self) -> dict[str, str]:
        return {name: self.expand(spec["value"]) for name, spec in self.action["outputs"].items()}


@pytest.fixture
def action_run(project: Path, tmp_path_factory: pytest.TempPathFactory):
    def start(environ: dict[str, str] | None = None, **inputs: str) -> ActionRun:
        return ActionRun(project, tmp_path_factory.mktemp("runner"), {k.replace("_", "-"): v for k, v in inputs.items()},
                         environ)

    return start


def test_action_annotates_writes_sarif_summary_and_outputs(action_run):
    run = action_run(paths="apis", extra_args=f"--select {CORE}")
    code = run.run()
    check = run.logs["check"]
    assert code == 1, check.stdout + check.stderr
    assert "using the installed" in run.logs["install"].stdout

    # Annotations on standard output, one per finding, at the findings' positions.
    annotations = [line for line in check.stdout.splitlines() if line.startswith("::")]
    positions = [(re.search(r"file=([^,]+),line=(\d+),col=(\d+)", line).groups(), line.split(" ")[0][2:],
                  re.search(r"title=(AG\d+)", line).group(1)) for line in annotations]
    assert positions == [((f, str(line), str(col)), {"info": "notice"}.get(sev, sev), code)
                         for f, line, col, code, sev in ALL_FINDINGS_IN_APIS]

    # The SARIF file is where the output says, and valid.
    # Without a sarif-file input, the SARIF file goes to the runner's temporary folder, not the checkout.
    outputs = run.outputs()
    sarif_path = Path(outputs["sarif-file"])
    assert sarif_path == run.temp / "apilint-reports" / "apilint.sarif" and sarif_path.is_file()
    assert not (run.workspace / "apilint.sarif").exists()
    sarif = json.loads(sarif_path.read_text(encoding="utf-8"))
    import jsonschema

    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in sarif["runs"][0]["results"]] == [(code, line) for _, line, _, code, _ in ALL_FINDINGS_IN_APIS]

    # The job summary holds the Markdown report.
    summary = run.summary.read_text(encoding="utf-8")
    assert summary.startswith("## apilint\n\n**Failed**: 6 problems (5 errors, 1 warning, 0 info) in 4 files")
    assert "`apis/bad-http-api.yaml:19:9`" in summary and "### Cost" not in summary

    assert {k: outputs[k] for k in ("errors", "warnings", "infos", "total", "exit-code")} == {
        "errors": "5", "warnings": "1", "infos": "0", "total": "6", "exit-code": "1"}
    assert Path(outputs["markdown-file"]).read_text(encoding="utf-8") == summary


def test_action_passes_on_clean_paths_and_honours_inputs(action_run, project: Path):
    (project / "lint.yaml").write_text(CONFIG + "select: [AG001, AG101, AG201]\nfail-on: error\n", encoding="utf-8")
    run = action_run(paths="apis/good-http-api.yaml\napis/regional-rest-api.yaml", config="lint.yaml",
                     sarif_file="reports/apilint.sarif")
    assert run.run() == 0, run.logs["check"].stdout + run.logs["check"].stderr
    outputs = run.outputs()
    assert outputs["exit-code"] == "0" and outputs["warnings"] == "1" and outputs["errors"] == "0"
    assert (project / "reports" / "apilint.sarif").is_file() and outputs["sarif-file"] == "reports/apilint.sarif"
    assert run.logs["check"].stdout.splitlines()[0].startswith(
        "::warning file=apis/regional-rest-api.yaml,line=17,col=9,")

    stricter = action_run(paths="apis/regional-rest-api.yaml", config="lint.yaml", fail_on="warning")
    assert stricter.run() == 1
    assert stricter.outputs()["exit-code"] == "1"


def test_action_adds_the_cost_report_when_given_a_usage_file(action_run, project: Path):
    (project / "usage.yaml").write_text(USAGE, encoding="utf-8")
    run = action_run(paths="apis/good-http-api.yaml", usage_file="usage.yaml", extra_args=f"--select {CORE}")
    assert run.run() == 0, run.logs["check"].stdout + run.logs["check"].stderr
    summary = run.summary.read_text(encoding="utf-8")
    assert summary.startswith("## apilint\n\n**Passed**: no problems found in 1 file.")
    assert "\n## API Gateway cost estimate: eu-west-1\n" in summary and "### inventory" in summary


def test_action_install_step_can_be_skipped_and_otherwise_uses_a_virtualenv(action_run):
    run = action_run(paths="apis/good-http-api.yaml", install="false", environ={"APILINT_SKIP_INSTALL": ""})
    assert run.run() == 0
    assert "using the installed" in run.logs["install"].stdout
    assert not run.path_file.exists() or run.path_file.read_text(encoding="utf-8") == ""
    assert run.used == {}, "nothing to cache when nothing is installed"
    install = next(step for step in run.action["runs"]["steps"] if step.get("id") == "install")
    assert '-m venv "${VENV}"' in install["run"] and '"apilint==${INPUT_VERSION}"' in install["run"]
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"


@pytest.mark.parametrize(("value", "installs"), [("1", False), ("true", False), ("TRUE", False), ("yes", False),
                                                 ("0", True), ("false", True), ("", True)])
def test_apilint_skip_install_skips_only_when_set_to_a_true_value(action_run, value, installs):
    run = action_run(environ={"APILINT_SKIP_INSTALL": value})
    assert run.run(until="prepare") == 0, run.logs["prepare"].stderr
    outputs = run.step_outputs["prepare"]
    assert outputs["install"] == str(installs).lower()
    if installs:
        # pip's downloads are cached, keyed on the pinned releases, the Python and the platform.
        assert re.fullmatch(r"apilint-pip-\w+-\w+-py3\.\d+-[0-9a-f]{16}", outputs["cache-key"]), outputs
        assert outputs["cache-dir"]
        assert run.condition("steps.prepare.outputs.cache-key != ''")
    else:
        assert "cache-key" not in outputs


def test_the_pip_cache_is_used_only_when_installing(action_run):
    run = action_run(environ={"APILINT_SKIP_INSTALL": "0"})
    run.run(until="prepare")
    (cache_step,) = [s for s in run.action["runs"]["steps"] if "uses" in s]
    assert cache_step["uses"].startswith("actions/cache@") and run.condition(cache_step["if"])
    no_cache = action_run(environ={"APILINT_SKIP_INSTALL": "0"}, cache="false")
    no_cache.run(until="prepare")
    assert not no_cache.condition(cache_step["if"])


def test_action_says_clearly_that_windows_runners_are_not_supported(action_run):
    run = action_run(environ={"RUNNER_OS": "Windows"})
    assert run.run() == 1
    assert run.logs["prepare"].stdout.startswith(
        "::error title=apilint::The apilint action runs on Linux and macOS runners only.")
    assert set(run.logs) == {"prepare"}


def test_extra_args_keep_every_line_and_quoted_values(action_run, project: Path):
    (project / "my config.yaml").write_text(CONFIG + "fail-on: error\n", encoding="utf-8")
    run = action_run(paths="apis/good-http-api.yaml",
                     extra_args=f"--select {CORE}\n--config 'my config.yaml'\n--format \"text=out dir/report.txt\"")
    assert run.run() == 0, run.logs["check"].stdout + run.logs["check"].stderr
    assert (project / "out dir" / "report.txt").read_text(encoding="utf-8") == "No problems found in 1 file.\n"

    broken = action_run(paths="apis/good-http-api.yaml", extra_args="--config 'unclosed")
    assert broken.run() == 2
    assert broken.logs["prepare"].stdout == (
        "::error title=apilint::extra-args cannot be split into arguments (an unclosed quote?): --config 'unclosed\n")
    assert set(broken.logs) == {"prepare"}


def test_cost_args_are_split_as_extra_args_are(action_run):
    run = action_run(cost_args="--region 'eu-west-1'\n--requests \"5 M\"  --free-tier", extra_args="-v")
    assert run.run(until="prepare") == 0, run.logs["prepare"].stdout + run.logs["prepare"].stderr
    reports = run.temp / "apilint-reports"
    assert (reports / "cost-args").read_text(encoding="utf-8").split("\0") == [
        "--region", "eu-west-1", "--requests", "5 M", "--free-tier", ""]
    assert (reports / "extra-args").read_text(encoding="utf-8") == "-v\0"
    cost = next(step for step in run.action["runs"]["steps"] if step.get("id") == "cost")
    assert 'done < "${REPORT_DIR}/cost-args"' in cost["run"] and "INPUT_COST_ARGS" not in cost["run"]


def test_soft_fail_reports_findings_without_failing_the_step(action_run):
    run = action_run(paths="apis", extra_args=f"--select {CORE}", soft_fail="true")
    assert run.run() == 0, run.logs["check"].stderr
    assert run.outputs()["exit-code"] == "1" and run.outputs()["errors"] == "5"
    assert "soft-fail is set" in run.logs["check"].stdout
    usage_error = action_run(paths="no-such-folder", soft_fail="true")
    assert usage_error.run() == 2 and usage_error.outputs()["exit-code"] == "2"


def test_action_uses_no_token():
    """Fork pull requests get a read-only token; the action must not need one."""
    text = ACTION.read_text(encoding="utf-8")
    assert "GITHUB_TOKEN" not in text and "secrets." not in text and "github.token" not in text
