"""index on the finish deadline: lists sorted by 办结时限 read 20 rows, not every case in scope

Measured with `python -m bench generate --cases 300000` (PostgreSQL 15, 2 cores):

    EXPLAIN ANALYZE SELECT id, number FROM service_case ORDER BY finish_due LIMIT 20
    before: Gather Merge -> Sort (top-N heapsort) over a parallel Seq Scan   85.5 ms
    after:  Limit -> Index Scan using ix_case_finish_due                      0.24 ms

    ... WHERE branch_id IN (1,3,14,15) OR first_contact_id = 9 ORDER BY finish_due LIMIT 20
    before: Sort <- Bitmap Heap Scan <- BitmapOr (32,139 rows fetched)      144 ms
    after:  Index Scan using ix_case_finish_due, Filter (107 rows read)       0.21 ms

    ... ORDER BY finish_due DESC LIMIT 20 OFFSET 9980 (page 500)
    after:  Index Only Scan Backward using ix_case_finish_due                 2.0 ms

SQLite 3.40, same data: the company-wide sort becomes `SCAN service_case USING COVERING
INDEX ix_case_finish_due`; a branch's sort keeps its MULTI-INDEX OR and a temporary b-tree
(19 ms at 300,000 cases).

Revision ID: f1a5b6c7d8e9
Revises: e0f4a5b6c7d8
Create Date: 2026-11-28 23:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f1a5b6c7d8e9'
down_revision = 'e0f4a5b6c7d8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_case_finish_due', 'service_case', ['finish_due', 'id'])


def downgrade():
    op.drop_index('ix_case_finish_due', table_name='service_case')
