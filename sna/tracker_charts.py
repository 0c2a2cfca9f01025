"""Figures of the influence tracker: frames in, plotly figures out (pure; labels from i18n).

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies) and
every categorical colour is backed by a label (legend, hover, text); what needs attention
(overdue, unverified) also has its own marker or pattern, not only a colour.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from .actions import NO_VALUE
from .codes import NATIONAL_AREA, ACTION_STATUSES, LEVELS, OUTCOME_TYPES, POLICY_STAGES, SECTORS, STANCES, VERIFICATIONS
from .i18n import area_name, label, t

__all__ = [
    "STATUS_COLOURS", "STATE_COLOURS", "STANCE_COLOURS", "pipeline_chart", "timeline_chart",
    "stage_funnel", "stage_bars", "outcome_chart", "wdww_heatmap", "power_interest", "stance_history_chart",
]

# Okabe-Ito
BLUE, SKY, GREEN, ORANGE, VERMILLION, PURPLE, YELLOW, GREY = (
    "#0072B2", "#56B4E9", "#009E73", "#E69F00", "#D55E00", "#CC79A7", "#F0E442", "#999999")
STATUS_COLOURS = {"planned": SKY, "in_progress": BLUE, "done": GREEN, "postponed": ORANGE, "cancelled": GREY}
STATE_COLOURS = {"overdue": VERMILLION, "open": BLUE, "postponed": ORANGE, "done": GREEN, "cancelled": GREY}
STANCE_COLOURS = {"champion": GREEN, "ally": SKY, "undecided": ORANGE, "opponent": VERMILLION, "unknown": GREY}
STANCE_SYMBOLS = {"champion": "star", "ally": "circle", "undecided": "diamond", "opponent": "x",
                  "unknown": "circle-open"}
VERIFICATION_COLOURS = {"verified": GREEN, "unverified": ORANGE, "disputed": PURPLE}
SECTOR_COLOURS = dict(zip(SECTORS, (BLUE, ORANGE, PURPLE, GREEN, GREY)))
LEVEL_COLOURS = dict(zip(LEVELS, (BLUE, ORANGE, GREEN)))
#: light to dark blue; a zero is drawn white (an empty cell), never a colour of the scale
COUNT_SCALE = [[0.0, "#ffffff"], [1e-9, "#deebf7"], [0.5, "#6baed6"], [1.0, "#08306b"]]
CONFIG = {"displaylogo": False}
#: ``st.plotly_chart(theme=...)`` for :func:`wdww_heatmap` (keeps its own cell outlines)
HEATMAP_THEME = None


def _style(fig: go.Figure, *, height: int, big: bool = False, legend: bool = True, bg: str = "white") -> go.Figure:
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=90 if legend else 60, b=10), font=dict(size=18 if big else 13),
        title=dict(y=0.98, yanchor="top", x=0, xanchor="left", xref="paper"),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, title=None) if legend else None,
        showlegend=legend, plot_bgcolor=bg,
    )
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def _empty(text: str, height: int = 200) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font=dict(size=16))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _style(fig, height=height, legend=False)


# --------------------------------------------------------------------------- actions
def pipeline_chart(pipe: pd.DataFrame, lang: str, *, big: bool = False) -> go.Figure:
    """Stacked horizontal bars: actions per level (rows) and status (segments), from
    :func:`sna.actions.pipeline`. Levels without any action are left out."""
    totals = pipe.groupby("level")["count"].sum()
    levels = [lv for lv in LEVELS if totals.get(lv, 0) > 0]
    if not levels:
        return _empty(t("actions.none", lang))
    data = pipe[pipe["level"].isin(levels)].assign(
        level_label=lambda d: d["level"].map(lambda c: label("level", c, lang)),
        status_label=lambda d: d["status"].map(lambda c: label("status", c, lang)),
    )
    data = data.assign(text=data["count"].map(lambda n: str(n) if n else ""))
    fig = px.bar(
        data, x="count", y="level_label", color="status", orientation="h", text="text",
        color_discrete_map=STATUS_COLOURS,
        category_orders={"status": list(ACTION_STATUSES), "level_label": [label("level", lv, lang) for lv in levels]},
        custom_data=["status_label"],
        labels={"count": t("actions.n_actions", lang), "level_label": t("actions.col.level", lang)},
        title=t("actions.pipeline", lang),
    )
    names = {s: label("status", s, lang) for s in ACTION_STATUSES}
    fig.for_each_trace(lambda tr: tr.update(name=names.get(tr.name, tr.name),
                                            hovertemplate="%{y} · %{customdata[0]}: %{x}<extra></extra>"))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(gridcolor="#eeeeee")
    return _style(fig, height=140 + 60 * len(levels), big=big)


def timeline_chart(rows: pd.DataFrame, today: dt.date, lang: str, *, big: bool = False) -> go.Figure:
    """A Gantt-like timeline from :func:`sna.tracker.timeline_rows`: one bar per action
    from start to due (done: to its done date, marked ◆), coloured by state (overdue in
    vermillion and marked ✕ at its due date), actions without a due date as an open
    circle at their start, and today as a dashed vertical line."""
    if not len(rows):
        return _empty(t("actions.none", lang))
    data = rows.copy()
    min_width = pd.Timedelta(days=2)
    data["bar_end"] = data["end"].where(data["end"] - data["start"] >= min_width, data["start"] + min_width)
    data["state_label"] = data["state"].map(lambda s: t(f"actions.state.{s}", lang))
    data["y"] = data["ref"].astype(str)
    data["lead"] = data["lead_organisation"].map(lambda v: v if isinstance(v, str) and v else "—")
    data["due_text"] = [t("actions.no_due", lang) if nd or pd.isna(d) else pd.Timestamp(d).date().isoformat()
                        for d, nd in zip(pd.to_datetime(data["due_date"], errors="coerce"), data["no_due"])]
    fig = px.timeline(
        data, x_start="start", x_end="bar_end", y="y", color="state", color_discrete_map=STATE_COLOURS,
        category_orders={"state": [s for s in STATE_COLOURS], "y": list(data["y"])},
        custom_data=["title", "lead", "state_label", "due_text"],
        labels={"y": t("actions.col.ref", lang)}, title=t("actions.timeline", lang),
    )
    fig.for_each_trace(lambda tr: tr.update(
        name=t(f"actions.state.{tr.name}", lang),
        hovertemplate=("<b>%{y}</b> %{customdata[0]}<br>%{customdata[1]}<br>%{customdata[2]} · "
                       + t("actions.col.due", lang) + " %{customdata[3]}<extra></extra>")))
    done = data[data["state"].eq("done")]
    if len(done):
        fig.add_trace(go.Scatter(x=done["end"], y=done["y"], mode="markers", name=t("actions.marker.done", lang),
                                 marker=dict(symbol="diamond", size=10, color=GREEN, line=dict(color="black", width=1)),
                                 hovertemplate="%{y} · " + t("actions.marker.done", lang)
                                 + " %{x|%Y-%m-%d}<extra></extra>"))
    late = data[data["state"].eq("overdue")]
    if len(late):
        fig.add_trace(go.Scatter(x=late["end"], y=late["y"], mode="markers", name=t("actions.marker.overdue", lang),
                                 marker=dict(symbol="x", size=10, color="black"),
                                 hovertemplate="%{y} · " + t("actions.col.due", lang)
                                 + " %{x|%Y-%m-%d}<extra></extra>"))
    no_due = data[data["no_due"].astype(bool)]
    if len(no_due):
        fig.add_trace(go.Scatter(x=no_due["start"], y=no_due["y"], mode="markers", name=t("actions.no_due", lang),
                                 marker=dict(symbol="circle-open", size=11, color="black"),
                                 hovertemplate="%{y} · " + t("actions.no_due", lang) + "<extra></extra>"))
    day = pd.Timestamp(today)
    fig.add_shape(type="line", x0=day, x1=day, y0=0, y1=1, yref="paper", line=dict(color="black", dash="dash", width=2))
    fig.add_annotation(x=day, y=1, yref="paper", text=t("actions.today", lang), showarrow=False,
                       yanchor="bottom", font=dict(color="black"))
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(gridcolor="#eeeeee", title=None)
    return _style(fig, height=160 + 22 * len(data), big=big)


def stage_funnel(counts: pd.DataFrame, lang: str, *, big: bool = False) -> go.Figure:
    """How many asks reached each policy stage (``reached`` of
    :func:`sna.actions.stage_counts` with ``by=()``), as a funnel."""
    data = counts.set_index("stage").reindex(list(POLICY_STAGES)).fillna(0)
    fig = go.Figure(go.Funnel(
        y=[label("stage", s, lang) for s in POLICY_STAGES], x=data["reached"].astype(int).tolist(),
        textinfo="value", marker=dict(color=BLUE), connector=dict(line=dict(color="#cccccc")),
        hovertemplate="%{y}: %{x}<extra></extra>",
    ))
    fig.update_layout(title=t("actions.stages_funnel", lang))
    return _style(fig, height=360, big=big, legend=False)


def stage_bars(counts: pd.DataFrame, by: str, lang: str, *, big: bool = False) -> go.Figure:
    """Asks that reached each stage, grouped by ``by`` (``sector`` or ``level``), from
    :func:`sna.actions.stage_counts` (``reached``)."""
    order = list(SECTORS) if by == "sector" else list(LEVELS)
    colours = SECTOR_COLOURS if by == "sector" else LEVEL_COLOURS
    data = counts[counts[by].isin(order)].copy()
    if not len(data) or not data["reached"].sum():
        return _empty(t("actions.none", lang))
    data["stage_label"] = data["stage"].map(lambda s: label("stage", s, lang))
    fig = px.bar(
        data, x="stage_label", y="reached", color=by, barmode="group", color_discrete_map=colours,
        category_orders={by: [g for g in order if g in set(data[by])],
                         "stage_label": [label("stage", s, lang) for s in POLICY_STAGES]},
        labels={"reached": t("actions.reached", lang), "stage_label": ""},
        title=t(f"actions.stages_by.{by}", lang),
    )
    fig.for_each_trace(lambda tr: tr.update(name=label(by, tr.name, lang),
                                            hovertemplate=label(by, tr.name, lang) + " · %{x}: %{y}<extra></extra>"))
    fig.update_yaxes(gridcolor="#eeeeee", rangemode="tozero")
    return _style(fig, height=380, big=big)


# --------------------------------------------------------------------------- outcomes
def outcome_chart(counts: pd.DataFrame, lang: str, *, big: bool = False) -> go.Figure:
    """Outcomes per type, stacked by verification (from :func:`sna.tracker.outcome_counts`);
    unverified ones hatched, disputed ones dotted."""
    if not counts["count"].sum():
        return _empty(t("outcomes.none", lang))
    data = counts.assign(type_label=counts["outcome_type"].map(lambda c: label("outcome_type", c, lang)))
    fig = px.bar(
        data, x="type_label", y="count", color="verification", pattern_shape="verification",
        pattern_shape_map={"verified": "", "unverified": "/", "disputed": "."},
        color_discrete_map=VERIFICATION_COLOURS,
        category_orders={"verification": list(VERIFICATIONS),
                         "type_label": [label("outcome_type", c, lang) for c in OUTCOME_TYPES]},
        labels={"count": t("outcomes.count", lang), "type_label": ""}, title=t("outcomes.by_type", lang),
    )
    fig.for_each_trace(lambda tr: tr.update(name=label("verification", tr.name, lang),
                                            hovertemplate=label("verification", tr.name, lang)
                                            + " · %{x}: %{y}<extra></extra>"))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(gridcolor="#eeeeee", dtick=1)
    return _style(fig, height=360, big=big)


# --------------------------------------------------------------------------- who does what where
def _axis_label(dimension: str, code: str, lang: str, names: Mapping[str, Mapping[str, str]]) -> str:
    if code in (NO_VALUE, "Total"):
        return code
    if dimension == "region_code":
        return area_name(None if code == NATIONAL_AREA else code, lang, names)
    if dimension == "sector":
        return label("sector", code, lang)
    return code


def wdww_heatmap(matrix: pd.DataFrame, lang: str, names: Mapping[str, Mapping[str, str]], *,
                 big: bool = False) -> go.Figure:
    """Who does what where: the counts of :func:`sna.actions.wdww_matrix` (without
    margins) as a heatmap. Zeros are empty white cells outlined in grey (nobody works
    there); each row and column label carries its total, and the cells sum to the number
    of actions. Show it with ``theme=None`` (:data:`HEATMAP_THEME`): Streamlit's theme
    repaints the grey outline."""
    rows, cols = matrix.index.name, matrix.columns.name
    z = matrix.to_numpy(dtype="int64")
    x = [f"{_axis_label(cols, c, lang, names)} ({n})" for c, n in zip(matrix.columns, z.sum(axis=0))]
    y = [f"{_axis_label(rows, r, lang, names)} ({n})" for r, n in zip(matrix.index, z.sum(axis=1))]
    text = [[str(v) if v else "" for v in row] for row in z]
    zmax = max(1, int(z.max()) if z.size else 1)
    fig = go.Figure(go.Heatmap(
        z=z.tolist(), x=x, y=y, text=text, texttemplate="%{text}", colorscale=COUNT_SCALE, zmin=0,
        zmax=zmax, xgap=2, ygap=2,
        colorbar=dict(title=dict(text=t("actions.n_actions", lang)), dtick=max(1, zmax // 5)),
        hovertemplate="%{y} · %{x}: %{z}<extra></extra>",
    ))
    fig.update_layout(title=t(f"actions.wdww.{rows}.{cols}", lang, total=int(z.sum())))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickangle=-35, side="bottom")
    return _style(fig, height=max(360, 200 + 34 * len(y)), big=big, legend=False, bg="#d9d9d9")


# --------------------------------------------------------------------------- decision-makers
def _jitter(n: int, seed: int, spread: float = 0.22) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-spread, spread, size=n)


def power_interest(dm: pd.DataFrame, lang: str, *, by_stance: bool, seed: int = 0, big: bool = False) -> go.Figure:
    """Power/interest matrix: influence (y) × interest (x), 1-5, points jittered
    (deterministically) so that equal scores stay visible, quadrants named.

    Coloured (and shaped) by stance only when ``by_stance`` is true and ``dm`` has a
    ``stance`` column; otherwise one colour and no stance anywhere in the figure.
    """
    if not len(dm):
        return _empty(t("dm.none", lang))
    data = dm.assign(
        x=dm["interest"].astype(float).to_numpy() + _jitter(len(dm), seed),
        y=dm["influence"].astype(float).to_numpy() + _jitter(len(dm), seed + 1),
        level_label=dm["level"].map(lambda c: label("level", c, lang)),
    )
    hover = ("<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]}<br>"
             + t("dm.col.influence", lang) + " %{customdata[3]} · " + t("dm.col.interest", lang) + " %{customdata[4]}")
    fig = go.Figure()
    colour_stance = by_stance and "stance" in data.columns
    groups = [(s, data[data["stance"] == s]) for s in STANCES] if colour_stance else [(None, data)]
    for stance, part in groups:
        if not len(part):
            continue
        custom = part[["name", "institution", "level_label", "influence", "interest"]].astype(str).to_numpy()
        fig.add_trace(go.Scatter(
            x=part["x"], y=part["y"], mode="markers", customdata=custom,
            name=label("stance", stance, lang) if stance else t("dm.decision_makers", lang),
            marker=dict(size=14, color=STANCE_COLOURS[stance] if stance else BLUE,
                        symbol=STANCE_SYMBOLS[stance] if stance else "circle",
                        line=dict(color="white" if stance != "opponent" else VERMILLION, width=1)),
            hovertemplate=hover + ("<br>" + label("stance", stance, lang) if stance else "") + "<extra></extra>",
        ))
    for value in (3,):
        fig.add_shape(type="line", x0=value, x1=value, y0=0.5, y1=5.5, line=dict(color="#888888", dash="dot"))
        fig.add_shape(type="line", y0=value, y1=value, x0=0.5, x1=5.5, line=dict(color="#888888", dash="dot"))
    for key, x, y in (("manage", 5.45, 5.45), ("satisfy", 0.55, 5.45), ("inform", 5.45, 0.55), ("monitor", 0.55, 0.55)):
        fig.add_annotation(x=x, y=y, text=t(f"dm.quadrant.{key}", lang), showarrow=False, font=dict(color="#555555"),
                           xanchor="right" if x > 3 else "left", yanchor="top" if y > 3 else "bottom")
    fig.update_xaxes(range=[0.5, 5.5], dtick=1, title=t("dm.col.interest", lang) + " (1-5)", gridcolor="#eeeeee")
    fig.update_yaxes(range=[0.5, 5.5], dtick=1, title=t("dm.col.influence", lang) + " (1-5)", gridcolor="#eeeeee")
    fig.update_layout(title=t("dm.matrix", lang))
    return _style(fig, height=560, big=big, legend=colour_stance)


def stance_history_chart(history: pd.DataFrame, lang: str, *, big: bool = False) -> go.Figure:
    """Decision-makers per stance at each date (from :func:`sna.tracker.stance_history`),
    stacked bars. Personal data: only for those allowed to see stances."""
    if not len(history) or not history["count"].sum():
        return _empty(t("dm.none", lang))
    data = history.assign(date_label=history["date"].map(lambda d: pd.Timestamp(d).date().isoformat()))
    fig = px.bar(
        data, x="date_label", y="count", color="stance", color_discrete_map=STANCE_COLOURS,
        category_orders={"stance": list(STANCES)},
        labels={"count": t("dm.count", lang), "date_label": ""}, title=t("dm.stance_history", lang),
    )
    fig.for_each_trace(lambda tr: tr.update(
        name=label("stance", tr.name, lang),
        hovertemplate=label("stance", tr.name, lang) + " · %{x}: %{y}<extra></extra>"))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(gridcolor="#eeeeee")
    return _style(fig, height=380, big=big)
