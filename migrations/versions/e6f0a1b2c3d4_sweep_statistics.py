"""sweep statistics: PostgreSQL learns that open cases past their deadline are already
flagged, and reads the sweep's few unflagged cases off the sweep indexes

Without them the planner multiplies "not flagged" (true of 90 % of all cases, the closed ones)
by "open" and "past the deadline", expects 63,000 rows, and reads the whole overdue backlog
through ix_case_status_due, filtering the flag (1 M cases: 143 ms warm, 11.9 s cold for the
UPDATE). With the combined statistics of status and each flag (CREATE STATISTICS … (mcv)):

    UPDATE service_case SET finish_overdue = true
    WHERE status IN (open) AND finish_due < now AND finish_overdue IS false
    before: Bitmap Index Scan on ix_case_status_due (60,256 rows), Filter on the flag  143 ms
    after:  Bitmap Index Scan on ix_case_sweep_finish, Index Cond (finish_overdue = false
            AND status IN (…) AND finish_due < now): only the unflagged                 0.05 ms

SQLite's planner already takes the indexes (its ANALYZE samples the leading columns
together); extended statistics exist only on PostgreSQL.

Revision ID: e6f0a1b2c3d4
Revises: d5e9f0a1b2c3
Create Date: 2026-11-29 01:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e6f0a1b2c3d4'
down_revision = 'd5e9f0a1b2c3'
branch_labels = None
depends_on = None

STATISTICS = {
    'st_case_sweep_finish': 'finish_overdue',
    'st_case_sweep_sign': 'sign_overdue',
    'st_case_sweep_soon': 'due_soon_notified',
}


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name, flag in STATISTICS.items():
        op.execute(f'CREATE STATISTICS {name} (mcv) ON status, {flag} FROM service_case')
    op.execute('ANALYZE service_case')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name in STATISTICS:
        op.execute(f'DROP STATISTICS IF EXISTS {name}')
