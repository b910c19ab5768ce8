"""disclosures: auditor narrative overrides (versioned) and packs stored for locked periods

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa
import backend.db.types


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def _common() -> list:
    return [sa.Column('id', sa.String(length=26), nullable=False),
            sa.Column('created_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
            sa.Column('tenant_id', sa.String(length=26), nullable=False)]


def upgrade() -> None:
    op.create_table('disclosure_narrative_overrides',
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('entity_id', sa.String(length=26), nullable=False),
    sa.Column('standard', sa.String(length=10), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('section', sa.String(length=60), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_by', sa.String(length=26), nullable=True),
    sa.Column('actor_kind', sa.String(length=10), nullable=True),
    *_common(),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'],
                            name=op.f('fk_disclosure_narrative_overrides_entity_id_entities')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                            name=op.f('fk_disclosure_narrative_overrides_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_narrative_overrides')),
    sa.UniqueConstraint('tenant_id', 'source', 'entity_id', 'standard', 'period', 'section', 'version',
                        name='uq_disclosure_overrides_version')
    )
    with op.batch_alter_table('disclosure_narrative_overrides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosure_narrative_overrides_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_disclosure_overrides_lookup',
                              ['tenant_id', 'source', 'entity_id', 'standard', 'period'], unique=False)

    op.create_table('disclosure_packs',
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('entity_id', sa.String(length=26), nullable=False),
    sa.Column('standard', sa.String(length=10), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=26), nullable=True),
    *_common(),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], name=op.f('fk_disclosure_packs_entity_id_entities')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_disclosure_packs_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_packs')),
    sa.UniqueConstraint('tenant_id', 'source', 'entity_id', 'standard', 'period', name='uq_disclosure_packs_key')
    )
    with op.batch_alter_table('disclosure_packs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosure_packs_tenant_id'), ['tenant_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('disclosure_packs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosure_packs_tenant_id'))
    op.drop_table('disclosure_packs')
    with op.batch_alter_table('disclosure_narrative_overrides', schema=None) as batch_op:
        batch_op.drop_index('ix_disclosure_overrides_lookup')
        batch_op.drop_index(batch_op.f('ix_disclosure_narrative_overrides_tenant_id'))
    op.drop_table('disclosure_narrative_overrides')
