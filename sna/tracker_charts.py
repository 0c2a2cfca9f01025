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
import plotly.graph_objects as go

from .actions import NO_VALUE
from .codes import NATIONAL_AREA, ACTION_STATUSES, LEVELS, OUTCOME_TYPES, POLICY_STAGES, SECTORS, STANCES, VERIFICATIONS
from .i18n import area_name, fmt_month, label, t

__all__ = [
    "STATUS_COLOURS", "STATE_COLOURS", "STANCE_COLOURS", "pipeline_chart", "timeline_chart", "month_ticks",
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


def _layout(*, title: str, height: int, big: bool = False, legend: bool = True, bg: str = "white",
            xaxis: dict | None = None, yaxis: dict | None = None, **more) -> dict:
    """The layout every tracker chart shares, as one dict (a figure built in one call: plotly
    checks every update separately, and plotly express prepares its data at length; the
    tab of a chart is drawn on a click, so a few milliseconds each add up)."""
    return dict(
        height=height, margin=dict(l=10, r=10, t=90 if legend else 60, b=10), font=dict(size=18 if big else 13),
        title=dict(text=title, y=0.98, yanchor="top", x=0, xanchor="left", xref="paper"),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, title=None) if legend else None,
        showlegend=legend, plot_bgcolor=bg,
        xaxis={**(xaxis or {}), "automargin": True}, yaxis={**(yaxis or {}), "automargin": True}, **more)


def _bars(data: pd.DataFrame, *, by: str, order, category: str, value: str, colours: Mapping[str, str],
          names: Mapping[str, str], hover: str, horizontal: bool = False, text: str | None = None,
          patterns: Mapping[str, str] | None = None, custom: bool = False) -> list[dict]:
    """One bar trace per value of ``by`` present in ``data`` (in ``order``), as plotly
    express draws a ``color=by`` bar chart: ``category`` on the category axis, ``value``
    on the other; ``hover``'s ``{name}`` is the group's name."""
    traces = []
    for group in order:
        part = data[data[by] == group]
        if not len(part):
            continue
        cats, values = part[category].tolist(), part[value].tolist()
        trace = dict(type="bar", orientation="h" if horizontal else "v", name=names[group], legendgroup=group,
                     showlegend=True, marker=dict(color=colours[group], pattern=dict(shape=(patterns or {}).get(
                         group, ""))), hovertemplate=hover.format(name=names[group]),
                     **({"x": values, "y": cats} if horizontal else {"x": cats, "y": values}))
        if text:
            trace["text"] = part[text].tolist()
        if custom:
            trace["customdata"] = [[names[group]]] * len(part)
        traces.append(trace)
    return traces


def _empty(text: str, height: int = 200) -> go.Figure:
    return go.Figure(layout=_layout(
        title="", height=height, legend=False, xaxis=dict(visible=False), yaxis=dict(visible=False),
        annotations=[dict(text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font=dict(size=16))]))


# --------------------------------------------------------------------------- actions
def pipeline_chart(pipe: pd.DataFrame, lang: str, *, big: bool = False) -> go.Figure:
    """Stacked horizontal bars: actions per level (rows) and status (segments), from
    :func:`sna.actions.pipeline`. Levels without any action are left out."""
    totals = pipe.groupby("level")["count"].sum()
    levels = [lv for lv in LEVELS if totals.get(lv, 0) > 0]
    if not levels:
        return _empty(t("actions.none", lang))
    data = pipe[pipe["level"].isin(levels)]
    data = data.assign(level_label=data["level"].map(lambda c: label("level", c, lang)),
                       text=data["count"].map(lambda n: str(n) if n else ""))
    names = {s: label("status", s, lang) for s in ACTION_STATUSES}
    bars = _bars(data, by="status", order=ACTION_STATUSES, category="level_label", value="count",
                 colours=STATUS_COLOURS, names=names, horizontal=True, text="text", custom=True,
                 hover="%{{y}} · %{{customdata[0]}}: %{{x}}<extra></extra>")
    for bar in bars:
        bar["textposition"] = "auto"
    return go.Figure(data=bars, layout=_layout(
        title=t("actions.pipeline", lang), height=140 + 60 * len(levels), big=big, barmode="stack",
        xaxis=dict(title=dict(text=t("actions.n_actions", lang)), gridcolor="#eeeeee"),
        yaxis=dict(title=dict(text=t("actions.col.level", lang)), categoryorder="array",
                   categoryarray=[label("level", lv, lang) for lv in reversed(levels)])))


def timeline_chart(rows: pd.DataFrame, today: dt.date, lang: str, *, big: bool = False) -> go.Figure:
    """A Gantt-like timeline from :func:`sna.tracker.timeline_rows`, in their order from
    the top: one bar per action from start to due (done: to its done date, marked ◆),
    coloured by state (overdue in vermillion and marked ✕ at its due date), actions without
    a due date as an open circle at their start, and today as a dashed vertical line."""
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
    hover = ("<b>%{y}</b> %{customdata[0]}<br>%{customdata[1]}<br>%{customdata[2]} · "
             + t("actions.col.due", lang) + " %{customdata[3]}<extra></extra>")
    traces = []
    for state in STATE_COLOURS:  # a bar from start, as long as the action (plotly express's timeline)
        part = data[data["state"].eq(state)]
        if len(part):
            traces.append(dict(
                type="bar", orientation="h", base=part["start"].to_numpy(),
                x=((part["bar_end"] - part["start"]).dt.total_seconds() * 1000).astype("int64").to_numpy(),
                y=part["y"].tolist(), name=t(f"actions.state.{state}", lang), legendgroup=state, showlegend=True,
                marker=dict(color=STATE_COLOURS[state]), hovertemplate=hover,
                customdata=part[["title", "lead", "state_label", "due_text"]].to_numpy(dtype=object)))
    marks = (("done", "end", t("actions.marker.done", lang), dict(symbol="diamond", size=10, color=GREEN,
                                                                    line=dict(color="black", width=1)),
              " %{x|%Y-%m-%d}"),
             ("overdue", "end", t("actions.marker.overdue", lang), dict(symbol="x", size=10, color="black"),
              None),
             ("no_due", "start", t("actions.no_due", lang), dict(symbol="circle-open", size=11, color="black"), ""))
    for state, at, name, marker, tail in marks:
        part = data[data["no_due"].astype(bool)] if state == "no_due" else data[data["state"].eq(state)]
        if len(part):
            what = t("actions.col.due", lang) + " %{x|%Y-%m-%d}" if tail is None else name + tail
            traces.append(dict(type="scatter", x=part[at].to_numpy(), y=part["y"].tolist(), mode="markers",
                               name=name, marker=marker, hovertemplate="%{y} · " + what + "<extra></extra>"))
    day = pd.Timestamp(today)
    ticks = month_ticks(min(data["start"].min(), day), max(data["bar_end"].max(), day))
    return go.Figure(data=traces, layout=_layout(
        title=t("actions.timeline", lang), height=160 + 22 * len(data), big=big, barmode="overlay",
        xaxis=dict(type="date", gridcolor="#eeeeee", title=None, tickmode="array", tickvals=ticks,
                   ticktext=[fmt_month(d.date(), lang) for d in ticks]),
        yaxis=dict(title=None, categoryorder="array", categoryarray=list(data["y"])[::-1]),
        shapes=[dict(type="line", x0=day, x1=day, y0=0, y1=1, yref="paper",
                     line=dict(color="black", dash="dash", width=2))],
        # "today" written inside the plot, beside the line (above it, it ran into the legend)
        annotations=[dict(x=day, y=1, yref="paper", text=t("actions.today", lang), showarrow=False,
                          xanchor="left", yanchor="top", xshift=3, bgcolor="rgba(255,255,255,0.85)",
                          font=dict(color="black"))]))


def month_ticks(first: pd.Timestamp, last: pd.Timestamp, most: int = 10) -> list[pd.Timestamp]:
    """First days of months from ``first`` to ``last`` for a time axis, every 1, 3, 6 or 12
    months (the first step that gives at most ``most`` ticks; quarters and years start in
    January)."""
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    step = next((s for s in (1, 3, 6) if months / s <= most), 12 * max(1, -(-months // (12 * most))))
    start = pd.Timestamp(first.year, first.month - (first.month - 1) % min(step, 12), 1)
    ticks = list(pd.date_range(start, last, freq=f"{step}MS"))
    return [d for d in ticks if d >= first] or [start]


def stage_funnel(counts: pd.DataFrame, lang: str, *, big: bool = False) -> go.Figure:
    """How many asks reached each policy stage (``reached`` of
    :func:`sna.actions.stage_counts` with ``by=()``), as a funnel."""
    data = counts.set_index("stage").reindex(list(POLICY_STAGES)).fillna(0)
    funnel = dict(type="funnel", y=[label("stage", s, lang) for s in POLICY_STAGES],
                  x=data["reached"].astype(int).tolist(), textinfo="value", marker=dict(color=BLUE),
                  connector=dict(line=dict(color="#cccccc")), hovertemplate="%{y}: %{x}<extra></extra>")
    return go.Figure(data=[funnel], layout=_layout(title=t("actions.stages_funnel", lang), height=360, big=big,
                                                   legend=False))


def stage_bars(counts: pd.DataFrame, by: str, lang: str, *, big: bool = False) -> go.Figure:
    """Asks that reached each stage, grouped by ``by`` (``sector`` or ``level``), from
    :func:`sna.actions.stage_counts` (``reached``)."""
    order = list(SECTORS) if by == "sector" else list(LEVELS)
    colours = SECTOR_COLOURS if by == "sector" else LEVEL_COLOURS
    data = counts[counts[by].isin(order)].copy()
    if not len(data) or not data["reached"].sum():
        return _empty(t("actions.none", lang))
    data["stage_label"] = data["stage"].map(lambda s: label("stage", s, lang))
    names = {g: label(by, g, lang) for g in order}
    bars = _bars(data, by=by, order=order, category="stage_label", value="reached", colours=colours, names=names,
                 hover="{name} · %{{x}}: %{{y}}<extra></extra>")
    for bar in bars:  # bars side by side
        bar.update(offsetgroup=bar["legendgroup"], alignmentgroup="True")
    return go.Figure(data=bars, layout=_layout(
        title=t(f"actions.stages_by.{by}", lang), height=380, big=big, barmode="group",
        xaxis=dict(title=dict(text=""), categoryorder="array",
                   categoryarray=[label("stage", s, lang) for s in POLICY_STAGES]),
        yaxis=dict(title=dict(text=t("actions.reached", lang)), gridcolor="#eeeeee", rangemode="tozero")))


# --------------------------------------------------------------------------- outcomes
def outcome_chart(counts: pd.DataFrame, lang: str, *, big: bool = False) -> go.Figure:
    """Outcomes per type, stacked by verification (from :func:`sna.tracker.outcome_counts`);
    unverified ones hatched, disputed ones dotted."""
    if not counts["count"].sum():
        return _empty(t("outcomes.none", lang))
    data = counts.assign(type_label=counts["outcome_type"].map(lambda c: label("outcome_type", c, lang)))
    bars = _bars(data, by="verification", order=VERIFICATIONS, category="type_label", value="count",
                 colours=VERIFICATION_COLOURS, names={v: label("verification", v, lang) for v in VERIFICATIONS},
                 patterns={"verified": "", "unverified": "/", "disputed": "."},
                 hover="{name} · %{{x}}: %{{y}}<extra></extra>")
    return go.Figure(data=bars, layout=_layout(
        title=t("outcomes.by_type", lang), height=360, big=big, barmode="stack",
        xaxis=dict(title=dict(text=""), categoryorder="array",
                   categoryarray=[label("outcome_type", c, lang) for c in OUTCOME_TYPES]),
        yaxis=dict(title=dict(text=t("outcomes.count", lang)), gridcolor="#eeeeee", dtick=1)))


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
    heat = dict(type="heatmap", z=z.tolist(), x=x, y=y, text=text, texttemplate="%{text}", colorscale=COUNT_SCALE,
                zmin=0, zmax=zmax, xgap=2, ygap=2,
                colorbar=dict(title=dict(text=t("actions.n_actions", lang)), dtick=max(1, zmax // 5)),
                hovertemplate="%{y} · %{x}: %{z}<extra></extra>")
    return go.Figure(data=[heat], layout=_layout(
        title=t(f"actions.wdww.{rows}.{cols}", lang, total=int(z.sum())), height=max(360, 200 + 34 * len(y)),
        big=big, legend=False, bg="#d9d9d9", yaxis=dict(autorange="reversed"),
        xaxis=dict(tickangle=-35, side="bottom")))


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
    traces = []
    colour_stance = by_stance and "stance" in data.columns
    groups = [(s, data[data["stance"] == s]) for s in STANCES] if colour_stance else [(None, data)]
    for stance, part in groups:
        if not len(part):
            continue
        custom = part[["name", "institution", "level_label", "influence", "interest"]].astype(str).to_numpy()
        traces.append(dict(
            type="scatter", x=part["x"].to_numpy(), y=part["y"].to_numpy(), mode="markers", customdata=custom,
            name=label("stance", stance, lang) if stance else t("dm.decision_makers", lang),
            marker=dict(size=14, color=STANCE_COLOURS[stance] if stance else BLUE,
                        symbol=STANCE_SYMBOLS[stance] if stance else "circle",
                        line=dict(color="white" if stance != "opponent" else VERMILLION, width=1)),
            hovertemplate=hover + ("<br>" + label("stance", stance, lang) if stance else "") + "<extra></extra>",
        ))
    dotted = dict(color="#888888", dash="dot")
    shapes = [dict(type="line", x0=3, x1=3, y0=0.5, y1=5.5, line=dotted),
              dict(type="line", y0=3, y1=3, x0=0.5, x1=5.5, line=dotted)]
    quadrants = [dict(x=x, y=y, text=t(f"dm.quadrant.{key}", lang), showarrow=False, font=dict(color="#555555"),
                      xanchor="right" if x > 3 else "left", yanchor="top" if y > 3 else "bottom")
                 for key, x, y in (("manage", 5.45, 5.45), ("satisfy", 0.55, 5.45), ("inform", 5.45, 0.55),
                                   ("monitor", 0.55, 0.55))]
    return go.Figure(data=traces, layout=_layout(
        title=t("dm.matrix", lang), height=560, big=big, legend=colour_stance, shapes=shapes, annotations=quadrants,
        xaxis=dict(range=[0.5, 5.5], dtick=1, title=dict(text=t("dm.col.interest", lang) + " (1-5)"),
                   gridcolor="#eeeeee"),
        yaxis=dict(range=[0.5, 5.5], dtick=1, title=dict(text=t("dm.col.influence", lang) + " (1-5)"),
                   gridcolor="#eeeeee")))


def stance_history_chart(history: pd.DataFrame, lang: str, *, big: bool = False) -> go.Figure:
    """Decision-makers per stance at each date (from :func:`sna.tracker.stance_history`),
    stacked bars. Personal data: only for those allowed to see stances."""
    if not len(history) or not history["count"].sum():
        return _empty(t("dm.none", lang))
    data = history.assign(date_label=history["date"].map(lambda d: pd.Timestamp(d).date().isoformat()))
    bars = _bars(data, by="stance", order=STANCES, category="date_label", value="count", colours=STANCE_COLOURS,
                 names={s: label("stance", s, lang) for s in STANCES}, hover="{name} · %{{x}}: %{{y}}<extra></extra>")
    return go.Figure(data=bars, layout=_layout(
        title=t("dm.stance_history", lang), height=380, big=big, barmode="stack",
        xaxis=dict(title=dict(text="")), yaxis=dict(title=dict(text=t("dm.count", lang)), gridcolor="#eeeeee")))
