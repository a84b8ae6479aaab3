"""Generated requests from the app's own OpenAPI schema, with a real token: no input gets a 5xx."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from server.app import create_app
from server.settings import Settings
from tests.conftest import BACKENDS
from tests.live import live_server, token_for

pytestmark = pytest.mark.slow

# The schema is the app's own; building the app touches no database.
SCHEMA = schemathesis.openapi.from_dict(
    create_app(Settings.from_env({}, data_dir=Path("unused"))).openapi_schema.to_schema()
)
# Signing out would end the token the rest of the run uses; logout has its own tests.
OPERATIONS = {op.label: op for op in (r.ok() for r in SCHEMA.get_all_operations()) if op.path != "/api/auth/logout"}


@pytest.fixture(scope="module", params=BACKENDS)
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("live")
    if request.param == "sqlite":
        shutil.copy(request.getfixturevalue("sqlite_template"), Path(data_dir) / "doorstep.sqlite3")
        settings = Settings.from_env({}, data_dir=data_dir)
    else:
        settings = Settings.from_env({}, data_dir=data_dir, database_url=request.getfixturevalue("pg_database_url"))
    with live_server(settings) as base_url:
        yield base_url, token_for(base_url, "admin")


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_server_error_on_any_generated_input(label, live):
    base_url, token = live
    operation = OPERATIONS[label]

    @given(data=st.data())
    @hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(data):
        mode = data.draw(st.sampled_from(list(schemathesis.GenerationMode)))
        case = data.draw(operation.as_strategy(mode))
        response = case.call(base_url=base_url, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text}"
        # A HEAD answer has no body to check.
        if response.status_code >= 400 and case.path.startswith("/api/") and case.method != "HEAD":
            body = response.json()
            assert body["status_code"] == response.status_code and body["detail"]

    run()
