"""A batch of cases read from an Excel workbook (issue 11): who uploaded which file, its rows as
parsed (kept server-side between the preview and the confirmation: the client never sends rows
back), and what the import did."""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column


class CaseImport(Model):
    __tablename__ = "case_import"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    # app.services.case_imports.BatchStatus: previewed → imported | failed; previewed → cancelled
    status: Mapped[str] = mapped_column(String(16), index=True)
    default_channel_id: Mapped[int | None] = mapped_column(ForeignKey("channel.id"))
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    valid_rows: Mapped[int] = mapped_column(Integer, default=0)
    error_rows: Mapped[int] = mapped_column(Integer, default=0)
    skipped_rows: Mapped[int] = mapped_column(Integer, default=0)
    imported_rows: Mapped[int] = mapped_column(Integer, default=0)
    # The one-time key of the confirm button: a second confirmation finds it spent.
    confirm_key: Mapped[str | None] = mapped_column(String(64))
    # JSON: the header's ignored columns and every row with its values, problems, outcome.
    rows_json: Mapped[str] = mapped_column(Text)
    message: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
