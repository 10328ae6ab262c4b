"""外部系统与接口令牌 (Art.13): the systems the portal works with, their API tokens (stored
hashed), the administrator's changes to them, and every call they make."""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.clock import now


class ApiClient(Model):
    """An external system (数字客服系统, 政务渠道 hand-over, 武天智慧政务服务平台 …). It acts
    through its service account (``user``): an inactive account without a usable password,
    named after the system, so the case timeline says which system did what."""

    __tablename__ = "api_client"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"))
    user = relationship("SuqiuUser", foreign_keys=[user_id])
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="client", order_by="ApiToken.id")

    def __str__(self) -> str:
        return self.name


class ApiToken(Model):
    """One API token: only its SHA-256 is stored; ``prefix`` identifies it in lists and logs.
    ``channels`` and ``operations`` are JSON lists (channel codes, app.domain.api_tokens
    Operation values)."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_client.id"), index=True)
    client: Mapped[ApiClient] = relationship(back_populates="tokens")
    label: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    channels: Mapped[str] = mapped_column(Text, default="[]")
    operations: Mapped[str] = mapped_column(Text, default="[]")
    rate_per_minute: Mapped[int] = mapped_column(Integer, default=600)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)


class ApiClientEvent(Model):
    """The administrator's changes to a system and its tokens (who, when, what)."""

    __tablename__ = "api_client_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_client.id"), index=True)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id"))
    action: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    actor = relationship("SuqiuUser", foreign_keys=[actor_id])
    at: Mapped[datetime] = mapped_column(DateTime, default=now)
    detail: Mapped[str | None] = mapped_column(Text)


class ApiCallLog(Model):
    """Every call to /api/v1 that named a token: system, token, what, answer."""

    __tablename__ = "api_call_log"
    __table_args__ = (Index("ix_api_call_log_client", "client_id", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("api_client.id"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id"))
    at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(200))
    status: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("service_case.id"))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
