"""checklist items and regulation articles

Revision ID: 9208ecee55aa
Revises: 8d0bb400dfa7
Create Date: 2026-11-25 13:35:51.420483
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '9208ecee55aa'
down_revision: str | None = '8d0bb400dfa7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('checklist_item',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('field_versions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('category_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('method', sa.Text(), nullable=False),
    sa.Column('phrasings', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('major_criterion', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('references', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_item')),
    sa.UniqueConstraint('code', name=op.f('uq_checklist_item_code'))
    )
    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_item_version'), ['version'], unique=False)

    op.create_table('regulation_article',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('law', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('law_title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('doc_number', sa.Text(), nullable=False),
    sa.Column('document_status', sa.Text(), nullable=False),
    sa.Column('source', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('citation', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('penalty', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regulation_article')),
    sa.UniqueConstraint('law', 'number', name='uq_regulation_article_law_number')
    )
    with op.batch_alter_table('regulation_article', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_regulation_article_law'), ['law'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('regulation_article', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_regulation_article_law'))

    op.drop_table('regulation_article')
    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_item_version'))

    op.drop_table('checklist_item')
