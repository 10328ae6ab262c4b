"""queue and sweep indexes: a queue's count and page, the first-contact part of a branch's
scope and the overdue sweep each read the rows they need, not the unit's or the backlog's

Measured with `python -m bench generate --cases 1000000` (PostgreSQL 15, 2 cores), with the
queue terms distributed over the scope's terms (Scope.arms):

    liaison_hankou's 已超期 count, capped at 1,000:
      (branch_id IN (…) AND status IN (…) AND finish_due < now) OR … OR
      (first_contact_id = 9 AND status IN (…) AND finish_due < now) OR …
    before: BitmapOr; each first-contact term a BitmapAnd of ix_service_case_first_contact_id
            (1,243 rows) and ix_case_status_due (55,570 rows)                      11.4 ms
    after:  BitmapOr of Bitmap Index Scans on ix_case_branch_status_due and
            ix_case_first_contact, every condition an Index Cond                    see README

    我首接的诉求 of csd: first_contact_id = 2 AND status IN (open) LIMIT 1001
    before: Bitmap Heap Scan on ix_service_case_first_contact_id, Filter removes
            the closed cases                                                      18.9 ms
    after:  Index Scan using ix_case_first_contact (first_contact_id, status)

    The sweep: UPDATE … WHERE status IN (open) AND finish_due < now AND NOT finish_overdue
    before: Bitmap Heap Scan on ix_case_status_due: every overdue case (62,000), Filter on
            the flag                                                               178 ms
    after:  Index Scan using ix_case_sweep_finish (finish_overdue, status, finish_due):
            only the cases not yet flagged, so the cost follows the new work

ix_case_first_contact replaces ix_service_case_first_contact_id, its prefix.

Revision ID: a2b6c7d8e9f0
Revises: f1a5b6c7d8e9
Create Date: 2026-11-29 01:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a2b6c7d8e9f0'
down_revision = 'f1a5b6c7d8e9'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_case_first_contact': ['first_contact_id', 'status', 'finish_due'],
    'ix_case_sweep_finish': ['finish_overdue', 'status', 'finish_due'],
    'ix_case_sweep_sign': ['sign_overdue', 'status', 'sign_due'],
    'ix_case_sweep_soon': ['due_soon_notified', 'status', 'finish_due'],
}


def upgrade():
    for name, columns in INDEXES.items():
        op.create_index(name, 'service_case', columns)
    op.drop_index('ix_service_case_first_contact_id', table_name='service_case')


def downgrade():
    op.create_index(
        'ix_service_case_first_contact_id', 'service_case', ['first_contact_id'], unique=False
    )
    for name in INDEXES:
        op.drop_index(name, table_name='service_case')
