"""Alembic environment for sna: always given a connection by :func:`sna.db.upgrade`."""

from alembic import context

from sna.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # plain `alembic` command line use: build from the URL
        from sna.db import get_engine

        with get_engine(config.get_main_option("sqlalchemy.url")).connect() as conn:
            _run(conn)
            conn.commit()
        return
    _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things: batch mode rebuilds tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("sna migrations run online only: use `python -m sna init`")
run_migrations_online()
