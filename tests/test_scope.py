"""The scope guard and the redirect guard: which URLs may be requested, and why not."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from scrapy.http import HtmlResponse, Request, Response

from newscrawl.downloadermiddlewares.scope import (
    RedirectGuard,
    RedirectLimits,
    ScopeGuard,
    redirect_target,
)
from newscrawl.outcomes import Refused
from newscrawl.scope import Scope
from newscrawl.sites import get_profile

PORTAL = "http://french.peopledaily.com.cn"
SCOPE = Scope(frozenset({"french.peopledaily.com.cn"}))
STORY = f"{PORTAL}/Chine/n3/2021/1227/c31357-9937490.html"

ALLOWED = [
    STORY,
    f"{PORTAL}/",
    f"{PORTAL}/International/index2.html",
    f"{PORTAL}/robots.txt",
    "https://french.peopledaily.com.cn/Chine/",
    "HTTP://FRENCH.PEOPLEDAILY.COM.CN/Chine/",
    "http://french.peopledaily.com.cn./Chine/",  # the root-dot spelling of the same host
    "http://french.peopledaily.com.cn:80/Chine/",
]
REFUSED = [
    ("file:///etc/passwd", "not_web"),
    ("ftp://french.peopledaily.com.cn/pub/a.html", "not_web"),
    ("data:text/html,<h1>x</h1>", "not_web"),
    ("javascript:alert(1)", "not_web"),
    ("mailto:redaction@people.cn", "not_web"),
    ("gopher://french.peopledaily.com.cn/", "not_web"),
    ("http://127.0.0.1/", "ip_address"),
    ("http://127.0.0.1:6023/", "ip_address"),
    ("http://10.0.0.1/Chine/", "ip_address"),
    ("http://192.168.1.1/", "ip_address"),
    ("http://169.254.169.254/latest/meta-data/", "ip_address"),
    ("http://[::1]/", "ip_address"),
    ("http://[fd00::1]/", "ip_address"),
    ("http://0.0.0.0/", "ip_address"),
    ("http://localhost/", "other_host"),
    ("http://2130706433/", "other_host"),  # 127.0.0.1 as one number: no portal host either
    ("http://en.people.cn/n3/2021/0104/c90000-1.html", "other_host"),
    ("http://french.peopledaily.com.cn.evil.example/", "other_host"),
    ("http://evil.example/french.peopledaily.com.cn/", "other_host"),
    ("http://french.peopledaily.com.cn@127.0.0.1/Chine/", "ip_address"),
    ("http://user:pw@french.peopledaily.com.cn/Chine/", "credentials"),
    ("http://french.peopledaily.com.cn:6379/", "other_port"),
    ("http://french.peopledaily.com.cn:443/Chine/", "other_port"),  # https's port over http
    ("https://french.peopledaily.com.cn:80/Chine/", "other_port"),
    ("http://french.peopledaily.com.cn:99999/", "bad_url"),
    ("http://[::1/", "bad_url"),
    ("http:///Chine/", "bad_url"),
    (f"{PORTAL}/NMediaFile/2021/1227/FOREIGN1.jpg", "not_a_page"),
    (f"{PORTAL}/docs/rapport.pdf", "not_a_page"),
]


@pytest.mark.parametrize("url", ALLOWED)
def test_portal_pages_may_be_requested(url: str) -> None:
    assert SCOPE.refusal(url) is None


@pytest.mark.parametrize(("url", "why"), REFUSED)
def test_everything_else_is_refused_with_why(url: str, why: str) -> None:
    assert SCOPE.refusal(url) == why


def crawler() -> SimpleNamespace:
    stats = SimpleNamespace(values={})
    stats.inc_value = lambda key: stats.values.__setitem__(key, stats.values.get(key, 0) + 1)
    profile = get_profile("peopledaily_fr")
    spider = SimpleNamespace(profile=profile, scope=Scope.of(profile))
    return SimpleNamespace(spider=spider, stats=stats)


def test_scope_guard_stops_a_request_before_it_is_sent() -> None:
    guard = ScopeGuard(crawler())  # type: ignore[arg-type]
    assert guard.process_request(Request(STORY)) is None
    with pytest.raises(Refused) as refused:
        guard.process_request(Request("http://10.0.0.1/Chine/"))
    assert (refused.value.reason, refused.value.details["why"]) == ("off_portal", "ip_address")
    redirected = Request("http://127.0.0.1:8080/", meta={"redirect_urls": [STORY]})
    with pytest.raises(Refused) as refused:
        guard.process_request(redirected)
    assert refused.value.reason == "redirect_off_portal"


def test_scope_guard_leaves_spiders_without_a_portal_alone() -> None:
    guard = ScopeGuard(SimpleNamespace(spider=SimpleNamespace(), stats=None))  # type: ignore[arg-type]
    assert guard.process_request(Request("http://127.0.0.1:8000/")) is None


LIMITS = RedirectLimits(max_redirects=5, refresh_max_delay=100, refresh_ignore_tags=())


def redirect(location: str, status: int = 302, **meta: object) -> tuple[Request, Response]:
    request = Request(STORY, meta=meta)
    return request, Response(STORY, status=status, headers={"Location": location}, request=request)


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://en.people.cn/", "redirect_off_portal"),
        ("//127.0.0.1/", "redirect_off_portal"),
        ("http://[::1]:8080/", "redirect_off_portal"),
        ("file:///etc/passwd", "redirect_off_portal"),
        (STORY, "redirect_loop"),
        (STORY + "#top", "redirect_loop"),
    ],
)
def test_redirect_guard_ends_bad_redirects(location: str, reason: str) -> None:
    guard = RedirectGuard(crawler(), LIMITS)  # type: ignore[arg-type]
    request, response = redirect(location)
    with pytest.raises(Refused) as refused:
        guard.process_response(request, response)
    assert refused.value.reason == reason


def test_redirect_guard_counts_hops_against_the_limit() -> None:
    guard = RedirectGuard(crawler(), RedirectLimits(2, 100, ()))  # type: ignore[arg-type]
    hop = f"{PORTAL}/Chine/n3/2021/1227/c31357-9937491.html"
    request, response = redirect(hop, redirect_times=1, redirect_urls=[f"{PORTAL}/a.html"])
    assert guard.process_response(request, response) is response  # the second hop: allowed
    request, response = redirect(hop, redirect_times=2, redirect_urls=[f"{PORTAL}/a.html"] * 2)
    with pytest.raises(Refused) as refused:
        guard.process_response(request, response)
    assert refused.value.reason == "too_many_redirects"


def test_redirect_guard_lets_portal_redirects_and_other_responses_through() -> None:
    guard = RedirectGuard(crawler(), LIMITS)  # type: ignore[arg-type]
    request, response = redirect("/Chine/n3/2021/1227/c31357-9937491.html", status=301)
    assert guard.process_response(request, response) is response
    page = HtmlResponse(STORY, body=b"<html></html>", request=request)
    assert guard.process_response(request, page) is page
    request, response = redirect("http://en.people.cn/", dont_redirect=True)
    assert guard.process_response(request, response) is response


def test_redirect_target_resolves_like_scrapy() -> None:
    assert redirect_target(STORY, b"/Chine/") == f"{PORTAL}/Chine/"
    assert redirect_target(STORY, b"//en.people.cn/x") == "http://en.people.cn/x"
    assert redirect_target(STORY, "/é".encode("latin-1")) == f"{PORTAL}/%C3%A9"
