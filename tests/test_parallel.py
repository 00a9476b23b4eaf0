"""Many files on several workers: the same findings as one worker, and batches that even out the work."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from apilint import parallel
from apilint.config import load_config
from apilint.engine import RunOptions
from apilint.parallel import BATCH_SHARE, batches, check_files
from tests.conftest import FIXTURES, run_cli


def _files(tmp_path: Path, sizes: list[int]) -> list[Path]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, size in enumerate(sizes):
        path = tmp_path / f"f{number}.yaml"
        path.write_bytes(b"#" * size)
        paths.append(path)
    return paths


def test_batches_hold_every_file_once_largest_first(tmp_path):
    sizes = [100, 5_000_000, 300, 40_000, 2_000_000, *([1_000] * 50)]
    paths = _files(tmp_path, sizes)
    planned = batches(paths, jobs=2)
    indexes = [index for batch in planned for index, _ in batch]
    assert sorted(indexes) == list(range(len(paths)))
    assert all(paths[index] == path for batch in planned for index, path in batch)
    # the two big files are batches of their own, handed out first, then the 40 KB file
    assert planned[0] == [(1, paths[1])] and planned[1] == [(4, paths[4])]
    assert planned[2][0] == (3, paths[3])
    # the small files share batches instead of travelling one by one, the last ones alone
    assert max(len(batch) for batch in planned) > 3 and len(planned[-1]) == 1
    assert len(planned) < len(paths) * 2 // 3


def test_batches_shrink_towards_the_end_of_the_work(tmp_path):
    paths = _files(tmp_path, [2_000] * 200)
    planned = batches(paths, jobs=2)
    sizes = [len(batch) for batch in planned]
    # each batch is a quarter of what is left per worker: 200 files / 2 workers / 4 = 25 first
    assert sizes[0] == 200 // (2 * BATCH_SHARE)
    assert sizes == sorted(sizes, reverse=True)
    # the last ones are single files, so the workers run out of work a small file apart
    assert sizes[-4:] == [1, 1, 1, 1]
    assert sum(sizes) == 200 and len(planned) <= 40


def test_two_workers_report_what_one_reports():
    folder = FIXTURES / "rules"
    one = run_cli("check", "--format", "json", "--jobs", "1", str(folder))
    two = run_cli("check", "--format", "json", "--jobs", "2", str(folder))
    assert one.code == two.code == 1
    assert one.json()["findings"] == two.json()["findings"]
    assert one.json()["summary"] == two.json()["summary"]
    assert len(one.json()["findings"]) > 100


def test_workers_start_only_when_there_is_enough_work(tmp_path, monkeypatch):
    import os

    from apilint.parallel import MIN_COST_FOR_WORKERS, default_jobs

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    few_small = _files(tmp_path / "few", [1_000] * 10)
    assert default_jobs(few_small) == 1
    assert default_jobs([]) == 1
    big = _files(tmp_path / "big", [MIN_COST_FOR_WORKERS, 10])
    assert default_jobs(big) == 2
    single = big[:1]
    assert default_jobs(single) == 1  # one file cannot be shared
    many_small = _files(tmp_path / "many", [2_000] * 200)
    assert default_jobs(many_small) == 2


def test_workers_are_bounded_by_the_cores_the_process_may_use(tmp_path, monkeypatch):
    """A container or ``taskset`` that gives the process one core of many: one worker."""
    import os

    from apilint.parallel import MIN_COST_FOR_WORKERS, available_cores, default_jobs

    big = _files(tmp_path / "big", [MIN_COST_FOR_WORKERS, 10])
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3}, raising=False)
    assert (available_cores(), default_jobs(big)) == (1, 1)

    def no_affinity(pid: int) -> set[int]:
        raise OSError("not supported")

    monkeypatch.setattr(os, "sched_getaffinity", no_affinity, raising=False)
    assert (available_cores(), default_jobs(big)) == (64, 2)


def test_other_busy_processes_do_not_lower_the_default(tmp_path, monkeypatch):
    """Two workers beat one on a machine whose other cores are busy (measured, docs/performance.md):
    the default takes every core the process may use, whatever the load."""
    import os

    from apilint.parallel import MIN_COST_FOR_WORKERS, default_jobs

    big = _files(tmp_path / "big", [MIN_COST_FOR_WORKERS, 10, 10, 10])
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    for load in (0.2, 2.1, 9.0):
        monkeypatch.setattr(os, "getloadavg", lambda load=load: (load, load, load))
        assert default_jobs(big) == 4, load


def _rule_fixtures() -> tuple[RunOptions, list[Path]]:
    folder = FIXTURES / "rules"
    paths = sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".json"))[:120]
    return RunOptions(folder, load_config(None)), paths


def _summary(results: list) -> list:
    return [(r.file, [(f.code, f.line, f.column, f.message) for f in r.findings]) if not isinstance(r, str) else r
            for r in results]


@pytest.mark.skipif(not hasattr(os, "memfd_create"), reason="forked workers need Linux")
def test_forked_workers_share_the_batches_and_count_every_file_once():
    run, paths = _rule_fixtures()
    one = check_files(run, paths, jobs=1)
    counts: list[int] = []
    descriptors = sorted(os.listdir("/proc/self/fd"))
    two = check_files(run, paths, jobs=2, progress=counts.append)
    assert sorted(os.listdir("/proc/self/fd")) == descriptors  # pipes and memory files closed
    assert _summary(two) == _summary(one)
    assert sum(counts) == len(paths) and all(count > 0 for count in counts)
    assert any(r.findings for r in two if not isinstance(r, str))


@pytest.mark.skipif(not hasattr(os, "memfd_create"), reason="forked workers need Linux")
def test_files_a_dead_worker_left_are_checked_by_the_first_process(monkeypatch):
    run, paths = _rule_fixtures()
    one = check_files(run, paths, jobs=1)
    first = os.getpid()
    real = parallel._check_one
    done_in_copy: list[str] = []

    def dies_in_the_copy(engine, path):
        if os.getpid() != first:
            if len(done_in_copy) == 30:
                os._exit(9)  # killed halfway through a batch
            done_in_copy.append(str(path))
        return real(engine, path)

    monkeypatch.setattr(parallel, "_check_one", dies_in_the_copy)
    counts: list[int] = []
    two = check_files(run, paths, jobs=2, progress=counts.append)
    assert _summary(two) == _summary(one)
    assert sum(counts) == len(paths)


@pytest.mark.skipif(not hasattr(os, "memfd_create"), reason="forked workers need Linux")
def test_an_error_in_a_worker_is_raised_as_with_one_worker(monkeypatch):
    run, paths = _rule_fixtures()
    broken = paths[57]
    real = parallel._check_one

    def fails_on_one_file(engine, path):
        if path == broken:
            raise RuntimeError(f"check failed on {path.name}")
        return real(engine, path)

    monkeypatch.setattr(parallel, "_check_one", fails_on_one_file)
    with pytest.raises(RuntimeError, match=f"check failed on {broken.name}"):
        check_files(run, paths, jobs=1)
    descriptors = sorted(os.listdir("/proc/self/fd"))
    with pytest.raises(RuntimeError, match=f"check failed on {broken.name}"):
        check_files(run, paths, jobs=2)
    # no worker is left behind, no pipe or memory file stays open
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)
    assert sorted(os.listdir("/proc/self/fd")) == descriptors


@pytest.mark.skipif(not hasattr(os, "memfd_create"), reason="forked workers need Linux")
def test_workers_are_stopped_when_the_first_process_fails(monkeypatch):
    run, paths = _rule_fixtures()
    first = os.getpid()
    broken = batches(paths, 2)[-1][0][1]  # the worker is busy with its first batch when this comes up
    real = parallel._check_one

    def stuck_in_the_copy(engine, path):
        if os.getpid() != first:
            time.sleep(60)
        elif path == broken:
            raise RuntimeError("check failed")
        return real(engine, path)

    monkeypatch.setattr(parallel, "_check_one", stuck_in_the_copy)
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="check failed"):
        check_files(run, paths, jobs=2)
    assert time.monotonic() - started < 30  # the worker was stopped, not waited for
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


@pytest.mark.skipif(not hasattr(os, "memfd_create"), reason="forked workers need Linux")
@pytest.mark.parametrize("refused", ["fork", "memfd_create"])
def test_a_system_that_refuses_a_worker_gets_the_work_done_in_one_process(monkeypatch, refused):
    run, paths = _rule_fixtures()
    one = check_files(run, paths, jobs=1)

    def refuse(*args, **kwargs):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, refused, refuse)
    counts: list[int] = []
    two = check_files(run, paths, jobs=2, progress=counts.append)
    assert _summary(two) == _summary(one)
    assert sum(counts) == len(paths)


@pytest.mark.skipif(not hasattr(os, "memfd_create"), reason="forked workers need Linux")
def test_a_copy_stops_after_its_batch_when_apilint_is_killed(tmp_path, monkeypatch):
    """apilint killed outright (SIGKILL, or SIGTERM from a CI timeout) runs no clean-up: its copy
    notices it has a new parent and stops after the batch it is on, instead of checking the rest."""
    run, paths = _rule_fixtures()
    log = tmp_path / "checked.log"
    real = parallel._check_one

    def logged(engine, path):
        time.sleep(0.02)
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {time.monotonic()}\n")
        return real(engine, path)

    monkeypatch.setattr(parallel, "_check_one", logged)
    first = os.fork()
    if first == 0:  # stands for the apilint process
        try:
            check_files(run, paths, jobs=2)
        finally:
            os._exit(0)

    def lines() -> list[tuple[int, float]]:
        text = log.read_text(encoding="utf-8") if log.exists() else ""
        return [(int(pid), float(at)) for pid, at in (line.split() for line in text.splitlines())]

    deadline = time.monotonic() + 60
    while not any(pid != first for pid, _ in lines()) and time.monotonic() < deadline:
        time.sleep(0.01)
    copy = next(pid for pid, _ in lines() if pid != first)
    os.kill(first, signal.SIGKILL)
    killed_at = time.monotonic()
    os.waitpid(first, 0)
    while _running(copy) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _running(copy)
    after_kill = [at for pid, at in lines() if pid == copy and at > killed_at]
    largest_batch = max(len(batch) for batch in batches(paths, 2))
    assert len(after_kill) <= largest_batch < len(paths) // 2  # the rest was left unchecked


def _running(pid: int) -> bool:
    """Whether a process exists and has not ended (an ended one no one reaps stays a zombie)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False
