"""Slides for the national meeting: one view per slide, built as plotly figures (they draw
offline and go into a self-contained snapshot), never showing sensitive fields.

:func:`load_inputs` reads what the slides need from the store; :func:`build` turns it into
:class:`Slide` objects for a language and a filter set; :func:`snapshot_html` writes the
chosen slides into one dated HTML file with plotly.js inlined. Nothing here imports
Streamlit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy.engine import Engine

from . import actions as A
from . import codes as C
from . import gaps as G
from . import geo, queries, tracker, tracker_charts
from .filters import Filters
from .i18n import area_name, fmt_date, fmt_number, is_rtl, label, t
from .maps import badness, plotly_colorscale

SLIDES = ("map", "sectors", "region", "advocacy", "actions", "milestones", "outcomes")
REGIONS = list(C.REGION_CODES)
NO_DATA_GREY = "#d9d9d9"
BIG = 20  # base font size on a projector


@dataclasses.dataclass
class Slide:
    key: str
    title: str
    figure: go.Figure | None = None
    table: pd.DataFrame | None = None
    message: str | None = None
    note: str | None = None


def parse_slides(raw: str | None) -> tuple[list[str], list[str]]:
    """The slide keys of a ``slides=map,sectors`` URL value (order kept, duplicates
    dropped) and the unknown names; nothing given → every slide."""
    if not raw or not raw.strip():
        return list(SLIDES), []
    wanted, unknown = [], []
    for part in raw.split(","):
        key = part.strip().lower()
        if not key:
            continue
        if key in SLIDES:
            if key not in wanted:
                wanted.append(key)
        else:
            unknown.append(key)
    return wanted, unknown


# ------------------------------------------------------------------------ inputs
def load_inputs(engine: Engine | None, filters: Filters) -> dict:
    """Everything the slides need, read once (the page caches it on data_version)."""
    catalogue = queries.indicators(engine)
    periods = queries.periods(engine, sector=filters.sector)
    wanted = list(catalogue.loc[catalogue["sector"] == filters.sector, "code"]) if filters.sector else None
    period = filters.period or queries.first_period_with(engine, periods=list(reversed(periods)),
                                                        indicators=wanted, areas=REGIONS)
    host = queries.group_observations(engine, group="host", areas=REGIONS + [C.NATIONAL_AREA])
    migrants = (queries.group_observations(engine, group="migrants", periods=[period],
                                           areas=REGIONS + [C.NATIONAL_AREA])
                if period else host.iloc[0:0])
    names = {}
    for df in (queries.regions(engine), queries.provinces(engine)):
        names.update({r.code: {"fr": r.name_fr, "en": r.name_en, "ar": r.name_ar} for r in df.itertuples()})
    last = queries.last_import(engine)
    data_date = last["at"].date() if last and last.get("at") else None
    if last and last.get("kind") in ("demo", "census"):  # the demo's figures are "as of" its anchor date
        as_of = queries.meta(engine).get("as_of")
        data_date = dt.date.fromisoformat(as_of) if as_of else data_date
    return {
        "catalogue": catalogue, "period": period, "obs": pd.concat([migrants, host], ignore_index=True),
        # slides are always presented: actions flagged sensitive are neither shown nor counted
        "actions": tracker.visible_actions(queries.actions(engine), sensitive=False)[0],
        "milestones": queries.milestones(engine),
        "outcomes": queries.outcomes(engine), "outcome_links": queries.action_links(engine)["outcomes"],
        "names": names, "data_date": data_date,
    }


# ------------------------------------------------------------------- numbers
def index_table(inputs: dict, filters: Filters) -> pd.DataFrame:
    """Per region: the access-gap index (of the sector when one is chosen, else overall)."""
    if not inputs["period"]:
        return pd.DataFrame({"area_code": REGIONS, "value": float("nan"), "coverage": 0.0})
    return G.area_table(inputs["obs"], inputs["catalogue"], inputs["period"], areas=REGIONS, view="score",
                        sector=filters.sector)


def sector_matrix(inputs: dict) -> pd.DataFrame:
    """Region × sector index (rows = regions in code order, columns = access sectors)."""
    if not inputs["period"]:
        return pd.DataFrame(index=REGIONS)
    gaps = G.indicator_gaps(inputs["obs"], inputs["catalogue"], inputs["period"])
    idx = G.sector_index(gaps, inputs["catalogue"], areas=REGIONS)
    return idx.pivot(index="area_code", columns="sector", values="index").reindex(REGIONS)


def gap_vs_advocacy(inputs: dict, filters: Filters) -> pd.DataFrame:
    """Per region: gap index, coverage, number of influence actions aimed at it (regional
    and local ones within the filters, cancelled excluded) and the most advanced stage."""
    table = index_table(inputs, filters).set_index("area_code")
    local, _ = A.filter_actions(inputs["actions"], sector=filters.sector, period=filters.period_bounds(),
                                level=filters.level)
    local = local[local["level"] != "national"]
    stages = A.furthest_stage(local, by="region_code").set_index("region_code")
    out = pd.DataFrame({"area_code": REGIONS})
    out["index"] = [table["value"].get(r) for r in REGIONS]
    out["coverage"] = [table["coverage"].get(r) for r in REGIONS]
    out["n_actions"] = [int(stages["n_actions"].get(r, 0)) for r in REGIONS]
    out["furthest_stage"] = [stages["furthest_stage"].get(r) if r in stages.index else None for r in REGIONS]
    return out


def focus_region(filters: Filters, table: pd.DataFrame) -> str | None:
    """The chosen region, else the one with the highest index."""
    if filters.region:
        return filters.region
    ranked = G.ranking(table)
    return None if ranked.empty or pd.isna(ranked.iloc[0]["value"]) else ranked.iloc[0]["area_code"]


# ------------------------------------------------------------------- figures
def _style(fig: go.Figure, lang: str, height: int = 560) -> go.Figure:
    fig.update_layout(height=height, font=dict(size=BIG), margin=dict(l=20, r=20, t=30, b=20),
                      paper_bgcolor="white", plot_bgcolor="white")
    return fig


def _rings(geometry: dict) -> list[list[list[float]]]:
    """Exterior rings of a Polygon / MultiPolygon (holes are not drawn)."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    return [poly[0] for poly in geometry["coordinates"]]


def map_figure(table: pd.DataFrame, names: dict, lang: str, *, selected: str | None, colour_title: str) -> go.Figure:
    """The 12 regions as filled polygons on plain longitude/latitude axes: no tiles, no
    WebGL, nothing fetched — it draws the same in the app, a snapshot and any browser.
    Darker = larger gap; regions without data are grey, which is not on the scale."""
    data = table.set_index("area_code").reindex(REGIONS)
    bad = dict(zip(REGIONS, badness(data["value"], 0, 10)))
    scale = plotly_colorscale()
    fig = go.Figure()
    for feature in geo.regions_geojson()["features"]:
        code = feature["properties"]["code"]
        b = bad.get(code)
        has = b is not None and not pd.isna(b)
        value = data["value"].get(code)
        text = f"{area_name(code, lang, names)}: " + (fmt_number(value, lang, 1) if has else t("frame.no_data", lang))
        colour = _scale_hex(scale, b) if has else NO_DATA_GREY
        line = dict(color="#d55e00", width=4) if code == selected else \
            dict(color="white" if has else "#4d4d4d", width=1, dash=None if has else "dot")
        for ring in _rings(feature["geometry"]):
            xs, ys = zip(*ring)
            fig.add_trace(go.Scatter(x=xs, y=ys, fill="toself", fillcolor=colour, line=line, mode="lines",
                                     hoveron="fills", text=text, hoverinfo="text", showlegend=False))
    # the colour scale, drawn by an invisible marker trace
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", hoverinfo="skip", showlegend=False,
                             marker=dict(colorscale=scale, cmin=0, cmax=10, color=[0], showscale=True,
                                         colorbar=dict(title=colour_title, tickvals=[0, 5, 10]))))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1.15)  # ~1/cos(29°): a fair shape at this latitude
    return _style(fig, lang, 680)


def _scale_hex(scale: list[list], b: float) -> str:
    """The scale's colour nearest to badness ``b``."""
    steps = len(scale) - 1
    return scale[min(int(round(float(b) * steps)), steps)][1]


def sectors_figure(matrix: pd.DataFrame, names: dict, lang: str) -> go.Figure:
    sectors = [s for s in C.SECTORS if s in matrix.columns and s != "cross_cutting"] + \
        (["cross_cutting"] if "cross_cutting" in matrix.columns else [])
    z = matrix.reindex(columns=sectors)
    text = [[fmt_number(v, lang, 1) if pd.notna(v) else t("frame.no_data", lang) for v in row] for row in z.values]
    fig = go.Figure(go.Heatmap(
        z=z.values / 10, x=[label("sector", s, lang) for s in sectors],
        y=[area_name(r, lang, names) for r in z.index], text=text, texttemplate="%{text}",
        colorscale=plotly_colorscale(), zmin=0, zmax=1, showscale=False, hoverinfo="text", xgap=2, ygap=2))
    fig.update_yaxes(autorange="reversed")
    return _style(fig, lang, 640)


def region_figure(inputs: dict, region: str, lang: str) -> go.Figure:
    matrix = sector_matrix(inputs)
    row = matrix.loc[region] if region in matrix.index else pd.Series(dtype=float)
    mean = matrix.mean(numeric_only=True)
    sectors = [s for s in C.SECTORS if s in matrix.columns]
    fig = go.Figure()
    fig.add_trace(go.Bar(name=area_name(region, lang, inputs["names"]), x=[label("sector", s, lang) for s in sectors],
                         y=[row.get(s) for s in sectors], marker_color="#440154",
                         text=[fmt_number(row.get(s), lang, 1) for s in sectors], textposition="outside"))
    fig.add_trace(go.Bar(name=t("present.mean_regions", lang), x=[label("sector", s, lang) for s in sectors],
                         y=[mean.get(s) for s in sectors], marker_color="#9ecae1",
                         text=[fmt_number(mean.get(s), lang, 1) for s in sectors], textposition="outside"))
    fig.update_layout(barmode="group", yaxis=dict(range=[0, 10.5], title=t("present.index_axis", lang)),
                      legend=dict(orientation="h", y=1.08))
    return _style(fig, lang)


def advocacy_figure(table: pd.DataFrame, names: dict, lang: str) -> go.Figure:
    data = table.dropna(subset=["index"])
    fig = go.Figure()
    fig.add_shape(type="rect", x0=5, x1=10.5, y0=-0.5, y1=max(2, data["n_actions"].median() if len(data) else 2),
                  fillcolor="#fde0c5", line_width=0, layer="below")
    fig.add_annotation(x=7.75, y=0, text=t("present.blind_spot", lang), showarrow=False, yanchor="bottom",
                       font=dict(size=16, color="#a63603"))
    fig.add_trace(go.Scatter(
        x=data["index"], y=data["n_actions"], mode="markers+text",
        text=[area_name(r, lang, names) for r in data["area_code"]], textposition="top center",
        marker=dict(size=18, color="#440154"), hoverinfo="text"))
    fig.update_layout(xaxis=dict(title=t("present.index_axis", lang), range=[0, 10.5]),
                      yaxis=dict(title=t("present.n_actions_axis", lang), rangemode="tozero"), showlegend=False)
    return _style(fig, lang, 600)


def table_figure(df: pd.DataFrame, lang: str) -> go.Figure:
    """A plain table as a plotly figure (for the snapshot)."""
    align = "right" if is_rtl(lang) else "left"
    fig = go.Figure(go.Table(
        header=dict(values=[f"<b>{html.escape(str(c))}</b>" for c in df.columns], fill_color="#35608d",
                    font=dict(color="white", size=18), align=align, height=36),
        cells=dict(values=[df[c].astype(str).tolist() for c in df.columns], align=align, font=dict(size=17),
                   height=32, fill_color="#f7f7f7")))
    return _style(fig, lang, 120 + 34 * max(len(df), 1))


# --------------------------------------------------------------------- slides
def build(inputs: dict, filters: Filters, lang: str, keys: Sequence[str], today: dt.date) -> list[Slide]:
    """The slides ``keys`` in order. A slide whose data is missing carries a message
    instead of a figure; it never stops the others."""
    out = []
    for key in keys:
        try:
            out.append(_BUILDERS[key](inputs, filters, lang, today))
        except Exception as exc:  # noqa: BLE001 - one broken slide must not take the deck down
            out.append(Slide(key, t(f"present.slide.{key}", lang), message=t("present.slide_error", lang,
                                                                            error=type(exc).__name__)))
    return out


def _sector_title(filters: Filters, lang: str) -> str:
    return label("sector", filters.sector, lang) if filters.sector else t("present.overall", lang)


def _map(inputs, filters, lang, today) -> Slide:
    table = index_table(inputs, filters)
    title = t("present.slide.map", lang) + " — " + _sector_title(filters, lang)
    if table["value"].isna().all():
        return Slide("map", title, message=t("present.no_data", lang))
    fig = map_figure(table, inputs["names"], lang, selected=filters.region, colour_title=t("present.index_short", lang))
    return Slide("map", title, figure=fig, note=t("present.map_note", lang))


def _sectors(inputs, filters, lang, today) -> Slide:
    matrix = sector_matrix(inputs)
    title = t("present.slide.sectors", lang)
    if matrix.empty or matrix.isna().all().all():
        return Slide("sectors", title, message=t("present.no_data", lang))
    return Slide("sectors", title, figure=sectors_figure(matrix, inputs["names"], lang))


def _region(inputs, filters, lang, today) -> Slide:
    region = focus_region(filters, index_table(inputs, filters))
    if region is None:
        return Slide("region", t("present.slide.region", lang), message=t("present.no_data", lang))
    title = t("present.slide.region", lang) + " — " + area_name(region, lang, inputs["names"])
    return Slide("region", title, figure=region_figure(inputs, region, lang))


def _advocacy(inputs, filters, lang, today) -> Slide:
    table = gap_vs_advocacy(inputs, filters)
    title = t("present.slide.advocacy", lang)
    if table["index"].isna().all():
        return Slide("advocacy", title, message=t("present.no_data", lang))
    shown = pd.DataFrame({
        t("present.col.region", lang): [area_name(r, lang, inputs["names"]) for r in table["area_code"]],
        t("present.col.index", lang): [fmt_number(v, lang, 1) if pd.notna(v) else t("frame.no_data", lang)
                                       for v in table["index"]],
        t("present.col.actions", lang): table["n_actions"],
        t("present.col.stage", lang): [label("stage", s, lang) for s in table["furthest_stage"]],
    })
    return Slide("advocacy", title, figure=advocacy_figure(table, inputs["names"], lang), table=shown,
                 note=t("present.advocacy_note", lang))


def _actions(inputs, filters, lang, today) -> Slide:
    local, national = A.filter_actions(inputs["actions"], sector=filters.sector, region=filters.region,
                                       period=filters.period_bounds(), level=filters.level)
    scoped = pd.concat([local, national]) if len(national) else local
    title = t("present.slide.actions", lang)
    if scoped.empty:
        return Slide("actions", title, message=t("present.no_actions", lang))
    s = A.summary(scoped, today)
    note = t("present.actions_note", lang, total=s["total"], done=fmt_number(s["pct_done"], lang, 0),
             overdue=s["overdue"])
    return Slide("actions", title, figure=tracker_charts.pipeline_chart(A.pipeline(scoped), lang, big=True),
                 note=note)


def _milestones(inputs, filters, lang, today) -> Slide:
    ms = inputs["milestones"]
    title = t("present.slide.milestones", lang)
    if ms.empty:
        return Slide("milestones", title, message=t("present.no_data", lang))
    return Slide("milestones", title, table=tracker.milestone_table(ms, today, lang))


def _outcomes(inputs, filters, lang, today) -> Slide:
    local, national = A.filter_actions(inputs["actions"], sector=filters.sector, region=filters.region,
                                       period=filters.period_bounds(), level=filters.level)
    scoped = pd.concat([local, national]) if len(national) else local
    outs = tracker.outcomes_for(inputs["outcomes"], inputs["outcome_links"], scoped)
    title = t("present.slide.outcomes", lang)
    if outs.empty:
        return Slide("outcomes", title, message=t("present.no_outcomes", lang))
    summary = tracker.outcome_summary(outs)
    note = t("present.outcomes_note", lang, total=summary["total"], verified=summary["verified"],
             unverified=summary["unverified"])
    return Slide("outcomes", title, figure=tracker_charts.outcome_chart(tracker.outcome_counts(outs), lang, big=True),
                 note=note)


_BUILDERS = {"map": _map, "sectors": _sectors, "region": _region, "advocacy": _advocacy,
             "actions": _actions, "milestones": _milestones, "outcomes": _outcomes}


# ------------------------------------------------------------------- snapshot
def stamp(filters: Filters, lang: str, names: dict, period: str | None, data_date: dt.date | None,
          made: dt.date) -> str:
    """The line printed on every slide and snapshot: filters, data date, language."""
    caption = filters.caption(lang, names, default_period=period)
    return t("present.stamp", lang, caption=caption, data=fmt_date(data_date, lang) if data_date else "—",
             made=fmt_date(made, lang))


def snapshot_html(slides: list[Slide], *, lang: str, stamp_text: str) -> str:
    """One self-contained HTML page holding the slides: plotly.js inlined once, no
    outside reference, right-to-left in Arabic."""
    direction = "rtl" if is_rtl(lang) else "ltr"
    parts = []
    first = True
    for i, slide in enumerate(slides, 1):
        body = []
        if slide.message:
            body.append(f'<p class="message">{html.escape(slide.message)}</p>')
        for fig in ([slide.figure] if slide.figure is not None else []) + \
                ([table_figure(slide.table, lang)] if slide.table is not None else []):
            body.append(fig.to_html(full_html=False, include_plotlyjs=True if first else False,
                                    config={"displaylogo": False, "responsive": True}))
            first = False
        if slide.note:
            body.append(f'<p class="note">{html.escape(slide.note)}</p>')
        parts.append(f'<section class="slide"><h2>{i}. {html.escape(slide.title)}</h2>'
                     f'<p class="stamp">{html.escape(stamp_text)}</p>{"".join(body)}</section>')
    sources = html.escape(t("present.sources_line", lang))
    title = html.escape(t("app.title", lang))
    return f"""<!DOCTYPE html>
<html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: "Noto Sans", "DejaVu Sans", Arial, sans-serif; margin: 0 2rem; direction: {direction}; }}
h1 {{ font-size: 2rem; }} h2 {{ font-size: 1.8rem; margin-bottom: .2rem; }}
.stamp {{ color: #555; margin-top: 0; }} .note, .message {{ font-size: 1.2rem; }}
.slide {{ page-break-after: always; border-bottom: 2px solid #ddd; padding: 1rem 0 2rem; }}
footer {{ color: #555; padding: 1rem 0; }}
</style></head><body>
<h1>{title}</h1>
<p class="stamp">{html.escape(stamp_text)}</p>
{''.join(parts)}
<footer>{sources}</footer>
</body></html>"""


def write_snapshot(path, engine: Engine | None, filters: Filters, lang: str, keys: Sequence[str],
                   today: dt.date) -> int:
    """Build the slides from the store and write the snapshot file; returns its size."""
    inputs = load_inputs(engine, filters)
    slides = build(inputs, filters, lang, keys, today)
    text = snapshot_html(slides, lang=lang, stamp_text=stamp(filters, lang, inputs["names"], inputs["period"],
                                                             inputs["data_date"], today))
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return len(text.encode("utf-8"))
