"""Reading one ``NEWSCRAWL_*`` setting: typed, checked, its default said once.

Every default lives in :mod:`newscrawl.settings`; a component that reads a setting the project
settings do not hold (a test's bare crawler) gets that same default, never one of its own. A
value that is not of its type or out of its range raises :class:`SettingError`, whose message
is one line naming the setting; the ``crawl`` command prints it and exits 2.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from newscrawl import settings as defaults

DEFAULTS: dict[str, Any] = {
    name: value for name, value in vars(defaults).items() if name.startswith("NEWSCRAWL_")
}


class SettingError(ValueError):
    """A setting with a wrong value (or an unknown name); the message is one line."""

    def __init__(self, name: str, value: Any, why: str) -> None:
        super().__init__(f"-s {name}={value}: {why}")
        self.name = name


def raw(settings: Any, name: str) -> Any:
    """The setting's value, or its project default when the settings do not hold it."""
    if name not in DEFAULTS:
        raise KeyError(f"{name} is not a newscrawl setting")
    value = settings.get(name) if settings is not None else None
    return DEFAULTS[name] if value is None else value


def integer(
    settings: Any, name: str, minimum: int | None = None, maximum: int | None = None
) -> int:
    value = raw(settings, name)
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise SettingError(name, value, "not a whole number") from None
    _check_range(name, value, number, minimum, maximum)
    return number


def number(
    settings: Any,
    name: str,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
) -> float:
    value = raw(settings, name)
    try:
        result = float(str(value).strip()) if not isinstance(value, int | float) else float(value)
    except ValueError:
        raise SettingError(name, value, "not a number") from None
    if result != result or result in (float("inf"), float("-inf")):
        raise SettingError(name, value, "not a finite number")
    if above is not None and result <= above:
        raise SettingError(name, value, f"must be more than {above:g}")
    _check_range(name, value, result, minimum, maximum)
    return result


def text(settings: Any, name: str, allow_empty: bool = True) -> str:
    value = raw(settings, name)
    result = str(value).strip()
    if not result and not allow_empty:
        raise SettingError(name, value, "must not be empty")
    return result


def optional_path(settings: Any, name: str) -> Path | None:
    value = raw(settings, name)
    if value is None or str(value).strip() in ("", "None"):
        return None
    return Path(str(value).strip()).expanduser()


def patterns(settings: Any, name: str) -> tuple[re.Pattern[str], ...]:
    """A list of regular expressions (a Python list, or one string split on new lines)."""
    value = raw(settings, name)
    items = value.splitlines() if isinstance(value, str) else list(value or ())
    compiled = []
    for item in (str(i) for i in items):
        if not item.strip():
            continue
        try:
            compiled.append(re.compile(item, re.IGNORECASE))
        except re.error as error:
            raise SettingError(name, item, f"not a regular expression ({error})") from None
    return tuple(compiled)


def _check_range(
    name: str, value: Any, result: float, minimum: float | None, maximum: float | None
) -> None:
    if minimum is not None and result < minimum:
        raise SettingError(name, value, f"must be at least {_bound(minimum)}")
    if maximum is not None and result > maximum:
        raise SettingError(name, value, f"must be at most {_bound(maximum)}")


def _bound(limit: float) -> str:
    """A limit as a person writes it: 10000000, not 1e+07; 0.5 as 0.5."""
    return str(limit) if isinstance(limit, int) else f"{limit:g}"
