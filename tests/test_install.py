"""scripts/install.sh on a machine whose Python refuses a bare ``pip install`` (PEP 668).

The script runs for real, in a copy of the repository's layout, with stand-ins for what it
calls (Python, apt-get, id, chromium) that record their arguments: so its choices are seen
without installing anything. That the whole install works on Debian's own Python is what
``.ci/run`` proves, with the two commands README gives (``tests/test_help.py`` keeps them the
same).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A python3 whose venv module is there only once python3-venv is "installed" (Debian ships
# ensurepip apart); `-m venv` makes a .venv whose python records what it is asked to do.
FAKE_PYTHON = """#!/bin/sh
echo "python3 $*" >> "$CALLS"
case "$1" in
  -c) [ -e "$FAKE/venv-installed" ] || exit 1 ;;
  -m)
    if [ "$2" = venv ]; then
      for last; do :; done
      mkdir -p "$last/bin"
      printf '#!/bin/sh\\necho "venv-python $*" >> "$CALLS"\\n' > "$last/bin/python"
      chmod +x "$last/bin/python"
    else
      echo "error: externally-managed-environment" >&2; exit 1
    fi ;;
esac
"""
FAKE_APT = """#!/bin/sh
echo "apt-get $*" >> "$CALLS"
case "$*" in *python3-venv*) touch "$FAKE/venv-installed" ;; esac
"""


def install(tmp_path: Path, uid: int = 0) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    repo, fake = tmp_path / "repo", tmp_path / "bin"
    (repo / "scripts").mkdir(parents=True, exist_ok=True)
    (repo / "scripts" / "install.sh").write_text((ROOT / "scripts" / "install.sh").read_text())
    fake.mkdir(exist_ok=True)
    tools = {
        "python3": FAKE_PYTHON,
        "apt-get": FAKE_APT,
        "id": f"#!/bin/sh\necho {uid}\n",
        "chromium": "#!/bin/sh\n",
        "valgrind": "#!/bin/sh\n",
    }
    for name, script in tools.items():
        (fake / name).write_text(script)
        (fake / name).chmod(0o755)
    calls = tmp_path / "calls"
    env = {
        "PATH": f"{fake}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "CALLS": str(calls),
        "FAKE": str(fake),
    }
    result = subprocess.run(
        ["bash", "scripts/install.sh"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result, calls.read_text().splitlines() if calls.exists() else []


def test_install_makes_a_virtualenv_installing_python3_venv_first_when_missing(
    tmp_path: Path,
) -> None:
    result, calls = install(tmp_path)
    assert result.returncode == 0, result.stderr
    apt = [c for c in calls if c.startswith("apt-get install")]
    assert apt == ["apt-get install -y -qq python3-venv"]
    assert "python3 -m venv --clear .venv" in calls
    assert calls.index(apt[0]) < calls.index("python3 -m venv --clear .venv")
    # pip runs in the virtualenv, never against the system's Python.
    assert "venv-python -m pip install -q --disable-pip-version-check -e .[test]" in calls
    assert not any(c.startswith("python3 -m pip") for c in calls)
    assert "newscrawl is installed in .venv/" in result.stderr


def test_install_again_reuses_the_virtualenv(tmp_path: Path) -> None:
    install(tmp_path)
    (tmp_path / "calls").unlink()
    result, calls = install(tmp_path)
    assert result.returncode == 0, result.stderr
    assert not [c for c in calls if c.startswith(("apt-get", "python3 -m venv"))]


def test_without_root_install_says_which_package_is_missing(tmp_path: Path) -> None:
    result, calls = install(tmp_path, uid=1000)
    assert result.returncode == 1
    assert "run 'sudo apt-get install python3-venv'" in result.stderr
    assert not [c for c in calls if c.startswith("apt-get")]
    assert not (tmp_path / "repo" / ".venv").exists()
