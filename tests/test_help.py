"""Help that helps: ``scrapy crawl related -h`` says the spider's arguments and exit statuses,
README's tables say the same, and README's two commands are the ones CI runs."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

from newscrawl.commands.crawl import EXIT_STATUSES
from newscrawl.spiders.arguments import CrawlArguments

ROOT = Path(__file__).resolve().parent.parent


def crawl_help(tmp_path: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "related", "-h"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_crawl_help_lists_every_argument_with_its_default_and_every_exit_status(
    tmp_path: Path,
) -> None:
    text = crawl_help(tmp_path)
    for argument in fields(CrawlArguments):
        line = f"  -a {argument.name}={argument.metadata['value']}  "
        assert line + f"(default: {argument.metadata['default']})" in text, argument.name
    assert "-a max_depth=N  (default: 2)" in text
    assert "-a render=never|auto|always  (default: never)" in text
    for status, _ in EXIT_STATUSES:
        assert re.search(rf"^ +{status}  \S", text, re.MULTILINE), status
    assert "130  interrupted by SIGINT (Ctrl-C)" in text


def test_readme_lists_the_same_arguments_and_exit_statuses() -> None:
    readme = (ROOT / "README.md").read_text()
    arguments = set(re.findall(r"^\| `(\w+)` \|", readme, re.MULTILINE))
    assert {a.name for a in fields(CrawlArguments)} <= arguments
    table = readme[readme.index("**Exit statuses**") :]
    table = table[: table.index("\n\n", table.index("| ---: |"))]
    listed = [int(n) for n in re.findall(r"^\| (\d+) \|", table, re.MULTILINE)]
    assert listed == [status for status, _ in EXIT_STATUSES]


def test_readme_gives_two_commands_and_ci_runs_them_as_given() -> None:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"## Two commands\n.*?```sh\n(.*?)```", readme, re.DOTALL)
    assert block, "README has a 'Two commands' block"
    commands = [line.split("  #")[0].strip() for line in block.group(1).splitlines()]
    assert len(commands) == 2 and all(commands)
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    for command in commands:
        assert command in ci, command
