"""Database URLs are shown with the password masked, whatever characters it holds."""

from __future__ import annotations

import pytest

from storage.db import DatabaseUnreachableError, mask_url, open_database

# Passwords as users paste them: raw, not percent-encoded, or encoded.
PASSWORDS = [
    "pa#ss9word",
    "pa?ss9word",
    "pa/ss9word",
    "pa@ss9word",
    "p%40ss9wo%23rd",
    "#?/@ss9word",
    "pa:ss9word",
]


@pytest.mark.parametrize("password", PASSWORDS)
def test_mask_url_hides_every_character_of_the_password(password):
    url = f"postgresql+psycopg://mofa:{password}@db.example.org:5432/mofawatch"
    assert (
        mask_url(url) == "postgresql+psycopg://mofa:***@db.example.org:5432/mofawatch"
    )


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///mofawatch.db",
        "sqlite:////var/lib/mofawatch/x@y.db",
        "postgresql+psycopg://mofa@db/x",
        "postgresql+psycopg://db:5432/x",
    ],
)
def test_urls_without_a_password_are_unchanged(url):
    assert mask_url(url) == url


@pytest.mark.parametrize("password", PASSWORDS)
def test_cannot_reach_the_database_shows_only_the_masked_url(password):
    url = f"postgresql+psycopg://mofa:{password}@127.0.0.1:1/mofawatch"
    with pytest.raises(DatabaseUnreachableError) as info:
        open_database(url)
    message = str(info.value)
    assert message.startswith(
        "cannot reach database postgresql+psycopg://mofa:***@127.0.0.1:1/mofawatch: "
    ), message
    assert "ss9wo" not in message
