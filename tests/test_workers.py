"""kit.room.workers: many teams read in one process per core, here when few."""

from __future__ import annotations

import os
import threading

import pytest

from kit.room.workers import MAX_WORKERS, cores, map_teams

SELF = "/proc/self"  # os.readlink of it: the pid of the process that reads it


@pytest.fixture
def threads_running():
    """A thread besides the main one, as a Jupyter kernel has (no plain fork then)."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    yield
    stop.set()
    thread.join()


def test_many_items_go_to_worker_processes_in_order(threads_running):
    if min(cores(), MAX_WORKERS) < 2:
        pytest.skip("one core: map_teams works here")
    pids = map_teams(os.readlink, [SELF] * 30, parallel_from=4)
    assert len(pids) == 30
    assert str(os.getpid()) not in pids
    assert 1 <= len(set(pids)) <= min(cores(), MAX_WORKERS)
    assert map_teams(abs, list(range(-40, 0)), parallel_from=4) == list(range(40, 0, -1))


def test_few_items_stay_here():
    assert map_teams(os.readlink, [SELF] * 3, parallel_from=4) == [str(os.getpid())] * 3


def test_a_worker_s_error_is_raised_here(threads_running):
    with pytest.raises(ValueError) as caught:
        map_teams(int, ["1"] * 29 + ["x"], parallel_from=4)
    assert str(caught.value) == "invalid literal for int() with base 10: 'x'"
