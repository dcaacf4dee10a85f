"""Speed of the shared extractor against the bare BeautifulSoup parse and trafilatura.

Run: python -m bench.extract [--repeats N]. Times are CPU time of this process
(time.process_time), so other load on the machine does not tilt the ratios.
First every good page of tests/fixtures/site (the landmark path), then the same
pages with every class and id renamed (the structural fallback), then the layout
set of tests/layouts.py template by template: the legacy, renamed, redesign and
furnished_renamed pages take the structural fallback, whose cost is printed on
its own.
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup

from crawler.extract.extractor import PARSER, ExtractionError, extract

logger = logging.getLogger(__name__)

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
BASE = "https://www.mofa.go.jp/"


def _pages() -> list[tuple[bytes, str]]:
    pages = []
    for expected in sorted((FIXTURES / "expected").rglob("*.json")):
        rel = expected.relative_to(FIXTURES / "expected").with_suffix(".html")
        pages.append(((FIXTURES / "site" / rel).read_bytes(), BASE + rel.as_posix()))
    return pages


def _renamed_pages() -> list[tuple[bytes, str]]:
    from tests.layouts import renamed_page

    return [(renamed_page(body), url) for body, url in _pages()]


def _rates(
    runners: dict[str, Callable[[bytes, str], object]],
    pages: list[tuple[bytes, str]],
    repeats: int,
) -> dict[str, float]:
    """Pages per second of each runner, from each page's best of `repeats` calls.

    Calls are interleaved (page by page, runner by runner) so that load from other
    processes hits every runner alike; the minimum filters out the interruptions.
    """
    for run in runners.values():  # warm-up: imports, regex caches
        for body, url in pages:
            run(body, url)
    best = {name: [float("inf")] * len(pages) for name in runners}
    clock = time.process_time
    for _ in range(repeats):
        for i, (body, url) in enumerate(pages):
            for name, run in runners.items():
                started = clock()
                run(body, url)
                best[name][i] = min(best[name][i], clock() - started)
    return {name: len(pages) / sum(times) for name, times in best.items()}


def _layout_pages(template: str) -> list[tuple[bytes, str]]:
    from tests.layouts import TEMPLATES, load_readouts, url_of

    render = TEMPLATES[template]
    return [
        (render(r).encode("utf-8"), url_of(r))
        for language in ("en", "ja")
        for r in load_readouts(language)
    ]


def _extract_or_fail(body: bytes, url: str) -> object:
    try:
        return extract(body, url)
    except ExtractionError:
        return None  # counted by _failures; still timed like a success


def _failures(pages: list[tuple[bytes, str]]) -> int:
    return sum(1 for body, url in pages if _extract_or_fail(body, url) is None)


def _quality(template: str) -> None:
    """Body token F1 (worst page), exact titles and dates: ours against trafilatura."""
    import json

    import trafilatura

    from tests.layout_measures import body_f1
    from tests.layouts import TEMPLATES, load_readouts, url_of

    ours: list[tuple[float, bool, bool]] = []
    peer: list[tuple[float, bool, bool]] = []
    for language in ("en", "ja"):
        for r in load_readouts(language):
            page, url = TEMPLATES[template](r), url_of(r)
            try:
                doc = extract(page, url)
            except ExtractionError:
                ours.append((0.0, False, False))
            else:
                f1 = body_f1(doc.body, r["body"], language)
                ours.append((f1, doc.title == r["title"], doc.date == r["date"]))
            raw = trafilatura.extract(
                page, url=url, output_format="json", with_metadata=True
            )
            found = json.loads(raw) if raw else {"text": "", "title": "", "date": ""}
            f1 = body_f1(found["text"].splitlines(), r["body"], language)
            peer.append((f1, found["title"] == r["title"], found["date"] == r["date"]))
    for name, rows in (("extract", ours), ("trafilatura", peer)):
        print(
            f"  {name:<12} body F1 worst {min(f for f, _, _ in rows):.3f} "
            f"mean {sum(f for f, _, _ in rows) / len(rows):.3f}; "
            f"titles exact {sum(t for _, t, _ in rows)}/{len(rows)}, "
            f"dates exact {sum(d for _, _, d in rows)}/{len(rows)}"
        )


def _bs4(body: bytes, url: str) -> object:
    return BeautifulSoup(body, PARSER)


def _trafilatura(body: bytes, url: str) -> object:
    import trafilatura

    return trafilatura.extract(body, url=url)


def _report(
    label: str,
    pages: list[tuple[bytes, str]],
    runners: dict[str, Callable[[bytes, str], object]],
    repeats: int,
    target: str,
) -> None:
    size = sum(len(body) for body, _ in pages)
    print(
        f"{label}: {len(pages)} pages, {size / len(pages) / 1024:.1f} KiB average, "
        f"{_failures(pages)} raising ExtractionError"
    )
    rates = _rates(runners, pages, repeats)
    for name, rate in rates.items():
        print(f"  {name:<28} {rate:8.1f} pages/s  {1000 / rate:6.3f} ms/page")
    ours, floor, peer = rates.values()
    print(f"  extract cost / bare parse cost: {floor / ours:.2f}x ({target})")
    print(f"  extract speed / trafilatura:    {ours / peer:.2f}x (target > 1x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=40, help="calls per page")
    parser.add_argument(
        "--site-only", action="store_true", help="only the fixture site, no layout set"
    )
    args = parser.parse_args()
    print(f"CPU time; each page's best of {args.repeats} interleaved calls")
    warnings.simplefilter("ignore")
    runners: dict[str, Callable[[bytes, str], object]] = {
        "crawler.extract.extractor.extract": _extract_or_fail,
        'BeautifulSoup(html, "lxml")': _bs4,
        "trafilatura.extract": _trafilatura,
    }
    _report("fixture site", _pages(), runners, args.repeats, "target <= 1.5x")
    label, path = "fixture site, classes and ids renamed", "structural fallback"
    _report(label, _renamed_pages(), runners, args.repeats, path)
    if args.site_only:
        return
    for template, path in (
        ("mofa", "landmarks"),
        ("html5", "landmarks"),
        ("legacy", "structural fallback"),
        ("renamed", "structural fallback"),
        ("photo_classes", "landmarks"),
        ("redesign", "structural fallback"),
        ("furnished", "landmarks"),
        ("furnished_renamed", "structural fallback"),
    ):
        label = f"layout set, {template} template"
        _report(label, _layout_pages(template), runners, args.repeats // 4, path)
        _quality(template)


if __name__ == "__main__":
    main()
