"""The ledger's tables (SQLAlchemy 2 declarative, shared by SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Id = String(64)
Stamp = DateTime(timezone=True)
# BigInteger autoincrement is INTEGER PRIMARY KEY (the rowid) on SQLite, BIGSERIAL on PostgreSQL.
Seq = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


# --- areas and people -------------------------------------------------------


class Area(Base):
    """A node of the area tree: town > village or community > grid."""

    __tablename__ = "areas"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("areas.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(64), unique=True)
    boundary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(Stamp)


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(Stamp)


class UserArea(Base):
    __tablename__ = "user_areas"
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    area_id: Mapped[str] = mapped_column(ForeignKey("areas.id"), primary_key=True)


class Device(Base):
    """A signed-in device; only a hash of its token is kept."""

    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(Stamp)
    last_seen_at: Mapped[datetime] = mapped_column(Stamp)
    expires_at: Mapped[datetime] = mapped_column(Stamp)
    revoked_at: Mapped[datetime | None] = mapped_column(Stamp)


class LoginThrottle(Base):
    """Failed logins per key (``user:<name>`` or ``addr:<ip>``), shared by every server process."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[datetime] = mapped_column(Stamp)


# --- ledger records ---------------------------------------------------------


class RecordMixin:
    """Columns every synced record has (sync-protocol.md section 2)."""

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    area_id: Mapped[str | None] = mapped_column(ForeignKey("areas.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(Stamp)
    updated_at: Mapped[datetime] = mapped_column(Stamp)
    created_by: Mapped[str | None] = mapped_column(Id)
    updated_by: Mapped[str | None] = mapped_column(Id)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    conflicts: Mapped[int] = mapped_column(Integer, default=0)
    # field -> [version at which it last changed, device id that changed it]
    field_meta: Mapped[dict[str, Any]] = mapped_column(JSON)


class Household(RecordMixin, Base):
    __tablename__ = "households"
    address: Mapped[str] = mapped_column(Text)
    head_name: Mapped[str | None] = mapped_column(String(200))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)


class Visit(RecordMixin, Base):
    __tablename__ = "visits"
    household_id: Mapped[str] = mapped_column(Id, index=True)
    # RFC 3339 text as the device sent it, so the visit's local date is its first ten characters.
    visited_at: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str | None] = mapped_column(Text)
    concerns: Mapped[str | None] = mapped_column(Text)
    dispute_ids: Mapped[list[Any] | None] = mapped_column(JSON)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)


class Dispute(RecordMixin, Base):
    __tablename__ = "disputes"
    household_ids: Mapped[list[Any] | None] = mapped_column(JSON)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))
    risk: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    parties: Mapped[list[Any] | None] = mapped_column(JSON)
    office: Mapped[str | None] = mapped_column(String(200))
    assignee_id: Mapped[str | None] = mapped_column(Id)
    deadline: Mapped[date | None] = mapped_column(Date)
    followup_class: Mapped[int | None] = mapped_column(Integer)
    handling: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(Text)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    resolved_at: Mapped[datetime | None] = mapped_column(Stamp)


class Followup(RecordMixin, Base):
    __tablename__ = "followups"
    dispute_id: Mapped[str] = mapped_column(Id, index=True)
    due_on: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[str | None] = mapped_column(String(40))
    agreement_kept: Mapped[bool | None] = mapped_column(Boolean)
    notes: Mapped[str | None] = mapped_column(Text)


class Photo(RecordMixin, Base):
    """A photo's metadata record; its id is the SHA-256 of the bytes."""

    __tablename__ = "photos"
    record_collection: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(Id, index=True)
    kind: Mapped[str | None] = mapped_column(String(16))
    caption: Mapped[str | None] = mapped_column(Text)
    taken_at: Mapped[str | None] = mapped_column(String(40))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)


# --- photo bytes and uploads ------------------------------------------------


class PhotoBlob(Base):
    """Stored, cleaned bytes of a photo, by SHA-256 of what the client sent."""

    __tablename__ = "photo_blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    stored_size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(Stamp)


class Upload(Base):
    """A tus upload in progress; its bytes are in <data_dir>/uploads/<id>."""

    __tablename__ = "uploads"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    user_id: Mapped[str] = mapped_column(Id)
    device_id: Mapped[str] = mapped_column(Id)
    sha256: Mapped[str] = mapped_column(String(64))
    length: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(Stamp)
    expires_at: Mapped[datetime] = mapped_column(Stamp, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(Stamp)


# --- sync bookkeeping -------------------------------------------------------


class Mutation(Base):
    """Every mutation ever received, applied or not: the idempotency key and the field history."""

    __tablename__ = "mutations"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    device_id: Mapped[str | None] = mapped_column(Id)
    user_id: Mapped[str] = mapped_column(Id)
    collection: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(Id)
    op: Mapped[str] = mapped_column(String(8))
    base_version: Mapped[int | None] = mapped_column(Integer)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[str | None] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(Stamp)
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("ix_mutations_record", "collection", "record_id", "version"),)


class Conflict(Base):
    __tablename__ = "conflicts"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    collection: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(Id)
    area_id: Mapped[str | None] = mapped_column(Id, index=True)
    field: Mapped[str] = mapped_column(String(64))
    # The three values are any JSON value, null included (a field that was never set has base null).
    base: Mapped[Any] = mapped_column(JSON, nullable=True)
    server: Mapped[Any] = mapped_column(JSON, nullable=True)
    client: Mapped[Any] = mapped_column(JSON, nullable=True)
    mutation_id: Mapped[str] = mapped_column(Id)
    device_id: Mapped[str | None] = mapped_column(Id)
    user_id: Mapped[str] = mapped_column(Id)
    created_at: Mapped[datetime] = mapped_column(Stamp)
    status: Mapped[str] = mapped_column(String(16), index=True)
    resolved_by: Mapped[str | None] = mapped_column(Id)
    resolved_at: Mapped[datetime | None] = mapped_column(Stamp)
    resolved_value: Mapped[Any] = mapped_column(JSON, nullable=True)


class Change(Base):
    """The change feed: one row per applied change, read by pull in ``seq`` order."""

    __tablename__ = "changes"
    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    collection: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(Id)
    area_id: Mapped[str | None] = mapped_column(Id)
    # Set when the record moved: pull sends a `removed` marker to callers who saw it there.
    old_area_id: Mapped[str | None] = mapped_column(Id)
    version: Mapped[int] = mapped_column(Integer)
    # PostgreSQL transaction id (xid8 as text-free bigint); 0 on SQLite where writes are serial.
    txid: Mapped[int] = mapped_column(BigInteger, default=0)

    # Pull reads in (txid, seq) order behind the PostgreSQL fence (server/sync/feed.py).
    __table_args__ = (Index("ix_changes_txid_seq", "txid", "seq"),)


class AuditEntry(Base):
    """Who changed what, when and from which device."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(Stamp, index=True)
    user_id: Mapped[str | None] = mapped_column(Id)
    device_id: Mapped[str | None] = mapped_column(Id)
    action: Mapped[str] = mapped_column(String(32))
    collection: Mapped[str | None] = mapped_column(String(16))
    record_id: Mapped[str | None] = mapped_column(Id)
    version: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


COLLECTIONS: dict[str, type[RecordMixin]] = {
    "households": Household,
    "visits": Visit,
    "disputes": Dispute,
    "followups": Followup,
    "photos": Photo,
}
