"""Named write functions of the store. They take plain values; each runs in one write
transaction (``BEGIN IMMEDIATE`` on SQLite) that also bumps ``meta.data_version``.

Functions whose name ends in ``_in`` take an open write connection so that several
writes (an import, the demo) form one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from . import codes as C
from . import db
from .models import (
    ChangeLog, DecisionMaker, ImportBatch, Indicator, InfluenceAction, Milestone, Observation,
    Organisation, Outcome, Province, Region, Sector, StageChange, StanceChange,
    action_decision_maker, action_indicator, action_partner, decision_maker_sector, outcome_action,
)

CHUNK = 5_000


class StaleEdit(RuntimeError):
    """A save based on an old version: someone else changed the row since it was read."""

    def __init__(self, ref: str, expected: int, current: int, changes: list[dict[str, Any]],
                 row: dict[str, Any] | None = None):
        self.ref, self.expected, self.current, self.changes, self.row = ref, expected, current, changes, row
        super().__init__(f"{ref} was changed by someone else (version {expected} → {current})")


def now() -> dt.datetime:
    """The current UTC time without tzinfo (stored as naive UTC everywhere)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def insert_many(conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]], *,
                chunk: int = CHUNK, progress=None) -> int:
    """Bulk insert with executemany in chunks (Core, not ORM). ``progress(done, total)``."""
    total = len(rows)
    for start in range(0, total, chunk):
        conn.execute(sa.insert(table), list(rows[start:start + chunk]))
        if progress:
            progress(min(start + chunk, total), total)
    return total


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as dicts with NaN/NaT turned into None."""
    out = df.astype(object).where(pd.notna(df), None)
    return out.to_dict("records")


# ------------------------------------------------------------------ reference
def load_reference_in(conn: Connection, regions: pd.DataFrame, provinces: pd.DataFrame,
                      catalogue: pd.DataFrame) -> None:
    """Replace-or-insert sectors, regions, provinces and the indicator catalogue."""
    existing_sectors = set(conn.execute(sa.select(Sector.code)).scalars())
    for code in C.SECTORS:
        if code not in existing_sectors:
            conn.execute(sa.insert(Sector.__table__).values(code=code))
    _upsert(conn, Region.__table__, "code", _records(regions[[c.name for c in Region.__table__.c]]))
    _upsert(conn, Province.__table__, "code", _records(provinces[[c.name for c in Province.__table__.c]]))
    cols = [c.name for c in Indicator.__table__.c]
    cat = catalogue.reindex(columns=cols)
    cat["compares_groups"] = cat["compares_groups"].astype(bool)
    _upsert(conn, Indicator.__table__, "code", _records(cat))


def _upsert(conn: Connection, table: sa.Table, key: str, rows: list[dict[str, Any]]) -> None:
    present = set(conn.execute(sa.select(table.c[key])).scalars())
    new = [r for r in rows if r[key] not in present]
    old = [r for r in rows if r[key] in present]
    if new:
        insert_many(conn, table, new)
    for r in old:
        conn.execute(sa.update(table).where(table.c[key] == r[key]).values(**r))


def record_batch_in(conn: Connection, *, file_name: str, kind: str, user: str,
                    new: int = 0, changed: int = 0, unchanged: int = 0) -> int:
    """Record an import batch (and its change-log entry); returns its id."""
    at = now()
    batch_id = conn.execute(sa.insert(ImportBatch.__table__).values(
        file_name=file_name, kind=kind, user_name=user, at=at,
        rows_new=new, rows_changed=changed, rows_unchanged=unchanged,
    ).returning(ImportBatch.__table__.c.id)).scalar_one()
    conn.execute(sa.insert(ChangeLog.__table__).values(
        table_name="import_batch", row_id=str(batch_id), field=kind, old=None,
        new=f"{file_name}: {new} new, {changed} changed, {unchanged} unchanged",
        user_name=user, at=at, batch_id=batch_id))
    return batch_id


def update_batch_counts_in(conn: Connection, batch_id: int, new: int, changed: int, unchanged: int) -> None:
    t = ImportBatch.__table__
    conn.execute(sa.update(t).where(t.c.id == batch_id).values(
        rows_new=new, rows_changed=changed, rows_unchanged=unchanged))


def insert_observations_in(conn: Connection, rows: pd.DataFrame | Sequence[Mapping[str, Any]],
                           *, batch_id: int | None = None, progress=None) -> int:
    """Insert new observations (no upsert: the caller knows they are new)."""
    records = _records(rows) if isinstance(rows, pd.DataFrame) else list(rows)
    if batch_id is not None:
        for r in records:
            r["import_batch"] = batch_id
    return insert_many(conn, Observation.__table__, records, progress=progress)


# ------------------------------------------------------------------ influence
def add_organisation_in(conn: Connection, name: str, type: str, is_lead: bool = False) -> int:
    return conn.execute(sa.insert(Organisation.__table__).values(name=name, type=type, is_lead=is_lead)
                        .returning(Organisation.__table__.c.id)).scalar_one()


def add_decision_maker_in(conn: Connection, *, sectors: Iterable[str] = (), stance_history:
                          Iterable[tuple[str, dt.date]] = (), by: str = "system", **fields: Any) -> int:
    """Insert a decision-maker with its sectors and stance history (oldest first)."""
    fields.setdefault("version", 1)
    dm_id = conn.execute(sa.insert(DecisionMaker.__table__).values(**fields)
                         .returning(DecisionMaker.__table__.c.id)).scalar_one()
    secs = [{"decision_maker_id": dm_id, "sector": s} for s in dict.fromkeys(sectors)]
    if secs:
        conn.execute(sa.insert(decision_maker_sector), secs)
    changes = [{"decision_maker_id": dm_id, "stance": s, "date": d, "by": by} for s, d in stance_history]
    if changes:
        conn.execute(sa.insert(StanceChange.__table__), changes)
    return dm_id


def add_action_in(conn: Connection, *, decision_makers: Iterable[int] = (), partners: Iterable[int] = (),
                  indicators: Iterable[str] = (), stages: Iterable[tuple[str, dt.date, int | None]] = (),
                  **fields: Any) -> int:
    """Insert an influence action with its links and stage history."""
    fields.setdefault("version", 1)
    fields.setdefault("updated_at", now())
    action_id = conn.execute(sa.insert(InfluenceAction.__table__).values(**fields)
                             .returning(InfluenceAction.__table__.c.id)).scalar_one()
    _link(conn, action_decision_maker, action_id, "decision_maker_id", decision_makers)
    _link(conn, action_partner, action_id, "organisation_id", partners)
    _link(conn, action_indicator, action_id, "indicator", indicators)
    rows = [{"action_id": action_id, "stage": s, "date": d, "organisation_id": o} for s, d, o in stages]
    if rows:
        conn.execute(sa.insert(StageChange.__table__), rows)
    return action_id


def _link(conn: Connection, table: sa.Table, action_id: int, column: str, values: Iterable[Any]) -> None:
    rows = [{"action_id": action_id, column: v} for v in dict.fromkeys(values)]
    if rows:
        conn.execute(sa.insert(table), rows)


def add_outcome_in(conn: Connection, *, actions: Iterable[int] = (), **fields: Any) -> int:
    outcome_id = conn.execute(sa.insert(Outcome.__table__).values(**fields)
                              .returning(Outcome.__table__.c.id)).scalar_one()
    rows = [{"outcome_id": outcome_id, "action_id": a} for a in dict.fromkeys(actions)]
    if rows:
        conn.execute(sa.insert(outcome_action), rows)
    return outcome_id


def add_milestone_in(conn: Connection, **fields: Any) -> int:
    return conn.execute(sa.insert(Milestone.__table__).values(**fields)
                        .returning(Milestone.__table__.c.id)).scalar_one()


def log_change_in(conn: Connection, table: str, row_id: str, field: str | None, old: Any, new: Any,
                  user: str, batch_id: int | None = None, at: dt.datetime | None = None) -> None:
    conn.execute(sa.insert(ChangeLog.__table__).values(
        table_name=table, row_id=row_id, field=field,
        old=None if old is None else str(old), new=None if new is None else str(new),
        user_name=user, at=at or now(), batch_id=batch_id))


# Fields of an action a form may change (links and stage history are handled apart).
ACTION_EDITABLE = ("title", "description", "ask", "sector", "level", "area_code", "lead_organisation_id",
                   "action_type", "status", "policy_stage", "start_date", "due_date", "done_date",
                   "next_step", "evidence_url", "is_sensitive", "archived")
DECISION_MAKER_EDITABLE = ("name", "institution", "target_type", "level", "area_code", "influence",
                           "interest", "stance", "private_notes")
ACTION_LINKS = {  # form field -> (link table, column)
    "decision_makers": (action_decision_maker, "decision_maker_id"),
    "partners": (action_partner, "organisation_id"),
    "indicators": (action_indicator, "indicator"),
}


def _check_version(conn: Connection, table: sa.Table, ref: str, expected_version: int) -> dict[str, Any]:
    row = conn.execute(sa.select(table).where(table.c.ref == ref)).mappings().first()
    if row is None:
        raise KeyError(f"no {table.name} {ref}")
    if row["version"] != expected_version:
        since = conn.execute(
            sa.select(ChangeLog.field, ChangeLog.old, ChangeLog.new, ChangeLog.user_name, ChangeLog.at)
            .where(ChangeLog.table_name == table.name, ChangeLog.row_id == ref)
            .order_by(ChangeLog.at.desc(), ChangeLog.id.desc()).limit(50)).mappings().all()
        raise StaleEdit(ref, expected_version, row["version"], [dict(r) for r in since], dict(row))
    return dict(row)


def _apply_versioned(conn: Connection, table: sa.Table, row: Mapping[str, Any], diff: Mapping[str, Any],
                     user: str, at: dt.datetime) -> int:
    """Write ``diff`` if the row still has the version read (compare-and-set); log each field."""
    new_version = row["version"] + 1
    done = conn.execute(sa.update(table).where(table.c.id == row["id"], table.c.version == row["version"])
                        .values(**diff, version=new_version, updated_at=at, updated_by=user)).rowcount
    if done != 1:  # a concurrent writer won between our read and our update
        raise StaleEdit(row["ref"], row["version"], row["version"] + 1, [], None)
    for field, value in diff.items():
        log_change_in(conn, table.name, row["ref"], field, row[field], value, user, at=at)
    return new_version


def _current_links(conn: Connection, action_id: int) -> dict[str, list]:
    out = {}
    for name, (table, column) in ACTION_LINKS.items():
        out[name] = sorted(conn.execute(sa.select(table.c[column]).where(table.c.action_id == action_id)).scalars())
    return out


def update_action(ref: str, expected_version: int, changes: Mapping[str, Any], user: str,
                  engine: Engine | None = None, *, links: Mapping[str, Iterable[Any]] | None = None) -> int:
    """Apply ``changes`` (and new ``links``: decision_makers, partners, indicators) to action
    ``ref`` if its version is still ``expected_version``.

    Every changed field goes to the change log; a policy-stage change adds a stage-history
    entry. Returns the new version (unchanged when nothing differs). Raises
    :class:`StaleEdit` (nothing written) when someone saved in between; it carries the row
    as it is now, so the form can show what changed and keep the user's input.
    """
    unknown = (set(changes) - set(ACTION_EDITABLE)) | (set(links or {}) - set(ACTION_LINKS))
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    t = InfluenceAction.__table__
    with db.write(engine) as conn:
        row = _check_version(conn, t, ref, expected_version)
        diff = {k: v for k, v in changes.items() if row[k] != v}
        old_links = _current_links(conn, row["id"])
        link_diff = {k: sorted(dict.fromkeys(v)) for k, v in (links or {}).items()
                     if sorted(dict.fromkeys(v)) != old_links[k]}
        if not diff and not link_diff:
            return row["version"]
        at = now()
        new_version = _apply_versioned(conn, t, row, diff, user, at)
        for name, values in link_diff.items():
            table, column = ACTION_LINKS[name]
            conn.execute(sa.delete(table).where(table.c.action_id == row["id"]))
            _link(conn, table, row["id"], column, values)
            log_change_in(conn, t.name, ref, name, ";".join(map(str, old_links[name])),
                          ";".join(map(str, values)), user, at=at)
        if "policy_stage" in diff:
            conn.execute(sa.insert(StageChange.__table__).values(
                action_id=row["id"], stage=diff["policy_stage"], date=at.date(),
                organisation_id=diff.get("lead_organisation_id", row["lead_organisation_id"])))
        return new_version


def create_action(fields: Mapping[str, Any], user: str, engine: Engine | None = None, *,
                  links: Mapping[str, Iterable[Any]] | None = None) -> str:
    """Insert a new action (its first stage in the history) and log it; returns its ref."""
    t = InfluenceAction.__table__
    with db.write(engine) as conn:
        ref = fields.get("ref") or next_action_ref(conn, fields.get("start_date") or now().date())
        at = now()
        values = {k: fields[k] for k in ACTION_EDITABLE if k in fields}
        links = links or {}
        add_action_in(conn, ref=ref, **values, updated_at=at, updated_by=user,
                      decision_makers=links.get("decision_makers", ()), partners=links.get("partners", ()),
                      indicators=links.get("indicators", ()),
                      stages=[(values.get("policy_stage", "agenda_setting"), at.date(),
                               values.get("lead_organisation_id"))])
        log_change_in(conn, t.name, ref, None, None, "created", user, at=at)
        return ref


def next_action_ref(conn: Connection, start: dt.date) -> str:
    """The next free ``ACT-<year>-<n>`` reference."""
    t = InfluenceAction.__table__
    prefix = f"ACT-{start.year}-"
    refs = conn.execute(sa.select(t.c.ref).where(t.c.ref.like(prefix + "%"))).scalars().all()
    numbers = [int(r[len(prefix):]) for r in refs if r[len(prefix):].isdigit()]
    return f"{prefix}{(max(numbers) + 1) if numbers else 1:03d}"


def update_decision_maker(ref: str, expected_version: int, changes: Mapping[str, Any], user: str,
                          engine: Engine | None = None, *, stance_date: dt.date | None = None) -> int:
    """Change a decision-maker if still at ``expected_version``; a new stance is added to the
    stance history with ``stance_date`` (default today)."""
    unknown = set(changes) - set(DECISION_MAKER_EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    t = DecisionMaker.__table__
    with db.write(engine) as conn:
        row = _check_version(conn, t, ref, expected_version)
        diff = {k: v for k, v in changes.items() if row[k] != v}
        if not diff:
            return row["version"]
        at = now()
        new_version = _apply_versioned(conn, t, row, diff, user, at)
        if "stance" in diff:
            conn.execute(sa.insert(StanceChange.__table__).values(
                decision_maker_id=row["id"], stance=diff["stance"], date=stance_date or at.date(), by=user))
        return new_version


def record_outcome(fields: Mapping[str, Any], actions: Iterable[int], user: str,
                   engine: Engine | None = None) -> str:
    """Insert an outcome linked to ``actions`` (ids) and log it; returns its ref."""
    t = Outcome.__table__
    with db.write(engine) as conn:
        refs = conn.execute(sa.select(t.c.ref).where(t.c.ref.like("OUT-%"))).scalars().all()
        numbers = [int(r[4:]) for r in refs if r[4:].isdigit()]
        ref = fields.get("ref") or f"OUT-{(max(numbers) + 1) if numbers else 1:04d}"
        add_outcome_in(conn, actions=actions, **{**fields, "ref": ref})
        log_change_in(conn, t.name, ref, None, None, "created", user)
        return ref


def set_meta(key: str, value: str, engine: Engine | None = None) -> None:
    """Set one ``meta`` entry (a write: bumps ``data_version``)."""
    with db.write(engine) as conn:
        db.set_meta(conn, key, value)
