"""An offline replica of the portal: a deterministic generator and an HTTP proxy that serves it.

    from newscrawl.replica import Portal, ReplicaOptions, ReplicaServer

    portal = Portal(ReplicaOptions(stories=60, seed=2021, edition=0, layout="current"))
    with ReplicaServer(portal) as server:        # 127.0.0.1, free port, serving on a thread
        ...crawl with http_proxy=server.proxy_url...
        server.requests, server.out_of_scope     # RequestRecord(method, url, status, proxied)
    portal.expected_stories()                    # ground truth, article.expected.json's shape
    portal.variants, portal.duplicates           # which URLs carry which variation

Command line: ``python -m newscrawl.replica --stories 200 --port 8080 [--seed N]
[--edition N] [--layout current|changed] [--scripted] [--faults] [--request-log requests.jsonl]``
prints the proxy URL and serves until interrupted.

What it serves (``http://french.peopledaily.com.cn`` only; other hosts get 403, CONNECT 405):

- ``/`` (home.html's template), ``/{Section}/`` and ``/{Section}/index{N}.html`` (section.html's,
  20 stories a page, newest first, ``div.page_n`` with "Suivant >"), ``/robots.txt``
  (``Disallow: /private/``), pictures under ``/NMediaFile/`` (image/jpeg), 404 for the rest.
- Stories at ``/{Section}/n3/{YYYY}/{MMDD}/c{catalog}-{contentid}.html`` in article.html's
  template, with 4 to 12 related headlines spelled absolute, root-relative, protocol-relative,
  ``https://``, ``?from=rel`` or ``#rel``.

Variations (``portal.variants`` keys), about 5% of the stories each, at least one:

- ``older_layout``: no ``div.txt_t``/``div#rwb_zw``/``div.d2_relevant``; a plain ``h1``, the
  date line in ``div.wb_info``, paragraphs (no tab) in ``div.text_con#p_content`` ending with
  ``div.edit`` "(Rédacteurs :…)", breadcrumb ``div.wb_path``; every other one has its related
  headlines in ``div.rel_news ul`` (no WeChat box), the others none (ground truth ``[]``).
  Meta tags are unchanged.
- ``multipage``: 2 or 3 pages ``…-2.html``, ``…-3.html`` linked (relative hrefs) from a
  ``div.page_n`` right after ``div#rwb_zw``; each page repeats title, date line, editors and the
  related block.
- ``photo``: ``<p style="text-align: center;"><img src="/NMediaFile/…jpg" /></p>`` then a centred
  caption paragraph.
- ``latin1``: bytes in ISO-8859-1, declared only by the ``<meta http-equiv>``; the HTTP
  Content-Type is ``text/html`` without charset; the full-width colon of the source meta is
  written ``&#65306;``.
- ``duplicate`` / ``near_duplicate``: copy URLs; ``portal.duplicates`` lists
  ``(first_url, copy_url, kind)``. A near duplicate has one word slipped into one sentence and
  `` (Xinhua)`` appended to its last paragraph, so its 5-shingle Jaccard similarity with the
  first is clearly over the dedup threshold (>= 0.85, 0.93 at least on 2,000 stories).
  Copies are in another section.
- ``dead`` (linked, 404), ``fails_once`` (500 on its first request, then 200; ``portal.reset()``
  forgets), ``redirect`` (old URL, 301 to ``redirect_target``), ``year_rollover`` (URL says
  ``/2021/1231/``, date line ``le 02/01``), ``off_portal`` (en.people.cn, xinhuanet.com,
  french.cri.cn links in related lists).
- ``edited`` / ``added``: with ``edition=N``, N stories get one sentence changed and a later
  date line, and 2N new stories top their sections' listings.

With ``scripted=True`` (off by default), about 2.5% of the stories each, at least one, chosen
among plain one-page stories after every other variation (the other pages stay byte-identical):

- ``script_related``: ``div.d2_relevant`` with both ``ul.list_rel`` empty, and an inline script
  after it that fills them from a JSON array in the script (same hrefs, same split).
- ``script_body``: ``div#rwb_zw`` holds only ``<noscript><div class="js_off">Le JavaScript est
  désactivé…</div></noscript>`` and the editors line; an inline script after it writes the
  text paragraphs (no empty ``&nbsp;`` paragraph) before the editors line.

Their ground truth is the rendered story: the related headlines, the body.

``faults=True`` (``--faults``) adds the fault mode of ``faults.py``: one plain story per fault
(5xx, slow, reset, truncated, empty, lying Content-Type, wrong or missing charset, malformed
HTML, a spreadsheet formula as headline, redirect loop, chain and redirects off the portal, a
gzip bomb, 50 MB pages; scripts that try WebRTC, WebSockets and popups against
``loopback_port``; charsets that are no encoding of the web, a NUL byte, symbol-only bodies,
line separators in hrefs and a header, a 40,000-character body, 400 related headlines), all
linked from the related headlines of ``portal.variants["fault_hub"]`` with hostile hrefs;
``portal.faults`` maps each fault URL to how a correct crawl ends it. It needs
``stories >= faults.FAULT_STORIES`` (90).

``ReplicaServer(portal, sites=[NewsSite("www.exemple.fr")])`` serves beside the portal replicas
of French news sites that have no profile (``newssite.py``: JSON-LD, meta or plain layouts,
robots.txt, a sitemap, an RSS feed), each with its ``expected_stories()``.

``withdrawn=0.8`` (``--withdrawn``) takes that share of the stories down: gone from the front
page, the listings and every related list, their pages 404. ``blocked=0.3`` (``--blocked``)
answers that share of the story pages ``403 Forbidden``, as a portal that starts blocking a
crawler does. Both choose their stories from the seed alone; ``expected_stories()`` still lists
every story. A state's history should see both as far from the usual (``newscrawl.history``).

``layout="changed"`` serves every story in a redesigned template with no ``h1``, no ``<p>`` and
none of the profile's landmarks; ``expected_stories()`` still describes the content, which an
extractor reads only with the generic machinery (a fallback extraction: a layout miss).
"""

from newscrawl.replica.portal import Page, Portal, ReplicaOptions
from newscrawl.replica.server import ReplicaServer, RequestRecord

__all__ = ["Page", "Portal", "ReplicaOptions", "ReplicaServer", "RequestRecord"]
