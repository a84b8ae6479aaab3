"""`doorstep export` and `doorstep import households`: the ledger's exports and the register import.

``register(subparsers)`` adds both commands to the `doorstep` parser; each sets ``handler`` on the
parsed arguments, a function that returns the exit code or raises ``server.cli.UsageError``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

SETTINGS_HELP = "Settings come from DOORSTEP_* environment variables (see README); flags override them."
SHOWN_REJECTIONS = 50


def register(subparsers: Any) -> None:
    """Add `export` and `import` to the `doorstep` subcommands."""

    def data_dir(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", type=Path, metavar="D",
                       help="directory of the SQLite ledger and photos (default: $DOORSTEP_DATA_DIR or ./doorstep-data)")

    export = subparsers.add_parser(
        "export", help="export the dispute ledger or the statistics table as CSV or XLSX", epilog=SETTINGS_HELP,
        description="Export the dispute ledger (one row per dispute) or the periodic statistics table (per area: "
        "households visited, disputes found by category and risk, resolved, resolution rate, overdue) for the "
        "whole ledger or one area. CSV is UTF-8 with a BOM, so Excel shows Chinese text correctly.")
    export.add_argument("what", choices=("disputes", "statistics"), help="disputes or statistics")
    export.add_argument("--format", choices=("csv", "xlsx"), default="csv", help="csv (default) or xlsx")
    export.add_argument("--area", metavar="CODE", help="only this area and everything below it (code or id)")
    export.add_argument("--from", dest="start", metavar="D", help="statistics: first day, YYYY-MM-DD")
    export.add_argument("--to", dest="end", metavar="D", help="statistics: last day, YYYY-MM-DD")
    export.add_argument("--labels", choices=("zh", "codes"), default="zh",
                        help="zh: Chinese headers and words (default); codes: column keys and codes")
    export.add_argument("--output", type=Path, metavar="FILE",
                        help="file to write (default: disputes.csv, statistics-FROM-TO.xlsx, ... here); - for stdout")
    data_dir(export)
    export.set_defaults(handler=cmd_export)

    imports = subparsers.add_parser("import", help="import the household register",
                                    description="Import reference data into the ledger.")
    what = imports.add_subparsers(dest="import_command", metavar="WHAT", required=True, parser_class=type(imports))
    households = what.add_parser(
        "households", help="import households from a CSV register", epilog=SETTINGS_HELP,
        description="Import households from a CSV file with the columns area (code or name), address, head of "
        "household, lat and lon (Chinese or English headers: 区域编码, 地址, 户主, 纬度, 经度). Every row is "
        "checked; good rows go through the sync engine, so they are audited and reach the phones. Importing "
        "the same file again changes nothing. Exit code 1 when some rows were rejected.")
    households.add_argument("file", type=Path, metavar="FILE", help="the register, CSV (UTF-8 or GB18030)")
    households.add_argument("--as", dest="username", metavar="USERNAME",
                            help="admin the changes are recorded as (default: the first admin by username)")
    data_dir(households)
    households.set_defaults(handler=cmd_import_households)


def cmd_export(args: argparse.Namespace) -> int:
    from server.cli import UsageError, run_migrations, settings_from
    from server.errors import DoorstepError

    settings = settings_from(args)
    run_migrations(settings)
    try:
        content, count = asyncio.run(_export(settings, args))
    except DoorstepError as exc:
        # Only the date window can be wrong here, and its messages start with the parameter's name.
        raise UsageError(f"--{exc.detail}") from None
    if str(args.output) == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return 0
    window = [d for d in (args.start, args.end) if d] if args.what == "statistics" else []
    output = args.output or Path("-".join([args.what, *window]) + f".{args.format}")
    try:
        output.write_bytes(content)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    noun = "disputes" if args.what == "disputes" else "areas"
    print(f"Wrote {count} {noun} to {output}")
    return 0


async def _export(settings: Any, args: argparse.Namespace) -> tuple[bytes, int]:
    from server.db import Database
    from server.services import exports, reports

    window = reports.parse_window(args.start, args.end)
    db = Database(settings)
    try:
        async with db.read() as session:
            area_id = await _area_id(session, args.area) if args.area else None
            principal = _everything(None)
            codes = args.labels == "codes"
            if args.what == "disputes":
                table = await exports.dispute_ledger(session, principal, area_id, codes=codes)
                count = len(table.rows)
            else:
                table = await exports.statistics(session, principal, area_id, *window)
                count = len(table.rows) - 1  # the total row
    finally:
        await db.dispose()
    return exports.render(table, args.format, codes)[0], count


async def _area_id(session: Any, text: str) -> str:
    from sqlalchemy import or_, select

    from server.cli import UsageError
    from server.models import Area

    found = await session.scalar(select(Area.id).where(or_(Area.code == text, Area.id == text)))
    if found is None:
        raise UsageError(f"unknown area {text}: give an area code or id (`doorstep areas` lists them)")
    return found


def _everything(user: Any) -> Any:
    """A principal that sees the whole ledger: the command runs where the database is."""
    from server.auth import Principal
    from server.scope import Scope

    if user is None:
        return Principal("cli", "cli", "command line", "admin", "cli", (), Scope(None))
    return Principal(user.id, user.username, user.display_name, "admin", "cli", (), Scope(None))


def cmd_import_households(args: argparse.Namespace) -> int:
    from server.cli import UsageError, run_migrations, settings_from
    from server.errors import DoorstepError

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    settings = settings_from(args)
    run_migrations(settings)
    try:
        report = asyncio.run(_import(settings, args.username, data))
    except DoorstepError as exc:
        raise UsageError(f"{args.file}: {exc.detail}") from None
    print(f"{args.file}: {report.rows} rows: {report.applied} applied, {report.unchanged} unchanged, "
          f"{len(report.rejected)} rejected")
    rejected = report.as_dict()["rejected"]
    for item in rejected[:SHOWN_REJECTIONS]:
        print(f"  row {item['row']}: {'; '.join(item['errors'])}")
    if len(rejected) > SHOWN_REJECTIONS:
        print(f"  ... and {len(rejected) - SHOWN_REJECTIONS} more rejected rows")
    return 1 if rejected else 0


async def _import(settings: Any, username: str | None, data: bytes) -> Any:
    from sqlalchemy import select

    from server.cli import UsageError
    from server.db import Database
    from server.models import User
    from server.services.imports import import_households

    db = Database(settings)
    try:
        async with db.read() as session:
            query = select(User).where(User.role == "admin", User.disabled.isnot(True)).order_by(User.username)
            if username:
                query = query.where(User.username == username)
            user = (await session.scalars(query.limit(1))).first()
        if user is None:
            raise UsageError(f"no admin named {username}" if username else
                             "no admin user yet: add one with `doorstep user add NAME --role admin`")
        return await import_households(db, _everything(user), data, progress=Progress())
    finally:
        await db.dispose()


class Progress:
    """A one-line progress bar on stderr, redrawn at most a hundred times."""

    def __init__(self, width: int = 30) -> None:
        self.width = width
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        percent = 100 if total == 0 else done * 100 // total
        if percent == self.shown:
            return
        self.shown = percent
        filled = self.width * percent // 100
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done:,}/{total:,} rows")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()
