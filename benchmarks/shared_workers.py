"""Stories per second with 1, 2 and 4 workers sharing one crawl through Redis; Redis's own cost.

    python benchmarks/shared_workers.py                          # 2,000 stories; 1, 2, 4 workers
    python benchmarks/shared_workers.py --stories 500 --workers 1 2

One replica, one Redis (Debian's redis-server, append-only, on a free loopback port), then, side
by side in one run: a run of one process without Redis, and the whole replica crawled by 1, 2
and 4 worker processes (``-a max_depth=50 -a max_listing_pages=1000``, the test suite's fast
settings: no politeness delays). Printed per row: stories, wall seconds from the first start to
the last exit minus the idle wait every worker makes before it ends
(``NEWSCRAWL_REDIS_IDLE_SECONDS``), stories per second, the workers' CPU seconds (user + system,
all processes), Redis's CPU seconds and the peak of its ``used_memory`` over the crawl (sampled
every 0.1 s), each per story.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
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
IDLE = 1.0


def cpu_of(pid: int) -> float:
    """User + system seconds of a live process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def stories_in(folder: Path) -> int:
    return sum(len(read_jsonl(p)) for p in folder.rglob("stories.jsonl"))


def crawl(server: ReplicaServer, redis: RedisServer | None, folder: Path, workers: int) -> dict:
    settings = {**FAST, "NEWSCRAWL_REDIS_IDLE_SECONDS": str(IDLE)}
    if redis is not None:
        settings["NEWSCRAWL_REDIS_URL"] = redis.url
        # A key of its own: the key keeps its state, and a second crawl on it emits nothing new.
        settings["NEWSCRAWL_REDIS_KEY"] = f"newscrawl:bench-{folder.name}"
    else:
        settings = dict(FAST)
    folder.mkdir(parents=True)
    client = redis_client.Redis.from_url(redis.url) if redis else None
    base_memory = int(client.info("memory")["used_memory"]) if client else 0
    peak = [base_memory]
    stop = threading.Event()

    def sample() -> None:
        while client is not None and not stop.is_set():
            peak[0] = max(peak[0], int(client.info("memory")["used_memory"]))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    redis_cpu = cpu_of(redis.process.pid) if redis and redis.process else 0.0
    cpu_before = children_cpu()
    started = time.monotonic()
    processes = []
    for n in range(workers):
        named = {**settings, "NEWSCRAWL_WORKER_ID": f"w{n + 1}"} if redis else settings
        command, env = crawl_invocation(server.proxy_url, folder, WHOLE, named)
        with (folder / f"w{n + 1}.log").open("wb") as log:
            processes.append(subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=log))
    sampler.start()
    statuses = [p.wait(timeout=3600) for p in processes]
    seconds = time.monotonic() - started - (IDLE if redis else 0.0)
    stop.set()
    sampler.join()
    redis_cpu = (cpu_of(redis.process.pid) - redis_cpu) if redis and redis.process else 0.0
    if client is not None:
        client.close()
    stories = stories_in(folder)
    return {
        "statuses": statuses,
        "stories": stories,
        "seconds": seconds,
        "cpu": children_cpu() - cpu_before,
        "redis_cpu": redis_cpu,
        "redis_peak": peak[0] - base_memory,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, load "
        f"{os.getloadavg()[0]:.1f}, replica of {args.stories} stories"
    )
    print(
        "| run | exit | stories | seconds | stories/s | worker CPU s | worker CPU ms/story "
        "| Redis CPU s | Redis CPU µs/story | Redis peak memory | bytes/story |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with (
        tempfile.TemporaryDirectory() as scratch,
        ReplicaServer(Portal(ReplicaOptions(stories=args.stories))) as server,
        RedisServer(Path(scratch) / "redis") as redis,
    ):
        rows = [("one process, no Redis", crawl(server, None, Path(scratch) / "single", 1))]
        for workers in args.workers:
            folder = Path(scratch) / f"w{workers}"
            rows.append((f"{workers} worker(s)", crawl(server, redis, folder, workers)))
        for name, r in rows:
            n = max(r["stories"], 1)
            print(
                f"| {name} | {','.join(map(str, r['statuses']))} | {r['stories']} "
                f"| {r['seconds']:.1f} | {r['stories'] / r['seconds']:.1f} | {r['cpu']:.1f} "
                f"| {1000 * r['cpu'] / n:.1f} | {r['redis_cpu']:.2f} "
                f"| {1e6 * r['redis_cpu'] / n:.0f} | {r['redis_peak'] / 1e6:.1f} MB "
                f"| {r['redis_peak'] / n:,.0f} |"
            )


if __name__ == "__main__":
    main()
