"""Inserting many rows in one statement and knowing their new ids, and inserting what
is not there yet, on both databases."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session


def insert_ignoring(
    dialect: str, table: Any, conflict_on: Sequence[str] | None = None
) -> Any:
    """INSERT INTO `table` ... ON CONFLICT [(conflict_on)] DO NOTHING, in the SQL of
    the dialect named ("postgresql" or "sqlite")."""
    elements = list(conflict_on) if conflict_on is not None else None
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing(index_elements=elements)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table).on_conflict_do_nothing(index_elements=elements)


class Conflict(Exception):
    """The part cannot be stored in bulk (a concurrent writer came first)."""


def insert_rows(
    session: Session, table: Table, rows: list[dict[str, Any]]
) -> list[int]:
    """Insert the rows in their order; return their new ids in the same order."""
    db = session.connection()
    if db.dialect.name != "sqlite":
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(db.execute(stmt, rows).scalars())
    # SQLite returns rows one statement at a time here. This transaction is the only
    # writer (BEGIN IMMEDIATE) and a new rowid is the largest one plus one, so one
    # executemany numbers the rows consecutively; checked below.
    before = db.execute(select(func.max(table.c.id))).scalar() or 0
    db.execute(insert(table), rows)
    count, top = db.execute(
        select(func.count(), func.max(table.c.id)).where(table.c.id > before)
    ).one()
    if count != len(rows) or top != before + len(rows):
        raise Conflict
    return list(range(before + 1, before + 1 + len(rows)))
