"""security: idempotency keys scoped per user; a token's actor kind fixed when minted

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Stored replays are a 24 h cache: dropping them is safe and avoids guessing their owner.
    op.execute("DELETE FROM idempotency_records")
    with op.batch_alter_table('idempotency_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.String(length=26), nullable=False))
        batch_op.drop_constraint('uq_idempotency_records_tenant_id_endpoint_key', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_idempotency_records_tenant_id_user_id_endpoint_key'),
                                          ['tenant_id', 'user_id', 'endpoint', 'key'])
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_kind', sa.String(length=8), server_default='human', nullable=False))
    # Existing tokens take their user's kind as it is now.
    op.execute("UPDATE api_tokens SET actor_kind = (SELECT users.actor_kind FROM users "
               "WHERE users.id = api_tokens.user_id)")


def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('actor_kind')
    op.execute("DELETE FROM idempotency_records")
    with op.batch_alter_table('idempotency_records', schema=None) as batch_op:
        batch_op.drop_constraint('uq_idempotency_records_tenant_id_user_id_endpoint_key', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_idempotency_records_tenant_id_endpoint_key'),
                                          ['tenant_id', 'endpoint', 'key'])
        batch_op.drop_column('user_id')
