"""The `doorstep` command: serve, demo, user add, areas, migrate and backup.

A user's mistake ends with one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from server import __version__
from server.scope import ROLES
from server.settings import Settings, SettingsError

SETTINGS_HELP = "Settings come from DOORSTEP_* environment variables (see README); flags override them."


class UsageError(Exception):
    """A mistake the user can fix; printed as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse would print the whole usage block; one line that says what is wrong is clearer.
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> Parser:
    parser = Parser(prog="doorstep", description="Doorstep: an offline-first field ledger for door-to-door "
                    "household visits and dispute cases.", epilog=SETTINGS_HELP)
    parser.add_argument("--version", action="version", version=f"doorstep {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=Parser)

    def common(p: argparse.ArgumentParser, handler: Callable[[argparse.Namespace], int]) -> None:
        p.add_argument("--data-dir", type=Path, metavar="D",
                       help="directory of the SQLite ledger and photos (default: $DOORSTEP_DATA_DIR or ./doorstep-data)")
        p.set_defaults(handler=handler, name=p.prog.removeprefix("doorstep "))

    serve = commands.add_parser("serve", help="run the server", epilog=SETTINGS_HELP,
                                description="Run the server. The schema is created or migrated first. With no "
                                "DOORSTEP_DATABASE_URL the ledger is SQLite in the data directory.")
    serve.add_argument("--host", metavar="H", help="address to listen on (default: $DOORSTEP_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, metavar="P", help="port to listen on (default: $DOORSTEP_PORT or 8000)")
    common(serve, cmd_serve)
    serve.add_argument("--workers", type=int, metavar="N",
                       help="server processes (default: $DOORSTEP_WORKERS or 1; more than 1 needs PostgreSQL)")

    demo = commands.add_parser("demo", help="load the demo town 青石镇 and its five users", epilog=SETTINGS_HELP,
                               description="Load the demo town 青石镇 (2 villages and 1 community, 20 grids, 484 households, 291 visits, "
                               "15 disputes) and the users admin, supervisor, mediator, worker1 and worker2. "
                               "Running it again changes nothing; with --password it also resets the five "
                               "users' passwords, without it existing users keep theirs.")
    common(demo, cmd_demo)
    demo.add_argument("--password", metavar="P",
                      help="password for all five users (at least 8 characters); without it each new user "
                      "gets a random one, printed once")

    user = commands.add_parser("user", help="manage users", description="Manage users.")
    user_commands = user.add_subparsers(dest="user_command", metavar="SUBCOMMAND", required=True,
                                        parser_class=Parser)
    add = user_commands.add_parser("add", help="create a user, or change an existing one's role, areas and password",
                                   description="Create a user, or change an existing user's role, areas and "
                                   "password.", epilog=SETTINGS_HELP)
    add.add_argument("username", metavar="USERNAME", help="sign-in name: letters, digits, '.', '-' or '_'")
    add.add_argument("--role", required=True, choices=ROLES, metavar="ROLE", help=f"one of {', '.join(ROLES)}")
    add.add_argument("--area", action="append", default=[], metavar="AREA",
                     help="an assigned area, by id or code (repeat for several; `doorstep areas` lists them); "
                     "every role but admin needs one")
    add.add_argument("--display-name", metavar="NAME", help="name shown in the app (default: the username)")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of standard input (without it, ask at the terminal)")
    common(add, cmd_user_add)

    areas = commands.add_parser("areas", help="list the area tree with codes and ids",
                                description="List the area tree with each area's code and id.", epilog=SETTINGS_HELP)
    common(areas, cmd_areas)

    from server import cli_ledger  # `export` and `import households`, kept with the reports they build on

    cli_ledger.register(commands)
    migrate = commands.add_parser("migrate", help="create or upgrade the database schema", epilog=SETTINGS_HELP,
                                  description="Apply every pending migration and print the schema revision.")
    common(migrate, cmd_migrate)

    backup = commands.add_parser("backup", help="back up the SQLite ledger and photos while the server runs",
                                 epilog="To restore: stop the server and copy doorstep.sqlite3 and photos/ from the "
                                 "backup into the data directory. On PostgreSQL use pg_dump instead.",
                                 description="Make an online backup of the SQLite ledger (safe while the server "
                                 "runs) and a copy of the photo directory in a new folder named by the UTC time.")
    common(backup, cmd_backup)
    backup.add_argument("--output", type=Path, metavar="DIR",
                        help="folder to create the timestamped backup in (default: <data-dir>/backups)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except UsageError as exc:
        print(f"doorstep {getattr(args, 'name', args.command)}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def settings_from(args: argparse.Namespace, **flags: Any) -> Settings:
    """Settings from the environment, with the flags that were given on top."""
    overrides = {name: value for name, value in flags.items() if value is not None}
    if getattr(args, "data_dir", None) is not None:
        overrides["data_dir"] = args.data_dir
    try:
        return Settings.from_env(os.environ, **overrides)
    except SettingsError as exc:
        raise UsageError(str(exc)) from None


def where(settings: Settings) -> str:
    """The ledger's file, or its URL without the password."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.db_url)
    if settings.is_sqlite and url.database:
        return url.database
    return url.render_as_string(hide_password=True)


def run_migrations(settings: Settings) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from server.db import migrate

    try:
        migrate(settings)
    except (OSError, SQLAlchemyError) as exc:
        raise UsageError(f"cannot use the database at {where(settings)}: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def cmd_serve(args: argparse.Namespace) -> int:
    settings = settings_from(args, host=args.host, port=args.port, workers=args.workers)
    if settings.workers > 1 and settings.is_sqlite:
        raise UsageError("--workers above 1 needs PostgreSQL (set DOORSTEP_DATABASE_URL): "
                         "SQLite has one writer, so several processes would only wait on each other")
    run_migrations(settings)
    import uvicorn

    print(f"Doorstep {__version__}", flush=True)
    print(f"  ledger: {where(settings)}", flush=True)
    print(f"  photos: {settings.photo_dir.resolve()}", flush=True)
    print(f"  serving http://{settings.host}:{settings.port}/ (Ctrl+C stops)", flush=True)
    common: dict[str, Any] = {"host": settings.host, "port": settings.port, "log_level": settings.log_level.lower()}
    if settings.workers == 1:
        from server.app import configure_logging, create_app

        configure_logging(settings)
        uvicorn.run(create_app(settings), **common)
    else:
        # Each worker process builds its own app from the environment, so pass the flags down through it.
        os.environ.update({"DOORSTEP_DATA_DIR": str(settings.data_dir.resolve()), "DOORSTEP_HOST": settings.host,
                           "DOORSTEP_PORT": str(settings.port), "DOORSTEP_WORKERS": str(settings.workers)})
        uvicorn.run("server.app:create_app_from_env", factory=True, workers=settings.workers, **common)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from server.demo import DemoError, load_demo
    from server.demo.summary import summary
    from server.errors import DoorstepError

    if args.password is not None and len(args.password) < 8:
        raise UsageError("--password must be at least 8 characters")
    settings = settings_from(args)
    run_migrations(settings)
    try:
        report = asyncio.run(load_demo(settings, args.password))
    except (DemoError, DoorstepError) as exc:
        raise UsageError(str(exc)) from None
    print(summary(report, where(settings), args.password is not None))
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    password = _read_password(args.password_stdin)
    settings = settings_from(args)
    run_migrations(settings)
    user_id, created = asyncio.run(_add_user(settings, args.username, args.role, args.area, args.display_name,
                                             password))
    print(f"{'Added' if created else 'Updated'} user {args.username} ({args.role}), id {user_id}")
    return 0


async def _add_user(settings: Settings, username: str, role: str, areas: list[str], display_name: str | None,
                    password: str) -> tuple[str, bool]:
    from sqlalchemy import or_, select

    from server.db import Database
    from server.errors import DoorstepError
    from server.models import Area, User
    from server.services.accounts import add_user

    db = Database(settings)
    try:
        async with db.write() as session:
            found = await session.execute(select(Area.id, Area.code).where(or_(Area.id.in_(areas),
                                                                               Area.code.in_(areas))))
            ids = {key: area_id for area_id, code in found for key in (area_id, code)}
            unknown = [a for a in areas if a not in ids]
            if unknown:
                raise UsageError(f"unknown area {', '.join(unknown)}: give an area id or code "
                                 "(`doorstep areas` lists them)")
            existed = await session.scalar(select(User.id).where(User.username == username)) is not None
            try:
                user = await add_user(session, username, role, password, [ids[a] for a in areas], display_name)
            except DoorstepError as exc:
                raise UsageError(exc.detail) from None
            return user.id, not existed
    finally:
        await db.dispose()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UsageError("no password on standard input (--password-stdin reads its first line)")
        return password
    if not sys.stdin.isatty():
        raise UsageError("give the password on standard input with --password-stdin")
    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Same password again: "):
        raise UsageError("the two passwords differ")
    return password


def cmd_areas(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from server.models import Area

    settings = settings_from(args)
    run_migrations(settings)
    rows = asyncio.run(_query(settings, select(Area.id, Area.parent_id, Area.code, Area.kind, Area.name)))
    children: dict[str | None, list[Any]] = {}
    for row in sorted(rows, key=lambda r: r.code):
        children.setdefault(row.parent_id, []).append(row)
    if not rows:
        print("No areas yet (`doorstep demo` loads a demo town).")

    def show(parent: str | None, depth: int) -> None:
        for row in children.get(parent, []):
            print(f"{'  ' * depth}{row.code:<{max(24 - 2 * depth, 1)}} {row.kind:<10} {row.id}  {row.name}")
            show(row.id, depth + 1)

    show(None, 0)
    return 0


async def _query(settings: Settings, statement: Any) -> list[Any]:
    from server.db import Database

    db = Database(settings)
    try:
        async with db.read() as session:
            return list(await session.execute(statement))
    finally:
        await db.dispose()


def cmd_migrate(args: argparse.Namespace) -> int:
    from sqlalchemy import text

    settings = settings_from(args)
    run_migrations(settings)
    rows = asyncio.run(_query(settings, text("SELECT version_num FROM alembic_version")))
    print(f"Schema at revision {', '.join(r[0] for r in rows)} (the newest) in {where(settings)}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from server.services.backup import BackupError, backup

    settings = settings_from(args)
    try:
        result = backup(settings, args.output)
    except BackupError as exc:
        raise UsageError(str(exc)) from None
    print(f"Backed up {where(settings)} ({result.ledger_bytes} bytes) and {result.photo_files} photo files to")
    print(result.path.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
