"""A whole crawl against Scrapy's own benchmark, back to back on the same machine.

    python benchmarks/crawl_speed.py                      # 3,000-story replica, 3 rounds
    python benchmarks/crawl_speed.py --stories 5000 --rounds 5
    python benchmarks/crawl_speed.py --stories 60 --rounds 1 --bench-seconds 2   # smoke

Each round runs, one after the other: ``scrapy bench`` (Scrapy's own benchmark: a local
server of link pages and a spider that follows every link, 10 s; run outside the project, so
with Scrapy's defaults), then ``scrapy crawl related`` of the whole replica (``max_depth=50``,
every listing page) with everything on: extraction, cleaning, validation, deduplication, the
JSONL and CSV feeds, the ledger, and the end-to-end tests' speed settings (no politeness
delays: the replica is local; ``FAST`` in ``tests/crawl.py``). The replica runs in a process of
its own. Pages per second are Scrapy's own stats of each run: ``response_received_count`` over
``elapsed_time_seconds``; CPU is the crawl process's user + system time over its wall time,
and CPU ms a response its own user + system time, and its worker processes', over the
responses (start-up included; for a shared crawl, all its processes' together): where the
time goes, process by process (it drifts with the machine's speed too, but not with how the
processes share its cores).
The machine is shared: the rounds are interleaved and the median and range are printed, and
each round's crawls are compared with the mean of the two ``scrapy bench`` runs that bracket
them (one before, one after: the one after is also the next round's before), so a machine
whose speed drifts within a round weighs on both sides of the ratio.

``--workers N`` crawls with ``NEWSCRAWL_WORKERS=N`` (extraction and cleaning in N processes
beside the engine's; see README, *Speed*); ``--workers 0,1,2,4`` runs each in every round.
``--shared 1,2,4`` also runs, in every round, the crawl shared by that many worker processes
through one Redis (README, *Past one machine*; a fresh Debian ``redis-server`` on a free
loopback port each time): their pages per second are all the workers' responses over the wall
time from the first start to the last exit (which includes each worker's idle wait before it
ends, ``NEWSCRAWL_REDIS_IDLE_SECONDS=1``). ``--profile FILE`` records the first crawl with
py-spy (raw stacks). ``--before DIR`` also crawls, in every round, with the code of another
checkout (``git worktree add DIR <commit>``): before and after a change, side by side.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.crawl import FAST, crawl_invocation  # noqa: E402

STAT = re.compile(r"'(response_received_count|elapsed_time_seconds)': ([\d.]+)")


def stats_of(log: str) -> tuple[int, float]:
    found = dict(STAT.findall(log))
    return int(found.get("response_received_count", 0)), float(found.get("elapsed_time_seconds", 0))


def scrapy_bench(seconds: int) -> tuple[float, float]:
    """Pages per second of ``scrapy bench`` (outside the project), and its CPU share."""
    with tempfile.TemporaryDirectory() as folder:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPY_")}
        env.pop("PYTHONPATH", None)
        command = [sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}"]
        log, cpu, _, _ = run(command, Path(folder), env)
    pages, elapsed = stats_of(log)
    if not pages:
        raise SystemExit(f"scrapy bench crawled nothing:\n{log[-2000:]}")
    return pages / elapsed, cpu


EXTRA: dict[str, str] = {}  # --set NAME=VALUE: settings of every crawl of the run


# pages/s, CPU (cores), CPU ms a response: the crawl's process, its workers
Result = tuple[float, float, float, float]


def crawl(
    proxy: str, workdir: Path, workers: int, profile: str | None, code: str | None = None
) -> Result:
    settings = {**FAST, "LOG_LEVEL": "INFO", "NEWSCRAWL_PROGRESS_INTERVAL": "0", **EXTRA}
    if workers:
        settings["NEWSCRAWL_WORKERS"] = str(workers)
    command, env = crawl_invocation(
        proxy, workdir, ("max_depth=50", "max_listing_pages=100000"), settings
    )
    if code:  # another checkout's code (--before), same replica and settings
        env["PYTHONPATH"] = code
    if profile:
        command = [
            "py-spy",
            "record",
            "-r",
            "200",
            "-s",
            "-f",
            "raw",
            "-o",
            profile,
            "--",
            *command,
        ]
    log, cpu, own, children = run(command, workdir, env)
    pages, elapsed = stats_of(log)
    if not pages:
        raise SystemExit(f"the crawl fetched nothing:\n{log[-3000:]}")
    return pages / elapsed, cpu, own / pages * 1000, children / pages * 1000


def shared(proxy: str, workdir: Path, workers: int) -> Result:
    """Pages per second of ``workers`` processes sharing one crawl through one Redis, and the
    CPU they used (in cores)."""
    from tests.redis_server import RedisServer

    settings = {**FAST, "LOG_LEVEL": "INFO", "NEWSCRAWL_PROGRESS_INTERVAL": "0", **EXTRA}
    settings["NEWSCRAWL_REDIS_IDLE_SECONDS"] = "1"
    with RedisServer(workdir / "redis") as redis:
        started = time.perf_counter()
        processes = []
        for number in range(workers):
            folder = workdir / f"w{number}"
            folder.mkdir(parents=True, exist_ok=True)
            every = {
                **settings,
                "NEWSCRAWL_REDIS_URL": redis.url,
                "NEWSCRAWL_WORKER_ID": f"w{number}",
            }
            command, env = crawl_invocation(
                proxy, folder, ("max_depth=50", "max_listing_pages=100000"), every
            )
            log = (folder / "crawl.log").open("wb")
            processes.append(
                (subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=log), log)
            )
        cpu = {}
        while any(p.poll() is None for p, _ in processes):
            for p, _ in processes:
                with contextlib.suppress(psutil.Error):
                    cpu[p.pid] = _cpu(psutil.Process(p.pid))
            time.sleep(0.2)
        wall = time.perf_counter() - started
    pages = 0
    for p, log in processes:
        log.close()
        text = Path(log.name).read_text(encoding="utf-8", errors="replace")
        if p.returncode != 0:
            raise SystemExit(f"a shared worker ended {p.returncode}:\n{text[-3000:]}")
        pages += stats_of(text)[0]
    return pages / wall, sum(cpu.values()) / wall, sum(cpu.values()) / pages * 1000, 0.0


def run(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[str, float, float, float]:
    """The process's stderr, its (and its children's) CPU time over its wall time, and its own
    and its children's CPU seconds."""
    cwd.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        watched = psutil.Process(process.pid)
        cpu: dict[int, float] = {}  # by process: a worker that ended keeps its last figure
        while process.poll() is None:
            with contextlib.suppress(psutil.Error):
                for each in [watched, *watched.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        cpu[each.pid] = _cpu(each)
            time.sleep(0.2)
        wall = time.perf_counter() - started
        err.seek(0)
        own = cpu.get(process.pid, 0.0)
        children = sum(cpu.values()) - own
        return err.read().decode("utf-8", "replace"), sum(cpu.values()) / wall, own, children


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bench-seconds", type=int, default=10)
    parser.add_argument("--workers", default="0", help="comma-separated NEWSCRAWL_WORKERS")
    parser.add_argument("--shared", default="", help="comma-separated Redis worker counts")
    parser.add_argument("--profile", help="py-spy raw stacks of the first crawl to this file")
    parser.add_argument("--before", help="also crawl with the code of this checkout, each round")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="a setting of every crawl"
    )
    args = parser.parse_args()
    EXTRA.update(item.split("=", 1) for item in args.set)
    workers = [int(w) for w in args.workers.split(",")]
    replica = subprocess.Popen(
        [sys.executable, "-m", "newscrawl.replica", "--stories", str(args.stories), "--port", "0"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert replica.stdout is not None
    proxy = replica.stdout.readline().decode().strip()
    print(
        f"# replica of {args.stories} stories; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, "
        f"python {platform.python_version()}",
        flush=True,
    )
    results: dict[str, list[Result]] = {"scrapy bench": []}
    names = {w: "crawl" if w == 0 else f"crawl, {w} workers" for w in workers}
    try:
        with tempfile.TemporaryDirectory() as scratch:
            after = scrapy_bench(args.bench_seconds)
            for round_number in range(args.rounds):
                before = after
                line = [f"round {round_number + 1}: bench {before[0]:.0f}"]
                for w in workers:
                    profile = args.profile if round_number == 0 and w == workers[0] else None
                    folder = Path(scratch) / f"r{round_number}w{w}"
                    results.setdefault(names[w], []).append(crawl(proxy, folder, w, profile))
                    line.append(f"{names[w]} {results[names[w]][-1][0]:.0f}")
                if args.before:
                    name = f"crawl, code of {args.before}"
                    folder = Path(scratch) / f"r{round_number}before"
                    results.setdefault(name, []).append(crawl(proxy, folder, 0, None, args.before))
                    line.append(f"{name} {results[name][-1][0]:.0f}")
                for count in [int(c) for c in args.shared.split(",") if c]:
                    name = f"shared crawl, {count} Redis workers"
                    folder = Path(scratch) / f"r{round_number}s{count}"
                    results.setdefault(name, []).append(shared(proxy, folder, count))
                    line.append(f"{name} {results[name][-1][0]:.0f}")
                after = scrapy_bench(args.bench_seconds)  # this round's end, the next's start
                # The round's reference: the mean of the bench runs that bracket its crawls,
                # so a machine that slows down or speeds up in the round counts for both.
                results["scrapy bench"].append(
                    ((before[0] + after[0]) / 2, (before[1] + after[1]) / 2, 0.0, 0.0)
                )
                line.append(f"then bench {after[0]:.0f}")
                print("; ".join(line) + " pages/s", flush=True)
    finally:
        replica.kill()
    bench = statistics.median(v[0] for v in results["scrapy bench"])
    print(
        "\n| run | pages/s median | range | x scrapy bench (median) | CPU (cores) "
        "| CPU ms a response: crawl process | its workers |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, values in results.items():
        pages = [v[0] for v in values]
        cpu, own, workers_ms = (statistics.median(v[i] for v in values) for i in (1, 2, 3))
        ms = f"{own:.2f} | {workers_ms:.2f}" if own else "- | -"
        print(
            f"| {name} | {statistics.median(pages):.0f} | {min(pages):.0f}-{max(pages):.0f} "
            f"| {statistics.median(pages) / bench:.2f} | {cpu:.2f} | {ms} |"
        )
    ratios = [c[0] / b[0] for name, v in results.items() if name != "scrapy bench"
              for c, b in zip(v, results["scrapy bench"], strict=True)]  # fmt: skip
    print(f"per round, crawl / bench: {', '.join(f'{r:.2f}' for r in ratios)}")


if __name__ == "__main__":
    main()
