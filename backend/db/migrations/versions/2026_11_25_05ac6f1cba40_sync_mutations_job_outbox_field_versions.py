"""sync mutations, job outbox, field versions

Revision ID: 05ac6f1cba40
Revises: 6c3198a3889f
Create Date: 2026-11-25 12:57:13.123370
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '05ac6f1cba40'
down_revision: str | None = '6c3198a3889f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    counter = sa.table("sync_counter", sa.column("name", sa.String), sa.column("value", sa.Integer))
    op.bulk_insert(counter, [{"name": "audit", "value": 0}])
    op.create_table('job_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_outbox')),
    sa.UniqueConstraint('key', name=op.f('uq_job_outbox_key'))
    )
    with op.batch_alter_table('job_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_outbox_dispatched_at'), ['dispatched_at'], unique=False)

    op.create_table('sync_mutation',
    sa.Column('mutation_id', sa.Uuid(), nullable=False),
    sa.Column('batch_id', sa.Uuid(), nullable=False),
    sa.Column('device_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=True),
    sa.Column('error', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sync_mutation_user_id_user_account')),
    sa.PrimaryKeyConstraint('mutation_id', name=op.f('pk_sync_mutation'))
    )
    with op.batch_alter_table('sync_mutation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_mutation_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sync_mutation_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('field_versions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False, server_default='{}'))

    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.add_column(sa.Column('field_versions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False, server_default='{}'))

    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('field_versions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('photos_complete_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('field_versions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False, server_default='{}'))

    with op.batch_alter_table('rectification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('field_versions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False, server_default='{}'))



def downgrade() -> None:
    op.execute("DELETE FROM sync_counter WHERE name = 'audit'")
    with op.batch_alter_table('rectification', schema=None) as batch_op:
        batch_op.drop_column('field_versions')

    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_column('field_versions')

    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_column('photos_complete_at')
        batch_op.drop_column('field_versions')

    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_column('field_versions')

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('field_versions')

    with op.batch_alter_table('sync_mutation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_mutation_user_id'))
        batch_op.drop_index(batch_op.f('ix_sync_mutation_batch_id'))

    op.drop_table('sync_mutation')
    with op.batch_alter_table('job_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_outbox_dispatched_at'))

    op.drop_table('job_outbox')
