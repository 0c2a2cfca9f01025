"""Layout helpers shared by the pages: tabs of which only the open one is drawn, widget
state kept while hidden, keys tied to what a widget shows."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import streamlit as st

from .frame import ctx


def lazy_tabs(key: str, names: Sequence[str], prefix: str) -> dict:
    """Tabs labelled ``t(f"{prefix}.{name}")``, keyed ``key``, of which only the open one
    runs: ``st.tabs`` otherwise runs every tab's content on every rerun, whichever is shown
    (a dozen charts and tables on the actions page). Draw a tab's content under
    ``if tabs[name].open:``; a click on another tab reruns the page with that one open.

    The open tab is remembered in the session by its label; after a change of language the
    first tab opens again.
    """
    c = ctx()
    labels = [c.t(f"{prefix}.{name}") for name in names]
    if st.session_state.get(key) not in labels:
        st.session_state.pop(key, None)
    return dict(zip(names, st.tabs(labels, key=key, on_change="rerun")))


def keep(*keys: str) -> None:
    """Keep the state of these widgets through reruns where they are not drawn (they sit
    in a tab that is closed): Streamlit forgets a widget's value at the end of a run that
    did not draw it; setting it again through Session State keeps it."""
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def view_key(name: str, *shown: object) -> str:
    """A widget key that changes with what the widget shows (``shown``: the filters, the
    data version...): a row selected in a table is forgotten when the table shows other
    rows, instead of pointing at whatever row now has its place."""
    return f"{name}.{hashlib.sha1(repr(shown).encode()).hexdigest()[:12]}"
