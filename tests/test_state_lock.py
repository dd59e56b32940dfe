"""The run lock: one run per state; a killed run does not keep the lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl.state.lock import EXIT_LOCKED, RunLock, StateLocked, lock_path_for

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
    with RunLock.for_state(state) as outer, RunLock.for_state(state) as inner:
        assert outer.acquired and inner.acquired
    # Both released: another process may take it now.
    with start_holder(state) as holder:
        holder.kill()


def test_a_state_reached_through_a_link_or_another_spelling_is_one_lock(tmp_path: Path) -> None:
    state = tmp_path / "real" / "state.sqlite"
    state.parent.mkdir()
    (tmp_path / "link.sqlite").symlink_to(state)
    (tmp_path / "folder").symlink_to(state.parent)
    spellings = [tmp_path / "link.sqlite", tmp_path / "folder" / "state.sqlite",
                 tmp_path / "real" / ".." / "real" / "state.sqlite"]  # fmt: skip
    assert {lock_path_for(path) for path in spellings} == {lock_path_for(state)}
    with start_holder(state) as holder:
        for path in spellings:
            with pytest.raises(StateLocked):
                RunLock.for_state(path).acquire()
        holder.kill()
