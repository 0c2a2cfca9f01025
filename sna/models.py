"""The store's tables (SQLAlchemy 2 declarative models).

Codes are plain strings guarded by check constraints (no native enums: they make
PostgreSQL migrations painful); the lists live in :mod:`sna.codes`. The schema is
created and changed only by Alembic migrations (``sna/migrations``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean, CheckConstraint, Column, Date, DateTime, Float, ForeignKey, Index, Integer,
    MetaData, String, Table, Text, UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from . import codes as C

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _check(name: str, column: str, values: tuple[str, ...], nullable: bool = False) -> CheckConstraint:
    expr = C.sql_in(column, values)
    if nullable:
        expr = f"{column} IS NULL OR {expr}"
    return CheckConstraint(expr, name=name)


# --------------------------------------------------------------------------- meta
class Meta(Base):
    """Key/value facts about the store: schema version, demo anchor, ``data_version``."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# ---------------------------------------------------------------------- reference
class Region(Base):
    __tablename__ = "region"
    __table_args__ = (CheckConstraint("length(code) = 2", name="code_format"),)
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name_fr: Mapped[str] = mapped_column(String(120))
    name_ar: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    population_2024: Mapped[int | None] = mapped_column(Integer)


class Province(Base):
    __tablename__ = "province"
    __table_args__ = (CheckConstraint("length(code) = 6", name="code_format"),)
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    name_fr: Mapped[str] = mapped_column(String(120))
    name_ar: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    population_2024: Mapped[int | None] = mapped_column(Integer)


class Sector(Base):
    __tablename__ = "sector"
    __table_args__ = (_check("code", "code", C.SECTORS),)
    code: Mapped[str] = mapped_column(String(20), primary_key=True)


# --------------------------------------------------------------------- indicators
class Indicator(Base):
    __tablename__ = "indicator"
    __table_args__ = (
        _check("direction", "direction", C.DIRECTIONS),
        CheckConstraint("valid_min <= valid_max", name="valid_range"),
        CheckConstraint("gap_best < gap_worst", name="goalposts"),
    )
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    sector: Mapped[str] = mapped_column(ForeignKey("sector.code"), index=True)
    name_fr: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    name_ar: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(30))
    direction: Mapped[str] = mapped_column(String(20))
    definition_fr: Mapped[str] = mapped_column(Text, default="")
    definition_en: Mapped[str] = mapped_column(Text, default="")
    definition_ar: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    hxl_tag: Mapped[str] = mapped_column(String(120), default="")
    valid_min: Mapped[float] = mapped_column(Float)
    valid_max: Mapped[float] = mapped_column(Float)
    target: Mapped[float | None] = mapped_column(Float)
    gap_best: Mapped[float] = mapped_column(Float)
    gap_worst: Mapped[float] = mapped_column(Float)
    compares_groups: Mapped[bool] = mapped_column(Boolean, default=False)


class ImportBatch(Base):
    __tablename__ = "import_batch"
    __table_args__ = (_check("kind", "kind", C.IMPORT_KINDS),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    user_name: Mapped[str] = mapped_column(String(80))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    rows_new: Mapped[int] = mapped_column(Integer, default=0)
    rows_changed: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    reverted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Observation(Base):
    """One value of one indicator, for one area, period and population group."""

    __tablename__ = "observation"
    __table_args__ = (
        UniqueConstraint("indicator", "area_code", "period", "population_group", "sex", "age_group",
                         name="key"),
        _check("population_group", "population_group", C.POPULATION_GROUPS),
        _check("sex", "sex", C.SEXES),
        CheckConstraint("area_code = 'MA' OR length(area_code) IN (2, 6)", name="area_code"),
        CheckConstraint("length(period) IN (4, 7)", name="period"),
        Index("ix_observation_period_indicator", "period", "indicator"),
        # covers the illustrative-data banner's count (period → indicator → flag) without
        # reading the rows
        Index("ix_observation_period_indicator_flag", "period", "indicator", "is_illustrative", "area_code"),
        Index("ix_observation_area", "area_code"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator: Mapped[str] = mapped_column(ForeignKey("indicator.code"))
    area_code: Mapped[str] = mapped_column(String(6))
    period: Mapped[str] = mapped_column(String(7))
    population_group: Mapped[str] = mapped_column(String(10))
    sex: Mapped[str] = mapped_column(String(6), default="all")
    age_group: Mapped[str] = mapped_column(String(20), default="all")
    value: Mapped[float] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    sample_size: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text, default="")
    is_illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    import_batch: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)


# ---------------------------------------------------------------------- influence
class Organisation(Base):
    __tablename__ = "organisation"
    __table_args__ = (_check("type", "type", C.ORGANISATION_TYPES),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    type: Mapped[str] = mapped_column(String(20))
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)


decision_maker_sector = Table(
    "decision_maker_sector", Base.metadata,
    Column("decision_maker_id", ForeignKey("decision_maker.id", ondelete="CASCADE"), primary_key=True),
    Column("sector", ForeignKey("sector.code"), primary_key=True),
)


class DecisionMaker(Base):
    """A person or body the coalition seeks to influence. Stance and notes are personal data."""

    __tablename__ = "decision_maker"
    __table_args__ = (
        _check("level", "level", C.LEVELS),
        _check("target_type", "target_type", C.TARGET_TYPES),
        _check("stance", "stance", C.STANCES),
        CheckConstraint("influence BETWEEN 1 AND 5", name="influence"),
        CheckConstraint("interest BETWEEN 1 AND 5", name="interest"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    institution: Mapped[str] = mapped_column(String(200))
    target_type: Mapped[str] = mapped_column(String(30))
    level: Mapped[str] = mapped_column(String(10))
    area_code: Mapped[str | None] = mapped_column(String(6))
    influence: Mapped[int] = mapped_column(Integer)
    interest: Mapped[int] = mapped_column(Integer)
    stance: Mapped[str] = mapped_column(String(10), default="unknown")
    private_notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    updated_by: Mapped[str | None] = mapped_column(String(80))


class StanceChange(Base):
    __tablename__ = "stance_change"
    __table_args__ = (_check("stance", "stance", C.STANCES),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_maker_id: Mapped[int] = mapped_column(ForeignKey("decision_maker.id", ondelete="CASCADE"), index=True)
    stance: Mapped[str] = mapped_column(String(10))
    date: Mapped[dt.date] = mapped_column(Date)
    by: Mapped[str | None] = mapped_column(String(80))


action_decision_maker = Table(
    "action_decision_maker", Base.metadata,
    Column("action_id", ForeignKey("influence_action.id", ondelete="CASCADE"), primary_key=True),
    Column("decision_maker_id", ForeignKey("decision_maker.id", ondelete="CASCADE"), primary_key=True),
)
action_partner = Table(
    "action_partner", Base.metadata,
    Column("action_id", ForeignKey("influence_action.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True),
)
action_indicator = Table(
    "action_indicator", Base.metadata,
    Column("action_id", ForeignKey("influence_action.id", ondelete="CASCADE"), primary_key=True),
    Column("indicator", ForeignKey("indicator.code"), primary_key=True),
)


class InfluenceAction(Base):
    """An influence action of the coalition towards decision-makers."""

    __tablename__ = "influence_action"
    __table_args__ = (
        _check("sector", "sector", C.SECTORS),
        _check("level", "level", C.LEVELS),
        _check("status", "status", C.ACTION_STATUSES),
        _check("policy_stage", "policy_stage", C.POLICY_STAGES),
        _check("action_type", "action_type", C.ACTION_TYPES),
        CheckConstraint("version >= 1", name="version"),
        Index("ix_influence_action_filters", "level", "sector", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    ask: Mapped[str] = mapped_column(Text, default="")
    sector: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(10))
    area_code: Mapped[str | None] = mapped_column(String(6), index=True)
    lead_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    action_type: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(12), default="planned")
    policy_stage: Mapped[str] = mapped_column(String(20), default="agenda_setting")
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    done_date: Mapped[dt.date | None] = mapped_column(Date)
    next_step: Mapped[str | None] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(Text)
    is_sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    updated_by: Mapped[str | None] = mapped_column(String(80))


class StageChange(Base):
    __tablename__ = "stage_change"
    __table_args__ = (_check("stage", "stage", C.POLICY_STAGES),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("influence_action.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    date: Mapped[dt.date] = mapped_column(Date)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))


outcome_action = Table(
    "outcome_action", Base.metadata,
    Column("outcome_id", ForeignKey("outcome.id", ondelete="CASCADE"), primary_key=True),
    Column("action_id", ForeignKey("influence_action.id", ondelete="CASCADE"), primary_key=True),
)


class Outcome(Base):
    """An outcome in the sense of outcome harvesting: a change in a social actor."""

    __tablename__ = "outcome"
    __table_args__ = (
        _check("outcome_type", "outcome_type", C.OUTCOME_TYPES),
        _check("verification", "verification", C.VERIFICATIONS),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    date_observed: Mapped[dt.date] = mapped_column(Date)
    social_actor: Mapped[str] = mapped_column(Text)
    outcome_type: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    significance: Mapped[str] = mapped_column(Text, default="")
    contribution: Mapped[str] = mapped_column(Text, default="")
    verification: Mapped[str] = mapped_column(String(12), default="unverified")
    verifier: Mapped[str | None] = mapped_column(String(160))


class Milestone(Base):
    """The SNI's own deliverables (final strategy document, policy paper, position paper)."""

    __tablename__ = "milestone"
    __table_args__ = (_check("status", "status", C.MILESTONE_STATUSES),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    title_fr: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text)
    title_ar: Mapped[str] = mapped_column(Text)
    due_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="planned")


# ------------------------------------------------------------------ audit & users
class ChangeLog(Base):
    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_table_row", "table_name", "row_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str | None] = mapped_column(String(40))
    field: Mapped[str | None] = mapped_column(String(60))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    user_name: Mapped[str] = mapped_column(String(80))
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))


class User(Base):
    __tablename__ = "app_user"
    __table_args__ = (
        _check("role", "role", C.ROLES),
        CheckConstraint("failed_logins >= 0", name="failed_logins"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(10), default="viewer")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    password_hash: Mapped[str] = mapped_column(Text)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)


TABLES = Base.metadata.tables
