"""Shared fixtures.

* ``fresh_db``: an empty store at the current schema (one per test).
* ``demo_db``: a store holding the demo dataset as of :data:`AS_OF` (one per test,
  copied from a template built once per session).

Both point ``SNA_DATABASE_URL`` at their store. With ``SNA_TEST_DATABASE_URL`` set to a
PostgreSQL URL (a database the tests may create databases from), the same fixtures use
fresh PostgreSQL databases instead of SQLite files.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid

import pytest
import sqlalchemy as sa

from sna import db

AS_OF = dt.date(2026, 3, 15)
TODAY = "2026-03-15"
PG_URL = os.environ.get("SNA_TEST_DATABASE_URL", "").strip()
ON_PG = bool(PG_URL) and not PG_URL.startswith("sqlite")


def _pg_admin() -> sa.Engine:
    return sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")


def _pg_url(name: str) -> str:
    return sa.engine.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


class _Template:
    """A store built once per session and cloned for each test."""

    def __init__(self, tmp_dir, fill=None):
        self.name = f"sna_tpl_{uuid.uuid4().hex[:8]}"
        if ON_PG:
            with _pg_admin().connect() as c:
                c.execute(sa.text(f'CREATE DATABASE "{self.name}"'))
            url = _pg_url(self.name)
        else:
            self.path = tmp_dir / f"{self.name}.db"
            url = f"sqlite:///{self.path}"
        engine = db.get_engine(url)
        db.upgrade(engine)
        if fill:
            fill(engine)
        if not ON_PG:
            with engine.connect() as c:
                c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()

    def clone(self, tmp_path) -> str:
        if ON_PG:
            name = f"sna_t_{uuid.uuid4().hex[:10]}"
            with _pg_admin().connect() as c:
                c.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"'))
            return _pg_url(name)
        target = tmp_path / "sna.db"
        shutil.copyfile(self.path, target)
        return f"sqlite:///{target}"

    def remove(self) -> None:
        """Drop the template database at the end of the session (SQLite: a temp file)."""
        if ON_PG:
            with _pg_admin().connect() as c:
                c.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))

    @staticmethod
    def drop(url: str) -> None:
        if ON_PG:
            name = sa.engine.make_url(url).database
            with _pg_admin().connect() as c:
                c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def _empty_template(tmp_path_factory):
    template = _Template(tmp_path_factory.mktemp("tpl"))
    yield template
    template.remove()


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory):
    from sna import demo

    template = _Template(tmp_path_factory.mktemp("tpl"), fill=lambda e: demo.load(e, as_of=AS_OF))
    yield template
    template.remove()


def _store(template: _Template, tmp_path, monkeypatch):
    url = template.clone(tmp_path)
    monkeypatch.setenv("SNA_DATABASE_URL", url)
    monkeypatch.setenv("SNA_TODAY", TODAY)
    engine = db.get_engine(url)
    yield engine
    db.dispose_engines()
    _Template.drop(url)


@pytest.fixture
def fresh_db(_empty_template, tmp_path, monkeypatch):
    """An empty store at the current schema; ``SNA_DATABASE_URL`` points at it."""
    yield from _store(_empty_template, tmp_path, monkeypatch)


@pytest.fixture
def demo_db(_demo_template, tmp_path, monkeypatch):
    """A store with the demo dataset as of 2026-03-15; ``SNA_TODAY`` is that date."""
    yield from _store(_demo_template, tmp_path, monkeypatch)


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """Streamlit caches are process-global: start every test with empty ones."""
    yield
    try:
        import streamlit as st
    except ImportError:  # pragma: no cover
        return
    st.cache_data.clear()
    st.cache_resource.clear()


def require(component: str, available: bool, why: str) -> None:
    """Skip a test whose component is missing, but fail under CI=true (CI must install it)."""
    if available:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{component} is missing under CI=true: {why}")
    pytest.skip(f"{component} missing: {why}")
