"""A RunConfig (crawler.contract) for crawler parts that tests build by hand."""

from __future__ import annotations

from crawler.contract import RUN_SETTING, RunConfig

__all__ = ["RUN_SETTING", "run_config"]


def run_config(**fields: object) -> RunConfig:
    """Valid defaults for every required field, replaced by `fields`."""
    values: dict[str, object] = {
        "database_url": "sqlite:///unused.db",
        "base_url": "https://www.mofa.go.jp",
        "sections": ("press_releases", "press_conferences", "statements", "japan_us"),
        "since": "2022-01",
        "user_agent": "mofawatch-test",
        "download_delay": 0.0,
        "timeout_seconds": 5.0,
        "retry_times": 0,
    }
    values.update(fields)
    return RunConfig.model_validate(values)
