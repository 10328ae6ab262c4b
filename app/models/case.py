"""服务诉求工单 and what hangs on it: the immutable event timeline (Art.13/31), extension
requests (Art.30) and the per-day counter behind readable case numbers."""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.clock import now
from app.domain.lifecycle import CaseStatus, ExtensionStatus
from app.models.catalog import BusinessCategory, CaseKind, Channel
from app.models.org import Branch, Department


class Case(Model):
    __tablename__ = "service_case"
    __table_args__ = (
        Index("ix_case_branch_status_due", "branch_id", "status", "finish_due"),
        Index("ix_case_status_due", "status", "finish_due"),
        Index("ix_case_received", "received_at"),
        # The KPI scorecard reads the cases with one of their dates in the period (issue 9).
        Index("ix_case_dispatched", "dispatched_at"),
        Index("ix_case_sign_due", "sign_due"),
        Index("ix_case_closed", "closed_at"),
        Index("ix_case_finish_due", "finish_due", "id"),  # lists sorted by 办结时限 (issue 12)
        # 我首接的诉求 and the scope's first-contact term, by status (issue 12)
        Index("ix_case_first_contact", "first_contact_id", "status", "finish_due"),
        # A 办理人's queues: the cases assigned to them, by status and deadline (issue 12)
        Index("ix_case_handler", "handler_id", "status", "finish_due"),
        # The sweep reads only the cases it has not flagged yet, not the overdue backlog.
        Index("ix_case_sweep_finish", "finish_overdue", "status", "finish_due"),
        Index("ix_case_sweep_sign", "sign_overdue", "status", "sign_due"),
        Index("ix_case_sweep_soon", "due_soon_notified", "status", "finish_due"),
        Index("uq_case_registration_key", "registration_key", unique=True),
        # 重复诉求 (issue 11): a customer's cases by number, account or address, newest first,
        # and a 主单's 关联单.
        Index("ix_case_phone_received", "customer_phone", "received_at"),
        Index("ix_case_account_received", "gas_account", "received_at"),
        Index("ix_case_address_received", "customer_address", "received_at"),
        Index("ix_case_primary", "primary_case_id"),
        # Art.13: a system's repeated delivery makes one case (app.services.api_intake).
        Index(
            "uq_case_api_channel_ref",
            "channel_id",
            "external_ref",
            unique=True,
            sqlite_where=text("api_client_id IS NOT NULL"),
            postgresql_where=text("api_client_id IS NOT NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id"))
    channel: Mapped[Channel] = relationship(lazy="joined")
    # A ChannelCategoryCode, copied from the channel at registration: it drives the workflow.
    channel_category_code: Mapped[str] = mapped_column(String(32))
    kind_id: Mapped[int] = mapped_column(ForeignKey("case_kind.id"))
    kind: Mapped[CaseKind] = relationship(lazy="joined")
    business_category_id: Mapped[int | None] = mapped_column(ForeignKey("business_category.id"))
    business_category: Mapped[BusinessCategory | None] = relationship(lazy="joined")
    customer_name: Mapped[str] = mapped_column(String(50))
    customer_phone: Mapped[str | None] = mapped_column(String(40))
    customer_address: Mapped[str | None] = mapped_column(String(200))
    gas_account: Mapped[str | None] = mapped_column(String(40))
    content: Mapped[str] = mapped_column(Text)
    external_ref: Mapped[str | None] = mapped_column(String(60), index=True)
    # The registration form's one-time key: a form submitted twice makes one case.
    registration_key: Mapped[str | None] = mapped_column(String(64))
    # The external system that delivered the case through /api/v1 (Art.13), if any.
    api_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_client.id"))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    media_involved: Mapped[bool] = mapped_column(Boolean, default=False)  # Art.29
    adverse_impact: Mapped[bool] = mapped_column(Boolean, default=False)  # Art.33
    major_interest: Mapped[bool] = mapped_column(Boolean, default=False)  # Art.34
    property_loss: Mapped[bool] = mapped_column(Boolean, default=False)  # Art.34
    casualties: Mapped[bool] = mapped_column(Boolean, default=False)  # Art.34

    status: Mapped[str] = mapped_column(String(30), default=CaseStatus.PENDING_DISPATCH)
    first_contact_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"))
    first_contact = relationship("SuqiuUser", foreign_keys=[first_contact_id], lazy="joined")
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    branch: Mapped[Branch | None] = relationship(lazy="joined")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    department: Mapped[Department | None] = relationship()
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    handler = relationship("SuqiuUser", foreign_keys=[handler_id])

    received_at: Mapped[datetime] = mapped_column(DateTime)
    sign_due: Mapped[datetime | None] = mapped_column(DateTime)
    finish_due: Mapped[datetime | None] = mapped_column(DateTime)  # negotiated or extended
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    negotiated_reason: Mapped[str | None] = mapped_column(Text)
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime)
    signed_at: Mapped[datetime | None] = mapped_column(DateTime)
    replied_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    result: Mapped[str | None] = mapped_column(Text)
    callback_result: Mapped[str | None] = mapped_column(String(30))
    rehandle_count: Mapped[int] = mapped_column(Integer, default=0)
    return_count: Mapped[int] = mapped_column(Integer, default=0)
    unreachable_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_unreachable_at: Mapped[datetime | None] = mapped_column(DateTime)  # Art.20 spacing
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    sign_overdue: Mapped[bool] = mapped_column(Boolean, default=False)  # set by the sweep
    finish_overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    due_soon_notified: Mapped[bool] = mapped_column(Boolean, default=False)
    # 重复诉求: the 主单 this case repeats (a 关联单), else None (app.domain.repeats).
    primary_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_case.id", name="fk_case_primary_case")
    )
    # Optimistic locking: two people acting on one case at once, exactly one wins (design §2).
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="save-update"
    )

    def __str__(self) -> str:
        return self.number

    @property
    def customer_card(self) -> tuple[str, int | None, str, str | None]:
        """What a list needs to decide how much of the customer it may show (举报)."""
        return (self.kind.code, self.first_contact_id, self.customer_name, self.customer_phone)


class CaseEvent(Model):
    """One immutable step of a case's timeline: who, when, what, before → after, note."""

    __tablename__ = "case_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("service_case.id"), index=True)
    case: Mapped[Case] = relationship(back_populates="events")
    action: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    actor = relationship("SuqiuUser", foreign_keys=[actor_id], lazy="joined")
    at: Mapped[datetime] = mapped_column(DateTime, default=now)
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)  # JSON of what changed


class ExtensionRequest(Model):
    """延期申请 (Art.30): asked by the branch before the deadline's day, decided by CSD."""

    __tablename__ = "extension_request"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("service_case.id"), index=True)
    case: Mapped[Case] = relationship()
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"))
    requested_by = relationship("SuqiuUser", foreign_keys=[requested_by_id])
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    reason: Mapped[str] = mapped_column(Text)
    old_due: Mapped[datetime] = mapped_column(DateTime)
    requested_due: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default=ExtensionStatus.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    decided_by = relationship("SuqiuUser", foreign_keys=[decided_by_id])
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)


class CaseNumberCounter(Model):
    """Last sequence number handed out per day (``SQ20261128`` → 1, 2, …)."""

    __tablename__ = "case_number_counter"
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Attachment(Model):
    """A file of a case (photo, PDF, recording): stored under a generated name, shown and
    downloaded under its original (Chinese) one."""

    __tablename__ = "attachment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("service_case.id"), index=True)
    case: Mapped[Case] = relationship()
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_event.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(255), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    uploaded_by = relationship("SuqiuUser", foreign_keys=[uploaded_by_id])
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class SpotCheck(Model):
    """抽查回访 (Art.35): CSD's random sample of the 政务/网办 cases closed in a period."""

    __tablename__ = "spot_check"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_start: Mapped[datetime] = mapped_column(DateTime)
    period_end: Mapped[datetime] = mapped_column(DateTime)
    rate_bp: Mapped[int] = mapped_column(Integer)  # basis points: 1000 = 10 %
    seed: Mapped[str] = mapped_column(String(64))
    population: Mapped[int] = mapped_column(Integer)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    drawn_by = relationship("SuqiuUser", foreign_keys=[drawn_by_id])
    drawn_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    items: Mapped[list[SpotCheckItem]] = relationship(
        back_populates="spot_check", order_by="SpotCheckItem.id"
    )


class SpotCheckItem(Model):
    __tablename__ = "spot_check_item"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spot_check_id: Mapped[int] = mapped_column(ForeignKey("spot_check.id"), index=True)
    spot_check: Mapped[SpotCheck] = relationship(back_populates="items")
    case_id: Mapped[int] = mapped_column(ForeignKey("service_case.id"), index=True)
    case: Mapped[Case] = relationship(lazy="joined")
    result: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
