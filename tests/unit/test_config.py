"""Settings: defaults, the DESIGN.md example, env overrides, errors that name keys."""

from __future__ import annotations

import textwrap

import pytest

from crawler.contract import RevisitPolicy
from monitor.config import (
    AlertMode,
    ChannelType,
    ConfigError,
    DocumentKind,
    EventKind,
    Language,
    Section,
    Security,
    Settings,
    load_settings,
    parse_interval,
)

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
    assert desk.password is not None
    assert desk.password.get_secret_value() == "s3cret"
    team_url = settings.channel("team").webhook_url
    assert team_url is not None
    assert team_url.get_secret_value() == SECRETS["MOFAWATCH_SLACK_WEBHOOK_URL"]
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


CONSOLE = "[[channels]]\nname = 'c'\ntype = 'console'\n"
EMAIL = "[[channels]]\nname = 'desk'\ntype = 'email'\nto = ['desk@example.org']\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            CONSOLE + "[[rules]]\nchannels = ['c']\nmeetings_only = 'false'\n",
            '[rules.1] meetings_only: expected true or false, got "false"',
        ),
        (
            "[site.revisit]\nmonthly_after = 'no'\n",
            '[site.revisit] monthly_after: expected true or false, got "no"',
        ),
        (
            EMAIL + "username = 5\n",
            "[channels.desk] username: expected a string, got 5",
        ),
        ("[database]\nulr = 'sqlite:///x.db'\n", "[database] ulr: unknown key"),
        ("database = 5\n", "[database]: expected a table, got 5"),
        (
            "[site]\ndownload_delay = 'fast'\n",
            '[site] download_delay: expected a number, got "fast"',
        ),
        (
            "[site]\nretry_times = 1.5\n",
            "[site] retry_times: expected an integer, got 1.5",
        ),
        (
            "[site]\nretry_times = true\n",
            "[site] retry_times: expected an integer, got true",
        ),
        (
            "[site]\nsections = 'japan_us'\n",
            '[site] sections: expected a list, got "japan_us"',
        ),
        (
            "[site]\nsince = 2022-01-01\n",
            "[site] since: expected a string, got the unquoted date/time 2022-01-01",
        ),
        (
            "[schedule]\ncron = '61 * * * *'\n",
            "[schedule] cron: bad minute in '61 * * * *' "
            "(minute hour day-of-month month day-of-week)",
        ),
        (
            "[schedule]\ncron = '0 8 * *'\n",
            "[schedule] cron: must be five crontab fields "
            '(minute hour day-of-month month day-of-week), like "*/30 * * * *"',
        ),
        (
            "[schedule]\ninterval = true\n",
            "[schedule] interval: expected an integer, got true",
        ),
        (
            "[schedule]\nmisfire_grace_seconds = 0\n",
            "[schedule] misfire_grace_seconds: must be at least 1, got 0",
        ),
        (
            "[schedule]\ninterval_seconds = 60\n",
            "[schedule] interval_seconds: unknown key",
        ),
        (
            "[[channels]]\nname = 'a'\ntype = 'pigeon'\n",
            '[channels.a] type: expected one of "email", "slack", "webhook", '
            '"console", "apprise", got "pigeon"',
        ),
        ("[[channels]]\ntype = 'console'\n", "[[channels]] #1 name: missing"),
        (
            CONSOLE
            + CONSOLE.replace("'c'", "'d'")
            + "[[channels]]\nname = 'x'\ncolour = 1\ntype = 'console'\n",
            "[channels.x] colour: unknown key",
        ),
        (EMAIL + "sender = 'a@b'\n", "[channels.desk] sender: unknown key"),
        (EMAIL + "password = 'hunter2'\n", "[channels.desk] password: unknown key"),
        (
            EMAIL + "smtp_port = 70000\n",
            "[channels.desk] smtp_port: must be at most 65535, got 70000",
        ),
        (
            CONSOLE + "[[rules]]\nchannels = ['c']\nevents = ['new', 'exploded']\n",
            '[rules.1] events: expected one of "new", "updated", "removed", '
            '"restored", "translated" or "discrepancy", got "exploded"',
        ),
        (
            CONSOLE + "[[rules]]\nchannels = ['c']\nmode = 'weekly'\n",
            "[rules.1] mode: must be immediate, digest, hourly or daily, got 'weekly'",
        ),
        (
            CONSOLE
            + "[[rules]]\nchannels = ['c']\n"
            + "[[rules]]\nchannels = ['c']\nkeywords = ['']\n",
            "[rules.2] keywords: must not be empty",
        ),
        (
            "[ops]\nsilence_days = '14'\n",
            '[ops] silence_days: expected an integer, got "14"',
        ),
        (
            "[alerts]\nbackoff_seconds = 0\n",
            "[alerts] backoff_seconds: must be at least 10, got 0",
        ),
        (
            "[alerts]\nbackoff_seconds = 600\nmax_backoff_seconds = 60\n",
            "[alerts]: max_backoff_seconds (60) is below backoff_seconds (600)",
        ),
        ("[retention]\nkeep = 3\n", "[retention] keep: unknown key"),
        ("site = 'x'\n", '[site]: expected a table, got "x"'),
        ("channels = 5\n", "[[channels]]: expected a list, got 5"),
        (
            "[site]\nuser_agent = 'a\\u001b]0;pwned\\u0007'\ncolour = 1\n",
            "[site] colour: unknown key",
        ),
    ],
)
def test_wrong_values_give_one_line_naming_key_and_expected_type(
    tmp_path, text, message
):
    with pytest.raises(ConfigError) as info:
        load_settings({}, _write(tmp_path, text))
    assert str(info.value) == message


@pytest.mark.parametrize(
    "table",
    [
        "[site]",
        "[site.revisit]",
        "[database]",
        "[schedule]",
        "[ops]",
        "[alerts]",
        "[retention]",
        "[[rules]]\nchannels = ['c']",
        "[[channels]]\nname = 'e'\ntype = 'email'\nto = ['x@y']",
        "[[channels]]\nname = 'e'\ntype = 'slack'",
        "[[channels]]\nname = 'e'\ntype = 'webhook'\nurl = 'https://h/x'",
        "[[channels]]\nname = 'e'\ntype = 'console'",
    ],
)
def test_an_unknown_key_is_refused_in_every_table(tmp_path, table):
    text = CONSOLE + f"{table}\nulr = 'typo'\n"
    with pytest.raises(ConfigError, match=r"ulr: unknown key$"):
        load_settings(
            {"MOFAWATCH_SLACK_WEBHOOK_URL": "https://h/x"}, _write(tmp_path, text)
        )


def test_several_problems_are_counted_after_the_first(tmp_path):
    text = (
        "[site]\ndownload_delay = 'fast'\nretry_times = 'x'\n[ops]\nsilence_days = 0\n"
    )
    with pytest.raises(ConfigError) as info:
        load_settings({}, _write(tmp_path, text))
    assert str(info.value) == (
        '[site] download_delay: expected a number, got "fast" (and 2 more)'
    )


def test_control_characters_of_a_value_never_reach_the_terminal(tmp_path):
    text = '[site]\nsince = "\\u001b]0;owned\\u0007\\u009b2J"\n'
    with pytest.raises(ConfigError) as info:
        load_settings({}, _write(tmp_path, text))
    message = str(info.value)
    assert message.startswith("[site] since: must be YYYY-MM")
    assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in message)


def test_a_file_that_is_not_utf8_is_one_line_naming_the_file(tmp_path):
    path = tmp_path / "mofawatch.toml"
    path.write_bytes('[site]\nuser_agent = "caf\u00e9"\n'.encode("latin-1"))
    with pytest.raises(ConfigError) as info:
        load_settings({}, path)
    assert str(info.value) == (
        f"{path}: not UTF-8 text (byte 0xe9 at offset 24); save it as UTF-8"
    )


def test_a_utf8_file_with_a_byte_order_mark_loads(tmp_path):
    path = tmp_path / "mofawatch.toml"
    path.write_bytes(b"\xef\xbb\xbf[site]\nsince = '2024-05'\n")
    assert load_settings({}, path).site.since == "2024-05"


def test_a_config_path_that_is_a_folder_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="--config: no such file"):
        load_settings({}, tmp_path)


def test_the_database_url_from_the_environment_is_named_when_empty_in_the_file(
    tmp_path,
):
    path = _write(tmp_path, "[database]\nurl = ''\n")
    with pytest.raises(ConfigError, match=r"^\[database\] url: must not be empty$"):
        load_settings({}, path)
    env = {"MOFAWATCH_DATABASE_URL": "sqlite:///other.db"}
    assert load_settings(env, path).database_url == "sqlite:///other.db"


@pytest.mark.parametrize(
    ("mode", "digest_at", "expected"),
    [
        ("immediate", None, AlertMode.IMMEDIATE),
        ("digest", None, AlertMode.HOURLY),
        ("digest", "08:00", AlertMode.DAILY),
        ("hourly", None, AlertMode.HOURLY),
        ("daily", "07:30", AlertMode.DAILY),
    ],
)
def test_rule_modes_become_one_vocabulary(tmp_path, mode, digest_at, expected):
    text = CONSOLE + f"[[rules]]\nchannels = ['c']\nmode = '{mode}'\n"
    if digest_at:
        text += f"digest_at = '{digest_at}'\n"
    rule = load_settings({}, _write(tmp_path, text)).rules[0]
    assert rule.mode is expected
    assert rule.digest_at == digest_at


def test_closed_sets_load_as_their_enums_and_still_equal_their_strings(tmp_path):
    text = (
        EMAIL
        + "security = 'ssl'\n"
        + "[[rules]]\nchannels = ['desk']\n"
        + "events = ['restored']\nkinds = ['statement']\n"
    )
    settings = load_settings({}, _write(tmp_path, text))
    desk, rule = settings.channels[0], settings.rules[0]
    assert (desk.type, desk.security, desk.smtp_port) == (
        ChannelType.EMAIL,
        Security.SSL,
        465,
    )
    assert rule.events == (EventKind.RESTORED,)
    assert rule.events == ("restored",)
    assert rule.kinds == (DocumentKind.STATEMENT,)
    assert settings.site.sections == tuple(Section)
    assert settings.site.languages == (Language.EN,)
    assert desk.type == "email"
    assert f"{desk.security}" == "ssl"


@pytest.mark.parametrize(
    ("languages", "expected"),
    [
        ("['en']", (Language.EN,)),
        ("['ja']", (Language.JA,)),
        ("['en', 'ja']", (Language.EN, Language.JA)),
    ],
)
def test_languages_are_english_and_or_japanese(tmp_path, languages, expected):
    path = _write(tmp_path, f"[site]\nlanguages = {languages}\n")
    assert load_settings({}, path).site.languages == expected


@pytest.mark.parametrize(
    ("languages", "message"),
    [
        ("[]", "[site] languages: must not be empty"),
        ("['en', 'en']", "[site] languages: en listed twice"),
        ("['fr']", '[site] languages: expected one of "en" or "ja", got "fr"'),
        ("'en'", '[site] languages: expected a list, got "en"'),
    ],
)
def test_languages_are_never_ignored(tmp_path, languages, message):
    with pytest.raises(ConfigError) as info:
        load_settings({}, _write(tmp_path, f"[site]\nlanguages = {languages}\n"))
    assert str(info.value) == message


def test_revisit_policy_is_the_crawl_contract_type(tmp_path):
    text = "[site.revisit]\nevery_cycle_days = 1\nmonthly_after = false\n"
    revisit = load_settings({}, _write(tmp_path, text)).site.revisit
    assert type(revisit) is RevisitPolicy
    assert revisit == RevisitPolicy(every_cycle_days=1, monthly_after=False)
