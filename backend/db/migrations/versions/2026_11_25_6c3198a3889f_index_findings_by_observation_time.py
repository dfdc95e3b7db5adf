"""index findings by observation time

Revision ID: 6c3198a3889f
Revises: 72c06598c504
Create Date: 2026-11-25 12:50:02.354727
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '6c3198a3889f'
down_revision: str | None = '72c06598c504'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.create_index('ix_finding_park_live_observed', ['park_id', 'deleted_at', 'observed_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index('ix_finding_park_live_observed')

