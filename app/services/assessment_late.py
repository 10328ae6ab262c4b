"""Art.41: an entry of the register confirmed for a year whose assessment is already finalised
(a December complaint approved in January) is not refused; the finalised assessment's page shows
it (assessment_figures.counted_after_finalisation) and the committee and CSD hear of it once, in
the transaction that confirms it — a second instance confirming the same entry is refused (its
version or its dedupe key), so it sends nothing."""

from __future__ import annotations

from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import assessments as rules
from app.domain.i18n import _l
from app.domain.roles import COMMITTEE, CSD_ROLE_NAMES
from app.domain.violations import EntryStatus
from app.models import Assessment, Branch, SuqiuUser, ViolationEntry
from app.services.notifications import send

CATEGORY = "assessment"


def assessment_link(year: int) -> str:
    return f"/assessments/{year}"


def notify_if_after_finalisation(session: Session, entry: ViolationEntry) -> bool:
    """Tell the committee and CSD, once, that ``entry`` was confirmed for a year already
    finalised; True when it was."""
    year = entry.occurred_on.year
    found = session.scalar(
        select(Assessment).where(
            Assessment.year == year, Assessment.status == rules.AssessmentStatus.FINALISED.value
        )
    )
    if found is None or not rules.counts_after_finalisation(
        status=EntryStatus(entry.status),
        occurred_on=entry.occurred_on,
        decided_at=entry.decided_at,
        year=year,
        finalised_at=found.finalised_at,
    ):
        return False
    unit = session.get(Branch, entry.branch_id)
    recipients = session.scalars(
        select(SuqiuUser.id).where(
            SuqiuUser.active.is_(True),
            SuqiuUser.roles.any(Role.name.in_({COMMITTEE.name, *CSD_ROLE_NAMES})),
        )
    )
    send(
        session,
        sorted(set(recipients)),
        category=CATEGORY,
        title=str(
            _l(
                "A deduction of %(unit)s was confirmed for %(year)d after that year's assessment "
                "was finalised; the committee may reopen the year to count it.",
                unit=unit.name if unit else "",
                year=year,
            )
        ),
        link=assessment_link(year),
    )
    return True
