"""dashboard date indexes: the KPI scorecard reads the cases with one of their dates in the
period through an index range per date, not every case

The scorecard (app.services.kpi_queries.tallies, grouped by unit) counts the cases whose
received, dispatched, sign-for deadline, finish deadline or closing time falls in the period:
an OR of five ranges. received_at and finish_due had indexes, the other three not, so neither
database could serve the OR from indexes. Measured with `python -m bench dashboards` at 1 M
cases (2 cores, a month: October 2026, 42,000 cases received):

    SQLite before: SCAN c USING INDEX ix_case_branch_status_due (all 1,000,000 cases, in unit
                   order for the GROUP BY)                                       5.6–7.1 s
    SQLite after:  MULTI-INDEX OR
                     SEARCH c USING INDEX ix_case_received (received_at>? AND received_at<?)
                     SEARCH c USING INDEX ix_case_dispatched (dispatched_at>? AND …<?)
                     SEARCH c USING INDEX ix_case_sign_due (sign_due>? AND sign_due<?)
                     SEARCH c USING INDEX ix_case_finish_due (finish_due>? AND …<?)
                     SEARCH c USING INDEX ix_case_closed (closed_at>? AND closed_at<?)
                   USE TEMP B-TREE FOR GROUP BY  (the key written ``+branch_id``:
                   app.services.sql_dates.unordered)                            ~1.0 s
    PostgreSQL before: Parallel Seq Scan on service_case, Filter (five ranges)    456 ms
    PostgreSQL after:  Parallel Bitmap Heap Scan on service_case
                         BitmapOr (ix_case_received, ix_case_dispatched, ix_case_sign_due,
                                   ix_case_finish_due, ix_case_closed)
                       Partial HashAggregate by branch_id                       161–238 ms

Revision ID: e2f6a7b8c9d0
Revises: e4b8c9d0e1f2
Create Date: 2026-11-29 04:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e2f6a7b8c9d0'
down_revision = 'e4b8c9d0e1f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_case_dispatched', 'service_case', ['dispatched_at'])
    op.create_index('ix_case_sign_due', 'service_case', ['sign_due'])
    op.create_index('ix_case_closed', 'service_case', ['closed_at'])


def downgrade():
    op.drop_index('ix_case_closed', table_name='service_case')
    op.drop_index('ix_case_sign_due', table_name='service_case')
    op.drop_index('ix_case_dispatched', table_name='service_case')
