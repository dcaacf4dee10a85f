"""Storage against what it stores: database size / raw HTML after a first crawl, the
growth per one-sentence edit, and the growth over quiet cycles.

A generated site (tests/sitegen.py) of N documents is replayed into an empty database
(`mofawatch replay`, the crawl's extract-store-detect path); then K pages get one more
sentence each and are replayed again; then the site is served over loopback and
cycles run (`execute_cycle`, every document revisited each cycle, answered 304).
Sizes are deterministic: SQLite page_count * page_size after a checkpoint and VACUUM;
PostgreSQL the sum of pg_total_relation_size over its tables after VACUUM FULL. Raw
HTML is the sum of the stored bodies' raw sizes.

python -m bench.storage_size [--n 2000] [--edits 200] [--quiet-cycles 3]
                             [--paragraphs 0] [--furniture 0] [--pg-url URL]
                             [--port 0] [--scratch DIR] [--breakdown]

--paragraphs K makes every page longer by K paragraphs of 40 made-up words (a long
readout or a press conference's transcript): a one-sentence edit should cost about
the same however long its page is.

--furniture KB puts about KB kilobytes of made-up site navigation, the same on every
page and unlike anything the written dictionary of storage/bodydict.py knows, before
every page's contents: a site whose markup is heavier than the generated one, which
the archive's own dictionary of pages (storage/trained.py) learns.

--breakdown also prints the bytes of each table and index (SQLite dbstat; PostgreSQL
pg_relation_size, TOAST with its table) after the first crawl and what the edits added.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from bench.scale import SECTIONS, generated_site_settings
from bench.storage import _pg_database
from monitor.config import RevisitPolicy, Settings
from monitor.runner.cycle import execute_cycle
from storage.db import normalize_url, upgrade_database
from tests.sitegen import GeneratedSite, generate_site
from tests.sitesim import SiteSim

ROOT = Path(__file__).resolve().parent.parent
SENTENCE = " The two sides also agreed to meet again for edit number {k}."
BODY = '<div class="any-area">'  # the first paragraph after it gets the sentence
_CONTENTS = '<div id="contents">'  # --furniture goes before it


@dataclass(frozen=True)
class Measure:
    size: int  # database bytes
    raw: int  # raw HTML bytes it holds
    snapshots: int
    versions: int
    page: int  # bytes of one page: every table and index grows by whole pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument(
        "--quiet-cycles", type=int, default=3, help="0: measure no quiet cycles"
    )
    parser.add_argument(
        "--paragraphs",
        type=int,
        default=0,
        help="paragraphs of made-up words added to every page (longer pages)",
    )
    parser.add_argument(
        "--furniture",
        type=int,
        default=0,
        help="KB of made-up navigation put on every page (heavier markup)",
    )
    parser.add_argument("--pg-url", help="also measure on this PostgreSQL server")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--scratch", help="folder for the site and databases")
    parser.add_argument(
        "--breakdown", action="store_true", help="bytes per table and index too"
    )
    args = parser.parse_args(argv)
    if args.n < 1 or args.edits < 1 or args.edits > args.n:
        parser.error("--n and --edits must be at least 1, and --edits at most --n")
    print(f"code: {ROOT}; load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if args.scratch:
        Path(args.scratch).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.scratch) as tmp:
        root = Path(tmp)
        months = max(24, args.n // 500)
        site = generate_site(root / "site", documents=args.n, months=months)
        _lengthen(site, args.paragraphs)
        _furnish(site, args.furniture)
        with SiteSim(site.root, port=args.port) as sim:
            sqlite_url = f"sqlite:///{root / 'size.db'}"
            _one(
                "sqlite",
                sqlite_url,
                _sqlite_measure,
                _sqlite_parts,
                site,
                sim.base_url,
                root,
                args,
            )
            if args.pg_url:
                with _pg_database(args.pg_url) as pg_url:
                    _one(
                        "postgresql",
                        pg_url,
                        _pg_measure,
                        _pg_parts,
                        site,
                        sim.base_url,
                        root,
                        args,
                    )
    return 0


def _one(
    label: str,
    url: str,
    measure: Callable[[str], Measure],
    parts: Callable[[str], dict[str, int]],
    site: GeneratedSite,
    base_url: str,
    root: Path,
    args: argparse.Namespace,
) -> None:
    _unedit(site, args.edits)  # each database starts from the pages as generated
    upgrade_database(url)
    config = _config(root / f"{label}.toml", base_url, site)
    _replay(config, url, site.root)
    first = measure(url)
    first_parts = parts(url) if args.breakdown else {}
    print(f"{label}: {args.n} documents replayed: database {first.size} bytes, raw "
          f"HTML {first.raw} bytes: {first.size / first.raw:.2f}x")  # fmt: skip
    edited = _edit(site, root / f"edits-{label}", args.edits)
    _replay(config, url, edited)
    after = measure(url)
    grown, versions = after.size - first.size, after.versions - first.versions
    print(f"{label}: {args.edits} one-sentence edits (+{versions} versions): "
          f"+{grown} bytes = {grown / args.edits:.0f} bytes per edit (each table "
          f"and index grows by whole {after.page}-byte pages: up to "
          f"{after.page / args.edits:.0f} bytes per edit each; more --edits, "
          "less rounding)")  # fmt: skip
    if args.breakdown:
        _print_parts(label, first_parts, parts(url), args.edits)
    settings = generated_site_settings(
        base_url,
        url,
        site,
        revisit=RevisitPolicy(every_cycle_days=36500, max_per_cycle=2 * args.n),
    )
    if args.quiet_cycles == 0:
        return
    _cycle(settings)  # the replayed pages had no validators: fetched whole once
    _cycle(settings)
    before = measure(url)
    for _ in range(args.quiet_cycles):
        _cycle(settings)
    quiet = measure(url)
    cycles = args.quiet_cycles
    print(f"{label}: {cycles} quiet cycles: +{quiet.size - before.size} bytes, "
          f"+{quiet.snapshots - before.snapshots} snapshot rows "
          f"({(quiet.snapshots - before.snapshots) / cycles:.0f} per cycle; "
          f"{quiet.size / quiet.raw:.2f}x raw HTML after)")  # fmt: skip


def _config(path: Path, base_url: str, site: GeneratedSite) -> Path:
    first = site.months[0]
    sections = ", ".join(f'"{s}"' for s in SECTIONS)
    path.write_text(
        f'[site]\nbase_url = "{base_url}"\nsince = "{first[:4]}-{first[4:]}"\n'
        f"sections = [{sections}]\n"
    )
    return path


def _replay(config: Path, database_url: str, source: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOFAWATCH_")}
    env.update(MOFAWATCH_DATABASE_URL=database_url, PYTHONPATH=str(ROOT))
    argv = [sys.executable, "-m", "monitor", "-q", "--config", str(config)]
    done = subprocess.run(
        [*argv, "replay", str(source)], env=env, cwd=ROOT, capture_output=True
    )
    if done.returncode != 0:
        raise SystemExit(f"replay failed: {done.stderr.decode()[-2000:]}")


def _lengthen(site: GeneratedSite, paragraphs: int) -> None:
    """`paragraphs` paragraphs of made-up words after the first one of every page,
    different on every page: a page as long as a press conference's transcript."""
    if paragraphs < 1:
        return
    rng = random.Random(1)
    syllables = ["ka", "mi", "to", "ra", "shi", "no", "be", "lu", "de", "ven", "or"]
    words = ["".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(4000)]
    for path in site.detail_paths:
        page = site.root / path.lstrip("/")
        head, marker, body = page.read_text().partition(BODY)
        first, end, rest = body.partition("</p>")
        added = "".join(
            "<p>" + " ".join(rng.choices(words, k=40)).capitalize() + ".</p>\n"
            for _ in range(paragraphs)
        )
        page.write_text(head + marker + first + end + "\n" + added + rest)


def _furnish(site: GeneratedSite, kilobytes: int) -> None:
    """About `kilobytes` KB of navigation links with made-up names, the same on
    every page, before its contents."""
    if kilobytes < 1:
        return
    rng = random.Random(2)
    letters = "abcdefghijklmnopqrstuvwxyz"
    items: list[str] = []
    size = 0
    while size < kilobytes * 1024:
        a, b, c = ("".join(rng.choices(letters, k=rng.randint(4, 10))) for _ in "abc")
        item = (
            f'<li class="nav-{len(items)}"><a href="/{a}/{b}/index.html">{c}</a></li>'
        )
        items.append(item)
        size += len(item) + 1
    navigation = '<nav id="sitenav"><ul>\n' + "\n".join(items) + "\n</ul></nav>\n"
    for path in [*site.detail_paths, *site.index_paths]:
        page = site.root / path.lstrip("/")
        text = page.read_text()
        page.write_text(text.replace(_CONTENTS, navigation + _CONTENTS, 1))


def _unedit(site: GeneratedSite, count: int) -> None:
    """The pages `_edit` changes in the served site as they were generated."""
    for k, path in enumerate(site.detail_paths[:count]):
        page = site.root / path.lstrip("/")
        page.write_text(page.read_text().replace(SENTENCE.format(k=k), ""))


def _edit(site: GeneratedSite, folder: Path, count: int) -> Path:
    """The first `count` detail pages with a sentence more, in a folder of their own."""
    for k, path in enumerate(site.detail_paths[:count]):
        page = site.root / path.lstrip("/")
        head, marker, body = page.read_text().partition(BODY)
        added = body.replace("</p>", SENTENCE.format(k=k) + "</p>", 1)
        page.write_text(head + marker + added)
        target = folder / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(page, target)
    return folder


def _cycle(settings: Settings) -> None:
    report = execute_cycle(settings, lambda: datetime.now(UTC))
    if report.exit_code != 0:
        raise SystemExit(f"cycle failed: {report.exit_code} {report.lines}")


def _sqlite_measure(url: str) -> Measure:
    path = make_url(url).database
    assert path is not None
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("VACUUM")
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
        raw = db.execute("SELECT sum(raw_size) FROM snapshot_bodies").fetchone()[0]
        rows = db.execute("SELECT count(*) FROM snapshots").fetchone()[0]
        versions = db.execute("SELECT count(*) FROM versions").fetchone()[0]
    return Measure(pages * size, int(raw), int(rows), int(versions), int(size))


def _print_parts(
    label: str, first: dict[str, int], after: dict[str, int], edits: int
) -> None:
    """Each table or index, largest first: bytes after the first crawl, per edit."""
    print(f"{label}: {'table or index':<40} {'first crawl':>12} {'per edit':>9}")
    for name in sorted(after, key=lambda n: -after[n]):
        grown = (after[name] - first.get(name, 0)) / edits
        print(f"{label}:   {name:<38} {first.get(name, 0):>12} {grown:>9.0f}")


def _sqlite_parts(url: str) -> dict[str, int]:
    path = make_url(url).database
    assert path is not None
    with sqlite3.connect(path) as db:  # sizes as just measured, after VACUUM
        rows = db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name")
        return {str(name): int(size) for name, size in rows}


_PG_PARTS = """SELECT c.relname, pg_relation_size(c.oid)
        + coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')"""


def _pg_parts(url: str) -> dict[str, int]:
    libpq = make_url(normalize_url(url)).set(drivername="postgresql")
    with psycopg.connect(libpq.render_as_string(hide_password=False)) as db:
        return {str(name): int(size) for name, size in db.execute(_PG_PARTS)}


_PG_SIZE = """SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r'"""


def _pg_measure(url: str) -> Measure:
    libpq = make_url(normalize_url(url)).set(drivername="postgresql")
    with psycopg.connect(
        libpq.render_as_string(hide_password=False), autocommit=True
    ) as db:
        db.execute("VACUUM FULL")
        values = [
            db.execute(query).fetchone()
            for query in (
                _PG_SIZE,
                "SELECT sum(raw_size) FROM snapshot_bodies",
                "SELECT count(*) FROM snapshots",
                "SELECT count(*) FROM versions",
                "SELECT current_setting('block_size')::int",
            )
        ]
    size, raw, rows, versions, page = (int(row[0]) if row else 0 for row in values)
    return Measure(size, raw, rows, versions, page)


if __name__ == "__main__":
    raise SystemExit(main())
