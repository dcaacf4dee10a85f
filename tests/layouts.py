"""One readout rendered in several page templates, for the layout-invariance tests.

A readout (tests/fixtures/layouts/readouts_*.json) holds what a reader sees: section,
title, date line, body paragraphs and photos (alt text, caption). Each template
wraps it in its own markup and site chrome:

- `mofa`: today's template (#maincontents, .any-area, .photo-area; the fixture site's);
- `html5`: <main><article><header><h1><time datetime></header><figure><figcaption>;
- `legacy`: a table layout without classes, <font>, paragraphs split by <br><br>;
- `renamed`: today's template with every class and id renamed;
- `photo_classes`: today's template with only the photo block's classes renamed;
- `redesign`: <main> holds only a menu, the article sits in a <div> elsewhere;
- `furnished`, `furnished_renamed`: today's template, and the renamed one, with site
  furniture (fixtures/layouts/furniture.json) inside the content area.

`renamed_page` renames every class and id of any page (the bundled site pages).
What a Document must hold on these pages: tests/layout_measures.py.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

LAYOUTS = Path(__file__).resolve().parent / "fixtures" / "layouts"
BASE = "https://www.mofa.go.jp/"
Readout = dict[str, Any]  # one readout as in readouts_*.json


def load_readouts(language: str) -> list[Readout]:
    """The readouts of one language ("en" or "ja")."""
    path = LAYOUTS / f"readouts_{language}.json"
    readouts: list[Readout] = json.loads(path.read_text(encoding="utf-8"))
    return readouts


def url_of(readout: Readout) -> str:
    return BASE + str(readout["path"])


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _head(r: Readout) -> str:
    lang = "ja" if str(r["path"]).startswith("mofaj/") else "en"
    suffix = "外務省" if lang == "ja" else "Ministry of Foreign Affairs of Japan"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="UTF-8">\n'
        f"<title>{_e(r['title'])} | {suffix}</title>\n</head>\n"
    )


def _mofa_chrome(ids: dict[str, str]) -> tuple[str, str]:
    top = (
        f'<div id="{ids["header"]}"><p class="{ids["skip"]}">'
        '<a href="#main">Skip to main content</a></p>'
        f'<ul class="{ids["links"]}"><li><a href="/faq/">FAQ</a></li>'
        '<li><a href="/sitemap/">Site Map</a></li></ul></div>\n'
        f'<div id="{ids["gnavi"]}"><ul><li><a href="/policy/">Foreign Policy</a></li>'
        '<li><a href="/region/">Countries &amp; Regions</a></li>'
        '<li><a href="/about/">About Us</a></li></ul></div>\n'
        f'<div id="{ids["crumbs"]}"><p><a href="/">Home</a>&nbsp;&gt;&nbsp;'
        '<a href="/press/">Press Releases</a></p></div>\n'
    )
    bottom = (
        f'<p class="{ids["pagetop"]}"><a href="#top">Page Top</a></p>\n'
        f'<div id="{ids["footer"]}"><ul><li><a href="/legal/">Legal Matters</a></li>'
        '<li><a href="/privacy/">Privacy Policy</a></li></ul>'
        "<address>Ministry of Foreign Affairs of Japan 2-2-1 Kasumigaseki, Chiyoda-ku,"
        " Tokyo 100-8919, Japan</address>"
        "<p>Copyright &copy; Ministry of Foreign Affairs of Japan</p></div>\n"
    )
    return top, bottom


_MOFA_IDS = {
    "header": "header", "skip": "skip", "links": "header-link", "gnavi": "gnavi",
    "crumbs": "breadcrumb", "pagetop": "pagetop", "footer": "footer",
    "contents": "contents", "main": "maincontents", "label": "title-sub",
    "date": "rightalign", "photos": "photo-area", "photo": "photo",
    "caption": "caption", "section": "main-section section", "area": "any-area",
    "back": "back",
}  # fmt: skip
_RENAMED_IDS = {
    "header": "site-top", "skip": "jump", "links": "util", "gnavi": "menu",
    "crumbs": "trail", "pagetop": "to-top", "footer": "site-bottom",
    "contents": "wrap", "main": "primary", "label": "kicker", "date": "stamp",
    "photos": "pics", "photo": "pic", "caption": "legend", "section": "block",
    "area": "txt", "back": "return",
}  # fmt: skip


_NO_FURNITURE: dict[str, str] = {}


def _mofa_like(
    r: Readout, ids: dict[str, str], furniture: dict[str, str] = _NO_FURNITURE
) -> str:
    """Today's template in the names `ids`, with `furniture` (snippets of
    fixtures/layouts/furniture.json by name) inside its content area."""
    top, bottom = _mofa_chrome(ids)
    f = {name: furniture.get(name, "") for name in _FURNITURE_NAMES}
    photos = "".join(
        f'<div class="{ids["photos"]}"><div class="{ids["photo"]}">'
        f'<img src="/files/{i}.jpg" alt="{_e(alt)}" width="280"></div>'
        f'<p class="{ids["caption"]}">{_e(caption)}</p></div>\n'
        for i, (alt, caption) in enumerate(r["photos"])
    )
    lead, *points = r["body"]
    items = "".join(f"<li>{_e(p)}</li>\n" for p in points)
    return (
        _head(r) + "<body>\n" + top
        + f'<div id="{ids["contents"]}">\n<div id="{ids["main"]}">\n'
        f'<p class="{ids["label"]}">{_e(r["section"])}</p>\n'
        f'<h1 class="title1">{_e(r["title"])}</h1>\n'
        f'<div class="{ids["date"]}">{_e(r["date_line"])}</div>\n'
        + f["tools"] + f["script_off"] + f["banner"] + photos
        + f'<div class="{ids["section"]}">\n<div class="{ids["area"]}">\n'
        f"<p>{_e(lead)}</p>\n" + f["page_top"] + f"<ul>\n{items}</ul>\n"
        + f["related"] + "</div>\n</div>\n" + f["reader"]
        + f'<p class="{ids["back"]}"><a href="/press/">Back to Press Releases</a></p>\n'
        + f["banner"] + f["page_top"] + "</div>\n</div>\n" + bottom
        + "</body>\n</html>\n"
    )  # fmt: skip


def mofa(r: Readout) -> str:
    return _mofa_like(r, _MOFA_IDS)


def renamed(r: Readout) -> str:
    return _mofa_like(r, _RENAMED_IDS)


_FURNITURE_NAMES = ("tools", "script_off", "banner", "page_top", "related", "reader")


def _furniture(r: Readout) -> dict[str, str]:
    """The furniture snippets in the readout's language."""
    snippets: dict[str, dict[str, str]] = json.loads(
        (LAYOUTS / "furniture.json").read_text(encoding="utf-8")
    )
    return snippets["ja" if str(r["path"]).startswith("mofaj/") else "en"]


def furnished(r: Readout) -> str:
    """Today's template with site furniture inside its content area: print and
    share lines, the JavaScript-off and PDF-reader notices, "Back to Top" between
    paragraphs, a "Related Links" block, and a banner above and below the text."""
    return _mofa_like(r, _MOFA_IDS, _furniture(r))


def furnished_renamed(r: Readout) -> str:
    """The furnished template with every class and id renamed."""
    return _mofa_like(r, _RENAMED_IDS, _furniture(r))


def photo_classes(r: Readout) -> str:
    """Today's template with only the photo block's classes renamed."""
    ids = dict(_MOFA_IDS, photos="media-box", photo="media", caption="media-text")
    return _mofa_like(r, ids)


def _article(r: Readout) -> str:
    figures = "".join(
        f'<figure><img src="/img/{i}.jpg" alt="{_e(alt)}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>\n"
        for i, (alt, caption) in enumerate(r["photos"])
    )
    paragraphs = "".join(f"<p>{_e(p)}</p>\n" for p in r["body"])
    return (
        f'<article>\n<header>\n<p>{_e(r["section"])}</p>\n<h1>{_e(r["title"])}</h1>\n'
        f'<time datetime="{r["date"]}">{_e(r["date_line"])}</time>\n</header>\n'
        + figures + paragraphs
        + '<aside><h2>Related Links</h2><ul><li><a href="/a/">Press Archive</a></li>'
        "</ul></aside>\n</article>\n"
    )  # fmt: skip


_HTML5_TOP = (
    '<header class="masthead"><a href="/" class="logo">Ministry of Foreign Affairs'
    ' of Japan</a><nav><ul><li><a href="/">Home</a></li><li><a href="/policy/">'
    'Foreign Policy</a></li><li><a href="/region/">Countries &amp; Regions</a></li>'
    '</ul></nav></header>\n<nav aria-label="breadcrumb"><ol><li><a href="/">Home</a>'
    '</li><li><a href="/press/">Press Releases</a></li></ol></nav>\n'
)
_HTML5_BOTTOM = (
    '<footer><ul><li><a href="/legal/">Legal Matters</a></li><li><a href="/privacy/">'
    "Privacy Policy</a></li></ul><p>2-2-1 Kasumigaseki, Chiyoda-ku, Tokyo</p>"
    "<p>Copyright &copy; Ministry of Foreign Affairs of Japan</p></footer>\n"
)


def html5(r: Readout) -> str:
    return (
        _head(r) + "<body>\n" + _HTML5_TOP + "<main>\n" + _article(r) + "</main>\n"
        + _HTML5_BOTTOM + "</body>\n</html>\n"
    )  # fmt: skip


_LOGO_TOP = (
    '<header><h1><a href="/">Ministry of Foreign Affairs of Japan</a></h1><nav><ul>'
    '<li><a href="/">Home</a></li><li><a href="/policy/">Foreign Policy</a></li></ul>'
    "</nav></header>\n"
)


def redesign(r: Readout) -> str:
    """<main> holds a menu of the section; the article sits in a plain <div>; the
    site's logo is an <h1> in the site header."""
    menu = '<main><ul><li><a href="/">Home</a></li><li><a href="/press/">Press</a></li>'
    menu += '<li><a href="/a/">Press Archive</a></li></ul></main>\n'
    return (
        _head(r) + "<body>\n" + _LOGO_TOP + menu + '<div class="x7"><div class="x8">'
        + _article(r) + "</div></div>\n" + _HTML5_BOTTOM + "</body>\n</html>\n"
    )  # fmt: skip


def legacy(r: Readout) -> str:
    photos = "".join(
        f'<table border="0"><tr><td><img src="/img/{i}.jpg" alt="{_e(alt)}"'
        f' width="240"><br><font size="1">{_e(caption)}</font></td></tr></table>\n'
        for i, (alt, caption) in enumerate(r["photos"])
    )
    text = "<br><br>\n".join(_e(p) for p in r["body"])
    return (
        _head(r) + '<body bgcolor="#ffffff">\n<table width="100%" border="0">\n'
        '<tr><td colspan="2"><img src="/img/logo.gif" alt="Ministry of Foreign Affairs'
        ' of Japan" width="300"><br><font size="1"><a href="/">Home</a> | '
        '<a href="/sitemap/">Site Map</a></font></td></tr>\n'
        '<tr><td width="160" valign="top"><font size="2"><a href="/policy/">Foreign '
        'Policy</a><br><a href="/region/">Countries &amp; Regions</a><br>'
        '<a href="/about/">About Us</a></font></td>\n<td valign="top">\n'
        f'<font size="2" color="#666666">{_e(r["section"])}</font><br><br>\n'
        f'<font size="4"><b>{_e(r["title"])}</b></font><br><br>\n'
        f'<font size="2">{_e(r["date_line"])}</font><br><br>\n' + photos
        + f'<font size="2">{text}</font><br><br>\n'
        '<font size="1"><a href="/press/">Back to Press Releases</a></font>\n'
        "</td></tr>\n"
        '<tr><td colspan="2"><font size="1">Legal Matters | Privacy Policy<br>'
        "Copyright (C) Ministry of Foreign Affairs of Japan</font></td></tr>\n"
        "</table>\n</body>\n</html>\n"
    )  # fmt: skip


TEMPLATES: dict[str, Callable[[Readout], str]] = {
    "mofa": mofa,
    "html5": html5,
    "legacy": legacy,
    "renamed": renamed,
    "photo_classes": photo_classes,
    "redesign": redesign,
    "furnished": furnished,
    "furnished_renamed": furnished_renamed,
}


_NAMED = re.compile(rb'(\s(?:class|id)=")([^"]*)(")')


def renamed_page(page: bytes) -> bytes:
    """`page` with every class and id renamed to a name that says nothing."""

    def rename(match: re.Match[bytes]) -> bytes:
        names = b" ".join(
            b"r" + hashlib.sha1(name).hexdigest()[:6].encode()
            for name in match[2].split()
        )
        return match[1] + names + match[3]

    return _NAMED.sub(rename, page)
