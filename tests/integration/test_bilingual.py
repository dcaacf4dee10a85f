"""Both editions of the site, real cycles: Japanese pages crawled, paired with their
English versions, translated and discrepancy events (SQLite and PostgreSQL)."""

from __future__ import annotations

import email.header
import json
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from monitor.cli.main import main
from monitor.config import (
    ChannelSettings,
    RevisitPolicy,
    RuleSettings,
    Settings,
    SiteSettings,
)
from monitor.runner.cycle import CycleOptions, execute_cycle
from storage.db import opened_database, unit_of_work
from storage.models import Alert, Change, Document
from storage.pairs import list_pairs, missing_english
from tests import bilingual
from tests.sitesim import SiteSim

pytestmark = [pytest.mark.timeout(400)]


pytestmark += [pytest.mark.usefixtures("restore_root_logger")]


def command(capsys, *args: str) -> list[str]:
    capsys.readouterr()
    assert main(list(args)) == 0
    out: str = capsys.readouterr().out
    return out.splitlines()


class Bilingual:
    def __init__(
        self,
        site: SiteSim,
        db_url: str,
        languages: tuple[str, ...],
        smtp_port: int | None = None,
        wire: bool = False,
    ):
        self.site = site
        self.db_url = db_url
        # wire: a second console channel whose rule keeps the default events.
        extra_channels = (ChannelSettings(name="wire", type="console"),) if wire else ()
        extra_rules = (RuleSettings(channels=("wire",)),) if wire else ()
        self.settings = Settings(
            site=SiteSettings(
                base_url=site.base_url,
                download_delay=0,
                retry_times=0,
                languages=languages,
                revisit=RevisitPolicy(every_cycle_days=36500),
            ),
            database_url=db_url,
            channels=(
                ChannelSettings(name="desk", type="console")
                if smtp_port is None
                else ChannelSettings(
                    name="desk",
                    type="email",
                    to=("desk@example.org",),
                    sender="mofawatch@example.org",
                    smtp_host="127.0.0.1",
                    smtp_port=smtp_port,
                    security="none",
                    timeout_seconds=5,
                ),
                *extra_channels,
            ),
            rules=(
                RuleSettings(
                    channels=("desk",), events=("new", "translated", "discrepancy")
                ),
                *extra_rules,
            ),
        )
        self.seen = 0
        self.send = smtp_port is not None

    def cycle(self) -> list[Change]:
        """One cycle; the changes it recorded that are announced (not silent)."""
        self.site.clear_requests()
        report = execute_cycle(
            self.settings,
            lambda: datetime.now(UTC),
            options=CycleOptions(no_alerts=not self.send),
        )
        assert report.exit_code == 0, report
        with opened_database(self.db_url) as factory, unit_of_work(factory) as session:
            rows = list(session.scalars(select(Change).order_by(Change.id)))
            new, self.seen = rows[self.seen :], len(rows)
            self.urls = {d.id: d.url for d in session.scalars(select(Document))}
            self.silenced = {c.id: c.reason for c in new if c.is_silent}
            by_id = {c.id: c for c in new}
            alerts = list(session.scalars(select(Alert)))
            self.alerted = {a.change_id for a in alerts}
            # (channel, kind, path) of each alert queued for this cycle's changes
            self.routes = Counter(
                (a.channel, *self._event(by_id[a.change_id]))
                for a in alerts
                if a.change_id in by_id
            )
            self.pairs = list_pairs(session)
            self.missing = [m.url for m in missing_english(session)]
        return [c for c in new if not c.is_silent]

    def events(self, changes: list[Change]) -> Counter[tuple[str, str]]:
        return Counter(self._event(c) for c in changes)

    def _event(self, change: Change) -> tuple[str, str]:
        url = self.urls[change.document_id].removeprefix(self.site.base_url)
        return change.kind.value, url


def test_pairs_translations_and_discrepancies_over_cycles(
    db_url, site, capsys, monkeypatch, smtp_server
):
    monkeypatch.setenv("MOFAWATCH_DATABASE_URL", db_url)
    monkeypatch.delenv("MOFAWATCH_CONFIG", raising=False)
    bilingual.bilingual_baseline(site)
    watch = Bilingual(site, db_url, ("en", "ja"), smtp_server.port)
    assert watch.cycle() == []  # baseline silent
    assert len([p for p in watch.pairs if p.method == "link"]) == 2
    assert watch.missing == [
        site.url(bilingual.NO_ENGLISH),
        site.url(bilingual.DISAGREE_JA),
    ]

    bilingual.publish_japanese(site)
    changes = watch.cycle()
    assert watch.events(changes) == Counter({("new", bilingual.READOUT_JA): 1})
    assert all(c.id in watch.alerted for c in changes)

    bilingual.publish_english(site)
    changes = watch.cycle()
    # The English page of a known Japanese readout is one event: `translated`. Its
    # `new` is stored, silent, with the reason.
    assert watch.events(changes) == Counter(
        {
            ("translated", bilingual.DISAGREE_EN): 1,
            ("translated", bilingual.READOUT_EN): 1,
            ("discrepancy", bilingual.DISAGREE_EN): 1,
        }
    )
    assert list(watch.silenced.values()) == ["translated", "translated"]
    assert watch.routes == Counter(
        {
            ("desk", "translated", bilingual.DISAGREE_EN): 1,
            ("desk", "translated", bilingual.READOUT_EN): 1,
            ("desk", "discrepancy", bilingual.DISAGREE_EN): 1,
        }
    )
    (discrepancy,) = [c for c in changes if c.kind.value == "discrepancy"]
    assert {(d["field"], d["old"], d["new"]) for d in discrepancy.diff} == {
        ("started_at_local", "13:45", "13:30"),
        ("duration_minutes", 60, 45),
    }
    by_english = {p.english_url.removeprefix(site.base_url): p for p in watch.pairs}
    assert by_english[bilingual.READOUT_EN].method == "inferred"
    assert by_english[bilingual.DISAGREE_EN].method == "link"
    assert watch.missing == [site.url(bilingual.NO_ENGLISH)]
    check_commands(capsys, site)
    check_mail(smtp_server, site)

    # A quiet cycle in both languages: every request conditional, answered 304.
    assert watch.cycle() == []
    answered = [r for r in site.requests if r.path != "/robots.txt"]
    assert answered
    assert any(r.path.startswith("/mofaj/") for r in answered)
    assert all(r.is_conditional and r.status == 304 for r in answered), [
        (r.path, r.status) for r in answered if r.status != 304
    ]

    bilingual.resolve_disagreement(site)
    changes = watch.cycle()
    kinds = watch.events(changes)
    assert kinds[("discrepancy", bilingual.DISAGREE_EN)] == 1
    (resolved,) = [c for c in changes if c.kind.value == "discrepancy"]
    assert {d["op"] for d in resolved.diff} == {"resolved"}
    assert [p for p in watch.pairs if p.discrepancy] == []


def test_a_channel_without_translated_still_gets_the_english_pages_new(
    sqlite_url, site
):
    bilingual.bilingual_baseline(site)
    watch = Bilingual(site, sqlite_url, ("en", "ja"), wire=True)
    watch.cycle()
    bilingual.publish_japanese(site)
    watch.cycle()
    assert watch.routes == Counter(
        {
            ("desk", "new", bilingual.READOUT_JA): 1,
            ("wire", "new", bilingual.READOUT_JA): 1,
        }
    )
    bilingual.publish_english(site)
    changes = watch.cycle()
    # desk takes `translated`: the page's one event there; wire (default events:
    # new, updated, removed) learns of the English page by its `new`.
    assert watch.routes == Counter(
        {
            ("desk", "translated", bilingual.DISAGREE_EN): 1,
            ("desk", "translated", bilingual.READOUT_EN): 1,
            ("desk", "discrepancy", bilingual.DISAGREE_EN): 1,
            ("wire", "new", bilingual.DISAGREE_EN): 1,
            ("wire", "new", bilingual.READOUT_EN): 1,
        }
    )
    assert watch.silenced == {}
    assert watch.events(changes)[("new", bilingual.READOUT_EN)] == 1


@pytest.mark.parametrize(
    ("languages", "japanese", "english"),
    [(("en",), False, True), (("ja",), True, False)],
)
def test_languages_choose_the_editions_crawled(
    sqlite_url, site, languages, japanese, english
):
    bilingual.bilingual_baseline(site)
    watch = Bilingual(site, sqlite_url, languages)
    watch.cycle()
    paths = [r.path for r in site.requests if r.path != "/robots.txt"]
    assert paths
    assert any(p.startswith("/mofaj/") for p in paths) is japanese
    assert any(not p.startswith("/mofaj/") for p in paths) is english
    assert watch.urls
    assert all(
        (u.removeprefix(site.base_url).startswith("/mofaj/")) is japanese
        for u in watch.urls.values()
    )


def check_commands(capsys, site):
    """pairs, history, export and status show the pairs of the third cycle."""
    (missing,) = command(capsys, "pairs", "--missing-english")
    assert missing.endswith(site.url(bilingual.NO_ENGLISH))
    assert "日・フィジー外相電話会談" in missing
    (open_one,) = [
        json.loads(line)
        for line in command(capsys, "pairs", "--discrepancies", "--json")
    ]
    assert open_one["english"]["url"] == site.url(bilingual.DISAGREE_EN)
    assert open_one["japanese"]["url"] == site.url(bilingual.DISAGREE_JA)
    assert {d["field"] for d in open_one["discrepancy"]} == {
        "started_at_local",
        "duration_minutes",
    }
    assert len(command(capsys, "pairs", "--json")) == 4
    history = command(capsys, "history", site.url(bilingual.READOUT_EN))
    assert history[1] == f"日本語版: {site.url(bilingual.READOUT_JA)} (inferred)"
    history = command(capsys, "history", site.url(bilingual.DISAGREE_JA))
    assert history[1] == f"English version: {site.url(bilingual.DISAGREE_EN)} (link)"
    exported = {
        row["url"]: row
        for row in map(json.loads, command(capsys, "export", "--format", "jsonl"))
    }
    assert exported[site.url(bilingual.READOUT_JA)]["pair"] == {
        "url": site.url(bilingual.READOUT_EN),
        "language": "en",
        "method": "inferred",
    }
    assert exported[site.url(bilingual.NO_ENGLISH)]["pair"] is None
    status = "\n".join(command(capsys, "status"))
    assert "translations: median lag 0 days" in status


def check_mail(smtp_server, site):
    """The alerts of cycles 2 and 3 as they arrived (subjects decoded)."""
    subjects = sorted(
        str(email.header.make_header(email.header.decode_header(m["Subject"])))
        for m in smtp_server.messages
    )
    nz = "Japan-New Zealand Foreign Ministers\u2019 Telephone Talk (8 April 2024)"
    au = "Japan-Australia Foreign Ministers\u2019 Telephone Talk (10 April 2024)"
    # One `new` for the Japanese readout, one `translated` for its English page.
    assert subjects == sorted(
        [
            "New meeting: 日・オーストラリア外相電話会談 (10 April 2024)",
            f"English version published: {nz}",
            f"English version published: {au}",
            f"Versions disagree: {nz}",
        ]
    )
    assert len([s for s in subjects if au in s]) == 1
    (disagree,) = [
        m for m in smtp_server.messages if "Versions disagree" in str(m["Subject"])
    ]
    text = disagree.get_body(preferencelist=("plain",)).get_content()
    assert "Start: 日本語 13:45 / English 13:30" in text
    assert "Duration: 日本語 60 min / English 45 min" in text
    (line,) = [line for line in text.splitlines() if line.startswith("日本語版:")]
    assert line.split(":", 1)[1].split() == [
        "日・ニュージーランド外相電話会談",
        "—",
        site.url(bilingual.DISAGREE_JA),
    ]


def test_an_archived_readout_reachable_only_from_a_reiwa_archive_is_fetched(
    sqlite_url, site
):
    bilingual.bilingual_baseline(site)
    bilingual.reiwa_archives(site)
    watch = Bilingual(site, sqlite_url, ("ja",))
    watch.cycle()
    paths = [r.path for r in site.requests]
    assert bilingual.REIWA_ARCHIVE in paths
    assert site.url(bilingual.ARCHIVED_JA) in watch.urls.values()
    # 令和3年11月 is November 2021, before `since` (2022-01): not followed.
    assert bilingual.OLD_ARCHIVE not in paths
    assert bilingual.OLD_JA not in paths

    # The archive is known to the next plan: never asked again without validators.
    watch.cycle()
    again = [r for r in site.requests if r.path == bilingual.REIWA_ARCHIVE]
    assert all(r.is_conditional for r in again)
    assert bilingual.OLD_ARCHIVE not in [r.path for r in site.requests]
