"""Sign-in, sign-out, the caller's own profile, and devices."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from server.auth import Principal
from server.schemas import DeviceList, DeviceOut, LoginRequest, LoginResponse, MeResponse
from server.services import accounts


class AuthController(Controller):
    path = "/api/auth"
    tags = ["accounts"]

    @post("/login", status_code=200, exclude_from_auth=True, security=[])
    async def login(self, request: Request, state: State, data: JSONBody[LoginRequest]) -> LoginResponse:
        """Sign in and get a device token."""
        address = request.client.host if request.client else "unknown"
        result = await accounts.login(state.db, state.settings, data.username, data.password, data.device_name,
                                      address, data.device_id)
        return msgspec.convert(result, LoginResponse)

    @post("/logout", status_code=HTTP_204_NO_CONTENT)
    async def logout(self, request: Request[Principal, str, State], state: State) -> None:
        """End this device's token."""
        async with state.db.write() as session:
            await accounts.logout(session, request.user)


class MeController(Controller):
    path = "/api"
    tags = ["accounts"]

    @get("/me")
    async def me(self, request: Request[Principal, str, State], state: State) -> MeResponse:
        """The signed-in user, their role and their scope with the area tree."""
        async with state.db.read() as session:
            return msgspec.convert(await accounts.me(session, request.user), MeResponse)

    @get("/devices")
    async def devices(self, request: Request[Principal, str, State], state: State) -> DeviceList:
        """My devices (an admin sees every device)."""
        async with state.db.read() as session:
            rows = await accounts.list_devices(session, request.user)
        return DeviceList(msgspec.convert(rows, list[DeviceOut]))

    @delete("/devices/{device_id:str}", status_code=HTTP_204_NO_CONTENT)
    async def revoke(self, request: Request[Principal, str, State], state: State, device_id: FromPath[str]) -> None:
        """Revoke a device: its token stops working at once."""
        async with state.db.write() as session:
            await accounts.revoke_device(session, request.user, device_id)
