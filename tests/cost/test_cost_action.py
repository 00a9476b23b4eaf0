"""The action's cost step, run as a GitHub runner runs it, on the repository of test_cost_diff."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cost.test_cost_diff import repo  # noqa: F401 - the fixture
from tests.integrations.test_github_action import ActionRun

pytestmark = pytest.mark.skipif(shutil.which("bash") is None or shutil.which("git") is None,
                                reason="needs bash and git")


def test_the_cost_diff_goes_to_the_summary_and_an_output(repo: Path, tmp_path: Path) -> None:  # noqa: F811
    (tmp_path / "runner").mkdir()
    inputs = {"paths": "infra", "cost-base": "base", "usage-file": "infra/usage.yaml", "fail-on": "error"}
    run = ActionRun(repo, tmp_path / "runner", inputs)
    code = run.run()
    assert code == 0, {step: log.stderr for step, log in run.logs.items()}
    outputs = run.step_outputs["cost"]
    comment = Path(outputs["cost-markdown-file"]).read_text()
    assert comment.startswith(
        "### API Gateway cost: Monthly cost -$61.00 (-3.4%): $1,813.49 → $1,752.49 a month\n"
    )
    assert outputs["cost-markdown"] + "\n" == comment
    assert run.summary.read_text().endswith(comment)


def test_without_cost_base_the_step_does_nothing(repo: Path, tmp_path: Path) -> None:  # noqa: F811
    (tmp_path / "runner").mkdir()
    run = ActionRun(repo, tmp_path / "runner", {"paths": "infra", "fail-on": "error"})
    assert run.run() == 0
    # The step's if: is false without cost-base, so the runner skips it, as GitHub does.
    assert "cost" not in run.logs and run.step_outputs.get("cost", {}) == {}
