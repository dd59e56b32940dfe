"""The run lock: one run per state; a killed run does not keep the lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl.state.lock import EXIT_LOCKED, RunLock, StateLocked, lock_path_for, run_lock_for

ROOT = Path(__file__).resolve().parent.parent

HOLDER = """
import sys, time
from newscrawl.state.lock import RunLock
lock = RunLock.for_state(sys.argv[1]).acquire()
print("holding", flush=True)
time.sleep(120)
"""


def start_holder(state: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(state)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert holder.stdout is not None
    assert holder.stdout.readline() == "holding\n"
    return holder


def test_the_lock_file_sits_beside_the_state(tmp_path: Path) -> None:
    assert lock_path_for(tmp_path / "state.sqlite") == tmp_path / "state.sqlite.lock"


def test_a_second_process_is_refused_with_the_holders_pid(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    with start_holder(state) as holder:
        try:
            with pytest.raises(StateLocked) as refused:
                RunLock.for_state(state).acquire()
        finally:
            holder.kill()
    message = str(refused.value)
    assert f"pid {holder.pid}" in message
    assert "started 20" in message  # the holder's start time, ISO 8601
    assert str(lock_path_for(state)) in message
    assert str(EXIT_LOCKED) in message


def test_a_lock_held_by_a_sigkilled_process_is_free_again(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    with start_holder(state) as holder:
        holder.send_signal(signal.SIGKILL)
    assert holder.returncode == -signal.SIGKILL
    with RunLock.for_state(state) as lock:
        assert lock.acquired
        assert f'"pid": {os.getpid()}' in lock.path.read_text()


def test_a_released_lock_can_be_taken_by_another_process(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    with RunLock.for_state(state):
        pass
    with start_holder(state) as holder:
        holder.kill()


def test_the_lock_is_reentrant_within_one_process(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    with run_lock_for(state) as outer, run_lock_for(state) as inner:
        assert outer is not None and inner is not None
    # Both released: another process may take it now.
    with start_holder(state) as holder:
        holder.kill()


def test_no_state_no_lock() -> None:
    with run_lock_for(None) as lock:
        assert lock is None
