"""What the access-gap screens show, as plain functions over DataFrames (no Streamlit).

The numbers come from :mod:`sna.gaps` (the method of DESIGN.md section 5); this module
only chooses what to compute for a screen, orders it and writes it in the reader's
language: the map's tooltips, the ranking, the table and its CSV, a region's profile and
the overview's "largest gaps".

A screen shows a *target*: one indicator (its code, e.g. ``SAN-01``), a sector index
(``index:health``) or the overall index (``index``), and for an indicator a *view*: the
migrants value, the host value, the gap or the score (:data:`sna.gaps.VIEWS`).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import codes as C
from . import gaps as G
from babel.numbers import format_decimal

from .i18n import _BABEL_LOCALE, fmt_number, label, t
from .periods import parse_period, period_sort_key

OVERALL = "index"
SECTOR_PREFIX = "index:"
ELIGIBLE = ("higher_is_better", "lower_is_better")
#: Columns of :func:`region_values`.
REGION_VALUE_COLUMNS = [*G.AREA_TABLE_COLUMNS, "rank", "badness_order", "n_with_data", "n_eligible"]


# ----------------------------------------------------------------------------- targets
def sector_target(sector: str) -> str:
    return SECTOR_PREFIX + sector


def target_kind(target: str) -> tuple[str, str | None]:
    """``("overall", None)``, ``("sector", sector)`` or ``("indicator", code)``."""
    if target == OVERALL:
        return "overall", None
    if target.startswith(SECTOR_PREFIX):
        return "sector", target[len(SECTOR_PREFIX):]
    return "indicator", target


def _eligible(catalogue: pd.DataFrame) -> pd.DataFrame:
    return catalogue[catalogue["direction"].isin(ELIGIBLE)]


def target_options(catalogue: pd.DataFrame, sector: str | None = None) -> list[str]:
    """What a screen can show: with a sector, its index then its indicators; without, the
    overall index, every sector index, then every indicator (catalogue order)."""
    if sector:
        codes = catalogue.loc[catalogue["sector"].eq(sector), "code"].astype(str).tolist()
        return [sector_target(sector), *codes]
    sectors = [s for s in C.SECTORS if s in set(_eligible(catalogue)["sector"])]
    return [OVERALL, *(sector_target(s) for s in sectors), *catalogue["code"].astype(str).tolist()]


def target_label(target: str, catalogue: pd.DataFrame, lang: str) -> str:
    kind, what = target_kind(target)
    if kind == "overall":
        return t("gaps.target.overall", lang)
    if kind == "sector":
        return t("gaps.target.sector", lang, sector=label("sector", what, lang))
    row = catalogue[catalogue["code"].eq(what)]
    name = row.iloc[0][f"name_{lang}"] if len(row) else ""
    return f"{what} · {name}" if name else str(what)


def target_indicators(target: str, catalogue: pd.DataFrame) -> list[str]:
    """The indicators whose observations the target needs."""
    kind, what = target_kind(target)
    if kind == "indicator":
        return [what]  # type: ignore[list-item]
    cat = _eligible(catalogue)
    if kind == "sector":
        cat = cat[cat["sector"].eq(what)]
    return cat["code"].astype(str).tolist()


def indicator_row(target: str, catalogue: pd.DataFrame) -> pd.Series | None:
    kind, what = target_kind(target)
    if kind != "indicator":
        return None
    hit = catalogue[catalogue["code"].eq(what)]
    return hit.iloc[0] if len(hit) else None


def n_eligible(target: str, catalogue: pd.DataFrame) -> int:
    """Eligible indicators behind the target (1 for an eligible indicator, 0 for context)."""
    kind, what = target_kind(target)
    if kind == "indicator":
        row = indicator_row(target, catalogue)
        return int(row is not None and row["direction"] in ELIGIBLE)
    return len(target_indicators(target, catalogue))


# ----------------------------------------------------------------------------- periods
def period_candidates(chosen: str | None, periods: Iterable[str]) -> list[str]:
    """Periods that may stand for ``chosen``, latest first: ``chosen`` itself and the
    periods within it (the months of a year...); every period when ``chosen`` is None."""
    periods = sorted(set(periods), key=period_sort_key, reverse=True)
    if chosen is None:
        return periods
    start, end = parse_period(chosen)
    inside = [p for p in periods if p != chosen and start <= parse_period(p)[0] and parse_period(p)[1] <= end]
    return [chosen, *inside]


def resolve_period(chosen: str | None, periods: Iterable[str], has_data: Callable[[str], bool]) -> str | None:
    """The period a screen shows: the latest period with data among
    :func:`period_candidates`; ``chosen`` itself when none has data (the screen then says
    "no data"); None when there is no period at all."""
    candidates = period_candidates(chosen, periods)
    for p in candidates:
        if has_data(p):
            return p
    return chosen if chosen is not None else (candidates[0] if candidates else None)


# ------------------------------------------------------------------------------ values
def worse_when_higher(target: str, view: str, catalogue: pd.DataFrame) -> bool:
    """Whether a higher number is worse on screen (gaps, scores and indices always are;
    a migrants or host value follows the indicator's direction; context: higher = darker)."""
    row = indicator_row(target, catalogue)
    if row is None or view in ("gap", "score"):
        return True
    return row["direction"] != "higher_is_better"


def colour_domain(table: pd.DataFrame, target: str, view: str, catalogue: pd.DataFrame) -> tuple[float, float]:
    """The ends of the colour scale: 0-10 for scores and indices, the catalogue's
    goalposts for a gap, the range of the migrants and host values shown otherwise."""
    row = indicator_row(target, catalogue)
    if row is None or view == "score":
        return 0.0, 10.0
    if view == "gap":
        lo, hi = float(row["gap_best"]), float(row["gap_worst"])
        return (lo, hi) if hi > lo else (lo, lo + 1.0)
    vals = pd.concat([table["migrants"], table["host"]]).astype("float64").dropna()
    if vals.empty:
        return 0.0, 1.0
    lo, hi = math.floor(vals.min()), math.ceil(vals.max())
    return (float(lo), float(hi)) if hi > lo else (float(lo), float(lo) + 1.0)


def region_values(table: pd.DataFrame, target: str, view: str, catalogue: pd.DataFrame) -> pd.DataFrame:
    """``sna.gaps.area_table`` output ranked worst first, with ``rank`` (NA = no value),
    ``badness_order`` (the value signed so that higher is worse), and for coverage
    ``n_with_data`` / ``n_eligible`` (the counts behind ``coverage``)."""
    out = table.copy()
    sign = 1.0 if worse_when_higher(target, view, catalogue) else -1.0
    out["badness_order"] = sign * out["value"].astype("float64")
    out = G.ranking(out, "badness_order")
    n = n_eligible(target, catalogue)
    out["n_eligible"] = n
    cov = out["coverage"].astype("float64")
    out["n_with_data"] = pd.array([pd.NA if np.isnan(c) else int(round(c * n)) for c in cov], dtype="Int64")
    return out[REGION_VALUE_COLUMNS]


def largest_gaps(values: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The ``n`` worst areas that have a value (from :func:`region_values`)."""
    return values[values["value"].notna()].head(n).reset_index(drop=True)


# -------------------------------------------------------------------------- formatting
def unit_label(unit: str | None, lang: str) -> str:
    return "" if not unit else label("unit", unit, lang)


def gap_unit_label(unit: str | None, lang: str) -> str:
    """Unit of a gap: percentage points for a percentage, else the indicator's unit."""
    return t("gaps.unit_pts", lang) if unit == "%" else unit_label(unit, lang)


def decimals_for(unit: str | None) -> int:
    """Decimals shown for a unit: none for counts (persons, pupils...), else one."""
    return 0 if unit in G.COUNT_UNITS else 1


def fmt1(x, lang: str, decimals: int = 1) -> str:
    """A number with exactly ``decimals`` decimals, written for ``lang`` (``5,0`` in French)."""
    if _is_nan(x):
        return "—"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(float(x), format=pattern, locale=_BABEL_LOCALE.get(lang, "fr_MA"))


def _num(x, lang: str, unit: str = "", decimals: int = 1) -> str:
    text = fmt1(x, lang, decimals)
    return f"{text} {unit}".rstrip() if text != "—" and unit else text


def _is_nan(x) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def value_cell(x, lang: str, *, suppressed: bool = False, unit: str = "", decimals: int = 1) -> str:
    """A number as shown in a table or tooltip: ``*`` when withheld, ``—`` when missing."""
    if suppressed:
        return "*"
    return "—" if _is_nan(x) else _num(x, lang, unit, decimals)


def coverage_text(n_with, n_all: int, lang: str) -> str:
    if _is_nan(n_with) or not n_all:
        return "—"
    return t("gaps.coverage_value", lang, n=fmt_number(n_with, lang, 0), total=fmt_number(n_all, lang, 0))


def _value_label(target: str, catalogue: pd.DataFrame, lang: str) -> str:
    kind, what = target_kind(target)
    if kind == "overall":
        return t("gaps.col.overall", lang)
    if kind == "sector":
        return t("gaps.col.sector_index", lang, sector=label("sector", what, lang))
    return t("gaps.col.score", lang)


def tooltip_texts(values: pd.DataFrame, target: str, catalogue: pd.DataFrame, period: str | None,
                  lang: str, threshold: int) -> list[str]:
    """One plain-text tooltip per row of :func:`region_values` (lines joined by ``\\n``):
    the values with units, coverage, source, period, "illustrative", ``*`` when withheld."""
    row = indicator_row(target, catalogue)
    unit = unit_label(row["unit"], lang) if row is not None else ""
    gunit = gap_unit_label(row["unit"], lang) if row is not None else ""
    context = row is not None and row["direction"] not in ELIGIBLE
    dec = decimals_for(row["unit"]) if row is not None else 1
    tips = []

    def kv(k: str, v: str) -> str:
        return t("gaps.kv", lang, k=k, v=v)

    for r in values.itertuples(index=False):
        lines: list[str] = []
        has_any = not (_is_nan(r.value) and _is_nan(r.migrants) and _is_nan(r.host)) or r.suppressed
        if row is not None:
            lines.append(kv(label("group", "migrants", lang),
                            value_cell(r.migrants, lang, suppressed=r.suppressed, unit=unit, decimals=dec)))
            lines.append(kv(label("group", "host", lang), value_cell(r.host, lang, unit=unit, decimals=dec)))
            if not context:
                lines.append(kv(t("gaps.col.gap", lang),
                                value_cell(r.gap, lang, suppressed=r.suppressed, unit=gunit, decimals=dec)))
                score = value_cell(r.score, lang, suppressed=r.suppressed)
                lines.append(kv(t("gaps.col.score", lang), score + " / 10"))
        else:
            lines.append(kv(_value_label(target, catalogue, lang), value_cell(r.value, lang) + " / 10"))
        if not context:
            lines.append(kv(t("gaps.col.coverage", lang), coverage_text(r.n_with_data, r.n_eligible, lang)))
        if not has_any:
            lines.insert(0, t("frame.no_data", lang))
        if r.source:
            lines.append(kv(t("gaps.col.source", lang), r.source))
        if period:
            lines.append(kv(t("filters.period", lang), period))
        if r.is_illustrative:
            lines.append(t("frame.illustrative", lang))
        if r.suppressed:
            lines.append(t("frame.suppression_note", lang, n=threshold))
        tips.append("\n".join(lines))
    return tips


def _note(r, lang: str) -> str:
    parts = []
    if _is_nan(r.value) and _is_nan(r.migrants) and _is_nan(r.host) and not r.suppressed:
        parts.append(t("frame.no_data", lang))
    if r.is_illustrative:
        parts.append(t("frame.illustrative", lang))
    return " · ".join(parts)


def display_table(values: pd.DataFrame, target: str, catalogue: pd.DataFrame, names: Mapping[str, str],
                  lang: str) -> pd.DataFrame:
    """The ranking as a table of text, headers and numbers in ``lang``; ``*`` for withheld
    values, ``—`` for missing ones. ``names`` maps region code → name in ``lang``."""
    row = indicator_row(target, catalogue)
    rank = [("—" if r is pd.NA else str(int(r))) for r in values["rank"]]
    region = [names.get(c, c) for c in values["area_code"]]
    cols: dict[str, list] = {t("gaps.col.rank", lang): rank, t("gaps.col.region", lang): region}
    if row is not None:
        unit = unit_label(row["unit"], lang)
        gunit = gap_unit_label(row["unit"], lang)
        dec = decimals_for(row["unit"])
        sup = values["suppressed"].tolist()
        cols[f"{label('group', 'migrants', lang)} ({unit})"] = [
            value_cell(v, lang, suppressed=s, decimals=dec) for v, s in zip(values["migrants"], sup)]
        cols[f"{label('group', 'host', lang)} ({unit})"] = [value_cell(v, lang, decimals=dec) for v in values["host"]]
        if row["direction"] in ELIGIBLE:
            cols[f"{t('gaps.col.gap', lang)} ({gunit})"] = [
                value_cell(v, lang, suppressed=s, decimals=dec) for v, s in zip(values["gap"], sup)]
            cols[t("gaps.col.score_0_10", lang)] = [
                value_cell(v, lang, suppressed=s) for v, s in zip(values["score"], sup)]
    else:
        cols[f"{_value_label(target, catalogue, lang)} (0-10)"] = [value_cell(v, lang) for v in values["value"]]
        cols[t("gaps.col.coverage", lang)] = [
            coverage_text(n, a, lang) for n, a in zip(values["n_with_data"], values["n_eligible"])]
    cols[t("gaps.col.source", lang)] = values["source"].tolist()
    cols[t("gaps.col.note", lang)] = [_note(r, lang) for r in values.itertuples(index=False)]
    return pd.DataFrame(cols)


def _safe_text(value) -> str:
    """Text cell of an export, with spreadsheet formulas neutralised."""
    text = "" if _is_nan(value) else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _csv_number(x, suppressed: bool = False) -> str:
    if suppressed:
        return "*"
    return "" if _is_nan(x) else f"{float(x):.4g}" if abs(float(x)) < 1e4 else f"{float(x):.1f}"


def csv_bytes(values: pd.DataFrame, target: str, catalogue: pd.DataFrame, period: str | None,
              names: Mapping[str, str], lang: str, threshold: int) -> bytes:
    """The table as CSV (UTF-8 with BOM, for spreadsheets): codes and numbers with a dot,
    ``*`` for withheld values (never the number), and the suppression note last."""
    row = indicator_row(target, catalogue)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([t("gaps.col.rank", lang), t("gaps.csv.code", lang), t("gaps.col.region", lang),
                t("gaps.csv.target", lang), t("filters.period", lang), t("gaps.csv.unit", lang),
                label("group", "migrants", lang), label("group", "host", lang), t("gaps.col.gap", lang),
                t("gaps.col.score_0_10", lang), t("gaps.col.coverage", lang), t("gaps.col.source", lang),
                t("frame.illustrative", lang)])
    unit = row["unit"] if row is not None else "0-10"
    for r in values.itertuples(index=False):
        s = bool(r.suppressed)
        w.writerow([
            "" if r.rank is pd.NA else int(r.rank), r.area_code, _safe_text(names.get(r.area_code, r.area_code)),
            target, period or "", unit, _csv_number(r.migrants, s), _csv_number(r.host),
            _csv_number(r.gap, s), _csv_number(r.score if row is not None else r.value, s),
            _csv_number(r.coverage), _safe_text(r.source), int(bool(r.is_illustrative)),
        ])
    if values["suppressed"].any():
        w.writerow([t("frame.suppression_note", lang, n=threshold)])
    return out.getvalue().encode("utf-8-sig")


# ----------------------------------------------------------------------- region profile
def _two_areas(obs: pd.DataFrame, region: str) -> pd.DataFrame:
    return obs[obs["area_code"].isin([region, C.NATIONAL_AREA])]


def profile_rows(obs: pd.DataFrame, catalogue: pd.DataFrame, region: str, period: str,
                 threshold: int = 5, sector: str | None = None) -> pd.DataFrame:
    """Every indicator of the catalogue (of ``sector``) for ``region`` in ``period``:
    ``migrants``, ``host`` (nearest period), ``national`` (the ``MA`` migrants value),
    ``gap``, ``score``, ``suppressed``, ``is_illustrative``, ``source``; withheld values
    blanked, an indicator without data kept with NaN."""
    cat = catalogue if sector is None else catalogue[catalogue["sector"].eq(sector)]
    gaps = G.apply_suppression(G.indicator_gaps(_two_areas(obs, region), catalogue, period, threshold=threshold),
                               columns=("migrants", "gap", "ratio", "score"))
    mine = gaps[gaps["area_code"].eq(region)].set_index("indicator")
    nat = gaps[gaps["area_code"].eq(C.NATIONAL_AREA)].set_index("indicator")
    out = pd.DataFrame({"indicator": cat["code"].astype(str).to_numpy(), "sector": cat["sector"].to_numpy(),
                        "unit": cat["unit"].to_numpy(), "direction": cat["direction"].to_numpy()})
    for col in ("migrants", "host", "gap", "score", "suppressed", "is_illustrative", "source"):
        out[col] = out["indicator"].map(mine[col]) if len(mine) else np.nan
    out["national"] = out["indicator"].map(nat["migrants"]) if len(nat) else np.nan
    for col in ("migrants", "host", "gap", "score", "national"):
        out[col] = out[col].astype("float64")
    for col in ("suppressed", "is_illustrative"):
        out[col] = out[col].fillna(False).astype(bool)
    out["source"] = out["source"].fillna("").astype(str)
    return out


def profile_series(obs: pd.DataFrame, catalogue: pd.DataFrame, region: str, threshold: int = 5,
                   sector: str | None = None) -> pd.DataFrame:
    """Trends for the small multiples, long format: ``indicator, period, series, value``
    with series ``migrants`` (the region), ``national`` (``MA`` migrants) and ``host``
    (the region's host observations, at their own periods). Withheld values are left out."""
    sub = _two_areas(obs, region)
    if sector is not None:
        sub = sub[sub["indicator"].isin(catalogue.loc[catalogue["sector"].eq(sector), "code"])]
    totals = sub[sub["sex"].eq("all") & sub["age_group"].eq("all")]
    host = totals[totals["population_group"].eq("host")]
    migrant_periods = sorted(totals.loc[totals["population_group"].eq("migrants"), "period"].unique(),
                             key=period_sort_key)
    parts = []
    for p in migrant_periods:
        migrants = totals[totals["period"].eq(p) & totals["population_group"].eq("migrants")]
        g = G.indicator_gaps(pd.concat([migrants, host]), catalogue, p, threshold=threshold)
        g = g[~g["suppressed"] & g["migrants"].notna()]
        parts.append(pd.DataFrame({
            "indicator": g["indicator"], "period": p,
            "series": np.where(g["area_code"].eq(region), "migrants", "national"), "value": g["migrants"]}))
    h = host[host["area_code"].eq(region) & host["value"].notna()]
    parts.append(pd.DataFrame({"indicator": h["indicator"], "period": h["period"], "series": "host",
                               "value": h["value"].astype("float64")}))
    out = pd.concat(parts, ignore_index=True)
    out = out[out["indicator"].isin(catalogue["code"])]
    order = {p: i for i, p in enumerate(sorted(out["period"].unique(), key=period_sort_key))}
    out = out.assign(_o=out["period"].map(order)).sort_values(["indicator", "series", "_o"])
    return out.drop(columns="_o").reset_index(drop=True)


def sector_summary(obs: pd.DataFrame, catalogue: pd.DataFrame, region: str, period: str,
                   threshold: int = 5) -> pd.DataFrame:
    """Index and coverage of every sector (then ``overall``) for ``region`` in ``period``:
    ``sector, index, n_with_data, n_eligible, coverage``."""
    gaps = G.indicator_gaps(obs[obs["area_code"].eq(region)], catalogue, period, threshold=threshold)
    idx = G.sector_index(gaps, catalogue, areas=[region])
    idx = idx[idx["area_code"].eq(region)]
    overall = G.overall_index(idx)
    rows = idx[["sector", "index", "n_with_data", "n_eligible", "coverage"]]
    if len(overall):
        o = overall.iloc[0]
        rows = pd.concat([rows, pd.DataFrame([{"sector": "overall", "index": o["index"],
                                               "n_with_data": o["n_with_data"], "n_eligible": o["n_eligible"],
                                               "coverage": o["coverage"]}])], ignore_index=True)
    return rows.reset_index(drop=True)


def profile_table(rows: pd.DataFrame, catalogue: pd.DataFrame, lang: str) -> pd.DataFrame:
    """:func:`profile_rows` of one sector as text in ``lang``."""
    names = catalogue.set_index("code")[f"name_{lang}"]
    dec = [decimals_for(u) for u in rows["unit"]]
    sup = rows["suppressed"].tolist()
    out = {
        t("gaps.col.indicator", lang): [f"{c} · {names.get(c, '')}" for c in rows["indicator"]],
        t("gaps.csv.unit", lang): [unit_label(u, lang) for u in rows["unit"]],
        label("group", "migrants", lang): [value_cell(v, lang, suppressed=s, decimals=d)
                                           for v, s, d in zip(rows["migrants"], sup, dec)],
        t("region.col.national", lang): [value_cell(v, lang, decimals=d) for v, d in zip(rows["national"], dec)],
        label("group", "host", lang): [value_cell(v, lang, decimals=d) for v, d in zip(rows["host"], dec)],
        t("gaps.col.gap", lang): [value_cell(v, lang, suppressed=s, decimals=d)
                                  for v, s, d in zip(rows["gap"], sup, dec)],
        t("gaps.col.score_0_10", lang): [value_cell(v, lang, suppressed=s) for v, s in zip(rows["score"], sup)],
        t("gaps.col.note", lang): [
            " · ".join(x for x in (t("frame.no_data", lang) if _is_nan(m) and not s else "",
                                   t("frame.illustrative", lang) if i else "") if x)
            for m, s, i in zip(rows["migrants"], rows["suppressed"], rows["is_illustrative"])],
    }
    return pd.DataFrame(out)


ACTION_COLUMNS = ("ref", "title", "sector", "level", "area", "status", "due_date", "lead_organisation")


def action_table(actions: pd.DataFrame, lang: str, area_names: Callable[[str | None], str],
                 date_fmt: Callable[[object], str]) -> pd.DataFrame:
    """Influence actions as text in ``lang`` (reference, title, sector, level, area,
    status, due date, lead organisation)."""
    return pd.DataFrame({
        t("region.col.ref", lang): actions["ref"].astype(str).tolist(),
        t("region.col.title", lang): actions["title"].astype(str).tolist(),
        t("filters.sector", lang): [label("sector", s, lang) for s in actions["sector"]],
        t("filters.level", lang): [label("level", s, lang) for s in actions["level"]],
        t("region.col.area", lang): [area_names(a) for a in actions["area_code"]],
        t("region.col.status", lang): [label("status", s, lang) for s in actions["status"]],
        t("region.col.due", lang): [date_fmt(d) for d in actions["due_date"]],
        t("region.col.lead", lang): actions["lead_organisation"].fillna("—").astype(str).tolist(),
    })


def series_labels(lang: str) -> dict[str, str]:
    return {"migrants": t("region.series.migrants", lang), "national": t("region.series.national", lang),
            "host": t("region.series.host", lang)}


def short(text: str, n: int = 42) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"
