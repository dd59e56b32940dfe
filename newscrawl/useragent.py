"""The User-Agent: says what the crawler is and whom to contact, from ``NEWSCRAWL_CONTACT_URL``.

It is written into the ``USER_AGENT`` setting before the crawl starts (by the spider's
``update_settings``), so the header sent and the name robots.txt rules are matched against
are the same. A ``USER_AGENT`` the user sets wins.
"""

from __future__ import annotations

from scrapy.settings import BaseSettings, get_settings_priority

from newscrawl import __version__, setting

TEMPLATE = "newscrawl/{version} (+{contact}; research crawler of French-language news)"


def user_agent(contact_url: str) -> str:
    return TEMPLATE.format(version=__version__, contact=contact_url)


def apply_contact_user_agent(settings: BaseSettings) -> None:
    if (settings.getpriority("USER_AGENT") or 0) > get_settings_priority("default"):
        return  # set by the project or the command line: theirs
    contact = setting.text(settings, "NEWSCRAWL_CONTACT_URL")
    if contact:
        settings.set("USER_AGENT", user_agent(contact), priority="spider")
