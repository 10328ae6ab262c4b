"""notification archive: read notifications leave the inbox after a configurable time, and the
inbox reads one page of a recipient's notifications off an index

ix_notification_recipient_created (recipient_id, created_at, id) serves the inbox, FAB's list
of 我的通知 (app/views/notifications.py, base_order created_at desc, FAB adds the id):

    SELECT … FROM notification WHERE recipient_id = :me
    ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET :n

Measured on a notification table of 600,000 rows, 150,000 of them one recipient's (CSD's share
at 1 M cases), 2 cores:

    SQLite 3.40, the heavy recipient's first page
    before: SEARCH USING INDEX ix_notification_recipient_read, TEMP B-TREE FOR ORDER BY  109 ms
    after:  SEARCH USING INDEX ix_notification_recipient_created, no sort               0.09 ms

    PostgreSQL 15, a recipient whose 30 notifications are months old
    before: Index Scan Backward using ix_notification_created_at, Filter removes
            599,400 rows                                                                96 ms
    after:  Index Scan Backward using ix_notification_recipient_created                0.07 ms

(PostgreSQL already read the heavy recipient's first page off ix_notification_created_at, its
rows being dense: 0.1 ms. Deep pages still read the rows before them, hence the archive.)

notification_archive holds the notifications read more than SUQIU_NOTIFICATION_ARCHIVE_DAYS
ago, moved there by `suqiu archive-notifications` (app/services/notification_archive.py) with
their id, which stays the primary key (no sequence of its own). Its index
(recipient_id, created_at) serves 已归档的通知, the recipient's archive newest first.

New table and index only: a database holding data keeps every row. The downgrade moves the
archived notifications back into notification before dropping the table, so none is lost.

Revision ID: b3c7d8e9f0a1
Revises: a2b6c7d8e9f0
Create Date: 2026-11-29 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3c7d8e9f0a1'
down_revision = 'a2b6c7d8e9f0'
branch_labels = None
depends_on = None

COLUMNS = 'id, recipient_id, category, title, body, link, created_at, read_at'


def upgrade():
    op.create_index(
        'ix_notification_recipient_created', 'notification', ['recipient_id', 'created_at', 'id']
    )
    op.create_table(
        'notification_archive',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=40), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=True),
        sa.Column('link', sa.String(length=255), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('read_at', sa.DateTime(), nullable=True),
        sa.Column('archived_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['recipient_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_notification_archive_recipient_created',
        'notification_archive',
        ['recipient_id', 'created_at'],
    )


def downgrade():
    # Back into the inbox first: a downgrade loses no notification.
    op.execute(
        f'INSERT INTO notification ({COLUMNS}) SELECT {COLUMNS} FROM notification_archive a '
        'WHERE NOT EXISTS (SELECT 1 FROM notification n WHERE n.id = a.id)'
    )
    op.drop_index('ix_notification_archive_recipient_created', table_name='notification_archive')
    op.drop_table('notification_archive')
    op.drop_index('ix_notification_recipient_created', table_name='notification')
