"""lease failures: a confirmed lease keeps its last failed run (the DLQ); job status completed_with_failures

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('leases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recognition_failure', sa.JSON(), nullable=True))
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=12), type_=sa.String(length=24),
                              existing_nullable=False)


def downgrade() -> None:
    op.execute("UPDATE jobs SET status = 'succeeded' WHERE status = 'completed_with_failures'")
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=24), type_=sa.String(length=12),
                              existing_nullable=False)
    with op.batch_alter_table('leases', schema=None) as batch_op:
        batch_op.drop_column('recognition_failure')
