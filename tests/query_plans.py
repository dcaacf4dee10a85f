"""What the database says it will do with a statement: for tests that a query is
answered from the index it was written for."""

from __future__ import annotations

from sqlalchemy import ClauseElement, text
from sqlalchemy.orm import Session


def literal_sql(session: Session, statement: ClauseElement) -> str:
    """The statement as SQL for this session's database, its values written in."""
    return str(
        statement.compile(
            dialect=session.get_bind().dialect,
            compile_kwargs={"literal_binds": True},
        )
    )


def sqlite_plan(session: Session, statement: ClauseElement) -> list[str]:
    """SQLite's EXPLAIN QUERY PLAN of the statement: the detail of each step."""
    sql = literal_sql(session, statement)
    rows = session.execute(text(f"EXPLAIN QUERY PLAN {sql}"))
    return [str(row[-1]) for row in rows]
