"""The store's engine, transactions, schema upgrades and ``meta`` facts.

* SQLite (default): WAL journal, foreign keys on, a busy timeout; read transactions are
  deferred, write transactions open with ``BEGIN IMMEDIATE`` so two writers queue on the
  lock instead of failing half-way with SQLITE_BUSY.
* PostgreSQL (``SNA_DATABASE_URL=postgresql+psycopg://...``): the same code; first-run
  creation is serialised with an advisory lock.

Every write goes through :func:`write`, which bumps ``meta.data_version`` in the same
transaction, so caches keyed on it see writes made by any process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from filelock import FileLock
from sqlalchemy.engine import URL, Connection, Engine, make_url

from . import config
from .models import Base, Meta

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
PG_INIT_LOCK_KEY = 0x534E41  # "SNA": advisory lock taken while a store is created


class StoreError(RuntimeError):
    """The store cannot be used; the message says which store and what to do."""


# ------------------------------------------------------------------------ engine
def mask_url(url: str | URL) -> str:
    """The URL as text with any password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL we cannot even parse is shown as given, minus credentials
        text = str(url)
        return text.split("@")[-1] if "@" in text else text


def is_sqlite(engine_or_url: Engine | str | URL) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default: :func:`sna.config.database_url`), one per process."""
    url = url or config.database_url()
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = _create_engine(url)
        return engine


def dispose_engines() -> None:
    """Close every pooled connection (tests, restore)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def _create_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except Exception as exc:  # noqa: BLE001
        raise StoreError(f"The database URL {mask_url(url)!r} is not valid: {exc}. "
                         "Check SNA_DATABASE_URL.") from exc
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, pool_pre_ping=True)

    database = parsed.database or ""
    engine = sa.create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        if database and database != ":memory:":
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection):
        mode = "IMMEDIATE" if conn.get_execution_options().get("sna_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


# ------------------------------------------------------------------ transactions
@contextlib.contextmanager
def read(engine: Engine | None = None) -> Iterator[Connection]:
    """A connection in a read transaction (one consistent snapshot)."""
    engine = engine or get_engine()
    with _translate_errors(engine), engine.connect() as conn, conn.begin():
        yield conn


@contextlib.contextmanager
def write(engine: Engine | None = None, *, bump: bool = True) -> Iterator[Connection]:
    """A connection in one write transaction (``BEGIN IMMEDIATE`` on SQLite).

    Commits when the block ends, rolls back everything on any exception. Unless
    ``bump`` is false, ``meta.data_version`` is incremented in the same transaction.
    """
    engine = engine or get_engine()
    with _translate_errors(engine), engine.connect() as conn:
        conn.execution_options(sna_write=True)
        with conn.begin():
            yield conn
            if bump:
                bump_data_version(conn)


@contextlib.contextmanager
def _translate_errors(engine: Engine) -> Iterator[None]:
    try:
        yield
    except sa.exc.OperationalError as exc:
        text = " ".join((str(exc.orig) if exc.orig is not None else str(exc)).split())
        if any(s in text.lower() for s in ("unable to open", "connection", "could not", "readonly",
                                            "read-only", "password", "does not exist", "refused")):
            raise StoreError(
                f"Cannot use the database {mask_url(engine.url)}: {text.strip()}. "
                "Check SNA_DATABASE_URL, that the server is running and that the file's "
                "folder is writable."
            ) from exc
        raise


# ---------------------------------------------------------------------- meta
def get_meta(conn: Connection, key: str, default: str | None = None) -> str | None:
    value = conn.execute(sa.select(Meta.value).where(Meta.key == key)).scalar_one_or_none()
    return default if value is None else value


def set_meta(conn: Connection, key: str, value: str) -> None:
    """Insert or replace one ``meta`` entry (portable: update, then insert if absent)."""
    table = Meta.__table__
    updated = conn.execute(sa.update(table).where(table.c.key == key).values(value=value)).rowcount
    if not updated:
        conn.execute(sa.insert(table).values(key=key, value=value))


def bump_data_version(conn: Connection) -> int:
    """Add one to ``meta.data_version`` (in the caller's transaction) and return it."""
    new = int(get_meta(conn, "data_version", "0")) + 1
    set_meta(conn, "data_version", str(new))
    return new


def data_version(engine: Engine | None = None) -> int:
    """The store's write counter: changes after every write, from any process."""
    with read(engine) as conn:
        return int(get_meta(conn, "data_version", "0"))


# ------------------------------------------------------------------ migrations
def _alembic_config(conn: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg).get_current_head()


def current_revision(engine: Engine | None = None) -> str | None:
    """The store's schema revision, or None for an empty store."""
    engine = engine or get_engine()
    with _translate_errors(engine), engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextlib.contextmanager
def _init_lock(engine: Engine) -> Iterator[None]:
    """Serialise store creation between processes (file lock / advisory lock)."""
    if is_sqlite(engine):
        database = engine.url.database or ""
        if not database or database == ":memory:":
            yield
            return
        path = Path(database)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Cannot create the folder of the database {mask_url(engine.url)}: {exc}. "
                             "Set SNA_DATABASE_URL to a writable place.") from exc
        with FileLock(str(path) + ".lock", timeout=120):
            yield
        return
    with _translate_errors(engine), engine.connect() as conn:
        conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": PG_INIT_LOCK_KEY})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": PG_INIT_LOCK_KEY})
            conn.commit()


def upgrade(engine: Engine | None = None) -> tuple[str | None, str]:
    """Bring the store to the newest schema; a no-op when it is already there.

    Safe when several processes start at once. Returns (revision before, revision after).
    """
    engine = engine or get_engine()
    with _init_lock(engine):
        before = current_revision(engine)
        head = head_revision()
        script = ScriptDirectory(str(MIGRATIONS_DIR))
        if before is not None and before not in {r.revision for r in script.walk_revisions()}:
            raise StoreError(
                f"The store {mask_url(engine.url)} is at schema {before}, which this version of sna "
                "does not know: it was probably made by a newer sna. Update sna, or restore a backup.")
        if before != head:
            with _translate_errors(engine), engine.connect() as conn:
                conn.execution_options(sna_write=True)
                with conn.begin():
                    command.upgrade(_alembic_config(conn), "head")
                    set_meta(conn, "schema_version", head)
                    if get_meta(conn, "data_version") is None:
                        set_meta(conn, "data_version", "0")
                    if get_meta(conn, "created_at") is None:
                        set_meta(conn, "created_at", dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
        return before, head


def ensure_current(engine: Engine | None = None) -> None:
    """Raise :class:`StoreError` with what to do when the store is not at the newest schema."""
    engine = engine or get_engine()
    rev = current_revision(engine)
    if rev != head_revision():
        state = "empty" if rev is None else f"at schema {rev}"
        raise StoreError(f"The store {mask_url(engine.url)} is {state}; run `python -m sna init` "
                         "to bring it to the current schema.")


def table_counts(engine: Engine | None = None) -> dict[str, int]:
    """Rows per table of the schema (tables missing from the store are left out)."""
    engine = engine or get_engine()
    present = set(sa.inspect(engine).get_table_names())
    out: dict[str, int] = {}
    with read(engine) as conn:
        for name, table in Base.metadata.tables.items():
            if name in present:
                out[name] = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    return out
