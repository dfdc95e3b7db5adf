"""photo holders: a second uploader of stored bytes may see and attach the photo

Revision ID: 5b7e2c9d1f30
Revises: 3c1d2e4f5a6b
Create Date: 2026-12-06 01:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "5b7e2c9d1f30"
down_revision: str | None = "3c1d2e4f5a6b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "photo_holder",
        sa.Column("photo_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["photo_sha256"], ["photo.sha256"]),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("photo_sha256", "user_id"),
    )
    with op.batch_alter_table("photo_holder", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_photo_holder_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("photo_holder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_photo_holder_user_id"))
    op.drop_table("photo_holder")
