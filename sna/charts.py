"""Plotly figure builders: data in, figure out (pure; labels come in already translated).

Figures use ``plotly.graph_objects`` (plotly express is several times slower to build),
colour-blind-safe colours (the map's viridis scale for values, Okabe-Ito blue/orange/grey
for population groups), units on every value axis, and no outside resource: they draw
offline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

__all__ = ["GROUP_COLOURS", "ranking_bar", "groups_dumbbell", "trend_multiples", "sector_bars"]

#: Okabe-Ito colours for the series compared on one chart.
GROUP_COLOURS = {"migrants": "#0072B2", "host": "#E69F00", "national": "#555555", "region": "#0072B2"}
_FONT = dict(size=13)


def _layout(fig: go.Figure, height: int, **kwargs) -> go.Figure:
    fig.update_layout(**_layout_dict(height, **kwargs))
    return fig


def _layout_dict(height: int, **kwargs) -> dict:
    """The layout every chart shares, with ``kwargs`` on top."""
    settings = dict(height=height, margin=dict(l=10, r=20, t=40, b=10), font=_FONT,
                    plot_bgcolor="rgba(0,0,0,0)", legend=dict(orientation="h", y=-0.12))
    return {**settings, **kwargs}


# The figures below are built from their whole specification in one call: plotly checks
# every property it is given, and a figure assembled through update_layout / update_xaxes
# calls took ~6 ms against under 1 ms in one go (the gaps page draws two per filter change).

def ranking_bar(names: Sequence[str], values: Sequence[float], colours: Sequence[str], texts: Sequence[str],
                *, x_title: str, title: str = "", height: int | None = None) -> go.Figure:
    """Horizontal bars, the first row on top (pass them worst first). A row without a
    value gets no bar, only its text (e.g. "no data" or ``*``)."""
    xs = [None if v is None or v != v else float(v) for v in values]
    bar = dict(type="bar", x=[0.0 if x is None else x for x in xs], y=list(names), orientation="h",
               marker=dict(color=list(colours), line=dict(color="#444444", width=0.5)),
               text=list(texts), textposition="outside", cliponaxis=False,
               hovertemplate="%{y}: %{text}<extra></extra>")
    return go.Figure(data=[bar], layout=_layout_dict(
        height or 90 + 30 * len(xs), title=dict(text=title, x=0), bargap=0.25,
        yaxis=dict(autorange="reversed", automargin=True, type="category"),
        xaxis=dict(title=dict(text=x_title), zeroline=True, zerolinecolor="#888888", gridcolor="#e5e5e5",
                   automargin=True)))


def groups_dumbbell(names: Sequence[str], migrants: Sequence[float], host: Sequence[float], *,
                    labels: Mapping[str, str], x_title: str, title: str = "",
                    reference: float | None = None, reference_label: str = "") -> go.Figure:
    """Migrants and host values side by side per region: two markers joined by a line.

    ``labels`` names the two series (keys ``migrants``, ``host``); ``reference`` draws a
    dotted vertical line (e.g. the target) labelled ``reference_label``.
    """
    names = list(names)
    xl, yl = [], []
    for n, m, h in zip(names, migrants, host):
        if m == m and h == h and m is not None and h is not None:
            xl += [m, h, None]
            yl += [n, n, None]
    data = [dict(type="scatter", x=xl, y=yl, mode="lines", line=dict(color="#b0b0b0", width=3),
                 hoverinfo="skip", showlegend=False)]
    for key, vals, symbol in (("migrants", migrants, "circle"), ("host", host, "diamond")):
        data.append(dict(type="scatter", x=list(vals), y=names, mode="markers", name=labels[key],
                         marker=dict(color=GROUP_COLOURS[key], size=13, symbol=symbol,
                                     line=dict(color="white", width=1)),
                         hovertemplate="%{y} · " + labels[key] + " : %{x}<extra></extra>"))
    extra: dict = {}
    if reference is not None and reference == reference:  # a vertical line across the plot, labelled on top
        extra = dict(shapes=[dict(type="line", xref="x", yref="y domain", x0=reference, x1=reference, y0=0, y1=1,
                                  line=dict(color="#555555", dash="dot", width=1.5))],
                     annotations=[dict(xref="x", yref="y domain", x=reference, y=1, text=reference_label,
                                       showarrow=False, xanchor="center", yanchor="bottom")])
    return go.Figure(data=data, layout=_layout_dict(
        110 + 30 * len(names), title=dict(text=title, x=0),
        yaxis=dict(autorange="reversed", type="category", categoryorder="array", categoryarray=names,
                   automargin=True),
        xaxis=dict(title=dict(text=x_title), gridcolor="#e5e5e5"), **extra))


def trend_multiples(series: pd.DataFrame, indicators: Sequence[str], *, titles: Mapping[str, str],
                    units: Mapping[str, str], labels: Mapping[str, str], periods: Sequence[str],
                    cols: int = 4) -> go.Figure:
    """Small multiples, one panel per indicator: the series of ``series`` (columns
    ``indicator, period, series, value``; series ``migrants``, ``national``, ``host``)
    over ``periods`` (in order). ``labels`` names the series, ``units`` the y axes."""
    indicators = list(indicators)
    rows = max(1, -(-len(indicators) // cols))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[titles.get(i, i) for i in indicators],
                        horizontal_spacing=0.06, vertical_spacing=0.16 if rows > 1 else 0.1)
    styles = {"migrants": dict(color=GROUP_COLOURS["migrants"], dash="solid", symbol="circle"),
              "national": dict(color=GROUP_COLOURS["national"], dash="dot", symbol="square"),
              "host": dict(color=GROUP_COLOURS["host"], dash="dash", symbol="diamond")}
    shown: set[str] = set()
    by_ind = {k: g for k, g in series.groupby("indicator")} if len(series) else {}
    for k, ind in enumerate(indicators):
        r, c = k // cols + 1, k % cols + 1
        g = by_ind.get(ind)
        if g is not None:
            for name, st in styles.items():
                s = g[g["series"].eq(name)]
                if s.empty:
                    continue
                fig.add_trace(go.Scatter(
                    x=s["period"].tolist(), y=s["value"].tolist(), mode="lines+markers", name=labels[name],
                    legendgroup=name, showlegend=name not in shown,
                    line=dict(color=st["color"], dash=st["dash"], width=2),
                    marker=dict(symbol=st["symbol"], size=7, color=st["color"]),
                    hovertemplate=labels[name] + " · %{x} : %{y}<extra></extra>"), row=r, col=c)
                shown.add(name)
        fig.update_yaxes(title_text=units.get(ind, ""), title_standoff=2, gridcolor="#e5e5e5",
                         rangemode="tozero", row=r, col=c)
        fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(periods),
                         tickangle=0, nticks=4, row=r, col=c)
    fig.update_annotations(font=dict(size=12))
    return _layout(fig, 60 + 240 * rows, margin=dict(l=10, r=10, t=50, b=10))


def sector_bars(sectors: Sequence[str], region: Sequence[float], national: Sequence[float],
                texts: Sequence[str], *, labels: Mapping[str, str], x_title: str, title: str = "") -> go.Figure:
    """Sector indices of a region against the national ones (grouped horizontal bars);
    ``texts`` (e.g. the region's coverage) are written beside the region's bars."""
    data = [
        dict(type="bar", y=list(sectors), x=[None if v != v else v for v in region], orientation="h",
             name=labels["region"], marker=dict(color=GROUP_COLOURS["region"]), text=list(texts),
             textposition="outside", cliponaxis=False),
        dict(type="bar", y=list(sectors), x=[None if v != v else v for v in national], orientation="h",
             name=labels["national"], marker=dict(color="#b0b0b0")),
    ]
    return go.Figure(data=data, layout=_layout_dict(
        120 + 60 * len(sectors), title=dict(text=title, x=0), barmode="group",
        yaxis=dict(autorange="reversed", type="category", automargin=True),
        xaxis=dict(title=dict(text=x_title), range=[0, 11], gridcolor="#e5e5e5")))


def status_bars(statuses: Sequence[str], counts: Sequence[int], *, x_title: str, y_title: str,
                title: str) -> go.Figure:
    """Actions by status as horizontal bars (labels already translated), built with
    graph objects rather than plotly express, which spends ~15 ms per call preparing data."""
    fig = go.Figure(go.Bar(
        x=list(counts), y=list(statuses), text=[str(int(n)) for n in counts], orientation="h",
        textposition="auto", marker=dict(color="#35608d"), showlegend=False,
        hovertemplate=f"{x_title}=%{{text}}<br>{y_title}=%{{y}}<extra></extra>"))
    fig.update_layout(xaxis=dict(title=dict(text=x_title)),
                      yaxis=dict(title=dict(text=y_title), autorange="reversed"),
                      title=dict(text=title), height=300, margin=dict(l=10, r=10, t=50, b=10))
    return fig
