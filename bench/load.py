# ruff: noqa: S608 - SQL text built from this module's constants and integer ids
"""Bulk loading of the generated rows: the secondary indexes of the case tables are dropped
first and rebuilt after (faster than maintaining them row by row), rows go in with COPY on
PostgreSQL (psycopg 3 ``cursor.copy()``) and with ``executemany`` in batches on SQLite (loading
PRAGMAs: no fsync, foreign keys checked by construction, a big page cache); then the per-day
number counters are moved past the numbers handed out, PostgreSQL's id sequences past the ids,
and the planner statistics refreshed (ANALYZE; VACUUM ANALYZE on PostgreSQL)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text

from bench import casegen

TABLES = {  # table -> (generated columns, Batch attribute)
    "service_case": (casegen.CASE_COLUMNS, "cases"),
    "case_event": (casegen.EVENT_COLUMNS, "events"),
    "extension_request": (casegen.EXTENSION_COLUMNS, "extensions"),
    "notification": (casegen.NOTIFICATION_COLUMNS, "notifications"),
}


@dataclass
class LoadReport:
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def lines(self) -> list[str]:
        load = self.seconds["generate+insert"]
        rows = ", ".join(f"{table} {count:,}" for table, count in self.rows.items())
        return [
            f"rows: {rows}",
            f"generated and inserted in {load:.1f} s ({self.total_rows / load:,.0f} rows/s, "
            f"{self.rows['service_case'] / load:,.0f} cases/s); indexes rebuilt in "
            f"{self.seconds['indexes']:.1f} s; statistics in {self.seconds['analyze']:.1f} s",
        ]


def _secondary_indexes(connection, dialect: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the indexes that back no constraint."""
    if dialect == "sqlite":
        query = (
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({', '.join(repr(t) for t in TABLES)})"
        )
    else:
        query = (
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            f"AND tablename IN ({', '.join(repr(t) for t in TABLES)}) AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint)"
        )
    return [(name, sql) for name, sql in connection.execute(query).fetchall()]


def _next_ids(connection) -> casegen.Ids:
    def after(table):
        return (connection.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0) + 1

    return casegen.Ids(
        after("service_case"), after("case_event"), after("notification"),
        after("extension_request"),
    )  # fmt: skip


def _sqlite_value(value):
    if type(value) is datetime:
        return value.isoformat(" ", "microseconds")  # SQLAlchemy's SQLite storage format
    return value


def _write_sqlite(connection, batch) -> None:
    cursor = connection.cursor()
    for table, (columns, attribute) in TABLES.items():
        rows = getattr(batch, attribute)
        if rows:
            marks = ", ".join("?" * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                [[_sqlite_value(v) for v in row] for row in rows],
            )
    connection.commit()


def _write_postgresql(connection, batch) -> None:
    with connection.cursor() as cursor:
        for table, (columns, attribute) in TABLES.items():
            rows = getattr(batch, attribute)
            if rows:
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
    connection.commit()


def _prepare_connection(connection, dialect: str) -> None:
    cursor = connection.cursor()
    if dialect == "sqlite":
        for pragma in ("foreign_keys=OFF", "synchronous=OFF", "cache_size=-400000",
                       "temp_store=MEMORY"):  # fmt: skip
            cursor.execute(f"PRAGMA {pragma}")
        return
    cursor.execute("SET maintenance_work_mem = '512MB'")
    try:  # superuser only: no per-row foreign-key triggers while loading consistent rows
        cursor.execute("SET session_replication_role = replica")
        connection.commit()
    except Exception:  # noqa: BLE001 - an ordinary role loads with the checks on
        connection.rollback()
        cursor = connection.cursor()
        cursor.execute("SET maintenance_work_mem = '512MB'")
        connection.commit()


def _finish(connection, dialect: str, counters: dict[str, int], days: set[str]) -> None:
    cursor = connection.cursor()
    greatest = "max" if dialect == "sqlite" else "GREATEST"
    mark = "?" if dialect == "sqlite" else "%s"
    cursor.executemany(
        f"INSERT INTO case_number_counter (day, last) VALUES ({mark}, {mark}) "
        "ON CONFLICT (day) DO UPDATE SET "
        f"last = {greatest}(case_number_counter.last, excluded.last)",
        [(day, counters[day]) for day in sorted(days)],
    )
    if dialect == "postgresql":
        for table in TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    connection.commit()


def bulk_load(engine, world, count: int, *, now: datetime, years: float, seed: int) -> LoadReport:
    """Generate ``count`` cases into the database behind ``engine``; returns the figures."""
    dialect = engine.dialect.name
    report = LoadReport()
    connection = engine.raw_connection()
    try:
        _prepare_connection(connection, dialect)
        ids = _next_ids(connection.cursor())
        indexes = _secondary_indexes(connection.cursor(), dialect)
        cursor = connection.cursor()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        connection.commit()
        before = dict(world.counters)
        began = time.perf_counter()
        write = _write_sqlite if dialect == "sqlite" else _write_postgresql
        try:
            for batch in casegen.generate(world, count, now=now, ids=ids, years=years, seed=seed):
                write(connection, batch)
                for table, (_, attribute) in TABLES.items():
                    report.rows[table] += len(getattr(batch, attribute))
        finally:
            report.seconds["generate+insert"] = time.perf_counter() - began
            began = time.perf_counter()
            cursor = connection.cursor()
            for _, statement in indexes:
                cursor.execute(statement)
            connection.commit()
            report.seconds["indexes"] = time.perf_counter() - began
        changed = {day for day, last in world.counters.items() if before.get(day) != last}
        _finish(connection, dialect, world.counters, changed)
    finally:
        connection.invalidate()  # its loading settings must not serve anyone else
    began = time.perf_counter()
    _analyze(engine, dialect)
    report.seconds["analyze"] = time.perf_counter() - began
    return report


def _analyze(engine, dialect: str) -> None:
    if dialect == "sqlite":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in (*TABLES, "case_number_counter", "branch", "ab_user"):
            connection.execute(text(f"VACUUM (ANALYZE) {table}"))
