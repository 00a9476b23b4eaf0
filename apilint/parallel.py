"""Checking many files on all cores: this process and forked copies of it (a process pool where
processes cannot be forked), one engine each, taking batches of files from one list."""

from __future__ import annotations

import os
import struct
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

from apilint.engine import Engine, FileResult, RunOptions
from apilint.load.source import ReadError

#: Estimated work (see :func:`estimated_cost`) below which one process is faster than two.
#: On the development machine (docs/performance.md), with one forked copy, two processes broke even
#: at about 0.57 million units (50 small corpus files) and saved 11 % at 1.2 million (100 files)
#: and 38 % on the whole corpus (5.5 million).
MIN_COST_FOR_WORKERS = 800_000

_worker_engine: Engine | None = None


def available_cores() -> int:
    """The cores this process may run on: its CPU affinity where the system has one (a container or
    ``taskset`` limits it), else every core of the machine."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def default_jobs(paths: list[Path], costs: list[int] | None = None) -> int:
    """Workers to use when the user did not say: one a core the process may use, when there is
    enough work to share.

    Other busy processes do not lower the count: on the 2-core development machine, with a busy
    loop holding one core, two workers took 0.87x the time of one on the corpus, and 0.85x with
    both cores held (paired runs, docs/performance.md); the scheduler shares each core between
    its processes, so a second worker still gets work done.

    ``costs`` are the files' :func:`estimated_cost` when the caller has them already.
    """
    if len(paths) < 2:
        return 1
    if sum(costs if costs is not None else map(estimated_cost, paths)) < MIN_COST_FOR_WORKERS:
        return 1
    return max(1, min(available_cores(), len(paths)))


def prepare_for_workers() -> None:
    """Do once, in this process, the set-up every worker would otherwise repeat.

    Forked workers inherit the loaded rules, the imported checks, the feature table and the
    compiled schema validators instead of each building its own.
    """
    from apilint.features import load_features
    from apilint.rules import load_rules

    modules = {sys.modules[rule.check.__module__] for rule in load_rules()}  # rule.check imports them
    load_features()
    for module in sorted(modules, key=lambda m: m.__name__):
        prepare = getattr(module, "prepare", None)
        if callable(prepare):
            prepare()


def _init_worker(run: RunOptions) -> None:
    global _worker_engine
    _worker_engine = Engine(run)


def _check_batch(batch: list[tuple[int, Path]]) -> list[tuple[int, FileResult | str]]:
    assert _worker_engine is not None
    return [(index, _check_one(_worker_engine, path)) for index, path in batch]


def _check_one(engine: Engine, path: Path) -> FileResult | str:
    try:
        return engine.check_file(path)
    except ReadError as error:
        return str(error)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


#: What reading and checking any file costs beyond its bytes, in bytes of a typical definition.
PER_FILE_COST = 8192


def estimated_cost(path: Path) -> int:
    """The work a file is expected to take, in bytes of a typical definition."""
    return _size(path) + PER_FILE_COST


#: A batch holds about this share of one worker's part of the work not yet handed out.
BATCH_SHARE = 4


def batches(paths: list[Path], jobs: int, costs: list[int] | None = None) -> list[list[tuple[int, Path]]]:
    """``(index, path)`` batches, the largest first, each smaller than the one before.

    Handing out single small files one at a time costs more in hand-overs than it needs to, and
    fixed-size chunks of a size-sorted list put the big files together. So files are grouped by
    estimated cost (bytes plus a per-file share), largest first: each batch holds about a
    :data:`BATCH_SHARE`-th of what is left per worker, so the first batches are big (a file above
    that is a batch of its own) and the last ones single small files, and the workers run out of
    work within a small file of each other.
    """
    if costs is None:
        costs = [estimated_cost(path) for path in paths]
    ordered = sorted(zip(costs, range(len(paths)), paths), key=lambda item: -item[0])
    left = sum(costs)
    result: list[list[tuple[int, Path]]] = []
    current: list[tuple[int, Path]] = []
    current_cost = 0
    target = max(PER_FILE_COST, left // (jobs * BATCH_SHARE))
    for cost, index, path in ordered:
        if current and current_cost + cost > target:
            result.append(current)
            current, current_cost = [], 0
            target = max(PER_FILE_COST, left // (jobs * BATCH_SHARE))
        current.append((index, path))
        current_cost += cost
        left -= cost
    if current:
        result.append(current)
    return result


def check_files(run: RunOptions, paths: list[Path], jobs: int | None,
                progress: Callable[[int], None] | None = None) -> list[FileResult | str]:
    """Results in the order of ``paths``; a string stands for a file that could not be read.

    ``jobs`` None or 0 lets the work decide (:func:`default_jobs`). ``progress`` is called with the
    number of files done each time some are.
    """
    advance = progress or (lambda count: None)
    costs = None
    if not jobs:
        costs = [estimated_cost(path) for path in paths]
        jobs = default_jobs(paths, costs)
    jobs = min(jobs, available_cores(), len(paths))  # never more workers than cores or files
    if jobs <= 1 or len(paths) < 2:
        engine = Engine(run)
        done: list[FileResult | str] = []
        for path in paths:
            done.append(_check_one(engine, path))
            advance(1)
        return done
    planned = batches(paths, jobs, costs)
    if hasattr(os, "fork") and hasattr(os, "memfd_create") and len(planned) * _TASK.size <= _PIPE_ATOMIC:
        prepare_for_workers()
        return _check_forked(run, paths, jobs, planned, advance)
    return _check_pooled(run, paths, jobs, planned, advance)


#: A batch's number as the task pipe carries it.
_TASK = struct.Struct("<H")
#: The number of files in a finished batch as the progress pipe carries it.
_DONE = struct.Struct("<I")
#: Bytes a pipe takes in one write on every Linux system (one page, even for a user at the pipe
#: limits), so the whole task list is written before any worker starts, without blocking.
_PIPE_ATOMIC = 4096


def _check_forked(run: RunOptions, paths: list[Path], jobs: int, planned: list[list[tuple[int, Path]]],
                  advance: Callable[[int], None]) -> list[FileResult | str]:
    """This process and ``jobs - 1`` forked copies of it take batches from one list until none is left.

    The batch numbers wait in a pipe that every process reads two bytes at a time (the kernel hands
    each read one whole number), so a process that finishes early takes the next batch and the last
    batches end close together. A copy appends its results to a file in memory as it goes and
    reports each finished batch on a second pipe for the progress line; this process reads the
    results once it has run out of batches and the copies have ended. A file whose result did not
    arrive (a copy that was killed or failed) is checked here, so it fails, if it fails, as with one
    worker.

    Unlike a pool of workers, nothing is imported for it, no threads hand results over while the
    work goes on, and this process does its share instead of waiting.
    """
    engine = Engine(run)
    tasks_read, tasks_write = os.pipe()
    os.write(tasks_write, b"".join(_TASK.pack(number) for number in range(len(planned))))
    os.close(tasks_write)
    done_read, done_write = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    copies: list[tuple[int, int]] = []  # (process id, results file)
    parent = os.getpid()
    finished_here = False
    try:
        for _ in range(jobs - 1):
            try:
                results_file = os.memfd_create("apilint-results", os.MFD_CLOEXEC)
            except OSError:  # a sandbox that refuses memory files: fewer copies, the work gets done
                break
            try:
                pid = os.fork()
            except OSError:  # the process limit: as above
                os.close(results_file)
                break
            if pid == 0:  # the copy: never returns
                _work_in_copy(engine, planned, tasks_read, done_write, results_file, parent)
            copies.append((pid, results_file))
        os.close(done_write)
        done_write = -1
        os.set_blocking(done_read, False)
        results: list[FileResult | str | None] = [None] * len(paths)
        counted = 0
        for batch in _batches_taken(planned, tasks_read):
            for index, path in batch:
                results[index] = _check_one(engine, path)
            finished = len(batch) + _files_done_elsewhere(done_read)
            counted += finished
            advance(finished)
        finished_here = True
    finally:
        for pid, results_file in copies:
            if not finished_here:  # this process failed or was interrupted: the copies' work is moot
                import signal

                os.kill(pid, signal.SIGKILL)
                os.close(results_file)
            os.waitpid(pid, 0)
        for descriptor in (tasks_read, done_read, done_write):
            if descriptor >= 0:
                os.close(descriptor)
    for _, results_file in copies:
        for index, arrived in _results_of_copy(results_file):
            results[index] = arrived
    for index, result in enumerate(results):
        if result is None:
            results[index] = _check_one(engine, paths[index])
    if counted < len(paths):
        advance(len(paths) - counted)
    return results  # type: ignore[return-value]  # every None was replaced above


def _batches_taken(planned: list[list[tuple[int, Path]]], tasks: int) -> Iterator[list[tuple[int, Path]]]:
    while record := os.read(tasks, _TASK.size):
        yield planned[_TASK.unpack(record)[0]]


def _work_in_copy(engine: Engine, planned: list[list[tuple[int, Path]]], tasks: int, done: int,
                  results_file: int, parent: int) -> NoReturn:
    """A forked copy's whole life: check batches, append each batch's results, leave with ``os._exit``
    (the parent's clean-up, buffers and exit handlers are not the copy's to run). A copy whose
    parent (``parent``, the process id of apilint) was killed stops after the batch it is on instead
    of checking the rest for no one."""
    import pickle

    code = 1
    try:
        with open(results_file, "wb", closefd=False) as out:
            for batch in _batches_taken(planned, tasks):
                if os.getppid() != parent:  # apilint was killed (SIGKILL, SIGTERM): no one will read the rest
                    break
                pickle.dump([(index, _check_one(engine, path)) for index, path in batch], out,
                            protocol=pickle.HIGHEST_PROTOCOL)
                out.flush()
                os.write(done, _DONE.pack(len(batch)))
        code = 0
    finally:
        os._exit(code)


def _files_done_elsewhere(done: int) -> int:
    """Files the copies reported finished since the last call (the pipe does not block)."""
    try:
        reported = os.read(done, 65536)
    except BlockingIOError:
        return 0
    return sum(count for (count,) in _DONE.iter_unpack(reported[: len(reported) // _DONE.size * _DONE.size]))


def _results_of_copy(results_file: int) -> list[tuple[int, FileResult | str]]:
    """Every batch a copy wrote whole; a batch cut short by its end is left for this process."""
    import pickle

    found: list[tuple[int, FileResult | str]] = []
    with open(results_file, "rb") as stream:
        stream.seek(0)
        while True:
            try:
                found.extend(pickle.load(stream))
            except Exception:  # noqa: BLE001 - the end, or a batch cut short: checked again here
                break
    return found


def _check_pooled(run: RunOptions, paths: list[Path], jobs: int, planned: list[list[tuple[int, Path]]],
                  advance: Callable[[int], None]) -> list[FileResult | str]:
    """Workers of a process pool, where processes cannot be forked (macOS starts them afresh)."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(run,)) as pool:
        results: list[FileResult | str] = [""] * len(paths)
        for batch in pool.map(_check_batch, planned, chunksize=1):
            for index, result in batch:
                results[index] = result
            advance(len(batch))
        return results
