"""Benchmark of the deduplication pipeline over generated stories (not a test: it prints figures).

    python benchmarks/dedup.py                       # 10,000 and 100,000 stories, 64 and 128 perms
    python benchmarks/dedup.py --sizes 10000 --num-perm 128

Stories are generated deterministically from a French-looking word bank (Zipf-distributed, so
common words recur as in real prose), 150-400 words each. About 2% are exact copies of a recent
story under another URL and 2% near copies: one sentence edited (1 word to half of it replaced)
and " (Xinhua)" appended, as the portal republishes wire stories. Each (size, num_perm) runs in
its own process so peak memory is that run's alone.

Printed per run: time per story inside DeduplicatePipeline.process_item (generation excluded;
CPU time of the process, so that other work on a shared machine does not inflate it),
the same for the first and the last tenth of the run (flat = the cost does not grow with the
stories seen), total time, peak RSS growth, rejections by reason, and how the near copies fared
against their exact shingle Jaccard similarity: caught (true J >= threshold), missed (an LSH
miss), and rejected although true J < threshold (none, now that the exact similarity decides).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Measure the checkout this script lives in, not whichever newscrawl is installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scrapy.utils.test import get_crawler

from newscrawl.items import Story
from newscrawl.outcomes import StoryRejected
from newscrawl.pipelines.dedup import DeduplicatePipeline, shingles
from newscrawl.text import comparable_words

# A word bank reads better as prose than as a list of 100 one-word strings.
FUNCTION_WORDS = (  # noqa: SIM905
    "le la les de des du un une et à en dans pour sur par avec que qui est a ont été au aux ce "
    "cette ces son sa ses leur leurs plus ne pas se il elle ils selon entre après depuis lors"
).split()
SYLLABLES = (  # noqa: SIM905
    "ba be bi bo cha che chi co da de di do fa fe fi fo ga ge gi go la le li lo ma me mi mo na ne "
    "ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi vo tion ment eur ais ité ique"
).split()
SECTIONS = ("Chine", "Economie", "International", "Afrique", "Culture", "Sports", "VieSociale")
EXACT_SHARE = 0.02
NEAR_SHARE = 0.02
RECENT_POOL = 2000  # copies are of recent stories, as on the portal


@dataclass
class Generated:
    story: Story
    kind: str  # "original", "exact" or "near"
    source_body: str | None = None


class StoryFactory:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        bank = {"".join(self.rng.choices(SYLLABLES, k=self.rng.randint(2, 4))) for _ in range(8000)}
        self.words = FUNCTION_WORDS + sorted(bank)
        self.cum_weights = list(_cumulative(1 / (rank + 1) for rank in range(len(self.words))))
        self.recent: list[str] = []
        self.count = 0

    def sentence(self) -> str:
        length = self.rng.randint(8, 25)
        words = self.rng.choices(self.words, cum_weights=self.cum_weights, k=length)
        return " ".join(words).capitalize() + "."

    def body(self) -> str:
        target = self.rng.randint(150, 400)
        paragraphs, size = [], 0
        while size < target:
            paragraph = " ".join(self.sentence() for _ in range(self.rng.randint(2, 4)))
            paragraphs.append(paragraph)
            size += len(paragraph.split())
        return "\n\n".join(paragraphs)

    def near_copy(self, body: str) -> str:
        """One sentence edited (1 word up to half of it replaced), a signature appended."""
        sentences = body.split(". ")
        i = self.rng.randrange(len(sentences))
        words = sentences[i].split()
        for j in self.rng.sample(range(len(words)), k=self.rng.randint(1, max(1, len(words) // 2))):
            words[j] = self.rng.choice(self.words)
        sentences[i] = " ".join(words)
        return ". ".join(sentences) + " (Xinhua)"

    def url(self) -> str:
        section = self.rng.choice(SECTIONS)
        return f"http://french.peopledaily.com.cn/{section}/n3/2021/1227/c31356-{self.count}.html"

    def next(self) -> Generated:
        self.count += 1
        roll = self.rng.random()
        if self.recent and roll < EXACT_SHARE:
            return Generated(self.story(self.rng.choice(self.recent)), "exact")
        if self.recent and roll < EXACT_SHARE + NEAR_SHARE:
            source = self.rng.choice(self.recent)
            return Generated(self.story(self.near_copy(source)), "near", source)
        body = self.body()
        self.recent.append(body)
        if len(self.recent) > RECENT_POOL:
            self.recent.pop(self.rng.randrange(RECENT_POOL))
        return Generated(self.story(body), "original")

    def story(self, body: str) -> Story:
        return Story(self.url(), "Titre", "2021-12-27T09:08:00+08:00", body=body)

    def stories(self, n: int) -> Iterator[Generated]:
        for _ in range(n):
            yield self.next()


def _cumulative(values: Iterator[float]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


def jaccard(a: str, b: str, size: int) -> float:
    sa, sb = shingles(comparable_words(a), size), shingles(comparable_words(b), size)
    return len(sa & sb) / len(sa | sb)


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def run_one(size: int, num_perm: int, threshold: float, shingle_size: int, seed: int) -> dict:
    settings = {
        "NEWSCRAWL_MINHASH_PERMUTATIONS": num_perm,
        "NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD": threshold,
        "NEWSCRAWL_SHINGLE_SIZE": shingle_size,
    }
    pipeline = DeduplicatePipeline.from_crawler(get_crawler(settings_dict=settings))
    factory = StoryFactory(seed)
    start_rss = rss_mb()
    reasons: Counter[str] = Counter()
    near: Counter[str] = Counter()
    wrong = 0  # generated originals rejected
    block = max(1, size // 10)
    block_times: list[float] = []
    elapsed = block_elapsed = 0.0
    for n, generated in enumerate(factory.stories(size), 1):
        t0 = time.process_time()
        try:
            pipeline.process_item(generated.story)
            reason = None
        except StoryRejected as rejection:
            reason = rejection.outcome.reason
        spent = time.process_time() - t0
        elapsed += spent
        block_elapsed += spent
        if n % block == 0:
            block_times.append(block_elapsed / block)
            block_elapsed = 0.0
        if reason:
            reasons[reason] += 1
        if generated.kind == "original" and reason:
            wrong += 1
        if generated.kind == "near":
            assert generated.source_body is not None
            above = jaccard(generated.source_body, generated.story.body, shingle_size) >= threshold
            caught = reason in ("near_duplicate", "duplicate")
            near[f"{'above' if above else 'below'}_{'rejected' if caught else 'kept'}"] += 1
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "stories": size,
        "num_perm": num_perm,
        "us_per_story": elapsed / size * 1e6,
        "us_first_tenth": block_times[0] * 1e6,
        "us_last_tenth": block_times[-1] * 1e6,
        "total_s": elapsed,
        "peak_rss_growth_mb": peak_rss - start_rss,
        "rejected": dict(reasons),
        "near_copies": dict(near),
        "originals_rejected": wrong,
    }


def report(result: dict) -> None:
    near = result["near_copies"]
    above = near.get("above_rejected", 0) + near.get("above_kept", 0)
    below = near.get("below_rejected", 0) + near.get("below_kept", 0)
    print(
        f"{result['stories']:>7,} stories  num_perm={result['num_perm']:<3}  "
        f"{result['us_per_story']:7.0f} µs/story (first tenth {result['us_first_tenth']:.0f}, "
        f"last tenth {result['us_last_tenth']:.0f})  total {result['total_s']:6.1f} s  "
        f"peak RSS +{result['peak_rss_growth_mb']:.0f} MB"
    )
    print(
        f"         rejected {result['rejected']}  near copies with true J >= threshold caught "
        f"{near.get('above_rejected', 0)}/{above}, below threshold rejected "
        f"{near.get('below_rejected', 0)}/{below}  "
        f"originals rejected {result['originals_rejected']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--num-perm", type=int, nargs="+", default=[64, 128])
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--shingle-size", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        result = run_one(
            args.sizes[0], args.num_perm[0], args.threshold, args.shingle_size, args.seed
        )
        print(json.dumps(result))
        return
    for size in args.sizes:
        for num_perm in args.num_perm:
            command = [sys.executable, __file__, "--one", "--sizes", str(size)]
            command += ["--num-perm", str(num_perm), "--threshold", str(args.threshold)]
            command += ["--shingle-size", str(args.shingle_size), "--seed", str(args.seed)]
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            report(json.loads(output.splitlines()[-1]))


if __name__ == "__main__":
    main()
