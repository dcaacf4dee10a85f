"""[crawl] max_response_bytes: a strict, bounded key that reaches the crawl."""

from __future__ import annotations

import pytest

from crawler.contract import DEFAULT_MAX_RESPONSE_BYTES
from monitor.config import ConfigError, load_settings
from monitor.config.template import default_config_text
from monitor.runner.crawl import run_config_for


def _load(tmp_path, text):
    path = tmp_path / "mofawatch.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings({}, path)


def test_default_is_a_few_megabytes_and_reaches_the_run_configuration(tmp_path):
    settings = _load(tmp_path, "")
    assert settings.crawl.max_response_bytes == DEFAULT_MAX_RESPONSE_BYTES
    assert 1 << 20 <= DEFAULT_MAX_RESPONSE_BYTES <= 16 << 20
    mine = _load(tmp_path, "[crawl]\nmax_response_bytes = 65536\n")
    run = run_config_for(mine, database_url="sqlite:///x.db", run_id=None)
    assert run.max_response_bytes == 65536


@pytest.mark.parametrize("value", ['"8388608"', "100", "1.5e6", "true", "-1"], ids=str)
def test_a_wrong_value_is_one_error_naming_the_key(tmp_path, value):
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, f"[crawl]\nmax_response_bytes = {value}\n")
    assert "max_response_bytes" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_an_unknown_key_in_crawl_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="max_response_byte"):
        _load(tmp_path, "[crawl]\nmax_response_byte = 65536\n")


def test_init_writes_the_key_with_its_default(tmp_path):
    text = default_config_text()
    assert f"max_response_bytes = {DEFAULT_MAX_RESPONSE_BYTES}" in text
    assert _load(tmp_path, text).crawl.max_response_bytes == (
        DEFAULT_MAX_RESPONSE_BYTES
    )
