"""Settings come from an injected mapping; a bad value is an error that names the variable."""

from pathlib import Path

import pytest

from server.settings import DEFAULT_OFFICES, Settings, SettingsError


def test_defaults_use_sqlite_in_the_data_dir():
    s = Settings.from_env({})
    assert s.data_dir == Path("doorstep-data")
    assert s.db_url.startswith("sqlite+aiosqlite:///") and s.db_url.endswith("doorstep-data/doorstep.sqlite3")
    assert s.token_ttl_days == 30 and s.offices == DEFAULT_OFFICES


def test_values_are_parsed_from_the_mapping():
    s = Settings.from_env({"DOORSTEP_DATA_DIR": "/srv/d", "DOORSTEP_PORT": "9000",
                           "DOORSTEP_DATABASE_URL": "postgresql+asyncpg://u@h/db",
                           "DOORSTEP_RESOLUTION_TARGET": "0.95", "DOORSTEP_OFFICES": "labour=人社所; other=综治中心"})
    assert s.data_dir == Path("/srv/d") and s.port == 9000 and not s.is_sqlite
    assert s.resolution_target == 0.95
    assert s.offices["labour"] == "人社所" and s.offices["other"] == "综治中心"
    assert s.offices["neighbour"] == DEFAULT_OFFICES["neighbour"]


@pytest.mark.parametrize("name, value", [
    ("DOORSTEP_PORT", "eighty"),
    ("DOORSTEP_PORT", "0"),
    ("DOORSTEP_TOKEN_TTL_DAYS", "-1"),
    ("DOORSTEP_RESOLUTION_TARGET", "80"),
    ("DOORSTEP_DATABASE_URL", "mysql://x"),
    ("DOORSTEP_OFFICES", "kung_fu=dojo"),
    ("DOORSTEP_LOG_LEVEL", "LOUD"),
])
def test_a_bad_value_names_the_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_nothing_is_read_from_the_process_environment(monkeypatch):
    monkeypatch.setenv("DOORSTEP_PORT", "1234")
    assert Settings.from_env({}).port == 8000
