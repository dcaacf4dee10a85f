"""Alembic environment: migrate a connection handed over, or the configured URL."""

from __future__ import annotations

import logging

from alembic import context
from sqlalchemy import Connection

from storage.db import make_engine
from storage.models import Base, is_managed_object

logger = logging.getLogger(__name__)

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=is_managed_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str | None:
    """The URL from `alembic -x url=...`, else from the config (upgrade_database)."""
    url = context.get_x_argument(as_dictionary=True).get("url")
    return url or config.get_main_option("sqlalchemy.url")


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_object=is_managed_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = _url()
    if not url:
        raise RuntimeError(
            "give the database: alembic -x url=sqlite:///mofawatch.db ..."
        )
    engine = make_engine(url, foreign_keys=False)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
