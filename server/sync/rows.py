"""Driver-level reads and executemany for the engine's hot path.

SQLAlchemy's per-value bind processing (json.dumps, datetime formatting) cost more than the database
work for a 500-mutation push, so the engine hands the driver ready values: JSON as text (msgspec),
times as SQLite's storage text or as datetimes for asyncpg, dates likewise. What is written here reads
back through the ORM models unchanged. A batch's reads (select_many) and its writes (Writes) each
reach SQLite in a single call on the driver's thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

import msgspec
from sqlalchemy import JSON, Boolean, Date, DateTime, Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

_encode = msgspec.json.Encoder().encode


def _json(value: Any) -> str | None:
    return None if value is None else _encode(value).decode()


_last_stamp: list[Any] = [None, None]


def _sqlite_stamp(value: Any) -> str | None:
    # The text SQLAlchemy's SQLite DateTime writes (UTC, no offset), so ORM reads parse it.
    if value is None:
        return None
    if value is _last_stamp[0]:  # a batch writes one `now` thousands of times
        return _last_stamp[1]  # type: ignore[no-any-return]
    text = (value.astimezone(UTC) if value.tzinfo is not None else value).strftime("%Y-%m-%d %H:%M:%S.%f")
    _last_stamp[:] = [value, text]
    return text


def _sqlite_date(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def _pg_date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _sqlite_bool(value: Any) -> int | None:
    return None if value is None else int(bool(value))


def _write_conv(kind: Any, postgres: bool) -> Any:
    if isinstance(kind, JSON):
        return _json
    if isinstance(kind, DateTime):
        return None if postgres else _sqlite_stamp
    if isinstance(kind, Date):
        return _pg_date if postgres else _sqlite_date
    if isinstance(kind, Boolean) and not postgres:
        return _sqlite_bool
    return None


_decode = msgspec.json.Decoder().decode


def _read_json(value: Any) -> Any:
    return _decode(value) if isinstance(value, str | bytes) else value


def _read_stamp(value: Any) -> Any:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _read_date(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value  # the wire form: YYYY-MM-DD


def _read_bool(value: Any) -> Any:
    return None if value is None else bool(value)


def _read_conv(kind: Any) -> Any:
    for cls, conv in ((JSON, _read_json), (DateTime, _read_stamp), (Date, _read_date), (Boolean, _read_bool)):
        if isinstance(kind, cls):
            return conv
    return None


def _out_json(value: Any) -> Any:
    # Stored JSON text goes out as it is: no decode here and encode again in the response.
    return msgspec.Raw(value) if isinstance(value, str | bytes) else value


def _out_stamp(value: Any) -> Any:
    if isinstance(value, str):  # SQLite's "YYYY-MM-DD HH:MM:SS.ffffff", always UTC
        # as datetime.isoformat() writes it, which leaves out a zero fraction
        return f"{value[:10]}T{value[11:19] if value.endswith('.000000') else value[11:]}+00:00"
    if value is None:
        return None
    return (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)).isoformat()


def _out_conv(kind: Any) -> Any:
    for cls, conv in ((JSON, _out_json), (DateTime, _out_stamp), (Date, _read_date), (Boolean, _read_bool)):
        if isinstance(kind, cls):
            return conv
    return None


def converters(table: Table, columns: Sequence[str], postgres: bool, read: bool | str = False
               ) -> list[tuple[int, Any]]:
    """(position, function) for the columns whose values need converting, in ``columns`` order.

    ``read`` is False for writing, True for reading into Python values, "out" for reading into pull's JSON.
    """
    out = []
    for i, name in enumerate(columns):
        kind = table.c[name].type
        conv = _out_conv(kind) if read == "out" else _read_conv(kind) if read else _write_conv(kind, postgres)
        if conv is not None:
            out.append((i, conv))
    return out


def _convert(rows: Any, conv: list[tuple[int, Any]]) -> list[tuple[Any, ...]]:
    out = []
    for row in rows:
        values = list(row)
        for i, f in conv:
            values[i] = f(values[i])
        out.append(tuple(values))
    return out


def _marks(n: int, postgres: bool, start: int = 1) -> list[str]:
    return [f"${i}" for i in range(start, start + n)] if postgres else ["?"] * n


_cache: dict[tuple[str, str, tuple[str, ...], bool], tuple[str, list[Any]]] = {}


def _statement(kind: str, table: Table, columns: tuple[str, ...], postgres: bool) -> tuple[str, list[Any]]:
    key = (kind, table.name, columns, postgres)
    if key not in _cache:
        if kind == "insert":
            names = ", ".join(f'"{c}"' for c in columns)
            sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join(_marks(len(columns), postgres))})'
            conv = converters(table, columns, postgres)
        else:  # update every column but the first (the key) where the key matches
            sets = [f'"{c}" = {m}' for c, m in zip(columns[1:], _marks(len(columns) - 1, postgres), strict=True)]
            where = _marks(1, postgres, start=len(columns))[0]
            sql = f'UPDATE "{table.name}" SET {", ".join(sets)} WHERE "{columns[0]}" = {where}'
            conv = converters(table, columns[1:] + columns[:1], postgres)
        _cache[key] = (sql, conv)
    return _cache[key]


class Writes:
    """INSERTs and UPDATEs gathered for one batch, each an executemany of ready values, sent together.

    On SQLite every statement runs in one call on the driver's thread: through SQLAlchemy each
    statement cost about 0.4 ms of hand-offs between the event loop and that thread, more than
    SQLite's own work for some of them. PostgreSQL gets them one after another.
    """

    def __init__(self, session: AsyncSession):
        self.session = session
        self.postgres = session.bind.dialect.name == "postgresql"  # type: ignore[union-attr]
        self.statements: list[tuple[str, list[tuple[Any, ...]]]] = []

    def insert(self, table: Table, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]) -> None:
        """INSERT ``rows`` (tuples in ``columns`` order)."""
        if rows:
            sql, conv = _statement("insert", table, columns, self.postgres)
            self.statements.append((sql, _convert(rows, conv)))

    def update(self, table: Table, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]) -> None:
        """UPDATE by the first column, setting the others."""
        if rows:
            sql, conv = _statement("update", table, columns, self.postgres)
            self.statements.append((sql, _convert(((*row[1:], row[0]) for row in rows), conv)))

    async def run(self) -> None:
        if not self.statements:
            return
        driver = await _sqlite_driver(self.session)
        if driver is not None:
            await _on_driver_thread(driver, _execute_all, self.statements)
        else:
            conn = await self.session.connection()
            for sql, values in self.statements:
                await conn.exec_driver_sql(sql, values)  # type: ignore[arg-type]
        self.statements = []


async def _sqlite_driver(session: AsyncSession) -> Any:
    """The aiosqlite connection under ``session`` when statements can be run on its thread in one call.

    aiosqlite's ``_execute`` runs a callable on the connection's thread; what the callable executes
    joins the transaction SQLAlchemy began on that connection. None on PostgreSQL, or if a future
    aiosqlite drops it (the callers then fall back to one statement at a time).
    """
    if session.bind.dialect.name != "sqlite":  # type: ignore[union-attr]
        return None
    conn = await session.connection()
    driver = (await conn.get_raw_connection()).driver_connection
    return driver if hasattr(driver, "_execute") and hasattr(driver, "_conn") else None


async def _on_driver_thread(driver: Any, run: Any, statements: list[Any]) -> Any:
    try:
        return await driver._execute(run, driver._conn, statements)
    except sqlite3.Error as e:
        # Raised as SQLAlchemy would have, so the error handlers (503 when the file is locked) apply.
        raise DBAPIError.instance(statements[0][0] if statements else "", None, e, sqlite3.Error) from e


def _execute_all(connection: Any, statements: list[tuple[str, list[tuple[Any, ...]]]]) -> None:
    for sql, values in statements:
        connection.executemany(sql, values)


def _fetch_all(connection: Any, statements: list[tuple[str, tuple[Any, ...]]]) -> list[list[Any]]:
    return [connection.execute(sql, params).fetchall() for sql, params in statements]


class Select(NamedTuple):
    """Rows of ``table`` whose ``key`` is one of ``values`` (see select_in)."""

    table: Table
    columns: tuple[str, ...]
    key: str
    values: Sequence[str]
    where: str = ""


def _select_sql(q: Select, postgres: bool) -> tuple[str, tuple[Any, ...]]:
    names = ", ".join(f'"{c}"' for c in q.columns)
    if postgres:
        return f'SELECT {names} FROM "{q.table.name}" WHERE "{q.key}" = ANY($1){q.where}', (list(q.values),)
    return (f'SELECT {names} FROM "{q.table.name}" WHERE "{q.key}" IN (SELECT value FROM json_each(?)){q.where}',
            (_encode(list(q.values)).decode(),))


async def select_many(session: AsyncSession, queries: Sequence[Select]) -> list[list[tuple[Any, ...]]]:
    """The rows of each query, converted to Python values; on SQLite all of them in one call."""
    postgres = session.bind.dialect.name == "postgresql"  # type: ignore[union-attr]
    wanted = [(i, q) for i, q in enumerate(queries) if q.values]
    found: list[list[Any]] = [[] for _ in queries]
    driver = await _sqlite_driver(session) if wanted else None
    if driver is not None:
        fetched = await _on_driver_thread(driver, _fetch_all, [_select_sql(q, postgres) for _, q in wanted])
    else:
        conn = await session.connection()
        fetched = [(await conn.exec_driver_sql(*_select_sql(q, postgres))).all() for _, q in wanted]
    for (i, q), got in zip(wanted, fetched, strict=True):
        found[i] = _convert(got, converters(q.table, q.columns, postgres, read=True))
    return found


async def select_in(session: AsyncSession, table: Table, columns: tuple[str, ...], key: str,
                    values: Sequence[str], where: str = "", read: bool | str = True,
                    as_dicts: bool = False) -> list[Any]:
    """Rows of ``table`` whose ``key`` is one of ``values``, in one statement whatever their number.

    SQLite gets the values as one JSON array (json_each), PostgreSQL as one array (= ANY), so there is
    no statement per size of the IN list and no limit on bound parameters.
    """
    if not values:
        return []
    postgres = session.bind.dialect.name == "postgresql"  # type: ignore[union-attr]
    conn = await session.connection()
    result = await conn.exec_driver_sql(*_select_sql(Select(table, columns, key, values, where), postgres))
    conv = converters(table, columns, postgres, read=read)
    if as_dicts:
        out = [dict(zip(columns, row, strict=True)) for row in result.all()]
        for i, f in conv:
            name = columns[i]
            for record in out:
                record[name] = f(record[name])
        return out
    return _convert(result.all(), conv)
