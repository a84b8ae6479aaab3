"""`doorstep user add`, `areas`, `migrate` and the one-line errors, through the real command."""

from __future__ import annotations

import io
import os
import sys

import pytest

from server.cli import main
from tests.cli.conftest import cli_env, ok, run_cli, sign_in

pytestmark = pytest.mark.slow


async def test_user_add_by_area_code_then_sign_in(demo_copy):
    out = ok(run_cli("user", "add", "worker3", "--role", "field_worker", "--area", "QSZ-SQ-G1",
                     "--display-name", "赵敏", "--password-stdin", "--data-dir", str(demo_copy),
                     stdin="a-long-password\n"))
    assert out.startswith("Added user worker3 (field_worker)")
    me = await sign_in(demo_copy, "worker3", "a-long-password")
    assert me["user"]["display_name"] == "赵敏"
    assert [a["code"] for a in me["areas"]] == ["QSZ-SQ-G1"]


async def test_user_add_by_area_id_on_a_fresh_ledger_and_again_updates(tmp_path):
    data_dir = str(tmp_path / "data")
    ok(run_cli("user", "add", "root", "--role", "admin", "--password-stdin", "--data-dir", data_dir,
               stdin="first-password\n"))
    out = ok(run_cli("user", "add", "root", "--role", "admin", "--password-stdin", "--data-dir", data_dir,
                     stdin="second-password\n"))
    assert out.startswith("Updated user root (admin)")
    me = await sign_in(tmp_path / "data", "root", "second-password")
    assert me["user"]["role"] == "admin"


def in_process(args: list[str], monkeypatch, capsys, env: dict[str, str] | None = None,
               stdin: str = "") -> tuple[int, str, str]:
    """Run ``main`` here (much faster than a subprocess) with a clean DOORSTEP_* environment."""
    for name in [n for n in os.environ if n.startswith("DOORSTEP_")]:
        monkeypatch.delenv(name)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = main(args)
    except SystemExit as stop:  # argparse's own errors
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def test_a_usage_mistake_through_the_real_command_is_one_line_and_exit_2(tmp_path):
    for args in (["user", "add", "someone", "--role", "boss", "--password-stdin"], ["frobnicate"]):
        result = run_cli(*args, "--data-dir", str(tmp_path), stdin="a-long-password\n")
        assert result.returncode == 2, result
        assert "invalid choice" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["--role", "field_worker", "--area", "NO-SUCH-AREA"], "a-long-password\n", "unknown area NO-SUCH-AREA"),
    (["--role", "field_worker"], "a-long-password\n", "needs at least one area"),
    (["--role", "admin"], "short\n", "at least 8 characters"),
    (["--role", "admin"], "\n", "no password on standard input"),
])
def test_user_add_mistakes_are_one_line_and_exit_2(tmp_path, monkeypatch, capsys, args, stdin, message):
    code, _, err = in_process(["user", "add", "someone", *args, "--password-stdin", "--data-dir", str(tmp_path)],
                              monkeypatch, capsys, stdin=stdin)
    assert code == 2
    assert err.startswith("doorstep user add: error: ") and message in err
    assert len(err.strip().splitlines()) == 1, err


def test_user_add_without_password_stdin_and_no_terminal_says_how(tmp_path):
    result = run_cli("user", "add", "x", "--role", "admin", "--data-dir", str(tmp_path), stdin="")
    assert result.returncode == 2
    assert "--password-stdin" in result.stderr


def test_migrate_prints_the_revision(tmp_path):
    out = ok(run_cli("migrate", "--data-dir", str(tmp_path / "d")))
    assert out.startswith("Schema at revision 0001")
    assert (tmp_path / "d" / "doorstep.sqlite3").is_file()


def test_data_dir_flag_wins_over_the_environment(tmp_path):
    env = cli_env(DOORSTEP_DATA_DIR=str(tmp_path / "from-env"))
    ok(run_cli("migrate", "--data-dir", str(tmp_path / "from-flag"), env=env))
    assert (tmp_path / "from-flag" / "doorstep.sqlite3").is_file()
    assert not (tmp_path / "from-env").exists()
    ok(run_cli("migrate", env=env))
    assert (tmp_path / "from-env" / "doorstep.sqlite3").is_file()


def test_areas_lists_the_demo_tree(demo_dir):
    out = ok(run_cli("areas", "--data-dir", str(demo_dir)))
    lines = out.splitlines()
    assert lines[0].startswith("QSZ ") and "青石镇" in lines[0]
    assert any(line.startswith("    QSZ-QS-G2 ") and "青石村第二网格" in line for line in lines)
    assert len(lines) == 24


@pytest.mark.parametrize(("args", "env", "message"), [
    (["serve", "--workers", "2"], {}, "needs PostgreSQL"),
    (["serve", "--port", "x"], {}, "invalid int value"),
    (["migrate"], {"DOORSTEP_PORT": "abc"}, "DOORSTEP_PORT"),
    (["migrate"], {"DOORSTEP_DATABASE_URL": "mysql://x/y"}, "DOORSTEP_DATABASE_URL"),
    (["migrate"], {"DOORSTEP_DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/x"}, "cannot use the database"),
    (["demo", "--password", "short"], {}, "at least 8 characters"),
])
def test_mistakes_are_one_line_and_exit_2(tmp_path, monkeypatch, capsys, args, env, message):
    code, _, err = in_process(args, monkeypatch, capsys, env={"DOORSTEP_DATA_DIR": str(tmp_path), **env})
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1, err


def test_every_command_has_help(capsys):
    assert ok(run_cli("--help")).startswith("usage: doorstep")
    for command in (["serve"], ["demo"], ["user", "add"], ["areas"], ["migrate"], ["backup"]):
        with pytest.raises(SystemExit) as stop:
            main([*command, "--help"])
        assert stop.value.code == 0
        assert capsys.readouterr().out.startswith(f"usage: doorstep {' '.join(command)}")




def test_export_is_a_doorstep_command(demo_dir, tmp_path):
    target = tmp_path / "ledger.csv"
    out = ok(run_cli("export", "disputes", "--data-dir", str(demo_dir), "--output", str(target)))
    assert out.startswith("Wrote 15 disputes")
    assert "青石村第二网格" in target.read_text(encoding="utf-8-sig")
