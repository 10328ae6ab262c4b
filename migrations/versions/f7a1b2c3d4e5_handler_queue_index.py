"""handler queue index: a 办理人's 待我办理 and 已超期 read the cases assigned to them by status and
deadline, not every open case of their unit

Measured with `python -m bench` at 10 M cases (PostgreSQL 15, 2 cores; the bench keeps 9.6 %
of all cases open, so a unit has ~160,000 open cases): handler_hankou's queues are
(branch_id IN (…) AND status IN (in_progress, rehandling) AND handler_id = 9) OR …

    before: Bitmap Index Scan on ix_case_branch_status_due (every open case of the unit in
            those statuses), Filter handler_id                     待我办理 202 ms, 已超期 158 ms
    after:  Index Scan using ix_case_handler (handler_id, status, finish_due): the handler's
            11,707 open cases of 86,473, in deadline order               see README

ix_case_handler replaces ix_service_case_handler_id, its prefix.

Revision ID: f7a1b2c3d4e5
Revises: e6f0a1b2c3d4
Create Date: 2026-11-29 01:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f7a1b2c3d4e5'
down_revision = 'e6f0a1b2c3d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_case_handler', 'service_case', ['handler_id', 'status', 'finish_due'])
    op.drop_index('ix_service_case_handler_id', table_name='service_case')


def downgrade():
    op.create_index('ix_service_case_handler_id', 'service_case', ['handler_id'], unique=False)
    op.drop_index('ix_case_handler', table_name='service_case')
