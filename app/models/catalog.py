"""Case master data: channel categories and channels (Art.6/7), content classes (Art.8),
kinds (Art.5) and business categories (Art.24 routing)."""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship


class ChannelCategory(Model):
    """公司渠道 / 政务渠道 / 网办渠道: the category drives the workflow (Art.13, Art.35)."""

    __tablename__ = "channel_category"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # A ChannelCategoryCode (app/domain/channels.py): fixed, never added to or edited.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    channels: Mapped[list[Channel]] = relationship(back_populates="category")

    def __str__(self) -> str:
        return self.name


class Channel(Model):
    """A concrete source channel (来源渠道) belonging to exactly one category (Art.7)."""

    __tablename__ = "channel"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("channel_category.id"), index=True)
    category: Mapped[ChannelCategory] = relationship(back_populates="channels")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    def __str__(self) -> str:
        return self.name


class ContentClass(Model):
    """诉求 / 赞誉 / 建议 / 客户投诉 (Art.8)."""

    __tablename__ = "content_class"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    def __str__(self) -> str:
        return self.name


class CaseKind(Model):
    """咨询, 业务办理, 投诉, 建议, 举报, 表扬 (Art.5), each filed under a content class (Art.8)."""

    __tablename__ = "case_kind"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    content_class_id: Mapped[int] = mapped_column(ForeignKey("content_class.id"), index=True)
    content_class: Mapped[ContentClass] = relationship()
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    def __str__(self) -> str:
        return self.name


class BusinessCategory(Model):
    """A gas-utility business line (报装, 缴费, 安检 …); drives routing inside a branch (Art.24)."""

    __tablename__ = "business_category"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    def __str__(self) -> str:
        return self.name
