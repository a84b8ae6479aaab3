"""`doorstep export` and `doorstep import households`, run the way the CLI runs them (their own event loop)."""

from __future__ import annotations

import asyncio
import csv
import io

import openpyxl
import pytest

from server import cli_ledger
from server.cli import Parser, UsageError
from tests.reports.town import Town


def _parser() -> Parser:
    parser = Parser(prog="doorstep")
    cli_ledger.register(parser.add_subparsers(dest="command", required=True, parser_class=Parser))
    return parser


@pytest.fixture
def run(settings, monkeypatch):
    """Run a command against the test's ledger; returns (exit code, stdout, stderr)."""
    if not settings.is_sqlite:
        monkeypatch.setenv("DOORSTEP_DATABASE_URL", settings.database_url)

    async def go(capsys, *argv: str) -> tuple[int, str, str]:
        args = _parser().parse_args([*argv, "--data-dir", str(settings.data_dir)])
        code = await asyncio.to_thread(args.handler, args)
        out, err = capsys.readouterr()
        return code, out, err

    return go


async def test_export_writes_the_ledger_and_the_statistics(run, capsys, town: Town, tmp_path, monkeypatch):
    target = tmp_path / "ledger.csv"
    code, out, _ = await run(capsys, "export", "disputes", "--output", str(target), "--labels", "codes")
    assert code == 0 and "Wrote" in out
    content = target.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert {r["id"] for r in rows} == {i for i, d in town.disputes.items() if not d["archived"]}

    monkeypatch.chdir(tmp_path)
    code, out, _ = await run(capsys, "export", "statistics", "--format", "xlsx", "--area", "V1",
                             "--from", "2026-11-01", "--to", "2026-11-30")
    assert code == 0
    sheet = openpyxl.load_workbook(tmp_path / "statistics-2026-11-01-2026-11-30.xlsx").active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["G1", "G2", "TOTAL"]
    assert sheet.cell(row=4, column=3).value == len(town.live_households("V1"))

    with pytest.raises(UsageError, match="--from"):
        await run(capsys, "export", "statistics", "--from", "1 Nov")
    with pytest.raises(UsageError, match="unknown area"):
        await run(capsys, "export", "disputes", "--area", "NOWHERE")


async def test_import_households_reports_rows_and_is_idempotent(run, capsys, tmp_path, db):
    register = tmp_path / "register.csv"
    register.write_text("区域编码,地址,户主,纬度,经度\nG1,一号,甲,30.1,120.1\nG3,二号,乙,,\nXX,三号,丙,,\n",
                        encoding="utf-8-sig")
    code, out, err = await run(capsys, "import", "households", str(register))
    assert code == 1
    assert "3 rows: 2 applied, 0 unchanged, 1 rejected" in out and "row 4: area" in out
    assert "3/3 rows" in err and "#" in err
    code, out, _ = await run(capsys, "import", "households", str(register), "--as", "admin")
    assert "2 unchanged" in out and "0 applied" in out
    with pytest.raises(UsageError, match="cannot read"):
        await run(capsys, "import", "households", str(tmp_path / "missing.csv"))
    with pytest.raises(UsageError, match="no admin named"):
        await run(capsys, "import", "households", str(register), "--as", "worker1")
