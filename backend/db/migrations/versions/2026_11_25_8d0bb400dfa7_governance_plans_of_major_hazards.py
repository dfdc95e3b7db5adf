"""governance plans of major hazards

Revision ID: 8d0bb400dfa7
Revises: 8d28be3040ce
Create Date: 2026-11-25 13:30:39.278329
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '8d0bb400dfa7'
down_revision: str | None = '8d28be3040ce'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('governance_plan',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finding_id', sa.Uuid(), nullable=False),
    sa.Column('target_tasks', sa.Text(), nullable=False),
    sa.Column('methods', sa.Text(), nullable=False),
    sa.Column('funding_materials', sa.Text(), nullable=False),
    sa.Column('organization_personnel', sa.Text(), nullable=False),
    sa.Column('time_limit', sa.Text(), nullable=False),
    sa.Column('safety_and_emergency', sa.Text(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('submitted_by', sa.Uuid(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by', sa.Uuid(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_governance_plan_finding_id_finding')),
    sa.ForeignKeyConstraint(['reviewed_by'], ['user_account.id'], name=op.f('fk_governance_plan_reviewed_by_user_account')),
    sa.ForeignKeyConstraint(['submitted_by'], ['user_account.id'], name=op.f('fk_governance_plan_submitted_by_user_account')),
    sa.PrimaryKeyConstraint('finding_id', name=op.f('pk_governance_plan'))
    )


def downgrade() -> None:
    op.drop_table('governance_plan')
