"""Dependency direction (STYLE B9): storage <- crawler, storage <- monitor; no Scrapy
in monitor; every query behind storage's named functions; the product never imports
the tests."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MONITOR_MAY_USE_FROM_CRAWLER = {
    "crawler.extract.extractor",
    "crawler.extract.current",  # the extractor value storage takes
    "crawler.extract.document",
    "crawler.extract.listing",  # which addresses are documents (replay, check)
    "crawler.contract",  # the typed run configuration and statistics of a crawl
    "crawler.headers",  # HTTP header values (Retry-After) read one way everywhere
    "crawler.extract.encoding",  # index pages' text, decoded as pages are (check)
    "crawler.blocking",  # is this answer a block or a bot challenge (check)
}

PRODUCT = ("storage", "crawler", "monitor")


def _imports(package: str, root: Path = ROOT) -> list[tuple[str, str]]:
    """(module file, imported module) for every import in the package's sources."""
    found = []
    for path in sorted((root / package).rglob("*.py")):
        rel = str(path.relative_to(root))
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(rel, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.append((rel, node.module))
                found += [(rel, f"{node.module}.{a.name}") for a in node.names]
    return found


def _top(name: str) -> str:
    return name.split(".")[0]


def test_packages_have_sources_to_check():
    for package in ("storage", "crawler", "monitor"):
        assert _imports(package), package


def test_storage_imports_neither_crawler_nor_monitor():
    bad = [(f, m) for f, m in _imports("storage") if _top(m) in {"crawler", "monitor"}]
    assert bad == []


def test_crawler_never_imports_monitor():
    bad = [(f, m) for f, m in _imports("crawler") if _top(m) == "monitor"]
    assert bad == []


def test_monitor_uses_only_extract_and_document_from_crawler():
    bad = []
    for rel, module in _imports("monitor"):
        if _top(module) != "crawler" or module == "crawler":
            continue
        if not any(
            module == allowed or module.startswith(allowed + ".")
            for allowed in MONITOR_MAY_USE_FROM_CRAWLER
        ):
            bad.append((rel, module))
    assert bad == []


def test_monitor_never_imports_scrapy_or_twisted():
    bad = [(f, m) for f, m in _imports("monitor") if _top(m) in {"scrapy", "twisted"}]
    assert bad == []


def _queries_of_its_own(module: str) -> bool:
    return (
        _top(module) == "sqlalchemy"
        or module == "storage.models"
        or module.startswith("storage.models.")
    )


def _unsealed(root: Path = ROOT) -> set[str]:
    """Files outside storage that import SQLAlchemy or the storage models."""
    return {
        rel
        for package in PRODUCT
        if package != "storage"
        for rel, module in _imports(package, root)
        if _queries_of_its_own(module)
    }


def test_queries_live_in_storage_only():
    # Outside storage, a module that imports SQLAlchemy or storage.models writes
    # queries of its own.
    assert _unsealed() == set()


def test_product_never_imports_the_tests():
    bad = [
        (f, m)
        for package in PRODUCT
        for f, m in _imports(package)
        if _top(m) == "tests"
    ]
    assert bad == []


def test_commands_build_no_queries_of_their_own():
    bad = [
        (f, m)
        for f, m in _imports("monitor/cli")
        if _top(m) == "sqlalchemy" or m.startswith("storage.models")
    ]
    assert bad == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import crawler.spiders.mofa", "crawler.spiders.mofa"),
        ("from crawler import settings", "crawler.settings"),
    ],
)
def test_import_walk_sees_both_import_forms(tmp_path, source, expected):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text(source)
    assert expected in [m for _, m in _imports("pkg", tmp_path)]


@pytest.mark.parametrize(
    "source",
    [
        "import sqlalchemy",
        "from sqlalchemy.orm import Session",
        "from storage import models",
        "from storage.models import Alert",
        "import storage.models",
    ],
)
def test_unsealed_sees_every_way_to_reach_the_schema(tmp_path, source):
    for package in PRODUCT:
        (tmp_path / package).mkdir()
        (tmp_path / package / "ok.py").write_text("from storage.db import unit_of_work")
    (tmp_path / "monitor" / "m.py").write_text(source)
    assert _unsealed(tmp_path) == {"monitor/m.py"}


def test_unsealed_allows_storage_handles_and_vocabulary(tmp_path):
    for package in PRODUCT:
        (tmp_path / package).mkdir()
    (tmp_path / "monitor" / "m.py").write_text(
        "from storage.db import DbSession, SessionFactory\n"
        "from storage.vocabulary import ChangeKind\n"
        "from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore\n"
    )
    (tmp_path / "storage" / "s.py").write_text("from sqlalchemy import select")
    assert _unsealed(tmp_path) == set()
