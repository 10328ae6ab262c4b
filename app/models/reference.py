"""The version of the reference data every registration reads (issue 12)."""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column


class ReferenceVersion(Model):
    """One row, raised by every flush that writes a channel, channel category, kind, business
    category, time-limit rule or calendar day or year: each process keeps that data between
    registrations and reloads it when the number it reads moved
    (app.services.reference_data)."""

    __tablename__ = "reference_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    version: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
