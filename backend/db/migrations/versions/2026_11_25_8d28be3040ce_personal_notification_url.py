"""personal notification url

Revision ID: 8d28be3040ce
Revises: 05ac6f1cba40
Create Date: 2026-11-25 13:17:07.617211
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '8d28be3040ce'
down_revision: str | None = '05ac6f1cba40'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.alter_column('channel',
               existing_type=sa.VARCHAR(length=32),
               type_=sqlmodel.sql.sqltypes.AutoString(length=64),
               existing_nullable=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default=''))



def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('notify_url')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.alter_column('channel',
               existing_type=sqlmodel.sql.sqltypes.AutoString(length=64),
               type_=sa.VARCHAR(length=32),
               existing_nullable=False)

