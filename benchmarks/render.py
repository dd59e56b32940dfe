"""Rendering cost: stories per second for ``-a render=never|auto|always``, and browser memory.

    python benchmarks/render.py [--stories 2000] [--always-max-stories N]

A replica of ``--stories`` stories with script pages (``scripted=True``: about 5% need the
browser) is crawled whole by a real ``scrapy crawl related`` per mode, with the end-to-end
tests' speed settings (no politeness delays: the replica is local). While it runs, the
crawl's child processes are sampled every 0.5 s: Chromium's (every process whose name starts
with ``chrom``) and Playwright's Node.js driver. Prints one line per mode and a Markdown table.
RSS summed over Chromium's processes counts shared pages several times; PSS does not.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newscrawl.replica import Portal, ReplicaOptions, ReplicaServer  # noqa: E402
from tests.crawl import crawl_invocation  # noqa: E402

FAST = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "LOG_LEVEL": "WARNING",
}
MB = 1024 * 1024


@dataclass
class Samples:
    rss: list[int] = field(default_factory=list)  # Chromium, summed over its processes
    pss: list[int] = field(default_factory=list)
    driver: list[int] = field(default_factory=list)  # Playwright's Node.js driver
    processes: int = 0

    def take(self, crawl: psutil.Process) -> None:
        rss = pss = driver = count = 0
        try:
            children = crawl.children(recursive=True)
        except psutil.Error:
            return
        for child in children:
            try:
                name = child.name()
                if name.startswith("chrom"):
                    info = child.memory_full_info()
                    rss, pss, count = rss + info.rss, pss + info.pss, count + 1
                elif name.startswith("node"):  # "node-MainThread"
                    driver += child.memory_info().rss
            except psutil.Error:
                continue  # ended between listing and reading
        self.rss.append(rss)
        self.pss.append(pss)
        self.driver.append(driver)
        self.processes = max(self.processes, count)


def crawl(mode: str, server: ReplicaServer, workdir: Path, extra: list[str]) -> dict:
    output = workdir / f"{mode}.jsonl"
    command, env = crawl_invocation(
        server.proxy_url,
        workdir,
        ("max_depth=50", "max_listing_pages=1000", f"render={mode}", *extra),
        FAST,
        options=("-O", str(output)),
    )
    samples = Samples()
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    watched = psutil.Process(process.pid)
    while process.poll() is None:
        samples.take(watched)
        time.sleep(0.5)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"{mode}: exit {process.returncode}\n{stderr[-2000:]}")
    stories = [json.loads(line) for line in output.read_text().splitlines() if line]
    rendered = sum(1 for s in stories if s["extraction"].endswith("+rendered"))
    # Flat memory: the peak while the browser ran, in the first half of that time and the last.
    running = [pss for pss in samples.pss if pss]
    half = max(1, len(running) // 2)
    return {
        "mode": mode,
        "stories": len(stories),
        "rendered": rendered,
        "seconds": round(seconds, 1),
        "stories_per_s": round(len(stories) / seconds, 1),
        "chromium_processes": samples.processes,
        "chromium_peak_rss_mb": round(max(samples.rss, default=0) / MB),
        "chromium_peak_pss_mb": round(max(samples.pss, default=0) / MB),
        "chromium_peak_pss_first_half_mb": round(max(running[:half], default=0) / MB),
        "chromium_peak_pss_second_half_mb": round(max(running[half:], default=0) / MB),
        "driver_peak_rss_mb": round(max(samples.driver, default=0) / MB),
    }


def table(results: list[dict]) -> str:
    head = (
        "| mode | stories | rendered | seconds | stories/s | Chromium processes "
        "| Chromium peak RSS (sum) | Chromium peak PSS | PSS peak, 1st / 2nd half "
        "| driver peak RSS |\n|" + " --- |" * 10
    )
    rows = [
        f"| `{r['mode']}` | {r['stories']} | {r['rendered']} | {r['seconds']} "
        f"| {r['stories_per_s']} | {r['chromium_processes']} | {r['chromium_peak_rss_mb']} MB "
        f"| {r['chromium_peak_pss_mb']} MB | {r['chromium_peak_pss_first_half_mb']} / "
        f"{r['chromium_peak_pss_second_half_mb']} MB | {r['driver_peak_rss_mb']} MB |"
        for r in results
    ]
    return "\n".join([head, *rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--modes", default="never,auto,always")
    parser.add_argument(
        "--always-max-stories", type=int, help="stop `always` after N stories (it is slow)"
    )
    args = parser.parse_args()
    portal = Portal(ReplicaOptions(stories=args.stories, scripted=True))
    needing = len(portal.variants["script_related"]) + len(portal.variants["script_body"])
    print(
        f"replica: {args.stories} stories, {needing} need the browser; "
        f"{platform.platform()}, {os.cpu_count()} CPUs, python {platform.python_version()}",
        flush=True,
    )
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for mode in args.modes.split(","):
            extra = []
            if mode == "always" and args.always_max_stories:
                extra.append(f"max_stories={args.always_max_stories}")
            with ReplicaServer(portal) as server:
                portal.reset()
                result = crawl(mode, server, Path(tmp), extra)
            results.append(result)
            print(json.dumps(result), flush=True)
    print(table(results))


if __name__ == "__main__":
    main()
