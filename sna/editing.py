"""Edits by focal points and coordinators: who may change what, what a valid action is,
and the calls that save (through :mod:`sna.store`, with optimistic locking).

Every refusal names the field and a reason key (translated by the page, ``edit.err.<key>``),
and changes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import auth, db, store
from . import codes as C
from .models import InfluenceAction, action_partner


@dataclasses.dataclass(frozen=True)
class Problem:
    field: str
    reason: str           # i18n key suffix: edit.err.<reason>
    params: tuple = ()

    def text(self, lang: str) -> str:
        from .i18n import t

        return t(f"edit.err.{self.reason}", lang, field=t(f"edit.field.{self.field}", lang), **dict(self.params))


class EditRefused(ValueError):
    """A save refused before anything was written: invalid input or no permission."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.reason}" for p in problems))


def _forbidden(field: str = "permission") -> EditRefused:
    return EditRefused([Problem(field, "forbidden")])


# ---------------------------------------------------------------- validation
def validate_action(fields: Mapping[str, Any], *, known_areas: set[str]) -> list[Problem]:
    """Problems of an action's fields (empty list when valid)."""
    problems: list[Problem] = []
    if not str(fields.get("title") or "").strip():
        problems.append(Problem("title", "required"))
    for name, allowed in (("sector", C.SECTORS), ("level", C.LEVELS), ("status", C.ACTION_STATUSES),
                          ("policy_stage", C.POLICY_STAGES), ("action_type", C.ACTION_TYPES)):
        if fields.get(name) not in allowed:
            problems.append(Problem(name, "unknown_code", (("value", fields.get(name)),)))
    level, area = fields.get("level"), fields.get("area_code")
    if level == "national" and area not in (None, ""):
        problems.append(Problem("area_code", "national_has_area"))
    if level == "regional" and (area not in known_areas or len(str(area)) != 2):
        problems.append(Problem("area_code", "region_required"))
    if level == "local" and (area not in known_areas or len(str(area)) != 6):
        problems.append(Problem("area_code", "province_required"))
    start, due, done = fields.get("start_date"), fields.get("due_date"), fields.get("done_date")
    if start and due and due < start:
        problems.append(Problem("due_date", "before_start"))
    status = fields.get("status")
    if status == "done" and not done:
        problems.append(Problem("done_date", "required_when_done"))
    if status != "done" and done:
        problems.append(Problem("done_date", "only_when_done"))
    if status == "in_progress" and not str(fields.get("next_step") or "").strip():
        problems.append(Problem("next_step", "required_in_progress"))
    url = str(fields.get("evidence_url") or "").strip()
    if url and not url.startswith(("https://", "http://")):
        problems.append(Problem("evidence_url", "bad_url"))
    return problems


# ---------------------------------------------------------------- permission
def _action_orgs(ref: str, engine: Engine | None) -> tuple[int | None, list[int]]:
    t = InfluenceAction.__table__
    with db.read(engine) as conn:
        row = conn.execute(sa.select(t.c.id, t.c.lead_organisation_id).where(t.c.ref == ref)).first()
        if row is None:
            raise KeyError(ref)
        partners = list(conn.execute(sa.select(action_partner.c.organisation_id)
                                     .where(action_partner.c.action_id == row.id)).scalars())
    return row.lead_organisation_id, partners


def may_edit_action(user: Mapping[str, Any] | None, ref: str, engine: Engine | None = None) -> bool:
    """Admins change every action; editors those where their organisation leads or partners."""
    if not auth.can_edit(user):
        return False
    lead, partners = _action_orgs(ref, engine)
    return auth.can_edit_action(user, lead, partners)


# --------------------------------------------------------------------- saves
def save_action(user: Mapping[str, Any] | None, fields: Mapping[str, Any], *, ref: str | None = None,
                expected_version: int | None = None, links: Mapping[str, Iterable[Any]] | None = None,
                engine: Engine | None = None) -> tuple[str, int]:
    """Create (``ref`` None) or update an action; returns (ref, version).

    Raises :class:`EditRefused` (nothing written) for a viewer, an editor outside the
    action's organisations, or invalid fields; :class:`sna.store.StaleEdit` when someone
    saved since ``expected_version`` was read.
    """
    from . import queries

    if not auth.can_edit(user):
        raise _forbidden()
    problems = validate_action(fields, known_areas=queries.known_areas(engine))
    if problems:
        raise EditRefused(problems)
    partners = list((links or {}).get("partners", ()))
    if ref is None:
        if not auth.can_edit_action(user, fields.get("lead_organisation_id"), partners):
            raise _forbidden("lead_organisation_id")
        new_ref = store.create_action(fields, user["name"], engine, links=links)
        return new_ref, 1
    if not may_edit_action(user, ref, engine):
        raise _forbidden()
    if not auth.can_edit_action(user, fields.get("lead_organisation_id"), partners or _action_orgs(ref, engine)[1]):
        raise _forbidden("lead_organisation_id")  # an editor cannot hand an action to others and keep it
    changes = {k: fields[k] for k in store.ACTION_EDITABLE if k in fields}
    version = store.update_action(ref, expected_version, changes, user["name"], engine, links=links)
    return ref, version


def set_archived(user: Mapping[str, Any] | None, ref: str, expected_version: int, archived: bool,
                 engine: Engine | None = None) -> int:
    """Archive (hide from views) or restore an action; its history is kept."""
    if not may_edit_action(user, ref, engine):
        raise _forbidden()
    return store.update_action(ref, expected_version, {"archived": archived}, user["name"], engine)


def save_decision_maker(user: Mapping[str, Any] | None, ref: str, expected_version: int,
                        changes: Mapping[str, Any], *, stance_date: dt.date | None = None,
                        engine: Engine | None = None) -> int:
    """Update a decision-maker (stance with its date, notes...): editors and admins only."""
    if not auth.can_edit(user):
        raise _forbidden()
    problems = []
    if "stance" in changes and changes["stance"] not in C.STANCES:
        problems.append(Problem("stance", "unknown_code", (("value", changes["stance"]),)))
    for name in ("influence", "interest"):
        if name in changes and changes[name] not in range(1, 6):
            problems.append(Problem(name, "out_of_range", (("low", 1), ("high", 5))))
    if problems:
        raise EditRefused(problems)
    return store.update_decision_maker(ref, expected_version, changes, user["name"], engine,
                                       stance_date=stance_date)


def save_outcome(user: Mapping[str, Any] | None, fields: Mapping[str, Any], action_ids: Iterable[int],
                 engine: Engine | None = None) -> str:
    """Record an outcome (outcome harvesting) linked to actions the user may edit."""
    if not auth.can_edit(user):
        raise _forbidden()
    problems = []
    for name in ("description", "social_actor"):
        if not str(fields.get(name) or "").strip():
            problems.append(Problem(name, "required"))
    if fields.get("outcome_type") not in C.OUTCOME_TYPES:
        problems.append(Problem("outcome_type", "unknown_code", (("value", fields.get("outcome_type")),)))
    if fields.get("verification", "unverified") not in C.VERIFICATIONS:
        problems.append(Problem("verification", "unknown_code", (("value", fields.get("verification")),)))
    ids = list(action_ids)
    if not ids:
        problems.append(Problem("actions", "required"))
    if problems:
        raise EditRefused(problems)
    return store.record_outcome(fields, ids, user["name"], engine)


# ------------------------------------------------------------ focal points
def my_actions(actions: pd.DataFrame, partners: pd.DataFrame, user: Mapping[str, Any] | None) -> pd.DataFrame:
    """Actions where the user's organisation leads or partners (all actions for admins)."""
    if user is None:
        return actions.iloc[0:0]
    if auth.is_admin(user) and not user.get("organisation_id"):
        return actions
    org = user.get("organisation_id")
    partnered = set(partners.loc[partners["organisation_id"] == org, "action_id"]) if len(partners) else set()
    return actions[(actions["lead_organisation_id"] == org) | actions["id"].isin(partnered)]


def stale_since(actions: pd.DataFrame, today: dt.date, days: int = 60) -> pd.Series:
    """Open actions not updated for ``days`` days (the "à actualiser" flag)."""
    from .actions import stale

    return stale(actions, today, days)


# ------------------------------------------------------------------ conflicts
def conflict(snapshot: Mapping[str, Any], current: Mapping[str, Any], mine: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Fields someone else changed since the form was opened (``snapshot``): for each, the
    value when opened, the value now and the user's input — what a stale save shows."""
    rows = []
    for field in mine:
        if field in current and snapshot.get(field) != current.get(field):
            rows.append({"field": field, "opened": snapshot.get(field), "now": current.get(field),
                         "mine": mine.get(field)})
    return rows


def reapply(snapshot: Mapping[str, Any], current: Mapping[str, Any], mine: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values after reloading the current version: the user's own changes
    (fields they edited since opening) on top of the current row."""
    return {field: (mine[field] if mine.get(field) != snapshot.get(field) else current.get(field, mine[field]))
            for field in mine}
