"""Maps of the 12 regions that draw with no internet: pure builders, data in, deck out.

Colours
    One colour-blind-safe sequential scale (viridis), read from *best* (light yellow) to
    *worst* (dark purple): darker always means worse, whatever the indicator's direction.
    A value's place on the scale is its *badness* in [0, 1] (:func:`badness`). Areas
    without data are light grey with a dashed dark-grey outline: grey is not a colour of
    the scale. The selected region is outlined thick in vermillion (not on the scale either).

Decks
    :func:`region_deck` returns a :class:`CompactDeck`: a ``pydeck.Deck`` with no basemap
    (``map_provider=None`` and pydeck's ``"__MAP_STYLE__"`` placeholder as ``mapStyle``,
    which Streamlit reads as "none"), so the browser makes no outside request,
    and whose JSON is compact and computed once (pydeck's own JSON is indented: ~380 KB
    for the 12 regions instead of ~80 KB). Feature properties are kept small: code, name,
    a pre-formatted tooltip text and the drawing style.

Nothing here imports Streamlit; labels come in from the caller (already translated).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from . import geo

__all__ = [
    "LAYER_ID", "VIRIDIS", "NO_DATA_FILL", "NO_DATA_LINE", "SELECTED_LINE", "MAX_PAYLOAD_BYTES",
    "badness", "scale_colour", "fill_colour", "plotly_colorscale", "feature_styles",
    "CompactDeck", "region_deck", "legend_figure", "selected_code", "region_after_click",
]

#: id of the regions layer (Streamlit's selection state is keyed by layer id).
LAYER_ID = "regions"
#: What a map may weigh in the browser (DESIGN.md section 9).
MAX_PAYLOAD_BYTES = 150_000

#: matplotlib's viridis sampled at 0, 1/8, ..., 1 (dark purple → yellow).
VIRIDIS: tuple[tuple[int, int, int], ...] = (
    (68, 1, 84), (72, 40, 120), (62, 73, 137), (49, 104, 142), (38, 130, 142),
    (31, 158, 137), (53, 183, 121), (110, 206, 88), (253, 231, 37),
)
NO_DATA_FILL = (217, 217, 217, 255)
NO_DATA_LINE = (77, 77, 77, 255)
DATA_LINE = (255, 255, 255, 255)
SELECTED_LINE = (213, 94, 0, 255)      # Okabe-Ito vermillion
NO_DATA_DASH = (4, 3)
SOLID = (0, 0)
LINE_WIDTH, SELECTED_WIDTH = 1, 4      # pixels

#: Centre and zoom that frame the 12 regions (bounds -17.1..-1.0 E, 20.9..36.1 N).
VIEW = {"latitude": 28.6, "longitude": -9.06, "zoom": 4.3, "min_zoom": 3, "max_zoom": 9}


# --------------------------------------------------------------------------- colours
def badness(values: Sequence[float] | pd.Series, lo: float, hi: float, *,
            higher_is_worse: bool = True) -> np.ndarray:
    """Place of each value on the scale: 0 = best end, 1 = worst end, NaN = no data.

    Values are clipped to ``[lo, hi]``; with ``higher_is_worse`` False the scale is
    reversed (a low enrolment rate is worse). ``lo == hi`` puts every value in the middle.
    """
    v = pd.to_numeric(pd.Series(values, dtype="object"), errors="coerce").to_numpy(dtype="float64")
    if hi == lo:
        out = np.where(np.isnan(v), np.nan, 0.5)
    else:
        out = np.clip((v - lo) / (hi - lo), 0.0, 1.0)
    return out if higher_is_worse else 1.0 - out


def scale_colour(b: float) -> tuple[int, int, int]:
    """RGB of badness ``b`` (0 = best, light yellow; 1 = worst, dark purple)."""
    x = (1.0 - min(max(float(b), 0.0), 1.0)) * (len(VIRIDIS) - 1)
    i = min(int(math.floor(x)), len(VIRIDIS) - 2)
    f = x - i
    lo, hi = VIRIDIS[i], VIRIDIS[i + 1]
    return tuple(int(round(a + (c - a) * f)) for a, c in zip(lo, hi))  # type: ignore[return-value]


def fill_colour(b: float | None) -> list[int]:
    """RGBA fill for a badness; no data (None/NaN) is :data:`NO_DATA_FILL`."""
    if b is None or (isinstance(b, float) and math.isnan(b)):
        return list(NO_DATA_FILL)
    return [*scale_colour(b), 255]


def _hex(rgb: Sequence[int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb[:3])


def plotly_colorscale(steps: int = 8) -> list[list]:
    """The same scale for plotly, indexed by badness (0 = best ... 1 = worst)."""
    return [[k / steps, _hex(scale_colour(k / steps))] for k in range(steps + 1)]


def feature_styles(codes: Sequence[str], badnesses: Sequence[float], selected: str | None = None) -> pd.DataFrame:
    """Drawing style per region: ``fill`` (RGBA), ``line`` (RGBA), ``lw`` (pixels) and
    ``dash`` (``[dash, gap]``; ``[0, 0]`` = solid). No data: grey fill, dashed outline."""
    rows = []
    for code, b in zip(codes, badnesses):
        missing = b is None or (isinstance(b, float) and math.isnan(b))
        line, lw = (NO_DATA_LINE, LINE_WIDTH) if missing else (DATA_LINE, LINE_WIDTH)
        if code == selected:
            line, lw = SELECTED_LINE, SELECTED_WIDTH
        rows.append({"code": str(code), "fill": fill_colour(None if missing else float(b)),
                     "line": list(line), "lw": lw, "dash": list(NO_DATA_DASH if missing else SOLID)})
    return pd.DataFrame(rows, columns=["code", "fill", "line", "lw", "dash"])


# ------------------------------------------------------------------------------ deck
class CompactDeck(pdk.Deck):
    """A ``pydeck.Deck`` whose JSON is compact UTF-8 text, computed once.

    Treat it as read-only once :meth:`to_json` has been called (it may be shared between
    sessions by a cache).
    """

    _json: str | None = None

    def to_json(self) -> str:
        if self._json is None:
            text = json.dumps(self, sort_keys=True, default=default_serialize,
                              separators=(",", ":"), ensure_ascii=False)
            object.__setattr__(self, "_json", text)
        return self._json  # type: ignore[return-value]

    def __repr__(self) -> str:
        return self.to_json()


_KEPT_PROPERTIES = ("code", "name", "tip", "fill", "line", "lw", "dash")


def region_deck(values: pd.DataFrame, *, selected: str | None = None, rtl: bool = False) -> CompactDeck:
    """A choropleth of the 12 regions with no basemap.

    ``values`` has one row per region: ``code``, ``name`` (in the reader's language),
    ``tip`` (the tooltip text, lines separated by ``\\n``, shown as plain text) and
    ``badness`` (:func:`badness`; NaN = no data). ``selected`` is outlined thick.
    """
    styles = feature_styles(list(values["code"]), list(values["badness"]), selected)
    table = values[["code", "name", "tip"]].astype({"code": str}).merge(styles, on="code", how="left")
    collection = geo.geojson_with_values(table, key="code", level="region")
    for feature in collection["features"]:
        props = feature["properties"]
        if props.get("fill") is None:  # a region absent from ``values``
            props.update(name=props.get("name_fr") or props["code"], tip="",
                         **feature_styles([props["code"]], [float("nan")]).iloc[0].drop("code").to_dict())
        feature["properties"] = {k: props.get(k) for k in _KEPT_PROPERTIES}
    layer = pdk.Layer(
        "GeoJsonLayer", data=collection, id=LAYER_ID, pickable=True, stroked=True, filled=True,
        get_fill_color="properties.fill", get_line_color="properties.line",
        get_line_width="properties.lw", line_width_units=pdk.types.String("pixels"),
        line_width_min_pixels=1, line_joint_rounded=True,
        extensions=[{"@@type": "PathStyleExtension", "dash": True}],
        get_dash_array="properties.dash", dash_justified=True,
        auto_highlight=True, highlight_color=[255, 255, 255, 70],
    )
    tooltip = {
        "html": "<b>{name}</b><div>{tip}</div>",
        "style": {"backgroundColor": "#222222", "color": "#ffffff", "fontSize": "14px",
                  "whiteSpace": "pre-line", "maxWidth": "340px", "padding": "8px",
                  "direction": "rtl" if rtl else "ltr", "textAlign": "right" if rtl else "left"},
    }
    # map_provider=None and *no* map_style: pydeck then writes its "__MAP_STYLE__" sentinel,
    # which Streamlit reads as "no basemap". map_style=None would drop the key, and Streamlit
    # 1.67 replaces a missing style with Carto's (an outside request, blank offline).
    return CompactDeck(layers=[layer], initial_view_state=pdk.ViewState(**VIEW), map_provider=None,
                       tooltip=tooltip)


def legend_figure(lo: float, hi: float, *, higher_is_worse: bool, title: str, no_data: str,
                  tick_format: str = ".0f", dark_means: str = "") -> go.Figure:
    """A small heat strip with the map's colours, ``lo`` → ``hi`` on an axis titled with
    the unit, and a grey "no data" swatch beside it."""
    xs = np.linspace(lo, hi, 60) if hi > lo else np.array([lo, lo + 1.0])
    bs = badness(xs, lo, hi, higher_is_worse=higher_is_worse)
    heat = dict(type="heatmap", x=xs, y=[0], z=[bs], zmin=0, zmax=1, colorscale=plotly_colorscale(),
                showscale=False, hoverinfo="skip")
    return go.Figure(data=[heat], layout=dict(  # in one call: plotly checks each update separately
        shapes=[dict(type="rect", xref="paper", yref="paper", x0=0.6, x1=0.64, y0=0.0, y1=1.0,
                     fillcolor=_hex(NO_DATA_FILL), line=dict(color=_hex(NO_DATA_LINE), width=1.5, dash="dot"))],
        annotations=[dict(xref="paper", yref="paper", x=0.655, y=0.5, text=no_data, showarrow=False,
                          xanchor="left", font=dict(size=12))],
        height=92, margin=dict(l=8, r=8, t=28, b=30),
        title=dict(text=title + (f" · {dark_means}" if dark_means else ""), font=dict(size=13), x=0, y=0.97),
        xaxis=dict(domain=[0, 0.56], tickformat=tick_format, showgrid=False, fixedrange=True,
                   ticks="outside"),
        yaxis=dict(visible=False, fixedrange=True),
        plot_bgcolor="rgba(0,0,0,0)", paper_bgcolor="rgba(0,0,0,0)",
    ))


# ------------------------------------------------------------------------- selection
def selected_code(state: Mapping[str, Any] | None, codes: Sequence[str] | None = None,
                  layer_id: str = LAYER_ID) -> str | None:
    """The region code picked in ``st.pydeck_chart``'s selection state, or None.

    Reads the picked feature's ``properties.code``; falls back to the picked index in
    ``codes`` (the features' order) when the object is not given.
    """
    if not state:
        return None
    selection = state.get("selection") if isinstance(state, Mapping) else None
    if not selection:
        return None
    objects = (selection.get("objects") or {}).get(layer_id) or []
    for obj in objects:
        if isinstance(obj, Mapping):
            props = obj.get("properties") if isinstance(obj.get("properties"), Mapping) else obj
            code = props.get("code")
            if code:
                return str(code)
    indices = (selection.get("indices") or {}).get(layer_id) or []
    if indices and codes is not None and 0 <= int(indices[0]) < len(codes):
        return str(codes[int(indices[0])])
    return None


def region_after_click(state: Mapping[str, Any] | None, current: str | None,
                       codes: Sequence[str] | None = None) -> tuple[bool, str | None]:
    """``(changed, region)`` after a click on the map: a click on another region selects
    it, a click on the selected one clears the selection, no click changes nothing."""
    code = selected_code(state, codes)
    if code is None:
        return False, current
    if code == current:
        return True, None
    return True, code


def payload_bytes(deck: pdk.Deck) -> int:
    """Bytes of the deck's JSON as sent to the browser."""
    return len(deck.to_json().encode("utf-8"))
