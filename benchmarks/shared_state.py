"""What a shared crawl's key keeps in Redis from crawl to crawl, and what a second crawl costs.

    python benchmarks/shared_state.py                          # 2,000 stories, 2 workers
    python benchmarks/shared_state.py --stories 500 --workers 1

One replica, one Redis (Debian's redis-server, append-only, on a free loopback port); two
crawls of the whole replica one after the other on one key (``-a max_depth=50 -a
max_listing_pages=1000``, the test suite's fast settings), each by ``--workers`` processes.
Printed per crawl: stories emitted, story pages requested (the replica's log), wall seconds
from the first start to the last exit, Redis's ``used_memory`` above what it held before the
first crawl, at the crawl's peak (sampled every 0.1 s) and once it ended (what the key keeps:
its state), and that kept memory per story in the state; then each state hash's own size
(``MEMORY USAGE … SAMPLES 0``: every field counted), per story; ``used_memory`` also counts
Redis's fixed costs (scripts, buffers), which the hashes' sizes do not.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# Measure the checkout this script lives in, not whichever newscrawl is installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis as redis_client

from newscrawl.replica import Portal, ReplicaOptions, ReplicaServer
from tests.crawl import FAST, crawl_invocation, read_jsonl
from tests.redis_server import RedisServer

WHOLE = ("max_depth=50", "max_listing_pages=1000")
KEY = "newscrawl:related"
STATE = ("stories", "minhash", "fingerprints", "settled")


def used(client: redis_client.Redis) -> int:
    return int(client.info("memory")["used_memory"])


def crawl(server: ReplicaServer, redis: RedisServer, folder: Path, workers: int, base: int) -> dict:
    settings = {**FAST, "NEWSCRAWL_REDIS_URL": redis.url, "NEWSCRAWL_REDIS_IDLE_SECONDS": "1"}
    folder.mkdir(parents=True)
    client = redis_client.Redis.from_url(redis.url)
    peak = [used(client)]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], used(client))
            time.sleep(0.1)

    since = len(server.requests)
    started = time.monotonic()
    processes = []
    for n in range(workers):
        named = {**settings, "NEWSCRAWL_WORKER_ID": f"w{n + 1}"}
        command, env = crawl_invocation(server.proxy_url, folder, WHOLE, named)
        with (folder / f"w{n + 1}.log").open("wb") as log:
            processes.append(subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=log))
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    statuses = [p.wait(timeout=3600) for p in processes]
    seconds = time.monotonic() - started
    stop.set()
    sampler.join()
    kept = used(client)
    in_state = int(client.hlen(f"{KEY}:state:stories"))
    sizes = {
        name: int(client.memory_usage(f"{KEY}:state:{name}", samples=0) or 0) for name in STATE
    }
    client.close()
    return {
        "statuses": statuses,
        "stories": sum(len(read_jsonl(p)) for p in folder.rglob("stories.jsonl")),
        "pages": sum(1 for r in server.requests[since:] if "/n3/" in r.url),
        "seconds": seconds,
        "peak": peak[0] - base,
        "kept": kept - base,
        "in_state": in_state,
        "sizes": sizes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, load "
        f"{os.getloadavg()[0]:.1f}, replica of {args.stories} stories, {args.workers} workers"
    )
    print(
        "| crawl | exit | stories | story pages | seconds | Redis peak | Redis kept "
        "| stories in state | kept bytes/story |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with (
        tempfile.TemporaryDirectory() as scratch,
        ReplicaServer(Portal(ReplicaOptions(stories=args.stories))) as server,
        RedisServer(Path(scratch) / "redis") as redis,
    ):
        client = redis_client.Redis.from_url(redis.url)
        base = used(client)
        client.close()
        rows = []
        for n in (1, 2):
            rows.append(crawl(server, redis, Path(scratch) / f"crawl{n}", args.workers, base))
        for n, r in enumerate(rows, start=1):
            print(
                f"| {'first' if n == 1 else 'second'} | {','.join(map(str, r['statuses']))} "
                f"| {r['stories']} | {r['pages']} | {r['seconds']:.1f} "
                f"| {r['peak'] / 1e6:.1f} MB | {r['kept'] / 1e6:.2f} MB | {r['in_state']} "
                f"| {r['kept'] / max(r['in_state'], 1):,.0f} |"
            )
        last = rows[-1]
        print()
        print("| state hash | bytes | bytes/story |")
        print("| --- | ---: | ---: |")
        n = max(last["in_state"], 1)
        for name, size in last["sizes"].items():
            print(f"| {KEY}:state:{name} | {size:,} | {size / n:,.0f} |")
        total = sum(last["sizes"].values())
        print(f"| all four | {total:,} | {total / n:,.0f} |")


if __name__ == "__main__":
    main()
