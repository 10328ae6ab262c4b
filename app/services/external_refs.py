"""The idempotency key of a case delivered by another system (Art.13): one case per (channel,
platform reference), whoever registered it first — by hand, by an Excel import or through the
API. The API's intake (app.services.api_intake) and the import (app.services.case_imports) both
ask here."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from app.models import Case

LOOKUP_CHUNK = 500
# Built once (an API delivery runs it on every call): the first case of each (channel,
# reference) among the references asked.
_FIRST_CASES = (
    select(Case.channel_id, Case.external_ref, func.min(Case.id))
    .where(Case.external_ref.in_(bindparam("refs", expanding=True)))
    .group_by(Case.channel_id, Case.external_ref)
)


def existing_case_id(session: Session, channel_id: int, external_ref: str) -> int | None:
    """The case already registered for this platform reference on this channel, if any: the
    idempotency key of a delivered case, shared in meaning with the API's intake."""
    return existing_case_ids(session, [(channel_id, external_ref)]).get((channel_id, external_ref))


def existing_case_ids(
    session: Session, keys: Iterable[tuple[int, str]]
) -> dict[tuple[int, str], int]:
    """``existing_case_id`` for many (channel, reference) pairs, LOOKUP_CHUNK references a
    query (a file of 10,000 rows reads them in 20 queries, not 10,000)."""
    wanted = set(keys)
    refs = sorted({ref for _, ref in wanted})
    found: dict[tuple[int, str], int] = {}
    for start in range(0, len(refs), LOOKUP_CHUNK):
        rows = session.execute(_FIRST_CASES, {"refs": refs[start : start + LOOKUP_CHUNK]})
        for channel, ref, case_id in rows:
            if ref is not None and (channel, ref) in wanted:
                found[(channel, ref)] = case_id
    return found
