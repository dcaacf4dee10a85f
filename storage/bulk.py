"""Inserting many rows in one statement and knowing their new ids, on both databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session


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
