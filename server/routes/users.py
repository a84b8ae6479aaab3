"""Users: admins create and change them; supervisors list the people in their scope."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from server import schemas
from server.schemas import NO_NUL, Ident
from server.auth import Principal, admins_only
from server.services import users

Username = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
Password = Annotated[str, msgspec.Meta(min_length=8, max_length=1024)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NO_NUL)]
Role = Annotated[str, msgspec.Meta(pattern=r"^(field_worker|mediator|supervisor|admin)$")]


class UserIn(msgspec.Struct, forbid_unknown_fields=True):
    username: Username
    role: Role
    password: Password
    area_ids: list[Ident] = []
    display_name: Name | None = None


class UserPatch(msgspec.Struct, forbid_unknown_fields=True):
    role: Role | None = None
    area_ids: list[Ident] | None = None
    display_name: Name | None = None
    password: Password | None = None
    disabled: bool | None = None


class UserOut(schemas.UserOut):
    disabled: bool


class UserList(msgspec.Struct):
    users: list[UserOut]


class UserController(Controller):
    path = "/api/users"
    tags = ["accounts"]

    @get("/")
    async def list_users(self, request: Request[Principal, str, State], state: State) -> UserList:
        """People working in my scope, e.g. to assign a case (admins: everyone)."""
        async with state.db.read() as session:
            return UserList(msgspec.convert(await users.list_users(session, request.user), list[UserOut]))

    @post("/", guards=[admins_only])
    async def create(self, state: State, data: JSONBody[UserIn]) -> UserOut:
        """Create a user with a role and assigned areas."""
        async with state.db.write() as session:
            out = await users.create_user(session, data.username, data.role, data.password, data.area_ids,
                                          data.display_name)
        return msgspec.convert(out, UserOut)

    @patch("/{user_id:str}", guards=[admins_only])
    async def update(self, state: State, user_id: FromPath[str], data: JSONBody[UserPatch]) -> UserOut:
        """Change a user's role, areas, name or password, or disable them."""
        async with state.db.write() as session:
            out = await users.update_user(session, user_id, role=data.role, area_ids=data.area_ids,
                                          display_name=data.display_name, password=data.password,
                                          disabled=data.disabled)
        return msgspec.convert(out, UserOut)
