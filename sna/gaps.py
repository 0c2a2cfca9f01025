"""Access gaps and indices (DESIGN.md section 5): plain functions over DataFrames.

The method, for indicator *i*, area *r* and period *t*:

- **gap** — a positive gap always means migrants are worse off.
  Where the indicator compares groups (``compares_groups``), migrants against the host
  population of the same area: ``host − migrants`` when higher is better,
  ``migrants − host`` when lower is better. Otherwise, the gap to the catalogue's
  ``target``: ``target − migrants`` or ``migrants − target``. The ratio
  ``migrants / host`` is kept beside it.
- **score 0-10** with the catalogue's fixed goalposts:
  ``score = 10 × clip((gap − gap_best) / (gap_worst − gap_best), 0, 1)``.
- **sector index** of an area: mean of the scores of the sector's eligible indicators that
  have data; **overall index**: mean of the sector indices that have data; **coverage**:
  indicators with data / indicators eligible. Context indicators are never eligible.
- **suppression**: a migrants value whose denominator (or, for a count without a
  denominator, the count itself) is below a threshold is flagged; screens and default
  exports blank it (:func:`apply_suppression`), and it never enters an index.

"No data" is always ``NaN`` (``None`` for a scalar), never 0. Only observations with
``sex == 'all'`` and ``age_group == 'all'`` enter the method; breakdowns are ignored.

Periods are strings: a year (``2024``), a quarter (``2024-Q2``) or a month (``2024-06``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from sna import codes as C

__all__ = [
    "COUNT_UNITS",
    "GAP_COLUMNS",
    "SECTOR_INDEX_COLUMNS",
    "OVERALL_INDEX_COLUMNS",
    "AREA_TABLE_COLUMNS",
    "VIEWS",
    "SUPPRESSIBLE_COLUMNS",
    "indicator_gaps",
    "apply_suppression",
    "sector_index",
    "overall_index",
    "area_table",
    "ranking",
    "national_value",
]

#: Units whose value is itself a count: without a denominator, the count is what is
#: compared with the suppression threshold.
COUNT_UNITS = frozenset({"persons", "count", "pupils", "cases", "places", "children"})

#: Columns of :func:`indicator_gaps`, in order.
GAP_COLUMNS = [
    "indicator", "sector", "area_code", "period", "migrants", "host", "target", "gap",
    "ratio", "score", "eligible", "suppressed", "is_illustrative", "source", "host_period",
]
#: Columns of :func:`sector_index`, in order.
SECTOR_INDEX_COLUMNS = ["area_code", "sector", "index", "n_with_data", "n_eligible", "coverage"]
#: Columns of :func:`overall_index`, in order.
OVERALL_INDEX_COLUMNS = [
    "area_code", "index", "n_sectors_with_data", "n_with_data", "n_eligible", "coverage",
]
#: Columns of :func:`area_table`, in order.
AREA_TABLE_COLUMNS = [
    "area_code", "value", "migrants", "host", "gap", "score", "coverage",
    "is_illustrative", "suppressed", "source",
]
#: What ``area_table(view=...)`` can show for one indicator.
VIEWS = ("migrants", "host", "gap", "score")
#: The columns :func:`apply_suppression` blanks by default.
SUPPRESSIBLE_COLUMNS = ("migrants", "host", "gap", "ratio", "score")

_SOURCE_SEP = " ; "


# ----------------------------------------------------------------------------- helpers
def _period_bounds(period: object) -> tuple[int, int] | None:
    """``(first month, last month + 1)`` counted in months since year 0, or None if unparseable."""
    text = str(period).strip()
    if m := re.fullmatch(r"(\d{4})", text):
        start = int(m[1]) * 12
        return start, start + 12
    if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
        start = int(m[1]) * 12 + 3 * (int(m[2]) - 1)
        return start, start + 3
    if m := re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", text):
        start = int(m[1]) * 12 + int(m[2]) - 1
        return start, start + 1
    return None


def _as_bool(values: pd.Series) -> pd.Series:
    """Booleans from bools, 0/1, strings such as 'true'/'1' or missing values (→ False)."""
    if values.dtype == bool:
        return values
    if pd.api.types.is_bool_dtype(values.dtype):  # nullable "boolean"
        return values.fillna(False).astype(bool)
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.fillna(0).astype(bool)
    def one(v: object) -> bool:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return False
        if isinstance(v, str):
            return v.strip().lower() in ("1", "true", "yes", "y", "t")
        return bool(v)
    return values.map(one).astype(bool)


def _as_float(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype("float64")


def _text(value: object) -> str:
    """A source string, '' for a missing one."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _join_sources(parts: Iterable[object]) -> str:
    """Distinct non-empty sources joined by ' ; ', in order of first appearance.

    Sources that are already joined are split first, so nothing is repeated.
    """
    seen: list[str] = []
    for part in parts:
        for piece in _text(part).split(_SOURCE_SEP):
            piece = piece.strip()
            if piece and piece not in seen:
                seen.append(piece)
    return _SOURCE_SEP.join(seen)


def _totals(obs: pd.DataFrame, groups: Sequence[str] = ("migrants", "host")) -> pd.DataFrame:
    """Observations that enter the method: sex and age group 'all', in ``groups``; tidy types."""
    keep = (obs["sex"].eq("all") & obs["age_group"].eq("all")
            & obs["population_group"].isin(list(groups)))
    out = obs.loc[keep, ["indicator", "area_code", "period", "population_group", "value",
                         "denominator", "source", "is_illustrative"]].copy()
    for col in ("indicator", "area_code", "period", "population_group"):
        out[col] = out[col].astype(str)
    out["value"] = _as_float(out["value"])
    out["denominator"] = _as_float(out["denominator"])
    out["is_illustrative"] = _as_bool(out["is_illustrative"])
    return out


def _catalogue(catalogue: pd.DataFrame) -> pd.DataFrame:
    """The catalogue columns the method uses, with tidy types."""
    cat = catalogue[["code", "sector", "unit", "direction", "target", "gap_best", "gap_worst",
                     "compares_groups"]].copy()
    cat["code"] = cat["code"].astype(str)
    for col in ("target", "gap_best", "gap_worst"):
        cat[col] = _as_float(cat[col])
    cat["compares_groups"] = _as_bool(cat["compares_groups"])
    cat["unit"] = cat["unit"].map(_text).str.lower()
    return cat.drop_duplicates("code")


def _migrant_rows(totals: pd.DataFrame, period: str) -> pd.DataFrame:
    """Per (indicator, area): the migrants value of ``period`` (first one if repeated)."""
    m = totals[totals["population_group"].eq("migrants") & totals["period"].eq(period)]
    m = m[m["value"].notna()].drop_duplicates(["indicator", "area_code"])
    return m.rename(columns={"value": "migrants", "denominator": "m_denominator",
                             "source": "m_source", "is_illustrative": "m_illustrative"})[
        ["indicator", "area_code", "migrants", "m_denominator", "m_source", "m_illustrative"]]


def _host_rows(totals: pd.DataFrame, period: str) -> pd.DataFrame:
    """Per (indicator, area): the host value nearest to ``period``, and its period.

    The same period wins; otherwise a period overlapping ``period`` (the year 2025 for
    ``2025-03``), nearest midpoint first; otherwise the smallest separation in months,
    then the nearest midpoint; remaining ties go to the earlier period.
    """
    h = totals[totals["population_group"].eq("host") & totals["value"].notna()]
    cols = ["indicator", "area_code", "host", "host_period", "h_source", "h_illustrative"]
    if h.empty:
        return pd.DataFrame(columns=cols)
    target = _period_bounds(period)
    keys: dict[str, tuple[float, float, float, float]] = {}
    for p in h["period"].unique():
        bounds = _period_bounds(p)
        if p == period:
            keys[p] = (-1.0, 0.0, 0.0, 0.0)
        elif bounds is None or target is None:
            keys[p] = (np.inf, np.inf, np.inf, np.inf)
        else:
            (s, e), (ts, te) = bounds, target
            separation = max(s - te, ts - e)          # < 0 overlap, >= 0 months apart
            midpoint = abs((s + e) - (ts + te)) / 2
            keys[p] = (0.0 if separation < 0 else 1.0, float(max(separation, 0)), midpoint,
                       float(s))
    codes, uniques = pd.factorize(h["period"])
    table = np.array([keys[p] for p in uniques], dtype="float64").reshape(-1, 4)[codes]
    h = h.assign(_k0=table[:, 0], _k1=table[:, 1], _k2=table[:, 2], _k3=table[:, 3])
    h = h.sort_values(["indicator", "area_code", "_k0", "_k1", "_k2", "_k3"], kind="stable")
    h = h[np.isfinite(h["_k0"])].drop_duplicates(["indicator", "area_code"])
    return h.rename(columns={"value": "host", "period": "host_period", "source": "h_source",
                             "is_illustrative": "h_illustrative"})[cols]


def _gap_rows(obs: pd.DataFrame, catalogue: pd.DataFrame, period: str, threshold: int,
              *, host_only: bool, indicators: Sequence[str] | None = None) -> pd.DataFrame:
    """The rows of :func:`indicator_gaps`; with ``host_only`` also areas with only a host value."""
    period = str(period)
    totals = _totals(obs)
    if indicators is not None:
        totals = totals[totals["indicator"].isin(list(indicators))]
    cat = _catalogue(catalogue)
    mig = _migrant_rows(totals, period)
    host = _host_rows(totals, period)
    frame = mig.merge(host, on=["indicator", "area_code"], how="outer" if host_only else "left")
    frame = frame.merge(cat, left_on="indicator", right_on="code", how="inner")
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=_GAP_DTYPES.get(c, "object"))
                             for c in GAP_COLUMNS})

    migrants = _as_float(frame["migrants"])
    host_v = _as_float(frame["host"])
    higher = frame["direction"].eq("higher_is_better").to_numpy()
    lower = frame["direction"].eq("lower_is_better").to_numpy()
    reference = np.where(frame["compares_groups"].to_numpy(), host_v.to_numpy(),
                         frame["target"].to_numpy())
    m = migrants.to_numpy()
    gap = np.where(higher, reference - m, np.where(lower, m - reference, np.nan))
    best, worst = frame["gap_best"].to_numpy(), frame["gap_worst"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        span = np.where(worst > best, worst - best, np.nan)
        score = 10.0 * np.clip((gap - best) / span, 0.0, 1.0)
        h = host_v.to_numpy()
        ratio = np.where(np.isfinite(h) & (h != 0), m / np.where(h != 0, h, 1.0), np.nan)

    den = frame["m_denominator"].astype("float64")
    has_den = den.notna()
    counted = frame["unit"].isin(COUNT_UNITS)
    suppressed = migrants.notna() & (
        (has_den & (den < threshold)) | (~has_den & counted & (migrants < threshold))
    )
    has_host = host_v.notna()
    illustrative = (_as_bool(frame["m_illustrative"])
                    | (has_host & _as_bool(frame["h_illustrative"])))
    sources = [
        _join_sources([ms, hs] if hv else [ms])
        for ms, hs, hv in zip(frame["m_source"], frame["h_source"], has_host)
    ]
    out = pd.DataFrame({
        "indicator": frame["indicator"].astype(str),
        "sector": frame["sector"].astype(str),
        "area_code": frame["area_code"].astype(str),
        "period": period,
        "migrants": migrants,
        "host": host_v,
        "target": frame["target"].astype("float64"),
        "gap": gap.astype("float64"),
        "ratio": ratio.astype("float64"),
        "score": score.astype("float64"),
        "eligible": (higher | lower),
        "suppressed": suppressed.astype(bool),
        "is_illustrative": illustrative.astype(bool),
        "source": pd.Series(sources, index=frame.index, dtype="object"),
        "host_period": frame["host_period"].astype("object").where(has_host, None),
    })
    return out.sort_values(["indicator", "area_code"], kind="stable").reset_index(drop=True)


_GAP_DTYPES = {
    "migrants": "float64", "host": "float64", "target": "float64", "gap": "float64",
    "ratio": "float64", "score": "float64", "eligible": "bool", "suppressed": "bool",
    "is_illustrative": "bool",
}


# ----------------------------------------------------------------------------- public
def indicator_gaps(obs: pd.DataFrame, catalogue: pd.DataFrame, period: str, *,
                   threshold: int = 5) -> pd.DataFrame:
    """Gap, ratio and score of every indicator in every area with a migrants value for ``period``.

    One row per (indicator, area_code) having a migrants observation (sex and age group
    'all') for ``period`` and an entry in ``catalogue``; observations of indicators
    missing from the catalogue are ignored. Columns (:data:`GAP_COLUMNS`):

    - ``migrants``: the migrants value; ``target``: the catalogue's target.
    - ``host`` / ``host_period``: the host value of the same area for ``period`` or, when
      there is none, for the nearest period (a census figure exists only for census
      years): an overlapping period first (the year 2025 for ``2025-03``), else the
      smallest separation; ties go to the earlier period. ``NaN`` / ``None`` when the
      area has no host value at all. Reported for every indicator, but only used in the
      gap where ``compares_groups``.
    - ``gap``: ``host − migrants`` (higher is better) or ``migrants − host`` (lower is
      better) where the indicator compares groups, else ``target − migrants`` /
      ``migrants − target``. ``NaN`` when the reference (host or target) is missing and
      for context indicators. Positive means migrants are worse off.
    - ``ratio``: ``migrants / host``; ``NaN`` without a host value or when it is 0.
    - ``score``: ``10 × clip((gap − gap_best) / (gap_worst − gap_best), 0, 1)``; ``NaN``
      when the gap is.
    - ``eligible``: the indicator may enter an index (its direction is not 'context').
    - ``suppressed``: the migrants row's denominator is given and below ``threshold``,
      or, with no denominator, the unit is a count (:data:`COUNT_UNITS`) and the value
      itself is below ``threshold``. The numbers stay in the frame (an admin export
      keeps them); use :func:`apply_suppression` for screens and default exports.
      Suppressed rows never enter an index.
    - ``is_illustrative``: the migrants value, or the host value shown, is illustrative.
    - ``source``: the migrants source, followed by ``" ; "`` and the host source when a
      host value is shown and its source differs.

    Rows are sorted by indicator then area code.
    """
    return _gap_rows(obs, catalogue, period, threshold, host_only=False)


def apply_suppression(df: pd.DataFrame,
                      columns: Sequence[str] = SUPPRESSIBLE_COLUMNS) -> pd.DataFrame:
    """A copy of ``df`` with ``columns`` set to ``NaN`` on rows where ``suppressed`` is true.

    This is what screens and default exports show (as ``*`` with a footnote). Columns
    absent from ``df`` are skipped; ``df`` itself is not changed.
    """
    out = df.copy()
    if "suppressed" not in out.columns or out.empty:
        return out
    mask = _as_bool(out["suppressed"]).to_numpy()
    for col in columns:
        if col in out.columns:
            out[col] = out[col].astype("float64").mask(mask)
    return out


def _usable(gaps: pd.DataFrame) -> pd.DataFrame:
    """Rows whose score enters an index: eligible, not suppressed, with a score."""
    ok = (_as_bool(gaps["eligible"]) & ~_as_bool(gaps["suppressed"])
          & _as_float(gaps["score"]).notna())
    return gaps[ok]


def _sector_order(sectors: Iterable[str]) -> list[str]:
    known = [s for s in C.SECTORS if s in set(sectors)]
    return known + sorted(set(sectors) - set(known))


def sector_index(gaps: pd.DataFrame, catalogue: pd.DataFrame, *,
                 areas: Sequence[str] | None = None) -> pd.DataFrame:
    """Index (0-10) and coverage of every sector in every area of ``gaps`` (one period).

    One row per (area_code, sector) for every area present in ``gaps`` (followed by any
    extra ``areas`` not in it) and every sector with at least one eligible
    (non-context) indicator in ``catalogue``. Columns (:data:`SECTOR_INDEX_COLUMNS`):

    - ``index``: mean score of the sector's eligible indicators that have a score and
      are not suppressed (a suppressed value counts as no data); ``NaN`` when none —
      an area with no data is "no data", never 0.
    - ``n_with_data``: how many indicators entered the mean; ``n_eligible``: eligible
      indicators of the sector in the catalogue; ``coverage`` = ``n_with_data /
      n_eligible`` (0 when no data).
    """
    cat = _catalogue(catalogue)
    eligible = cat[cat["direction"].isin(("higher_is_better", "lower_is_better"))]
    n_eligible = eligible.groupby("sector")["code"].nunique()
    sectors = _sector_order(n_eligible.index)
    area_list = list(dict.fromkeys(
        sorted(gaps["area_code"].astype(str).unique()) + [str(a) for a in (areas or [])]))
    grid = pd.DataFrame(
        [(a, s) for a in area_list for s in sectors], columns=["area_code", "sector"])
    if grid.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("index", "coverage")
                                          else "int64" if c.startswith("n_") else "object")
                             for c in SECTOR_INDEX_COLUMNS})
    used = _usable(gaps)
    used = used[used["indicator"].astype(str).isin(eligible["code"])]
    agg = (used.assign(area_code=used["area_code"].astype(str), score=_as_float(used["score"]))
           .groupby(["area_code", "sector"], as_index=False)
           .agg(index=("score", "mean"), n_with_data=("indicator", "nunique")))
    out = grid.merge(agg, on=["area_code", "sector"], how="left")
    out["n_with_data"] = out["n_with_data"].fillna(0).astype("int64")
    out["n_eligible"] = out["sector"].map(n_eligible).astype("int64")
    out["index"] = out["index"].astype("float64")
    out["coverage"] = out["n_with_data"] / out["n_eligible"]
    return out[SECTOR_INDEX_COLUMNS]


def overall_index(sector_idx: pd.DataFrame) -> pd.DataFrame:
    """Overall index (0-10) and coverage per area, from :func:`sector_index`.

    One row per area_code (in order of first appearance). Columns
    (:data:`OVERALL_INDEX_COLUMNS`): ``index`` = mean of the area's sector indices that
    are not ``NaN`` (``NaN`` when none has data); ``n_sectors_with_data``;
    ``n_with_data`` / ``n_eligible`` summed over sectors; ``coverage`` = their ratio
    (``NaN`` only if no sector has an eligible indicator).
    """
    if sector_idx.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("index", "coverage")
                                          else "int64" if c.startswith("n_") else "object")
                             for c in OVERALL_INDEX_COLUMNS})
    g = sector_idx.assign(index=_as_float(sector_idx["index"])).groupby(
        "area_code", sort=False)
    out = pd.DataFrame({
        "index": g["index"].mean(),
        "n_sectors_with_data": g["index"].count().astype("int64"),
        "n_with_data": g["n_with_data"].sum().astype("int64"),
        "n_eligible": g["n_eligible"].sum().astype("int64"),
    }).reset_index()
    eligible = out["n_eligible"].astype("float64")
    out["coverage"] = (out["n_with_data"] / eligible).where(eligible > 0)
    return out[OVERALL_INDEX_COLUMNS]


def area_table(obs: pd.DataFrame, catalogue: pd.DataFrame, period: str, *,
               areas: list[str], view: str, indicator: str | None = None,
               sector: str | None = None, threshold: int = 5,
               gaps: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per area of ``areas``, in that order: what a map or a table of a page shows.

    Columns (:data:`AREA_TABLE_COLUMNS`). Areas without data are present with ``NaN``
    values (so a map can say "no data"), ``is_illustrative`` and ``suppressed`` False and
    an empty ``source``.

    - With ``indicator``: that indicator's ``migrants``, ``host``, ``gap`` and ``score``
      (as in :func:`indicator_gaps`), and ``value`` = the column named by ``view``
      (one of :data:`VIEWS`). A host value is shown even where migrants have none.
      Suppressed rows have ``migrants``, ``gap``, ``score`` (and ``value`` unless the
      view is 'host') blanked and ``suppressed`` True; the host figure, which is not the
      withheld value, stays. ``coverage`` is 1 when the area's score counts towards an
      index (present, not suppressed), else 0; ``NaN`` for a context indicator.
    - With ``sector`` (and no indicator): ``value`` = ``score`` = the sector index of
      :func:`sector_index`, and its ``coverage``; ``migrants``/``host``/``gap`` are NaN.
    - With neither: the overall index of :func:`overall_index`, likewise.

    In the index cases ``view`` is not used (the value is a score), ``suppressed`` is
    False (suppressed values never enter an index), and ``is_illustrative``/``source``
    describe the values that entered it.

    ``gaps`` may pass :func:`indicator_gaps` of the same ``obs``, ``period`` and
    ``threshold`` already computed (a screen switching sectors reuses one per period); it
    is used for the index cases only.

    Raises ``ValueError`` for an unknown ``view`` or an indicator not in the catalogue.
    """
    if view not in VIEWS:
        raise ValueError(f"view must be one of {VIEWS}, not {view!r}")
    area_list = [str(a) for a in areas]
    base = pd.DataFrame({"area_code": area_list})

    if indicator is not None:
        codes = set(catalogue["code"].astype(str))
        if str(indicator) not in codes:
            raise ValueError(f"unknown indicator {indicator!r}")
        rows = _gap_rows(obs, catalogue, period, threshold, host_only=True,
                         indicators=[str(indicator)])
        rows = apply_suppression(rows, columns=("migrants", "gap", "ratio", "score"))
        out = base.merge(rows.drop(columns=["period"]), on="area_code", how="left")
        out["value"] = out[view].astype("float64")
        direction = _catalogue(catalogue).set_index("code").loc[str(indicator), "direction"]
        if direction in ("higher_is_better", "lower_is_better"):
            out["coverage"] = np.where(out["score"].notna(), 1.0, 0.0)
        else:
            out["coverage"] = np.nan  # context indicators never enter an index
    else:
        if gaps is None:
            gaps = indicator_gaps(obs, catalogue, period, threshold=threshold)
        idx = sector_index(gaps, catalogue, areas=area_list)
        used = _usable(gaps)
        if sector is not None:
            idx = idx[idx["sector"].eq(sector)][["area_code", "index", "coverage"]]
            used = used[used["sector"].eq(sector)]
        else:
            idx = overall_index(idx)[["area_code", "index", "coverage"]]
        about = (used.groupby("area_code")
                 .agg(is_illustrative=("is_illustrative", "any"),
                      source=("source", _join_sources))
                 .reset_index()) if not used.empty else pd.DataFrame(
            columns=["area_code", "is_illustrative", "source"])
        out = base.merge(idx, on="area_code", how="left").merge(about, on="area_code",
                                                                how="left")
        out["value"] = out["index"].astype("float64")
        out["score"] = out["value"]
        for col in ("migrants", "host", "gap"):
            out[col] = np.nan
        out["suppressed"] = False
    out["is_illustrative"] = _as_bool(out["is_illustrative"])
    out["suppressed"] = _as_bool(out["suppressed"])
    out["source"] = out["source"].map(_text).astype("object")
    for col in ("value", "migrants", "host", "gap", "score", "coverage"):
        out[col] = out[col].astype("float64")
    return out[AREA_TABLE_COLUMNS].reset_index(drop=True)


def ranking(table: pd.DataFrame, column: str = "value") -> pd.DataFrame:
    """``table`` sorted by ``column`` descending (worst first for gaps and scores).

    Rows without a value come last, in their original order, with ``rank`` missing.
    ``rank`` is 1-based and ties share the smallest rank (1, 2, 2, 4); tied rows keep
    their original order. Returns a new frame with a fresh index.
    """
    values = _as_float(table[column])
    order = np.lexsort((np.arange(len(values)), -values.fillna(-np.inf).to_numpy(),
                        values.isna().to_numpy()))
    out = table.iloc[order].copy()
    ranks = values.iloc[order].rank(method="min", ascending=False).to_numpy()
    out["rank"] = pd.array([pd.NA if np.isnan(r) else int(r) for r in ranks], dtype="Int64")
    return out.reset_index(drop=True)


def national_value(obs: pd.DataFrame, indicator: str, period: str,
                   group: str) -> float | None:
    """The national (``MA``) value of ``indicator`` for ``period`` and population ``group``.

    Only the sex 'all' / age group 'all' observation counts. ``None`` when there is no
    such observation or its value is missing.
    """
    totals = _totals(obs, groups=(str(group),))
    hit = totals[totals["area_code"].eq(C.NATIONAL_AREA) & totals["indicator"].eq(str(indicator))
                 & totals["period"].eq(str(period)) & totals["population_group"].eq(str(group))
                 & totals["value"].notna()]
    if hit.empty:
        return None
    return float(hit["value"].iloc[0])
