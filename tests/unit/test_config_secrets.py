"""Channel secrets: URLs checked on load, and never shown in an error, repr or str."""

from __future__ import annotations

import textwrap

import pytest

from monitor.config import ChannelSettings, ConfigError, Settings, load_settings

SLACK = "[[channels]]\nname = 'team'\ntype = 'slack'\n"
TOKEN = "T000/B000/XyZsecret"


@pytest.fixture(autouse=True)
def _in_empty_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def _load(tmp_path, text, **environ):
    path = tmp_path / "mofawatch.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_settings(environ, path)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (f"hooks.slack.com/services/{TOKEN}", "must start with https://"),
        (f"http://hooks.slack.com/services/{TOKEN}", "must use https"),
        (f"ftp://hooks.slack.com/services/{TOKEN}", "must start with https://"),
        (f"https:///services/{TOKEN}", "has no valid host"),
        (f"https://hooks.slack.com:port/{TOKEN}", "is not a valid URL"),
        (f"https://hooks.slack.com/services/{TOKEN} x", "has no valid host"),
    ],
)
def test_a_bad_slack_url_names_the_variable_and_not_the_url(tmp_path, url, problem):
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, SLACK, MOFAWATCH_SLACK_WEBHOOK_URL=url)
    message = str(info.value)
    assert message.startswith(
        "[channels.team] the Slack webhook URL in MOFAWATCH_SLACK_WEBHOOK_URL: "
    )
    assert problem in message
    assert "secret" in message  # says why it is not shown
    assert "XyZsecret" not in message
    assert "hooks.slack.com" not in message


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8123/slack", "http://localhost/x", "http://[::1]:9/x"]
)
def test_slack_over_plain_http_is_allowed_to_this_machine_only(tmp_path, url):
    settings = _load(tmp_path, SLACK, MOFAWATCH_SLACK_WEBHOOK_URL=url)
    team_url = settings.channel("team").webhook_url
    assert team_url is not None
    assert team_url.get_secret_value() == url


def test_a_slack_url_from_a_named_variable(tmp_path):
    text = SLACK + "webhook_url_env = 'TEAM_HOOK'\n"
    settings = _load(tmp_path, text, TEAM_HOOK=f"https://hooks.slack.com/{TOKEN}")
    assert settings.channel("team").webhook_url is not None
    with pytest.raises(ConfigError, match=r"set the variable TEAM_HOOK$"):
        _load(tmp_path, text)
    with pytest.raises(ConfigError, match=r"webhook_url_env: not a variable name"):
        _load(tmp_path, SLACK + "webhook_url_env = 'no such'\n")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            "url = 'example.org/hook?token=XyZsecret'",
            "[channels.hook] url: must be an http(s) URL",
        ),
        ("url = 5", "[channels.hook] url: expected a string"),
        ("url_env = 'HOOK'", "[channels.hook] url_env: set the variable HOOK"),
        (
            "url = 'https://h/x'\nurl_env = 'HOOK'",
            "[channels.hook] url: set either url or url_env (one)",
        ),
        ("", "[channels.hook] url: set either url or url_env (one)"),
    ],
)
def test_webhook_url_problems_never_show_the_url(tmp_path, table, message):
    text = f"[[channels]]\nname = 'hook'\ntype = 'webhook'\n{table}\n"
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, text)
    assert str(info.value).startswith(message)
    assert "XyZsecret" not in str(info.value)
    assert ", got" not in str(info.value)


def test_a_webhook_url_from_a_variable_is_checked_too(tmp_path):
    text = "[[channels]]\nname = 'hook'\ntype = 'webhook'\nurl_env = 'HOOK'\n"
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, text, HOOK="XyZsecret")
    assert str(info.value).startswith(
        "[channels.hook] the URL in HOOK: must be an http(s) URL"
    )
    assert "XyZsecret" not in str(info.value)


def test_secrets_never_appear_in_repr_str_or_dump(tmp_path):
    text = SLACK + textwrap.dedent(
        """
        [[channels]]
        name = "desk"
        type = "email"
        to = ["desk@example.org"]
        username = "mofawatch"

        [[channels]]
        name = "hook"
        type = "webhook"
        url = "https://hooks.example.org/XyZsecret3"
        """
    )
    settings = _load(
        tmp_path,
        text,
        MOFAWATCH_SLACK_WEBHOOK_URL=f"https://hooks.slack.com/{TOKEN}",
        MOFAWATCH_SMTP_PASSWORD="XyZsecret2",
        MOFAWATCH_DATABASE_URL="postgresql+psycopg://u:XyZsecret4@db/x",
    )
    shown = " ".join(
        [
            repr(settings),
            str(settings),
            str(settings.model_dump(exclude={"database_url"})),
        ]
        + [repr(c) for c in settings.channels]
    )
    assert "XyZsecret" not in shown
    # The database URL stays a plain string (the crawl is given it), kept out of repr.
    assert settings.database_url.endswith("XyZsecret4@db/x")


def test_channel_settings_hide_secrets_passed_in_code():
    channel = ChannelSettings(
        name="team", type="slack", webhook_url="https://h/XyZsecret"
    )
    assert "XyZsecret" not in repr(Settings(channels=(channel,)))
    assert channel.webhook_url is not None
    assert channel.webhook_url.get_secret_value() == "https://h/XyZsecret"


def test_a_username_without_a_password_names_the_variable(tmp_path):
    text = (
        "[[channels]]\nname = 'desk'\ntype = 'email'\nto = ['a@b']\n"
        "username = 'u'\npassword_env = 'DESK_PASSWORD'\n"
    )
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, text)
    assert str(info.value) == (
        "[channels.desk] username is set: put the password in the variable "
        "DESK_PASSWORD"
    )
    desk = _load(tmp_path, text, DESK_PASSWORD="pw").channel("desk")
    assert desk.password is not None
    assert desk.password.get_secret_value() == "pw"
