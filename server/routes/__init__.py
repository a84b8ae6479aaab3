"""Every route handler the app mounts; each module is one resource."""

from server.routes.accounts import AuthController, MeController
from server.routes.config import client_config
from server.routes.conflicts import ConflictController
from server.routes.admin import AreaController, CaseController, ImportController
from server.routes.health import health
from server.routes.history import history
from server.routes.photos import PhotoController
from server.routes.sync import SyncController
from server.routes.reports import ReportController
from server.routes.uploads import UploadController
from server.routes.users import UserController

ROUTE_HANDLERS: list = [
    health,
    client_config,
    history,
    AuthController,
    MeController,
    UserController,
    ReportController,
    AreaController,
    CaseController,
    ImportController,
    UploadController,
    PhotoController,
    SyncController,
    ConflictController,
]
