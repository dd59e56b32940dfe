"""HTML of the replica's pages, in the markup of the reference pages in shared/portal/.

``story_page`` writes article.html's template; ``older_story_page`` an older layout (other class
names, plain h1, same meta tags); ``redesigned_story_page`` a template with none of the profile's
landmarks and no ``<p>`` at all; ``listing_page`` section.html's; ``front_page`` home.html's.
"""

# Markup lines are kept whole, as in the reference pages, so the two can be diffed.
# ruff: noqa: E501

from __future__ import annotations

import json
from collections.abc import Sequence

from newscrawl.replica.content import Block, StoryContent
from newscrawl.replica.index import ORIGIN, SECTIONS

DOCTYPE = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
    '<html xmlns="http://www.w3.org/1999/xhtml" lang="fr">\n'
)
SITE_NAME = "Le Quotidien du Peuple en ligne"
FULLWIDTH_COLON = "\uff1a"  # the portal writes its source meta as "Source" + this
WECHAT = "Ceux qui veulent nous rejoindre sur la messagerie WeChat, scannez le code QR ci-contre."
FOOTER = f"""<div class="footer">
  <p><a href="{ORIGIN}/about/">Qui sommes-nous</a> | <a href="{ORIGIN}/contact/">Contactez-nous</a></p>
  <p>Copyright by People's Daily Online. All Rights Reserved.</p>
</div>
"""


def esc(text: str) -> str:
    """Escape as the portal does: &quot; for double quotes, apostrophes left alone."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def charset_meta(charset: str) -> str:
    return f'<meta http-equiv="content-type" content="text/html;charset={charset}"/>\n'


def header() -> str:
    links = [f'      <a href="{ORIGIN}/">Accueil</a>']
    links += [
        f'      <a href="{ORIGIN}/{name}/">{label}</a>' for name, (_, label) in SECTIONS.items()
    ]
    nav = "\n".join(links)
    return f"""<div class="header">
  <div class="w1200 top clearfix">
    <a href="{ORIGIN}/" class="logo"><img src="/img/2020wbc/images/logo.png" alt="{SITE_NAME}" /></a>
    <div class="nav">
{nav}
    </div>
  </div>
</div>
"""


def breadcrumb(section: str, css: str = "w1200 path") -> str:
    return (
        f'<div class="{css}"><a href="{ORIGIN}/" class="clink">Accueil</a>&gt;&gt;'
        f'<a href="{ORIGIN}/{section}/" class="clink">{section}</a></div>\n'
    )


def date_line(story: StoryContent) -> str:
    return f"Dernière mise à jour à {story.entry.published:%Hh%M le %d/%m}"


def story_meta(story: StoryContent) -> str:
    entry = story.entry
    return f"""<meta name="keywords" content="{esc(",".join(story.keywords))}" />
<meta name="description" content="{esc(story.summary)}" />
<meta name="filetype" content="0" />
<meta name="publishedtype" content="1" />
<meta name="pagetype" content="1" />
<meta name="catalogs" content="{entry.catalog}" />
<meta name="contentid" content="{entry.contentid}" />
<meta name="publishdate" content="{entry.url_day:%Y-%m-%d}" />
<meta name="author" content="{esc(story.editors[0])}" />
<meta name="source" content="Source{FULLWIDTH_COLON}{esc(story.source)}" />
"""


def story_head(story: StoryContent, charset: str) -> str:
    return (
        f"{DOCTYPE}<head>\n{charset_meta(charset)}"
        '<meta http-equiv="Content-Language" content="utf-8" />\n'
        '<meta content="all" name="robots" />\n'
        f"<title>{esc(story.title)} - {SITE_NAME}</title>\n{story_meta(story)}"
    )


def body_blocks(blocks: Sequence[Block], tab: bool = True) -> str:
    lead = "\n\t" if tab else ""
    lines = []
    for block in blocks:
        if block.kind == "p":
            lines.append(f"      <p>{lead}{esc(block.text)}</p>")
        elif block.kind == "empty":
            lines.append(f"      <p>{lead}&nbsp;</p>")
        else:
            lines.append(f'      <p style="text-align: center;"><img src="{block.src}" /></p>')
            lines.append(f'      <p style="text-align: center;">{esc(block.text)}</p>')
    return "\n".join(lines) + "\n"


def editors_line(story: StoryContent, css: str = "txt_edit") -> str:
    return f'      <div class="{css}">(Rédacteurs :{esc(", ".join(story.editors))})</div>\n'


def page_links(story: StoryContent, page: int) -> str:
    """div.page_n under the body of a multi-page story; hrefs relative to the page's folder."""
    count = len(story.pages)
    if count == 1:
        return ""
    stem = story.entry.path().rsplit("/", 1)[1][: -len(".html")]
    names = [f"{stem}.html"] + [f"{stem}-{n}.html" for n in range(2, count + 1)]
    items = [
        f"<span>{n}</span>" if n == page else f'<a href="{names[n - 1]}">{n}</a>'
        for n in range(1, count + 1)
    ]
    if page < count:
        items.append(f'<a href="{names[page]}">Suivant &gt;</a>')
    return '    <div class="page_n clearfix">\n      ' + "\n      ".join(items) + "\n    </div>\n"


def related_items(links: Sequence) -> str:
    return "".join(
        f'        <li><a href="{esc(rel.href)}" target="_blank">{esc(rel.title)}</a></li>\n'
        for rel in links
    )


def related_cut(links: Sequence) -> int:
    """How many related headlines go in the first ul.list_rel, before the WeChat box."""
    return max(1, -(-len(links) * 2 // 3))


def related_block(story: StoryContent, with_links: bool = True) -> str:
    """Two ul.list_rel split by the WeChat box, as on the reference page (empty: script-filled)."""
    links = story.related if with_links else []
    cut = related_cut(story.related)
    return f"""    <div class="d2_relevant clearfix">
      <h3>Articles liés</h3>
      <ul class="list_rel">
{related_items(links[:cut])}      </ul>
      <div class="weixin clearfix">
        <img src="/img/2020wbc/images/weixin_qr.jpg" alt="" />
        <p>{WECHAT}</p>
      </div>
      <ul class="list_rel">
{related_items(links[cut:])}      </ul>
    </div>
"""


def most_read_block(picks: Sequence[tuple[str, str]]) -> str:
    items = "".join(f'        <li><a href="{url}">{esc(title)}</a></li>\n' for title, url in picks)
    return f"""    <div class="hot_list">
      <h3>Les plus lus</h3>
      <ol>
{items}      </ol>
    </div>
"""


def right_column(story: StoryContent) -> str:
    title, url, picture = story.teaser
    return f"""  <div class="d2_right">
{most_read_block(story.most_read)}    <div class="pic_list">
      <h3>Photos</h3>
      <a href="{url}"><img src="{picture}" alt="{esc(title)}" /><span>{esc(title)}</span></a>
    </div>
  </div>
"""


SHARE = """    <div class="txt_share clearfix">
      <span>Partager :</span>
      <a href="javascript:void(0)" class="share_fb" onclick="shareTo('facebook')">Facebook</a>
      <a href="javascript:void(0)" class="share_tw" onclick="shareTo('twitter')">Twitter</a>
      <a href="mailto:?subject=Le%20Quotidien%20du%20Peuple%20en%20ligne" class="share_mail">Courriel</a>
    </div>
"""


def story_page(
    story: StoryContent, page: int = 1, charset: str = "UTF-8", scripted: str | None = None
) -> str:
    """article.html's template; ``scripted`` leaves the related list or the body to a script."""
    entry = story.entry
    body = body_blocks(story.pages[page - 1])
    related = related_block(story)
    after_related = ""
    if scripted == "script_body":
        body = JS_OFF
    elif scripted == "script_related":
        related = related_block(story, with_links=False)
        after_related = related_script(story)
    after_body = body_script(story.pages[page - 1]) if scripted == "script_body" else ""
    return f"""{story_head(story, charset)}<link href="/img/2020wbc/page.css" type="text/css" rel="stylesheet" media="all" />
<script src="/img/2020wbc/jquery.min.js" type="text/javascript"></script>
</head>
<body>
<!--header-->
{header()}<!--/header-->
{breadcrumb(entry.section)}<div class="w1200 d2_content clearfix">
  <div class="d2_left">
    <div class="txt_t">
      <h1>{esc(story.title)}</h1>
      <div class="txt_time">{date_line(story)}</div>
    </div>
    <div class="txt_con" id="rwb_zw">
{body}{editors_line(story)}    </div>
{after_body}{page_links(story, page)}{SHARE}{related}{after_related}  </div>
{right_column(story)}</div>
<!--footer-->
{FOOTER}<script type="text/javascript">var _wbc_pageid = "{entry.contentid}"; /* statistiques */</script>
</body>
</html>
"""


# What a script-written story shows without JavaScript: no <p>, so no body to read.
JS_OFF = (
    '      <noscript><div class="js_off">Le JavaScript est désactivé dans votre navigateur : '
    "activez-le pour lire cet article.</div></noscript>\n"
)


def script_data(value: object) -> str:
    """JSON that is safe inside <script>: no "</" can close the element early."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def body_script(blocks: Sequence[Block]) -> str:
    """Writes the text paragraphs into div#rwb_zw, before the editors line, once it is parsed."""
    paragraphs = [block.text for block in blocks if block.kind == "p"]
    return f"""    <script type="text/javascript">
    (function () {{
      var paragraphs = {script_data(paragraphs)};
      var box = document.getElementById("rwb_zw");
      var editors = box.querySelector(".txt_edit");
      paragraphs.forEach(function (text) {{
        var p = document.createElement("p");
        p.textContent = text;
        box.insertBefore(p, editors);
      }});
    }})();
    </script>
"""


def related_script(story: StoryContent) -> str:
    """Fills the two empty ul.list_rel from data in the page, split as the static page splits."""
    links = [{"title": rel.title, "href": rel.href} for rel in story.related]
    return f"""    <script type="text/javascript">
    (function () {{
      var related = {script_data(links)};
      var lists = document.querySelectorAll("div.d2_relevant ul.list_rel");
      var cut = {related_cut(story.related)};
      related.forEach(function (link, number) {{
        var item = document.createElement("li");
        var anchor = document.createElement("a");
        anchor.setAttribute("href", link.href);
        anchor.setAttribute("target", "_blank");
        anchor.textContent = link.title;
        item.appendChild(anchor);
        lists[number < cut ? 0 : 1].appendChild(item);
      }});
    }})();
    </script>
"""


def older_story_page(story: StoryContent, page: int = 1, charset: str = "UTF-8") -> str:
    """An older layout: same content and meta tags, other wrappers; related block optional."""
    entry = story.entry
    related = ""
    if story.shows_related:
        items = "".join(
            f'<li><a href="{esc(rel.href)}">{esc(rel.title)}</a></li>\n' for rel in story.related
        )
        related = f'<div class="rel_news"><h4>Lire aussi</h4>\n<ul>\n{items}</ul></div>\n'
    picks = "".join(
        f'<li><a href="{url}">{esc(title)}</a></li>\n' for title, url in story.most_read
    )
    return f"""{story_head(story, charset)}<link href="/img/2011fr/style.css" type="text/css" rel="stylesheet" />
</head>
<body>
<div id="top_nav"><a href="{ORIGIN}/">Accueil</a> | <a href="{ORIGIN}/{entry.section}/">{SECTIONS[entry.section][1]}</a></div>
{breadcrumb(entry.section, "wb_path clear")}<div class="wb_main clear">
<div class="wb_left">
<h1>{esc(story.title)}</h1>
<div class="wb_info">{date_line(story)}</div>
<div class="text_con" id="p_content">
{body_blocks(story.pages[page - 1], tab=False)}{editors_line(story, "edit")}</div>
{related}</div>
<div class="wb_right"><h4>Les plus lus</h4>
<ul>
{picks}</ul></div>
</div>
{FOOTER}</body>
</html>
"""


def redesigned_story_page(story: StoryContent, page: int = 1, charset: str = "UTF-8") -> str:
    """After a redesign: no txt_t, no h1, no rwb_zw, no <p>: text lives in div.st-para."""
    entry = story.entry
    paras = "".join(
        f'<div class="st-para">{esc(block.text)}</div>\n'
        for block in story.pages[page - 1]
        if block.kind == "p"
    )
    links = "".join(
        f'<a class="st-link" href="{esc(rel.href)}">{esc(rel.title)}</a>\n' for rel in story.related
    )
    return f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8"/>
<title>{esc(story.title)} | {SITE_NAME}</title>
<meta property="og:title" content="{esc(story.title)}"/>
</head>
<body>
<nav class="nv3"><a href="{ORIGIN}/">Accueil</a> <a href="{ORIGIN}/{entry.section}/">{entry.section}</a></nav>
<main class="story-v3">
<header class="st-head"><span class="st-title">{esc(story.title)}</span>
<time datetime="{entry.published:%Y-%m-%dT%H:%M}">{entry.published:%d.%m %H:%M}</time></header>
<section class="st-copy">
{paras}</section>
<aside class="st-more">
{links}</aside>
</main>
</body>
</html>
"""


def listing_items(rows: Sequence[tuple[str, str, str]]) -> str:
    """(path, title, time) rows; every sixth href absolute, the rest root-relative."""
    lines = []
    for number, (path, title, when) in enumerate(rows):
        href = ORIGIN + path if number % 6 == 5 else path
        lines.append(f'      <li><a href="{href}">{esc(title)}</a><em>{when}</em></li>')
    return "\n".join(lines) + "\n" if lines else ""


def listing_page_path(section: str, page: int) -> str:
    return f"/{section}/" if page == 1 else f"/{section}/index{page}.html"


def pagination(section: str, page: int, pages: int) -> str:
    items = []
    if page > 1:
        items.append(f'<a href="{listing_page_path(section, page - 1)}">&lt; Précédent</a>')
    for number in range(max(1, page - 4), min(pages, page + 4) + 1):
        items.append(
            f"<span>{number}</span>"
            if number == page
            else f'<a href="{listing_page_path(section, number)}">{number}</a>'
        )
    if page < pages:
        items.append(f'<a href="{listing_page_path(section, page + 1)}">Suivant &gt;</a>')
    return '    <div class="page_n clearfix">\n      ' + "\n      ".join(items) + "\n    </div>\n"


def listing_page(
    section: str,
    rows: Sequence[tuple[str, str, str]],
    page: int,
    pages: int,
    most_read: Sequence[tuple[str, str]],
) -> str:
    catalog = SECTIONS[section][0]
    return f"""{DOCTYPE}<head>
{charset_meta("UTF-8")}<title>{section} - {SITE_NAME}</title>
<meta name="pagetype" content="2" />
<meta name="catalogs" content="{catalog}" />
<link href="/img/2020wbc/page.css" type="text/css" rel="stylesheet" media="all" />
</head>
<body>
{header()}{breadcrumb(section)}<div class="w1200 p2_content clearfix">
  <div class="p2_left">
    <ul class="list_16">
{listing_items(rows)}    </ul>
{pagination(section, page, pages)}  </div>
  <div class="p2_right">
{most_read_block(most_read)}  </div>
</div>
{FOOTER}</body>
</html>
"""


def front_page(
    focus: tuple[str, str, str],
    news: Sequence[tuple[str, str]],
    blocks: Sequence[tuple[str, Sequence[tuple[str, str]]]],
) -> str:
    """focus = (title, url, picture); news = (title, url); blocks = (section, stories)."""

    def items(rows: Sequence[tuple[str, str]]) -> str:
        return "".join(f'      <li><a href="{url}">{esc(title)}</a></li>\n' for title, url in rows)

    sections = "".join(
        f"""  <div class="p1_block">
    <h3><a href="{ORIGIN}/{name}/">{SECTIONS[name][1]}</a></h3>
    <ul class="list_14">
{items(rows)}    </ul>
  </div>
"""
        for name, rows in blocks
    )
    title, url, picture = focus
    return f"""{DOCTYPE}<head>
{charset_meta("UTF-8")}<title>{SITE_NAME}</title>
<meta name="pagetype" content="0" />
<link href="/img/2020wbc/page.css" type="text/css" rel="stylesheet" media="all" />
</head>
<body>
{header()}<div class="w1200 p1_content clearfix">
  <div class="p1_focus">
    <a href="{url}"><img src="{picture}" alt="" /></a>
    <h2><a href="{url}">{esc(title)}</a></h2>
  </div>
  <div class="p1_news">
    <ul class="list_14">
{items(news)}    </ul>
  </div>
{sections}  <div class="p1_links">
    <a href="http://www.xinhuanet.com/">Agence Xinhua</a>
    <a href="http://french.cri.cn/">Radio Chine Internationale</a>
  </div>
</div>
{FOOTER}</body>
</html>
"""


def not_found_page() -> str:
    return f"""{DOCTYPE}<head>
{charset_meta("UTF-8")}<title>404 - {SITE_NAME}</title>
</head>
<body>
{header()}<div class="w1200"><h2>Page introuvable</h2><p>La page demandée n'existe pas.</p></div>
{FOOTER}</body>
</html>
"""
