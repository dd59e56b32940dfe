"""The compact structures of the dedup index: what goes in comes out, whatever the merges."""

from __future__ import annotations

import random

import numpy as np
import pytest

from newscrawl.compact import KeyTable, URLNumbers
from newscrawl.frontier.kept import KeptURLs
from newscrawl.pipelines.dedup import fingerprint_key


@pytest.fixture
def small_runs(monkeypatch):
    monkeypatch.setattr(KeyTable, "MERGE_EVERY", 16)
    monkeypatch.setattr(KeyTable, "RUN", 100)


def test_every_entry_is_found_in_the_recent_dict_and_in_every_run(small_runs) -> None:
    rng = random.Random(7)
    table, added = KeyTable(), {}
    keys = [rng.randrange(-(2**63), 2**63) for _ in range(150)]  # some keys recur below
    for story in range(600):
        chosen = [rng.choice(keys) for _ in range(3)]
        table.add(chosen, story)
        for key in chosen:
            added.setdefault(key, []).append(story)
    assert table.runs >= 6  # 1,800 entries in runs of at most 100
    assert len(table) == 1800
    for key in keys:
        assert sorted(table.query([key])) == sorted(added.get(key, []))
        assert sorted(table.get(key)) == sorted(added.get(key, []))  # the one-key form
    assert table.query([12345]) == [] and table.get(12345) == []


def test_no_run_grows_past_its_bound_and_a_merge_copies_one_run(small_runs) -> None:
    table = KeyTable()
    for story in range(200):
        table.add([story, -story], story)
    sizes = [keys.size for keys, _ in table._runs]
    assert max(sizes) <= KeyTable.RUN
    for keys, stories in table._runs:
        assert np.all(np.diff(keys) >= 0)  # each run sorted, its stories beside their keys
        assert all(abs(k) == s for k, s in zip(keys.tolist(), stories.tolist(), strict=True))
    assert table.nbytes() == 12 * sum(sizes)


def test_the_edges_of_the_64_bit_range_are_keys_like_any_other(small_runs) -> None:
    table = KeyTable()
    edges = [-(2**63), 2**63 - 1, 0, -1]
    for story in range(40):
        table.add([edges[story % 4]], story)
    assert set(table.query([2**63 - 1])) == set(range(1, 40, 4))
    assert set(table.query([-(2**63)])) == set(range(0, 40, 4))


def test_a_32_bit_table_keeps_the_low_32_bits_of_each_key(small_runs) -> None:
    table = KeyTable(key_bits=32)
    for story in range(60):
        table.add([story << 32 | 7, -1, -(story << 40) | (2**31 - 1)], story)
    assert set(table.query([7])) == set(range(60))
    assert set(table.query([2**32 - 1])) == set(range(60))  # -1's low 32 bits
    assert set(table.query([2**63 - 1])) == set(range(60))  # the same low 32 bits as -1
    assert set(table.query([2**31 - 1])) == set(range(60))
    assert table.query([8]) == [] and table.nbytes() == 8 * (len(table) - table._recent_count)
    with pytest.raises(ValueError):
        KeyTable(key_bits=16)


def test_a_fingerprint_key_is_its_first_64_bits_or_those_of_its_sha1() -> None:
    assert fingerprint_key("f" * 40) == -1
    assert fingerprint_key("0" * 15 + "1" + "a" * 24) == 1
    assert fingerprint_key("7fffffffffffffff" + "0" * 24) == 2**63 - 1
    odd = fingerprint_key("not a sha1")
    assert -(2**63) <= odd < 2**63 and odd == fingerprint_key("not a sha1")
    assert fingerprint_key("g" * 40) != fingerprint_key("h" * 40)  # 40 characters, not hex


# --- the frontier's ended URLs -------------------------------------------------------------


@pytest.mark.parametrize(
    "children",
    [
        (),
        ("http://a.example/1.html",),
        ("http://a.example/é ü/ligne\nnouvelle.html", "http://a.example/\x00", "\ud800x"),
        tuple(f"http://a.example/{n}.html" for n in range(500)),
    ],
)
def test_an_ended_page_gives_back_its_related_urls_whatever_they_hold(children) -> None:
    ended = KeptURLs()
    ended.put("http://a.example/page.html", 3, True, children)
    assert ended.get("http://a.example/page.html") == (3, True, children)
    ended.move("http://a.example/page.html", 1)
    assert ended.get("http://a.example/page.html") == (1, True, children)
    assert ended.hop("http://a.example/page.html") == 1


def test_an_ended_url_not_read_has_no_related_urls_and_keeps_its_hop_and_durability() -> None:
    ended = KeptURLs()
    ended.put("u", 7, False, None)
    ended.move("u", 2)
    assert ended.get("u") == (2, False, None) and ended.get("v") is None
    assert ended.hop("v") is None and "u" in ended and list(ended) == ["u"] and len(ended) == 1


def test_a_hop_too_large_for_its_bits_is_kept_all_the_same() -> None:
    ended = KeptURLs()
    ended.put("deep", 2**40, False, ("a", "b"))
    assert ended.get("deep") == (2**40, False, ("a", "b"))
    ended.put("near", 5, False, ("c",))
    ended.move("near", 4)
    assert ended.get("near") == (4, False, ("c",))


def test_an_ended_page_moved_beyond_its_bits_keeps_its_related_urls() -> None:
    ended = KeptURLs()
    ended.put("page", 3, True, ("a", "b"))
    ended.move("page", 2**30)  # not what a frontier does (it only moves nearer), but kept
    assert ended.get("page") == (2**30, True, ("a", "b"))
    ended.move("page", 1)
    assert ended.get("page") == (1, True, ("a", "b"))


def test_an_ended_url_sharing_its_hash_with_another_is_never_taken_for_it() -> None:
    ended = KeptURLs(hash_of=lambda url: 7)  # every URL the same hash
    ended.put("http://a.example/1.html", 2, True, ("http://a.example/3.html",))
    ended.put("http://a.example/2.html", 4, False, None)
    assert "http://a.example/3.html" not in ended and ended.hop("http://a.example/3.html") is None
    assert ended.get("http://a.example/1.html") == (2, True, ("http://a.example/3.html",))
    ended.move("http://a.example/2.html", 1)
    assert ended.get("http://a.example/2.html") == (1, False, None)
    assert ended.get("http://a.example/1.html")[0] == 2  # its neighbour's move is not its own
    assert sorted(ended) == ["http://a.example/1.html", "http://a.example/2.html"]


# --- URLs by number, their text on disk ----------------------------------------------------


URLS = [
    "http://a.example/1.html",
    "http://a.example/é ü/ligne\nnouvelle.html",
    "http://a.example/\x00",
    "\ud800x",  # a lone surrogate, as a bad page can give
    "",
    "http://a.example/" + "x" * 70_000,
]


@pytest.fixture(params=[1, 7, URLNumbers.RECENT], ids=lambda n: f"recent{n}")
def recent(request, monkeypatch):
    """The dict of recent URLs at its size, and at sizes where most answers come from the hash
    and the spill file, or from both, emptied along the way."""
    monkeypatch.setattr(URLNumbers, "RECENT", request.param)
    return request.param


@pytest.mark.parametrize("hash_of", [hash, lambda url: 0, len], ids=["hash", "one", "len"])
def test_each_url_gets_its_number_back_and_its_text_whatever_the_hash(small_runs, recent, hash_of):
    numbers = URLNumbers(hash_of=hash_of)
    many = URLS + [f"http://a.example/{n}.html" for n in range(2, 120)]  # merged into runs
    for number, url in enumerate(many):
        assert numbers.add(url) == number
    assert numbers._keys.runs >= 2
    for number, url in enumerate(many):
        assert numbers.number(url) == number and numbers.url(number) == url
    for stranger in ("http://a.example/999.html", "http://a.example/1.htm", "\udc00x"):
        assert numbers.number(stranger) is None
    assert len(numbers) == len(many)
    assert numbers.spilled == sum(len(u.encode("utf-8", "surrogatepass")) for u in many)


def test_a_url_added_again_answers_its_latest_number(small_runs, recent) -> None:
    numbers = URLNumbers(hash_of=lambda url: 1)
    first = numbers.add("http://a.example/1.html")
    assert numbers.number("http://a.example/1.html") == 0  # asked once before it is added again
    numbers.add("http://a.example/2.html")
    again = numbers.add("http://a.example/1.html")
    assert (first, again) == (0, 2) and numbers.number("http://a.example/1.html") == 2
    assert numbers.number("http://a.example/2.html") == 1
    assert len(numbers._recent) <= recent  # bounded, whatever is asked
    assert numbers.nbytes() > 0


def test_a_waiting_url_is_its_hop_until_it_ends_or_is_met_again() -> None:
    kept = KeptURLs(hash_of=lambda url: 5)  # waiting and ended URLs all share one hash
    for n, hop in ((1, 2), (2, 3), (3, 3)):
        kept.wait(f"http://a.example/{n}.html", hop, f"2021-12-2{n}T09:08:00+08:00")
    kept.put("http://a.example/4.html", 1, True, None)
    assert kept.waiting_hop("http://a.example/2.html") == 3
    assert kept.waiting_hop("http://a.example/4.html") is None  # ended, not waiting
    assert "http://a.example/1.html" not in kept and kept.hop("http://a.example/1.html") is None
    assert kept.waiting_hops() == {2: 1, 3: 2} and kept.waiting_count == 3
    assert kept.waiting_at("http://a.example/3.html") == (3, "2021-12-23T09:08:00+08:00")
    assert kept.unwait("http://a.example/2.html") == (3, "2021-12-22T09:08:00+08:00")  # live now
    assert kept.unwait("http://a.example/2.html") is None
    kept.put("http://a.example/3.html", 3, False, ("http://a.example/5.html",))  # ended
    assert sorted(kept.waiting()) == [("http://a.example/1.html", 2, "2021-12-21T09:08:00+08:00")]
    assert sorted(kept) == ["http://a.example/3.html", "http://a.example/4.html"]
    assert len(kept) == 2 and kept.waiting_count == 1
    kept.wait("http://a.example/2.html", 1)  # written again with only its hop: waits again
    assert kept.waiting_hops() == {1: 1, 2: 1}
    assert kept.waiting_at("http://a.example/2.html") == (1, None)
    assert kept.get("http://a.example/3.html") == (3, False, ("http://a.example/5.html",))


def test_the_backlog_gives_back_every_url_it_was_given_whatever_it_holds() -> None:
    from newscrawl.spidermiddlewares.frontier import Backlog

    backlog = Backlog()
    odd = ["http://a.example/é ü.html", "http://a.example/\x00", "\ud800x", ""]
    many = [f"http://a.example/{n}.html" for n in range(10_000)]  # the front dropped twice
    for url in odd + many:
        backlog.push(1, url)
    backlog.push(0, "http://a.example/first.html")
    assert backlog.pop() == "http://a.example/first.html"
    assert [backlog.pop() for _ in range(len(odd) + len(many))] == odd + many
    assert not backlog
