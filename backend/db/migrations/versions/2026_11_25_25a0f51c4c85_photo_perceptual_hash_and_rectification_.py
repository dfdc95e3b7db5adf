"""photo perceptual hash and rectification verification

Revision ID: 25a0f51c4c85
Revises: 9208ecee55aa
Create Date: 2026-11-25 14:23:28.098899
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '25a0f51c4c85'
down_revision: str | None = '9208ecee55aa'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phash', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_photo_phash'), ['phash'], unique=False)

    with op.batch_alter_table('rectification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verification', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('rectification', schema=None) as batch_op:
        batch_op.drop_column('verification')

    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photo_phash'))
        batch_op.drop_column('phash')

