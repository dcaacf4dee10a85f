"""Settings: defaults, the DESIGN.md example, env overrides, errors that name keys."""

from __future__ import annotations

import textwrap

import pytest

from monitor.config import ConfigError, Settings, load_settings, parse_interval

DESIGN_EXAMPLE = textwrap.dedent(
    """
    [site]
    base_url = "https://www.mofa.go.jp"
    sections = ["press_releases", "press_conferences", "statements", "japan_us"]
    languages = ["en"]
    since = "2022-01"                 # how far back the first crawl reaches
    user_agent = "mofawatch/1.0 (+https://example.org/contact)"
    download_delay = 2.0              # seconds between requests to the host

    [database]
    url = "sqlite:///mofawatch.db"

    [schedule]
    cron = "*/30 * * * *"             # or: interval = "30m"
    jitter_seconds = 60
    timezone = "Asia/Tokyo"

    [[channels]]
    name = "desk"
    type = "email"                    # email | slack | webhook | console
    to = ["desk@example.org"]
    from = "mofawatch@example.org"
    smtp_host = "smtp.example.org"
    smtp_port = 587
    security = "starttls"             # none | starttls | ssl
    username = "mofawatch"            # password: MOFAWATCH_SMTP_PASSWORD

    [[channels]]
    name = "team"
    type = "slack"

    [[rules]]
    channels = ["desk", "team"]
    events = ["new", "updated", "removed"]
    meetings_only = false
    keywords = []                     # any of these words in title or body
    mode = "immediate"                # or "digest" with digest_at = "08:00"

    [ops]
    channels = ["team"]
    silence_days = 14
    """
)
SECRETS = {
    "MOFAWATCH_SMTP_PASSWORD": "s3cret",
    "MOFAWATCH_SLACK_WEBHOOK_URL": "https://hooks.example.org/T/B/x",
}


@pytest.fixture(autouse=True)
def _no_local_config(tmp_path, monkeypatch):
    # load_settings looks for ./mofawatch.toml; run every test in an empty folder.
    monkeypatch.chdir(tmp_path)


def _write(tmp_path, text):
    path = tmp_path / "mofawatch.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_defaults_without_a_file():
    settings = load_settings({})
    assert settings == Settings()
    assert settings.database_url == "sqlite:///mofawatch.db"
    assert settings.site.base_url == "https://www.mofa.go.jp"
    assert settings.site.sections == (
        "press_releases",
        "press_conferences",
        "statements",
        "japan_us",
    )
    assert settings.schedule.interval_seconds == 1800
    assert settings.schedule.cron is None
    assert settings.channels == ()
    assert settings.config_path is None


def test_design_example_file_parses(tmp_path):
    settings = load_settings(SECRETS, _write(tmp_path, DESIGN_EXAMPLE))
    assert settings.schedule.cron == "*/30 * * * *"
    assert settings.schedule.interval_seconds is None
    assert settings.schedule.timezone == "Asia/Tokyo"
    desk = settings.channel("desk")
    assert desk.type == "email"
    assert desk.to == ("desk@example.org",)
    assert desk.sender == "mofawatch@example.org"
    assert desk.password == "s3cret"
    assert (
        settings.channel("team").webhook_url == SECRETS["MOFAWATCH_SLACK_WEBHOOK_URL"]
    )
    assert settings.rules[0].channels == ("desk", "team")
    assert settings.ops.channels == ("team",)
    assert settings.site.user_agent.startswith("mofawatch/1.0")


def test_example_file_found_through_mofawatch_config(tmp_path):
    path = _write(tmp_path, DESIGN_EXAMPLE)
    settings = load_settings({**SECRETS, "MOFAWATCH_CONFIG": str(path)})
    assert settings.config_path == path


def test_file_in_the_working_directory_is_read():
    with open("mofawatch.toml", "w", encoding="utf-8") as fh:
        fh.write('[schedule]\ninterval = "10m"\n')
    assert load_settings({}).schedule.interval_seconds == 600


def test_environment_overrides_file_values(tmp_path):
    path = _write(tmp_path, DESIGN_EXAMPLE)
    env = {
        **SECRETS,
        "MOFAWATCH_DATABASE_URL": "postgresql+psycopg://u:p@db/mofa",
        "MOFAWATCH_BASE_URL": "http://127.0.0.1:8080/",
    }
    settings = load_settings(env, path)
    assert settings.database_url == "postgresql+psycopg://u:p@db/mofa"
    assert settings.site.base_url == "http://127.0.0.1:8080"


def test_secrets_are_not_in_the_repr(tmp_path):
    settings = load_settings(SECRETS, _write(tmp_path, DESIGN_EXAMPLE))
    assert "s3cret" not in repr(settings)
    assert "hooks.example.org" not in repr(settings)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[site]\nbase_url = 'ftp://x'\n", "[site] base_url"),
        ("[site]\nsections = ['nope']\n", "[site] sections"),
        ("[site]\nlanguages = ['fr']\n", "[site] languages"),
        ("[site]\nsince = '2022'\n", "[site] since"),
        ("[site]\ndownload_delay = -1\n", "[site] download_delay"),
        ("[site]\ncolour = 'red'\n", "[site] colour"),
        ("[site.revisit]\nevery_cycle_days = 'x'\n", "[site.revisit] every_cycle_days"),
        ("[database]\nurl = ''\n", "[database] url"),
        ("[schedule]\ncron = '* *'\n", "[schedule] cron"),
        ("[schedule]\ninterval = '5 parsecs'\n", "[schedule] interval"),
        ("[schedule]\ncron = '* * * * *'\ninterval = '5m'\n", "[schedule]"),
        ("[schedule]\ntimezone = 'Mars/Olympus'\n", "[schedule] timezone"),
        ("[schedule]\njitter_seconds = -5\n", "[schedule] jitter_seconds"),
        ("[schedule]\ncrawl_timeout_seconds = 0\n", "[schedule] crawl_timeout_seconds"),
        ("[[channels]]\ntype = 'console'\n", "name"),
        ("[[channels]]\nname = 'a'\ntype = 'pigeon'\n", "[channels.a] type"),
        ("[[channels]]\nname = 'a'\ntype = 'email'\n", "[channels.a] to"),
        (
            "[[channels]]\nname = 'a'\ntype = 'email'\nto = ['x@y']\n"
            "security = 'tls'\n",
            "[channels.a] security",
        ),
        ("[[channels]]\nname = 'a'\ntype = 'webhook'\nurl = 'x'\n", "[channels.a] url"),
        ("[[channels]]\nname = 'a'\ntype = 'console'\nto = ['x']\n", "[channels.a] to"),
        (
            "[[channels]]\nname = 'a'\ntype = 'console'\n"
            "[[channels]]\nname = 'a'\ntype = 'console'\n",
            "[[channels]] name",
        ),
        ("[[rules]]\nchannels = []\n", "[rules.1] channels"),
        ("[[rules]]\nchannels = ['ghost']\n", "[rules.1] channels"),
        (
            "[[channels]]\nname = 'c'\ntype = 'console'\n"
            "[[rules]]\nchannels = ['c']\nevents = ['exploded']\n",
            "[rules.1] events",
        ),
        (
            "[[channels]]\nname = 'c'\ntype = 'console'\n"
            "[[rules]]\nchannels = ['c']\nkinds = ['tweet']\n",
            "[rules.1] kinds",
        ),
        (
            "[[channels]]\nname = 'c'\ntype = 'console'\n"
            "[[rules]]\nchannels = ['c']\nmode = 'weekly'\n",
            "[rules.1] mode",
        ),
        (
            "[[channels]]\nname = 'c'\ntype = 'console'\n"
            "[[rules]]\nchannels = ['c']\nmode = 'digest'\ndigest_at = '25:00'\n",
            "[rules.1] digest_at",
        ),
        ("[ops]\nchannels = ['ghost']\n", "[ops] channels"),
        ("[ops]\ndrift_share = 2\n", "[ops] drift_share"),
        ("[ops]\nsilence_days = 0\n", "[ops] silence_days"),
        ("[alerts]\nmax_attempts = 0\n", "[alerts] max_attempts"),
        ("[retention]\nkeep_snapshots = 0\n", "[retention] keep_snapshots"),
        ("[surprise]\n", "surprise"),
        ("[site\n", "not valid TOML"),
    ],
)
def test_every_error_names_its_key(tmp_path, text, named):
    with pytest.raises(ConfigError) as info:
        load_settings({}, _write(tmp_path, text))
    assert named in str(info.value)


def test_missing_smtp_password_names_the_variable(tmp_path):
    text = DESIGN_EXAMPLE
    env = {"MOFAWATCH_SLACK_WEBHOOK_URL": SECRETS["MOFAWATCH_SLACK_WEBHOOK_URL"]}
    with pytest.raises(ConfigError, match="MOFAWATCH_SMTP_PASSWORD"):
        load_settings(env, _write(tmp_path, text))


def test_missing_slack_webhook_names_the_variable(tmp_path):
    env = {"MOFAWATCH_SMTP_PASSWORD": "x"}
    with pytest.raises(ConfigError, match="MOFAWATCH_SLACK_WEBHOOK_URL"):
        load_settings(env, _write(tmp_path, DESIGN_EXAMPLE))


def test_bad_base_url_from_the_environment_names_the_variable():
    with pytest.raises(ConfigError, match="MOFAWATCH_BASE_URL"):
        load_settings({"MOFAWATCH_BASE_URL": "not a url"})


def test_missing_config_file_names_its_source(tmp_path):
    with pytest.raises(ConfigError, match="MOFAWATCH_CONFIG"):
        load_settings({"MOFAWATCH_CONFIG": str(tmp_path / "absent.toml")})
    with pytest.raises(ConfigError, match="--config"):
        load_settings({}, tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("text", "seconds"), [("45s", 45), ("30m", 1800), ("2h", 7200)]
)
def test_interval_units(text, seconds):
    assert parse_interval(text) == seconds


def test_interval_in_seconds_as_integer(tmp_path):
    settings = load_settings({}, _write(tmp_path, "[schedule]\ninterval = 3\n"))
    assert settings.schedule.interval_seconds == 3
