"""Edit forms shared by the pages: an influence action (create / update, with the stale-save
dialogue), an outcome, a decision-maker. Saving goes through :mod:`sna.editing`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from .. import codes as C
from .. import config, editing, store
from . import data
from .frame import Ctx

A = "edit.a."  # widget keys of the action form
LINK_FIELDS = ("decision_makers", "partners", "indicators")


def _clean(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def action_values(row: pd.Series | None, links: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """The form's values for an action row (defaults for a new one)."""
    if row is None:
        return {"title": "", "ask": "", "description": "", "sector": "health", "level": "national",
                "area_code": None, "lead_organisation_id": None, "action_type": "bilateral_meeting",
                "status": "planned", "policy_stage": "agenda_setting", "start_date": None, "due_date": None,
                "done_date": None, "next_step": "", "evidence_url": "", "is_sensitive": False,
                "decision_makers": [], "partners": [], "indicators": []}
    values = {k: _clean(row[k]) for k in store.ACTION_EDITABLE if k != "archived"}
    for k in ("title", "ask", "description", "next_step", "evidence_url"):
        values[k] = values[k] or ""
    for name, col in (("decision_makers", "decision_maker_id"), ("partners", "organisation_id"),
                      ("indicators", "indicator")):
        frame = links[name]
        values[name] = sorted(frame.loc[frame["action_id"] == row["id"], col].tolist())
    return values


def _load(values: dict[str, Any]) -> None:
    for k, v in values.items():
        st.session_state[A + k] = v


def _read() -> dict[str, Any]:
    out = {}
    for k in action_values(None, {}).keys():
        v = st.session_state.get(A + k)
        out[k] = v.strip() if isinstance(v, str) else v
    for k in ("next_step", "evidence_url", "ask", "description"):
        out[k] = out[k] or None
    return out


def action_form(c: Ctx, row: pd.Series | None) -> None:
    """The form for ``row`` (None: a new action). Keeps a snapshot of the values it opened
    with; a stale save shows what changed and offers to re-apply the user's input."""
    links = data.q("action_links")
    # The form is tied to the action, not to its version: a save by someone else must not
    # reload the form under the user's hands (their input would be lost); the version read
    # when the form was opened is what the save compares against.
    ident = "new" if row is None else row["ref"]
    if st.session_state.get("edit.loaded") != ident:
        snapshot = action_values(row, links)
        st.session_state["edit.snapshot"] = snapshot
        st.session_state["edit.loaded"] = ident
        st.session_state["edit.version"] = None if row is None else int(row["version"])
        st.session_state.pop("edit.conflict", None)
        _load(snapshot)
    _conflict_box(c, row)

    orgs = data.q("organisations")
    org_names = dict(zip(orgs["id"], orgs["name"]))
    dms = data.q("decision_makers")
    dm_names = {r.id: f"{r.ref} · {r.name} — {r.institution}" for r in dms.itertuples()}
    cat = data.q("indicators")
    ind_names = {r.code: f"{r.code} · {getattr(r, 'name_' + c.lang)}" for r in cat.itertuples()}
    areas = [None, *C.REGION_CODES, *data.q("provinces")["code"].tolist()]

    with st.form(f"action-form-{ident}"):
        st.text_input(c.t("edit.field.title"), key=A + "title")
        st.text_area(c.t("edit.field.ask"), key=A + "ask", height=80)
        cols = st.columns(3)
        cols[0].selectbox(c.t("edit.field.sector"), C.SECTORS, key=A + "sector", format_func=lambda s: c.label("sector", s))
        cols[1].selectbox(c.t("edit.field.level"), C.LEVELS, key=A + "level", format_func=lambda s: c.label("level", s))
        cols[2].selectbox(c.t("edit.field.area_code"), areas, key=A + "area_code",
                          format_func=lambda a: "—" if a is None else f"{a} · {c.area(a)}")
        cols = st.columns(3)
        cols[0].selectbox(c.t("edit.field.lead_organisation_id"), [None, *org_names], key=A + "lead_organisation_id",
                          format_func=lambda i: "—" if i is None else org_names[i])
        cols[1].selectbox(c.t("edit.field.action_type"), C.ACTION_TYPES, key=A + "action_type",
                          format_func=lambda s: c.label("action_type", s))
        cols[2].checkbox(c.t("edit.field.is_sensitive"), key=A + "is_sensitive")
        cols = st.columns(2)
        cols[0].selectbox(c.t("edit.field.status"), C.ACTION_STATUSES, key=A + "status",
                          format_func=lambda s: c.label("status", s))
        cols[1].selectbox(c.t("edit.field.policy_stage"), C.POLICY_STAGES, key=A + "policy_stage",
                          format_func=lambda s: c.label("stage", s))
        cols = st.columns(3)
        cols[0].date_input(c.t("edit.field.start_date"), key=A + "start_date", value=None, format="DD/MM/YYYY")
        cols[1].date_input(c.t("edit.field.due_date"), key=A + "due_date", value=None, format="DD/MM/YYYY")
        cols[2].date_input(c.t("edit.field.done_date"), key=A + "done_date", value=None, format="DD/MM/YYYY")
        st.text_input(c.t("edit.field.next_step"), key=A + "next_step")
        st.text_input(c.t("edit.field.evidence_url"), key=A + "evidence_url")
        st.multiselect(c.t("edit.field.decision_makers"), list(dm_names), key=A + "decision_makers",
                       format_func=lambda i: dm_names.get(i, str(i)))
        st.multiselect(c.t("edit.field.partners"), list(org_names), key=A + "partners",
                       format_func=lambda i: org_names.get(i, str(i)))
        st.multiselect(c.t("edit.field.indicators"), list(ind_names), key=A + "indicators",
                       format_func=lambda i: ind_names.get(i, i))
        submitted = st.form_submit_button(c.t("edit.save"), type="primary")
    if submitted:
        _save(c, row)


def _save(c: Ctx, row: pd.Series | None) -> None:
    values = _read()
    fields = {k: v for k, v in values.items() if k not in LINK_FIELDS}
    links = {k: values[k] for k in LINK_FIELDS}
    try:
        ref, version = editing.save_action(
            c.user, fields, ref=None if row is None else row["ref"],
            expected_version=st.session_state["edit.version"],
            links=links, engine=data.engine())
    except editing.EditRefused as exc:
        for problem in exc.problems:
            st.error(problem.text(c.lang))
        return
    except store.StaleEdit as exc:
        st.session_state["edit.conflict"] = {"row": exc.row, "mine": values, "version": exc.current}
        st.rerun()
    st.session_state["edit.saved"] = c.t("edit.saved", ref=ref, version=version)
    st.session_state.pop("edit.loaded", None)
    st.session_state["edit.select"] = ref
    st.rerun()


def _conflict_box(c: Ctx, row: pd.Series | None) -> None:
    info = st.session_state.get("edit.conflict")
    if not info or row is None:
        return
    snapshot = st.session_state["edit.snapshot"]
    current = {k: _clean(v) for k, v in info["row"].items()}
    rows = editing.conflict(snapshot, current, {k: v for k, v in info["mine"].items() if k not in LINK_FIELDS})
    st.error(c.t("edit.stale", user=current.get("updated_by") or "?", version=info["version"]))
    st.dataframe(pd.DataFrame([{c.t("edit.col_field"): c.t(f"edit.field.{r['field']}"),
                                c.t("edit.col_opened"): str(r["opened"]), c.t("edit.col_now"): str(r["now"]),
                                c.t("edit.col_mine"): str(r["mine"])} for r in rows]),
                 hide_index=True, width="stretch")
    if st.button(c.t("edit.reapply"), key="edit.reapply"):
        merged = editing.reapply(snapshot, {**current, **{k: info["mine"][k] for k in LINK_FIELDS}}, info["mine"])
        st.session_state["edit.snapshot"] = {**snapshot, **{k: current.get(k, snapshot.get(k)) for k in snapshot}}
        st.session_state["edit.version"] = int(info["version"])
        st.session_state.pop("edit.conflict", None)
        _load(merged)
        st.rerun()


def outcome_form(c: Ctx, editable_actions: pd.DataFrame) -> None:
    """Record an outcome (what changed, who, significance, contribution, verification)."""
    choices = dict(zip(editable_actions["id"], editable_actions["ref"] + " · " + editable_actions["title"]))
    with st.form("outcome-form", clear_on_submit=True):
        description = st.text_area(c.t("edit.field.description_outcome"))
        actor = st.text_input(c.t("edit.field.social_actor"))
        cols = st.columns(3)
        otype = cols[0].selectbox(c.t("edit.field.outcome_type"), C.OUTCOME_TYPES,
                                  format_func=lambda s: c.label("outcome_type", s))
        verification = cols[1].selectbox(c.t("edit.field.verification"), C.VERIFICATIONS,
                                         format_func=lambda s: c.label("verification", s))
        observed = cols[2].date_input(c.t("edit.outcome_date"), value=config.today(), format="DD/MM/YYYY")
        significance = st.text_input(c.t("edit.significance"))
        contribution = st.text_input(c.t("edit.contribution"))
        linked = st.multiselect(c.t("edit.field.actions"), list(choices), format_func=lambda i: choices[i])
        submitted = st.form_submit_button(c.t("edit.save"), type="primary")
    if submitted:
        try:
            ref = editing.save_outcome(c.user, {
                "description": description, "social_actor": actor, "outcome_type": otype,
                "verification": verification, "date_observed": observed, "significance": significance or "",
                "contribution": contribution or ""}, linked, engine=data.engine())
        except editing.EditRefused as exc:
            for problem in exc.problems:
                st.error(problem.text(c.lang))
            return
        st.success(c.t("edit.outcome_saved", ref=ref))


def decision_maker_form(c: Ctx) -> None:
    """Update a decision-maker's stance (dated) and private notes (editors and admins)."""
    dms = data.q("decision_makers", sensitive=True)
    labels = {r.ref: f"{r.ref} · {r.name} — {r.institution}" for r in dms.itertuples()}
    ref = st.selectbox(c.t("edit.choose_dm"), list(labels), format_func=labels.get, key="edit.dm_ref")
    row = dms.set_index("ref").loc[ref]
    with st.form(f"dm-form-{ref}-{int(row['version'])}"):
        cols = st.columns(2)
        stance = cols[0].selectbox(c.t("edit.field.stance"), C.STANCES, index=C.STANCES.index(row["stance"]),
                                   format_func=lambda s: c.label("stance", s))
        when = cols[1].date_input(c.t("edit.stance_date"), value=config.today(), format="DD/MM/YYYY")
        cols = st.columns(2)
        influence = cols[0].slider(c.t("edit.field.influence"), 1, 5, int(row["influence"]))
        interest = cols[1].slider(c.t("edit.field.interest"), 1, 5, int(row["interest"]))
        notes = st.text_area(c.t("edit.field.private_notes"), value=row["private_notes"] or "")
        submitted = st.form_submit_button(c.t("edit.save"), type="primary")
    if submitted:
        try:
            editing.save_decision_maker(c.user, ref, int(row["version"]),
                                        {"stance": stance, "influence": influence, "interest": interest,
                                         "private_notes": notes or None},
                                        stance_date=when, engine=data.engine())
        except editing.EditRefused as exc:
            for problem in exc.problems:
                st.error(problem.text(c.lang))
            return
        except store.StaleEdit as exc:
            st.error(c.t("edit.stale", user=(exc.row or {}).get("updated_by") or "?", version=exc.current))
            return
        st.success(c.t("edit.saved", ref=ref, version=int(row["version"]) + 1))
        st.rerun()
