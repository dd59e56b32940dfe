"""DEBUG records a run at INFO would throw away are never made; every line a handler
writes still is."""

from __future__ import annotations

import logging

import pytest

from newscrawl.extensions.loglevel import set_root_to_handlers


class Kept(logging.Handler):
    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def root() -> logging.Logger:
    logger = logging.Logger("root-of-this-test", logging.NOTSET)  # stands for logging.root
    return logger


def made(root: logging.Logger, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The messages a LogRecord was made for, logging one line at each level."""
    seen: list[str] = []
    make = root.makeRecord

    def spy(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make(*args, **kwargs)  # type: ignore[arg-type]
        seen.append(record.getMessage())
        return record

    monkeypatch.setattr(root, "makeRecord", spy)
    for level in ("debug", "info", "warning"):
        getattr(root, level)(level)
    return seen


def test_at_info_no_debug_record_is_made_and_every_info_line_is_written(
    root: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen, counter = Kept(logging.INFO), Kept(logging.INFO)
    root.addHandler(screen)
    root.addHandler(counter)
    set_root_to_handlers(root)
    assert made(root, monkeypatch) == ["info", "warning"]
    assert [r.getMessage() for r in screen.records] == ["info", "warning"]
    assert [r.getMessage() for r in counter.records] == ["info", "warning"]


def test_a_handler_that_takes_everything_keeps_every_record(
    root: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = Kept(logging.NOTSET)  # pytest's caplog, a user's own handler
    root.addHandler(Kept(logging.INFO))
    root.addHandler(everything)
    set_root_to_handlers(root)
    assert made(root, monkeypatch) == ["debug", "info", "warning"]
    assert len(everything.records) == 3


def test_the_lowest_handler_decides(root: logging.Logger, monkeypatch: pytest.MonkeyPatch) -> None:
    debug_file = Kept(logging.DEBUG)
    root.addHandler(Kept(logging.WARNING))
    root.addHandler(debug_file)
    set_root_to_handlers(root)
    assert made(root, monkeypatch) == ["debug", "info", "warning"]
    assert len(debug_file.records) == 3
