"""Progress of the coalition's influence (advocacy) actions: plain functions over DataFrames.

Every function takes an *actions frame*, one row per influence action, with the columns
of :data:`COLUMNS`:

=====================  ==============================================================
``ref``, ``title``     identifier and title
``sector``             :data:`sna.codes.SECTORS`
``level``              ``national`` | ``regional`` | ``local``
``area_code``          ``None`` for national, ``'01'``..``'12'`` (region) or ``'RR.PPP'``
``region_code``        derived by the caller (``area_code[:2]``, ``None`` for national);
                       derived here from ``area_code`` when the column is absent or empty
``lead_organisation``  name of the lead organisation, or ``None``
``status``             :data:`sna.codes.ACTION_STATUSES`
``policy_stage``       :data:`sna.codes.POLICY_STAGES` (the stage the ask has reached)
``start_date``, ``due_date``, ``done_date``
                       ``datetime.date``, ISO strings or datetimes; ``None``/``NaT`` = missing
``action_type``, ``target_type``, ``n_decision_makers``, ``archived``, ``updated_at``
=====================  ==============================================================

Rules shared by all functions:

* "today" is always a parameter; nothing here reads the clock (use
  :func:`sna.config.today` in the caller).
* *Open* means ``planned``, ``in_progress`` or ``postponed``
  (:data:`sna.codes.OPEN_STATUSES`); ``done`` and ``cancelled`` are closed.
* Dates compare by calendar day. Missing columns are treated as all-missing values, so
  an empty ``pd.DataFrame()`` never crashes anything.
* Inputs are never modified; boolean results are ``bool`` Series aligned on the input's
  index.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from sna.codes import ACTION_STATUSES, LEVELS, NATIONAL_AREA, OPEN_STATUSES, POLICY_STAGES, REGION_CODES, SECTORS
from sna.periods import parse_period

__all__ = [
    "COLUMNS",
    "TIMELINE_STATES",
    "DATA_PROBLEMS",
    "NO_VALUE",
    "days_left",
    "is_open",
    "is_national",
    "region_codes",
    "overdue",
    "is_overdue",
    "due_within",
    "done_late",
    "stale",
    "has_no_date",
    "active_during",
    "summary",
    "pipeline",
    "stage_counts",
    "furthest_stage",
    "timeline_frame",
    "filter_actions",
    "Prepared",
    "prepare",
    "who_does_what_where",
    "wdww_matrix",
    "data_quality",
]

#: The columns an actions frame is expected to have.
COLUMNS = (
    "ref", "title", "sector", "level", "area_code", "region_code", "lead_organisation",
    "status", "policy_stage", "start_date", "due_date", "done_date", "action_type",
    "target_type", "n_decision_makers", "archived", "updated_at",
)

#: Values of the ``state`` column of :func:`timeline_frame` (for colouring).
TIMELINE_STATES = ("done", "overdue", "open", "postponed", "cancelled")

#: Problems reported by :func:`data_quality`, in the order they are listed.
DATA_PROBLEMS = ("no_due_date", "no_decision_maker", "unknown_area", "no_lead")

#: Shown for a missing organisation, region or sector in who-does-what-where tables.
NO_VALUE = "—"

_STAGE_RANK = {stage: rank for rank, stage in enumerate(POLICY_STAGES)}
_WDWW_DIMENSIONS = ("organisation", "region_code", "sector")


# --------------------------------------------------------------------------- helpers

def _col(df: pd.DataFrame, name: str) -> pd.Series:
    """Column ``name``, or an all-missing object Series when ``df`` lacks it."""
    if name in df.columns:
        return df[name]
    return pd.Series([None] * len(df), index=df.index, dtype=object, name=name)


def _day(value: Any, what: str = "today") -> pd.Timestamp:
    """A date-like value as a midnight Timestamp (naive)."""
    if value is None:
        raise TypeError(f"{what} is required (a datetime.date)")
    ts = pd.Timestamp(value)
    if pd.isna(ts):
        raise ValueError(f"{what} is missing: {value!r}")
    if ts.tzinfo is not None:
        ts = ts.tz_convert(None)
    return ts.normalize()


def _dates(df: pd.DataFrame, name: str) -> pd.Series:
    """Column ``name`` as naive midnight Timestamps; unparseable or missing → NaT.

    Time-zone aware values are converted to UTC first.
    """
    raw = _col(df, name)
    ts = pd.to_datetime(raw, errors="coerce", utc=True, format="ISO8601")
    return ts.dt.tz_convert(None).dt.normalize()


def _status(df: pd.DataFrame) -> pd.Series:
    return _col(df, "status")


def _per_value(series: pd.Series, fn) -> pd.Series:
    """``series.map(fn)`` as an object Series, ``fn`` called once per distinct value rather
    than once per row (tables of 20,000 actions share a few dozen codes); missing values
    are passed one by one (``None`` and ``NaN`` may give different results)."""
    values = series.to_numpy(dtype=object)
    codes, uniques = pd.factorize(values)
    mapped = np.empty(len(uniques), dtype=object)
    for i, u in enumerate(uniques):
        mapped[i] = fn(u)
    out = np.empty(len(values), dtype=object)
    found = codes >= 0
    out[found] = mapped[codes[found]]
    for i in np.flatnonzero(~found):
        out[i] = fn(values[i])
    return pd.Series(out, index=series.index, dtype=object, name=series.name)


def _is_blank(value: Any) -> bool:
    text = value.strip() if isinstance(value, str) else value
    return bool(pd.isna(text)) if not isinstance(text, str) else text == ""


def _blank(series: pd.Series) -> pd.Series:
    """Missing, or a string of blanks."""
    return _per_value(series, _is_blank).astype(bool)


def _text_or(series: pd.Series, fallback: str) -> pd.Series:
    """``series`` as object strings, with missing/blank values replaced by ``fallback``."""
    return series.astype(object).where(~_blank(series), fallback)


def _truthy(series: pd.Series) -> pd.Series:
    """A flag column (bool, 0/1 or None) as plain bool; missing → False."""
    if series.dtype == bool:  # nothing can be missing
        return series.astype(bool)
    return series.map(lambda v: False if v is None or v is pd.NA or v != v else bool(v)).astype(bool)


def _matches(series: pd.Series, value: Any) -> pd.Series:
    """Equality with ``value``; a list/tuple/set of values matches any of them."""
    if isinstance(value, Collection) and not isinstance(value, str):
        return series.isin(list(value)).astype(bool)
    return series.eq(value).fillna(False).astype(bool)


def _as_list(by: str | Iterable[str]) -> list[str]:
    return [by] if isinstance(by, str) else list(by)


def _none_for_missing(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Missing group keys (NaN/NA after a groupby) as ``None``, in object columns."""
    out = frame.copy()
    for column in columns:
        values = out[column].astype(object)
        out[column] = values.where(values.notna(), None)
    return out


def _group_col(df: pd.DataFrame, name: str) -> pd.Series:
    """A grouping column; ``region_code`` is derived from ``area_code`` when missing."""
    return region_codes(df) if name == "region_code" else _col(df, name)


# --------------------------------------------------------------------------- basics

def days_left(due: dt.date, today: dt.date) -> int:
    """Days from ``today`` to ``due``: 0 when due today, negative once overdue.

    Accepts dates, datetimes or Timestamps (their calendar day counts). Raises
    :class:`TypeError`/:class:`ValueError` when either is missing.
    """
    return int((_day(due, "due") - _day(today)).days)


def is_open(df: pd.DataFrame) -> pd.Series:
    """Status is planned, in_progress or postponed."""
    return _status(df).isin(OPEN_STATUSES).astype(bool).rename("open")


def is_national(df: pd.DataFrame) -> pd.Series:
    """National actions: level ``national``, or no area (``None``, blank or ``'MA'``).

    They concern every region (DESIGN.md, "Filters and what they mean").
    """
    area = _col(df, "area_code")
    nat = _col(df, "level").eq("national").fillna(False).astype(bool)
    return (nat | _blank(area) | area.eq(NATIONAL_AREA).fillna(False).astype(bool)).rename("national")


def region_codes(df: pd.DataFrame) -> pd.Series:
    """Region code of each action: ``region_code``, else the first two characters of
    ``area_code``; ``None`` for national actions (see :func:`is_national`)."""
    return _region_codes(df, is_national(df))


def _region_codes(df: pd.DataFrame, national: pd.Series) -> pd.Series:
    """:func:`region_codes` given :func:`is_national` of ``df``."""
    area = _col(df, "area_code")
    derived = _per_value(area, lambda a: a.strip()[:2] if isinstance(a, str) and a.strip() else None)
    given = _col(df, "region_code").astype(object)
    region = given.where(~_blank(given), derived).where(~national, None).astype(object)
    return region.where(region.notna(), None).rename("region_code")


# --------------------------------------------------------------------------- flags

def overdue(df: pd.DataFrame, today: dt.date) -> pd.Series:
    """Open actions whose due date is strictly before ``today``.

    An open action due today is not overdue; it is the day after. Done and cancelled
    actions are never overdue; an action without due date is not overdue (see
    ``summary()['no_due_date']``).
    """
    due = _dates(df, "due_date")
    return (is_open(df) & (due < _day(today)).astype(bool)).rename("overdue")


def is_overdue(action: Mapping[str, Any] | pd.Series | pd.DataFrame, today: dt.date) -> bool | pd.Series:
    """:func:`overdue` for one action (a mapping or a row), or for a whole frame."""
    if isinstance(action, pd.DataFrame):
        return overdue(action, today)
    row = pd.DataFrame([dict(action)])
    return bool(overdue(row, today).iloc[0])


def due_within(df: pd.DataFrame, today: dt.date, days: int = 30) -> pd.Series:
    """Open actions with ``today ≤ due_date ≤ today + days``."""
    due = _dates(df, "due_date")
    start = _day(today)
    end = start + pd.Timedelta(days=days)
    return (is_open(df) & (due >= start).astype(bool) & (due <= end).astype(bool)).rename("due_within")


def done_late(df: pd.DataFrame) -> pd.Series:
    """Done actions whose ``done_date`` is after their ``due_date`` (both known)."""
    done = _dates(df, "done_date")
    due = _dates(df, "due_date")
    return (_status(df).eq("done").fillna(False).astype(bool) & (done > due).astype(bool)).rename("done_late")


def stale(df: pd.DataFrame, today: dt.date, days: int = 60) -> pd.Series:
    """Open actions not updated for more than ``days`` days (or never).

    Compared by calendar day: with ``days=60``, an action last updated exactly 60 days
    before ``today`` is not stale, one updated 61 days before is.
    """
    updated = _dates(df, "updated_at")
    cutoff = _day(today) - pd.Timedelta(days=days)
    return (is_open(df) & (updated.isna() | (updated < cutoff)).astype(bool)).rename("stale")


def has_no_date(df: pd.DataFrame) -> pd.Series:
    """Actions with no start, due nor done date (shown as "no date")."""
    return (
        _dates(df, "start_date").isna() & _dates(df, "due_date").isna() & _dates(df, "done_date").isna()
    ).astype(bool).rename("no_date")


def active_during(df: pd.DataFrame, start: dt.date, end: dt.date) -> pd.Series:
    """Actions active at some point of ``[start, end]`` (both inclusive).

    An action is active when it has started by ``end`` and has not ended before
    ``start``, or was done within the period:

    * it starts on ``start_date`` (when missing, on its ``due_date``);
    * it ends on its ``done_date`` when done (an action finished before the period is no
      longer active in it, even if it was due later), otherwise on its ``due_date``;
      no end date means still running;
    * actions without any date are kept (:func:`has_no_date`), not silently dropped.
    """
    return _active(_dates(df, "start_date"), _dates(df, "due_date"), _dates(df, "done_date"),
                   _status(df).eq("done").fillna(False).astype(bool), start, end)


def _active(start_d: pd.Series, due: pd.Series, done: pd.Series, is_done: pd.Series,
            start: dt.date, end: dt.date) -> pd.Series:
    """:func:`active_during` given the frame's dates (:func:`_dates`) and done flags."""
    p_start, p_end = _day(start, "period start"), _day(end, "period end")
    if p_end < p_start:
        raise ValueError(f"period ends ({end}) before it starts ({start})")
    begins = start_d.fillna(due)
    ends = due.where(~(is_done & done.notna()), done)
    running = (begins <= p_end).astype(bool) & (ends.isna() | (ends >= p_start)).astype(bool)
    done_in = done.between(p_start, p_end).astype(bool)
    no_date = (start_d.isna() & due.isna() & done.isna()).astype(bool)  # has_no_date(), dates read once
    return (running | done_in | no_date).rename("active")


# --------------------------------------------------------------------------- summaries

def summary(df: pd.DataFrame, today: dt.date) -> dict[str, Any]:
    """Headline figures of an actions frame (archived rows are the caller's choice).

    Keys (all plain ``int`` except ``pct_done`` and ``by_status``):

    * ``total``: number of actions;
    * ``by_status``: ``{status: count}`` for the 5 statuses, zeros included;
    * ``pct_done``: done / (total − cancelled) × 100, unrounded; ``None`` when
      the denominator is 0 (e.g. an empty frame);
    * ``overdue``, ``due_30`` (due within 30 days), ``done_late``;
    * ``no_due_date``: open actions without a due date.
    """
    status = _status(df)
    by_status = {s: int(status.eq(s).sum()) for s in ACTION_STATUSES}
    total = len(df)
    denominator = total - by_status["cancelled"]
    pct = by_status["done"] / denominator * 100 if denominator > 0 else None
    # overdue(), due_within(), done_late() and the open actions without due date, with
    # each date column read once (the same comparisons as those functions make)
    due, done, open_, day = _dates(df, "due_date"), _dates(df, "done_date"), is_open(df), _day(today)
    return {
        "total": total,
        "by_status": by_status,
        "pct_done": pct,
        "overdue": int((open_ & (due < day).astype(bool)).sum()),
        "due_30": int((open_ & (due >= day).astype(bool) & (due <= day + pd.Timedelta(days=30)).astype(bool)).sum()),
        "done_late": int((status.eq("done").fillna(False).astype(bool) & (done > due).astype(bool)).sum()),
        "no_due_date": int((open_ & due.isna()).sum()),
    }


def pipeline(df: pd.DataFrame) -> pd.DataFrame:
    """Number of actions per level and status, long format.

    Columns ``level, status, count``: all 3 levels × 5 statuses (15 rows, in code
    order), zeros included. Rows with another level or status are not counted.
    """
    work = pd.DataFrame({"level": _col(df, "level"), "status": _status(df)})
    counts = work.groupby(["level", "status"]).size()
    full = pd.MultiIndex.from_product([LEVELS, ACTION_STATUSES], names=["level", "status"])
    out = counts.reindex(full, fill_value=0).astype("int64").rename("count").reset_index()
    return out


def stage_counts(df: pd.DataFrame, by: str | Iterable[str] = ("sector",)) -> pd.DataFrame:
    """How far the asks have got along the policy cycle, per group of ``by``.

    Cancelled actions are excluded. Long format, columns ``*by, stage, count, reached``:

    * ``count``: actions whose current ``policy_stage`` is this stage;
    * ``reached``: actions at this stage or a later one (a funnel: an ask adopted has
      also reached agenda-setting and formulation).

    Every group present in the data gets the 5 stages, ordered agenda_setting →
    monitoring, zeros included; groups are sorted, a missing key (e.g. ``region_code``
    of national actions) kept as its own group. ``by=()`` gives one overall group.
    Actions with an unknown stage count in neither column.
    """
    keys = _as_list(by)
    kept = df[~_status(df).eq("cancelled").fillna(False).astype(bool)]
    rank = _col(kept, "policy_stage").map(_STAGE_RANK)
    work = pd.DataFrame({k: _group_col(kept, k) for k in keys}, index=kept.index)
    for r, stage in enumerate(POLICY_STAGES):
        work[f"count:{stage}"] = rank.eq(r).fillna(False).astype("int64")
        work[f"reached:{stage}"] = rank.ge(r).fillna(False).astype("int64")

    if keys:
        wide = work.groupby(keys, dropna=False, sort=True).sum()
    else:
        wide = work.sum().to_frame().T
    rows = []
    for group, values in wide.iterrows():
        group_values = group if isinstance(group, tuple) else (group,)
        for stage in POLICY_STAGES:
            row = dict(zip(keys, group_values)) if keys else {}
            row.update(stage=stage, count=int(values[f"count:{stage}"]), reached=int(values[f"reached:{stage}"]))
            rows.append(row)
    out = pd.DataFrame(rows, columns=[*keys, "stage", "count", "reached"])
    return _none_for_missing(out.astype({"count": "int64", "reached": "int64"}), keys)


def furthest_stage(df: pd.DataFrame, by: str | Iterable[str] = "region_code") -> pd.DataFrame:
    """Per group: number of actions and the most advanced policy stage reached.

    Cancelled actions are excluded. Columns ``*by, n_actions, furthest_stage``;
    ``furthest_stage`` is ``None`` when no action of the group has a known stage.
    Groups are those present (sorted; a missing key, e.g. national actions under
    ``region_code``, is kept as its own group).
    """
    keys = _as_list(by)
    if not keys:
        raise ValueError("furthest_stage needs at least one column to group by")
    kept = df[~_status(df).eq("cancelled").fillna(False).astype(bool)]
    work = pd.DataFrame({k: _group_col(kept, k) for k in keys}, index=kept.index)
    work["_rank"] = _col(kept, "policy_stage").map(_STAGE_RANK).astype("float64")
    grouped = work.groupby(keys, dropna=False, sort=True)["_rank"].agg(["size", "max"]).reset_index()
    stages = pd.Series(
        [None if pd.isna(r) else POLICY_STAGES[int(r)] for r in grouped["max"]], index=grouped.index, dtype=object
    )
    out = grouped[keys].copy()
    out["n_actions"] = grouped["size"].astype("int64")
    out["furthest_stage"] = stages
    return _none_for_missing(out, keys)


def timeline_frame(df: pd.DataFrame, today: dt.date) -> tuple[pd.DataFrame, int]:
    """Rows ready for a Gantt-like timeline, and how many actions had no date at all.

    Returns ``(frame, n_dropped)``. ``frame`` has the input's columns plus:

    * ``start``: ``start_date``, else ``due_date``, else ``done_date``;
    * ``end``: ``done_date`` when done, else ``due_date``; else ``start`` (a point).
      If the dates are inverted (done before it started), ``start``/``end`` are swapped
      so bars are never negative;
    * ``state``: one of :data:`TIMELINE_STATES`: ``done``, ``cancelled``, then
      ``overdue`` (open and due before today, postponed included), ``postponed``,
      ``open`` (any other status).

    ``start``/``end`` are pandas Timestamps at midnight; equal for a one-day action.
    Rows are sorted by ``start`` then ``end``, with a fresh index.
    Actions without any date are left out and counted in ``n_dropped``.
    """
    start_d = _dates(df, "start_date")
    due = _dates(df, "due_date")
    done = _dates(df, "done_date")
    status = _status(df)
    is_done = status.eq("done").fillna(False).astype(bool)

    start = start_d.fillna(due).fillna(done)
    end = due.where(~(is_done & done.notna()), done).fillna(start)
    lo = start.where((start <= end) | end.isna(), end)
    hi = end.where((start <= end) | end.isna(), start)

    state = np.select(
        [is_done, status.eq("cancelled").fillna(False).astype(bool), overdue(df, today),
         status.eq("postponed").fillna(False).astype(bool)],
        ["done", "cancelled", "overdue", "postponed"],
        default="open",
    )
    out = df.assign(start=lo, end=hi, state=pd.Series(state, index=df.index, dtype=object))
    keep = start.notna()
    out = out[keep].sort_values(["start", "end"], kind="stable").reset_index(drop=True)
    return out, int((~keep).sum())


# --------------------------------------------------------------------------- filters

@dataclasses.dataclass(frozen=True)
class Prepared:
    """What :func:`filter_actions` derives from each row — archived flag, dates, done flag,
    national flag, region — computed once for a frame that is filtered again and again
    (the pages' cached frame of 20,000 actions): :func:`prepare`."""

    index: pd.Index
    archived: pd.Series
    start: pd.Series
    due: pd.Series
    done: pd.Series
    is_done: pd.Series
    national: pd.Series
    region: pd.Series

    def fits(self, df: pd.DataFrame) -> bool:
        return self.index.equals(df.index)


def prepare(df: pd.DataFrame) -> Prepared:
    """The :class:`Prepared` of ``df`` (pass it to :func:`filter_actions` with ``df``
    itself, or a copy of it: it is used only when the index is the same)."""
    national = is_national(df)
    return Prepared(index=df.index.copy(), archived=_truthy(_col(df, "archived")),
                    start=_dates(df, "start_date"), due=_dates(df, "due_date"), done=_dates(df, "done_date"),
                    is_done=_status(df).eq("done").fillna(False).astype(bool),
                    national=national, region=_region_codes(df, national))


def filter_actions(
    df: pd.DataFrame,
    *,
    sector: str | Collection[str] | None = None,
    region: str | Collection[str] | None = None,
    period: tuple[dt.date, dt.date] | str | None = None,
    level: str | Collection[str] | None = None,
    organisation: str | Collection[str] | None = None,
    target_type: str | Collection[str] | None = None,
    stage: str | Collection[str] | None = None,
    include_archived: bool = False,
    prepared: Prepared | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The actions matching the global filters: ``(actions, national_actions)``.

    * ``sector``, ``level``, ``organisation`` (lead organisation), ``target_type``,
      ``stage`` (policy stage): equality; ``None`` = all. A list/tuple/set matches any
      of its values (an empty one matches nothing).
    * ``region``: the first frame holds the regional/local actions whose region
      (:func:`region_codes`) is ``region``; the second frame holds the national actions
      (:func:`is_national`), which concern every region and are never dropped. When
      ``region`` is ``None`` every matching action is in the first frame and the second
      is empty (same columns).
    * ``period``: ``(start, end)`` dates or a period code (``'2024-Q2'``): actions active
      during it, see :func:`active_during` (actions without any date are kept; flag them
      with :func:`has_no_date`).
    * archived actions are left out unless ``include_archived``.

    All filters apply to both frames. The input's index is kept; the input is not
    modified. ``prepared`` (:func:`prepare` of ``df``) saves deriving dates and regions
    again; the result is the same with or without it.
    """
    p = prepared if prepared is not None and prepared.fits(df) else None
    mask = pd.Series(True, index=df.index)
    if not include_archived:
        mask &= ~(p.archived if p is not None else _truthy(_col(df, "archived")))
    for value, column in (
        (sector, "sector"), (level, "level"), (organisation, "lead_organisation"),
        (target_type, "target_type"), (stage, "policy_stage"),
    ):
        if value is not None:
            mask &= _matches(_col(df, column), value)
    if period is not None:
        p_start, p_end = parse_period(period) if isinstance(period, str) else period
        if p is not None:
            mask &= _active(p.start, p.due, p.done, p.is_done, p_start, p_end).rename(None)
        else:
            mask &= active_during(df, p_start, p_end)

    rows = df[mask]
    if region is None:
        return rows.copy(), rows.iloc[0:0].copy()
    if p is not None:
        national, codes = p.national[mask], p.region[mask]
    else:
        national = is_national(rows)
        codes = _region_codes(rows, national)
    in_region = ~national & _matches(codes, region)
    return rows[in_region].copy(), rows[national].copy()


# --------------------------------------------------------------------------- who does what where

def _wdww_keys(df: pd.DataFrame) -> pd.DataFrame:
    region = region_codes(df).where(~is_national(df), NATIONAL_AREA)
    return pd.DataFrame(
        {
            "organisation": _text_or(_col(df, "lead_organisation"), NO_VALUE),
            "region_code": _text_or(region, NO_VALUE),
            "sector": _text_or(_col(df, "sector"), NO_VALUE),
        },
        index=df.index,
    )


def who_does_what_where(df: pd.DataFrame) -> pd.DataFrame:
    """Number of actions per lead organisation × region × sector (long format).

    Columns ``organisation, region_code, sector, count``. National actions are under
    region ``'MA'``; a missing lead organisation, region or sector is
    :data:`NO_VALUE` (``'—'``), so ``count`` always sums to ``len(df)``. Only
    combinations that occur are listed, sorted.
    """
    keys = _wdww_keys(df)
    out = keys.groupby(list(_WDWW_DIMENSIONS), sort=True).size().rename("count").reset_index()
    return out.astype({"count": "int64"})


def _axis_order(dimension: str, observed: Iterable[str]) -> list[str]:
    """Known codes first (all of them, for regions and sectors), then the others sorted."""
    observed = list(observed)
    known: list[str] = []
    if dimension == "region_code":
        known = [NATIONAL_AREA, *REGION_CODES]
    elif dimension == "sector":
        known = list(SECTORS)
    extra = sorted((v for v in set(observed) if v not in known and v != NO_VALUE), key=str)
    tail = [NO_VALUE] if NO_VALUE in observed else []
    return [*known, *extra, *tail]


def wdww_matrix(
    df: pd.DataFrame, rows: str = "organisation", cols: str = "region_code", *, margins: bool = False
) -> pd.DataFrame:
    """Who-does-what-where as a matrix: counts of actions, ``rows`` × ``cols``.

    ``rows`` and ``cols`` are two different names among ``organisation``,
    ``region_code``, ``sector``. Regions (``'MA'`` then ``'01'``..``'12'``) and sectors
    are all listed even with no action, so empty columns show where nobody works;
    organisations are those present. Missing values are :data:`NO_VALUE`.
    The cells sum to ``len(df)``. With ``margins=True`` a ``'Total'`` row and column are
    added (their corner is ``len(df)``).
    """
    for name in (rows, cols):
        if name not in _WDWW_DIMENSIONS:
            raise ValueError(f"unknown dimension {name!r}; expected one of {_WDWW_DIMENSIONS}")
    if rows == cols:
        raise ValueError("rows and cols must be different dimensions")
    keys = _wdww_keys(df)
    counts = keys.groupby([rows, cols]).size()
    matrix = counts.unstack(cols, fill_value=0) if len(counts) else pd.DataFrame()
    matrix = matrix.reindex(
        index=_axis_order(rows, keys[rows]), columns=_axis_order(cols, keys[cols]), fill_value=0
    ).fillna(0).astype("int64")
    matrix.index.name, matrix.columns.name = rows, cols
    if margins:
        matrix["Total"] = matrix.sum(axis=1)
        matrix.loc["Total"] = matrix.sum(axis=0)
    return matrix


# --------------------------------------------------------------------------- data quality

def data_quality(df: pd.DataFrame, known_areas: Collection[str]) -> pd.DataFrame:
    """Problems to fix in the actions, one row per (action, problem).

    Columns ``ref, problem`` with ``problem`` among :data:`DATA_PROBLEMS`:

    * ``no_due_date``: an open action without due date;
    * ``no_decision_maker``: ``n_decision_makers`` is 0 (or missing);
    * ``unknown_area``: ``area_code`` is set but not in ``known_areas``;
    * ``no_lead``: no lead organisation.

    Rows follow the input's order, then the order of :data:`DATA_PROBLEMS`.
    """
    area = _col(df, "area_code")
    n_dm = pd.to_numeric(_col(df, "n_decision_makers"), errors="coerce").fillna(0)
    checks = {
        "no_due_date": is_open(df) & _dates(df, "due_date").isna(),
        "no_decision_maker": n_dm.eq(0).astype(bool),
        "unknown_area": ~_blank(area) & ~area.isin(set(known_areas)).astype(bool),
        "no_lead": _blank(_col(df, "lead_organisation")),
    }
    position = pd.Series(np.arange(len(df)), index=df.index)
    refs = _col(df, "ref")
    parts = [
        pd.DataFrame({"_pos": position[flag], "_order": order, "ref": refs[flag], "problem": name})
        for order, (name, flag) in enumerate(checks.items())
    ]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    out = out.sort_values(["_pos", "_order"], kind="stable")
    return out[["ref", "problem"]].astype({"problem": object}).reset_index(drop=True)
