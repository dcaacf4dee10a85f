"""The values parent and crawl share are defined once (crawler/contract.py)."""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import ValidationError

import crawler.revisit
import monitor.config
from crawler import contract, plan


def test_every_section_has_entry_pages_and_every_entry_page_a_section():
    assert set(plan.ENTRY_PAGES) == set(contract.Section)


def test_one_revisit_policy_for_config_and_crawler():
    assert crawler.revisit.RevisitPolicy is contract.RevisitPolicy
    assert monitor.config.RevisitPolicy is contract.RevisitPolicy
    assert monitor.config.SiteSettings().revisit == contract.RevisitPolicy()


def test_revisit_policy_is_a_frozen_dataclass_that_validates():
    policy = contract.RevisitPolicy(every_cycle_days=1)
    assert dataclasses.asdict(policy) == {
        "every_cycle_days": 1.0,
        "daily_until_days": 30.0,
        "weekly_until_days": 365.0,
        "monthly_after": True,
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.every_cycle_days = 2  # type: ignore[misc]
    with pytest.raises(ValidationError):
        contract.RevisitPolicy(monthly_after="no")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        contract.RevisitPolicy(weekly_until_days=-1)
