"""The extractor of this release as storage takes it: its version and its function.

The crawl, replay and re-extraction all store pages with this one value; a test
passes another Extractor instead.
"""

from __future__ import annotations

from crawler.extract import extractor
from storage.ingest import Extracted, Extractor


def extract_for_storage(body: bytes, url: str, charset: str | None) -> Extracted:
    """A page's Document as a dict, and the path the extractor took to find it."""
    document, report = extractor.extract_with_report(body, url, http_charset=charset)
    return Extracted(document.to_dict(), report.path)


def current_extractor() -> Extractor:
    return Extractor(extractor.EXTRACTOR_VERSION, extract_for_storage)
