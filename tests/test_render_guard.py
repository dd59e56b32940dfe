"""The page guard in real Chromium, without a crawl: what the browser is given, it shows."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from newscrawl.rendering import CHROMIUM_ARGS, SCOPE, STATIC_HTML, guard_page
from newscrawl.scope import Scope
from newscrawl.sites import get_profile
from tests.test_render_e2e import CHROMIUM, require_chromium

pytestmark = pytest.mark.browser

STORY = "http://french.peopledaily.com.cn/Chine/n3/2021/0104/c31357-9500001.html"
# A <meta> that contradicts the header: the static text is already decoded, and must stay so.
LYING_META = (
    '<html><head><meta charset="windows-1252"></head>'
    "<body><p>Été à Pékin : « économie » — 中国</p></body></html>"
)


async def rendered_text(html: str) -> tuple[str, str]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=list(CHROMIUM_ARGS)
        )
        try:
            page = await browser.new_page()
            request = SimpleNamespace(
                url=STORY, meta={STATIC_HTML: html, SCOPE: Scope.of(get_profile("peopledaily_fr"))}
            )
            await guard_page(page, request)
            await page.goto(STORY)
            return page.url, await page.inner_text("p")
        finally:
            await browser.close()


def test_the_header_charset_wins_over_a_lying_meta() -> None:
    require_chromium()
    url, text = asyncio.run(rendered_text(LYING_META))
    assert url == STORY
    assert text == "Été à Pékin : « économie » — 中国"
