"""journal immutability triggers, one reversal per entry, account mappings

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

Written by hand: the triggers are dialect-specific SQL that autogenerate cannot produce.

What the triggers enforce (on both SQLite and PostgreSQL), whatever code or person issues the SQL:
- a draft may only become ``approved`` or ``void``; approving needs approved_by/approved_at, a
  different user from the preparer (except for system-made reversals), and lines that balance
  exactly per currency;
- an approved/posted/reversed/void entry is frozen except two transitions: approved → posted
  (posting_reference, posted_at) and approved|posted → reversed (reversed_by_id, once);
- lines of a non-draft entry cannot be inserted, updated or deleted;
- non-draft entries and their lines cannot be deleted, except in a sandbox tenant (the sandbox
  reset wipes disposable test data; production ledgers are never deletable).
"""
from alembic import op
import sqlalchemy as sa
import backend.db.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# Columns of journal_entries as of this revision that no transition may change (SQLite needs them
# spelled out; the PostgreSQL trigger compares whole rows, so later columns are frozen there too).
FROZEN = ("id", "created_at", "tenant_id", "entity_id", "standard", "period", "entry_date", "currency", "event",
          "source_operation", "lease_id", "run_id", "close_id", "memo", "total_debit_minor", "dedupe_key",
          "prepared_by", "prepared_actor_kind", "request_id", "approved_by", "approved_at", "reversal_of_id")

IMMUTABLE = "journal_immutable: approved, posted, reversed and void journal entries cannot be changed"
SANDBOX = "EXISTS (SELECT 1 FROM tenants t WHERE t.id = {row}.tenant_id AND t.kind = 'sandbox')"
UNBALANCED = ("(NOT EXISTS (SELECT 1 FROM journal_lines l WHERE l.entry_id = NEW.id) OR EXISTS ("
              "SELECT 1 FROM journal_lines l WHERE l.entry_id = NEW.id GROUP BY l.currency "
              "HAVING SUM(l.debit_minor) <> SUM(l.credit_minor)))")

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER trg_journal_entries_draft_update BEFORE UPDATE ON journal_entries
    WHEN OLD.status = 'draft' AND NEW.status <> 'draft'
    BEGIN
      SELECT RAISE(ABORT, 'journal_transition: a draft can only become approved or void')
        WHERE NEW.status NOT IN ('approved', 'void');
      SELECT RAISE(ABORT, 'journal_four_eyes: approval needs an approver other than the preparer')
        WHERE NEW.status = 'approved' AND (NEW.approved_by IS NULL OR NEW.approved_at IS NULL
          OR (NEW.approved_by IS NEW.prepared_by AND NEW.reversal_of_id IS NULL));
      SELECT RAISE(ABORT, 'journal_unbalanced: lines must balance exactly per currency')
        WHERE NEW.status = 'approved' AND {UNBALANCED};
    END""",
    f"""CREATE TRIGGER trg_journal_entries_immutable BEFORE UPDATE ON journal_entries
    WHEN OLD.status <> 'draft' AND NOT (
      {' AND '.join(f'NEW.{c} IS OLD.{c}' for c in FROZEN)}
      AND (
        (OLD.status = 'approved' AND NEW.status = 'posted' AND NEW.posting_reference IS NOT NULL
          AND NEW.posted_at IS NOT NULL AND NEW.reversed_by_id IS OLD.reversed_by_id)
        OR (OLD.status IN ('approved', 'posted') AND NEW.status = 'reversed' AND OLD.reversed_by_id IS NULL
          AND NEW.reversed_by_id IS NOT NULL AND NEW.posting_reference IS OLD.posting_reference
          AND NEW.posted_at IS OLD.posted_at)))
    BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END""",
    f"""CREATE TRIGGER trg_journal_entries_no_delete BEFORE DELETE ON journal_entries
    WHEN OLD.status <> 'draft' AND NOT {SANDBOX.format(row='OLD')}
    BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END""",
    f"""CREATE TRIGGER trg_journal_lines_no_insert BEFORE INSERT ON journal_lines
    WHEN EXISTS (SELECT 1 FROM journal_entries e WHERE e.id = NEW.entry_id AND e.status <> 'draft')
    BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END""",
    f"""CREATE TRIGGER trg_journal_lines_no_update BEFORE UPDATE ON journal_lines
    WHEN EXISTS (SELECT 1 FROM journal_entries e WHERE e.id IN (OLD.entry_id, NEW.entry_id) AND e.status <> 'draft')
    BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END""",
    f"""CREATE TRIGGER trg_journal_lines_no_delete BEFORE DELETE ON journal_lines
    WHEN EXISTS (SELECT 1 FROM journal_entries e WHERE e.id = OLD.entry_id AND e.status <> 'draft')
      AND NOT {SANDBOX.format(row='OLD')}
    BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END""",
]
SQLITE_DROP = ["trg_journal_entries_draft_update", "trg_journal_entries_immutable", "trg_journal_entries_no_delete",
               "trg_journal_lines_no_insert", "trg_journal_lines_no_update", "trg_journal_lines_no_delete"]

# SQLSTATE 23514 (check_violation) so both databases surface a refusal as an IntegrityError.
PG_RAISE = "RAISE EXCEPTION '{msg}' USING ERRCODE = '23514'"
PG_FUNCTIONS = [
    f"""CREATE FUNCTION journal_entries_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE probe journal_entries;
    BEGIN
      IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' AND NOT {SANDBOX.format(row='OLD')} THEN
          {PG_RAISE.format(msg=IMMUTABLE)};
        END IF;
        RETURN OLD;
      END IF;
      IF OLD.status = 'draft' THEN
        IF NEW.status NOT IN ('draft', 'approved', 'void') THEN
          {PG_RAISE.format(msg='journal_transition: a draft can only become approved or void')};
        END IF;
        IF NEW.status = 'approved' THEN
          IF NEW.approved_by IS NULL OR NEW.approved_at IS NULL
             OR (NEW.approved_by IS NOT DISTINCT FROM NEW.prepared_by AND NEW.reversal_of_id IS NULL) THEN
            {PG_RAISE.format(msg='journal_four_eyes: approval needs an approver other than the preparer')};
          END IF;
          IF {UNBALANCED} THEN
            {PG_RAISE.format(msg='journal_unbalanced: lines must balance exactly per currency')};
          END IF;
        END IF;
        RETURN NEW;
      END IF;
      -- Frozen row: blank out the transition columns and every other column must be unchanged.
      probe := NEW;
      probe.status := OLD.status;
      probe.posting_reference := OLD.posting_reference;
      probe.posted_at := OLD.posted_at;
      probe.reversed_by_id := OLD.reversed_by_id;
      IF probe IS NOT DISTINCT FROM OLD THEN
        IF OLD.status = 'approved' AND NEW.status = 'posted' AND NEW.posting_reference IS NOT NULL
           AND NEW.posted_at IS NOT NULL AND NEW.reversed_by_id IS NOT DISTINCT FROM OLD.reversed_by_id THEN
          RETURN NEW;
        END IF;
        IF OLD.status IN ('approved', 'posted') AND NEW.status = 'reversed' AND OLD.reversed_by_id IS NULL
           AND NEW.reversed_by_id IS NOT NULL AND NEW.posting_reference IS NOT DISTINCT FROM OLD.posting_reference
           AND NEW.posted_at IS NOT DISTINCT FROM OLD.posted_at THEN
          RETURN NEW;
        END IF;
      END IF;
      {PG_RAISE.format(msg=IMMUTABLE)};
    END $$""",
    f"""CREATE FUNCTION journal_lines_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
          SELECT 1 FROM journal_entries e WHERE e.id = OLD.entry_id AND e.status <> 'draft')
         AND NOT (TG_OP = 'DELETE' AND {SANDBOX.format(row='OLD')}) THEN
        {PG_RAISE.format(msg=IMMUTABLE)};
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (
          SELECT 1 FROM journal_entries e WHERE e.id = NEW.entry_id AND e.status <> 'draft') THEN
        {PG_RAISE.format(msg=IMMUTABLE)};
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER trg_journal_entries_guard BEFORE UPDATE OR DELETE ON journal_entries
    FOR EACH ROW EXECUTE FUNCTION journal_entries_guard()""",
    """CREATE TRIGGER trg_journal_lines_guard BEFORE INSERT OR UPDATE OR DELETE ON journal_lines
    FOR EACH ROW EXECUTE FUNCTION journal_lines_guard()""",
]
PG_DROP = ["DROP TRIGGER IF EXISTS trg_journal_lines_guard ON journal_lines",
           "DROP TRIGGER IF EXISTS trg_journal_entries_guard ON journal_entries",
           "DROP FUNCTION IF EXISTS journal_lines_guard()", "DROP FUNCTION IF EXISTS journal_entries_guard()"]


def upgrade() -> None:
    op.create_table('account_mappings',
    sa.Column('entity_id', sa.String(length=26), nullable=False),
    sa.Column('accounts', sa.JSON(), nullable=False),
    sa.Column('dimensions', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=26), nullable=True),
    sa.Column('updated_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('created_at', backend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=26), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], name=op.f('fk_account_mappings_entity_id_entities')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_account_mappings_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_mappings')),
    sa.UniqueConstraint('tenant_id', 'entity_id', name=op.f('uq_account_mappings_tenant_id_entity_id'))
    )
    with op.batch_alter_table('account_mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_mappings_tenant_id'), ['tenant_id'], unique=False)

    op.create_index('uq_journal_entries_reversal_of_id', 'journal_entries', ['reversal_of_id'], unique=True,
                    sqlite_where=sa.text('reversal_of_id IS NOT NULL'),
                    postgresql_where=sa.text('reversal_of_id IS NOT NULL'))

    for sql in (PG_FUNCTIONS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS):
        op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for sql in PG_DROP:
            op.execute(sql)
    else:
        for name in SQLITE_DROP:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index('uq_journal_entries_reversal_of_id', table_name='journal_entries')
    with op.batch_alter_table('account_mappings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_mappings_tenant_id'))
    op.drop_table('account_mappings')
