"""The command as a whole: any mix of flags ends in a report or error lines, never a traceback."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cost.cost_support import estimate_of, run_cost

VALUES = {
    "--api-type": ["rest", "http", "websocket", "soap"],
    "--requests": ["0", "5M", "1.08M", "15B", "400M", "12X", "-1"],
    "--request-size-kb": ["0", "12", "4608", "513", "20000", "x"],
    "--response-size-kb": ["0", "3", "46", "1024"],
    "--cache-size-gb": ["0.5", "1.5", "237", "300", "0"],
    "--messages": ["0", "18M", "1.5B", "bad"],
    "--message-size-kb": ["3", "33", "128", "129"],
    "--connection-minutes": ["0", "21.6M", "1.5"],
    "--messages-per-request": ["1", "2", "3.5", "0"],
    "--connection-minutes-per-request": ["0", "1", "2.5"],
    "--endpoint-type": ["edge", "regional", "private", "public"],
    "--vpc-endpoint-azs": ["0", "1", "3"],
    "--hours-per-month": ["730", "720", "24", "0"],
    "--region": ["us-east-1", "us-east-2", "eu-west-3", "ap-northeast-2", "eu-north-1", "nowhere"],
    "--format": ["text", "json", "markdown"],
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(sorted(VALUES)), st.data(), min_size=1, max_size=8))
def test_any_flags_end_in_a_report_or_error_lines(flags: dict) -> None:
    args: list[str] = []
    for flag, data in sorted(flags.items()):
        args += [flag, data.draw(st.sampled_from(VALUES[flag]))]
    run = run_cost(*args)
    assert run.exit_code in (0, 2)
    if run.exit_code == 2:
        assert run.stdout == ""
        lines = run.stderr.splitlines()
        assert lines and all(line.startswith("apilint: error: ") for line in lines)
        assert run.stderr.endswith("\n") and "Traceback" not in run.stderr
    else:
        assert run.stderr == "" and run.stdout


def test_a_tie_keeps_the_current_type() -> None:
    report = run_cost("--api-type", "websocket", "--messages", "5M", "-f", "json").json()
    assert [estimate_of(report, t)["monthly_usd"] for t in ("http", "websocket")] == [5.00, 5.00]
    assert (report["cheapest"], report["savings"]) == (
        "websocket",
        {"api_type": "websocket", "monthly_usd": 0.0},
    )


def test_main_runs_the_command_on_its_own(capsys) -> None:
    from apilint.cost.cli import main

    assert main(["--requests", "432M", "--api-type", "http", "--format", "json"]) == 0
    assert '"monthly_usd": 418.8' in capsys.readouterr().out
    assert main(["--requests", "432M", "--no-such-flag"]) == 2
    # click words it one way up to 8.3 and the other from 8.4 (both are releases apilint accepts)
    assert capsys.readouterr().err in ("apilint: error: No such option '--no-such-flag'.\n",
                                       "apilint: error: No such option: --no-such-flag\n")
    assert main(["--requests", "12X"]) == 2
