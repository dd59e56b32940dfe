"""``newscrawl.merge``: many workers' (or runs') outputs, each URL once."""

from __future__ import annotations

import json
from pathlib import Path

from newscrawl.merge import merge, output_files


def lines(path: Path, records: list[dict], cut: bytes = b"") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(json.dumps(r).encode() + b"\n" for r in records) + cut)


def test_each_url_once_stories_win_and_a_cut_line_is_no_story(tmp_path: Path) -> None:
    w1, w2 = tmp_path / "T1-w1-aaaaaa", tmp_path / "T1-w2-bbbbbb"  # two workers' run folders
    lines(w1 / "stories.jsonl", [{"url": "a", "title": "A1"}, {"url": "b"}], cut=b'{"url": "c"')
    lines(w2 / "stories.jsonl", [{"url": "a", "title": "A2"}, {"url": "d"}])
    lines(w1 / "rejects.jsonl", [{"url": "e", "reason": "http_404"}, {"url": "b"}])
    lines(w2 / "rejects.jsonl", [{"url": "e", "reason": "http_404"}])
    merged = merge(output_files([tmp_path]))
    assert [s["url"] for s in merged.stories] == ["a", "b", "d"]
    assert merged.stories[0]["title"] == "A1"  # the first file in name order
    assert [r["url"] for r in merged.rejects] == ["e"]
    assert (merged.feeds, merged.repeated_stories, merged.repeated_ends) == (2, 1, 2)


def test_a_missing_path_is_an_error(tmp_path: Path) -> None:
    try:
        output_files([tmp_path / "nowhere"])
    except FileNotFoundError as error:
        assert "nowhere" in str(error)
    else:
        raise AssertionError("a missing folder was accepted")
