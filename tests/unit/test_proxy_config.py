"""Which proxy the crawl and check use: MOFAWATCH_PROXY_URL, [site] proxy, then the
standard variables; credentials only from the environment, never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import ConfigError, load_settings
from monitor.config.proxy import masked_proxy


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mofawatch.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_proxy_anywhere_is_a_direct_connection():
    assert load_settings({}).proxy_url is None


def test_the_site_proxy_key_is_used(tmp_path):
    path = _config(tmp_path, '[site]\nproxy = "http://proxy.example:3128"\n')
    assert load_settings({}, path).proxy_url == "http://proxy.example:3128"


def test_the_environment_url_wins_and_may_carry_credentials(tmp_path):
    path = _config(tmp_path, '[site]\nproxy = "http://proxy.example:3128"\n')
    env = {"MOFAWATCH_PROXY_URL": "http://u:p@other.example:8080"}
    settings = load_settings(env, path)
    assert settings.proxy_url == "http://u:p@other.example:8080"
    assert "u:p" not in repr(settings)


def test_credentials_in_the_file_are_refused_without_echoing_them(tmp_path):
    path = _config(tmp_path, '[site]\nproxy = "http://u:hunter2@proxy.example:3128"\n')
    with pytest.raises(ConfigError) as info:
        load_settings({}, path)
    assert "MOFAWATCH_PROXY_URL" in str(info.value)
    assert "hunter2" not in str(info.value)


@pytest.mark.parametrize(
    "value", ["ftp://proxy.example:21", "proxy.example:3128", "http://:8080"]
)
def test_a_proxy_that_is_not_an_http_url_is_a_configuration_error(tmp_path, value):
    path = _config(tmp_path, f'[site]\nproxy = "{value}"\n')
    with pytest.raises(ConfigError, match="proxy"):
        load_settings({}, path)


def test_a_bad_environment_url_is_named_and_not_echoed():
    with pytest.raises(ConfigError, match="MOFAWATCH_PROXY_URL") as info:
        load_settings({"MOFAWATCH_PROXY_URL": "socks5://u:hunter2@h:1"})
    assert "hunter2" not in str(info.value)


def test_the_standard_variable_of_the_site_scheme_is_honoured():
    env = {"https_proxy": "http://corp.example:3128", "http_proxy": "http://x:1"}
    assert load_settings(env).proxy_url == "http://corp.example:3128"
    env = {"HTTPS_PROXY": "corp.example:3128"}
    assert load_settings(env).proxy_url == "http://corp.example:3128"


def test_no_proxy_naming_the_site_means_a_direct_connection():
    env = {"https_proxy": "http://corp.example:3128", "no_proxy": ".mofa.go.jp"}
    assert load_settings(env).proxy_url is None


def test_masked_proxy_hides_user_and_password():
    assert masked_proxy("http://u:p@h.example:3128/") == "http://***@h.example:3128/"
    assert masked_proxy("http://h.example:3128") == "http://h.example:3128"
