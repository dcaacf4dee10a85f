"""A page as a redesigned template serves it: the site's frame and content area are
still there, the article is not (it moved into a script the extractor never reads)."""

from __future__ import annotations

import html
import json
import re

_BODY = re.compile(r"<body.*</body>", re.DOTALL | re.IGNORECASE)


def redesigned(page: str) -> str:
    """`page` with its body replaced by the redesign's: site name, two links' text."""
    article = html.escape(json.dumps({"html": page[:2000]}))
    body = (
        '<body>\n<div id="header"><a href="/index.html">Home</a></div>\n'
        '<div id="maincontents">\n'
        "<h1>Ministry of Foreign Affairs of Japan</h1>\n<p>Home</p>\n<p>Press</p>\n"
        "</div>\n"
        f'<script type="application/json" id="article">{article}</script>\n'
        "</body>"
    )
    return _BODY.sub(lambda _: body, page, count=1)
