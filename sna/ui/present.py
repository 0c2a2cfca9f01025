"""Presentation mode: the cached deck, the slide index in the URL (``slide=3``), the
chrome-hiding styles and the snapshot download."""

from __future__ import annotations

import dataclasses

import streamlit as st

from .. import config, slides
from ..filters import Filters
from . import data
from .frame import KEY, Ctx


@dataclasses.dataclass
class Deck:
    slides: list
    stamp: str
    period: str | None


@st.cache_resource(show_spinner=False, max_entries=16)
def _inputs(url: str, version: int, filters: Filters) -> dict:
    return slides.load_inputs(data.engine(), filters)


def deck(c: Ctx, keys: tuple[str, ...]) -> Deck:
    """The slides for the current filters and language (inputs cached on data_version)."""
    inputs = _inputs(config.database_url(), data.version(), c.filters)
    today = config.today()
    built = slides.build(inputs, c.filters, c.lang, keys, today)
    stamp = slides.stamp(c.filters, c.lang, inputs["names"], inputs["period"], inputs["data_date"], today)
    return Deck(built, stamp, inputs["period"])


def snapshot(c: Ctx, keys: tuple[str, ...]):
    """The snapshot as a callable for ``st.download_button``: built when clicked (it holds
    plotly.js, about 5 MB), not on every rerun."""
    inputs = _inputs(config.database_url(), data.version(), c.filters)
    filters, lang, today = c.filters, c.lang, config.today()

    def build() -> bytes:
        built = slides.build(inputs, filters, lang, keys, today)
        stamp = slides.stamp(filters, lang, inputs["names"], inputs["period"], inputs["data_date"], today)
        return slides.snapshot_html(built, lang=lang, stamp_text=stamp).encode("utf-8")

    return build


def current(n: int) -> int:
    """The slide shown (0-based), from the URL's ``slide`` (1-based), clamped to the deck."""
    raw = st.query_params.get("slide", "1")
    try:
        i = int(raw) - 1
    except ValueError:
        i = 0
    i = min(max(i, 0), max(n - 1, 0))
    if st.query_params.get("slide") != str(i + 1):
        st.query_params["slide"] = str(i + 1)
    return i


def go(i: int) -> None:
    st.query_params["slide"] = str(i + 1)


def start() -> None:
    st.session_state[KEY.format("presenting")] = True
    st.query_params["present"] = "1"
    st.query_params["slide"] = "1"
    st.rerun()


def stop() -> None:
    st.session_state[KEY.format("presenting")] = False
    if "present" in st.query_params:
        del st.query_params["present"]
