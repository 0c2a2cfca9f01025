"""Cached access to the store for pages: the one place where caching is decided.

The engine is a ``cache_resource``; query results are cached keyed on the database URL,
the arguments and ``meta.data_version`` — read on every rerun (one cheap query) — so a
write from the command line or another app instance is seen at once.

Results are kept as objects (``cache_resource``), not pickled (``cache_data``): unpickling
the 20,000 actions of a large store on every call cost more than the page's own work.
Every caller gets its own copy — a shallow one for a DataFrame, which pandas'
copy-on-write makes independent (changing it never changes the cached frame).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from .. import config, db, demo, queries


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return db.get_engine(url)


def engine() -> Engine:
    return _engine(config.database_url())


def ensure_store() -> str | None:
    """Create the store on first run and, unless ``SNA_AUTO_DEMO=0``, load the demo data.

    Returns None when the store is usable, else a message to show.
    """
    return _ensure_store(config.database_url())


@st.cache_resource(show_spinner="Préparation de la base de données…")
def _ensure_store(url: str) -> str | None:
    eng = db.get_engine(url)
    try:
        db.upgrade(eng)
        if config.auto_demo() and not queries.regions(eng).shape[0]:
            try:
                demo.load(eng, as_of=config.today())
            except demo.StoreNotEmpty:  # another process loaded it first
                pass
    except db.StoreError as exc:
        return str(exc)
    return None


_VERSION_KEY = "sna.data_version"


def refresh_version() -> int:
    """Read the store's data version (one cheap query); the frame does it once per rerun."""
    value = db.data_version(engine())
    st.session_state[_VERSION_KEY] = value
    return value


def version() -> int:
    """The data version read at the start of this rerun — what every cache is keyed on.

    Read once per rerun rather than at every cached call; after a write in the middle of a
    run, call :func:`invalidate` (or ``st.rerun()``) so the rest of the run sees it."""
    value = st.session_state.get(_VERSION_KEY)
    return refresh_version() if value is None else value


def invalidate() -> None:
    st.session_state.pop(_VERSION_KEY, None)


def _key() -> tuple[str, int]:
    return config.database_url(), version()


@st.cache_resource(show_spinner=False, max_entries=64)
def _cached(name: str, url: str, data_version: int, kwargs: tuple) -> object:
    if name == "illustrative_share":  # every filter combination answered from one aggregate
        found = queries.illustrative_share_from(_cached("illustrative_counts", url, data_version, ()),
                                                _cached("indicators", url, data_version, ()), **dict(kwargs))
        if found is not None:
            return found
    fn = getattr(queries, name)
    return fn(db.get_engine(url), **dict(kwargs))


def _own_copy(value: object) -> object:
    """A copy of a cached result that the caller may change (see the module's docstring)."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=False)
    if isinstance(value, dict):
        return {k: _own_copy(v) for k, v in value.items()}
    if isinstance(value, (list, set)):
        return type(value)(value)
    return value


def q(name: str, **kwargs) -> pd.DataFrame:
    """``queries.<name>(**kwargs)`` through the cache (keyed on URL, arguments and data version)."""
    url, v = _key()
    frozen = tuple(sorted((k, tuple(val) if isinstance(val, list) else val) for k, val in kwargs.items()))
    return _own_copy(_cached(name, url, v, frozen))


@st.cache_resource(show_spinner=False, max_entries=48)
def _derived(url: str, data_version: int, name: str, key: tuple, _build: Callable[[], object]) -> object:
    return _build()


@st.cache_resource(show_spinner=False, max_entries=24)
def _derived_view(url: str, data_version: int, name: str, key: tuple, _build: Callable[[], object]) -> object:
    return _build()


def derived(name: str, key: tuple, build: Callable[[], object], *, view: bool = False) -> object:
    """``build()`` computed once per store URL, data version, ``name`` and ``key`` (what
    the result depends on besides the store's data, e.g. ``(sensitive,)``), then shared by
    every rerun and session: treat the result as read-only. For what a page derives from
    cached reads and would otherwise recompute on every rerun (20,000 actions' target
    types, the choices of a filter).

    ``view=True`` for what a page shows for one combination of filters (tables, figures:
    megabytes at the large scale): those are kept for the 24 most recent combinations
    only, so going back and forth between views is instant and memory stays bounded."""
    url, v = _key()
    return (_derived_view if view else _derived)(url, v, name, tuple(key), build)


def actions_frame(url: str, data_version: int) -> pd.DataFrame:
    """The cached ``queries.actions()`` frame itself, for other caches' builders (read-only:
    :func:`q` is what pages use)."""
    return _cached("actions", url, data_version, ())


def region_names() -> dict[str, dict[str, str]]:
    """{code: {"fr", "ar", "en"}} for regions and provinces (for captions and tables)."""
    return _region_names(*_key())


@st.cache_resource(show_spinner=False, max_entries=4)
def _region_names(url: str, data_version: int) -> dict[str, dict[str, str]]:
    eng = db.get_engine(url)
    names: dict[str, dict[str, str]] = {}
    for df in (queries.regions(eng), queries.provinces(eng)):
        for row in df.itertuples(index=False):
            names[row.code] = {"fr": row.name_fr, "ar": row.name_ar, "en": row.name_en}
    return names
