"""ledger sources: journal entries and closes carry source_type + source_id instead of a lease id

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

Written by hand: the SQLite immutability trigger names the frozen columns, so it is recreated with
the new ones; the PostgreSQL trigger compares whole rows and needs no change. Existing entries all
come from leases (their reversals copy the lease id), so source_type is 'lease' for them, and
'manual' for any entry without a source. Down moves lease sources back to lease_id; an entry of
another source would have no place there, so the downgrade refuses while any exists.
"""
from alembic import op
import sqlalchemy as sa

from backend.db import journal_triggers as jt


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS trg_journal_entries_immutable")
    else:
        op.execute("ALTER TABLE journal_entries DISABLE TRIGGER trg_journal_entries_guard")
    op.drop_index('ix_journal_entries_lease_id', table_name='journal_entries')
    op.execute("ALTER TABLE journal_entries RENAME COLUMN lease_id TO source_id")
    op.add_column('journal_entries', sa.Column('source_type', sa.String(length=20), nullable=False,
                                               server_default='lease'))
    op.execute("UPDATE journal_entries SET source_type = 'manual' WHERE source_id IS NULL")
    op.create_index('ix_journal_entries_source_id', 'journal_entries', ['source_id'], unique=False)
    op.add_column('close_runs', sa.Column('source_type', sa.String(length=20), nullable=False,
                                          server_default='lease'))
    if sqlite:
        op.execute(jt.sqlite_immutable_trigger(jt.FROZEN_0007))
    else:
        op.execute("ALTER TABLE journal_entries ENABLE TRIGGER trg_journal_entries_guard")


def downgrade() -> None:
    bind = op.get_bind()
    others = bind.execute(sa.text("SELECT COUNT(*) FROM journal_entries WHERE source_type NOT IN ('lease', 'manual')"))
    if others.scalar():
        raise RuntimeError("journal entries of other sources (revenue) exist; they cannot be kept below 0007")
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS trg_journal_entries_immutable")
    else:
        op.execute("ALTER TABLE journal_entries DISABLE TRIGGER trg_journal_entries_guard")
    with op.batch_alter_table('close_runs', schema=None) as batch_op:
        batch_op.drop_column('source_type')
    op.drop_index('ix_journal_entries_source_id', table_name='journal_entries')
    if sqlite:
        op.execute("ALTER TABLE journal_entries DROP COLUMN source_type")
    else:
        op.drop_column('journal_entries', 'source_type')
    op.execute("ALTER TABLE journal_entries RENAME COLUMN source_id TO lease_id")
    op.create_index('ix_journal_entries_lease_id', 'journal_entries', ['lease_id'], unique=False)
    if sqlite:
        op.execute(jt.sqlite_immutable_trigger(jt.FROZEN_0004))
    else:
        op.execute("ALTER TABLE journal_entries ENABLE TRIGGER trg_journal_entries_guard")
