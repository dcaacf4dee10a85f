"""End to end: the simulated site -> crawl -> detect -> ops -> dispatch to loopback
SMTP, Slack and webhook receivers; each message exactly once, and nothing else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor.alerts.dispatch import dispatch_due
from monitor.config import ChannelSettings, RevisitPolicy, Settings, SiteSettings
from monitor.detect.changes import detect_changes
from monitor.detect.ops import evaluate_ops
from monitor.runner.crawl import run_config_for, run_crawl
from storage.db import close_database, open_database, unit_of_work, upgrade_database
from storage.models import AlertStatus, Change, ChangeKind, Version
from storage.outbox import alert_counts
from storage.runs import start_run
from tests.sitesim import Fault

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]  # up to six crawls per test

ROOT = Path(__file__).resolve().parents[2]
TYPO_PAGE = "/na/na1/us/page4e_001274.html"
TEMPLATE_PAGE = "/press/release/pressite_000001_00447.html"
NEW_PAGE = "/press/release/pressite_000001_00470.html"


class Watch:
    """One mofawatch installation: database, settings, and its receivers."""

    def __init__(self, db_url, site, smtp_server, http_receiver, tmp_path, via):
        self.via = via
        self.tmp_path = tmp_path
        self.site = site
        self.smtp = smtp_server
        self.http = http_receiver
        self.db_url = db_url
        upgrade_database(db_url)
        self.factory = open_database(db_url)
        self.settings = Settings(
            # Revisit every known page each cycle: a quiet edit is seen at once.
            site=SiteSettings(
                base_url=site.base_url,
                download_delay=0,
                retry_times=0,
                revisit=RevisitPolicy(every_cycle_days=36500),
            ),
            database_url=db_url,
            channels=(
                ChannelSettings(
                    name="desk",
                    type="email",
                    to=("desk@example.org",),
                    sender="mofawatch@example.org",
                    smtp_host="127.0.0.1",
                    smtp_port=smtp_server.port,
                    security="none",
                    timeout_seconds=5,
                ),
                ChannelSettings(
                    name="team",
                    type="slack",
                    webhook_url=http_receiver.url + "/slack",
                    timeout_seconds=5,
                ),
                ChannelSettings(
                    name="hook",
                    type="webhook",
                    webhook_url=http_receiver.url + "/hook",
                    timeout_seconds=5,
                ),
            ),
        )

    def cycle(self):
        """One cycle, through the functions or through `python -m monitor run`."""
        if self.via == "run_command":
            return self._run_command()
        return self._functions()

    def _functions(self):
        """crawl (scrapy subprocess) -> detect -> ops -> dispatch, as one run does."""
        now = datetime.now(UTC)
        with unit_of_work(self.factory) as session:
            baseline = session.scalar(select(func.count(Version.id))) == 0
            run_id = start_run(session, now)
        run = run_config_for(
            self.settings,
            database_url=self.settings.database_url,
            run_id=run_id,
            now=now,
        )
        crawl = run_crawl(run, timeout=90)
        assert crawl.ok, crawl.tail
        detect_changes(self.factory, self.settings, now, silent=baseline)
        evaluate_ops(self.factory, self.settings, now, run_id=run_id)
        dispatch_due(self.factory, self.settings, datetime.now(UTC))
        return 0

    def _run_command(self):
        config = self.tmp_path / "mofawatch.toml"
        config.write_text(
            f"""
[site]
download_delay = 0
retry_times = 0

[site.revisit]
every_cycle_days = 36500

[[channels]]
name = "desk"
type = "email"
to = ["desk@example.org"]
from = "mofawatch@example.org"
smtp_host = "127.0.0.1"
smtp_port = {self.smtp.port}
security = "none"
timeout_seconds = 5

[[channels]]
name = "team"
type = "slack"
timeout_seconds = 5

[[channels]]
name = "hook"
type = "webhook"
url = "{self.http.url}/hook"
timeout_seconds = 5
""",
            encoding="utf-8",
        )
        env = {
            **os.environ,
            "MOFAWATCH_DATABASE_URL": self.db_url,
            "MOFAWATCH_BASE_URL": self.site.base_url,
            "MOFAWATCH_SLACK_WEBHOOK_URL": self.http.url + "/slack",
            "MOFAWATCH_CONFIG": str(config),
        }
        done = subprocess.run(
            [sys.executable, "-m", "monitor", "run"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=100,
            check=False,
        )
        assert done.returncode in (0, 4), done.stderr[-3000:]
        return done.returncode

    def messages(self):
        """(channel, what) for everything received so far, in order per channel."""
        got = [("desk", str(m["Subject"])) for m in self.smtp.messages]
        for request in self.http.requests:
            data = json.loads(request.body)
            if request.path == "/slack":
                got.append(("team", data["text"]))
            elif data.get("type") == "ops":
                got.append(("hook", f"{data['kind']} {data['phase']}"))
            else:
                got.append(("hook", data["subject"]))
        return got


@pytest.fixture(params=["functions", "run_command"])
def watch(request, sqlite_url, site, smtp_server, http_receiver, tmp_path):
    w = Watch(sqlite_url, site, smtp_server, http_receiver, tmp_path, request.param)
    yield w
    close_database(w.factory)


def _kinds(messages):
    """Count messages per (channel, first word of the event)."""
    counted: Counter[tuple[str, str]] = Counter()
    for channel, subject in messages:
        for word in ("New", "Updated", "Removed", "Restored", "Blocked", "Recovered"):
            if word in subject:
                counted[(channel, word)] += 1
                break
        else:
            counted[(channel, subject)] += 1
    return counted


def _publish_new_meeting(site):
    page = site.read_page(TEMPLATE_PAGE)
    page = (
        page.replace(
            "Japan-Philippines Foreign Ministers\u2019 Working Lunch",
            "Japan-Kenya Foreign Ministers\u2019 Meeting",
        )
        .replace("pressite_000001_00447", "pressite_000001_00470")
        .replace("April 9, 2024", "April 16, 2024")
        .replace("On April 9", "On April 16")
        .replace(
            "Ramon Villareal, Secretary of Foreign Affairs of the "
            "Republic of the Philippines",
            "Amani Odhiambo, Cabinet Secretary for Foreign Affairs of "
            "the Republic of Kenya",
        )
    )
    site.add_page(
        NEW_PAGE,
        page,
        index_path="/press/release/index.html",
        link_text="Japan-Kenya Foreign Ministers\u2019 Meeting",
        index_date="April 16",
    )


def test_new_meeting_and_typo_fix_each_announced_once_per_channel(watch):
    assert watch.cycle() == 0
    assert watch.messages() == []
    _publish_new_meeting(watch.site)
    watch.site.edit_page(TYPO_PAGE, "importantce", "importance")
    assert watch.cycle() == 0
    assert len(watch.messages()) == 6, watch.messages()
    assert _kinds(watch.messages()) == Counter(
        {
            ("desk", "New"): 1,
            ("desk", "Updated"): 1,
            ("team", "New"): 1,
            ("team", "Updated"): 1,
            ("hook", "New"): 1,
            ("hook", "Updated"): 1,
        }
    )
    updated = next(m for m in watch.smtp.messages if "Updated" in m["Subject"])
    assert "importance" in updated.get_body(("plain",)).get_content()
    # Nothing changed: no message.
    watch.cycle()
    assert len(watch.messages()) == 6
    # The page flips back to its previous text: no message either.
    watch.site.edit_page(TYPO_PAGE, "importance", "importantce")
    watch.cycle()
    assert len(watch.messages()) == 6
    with watch.factory() as session:
        counts = alert_counts(session)
        newest = session.scalars(select(Change).order_by(Change.id.desc())).first()
        assert newest is not None
        assert (newest.kind, newest.reason) == (ChangeKind.UPDATED, "flap")
    assert counts[AlertStatus.SENT] == 6
    assert counts[AlertStatus.PENDING] == counts[AlertStatus.FAILED] == 0


def test_index_blocked_for_three_cycles_gives_one_blocked_and_one_recovered(watch):
    watch.cycle()
    for prefix in ("/press/*", "/na/*"):
        watch.site.set_fault(prefix, Fault.blocked())
    for _ in range(3):
        watch.cycle()
    watch.site.clear_faults()
    watch.cycle()
    watch.cycle()
    assert _kinds(watch.messages()) == Counter(
        {
            ("desk", "Blocked"): 1,
            ("desk", "Recovered"): 1,
            ("team", "Blocked"): 1,
            ("team", "Recovered"): 1,
            ("hook", "blocked started"): 1,
            ("hook", "blocked ended"): 1,
        }
    )


def test_after_a_mail_outage_the_new_meeting_arrives_before_its_correction(
    sqlite_url, site, smtp_server, http_receiver, tmp_path
):
    watch = Watch(sqlite_url, site, smtp_server, http_receiver, tmp_path, "functions")
    try:
        watch.cycle()
        _publish_new_meeting(watch.site)
        smtp_server.stop()
        watch.cycle()  # the "new" fails on email (next try in a minute)
        assert smtp_server.messages == []
        watch.site.edit_page(NEW_PAGE, "for approximately 1 hour", "for 90 minutes")
        smtp_server.start()
        watch.cycle()  # seconds later: the correction is found, the server is back
        subjects = [str(m["Subject"]) for m in smtp_server.messages]
        assert [s.split(":")[0] for s in subjects] == ["New meeting", "Updated"]
        assert all("Japan-Kenya" in s for s in subjects)
        # Slack and the webhook never failed: each got both, in the same order.
        slack = [
            json.loads(r.body)["text"]
            for r in http_receiver.requests
            if r.path == "/slack"
        ]
        assert [s.split(":")[0] for s in slack] == ["New meeting", "Updated"]
    finally:
        close_database(watch.factory)
