"""entity aliases: other names lease registers use for an entity

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing entities get no aliases; the server default fills them in one statement.
    op.add_column('entities', sa.Column('aliases', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table('entities') as batch:  # SQLite drops a column by copying the table
        batch.drop_column('aliases')
