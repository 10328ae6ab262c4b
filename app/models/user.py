"""FAB's user extended with the unit the person works in: the anchor of branch scoping."""

from __future__ import annotations

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import ForeignKey, Integer, String, event, inspect
from sqlalchemy.orm import InstanceState, Mapped, mapped_column, relationship

# FAB declares the e-mail NOT NULL; many of the utility's staff have none (migration e0f4a5b6c7d8).
User.__table__.c.email.nullable = True


class SuqiuUser(User):
    """Single-table extension of ``ab_user`` (FAB's extended-user pattern)."""

    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), index=True)
    branch = relationship("Branch", foreign_keys=[branch_id])
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    department = relationship("Department", foreign_keys=[department_id])
    mobile: Mapped[str | None] = mapped_column(String(40))
    # Copied into the signed session cookie and the API tokens at sign-in; a session or token
    # whose epoch differs is refused (issue 6 #18). Bumped by sign-out, password change and
    # deactivation, so each of them ends every session of the person, copied cookies included.
    session_epoch: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )

    def end_all_sessions(self) -> None:
        self.session_epoch = (self.session_epoch or 0) + 1

    @property
    def display_name(self) -> str:
        # Chinese names read family name first.
        return f"{self.last_name}{self.first_name}"

    def get_full_name(self) -> str:  # FAB's navbar and lists: "李娜", not "娜 李"
        return self.display_name

    def __str__(self) -> str:
        return self.display_name


@event.listens_for(SuqiuUser, "before_update")
def _credentials_changed_end_sessions(_mapper, _connection, user: SuqiuUser) -> None:
    """However a password is set or an account deactivated (web form, API, FAB command), the
    sessions and tokens issued before end with it."""
    state: InstanceState[SuqiuUser] = inspect(user)
    attrs = state.attrs
    changed = attrs.password.history.has_changes() or (
        attrs.active.history.has_changes() and not user.active
    )
    if changed and not attrs.session_epoch.history.has_changes():
        user.end_all_sessions()
