"""Named read queries. Each returns a DataFrame (or a plain value) and takes plain values.

Widget values reach SQL only as bind parameters. Column sets are stable: pages and
computations rely on them.
"""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from . import db
from .models import (
    ChangeLog, DecisionMaker, ImportBatch, Indicator, InfluenceAction, Meta, Milestone,
    Observation, Organisation, Outcome, Province, Region, StageChange, StanceChange, User,
    action_decision_maker, action_indicator, action_partner, decision_maker_sector, outcome_action,
)


def _frame(conn: Connection, stmt, columns: list[str] | None = None, params: dict | None = None) -> pd.DataFrame:
    result = conn.execute(stmt, params) if params else conn.execute(stmt)
    df = _rows_frame(list(result.keys()), result.fetchall())
    if columns is not None and list(df.columns) != list(columns):
        df = df.reindex(columns=columns)
    return df


def _rows_frame(keys: list[str], rows: list) -> pd.DataFrame:
    """A frame of result ``rows`` (tuples or SQLAlchemy rows) with columns ``keys``."""
    if not rows:
        return pd.DataFrame(columns=keys)
    if len(rows) < 1000:  # a few rows: pandas' own construction from tuples has less to set up
        return pd.DataFrame([tuple(r) for r in rows], columns=keys)
    # column-wise construction: several times faster than pandas' row-wise one on many rows
    return pd.DataFrame(dict(zip(keys, map(list, zip(*rows)))), columns=keys)


def _driver_frame(conn: Connection, stmt) -> pd.DataFrame:
    """:func:`_frame` without SQLAlchemy's row-by-row type processing, for reads of
    thousands of wide rows: values come as the driver gives them (SQLite: dates and times
    as text, flags as 0/1; PostgreSQL: dates, datetimes and booleans) and the caller
    converts the few columns that need it, a column at a time. The statement is still
    SQLAlchemy's, compiled for the connection's dialect, and runs in its transaction."""
    compiled = stmt.compile(dialect=conn.dialect)
    params = compiled.construct_params()
    if conn.dialect.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(compiled.string, params)
        keys = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return _rows_frame(keys, rows)


def _run(stmt, engine: Engine | None = None) -> pd.DataFrame:
    with db.read(engine) as conn:
        return _frame(conn, stmt)


# ------------------------------------------------------------------ reference
def regions(engine: Engine | None = None) -> pd.DataFrame:
    """The 12 regions in code order: code, name_fr, name_ar, name_en, population_2024."""
    return _run(sa.select(*Region.__table__.c).order_by(Region.code), engine)


def provinces(engine: Engine | None = None) -> pd.DataFrame:
    """Provinces and prefectures in code order, with their region code."""
    return _run(sa.select(*Province.__table__.c).order_by(Province.code), engine)


def indicators(engine: Engine | None = None) -> pd.DataFrame:
    """The indicator catalogue, in code order."""
    df = _run(sa.select(*Indicator.__table__.c).order_by(Indicator.sector, Indicator.code), engine)
    if not df.empty:
        df["compares_groups"] = df["compares_groups"].astype(bool)
    return df


def known_areas(engine: Engine | None = None) -> set[str]:
    """Every area code the reference data knows: regions, provinces and ``MA``."""
    with db.read(engine) as conn:
        codes = set(conn.execute(sa.select(Region.code)).scalars())
        codes |= set(conn.execute(sa.select(Province.code)).scalars())
    return codes | {"MA"}


# --------------------------------------------------------------- observations
OBS_COLUMNS = ["indicator", "area_code", "period", "population_group", "sex", "age_group", "value",
               "numerator", "denominator", "sample_size", "source", "is_illustrative", "note"]


def observations(
    engine: Engine | None = None,
    *,
    indicators: list[str] | None = None,
    sector: str | None = None,
    periods: list[str] | None = None,
    areas: list[str] | None = None,
    area_level: str | None = None,
    breakdowns: bool = False,
) -> pd.DataFrame:
    """Observations matching every given filter (None = all).

    ``area_level`` is ``region`` (codes of two characters), ``province`` or ``national``.
    Without ``breakdowns`` only the totals (sex and age group ``all``) are read.
    """
    o = Observation.__table__
    stmt = sa.select(*[o.c[c] for c in OBS_COLUMNS])
    if sector:
        stmt = stmt.join(Indicator.__table__, Indicator.code == o.c.indicator).where(Indicator.sector == sector)
    if indicators is not None:
        stmt = stmt.where(o.c.indicator.in_(indicators))
    if periods is not None:
        stmt = stmt.where(o.c.period.in_(periods))
    if areas is not None:
        stmt = stmt.where(o.c.area_code.in_(areas))
    if area_level == "region":
        stmt = stmt.where(sa.func.length(o.c.area_code) == 2, o.c.area_code != "MA")
    elif area_level == "province":
        stmt = stmt.where(sa.func.length(o.c.area_code) == 6)
    elif area_level == "national":
        stmt = stmt.where(o.c.area_code == "MA")
    if not breakdowns:
        stmt = stmt.where(o.c.sex == "all", o.c.age_group == "all")
    return _typed_observations(_run(stmt, engine))


def _typed_observations(df: pd.DataFrame) -> pd.DataFrame:
    """Observation columns with their types (bool flag, float values, NaN for not given)."""
    df["is_illustrative"] = df["is_illustrative"].astype(bool)
    for col in ("value", "numerator", "denominator"):
        if df[col].dtype != "float64":
            df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    return df


def periods(engine: Engine | None = None, *, sector: str | None = None) -> list[str]:
    """Periods that hold observations (of ``sector`` when given), oldest first."""
    from .periods import period_sort_key

    o = Observation.__table__
    stmt = sa.select(o.c.period).distinct()
    if sector:
        stmt = stmt.join(Indicator.__table__, Indicator.code == o.c.indicator).where(Indicator.sector == sector)
    with db.read(engine) as conn:
        values = list(conn.execute(stmt).scalars())
    return sorted(values, key=period_sort_key)


def illustrative_share(engine: Engine | None = None, *, sector: str | None = None,
                       region: str | None = None, period: str | None = None) -> tuple[int, int]:
    """(illustrative observations, all observations) within the filters."""
    o = Observation.__table__
    stmt = sa.select(sa.func.count(), sa.func.sum(sa.case((o.c.is_illustrative, 1), else_=0)))
    if sector:
        stmt = stmt.join(Indicator.__table__, Indicator.code == o.c.indicator).where(Indicator.sector == sector)
    if region:
        stmt = stmt.where(sa.or_(o.c.area_code == region, o.c.area_code.like(region + ".%")))
    if period:
        stmt = stmt.where(o.c.period == period)
    with db.read(engine) as conn:
        total, illus = conn.execute(stmt).one()
    return int(illus or 0), int(total or 0)


def illustrative_counts(engine: Engine | None = None) -> pd.DataFrame:
    """What :func:`illustrative_share` counts, pre-aggregated for every filter at once:
    ``period, indicator, area_root, n, n_illustrative`` where ``area_root`` is the region
    code of a province (``09.113`` → ``09``) and the area code itself otherwise.

    One scan of the covering index on ``(period, indicator, is_illustrative, area_code)``
    (a few tenths of a second at 1,000,000 observations, some 35,000 rows out); then
    :func:`illustrative_share_from` answers any (sector, region, period) in a millisecond.
    """
    o = Observation.__table__
    root = sa.case((o.c.area_code.like("__.%"), sa.func.substr(o.c.area_code, 1, 2)), else_=o.c.area_code)
    stmt = (sa.select(o.c.period, o.c.indicator, root.label("area_root"), sa.func.count().label("n"),
                      sa.func.sum(sa.case((o.c.is_illustrative, 1), else_=0)).label("n_illustrative"))
            .group_by(o.c.period, o.c.indicator, root))
    df = _run(stmt, engine).reindex(columns=["period", "indicator", "area_root", "n", "n_illustrative"])
    for col in ("n", "n_illustrative"):
        df[col] = pd.to_numeric(df[col]).fillna(0).astype("int64")
    return df


def _plain_region(region: str | None) -> bool:
    """A region code the pre-aggregated counts answer exactly: two digits (``09``)."""
    return region is None or (isinstance(region, str) and len(region) == 2 and region.isascii()
                              and region.isdigit())


def illustrative_share_from(counts: pd.DataFrame, catalogue: pd.DataFrame, *, sector: str | None = None,
                            region: str | None = None, period: str | None = None) -> tuple[int, int] | None:
    """:func:`illustrative_share` computed from :func:`illustrative_counts` (and the
    indicator catalogue, for the sector); None when ``region`` is not a plain region code
    (then ask the store)."""
    if region and not _plain_region(region):
        return None
    mask = pd.Series(True, index=counts.index)
    if sector:
        codes = catalogue.loc[catalogue["sector"] == sector, "code"]
        mask &= counts["indicator"].isin(set(codes))
    if region:
        mask &= counts["area_root"].eq(region)
    if period:
        mask &= counts["period"].eq(period)
    kept = counts[mask]
    return int(kept["n_illustrative"].sum()), int(kept["n"].sum())


def last_import(engine: Engine | None = None) -> dict | None:
    """The newest import batch that was not reverted (demo and census loads included)."""
    b = ImportBatch.__table__
    stmt = sa.select(b).where(b.c.reverted_at.is_(None)).order_by(b.c.at.desc(), b.c.id.desc()).limit(1)
    with db.read(engine) as conn:
        row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def import_batches(engine: Engine | None = None) -> pd.DataFrame:
    b = ImportBatch.__table__
    return _run(sa.select(b).order_by(b.c.at.desc(), b.c.id.desc()), engine)


def meta(engine: Engine | None = None) -> dict[str, str]:
    with db.read(engine) as conn:
        return {k: v for k, v in conn.execute(sa.select(Meta.key, Meta.value))}


# ------------------------------------------------------------------ influence
def organisations(engine: Engine | None = None) -> pd.DataFrame:
    return _run(sa.select(*Organisation.__table__.c).order_by(Organisation.name), engine)


ACTION_COLUMNS = ["id", "ref", "title", "description", "ask", "sector", "level", "area_code",
                  "region_code", "lead_organisation_id", "lead_organisation", "action_type", "status",
                  "policy_stage", "start_date", "due_date", "done_date", "next_step", "evidence_url",
                  "is_sensitive", "archived", "version", "updated_at", "updated_by", "target_type",
                  "n_decision_makers"]


def actions(engine: Engine | None = None, *, include_archived: bool = False) -> pd.DataFrame:
    """Every influence action with its lead organisation's name, region code, main target
    type (of its most influential decision-maker) and number of decision-makers (filtering
    is done by :func:`sna.actions.filter_actions`)."""
    a = InfluenceAction.__table__
    org = Organisation.__table__
    adm = action_decision_maker
    dm = DecisionMaker.__table__
    counts = (sa.select(adm.c.action_id, sa.func.count().label("n_decision_makers"))
              .group_by(adm.c.action_id).subquery())
    ranked = (sa.select(adm.c.action_id, dm.c.target_type,
                        sa.func.row_number().over(partition_by=adm.c.action_id,
                                                  order_by=(dm.c.influence.desc(), dm.c.id)).label("rank"))
              .select_from(adm.join(dm, dm.c.id == adm.c.decision_maker_id)).subquery())
    first = sa.select(ranked.c.action_id, ranked.c.target_type).where(ranked.c.rank == 1).subquery()
    stmt = (sa.select(a, org.c.name.label("lead_organisation"),
                      sa.func.coalesce(counts.c.n_decision_makers, 0).label("n_decision_makers"),
                      first.c.target_type)
            .select_from(a.outerjoin(org, org.c.id == a.c.lead_organisation_id)
                         .outerjoin(counts, counts.c.action_id == a.c.id)
                         .outerjoin(first, first.c.action_id == a.c.id))
            .order_by(a.c.ref))
    if not include_archived:
        stmt = stmt.where(a.c.archived.is_(False))
    with db.read(engine) as conn:  # 20,000 rows: without per-row type processing (a sixth of the read)
        df = _driver_frame(conn, stmt)
    area = df["area_code"]
    df["region_code"] = area.str[:2].where(area.notna() & area.ne("MA"))
    for col in ("start_date", "due_date", "done_date"):
        df[col] = [_as_date(v) for v in df[col].tolist()]
    df["updated_at"] = pd.to_datetime(df["updated_at"], format="ISO8601") if len(df) else df["updated_at"]
    for col in ("is_sensitive", "archived"):
        df[col] = df[col].astype(bool)
    return df.reindex(columns=ACTION_COLUMNS)


def _as_date(v):
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, str):
        return dt.date.fromisoformat(v[:10])
    return v


def action_links(engine: Engine | None = None) -> dict[str, pd.DataFrame]:
    """The many-to-many links of actions: decision-makers, partners, indicators, outcomes."""
    with db.read(engine) as conn:
        return {
            "decision_makers": _frame(conn, sa.select(action_decision_maker)),
            "partners": _frame(conn, sa.select(action_partner)),
            "indicators": _frame(conn, sa.select(action_indicator)),
            "outcomes": _frame(conn, sa.select(outcome_action)),
        }


def stage_changes(engine: Engine | None = None) -> pd.DataFrame:
    s = StageChange.__table__
    org = Organisation.__table__
    stmt = (sa.select(s, org.c.name.label("organisation"))
            .select_from(s.outerjoin(org, org.c.id == s.c.organisation_id))
            .order_by(s.c.action_id, s.c.date, s.c.id))
    return _run(stmt, engine)


def decision_makers(engine: Engine | None = None, *, sensitive: bool = False) -> pd.DataFrame:
    """The decision-maker register. Stance and private notes only when ``sensitive`` is true
    (the caller decides with :func:`sna.auth.can_see_sensitive`)."""
    d = DecisionMaker.__table__
    cols = [c for c in d.c if sensitive or c.name not in ("stance", "private_notes")]
    df = _run(sa.select(*cols).order_by(d.c.level, d.c.ref), engine)
    with db.read(engine) as conn:
        links = _frame(conn, sa.select(decision_maker_sector))
    by_dm = links.groupby("decision_maker_id")["sector"].agg(lambda s: ",".join(sorted(s))).to_dict()
    df["sectors"] = df["id"].map(lambda i: by_dm.get(i, ""))
    return df


def stance_changes(engine: Engine | None = None) -> pd.DataFrame:
    """Every stance change (personal data: only for those allowed to see stances)."""
    s = StanceChange.__table__
    return _run(sa.select(s).order_by(s.c.decision_maker_id, s.c.date, s.c.id), engine)


def outcomes(engine: Engine | None = None) -> pd.DataFrame:
    o = Outcome.__table__
    df = _run(sa.select(o).order_by(o.c.date_observed.desc(), o.c.ref), engine)
    df["date_observed"] = df["date_observed"].map(_as_date)
    return df


def milestones(engine: Engine | None = None) -> pd.DataFrame:
    m = Milestone.__table__
    df = _run(sa.select(m).order_by(m.c.due_date, m.c.ref), engine)
    df["due_date"] = df["due_date"].map(_as_date)
    return df


def change_log(engine: Engine | None = None, *, table: str | None = None, user: str | None = None,
               since: dt.datetime | None = None, until: dt.datetime | None = None,
               row_id: str | None = None, limit: int = 1000) -> pd.DataFrame:
    """The audit trail, newest first, within the given filters."""
    c = ChangeLog.__table__
    stmt = sa.select(c).order_by(c.c.at.desc(), c.c.id.desc()).limit(limit)
    if table:
        stmt = stmt.where(c.c.table_name == table)
    if user:
        stmt = stmt.where(c.c.user_name == user)
    if since:
        stmt = stmt.where(c.c.at >= since)
    if until:
        stmt = stmt.where(c.c.at < until)
    if row_id:
        stmt = stmt.where(c.c.row_id == row_id)
    return _run(stmt, engine)


def change_log_users(engine: Engine | None = None) -> list[str]:
    """Everyone who appears in the audit trail."""
    c = ChangeLog.__table__
    with db.read(engine) as conn:
        return sorted(conn.execute(sa.select(c.c.user_name).distinct()).scalars())


def users(engine: Engine | None = None) -> pd.DataFrame:
    """Accounts without their password hashes."""
    u = User.__table__
    org = Organisation.__table__
    stmt = (sa.select(u.c.id, u.c.name, u.c.role, org.c.name.label("organisation"), u.c.failed_logins,
                      u.c.locked_until)
            .select_from(u.outerjoin(org, org.c.id == u.c.organisation_id)).order_by(u.c.name))
    return _run(stmt, engine)


# ---------------------------------------------------------- access-gap screens
def group_observations(engine: Engine | None = None, *, group: str, indicators: list[str] | None = None,
                       periods: list[str] | None = None, areas: list[str] | None = None) -> pd.DataFrame:
    """Totals (sex and age group ``all``) of one population ``group``, every period unless
    ``periods`` is given, for ``indicators`` and ``areas`` when given (None = all).

    Same columns as :func:`observations`. The access-gap screens read the host values of
    every period once (the method takes the nearest one) and the migrants values of one
    period at a time.
    """
    params = {"group": group, "indicators": None if indicators is None else list(indicators),
              "periods": None if periods is None else list(periods), "areas": None if areas is None else list(areas)}
    stmt = _group_statement(*(params[k] is not None for k in ("indicators", "periods", "areas")))
    with db.read(engine) as conn:
        return _typed_observations(_frame(conn, stmt, OBS_COLUMNS, {k: v for k, v in params.items() if v is not None}))


@functools.lru_cache(maxsize=8)
def _group_statement(with_indicators: bool, with_periods: bool, with_areas: bool):
    """The statement of :func:`group_observations` for the filters given, built once (the
    gaps screens call it on every new view; its values are bound at execution)."""
    o = Observation.__table__
    stmt = sa.select(*[o.c[c] for c in OBS_COLUMNS]).where(
        o.c.population_group == sa.bindparam("group"), o.c.sex == "all", o.c.age_group == "all")
    if with_indicators:
        stmt = stmt.where(o.c.indicator.in_(sa.bindparam("indicators", expanding=True)))
    if with_periods:
        stmt = stmt.where(o.c.period.in_(sa.bindparam("periods", expanding=True)))
    if with_areas:
        stmt = stmt.where(o.c.area_code.in_(sa.bindparam("areas", expanding=True)))
    return stmt


def first_period_with(engine: Engine | None = None, *, periods: list[str], group: str = "migrants",
                      indicators: list[str] | None = None, areas: list[str] | None = None) -> str | None:
    """The first of ``periods`` (in the order given, e.g. latest first) that holds an
    observation of ``group`` (of ``indicators``, in ``areas`` when given); None when none
    does. One look-up per period tried, on the ``(period, indicator)`` index."""
    o = Observation.__table__
    with db.read(engine) as conn:
        for period in periods:
            stmt = sa.select(o.c.id).where(o.c.period == period, o.c.population_group == group)
            if indicators is not None:
                stmt = stmt.where(o.c.indicator.in_(list(indicators)))
            if areas is not None:
                stmt = stmt.where(o.c.area_code.in_(list(areas)))
            if conn.execute(stmt.limit(1)).first() is not None:
                return period
    return None
