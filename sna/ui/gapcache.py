"""Cached access-gap views for the pages (gaps map, region profile, overview card).

Caching, deliberately in one place and in layers, each keyed on the store URL and
``meta.data_version`` (so a write anywhere is seen at once) and on what the view shows:

1. observations: the region-level host values of every period (read once per data
   version; the method takes the nearest period) and the migrants values of one period
   for the indicators a view needs (an indexed read on ``(period, indicator)``);
2. the ranked numbers of a view (``sna.gaps.area_table`` → ``sna.gapviews.region_values``);
3. what the page draws: deck, figures, table, CSV — built once per (language, filters,
   choice), so a rerun with nothing new only sends the cached objects.

Layers 1-3 are ``st.cache_resource`` (shared, not copied on every hit): treat what they
return as read-only. Pages pick a target and a view with :func:`select`, which keeps the
choice across page switches and in the URL (``?target=SAN-01&view=gap``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from .. import actions as A
from .. import charts, config, db, geo, maps, queries
from .. import codes as C
from .. import gaps as G
from .. import gapviews as V
from ..filters import Filters
from ..i18n import area_name, fmt_date, is_rtl, label, t
from ..periods import period_sort_key
from . import data
from .frame import set_filter

REGIONS = list(C.REGION_CODES)
_RES = dict(show_spinner=False)


def _key() -> tuple[str, int]:
    return config.database_url(), data.version()


def _engine(url: str):
    return db.get_engine(url)


# ------------------------------------------------------------------- layer 1: reads
@st.cache_resource(max_entries=4, **_RES)
def _catalogue(url: str, version: int) -> pd.DataFrame:
    return queries.indicators(_engine(url))


@st.cache_resource(max_entries=4, **_RES)
def _names(url: str, version: int) -> dict[str, dict[str, str]]:
    """{code: {"fr", "en", "ar"}} of the regions and provinces."""
    names: dict[str, dict[str, str]] = {}
    for df in (queries.regions(_engine(url)), queries.provinces(_engine(url))):
        names.update({r.code: {"fr": r.name_fr, "en": r.name_en, "ar": r.name_ar} for r in df.itertuples()})
    return names


@st.cache_resource(max_entries=4, **_RES)
def _host(url: str, version: int) -> pd.DataFrame:
    return queries.group_observations(_engine(url), group="host", areas=REGIONS)


@st.cache_resource(max_entries=64, **_RES)
def _migrants(url: str, version: int, period: str, indicators: tuple[str, ...]) -> pd.DataFrame:
    return queries.group_observations(_engine(url), group="migrants", periods=[period],
                                      indicators=list(indicators), areas=REGIONS)


@st.cache_resource(max_entries=24, **_RES)
def _region_obs(url: str, version: int, region: str) -> pd.DataFrame:
    return queries.observations(_engine(url), areas=[region, C.NATIONAL_AREA])


# ---------------------------------------------------------------- layer 2: numbers
@st.cache_resource(max_entries=128, **_RES)
def _table(url: str, version: int, target: str, period: str, threshold: int) -> pd.DataFrame:
    """``sna.gaps.area_table`` of the target for the 12 regions (view 'gap' for an
    indicator: :func:`_values` picks the column of another view)."""
    cat = _catalogue(url, version)
    kind, what = V.target_kind(target)
    if kind != "indicator":  # a sector or the overall index: every index of the period at once
        return _period_indices(url, version, period, threshold)[what if kind == "sector" else None]
    wanted = V.target_indicators(target, cat)
    host = _host(url, version)
    obs = pd.concat([_migrants(url, version, period, tuple(wanted)),
                     host[host["indicator"].isin(wanted)]], ignore_index=True)
    return G.area_table(obs, cat, period, areas=REGIONS, view="gap", threshold=threshold, indicator=what)


@st.cache_resource(max_entries=16, **_RES)
def _period_indices(url: str, version: int, period: str, threshold: int) -> dict[str | None, pd.DataFrame]:
    """``area_table`` of the overall index (key None) and of every sector's index for a
    period, from one computation of the period's gaps: switching sectors costs nothing."""
    cat = _catalogue(url, version)
    obs, gaps = _period_gaps(url, version, period, threshold)
    return {sector: G.area_table(obs, cat, period, areas=REGIONS, view="score", threshold=threshold,
                                 sector=sector, gaps=gaps)
            for sector in (None, *sorted(set(cat.loc[cat["direction"] != "context", "sector"])))}


@st.cache_resource(max_entries=16, **_RES)
def _period_gaps(url: str, version: int, period: str, threshold: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The observations of a period (every indicator) and their gaps: computed once per
    period, then every sector index and the overall index of that period are cheap."""
    cat = _catalogue(url, version)
    obs = pd.concat([_migrants(url, version, period, tuple(cat["code"])), _host(url, version)], ignore_index=True)
    return obs, G.indicator_gaps(obs, cat, period, threshold=threshold)


@st.cache_resource(max_entries=128, **_RES)
def _values(url: str, version: int, target: str, period: str, view: str, threshold: int) -> pd.DataFrame:
    table = _table(url, version, target, period, threshold)
    if V.target_kind(target)[0] == "indicator":
        # area_table's ``value`` is the column named by the view (withheld values already blank)
        table = table.assign(value=table[view])
    return V.region_values(table, target, view, _catalogue(url, version))


def catalogue() -> pd.DataFrame:
    return _catalogue(*_key())


def shown_period(chosen: str | None, sector: str | None = None, region: str | None = None) -> str | None:
    """The period a gaps view shows: ``chosen`` (or, within it, its latest sub-period with
    migrants data), else the latest period with migrants data (of ``sector``, in
    ``region`` when given, else in any region)."""
    return _shown_period(*_key(), chosen, sector, region)


@st.cache_resource(max_entries=4, **_RES)
def _periods(url: str, version: int) -> list[str]:
    return queries.periods(_engine(url))


@st.cache_resource(max_entries=64, **_RES)
def _shown_period(url: str, version: int, chosen: str | None, sector: str | None, region: str | None) -> str | None:
    candidates = V.period_candidates(chosen, _periods(url, version))
    cat = _catalogue(url, version)
    found = queries.first_period_with(
        _engine(url), periods=candidates, group="migrants", areas=[region] if region else REGIONS,
        indicators=cat.loc[cat["sector"].eq(sector), "code"].tolist() if sector else None)
    return found or chosen or (candidates[0] if candidates else None)


def target_choices(sector: str | None) -> list[str]:
    return _choices(*_key(), sector)


@st.cache_resource(max_entries=16, **_RES)
def _choices(url: str, version: int, sector: str | None) -> list[str]:
    return V.target_options(_catalogue(url, version), sector)


def target_labels(lang: str) -> dict[str, str]:
    """{target: its name in ``lang``} for every target."""
    return _labels(*_key(), lang)


@st.cache_resource(max_entries=8, **_RES)
def _labels(url: str, version: int, lang: str) -> dict[str, str]:
    cat = _catalogue(url, version)
    return {code: V.target_label(code, cat, lang) for code in V.target_options(cat, None)}


def views_for(target: str) -> list[str]:
    """Views of a target: the four of an indicator (two for a context indicator); the
    score for an index."""
    return _views(*_key(), target)


@st.cache_resource(max_entries=64, **_RES)
def _views(url: str, version: int, target: str) -> list[str]:
    row = V.indicator_row(target, _catalogue(url, version))
    if row is None:
        return ["score"]
    return ["migrants", "host"] if row["direction"] not in V.ELIGIBLE else list(G.VIEWS)


# -------------------------------------------------------------- layer 3: drawings
@dataclasses.dataclass(frozen=True)
class GapsView:
    """What the gaps page draws (read-only: shared by every session through the cache)."""

    title: str
    codes: list[str]
    legend: go.Figure
    ranking: go.Figure
    table: pd.DataFrame
    csv: bytes
    csv_name: str
    has_suppressed: bool
    groups: go.Figure | None
    groups_note: str
    values: pd.DataFrame
    features: pd.DataFrame          # code, name, tip, badness: what the map draws
    deck: maps.CompactDeck | None = None


def gaps_view(lang: str, period: str | None, target: str, view: str, region: str | None) -> GapsView:
    """The drawings of a gaps view (the numbers depend on the target, not on the sector
    filter, which only chooses the targets offered); the map outlines ``region``."""
    url, version = _key()
    threshold = config.suppression_threshold()
    drawn = _drawings(url, version, lang, period, target, view, threshold)
    return dataclasses.replace(drawn, deck=_deck(url, version, lang, period, target, view, region, threshold))


@st.cache_resource(max_entries=128, **_RES)
def _deck(url, version, lang, period, target, view, region, threshold) -> maps.CompactDeck:
    drawn = _drawings(url, version, lang, period, target, view, threshold)
    deck = maps.region_deck(drawn.features, selected=region, rtl=is_rtl(lang))
    deck.to_json()  # computed once, here
    return deck


@st.cache_resource(max_entries=32, **_RES)
def _legend(lo: float, hi: float, worse_high: bool, title: str, no_data: str, dark: str) -> go.Figure:
    return maps.legend_figure(lo, hi, higher_is_worse=worse_high, title=title, no_data=no_data, dark_means=dark)


@st.cache_resource(max_entries=64, **_RES)
def _drawings(url, version, lang, period, target, view, threshold) -> GapsView:
    cat = _catalogue(url, version)
    if period is None:
        values = V.region_values(G.area_table(pd.DataFrame(columns=queries.OBS_COLUMNS), cat, "2000",
                                              areas=REGIONS, view=view), target, view, cat)
    else:
        values = _values(url, version, target, period, view, threshold)
    names = {c: area_name(c, lang, _names(url, version)) for c in REGIONS}
    row = V.indicator_row(target, cat)
    worse_high = V.worse_when_higher(target, view, cat)
    lo, hi = V.colour_domain(values, target, view, cat)
    bad = maps.badness(values["value"], lo, hi, higher_is_worse=worse_high)
    unit = V.unit_label(row["unit"], lang) if row is not None else "0-10"
    axis_unit = V.gap_unit_label(row["unit"], lang) if row is not None and view == "gap" else (
        "0-10" if view == "score" or row is None else unit)
    view_name = t(f"gaps.view.{view}", lang) if row is not None else t("gaps.col.index", lang)
    axis_title = f"{view_name} ({axis_unit})"
    region_names = [names[c] for c in values["area_code"]]
    features = pd.DataFrame({"code": values["area_code"], "name": region_names,
                             "tip": V.tooltip_texts(values, target, cat, period, lang, threshold), "badness": bad})
    judged = row is None or view in ("gap", "score") or row["direction"] in V.ELIGIBLE
    dark = t("gaps.legend.dark_worse" if judged else "gaps.legend.dark_higher", lang)
    legend = _legend(lo, hi, worse_high, axis_title, t("gaps.legend.no_data", lang), dark)
    colours = ["#%02x%02x%02x" % tuple(maps.fill_colour(b)[:3]) for b in bad]
    texts = [t("frame.no_data", lang) if v != v and not s else V.value_cell(v, lang, suppressed=s)
             for v, s in zip(values["value"], values["suppressed"])]
    ranking = charts.ranking_bar(region_names, values["value"].tolist(), colours, texts,
                                 x_title=axis_title, title=t("gaps.ranking_title", lang))
    groups, note = None, t("gaps.groups_need_indicator", lang)
    if row is not None:
        labels = {"migrants": label("group", "migrants", lang), "host": label("group", "host", lang)}
        comparable = row["direction"] in V.ELIGIBLE and not bool(row["compares_groups"])
        groups = charts.groups_dumbbell(
            region_names, values["migrants"].tolist(), values["host"].tolist(),
            labels=labels, x_title=f"{V.target_label(target, cat, lang)} ({unit})",
            reference=float(row["target"]) if comparable else None, reference_label=t("gaps.target_line", lang))
        note = t("gaps.groups_no_host", lang) if values["host"].isna().all() else (
            t("gaps.groups_against_target", lang) if comparable else "")
    suffix = f"{target}-{view if row is not None else 'score'}-{period or 'none'}".replace(":", "-")
    return GapsView(
        title=(f"{V.target_label(target, cat, lang)} — {axis_title} · {period or '—'}" if row is not None
               else f"{V.target_label(target, cat, lang)} · {period or '—'}"),
        codes=[f["properties"]["code"] for f in geo.regions_geojson()["features"]],
        legend=legend, ranking=ranking, table=V.display_table(values, target, cat, names, lang),
        csv=V.csv_bytes(values, target, cat, period, names, lang, threshold), csv_name=f"sna-gaps-{suffix}.csv",
        has_suppressed=bool(values["suppressed"].any()), groups=groups, groups_note=note, values=values,
        features=features)


# ----------------------------------------------------------------- region profile
@dataclasses.dataclass(frozen=True)
class RegionView:
    period: str | None
    sectors: list[str]
    summary: go.Figure | None
    tables: dict[str, pd.DataFrame]
    trends: dict[str, go.Figure]
    has_suppressed: bool


def region_view(lang: str, region: str, sector: str | None, period: str | None) -> RegionView:
    url, version = _key()
    return _region_view(url, version, lang, region, sector, period, config.suppression_threshold())


@st.cache_resource(max_entries=32, **_RES)
def _region_view(url, version, lang, region, sector, period, threshold) -> RegionView:
    cat = _catalogue(url, version)
    sectors = [s for s in C.SECTORS if s in set(cat["sector"]) and (sector is None or s == sector)]
    if period is None:
        return RegionView(None, sectors, None, {}, {}, False)
    summary, national, all_rows = _region_period(url, version, region, period, threshold)
    shown = summary[summary["sector"].isin(sectors) | summary["sector"].eq("overall")]
    sector_names = [t("gaps.target.overall", lang) if s == "overall" else label("sector", s, lang)
                    for s in shown["sector"]]
    fig = charts.sector_bars(
        sector_names, shown["index"].tolist(), [national.get(s, float("nan")) for s in shown["sector"]],
        [f"{V.value_cell(i, lang)} · {V.coverage_text(n, a, lang)}" for i, n, a in
         zip(shown["index"], shown["n_with_data"], shown["n_eligible"])],
        labels={"region": area_name(region, lang, _names(url, version)), "national": t("area.national", lang)},
        x_title=t("gaps.col.index", lang) + " (0-10)", title=t("region.summary_title", lang, period=period))
    rows = _of_sector(all_rows, sector)
    tables, trends = {}, {}
    for s in sectors:
        tables[s] = _profile_table(url, version, lang, region, period, threshold, s)
        trends[s] = _trends(url, version, lang, region, threshold, s, sector)
    return RegionView(period, sectors, fig, tables, trends, bool(rows["suppressed"].any()))


def _of_sector(frame: pd.DataFrame, sector: str | None) -> pd.DataFrame:
    """The rows of ``sector`` (all when None), renumbered as if computed for it alone."""
    return frame if sector is None else frame[frame["sector"].eq(sector)].reset_index(drop=True)


@st.cache_resource(max_entries=32, **_RES)
def _region_period(url, version, region, period, threshold) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """A region's numbers of one period, every sector at once (a sector switch reuses them):
    its sector summary, the national indices, and :func:`sna.gapviews.profile_rows` (which
    lists every indicator of the catalogue, so one sector's rows are a subset of them)."""
    cat = _catalogue(url, version)
    obs = _region_obs(url, version, region)
    summary = V.sector_summary(obs, cat, region, period, threshold)
    national = V.sector_summary(obs, cat, C.NATIONAL_AREA, period, threshold).set_index("sector")["index"]
    return summary, national, V.profile_rows(obs, cat, region, period, threshold)


@st.cache_resource(max_entries=64, **_RES)
def _profile_table(url, version, lang, region, period, threshold, sector) -> pd.DataFrame:
    rows = _region_period(url, version, region, period, threshold)[2]
    return V.profile_table(rows[rows["sector"].eq(sector)], _catalogue(url, version), lang)


@st.cache_resource(max_entries=24, **_RES)
def _region_series(url, version, region, threshold) -> pd.DataFrame:
    """:func:`sna.gapviews.profile_series` of a region for every sector: it walks every
    period of the region (seconds at 1,000,000 observations), so it is computed once per
    region; a sector's series are its indicators' rows (indicators are independent)."""
    return V.profile_series(_region_obs(url, version, region), _catalogue(url, version), region, threshold)


def _series(url, version, region, threshold, sector) -> pd.DataFrame:
    full = _region_series(url, version, region, threshold)
    if sector is None:
        return full
    cat = _catalogue(url, version)
    return full[full["indicator"].isin(cat.loc[cat["sector"].eq(sector), "code"])].reset_index(drop=True)


@st.cache_resource(max_entries=64, **_RES)
def _trends(url, version, lang, region, threshold, sector, chosen) -> go.Figure:
    """The small multiples of ``sector``'s indicators in a region (``chosen``: the sector
    filter — the x axis spans the periods of the series the page shows: of every sector
    without a filter, of the chosen sector's indicators with one)."""
    cat = _catalogue(url, version)
    series = _series(url, version, region, threshold, chosen)
    periods = sorted(series["period"].unique(), key=period_sort_key)
    names = cat.set_index("code")[f"name_{lang}"]
    part = cat[cat["sector"].eq(sector)]
    inds = part["code"].astype(str).tolist()
    return charts.trend_multiples(
        series[series["indicator"].isin(inds)], inds,
        titles={i: V.short(f"{i} · {names.get(i, '')}", 38) for i in inds},
        units={i: V.unit_label(u, lang) for i, u in zip(inds, part["unit"])},
        labels=V.series_labels(lang), periods=periods)


@st.cache_resource(max_entries=32, **_RES)
def _region_actions(url, version, lang, region, sector, period, level, sensitive: bool):
    mine, table, position, area, day, prepared = _region_action_rows(url, version, lang, region)
    local, national = A.filter_actions(mine, sector=sector, region=region, period=period, level=level,
                                       prepared=prepared)
    hidden = 0
    if not sensitive:
        hidden = int(local["is_sensitive"].sum() + national["is_sensitive"].sum())
        local, national = local[~local["is_sensitive"]], national[~national["is_sensitive"]]

    def shown(frame: pd.DataFrame) -> pd.DataFrame:  # V.action_table(frame), its rows taken ready-made
        if not len(frame):
            return V.action_table(frame, lang, area, day)
        return table.iloc[position.loc[frame.index].to_numpy()].reset_index(drop=True)

    return shown(local), shown(national), hidden


@st.cache_resource(max_entries=8, **_RES)
def _region_action_rows(url, version, lang, region):
    """What a region's profile may list — the actions of the region and of its provinces,
    and the national ones (the only rows ``filter_actions(region=...)`` keeps) — with
    their display rows (:func:`sna.gapviews.action_table` works row by row), built once
    per region and language: a filter change then only picks rows."""
    acts = data.actions_frame(url, version)  # the cached read (not a copy): never modified
    national = A.is_national(acts)
    mine = acts[national | A.region_codes(acts).eq(region).fillna(False).astype(bool)]
    names = _names(url, version)
    area = _remembered(lambda code: area_name(code if isinstance(code, str) and code else None, lang, names))
    day = _remembered(lambda d: fmt_date(d, lang))  # thousands of rows, a few hundred dates
    table = V.action_table(mine, lang, area, day)
    return mine, table, pd.Series(range(len(mine)), index=mine.index), area, day, A.prepare(mine)


def _remembered(fn: Callable[[object], str]) -> Callable[[object], str]:
    """``fn`` (a pure function of one value) computed once per distinct value."""
    seen: dict[object, str] = {}

    def call(value: object) -> str:
        try:
            return seen[value]
        except KeyError:
            seen[value] = found = fn(value)
            return found
        except TypeError:  # unhashable
            return fn(value)

    return call


def region_actions(lang: str, region: str, filters: Filters, sensitive: bool):
    """(regional and local actions of the region, national actions, hidden sensitive ones)."""
    return _region_actions(*_key(), lang, region, filters.sector, filters.period, filters.level, sensitive)


# ------------------------------------------------------------------------ overview
def largest(lang: str, sector: str | None, chosen_period: str | None, n: int = 5) -> tuple[str | None, pd.DataFrame]:
    """(period, the ``n`` regions with the highest overall index — the sector's index when
    a sector is chosen —, as ``code, name, value, coverage`` text)."""
    url, version = _key()
    period = _shown_period(url, version, chosen_period, sector, None)
    if period is None:
        return None, pd.DataFrame(columns=["code", "name", "value", "coverage"])
    target = V.sector_target(sector) if sector else V.OVERALL
    top = V.largest_gaps(_values(url, version, target, period, "score", config.suppression_threshold()), n)
    names = _names(url, version)
    return period, pd.DataFrame({
        "code": top["area_code"], "name": [area_name(c, lang, names) for c in top["area_code"]],
        "value": [V.value_cell(v, lang) + " / 10" for v in top["value"]],
        "coverage": [V.coverage_text(a, b, lang) for a, b in zip(top["n_with_data"], top["n_eligible"])]})


# -------------------------------------------------------------------------- widgets
def region_picker(label_text: str, names: dict[str, str], placeholder: str) -> None:
    """A region selector that sets the global region filter (for pages opened without one)."""
    def _pick() -> None:
        code = st.session_state.get("region.pick")
        if code:
            set_filter("region", code)

    st.selectbox(label_text, REGIONS, index=None, key="region.pick", placeholder=placeholder,
                 format_func=lambda code: f"{code} · {names.get(code, code)}", on_change=_pick)



def select(where, label_text: str, options: list[str], *, name: str, format_func: Callable[[str], str],
           param: str | None = None, default: str | None = None, radio: bool = False) -> str:
    """A page-level choice that survives page switches and sits in the URL (``param``).

    The value lives under ``name`` (not a widget key); the widget uses ``name + ".w"``
    and copies its value back. A value no longer among ``options`` (e.g. after a
    change of sector) falls back to the URL's, then to ``default``, then to the first.
    """
    current = st.session_state.get(name)
    if current not in options:
        from_url = st.query_params.get(param) if param else None
        current = from_url if from_url in options else (default if default in options else options[0])
        st.session_state[name] = current
    widget_key = name + ".w"
    st.session_state[widget_key] = current

    def _copy() -> None:
        st.session_state[name] = st.session_state[widget_key]

    if radio:
        value = where.radio(label_text, options, key=widget_key, format_func=format_func, on_change=_copy,
                            horizontal=True)
    else:
        value = where.selectbox(label_text, options, key=widget_key, format_func=format_func, on_change=_copy)
    if param and st.query_params.get(param) != value:
        st.query_params[param] = value
    return value


def clear() -> None:
    """Empty this module's caches (benchmarks: a filter change that finds nothing cached)."""
    for fn in (_table, _values, _drawings, _deck, _legend, _migrants, _region_view, _shown_period,
               _region_period, _profile_table, _region_series, _trends, _region_actions,
               _region_action_rows):
        fn.clear()
