"""create every table

Revision ID: 0001
Revises: 
Create Date: 2026-11-29 04:36:42.403877
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # generated from sna.models by `alembic revision --autogenerate`, then reviewed
    op.create_table('decision_maker',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('institution', sa.String(length=200), nullable=False),
    sa.Column('target_type', sa.String(length=30), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('area_code', sa.String(length=6), nullable=True),
    sa.Column('influence', sa.Integer(), nullable=False),
    sa.Column('interest', sa.Integer(), nullable=False),
    sa.Column('stance', sa.String(length=10), nullable=False),
    sa.Column('private_notes', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('updated_by', sa.String(length=80), nullable=True),
    sa.CheckConstraint("level IN ('national', 'regional', 'local')", name=op.f('ck_decision_maker_level')),
    sa.CheckConstraint("stance IN ('champion', 'ally', 'undecided', 'opponent', 'unknown')", name=op.f('ck_decision_maker_stance')),
    sa.CheckConstraint("target_type IN ('government', 'ministry', 'parliament', 'human_rights_body', 'regional_council', 'territorial_administration', 'communal_council', 'deconcentrated_service', 'public_agency', 'international_org', 'media', 'private_sector', 'civil_society')", name=op.f('ck_decision_maker_target_type')),
    sa.CheckConstraint('influence BETWEEN 1 AND 5', name=op.f('ck_decision_maker_influence')),
    sa.CheckConstraint('interest BETWEEN 1 AND 5', name=op.f('ck_decision_maker_interest')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_maker')),
    sa.UniqueConstraint('ref', name=op.f('uq_decision_maker_ref'))
    )
    op.create_table('import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('user_name', sa.String(length=80), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('rows_new', sa.Integer(), nullable=False),
    sa.Column('rows_changed', sa.Integer(), nullable=False),
    sa.Column('rows_unchanged', sa.Integer(), nullable=False),
    sa.Column('reverted_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('observations', 'actions', 'decision_makers', 'census', 'demo', 'restore')", name=op.f('ck_import_batch_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch'))
    )
    op.create_table('meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_meta'))
    )
    op.create_table('milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=20), nullable=False),
    sa.Column('title_fr', sa.Text(), nullable=False),
    sa.Column('title_en', sa.Text(), nullable=False),
    sa.Column('title_ar', sa.Text(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.CheckConstraint("status IN ('planned', 'in_progress', 'done', 'postponed', 'cancelled')", name=op.f('ck_milestone_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone')),
    sa.UniqueConstraint('ref', name=op.f('uq_milestone_ref'))
    )
    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('is_lead', sa.Boolean(), nullable=False),
    sa.CheckConstraint("type IN ('international_ngo', 'national_ngo', 'association', 'network', 'research', 'union', 'other')", name=op.f('ck_organisation_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
    sa.UniqueConstraint('name', name=op.f('uq_organisation_name'))
    )
    op.create_table('outcome',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=20), nullable=False),
    sa.Column('date_observed', sa.Date(), nullable=False),
    sa.Column('social_actor', sa.Text(), nullable=False),
    sa.Column('outcome_type', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('significance', sa.Text(), nullable=False),
    sa.Column('contribution', sa.Text(), nullable=False),
    sa.Column('verification', sa.String(length=12), nullable=False),
    sa.Column('verifier', sa.String(length=160), nullable=True),
    sa.CheckConstraint("outcome_type IN ('agenda', 'policy', 'practice', 'relationship', 'discourse')", name=op.f('ck_outcome_outcome_type')),
    sa.CheckConstraint("verification IN ('unverified', 'verified', 'disputed')", name=op.f('ck_outcome_verification')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome')),
    sa.UniqueConstraint('ref', name=op.f('uq_outcome_ref'))
    )
    op.create_table('region',
    sa.Column('code', sa.String(length=2), nullable=False),
    sa.Column('name_fr', sa.String(length=120), nullable=False),
    sa.Column('name_ar', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('population_2024', sa.Integer(), nullable=True),
    sa.CheckConstraint('length(code) = 2', name=op.f('ck_region_code_format')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_region'))
    )
    op.create_table('sector',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.CheckConstraint("code IN ('health', 'education', 'justice', 'housing', 'cross_cutting')", name=op.f('ck_sector_code')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_sector'))
    )
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.CheckConstraint("role IN ('viewer', 'editor', 'admin')", name=op.f('ck_app_user_role')),
    sa.CheckConstraint('failed_logins >= 0', name=op.f('ck_app_user_failed_logins')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_app_user_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('name', name=op.f('uq_app_user_name'))
    )
    op.create_table('change_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('row_id', sa.String(length=40), nullable=True),
    sa.Column('field', sa.String(length=60), nullable=True),
    sa.Column('old', sa.Text(), nullable=True),
    sa.Column('new', sa.Text(), nullable=True),
    sa.Column('user_name', sa.String(length=80), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_change_log_batch_id_import_batch')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_log'))
    )
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_log_at'), ['at'], unique=False)
        batch_op.create_index('ix_change_log_table_row', ['table_name', 'row_id'], unique=False)

    op.create_table('decision_maker_sector',
    sa.Column('decision_maker_id', sa.Integer(), nullable=False),
    sa.Column('sector', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['decision_maker_id'], ['decision_maker.id'], name=op.f('fk_decision_maker_sector_decision_maker_id_decision_maker'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sector'], ['sector.code'], name=op.f('fk_decision_maker_sector_sector_sector')),
    sa.PrimaryKeyConstraint('decision_maker_id', 'sector', name=op.f('pk_decision_maker_sector'))
    )
    op.create_table('indicator',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('sector', sa.String(length=20), nullable=False),
    sa.Column('name_fr', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=False),
    sa.Column('name_ar', sa.Text(), nullable=False),
    sa.Column('unit', sa.String(length=30), nullable=False),
    sa.Column('direction', sa.String(length=20), nullable=False),
    sa.Column('definition_fr', sa.Text(), nullable=False),
    sa.Column('definition_en', sa.Text(), nullable=False),
    sa.Column('definition_ar', sa.Text(), nullable=False),
    sa.Column('method', sa.Text(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('hxl_tag', sa.String(length=120), nullable=False),
    sa.Column('valid_min', sa.Float(), nullable=False),
    sa.Column('valid_max', sa.Float(), nullable=False),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('gap_best', sa.Float(), nullable=False),
    sa.Column('gap_worst', sa.Float(), nullable=False),
    sa.Column('compares_groups', sa.Boolean(), nullable=False),
    sa.CheckConstraint("direction IN ('higher_is_better', 'lower_is_better', 'context')", name=op.f('ck_indicator_direction')),
    sa.CheckConstraint('gap_best < gap_worst', name=op.f('ck_indicator_goalposts')),
    sa.CheckConstraint('valid_min <= valid_max', name=op.f('ck_indicator_valid_range')),
    sa.ForeignKeyConstraint(['sector'], ['sector.code'], name=op.f('fk_indicator_sector_sector')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_indicator'))
    )
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_sector'), ['sector'], unique=False)

    op.create_table('influence_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=20), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('ask', sa.Text(), nullable=False),
    sa.Column('sector', sa.String(length=20), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('area_code', sa.String(length=6), nullable=True),
    sa.Column('lead_organisation_id', sa.Integer(), nullable=True),
    sa.Column('action_type', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('policy_stage', sa.String(length=20), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('done_date', sa.Date(), nullable=True),
    sa.Column('next_step', sa.Text(), nullable=True),
    sa.Column('evidence_url', sa.Text(), nullable=True),
    sa.Column('is_sensitive', sa.Boolean(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('updated_by', sa.String(length=80), nullable=True),
    sa.CheckConstraint("action_type IN ('position_paper', 'policy_brief', 'study', 'open_letter', 'bilateral_meeting', 'hearing', 'consultation', 'field_visit', 'workshop', 'training', 'public_campaign', 'media', 'digital', 'litigation')", name=op.f('ck_influence_action_action_type')),
    sa.CheckConstraint("level IN ('national', 'regional', 'local')", name=op.f('ck_influence_action_level')),
    sa.CheckConstraint("policy_stage IN ('agenda_setting', 'formulation', 'adoption', 'implementation', 'monitoring')", name=op.f('ck_influence_action_policy_stage')),
    sa.CheckConstraint("sector IN ('health', 'education', 'justice', 'housing', 'cross_cutting')", name=op.f('ck_influence_action_sector')),
    sa.CheckConstraint("status IN ('planned', 'in_progress', 'done', 'postponed', 'cancelled')", name=op.f('ck_influence_action_status')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_influence_action_version')),
    sa.ForeignKeyConstraint(['lead_organisation_id'], ['organisation.id'], name=op.f('fk_influence_action_lead_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_influence_action')),
    sa.UniqueConstraint('ref', name=op.f('uq_influence_action_ref'))
    )
    with op.batch_alter_table('influence_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_influence_action_area_code'), ['area_code'], unique=False)
        batch_op.create_index('ix_influence_action_filters', ['level', 'sector', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_influence_action_lead_organisation_id'), ['lead_organisation_id'], unique=False)

    op.create_table('province',
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('region_code', sa.String(length=2), nullable=False),
    sa.Column('name_fr', sa.String(length=120), nullable=False),
    sa.Column('name_ar', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('population_2024', sa.Integer(), nullable=True),
    sa.CheckConstraint('length(code) = 6', name=op.f('ck_province_code_format')),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_province_region_code_region')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_province'))
    )
    with op.batch_alter_table('province', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_province_region_code'), ['region_code'], unique=False)

    op.create_table('stance_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_maker_id', sa.Integer(), nullable=False),
    sa.Column('stance', sa.String(length=10), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('by', sa.String(length=80), nullable=True),
    sa.CheckConstraint("stance IN ('champion', 'ally', 'undecided', 'opponent', 'unknown')", name=op.f('ck_stance_change_stance')),
    sa.ForeignKeyConstraint(['decision_maker_id'], ['decision_maker.id'], name=op.f('fk_stance_change_decision_maker_id_decision_maker'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stance_change'))
    )
    with op.batch_alter_table('stance_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stance_change_decision_maker_id'), ['decision_maker_id'], unique=False)

    op.create_table('action_decision_maker',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('decision_maker_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['influence_action.id'], name=op.f('fk_action_decision_maker_action_id_influence_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decision_maker_id'], ['decision_maker.id'], name=op.f('fk_action_decision_maker_decision_maker_id_decision_maker'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('action_id', 'decision_maker_id', name=op.f('pk_action_decision_maker'))
    )
    op.create_table('action_indicator',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['influence_action.id'], name=op.f('fk_action_indicator_action_id_influence_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['indicator'], ['indicator.code'], name=op.f('fk_action_indicator_indicator_indicator')),
    sa.PrimaryKeyConstraint('action_id', 'indicator', name=op.f('pk_action_indicator'))
    )
    op.create_table('action_partner',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['influence_action.id'], name=op.f('fk_action_partner_action_id_influence_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_action_partner_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('action_id', 'organisation_id', name=op.f('pk_action_partner'))
    )
    op.create_table('observation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=20), nullable=False),
    sa.Column('area_code', sa.String(length=6), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('population_group', sa.String(length=10), nullable=False),
    sa.Column('sex', sa.String(length=6), nullable=False),
    sa.Column('age_group', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('numerator', sa.Float(), nullable=True),
    sa.Column('denominator', sa.Float(), nullable=True),
    sa.Column('sample_size', sa.Integer(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('is_illustrative', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('import_batch', sa.Integer(), nullable=True),
    sa.CheckConstraint("area_code = 'MA' OR length(area_code) IN (2, 6)", name=op.f('ck_observation_area_code')),
    sa.CheckConstraint("population_group IN ('migrants', 'refugees', 'host', 'all')", name=op.f('ck_observation_population_group')),
    sa.CheckConstraint("sex IN ('all', 'female', 'male')", name=op.f('ck_observation_sex')),
    sa.CheckConstraint('length(period) IN (4, 7)', name=op.f('ck_observation_period')),
    sa.ForeignKeyConstraint(['import_batch'], ['import_batch.id'], name=op.f('fk_observation_import_batch_import_batch')),
    sa.ForeignKeyConstraint(['indicator'], ['indicator.code'], name=op.f('fk_observation_indicator_indicator')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observation')),
    sa.UniqueConstraint('indicator', 'area_code', 'period', 'population_group', 'sex', 'age_group', name='key')
    )
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.create_index('ix_observation_area', ['area_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_observation_import_batch'), ['import_batch'], unique=False)
        batch_op.create_index('ix_observation_period_indicator', ['period', 'indicator'], unique=False)

    op.create_table('outcome_action',
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['influence_action.id'], name=op.f('fk_outcome_action_action_id_influence_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outcome_id'], ['outcome.id'], name=op.f('fk_outcome_action_outcome_id_outcome'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('outcome_id', 'action_id', name=op.f('pk_outcome_action'))
    )
    op.create_table('stage_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("stage IN ('agenda_setting', 'formulation', 'adoption', 'implementation', 'monitoring')", name=op.f('ck_stage_change_stage')),
    sa.ForeignKeyConstraint(['action_id'], ['influence_action.id'], name=op.f('fk_stage_change_action_id_influence_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_stage_change_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_change'))
    )
    with op.batch_alter_table('stage_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_change_action_id'), ['action_id'], unique=False)



def downgrade() -> None:
    # generated from sna.models by `alembic revision --autogenerate`, then reviewed
    with op.batch_alter_table('stage_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_change_action_id'))

    op.drop_table('stage_change')
    op.drop_table('outcome_action')
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_index('ix_observation_period_indicator')
        batch_op.drop_index(batch_op.f('ix_observation_import_batch'))
        batch_op.drop_index('ix_observation_area')

    op.drop_table('observation')
    op.drop_table('action_partner')
    op.drop_table('action_indicator')
    op.drop_table('action_decision_maker')
    with op.batch_alter_table('stance_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stance_change_decision_maker_id'))

    op.drop_table('stance_change')
    with op.batch_alter_table('province', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_province_region_code'))

    op.drop_table('province')
    with op.batch_alter_table('influence_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_influence_action_lead_organisation_id'))
        batch_op.drop_index('ix_influence_action_filters')
        batch_op.drop_index(batch_op.f('ix_influence_action_area_code'))

    op.drop_table('influence_action')
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_sector'))

    op.drop_table('indicator')
    op.drop_table('decision_maker_sector')
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index('ix_change_log_table_row')
        batch_op.drop_index(batch_op.f('ix_change_log_at'))

    op.drop_table('change_log')
    op.drop_table('app_user')
    op.drop_table('sector')
    op.drop_table('region')
    op.drop_table('outcome')
    op.drop_table('organisation')
    op.drop_table('milestone')
    op.drop_table('meta')
    op.drop_table('import_batch')
    op.drop_table('decision_maker')
