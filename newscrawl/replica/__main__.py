"""``python -m newscrawl.replica --stories 200 --port 8080``: serve until interrupted."""

from __future__ import annotations

import argparse
import sys
import time

from newscrawl.replica import Portal, ReplicaOptions, ReplicaServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m newscrawl.replica",
        description="Serve an offline replica of the portal as an "
        "HTTP proxy (use it as http_proxy).",
    )
    parser.add_argument("--stories", type=int, default=200)
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--edition", type=int, default=0)
    parser.add_argument("--layout", choices=("current", "changed"), default="current")
    parser.add_argument(
        "--scripted", action="store_true", help="add pages written by scripts (need a browser)"
    )
    parser.add_argument("--request-log", help="append every request to this JSONL file")
    parser.add_argument(
        "--faults", action="store_true", help="serve broken and hostile answers (faults.py)"
    )
    parser.add_argument(
        "--refreshing", action="store_true", help="listings refresh themselves every minute"
    )
    parser.add_argument(
        "--withdrawn", type=float, default=0.0, help="share of the stories taken down (404)"
    )
    parser.add_argument(
        "--blocked", type=float, default=0.0, help="share of the story pages answered 403"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        options = ReplicaOptions(
            stories=args.stories,
            seed=args.seed,
            edition=args.edition,
            layout=args.layout,
            scripted=args.scripted,
            faults=args.faults,
            refreshing=args.refreshing,
            withdrawn=args.withdrawn,
            blocked=args.blocked,
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    portal = Portal(options)
    with ReplicaServer(
        portal, host=args.host, port=args.port, request_log=args.request_log
    ) as server:
        print(server.proxy_url, flush=True)
        print(
            f"serving {len(portal.entries)} stories; front page {portal.front_url}",
            file=sys.stderr,
            flush=True,
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
