"""A preset zlib dictionary of the site's page furniture (codec "zlib+mofa1").

Pages of www.mofa.go.jp are short and share their head, header, navigation and footer;
seeding zlib with that furniture stores each page in about a quarter of its size.
NEVER edit the text of a released dictionary: stored bodies need it to decompress.
Add a new one (mofa2) and a new codec name instead.
"""

from __future__ import annotations

import functools

# Later text gets the shortest back-references, so the most common furniture is last.
_MOFA1_EN = """\
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" \
"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<meta name="description" content="<meta name="keywords" content="
<link rel="icon" href="/favicon.ico"><noscript></noscript><table><tr><td></td></tr>
</table><img src="/files/" alt="" width="" height=""><br /><strong></strong><span>
</span><div class="photo"><p class="caption"></p></div><h3 class="title3"></h3>
<h4 class="title4"></h4><ul class="list"><li></li></ul><ol class="decimal"><li>
Provisional translation (Japanese)  Japanese version  English version
Press Conference by Foreign Minister  Extraordinary Press Conference  Opening Remarks
Questions and Answers  Reporter:  Minister:  Deputy Press Secretary  Press Secretary
Japan-United States of America Relations  Japan-U.S. Foreign Ministers' Meeting
Japan-U.S. Summit Meeting  Telephone Talk  Video Conference  Courtesy Call
Working Lunch  Dinner  Summit Telephone Talk
Minister for Foreign Affairs of Japan  Prime Minister of Japan  Secretary of State
Chief Cabinet Secretary  Parliamentary Vice-Minister  State Minister for Foreign Affairs
H.E. Mr.  H.E. Ms.  Mr.  Ms.  the Republic of  the United States  the People's Republic
On January February March April May June July August September October November December
, commencing at a.m. p.m. for approximately minutes hour, held a meeting with
, who is visiting Japan. The overview of the meeting is as follows.
The two ministers confirmed agreed welcomed exchanged views on regional affairs,
including North Korea, China, Taiwan, Ukraine, the Indo-Pacific, a free and open \
Indo-Pacific, the rule of law, the Japan-U.S. Alliance, close communication.
Foreign Minister  Minister  stated that  expressed  the two countries  cooperation
<div class="rightalign">, 20</div>
<div class="main-section section">
<div class="any-area">
<p class="title-sub"></p>
<h1 class="title1"></h1>
<div class="related-links">
<h2 class="title2">Related Links</h2>
<ul class="link-list"><li><a href="/region/index.html"></a></li></ul>
</div>
<p class="back"><a href="/press/release/index.html">Back to Press Releases</a></p>
<p class="back"><a href="/na/na1/us/index.html">Back to Japan-United States of \
America Relations</a></p>
<p class="back"><a href="/press/kaiken/index.html">Back to Press Conferences</a></p>
<div id="breadcrumb"><p><a href="/index.html">Top</a>&nbsp;&gt;&nbsp;<a \
href="/press/index.html">Press Releases</a>&nbsp;&gt;&nbsp;<a \
href="/press/release/index.html">Press Releases</a>&nbsp;&gt;&nbsp;<a \
href="/press/kaiken/index.html">Press Conferences</a>&nbsp;&gt;&nbsp;<a \
href="/region/index.html">Countries &amp; Regions</a>&nbsp;&gt;&nbsp;</p></div>
<div id="contents">
<div id="maincontents">
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title> | Ministry of Foreign Affairs of Japan</title>
<meta property="og:title" content="">
<meta property="og:url" content="https://www.mofa.go.jp/press/release/pressite_000001_\
.html">
<link rel="stylesheet" href="/common/css/base.css">
<script src="/common/js/jquery.js"></script>
</head>
<body>
<div id="header">
<p class="skip"><a href="#maincontents">Skip to main content</a></p>
<ul class="header-link"><li><a href="/faq/index.html">FAQ</a></li><li><a \
href="/sitemap/index.html">Site Map</a></li><li><a href="/link/index.html">Links</a>\
</li></ul>
<form action="/search/index.html" class="search"><input type="text" name="q"><input \
type="submit" value="Search"></form>
</div>
<div id="gnavi"><ul><li><a href="/policy/index.html">Foreign Policy</a></li><li><a \
href="/region/index.html">Countries &amp; Regions</a></li><li><a \
href="/press/index.html">Press Releases</a></li><li><a href="/about/index.html">About \
Us</a></li></ul></div>
</div>
</div>
<p class="pagetop"><a href="#header">Page Top</a></p>
<div id="footer">
<ul><li><a href="/about/legalmatters.html">Legal Matters</a></li><li><a \
href="/about/accessibility.html">Accessibility</a></li><li><a \
href="/about/privacy.html">Privacy Policy</a></li><li><a href="/about/site.html">About \
this Site</a></li></ul>
<address>Ministry of Foreign Affairs of Japan 2-2-1 Kasumigaseki, Chiyoda-ku, Tokyo \
100-8919, Japan Telephone (+81)3-3580-3311 Japan Corporate Number(JCN): \
9000012040001</address>
<p class="copyright">Copyright &copy; Ministry of Foreign Affairs of Japan</p>
</div>
</body>
</html>
"""

_MOFA1_JA = """\
<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="Shift_JIS">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title> | 外務省</title>
<link rel="stylesheet" href="/common/css/base.css">
<script src="/common/js/jquery.js"></script>
</head>
<body>
<div id="header">
<p class="skip"><a href="#maincontents">本文へ移動</a></p>
<ul class="header-link"><li><a href="/mofaj/faq/index.html">よくある質問</a></li><li>\
<a href="/mofaj/sitemap/index.html">サイトマップ</a></li><li><a href="/index.html">\
English</a></li></ul>
</div>
<div id="gnavi"><ul><li><a href="/mofaj/gaiko/index.html">外交政策</a></li><li><a \
href="/mofaj/area/index.html">国・地域</a></li><li><a href="/mofaj/press/index.html">\
報道・広報</a></li></ul></div>
<div id="breadcrumb"><p><a href="/mofaj/index.html">トップページ</a>&nbsp;&gt;&nbsp;<a \
href="/mofaj/press/release/index.html">報道発表</a></p></div>
<div id="contents">
<div id="maincontents">
<p class="title-sub">報道発表</p>
<h1 class="title1"></h1>
<p>令和年月日</p>
<p class="rightalign"><a href="/press/release/pressite_000001_.html">English</a></p>
<div class="main-section section">
<div class="any-area">
<p>月日、午前午後時分から約分間、外務大臣は、訪日中の外務大臣と会談を行ったところ、\
概要は以下のとおりです。</p>
<ul>
<li>大臣から、両国の協力を一層強化していきたい旨述べました。</li>
<li>両大臣は、地域情勢についても意見交換を行いました。</li>
</ul>
</div>
</div>
<p class="back"><a href="/mofaj/press/release/index.html">報道発表へ戻る</a></p>
</div>
</div>
<p class="pagetop"><a href="#header">ページトップへ戻る</a></p>
<div id="footer">
<ul><li><a href="/mofaj/about/legalmatters.html">法的事項</a></li><li><a \
href="/mofaj/about/accessibility.html">アクセシビリティについて</a></li><li><a \
href="/mofaj/about/privacy.html">プライバシーポリシー</a></li></ul>
<address>外務省 〒100-8919 東京都千代田区霞が関2-2-1 \
電話\uff08代表\uff0903-3580-3311 法人番号 \
9000012040001</address>
<p class="copyright">Copyright &copy; Ministry of Foreign Affairs of Japan</p>
</div>
</body>
</html>
"""


@functools.cache
def mofa1() -> bytes:
    """The dictionary bytes: Japanese furniture (UTF-8, Shift_JIS), then English."""
    return (
        _MOFA1_JA.replace("Shift_JIS", "UTF-8").encode("utf-8")
        + _MOFA1_JA.encode("cp932")
        + _MOFA1_EN.encode("utf-8")
    )
