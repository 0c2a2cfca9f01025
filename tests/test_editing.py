"""Edits: permissions, validation, optimistic locking under concurrency, archive/restore, audit."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from sna import auth, db, editing, queries, store
from sna.actions import filter_actions

ROOT = Path(__file__).resolve().parent.parent


def _users(engine):
    orgs = queries.organisations(engine).set_index("name")["id"]
    auth.add_user("admin1", "admin-password-1", role="admin", engine=engine)
    auth.add_user("ed_oxfam", "editor-password-1", role="editor", organisation="Oxfam au Maroc", engine=engine)
    auth.add_user("ed_other", "editor-password-2", role="editor",
                  organisation="Association Tadamoun Oriental (fictive)", engine=engine)
    auth.add_user("viewer1", "viewer-password-1", role="viewer", engine=engine)
    return {n: auth.get_user(n, engine) for n in ("admin1", "ed_oxfam", "ed_other", "viewer1")}, orgs


def _fields(row) -> dict:
    return {k: (None if (isinstance(row[k], float) and row[k] != row[k]) else row[k])
            for k in store.ACTION_EDITABLE}


def _oxfam_action(engine, orgs):
    acts = queries.actions(engine)
    links = queries.action_links(engine)["partners"]
    other = orgs["Association Tadamoun Oriental (fictive)"]
    partnered_other = set(links.loc[links["organisation_id"] == other, "action_id"])
    candidates = acts[(acts["lead_organisation_id"] == orgs["Oxfam au Maroc"]) & ~acts["id"].isin(partnered_other)]
    areas = queries.known_areas(engine)
    valid = [r for _, r in candidates.iterrows() if not editing.validate_action(_fields(r), known_areas=areas)]
    return valid[0]


def test_viewer_and_outside_editor_change_nothing(demo_db):
    users, orgs = _users(demo_db)
    row = _oxfam_action(demo_db, orgs)
    before = db.data_version(demo_db)
    fields = {**_fields(row), "title": "Changed"}
    for who in ("viewer1", "ed_other"):
        with pytest.raises(editing.EditRefused) as info:
            editing.save_action(users[who], fields, ref=row["ref"], expected_version=int(row["version"]), engine=demo_db)
        assert info.value.problems[0].reason == "forbidden"
    with pytest.raises(editing.EditRefused):
        editing.save_action(None, fields, ref=row["ref"], expected_version=int(row["version"]), engine=demo_db)
    assert db.data_version(demo_db) == before
    ref, version = editing.save_action(users["ed_oxfam"], fields, ref=row["ref"],
                                       expected_version=int(row["version"]), engine=demo_db)
    assert version == int(row["version"]) + 1
    ref, version = editing.save_action(users["admin1"], {**fields, "title": "By admin"}, ref=row["ref"],
                                       expected_version=version, engine=demo_db)
    assert queries.actions(demo_db).set_index("ref").loc[ref, "title"] == "By admin"


def test_invalid_fields_are_refused_with_the_field_named(demo_db):
    users, orgs = _users(demo_db)
    row = _oxfam_action(demo_db, orgs)
    bad = {**_fields(row), "status": "in_progress", "next_step": "  ", "due_date": dt.date(2000, 1, 1),
           "start_date": dt.date(2001, 1, 1), "level": "regional", "area_code": "99"}
    with pytest.raises(editing.EditRefused) as info:
        editing.save_action(users["ed_oxfam"], bad, ref=row["ref"], expected_version=int(row["version"]), engine=demo_db)
    fields = {p.field for p in info.value.problems}
    assert {"next_step", "due_date", "area_code"} <= fields
    texts = [p.text("fr") for p in info.value.problems]
    assert any("Prochaine étape" in x for x in texts), texts


def test_create_edit_links_and_audit(demo_db):
    users, orgs = _users(demo_db)
    dm = queries.decision_makers(demo_db).query("level == 'regional' and area_code == '02'").iloc[0]
    ref, v = editing.save_action(users["ed_oxfam"], {
        "title": "Nouvelle action", "sector": "housing", "level": "regional", "area_code": "02",
        "lead_organisation_id": int(orgs["Oxfam au Maroc"]), "action_type": "bilateral_meeting",
        "status": "planned", "policy_stage": "agenda_setting", "start_date": dt.date(2026, 3, 1),
        "due_date": dt.date(2026, 5, 1)}, links={"decision_makers": [int(dm["id"])], "indicators": ["LOG-01"]},
        engine=demo_db)
    assert v == 1 and ref.startswith("ACT-2026-")
    act = queries.actions(demo_db).set_index("ref").loc[ref]
    assert act["n_decision_makers"] == 1
    fields = {**_fields(act), "status": "in_progress", "next_step": "Rencontrer le conseil", "policy_stage": "formulation"}
    _, v2 = editing.save_action(users["ed_oxfam"], fields, ref=ref, expected_version=1,
                                links={"indicators": ["LOG-01", "LOG-02"]}, engine=demo_db)
    log = queries.change_log(demo_db, table="influence_action")
    mine = log[log["row_id"] == ref]
    assert {"status", "next_step", "policy_stage", "indicators"} <= set(mine["field"].dropna())
    assert (mine["user_name"] == "ed_oxfam").all()
    stages = queries.stage_changes(demo_db)
    assert list(stages.loc[stages["action_id"] == act["id"], "stage"]) == ["agenda_setting", "formulation"]


def test_archive_hides_and_restore_brings_back_with_history(demo_db):
    users, orgs = _users(demo_db)
    row = _oxfam_action(demo_db, orgs)
    v = editing.set_archived(users["ed_oxfam"], row["ref"], int(row["version"]), True, engine=demo_db)
    assert row["ref"] not in set(queries.actions(demo_db)["ref"])
    assert row["ref"] in set(queries.actions(demo_db, include_archived=True)["ref"])
    editing.set_archived(users["ed_oxfam"], row["ref"], v, False, engine=demo_db)
    back = queries.actions(demo_db).set_index("ref").loc[row["ref"]]
    assert back["version"] == v + 1
    stages = queries.stage_changes(demo_db)
    assert (stages["action_id"] == row["id"]).sum() >= 1  # history kept
    fields = queries.change_log(demo_db, table="influence_action").query("row_id == @row.ref")["field"]
    assert list(fields).count("archived") == 2


def test_stale_edit_keeps_what_changed_since(demo_db):
    users, orgs = _users(demo_db)
    row = _oxfam_action(demo_db, orgs)
    editing.save_action(users["admin1"], {**_fields(row), "next_step": "A"}, ref=row["ref"],
                        expected_version=int(row["version"]), engine=demo_db)
    with pytest.raises(store.StaleEdit) as info:
        editing.save_action(users["ed_oxfam"], {**_fields(row), "title": "B"}, ref=row["ref"],
                            expected_version=int(row["version"]), engine=demo_db)
    assert info.value.row["next_step"] == "A" and info.value.current == int(row["version"]) + 1
    assert any(c["field"] == "next_step" and c["user_name"] == "admin1" for c in info.value.changes)


def _race(engine_url: str, ref: str, version: int, n: int) -> list[str]:
    results: list[str] = []
    barrier = threading.Barrier(n)

    def worker(i: int):
        engine = db.get_engine(engine_url)
        barrier.wait()
        try:
            store.update_action(ref, version, {"next_step": f"thread {i}"}, f"user{i}", engine)
            results.append("won")
        except store.StaleEdit:
            results.append("stale")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return results


def test_concurrent_saves_from_threads_one_wins_per_version(demo_db):
    url = demo_db.url.render_as_string(hide_password=False)
    row = queries.actions(demo_db).iloc[0]
    results = _race(url, row["ref"], int(row["version"]), 8)
    assert sorted(results) == ["stale"] * 7 + ["won"]
    after = queries.actions(demo_db).set_index("ref").loc[row["ref"]]
    assert after["version"] == int(row["version"]) + 1
    log = queries.change_log(demo_db, table="influence_action").query("row_id == @row.ref and field == 'next_step'")
    assert len(log) == 1 and log.iloc[0]["new"] == after["next_step"]


SCRIPT = """
import sys
from sna import store
ref, version, who = sys.argv[1], int(sys.argv[2]), sys.argv[3]
try:
    store.update_action(ref, version, {"next_step": "process " + who}, who)
    print("won")
except store.StaleEdit:
    print("stale")
"""


def test_concurrent_saves_from_processes_one_wins_per_version(demo_db):
    url = demo_db.url.render_as_string(hide_password=False)
    row = queries.actions(demo_db).iloc[1]
    env = {**os.environ, "SNA_DATABASE_URL": url}
    procs = [subprocess.Popen([sys.executable, "-c", SCRIPT, row["ref"], str(int(row["version"])), f"p{i}"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    results = sorted(o[0].strip() for o in outs)
    assert results == ["stale", "stale", "stale", "won"], outs
    assert queries.actions(demo_db).set_index("ref").loc[row["ref"], "version"] == int(row["version"]) + 1


def test_decision_maker_stance_change_is_dated_and_editor_only(demo_db):
    users, _ = _users(demo_db)
    dm = queries.decision_makers(demo_db, sensitive=True).iloc[0]
    with pytest.raises(editing.EditRefused):
        editing.save_decision_maker(users["viewer1"], dm["ref"], int(dm["version"]), {"stance": "ally"}, engine=demo_db)
    new = "opponent" if dm["stance"] != "opponent" else "ally"
    editing.save_decision_maker(users["ed_other"], dm["ref"], int(dm["version"]), {"stance": new},
                                stance_date=dt.date(2026, 3, 10), engine=demo_db)
    hist = queries.stance_changes(demo_db).query("decision_maker_id == @dm.id")
    assert hist.iloc[-1]["stance"] == new and str(hist.iloc[-1]["date"])[:10] == "2026-03-10"


def test_my_actions_are_my_organisations(demo_db):
    users, orgs = _users(demo_db)
    acts = queries.actions(demo_db)
    partners = queries.action_links(demo_db)["partners"]
    mine = editing.my_actions(acts, partners, users["ed_oxfam"])
    oxfam = orgs["Oxfam au Maroc"]
    partnered = set(partners.loc[partners["organisation_id"] == oxfam, "action_id"])
    assert len(mine) > 0
    assert all(r.lead_organisation_id == oxfam or r.id in partnered for r in mine.itertuples())
    assert editing.my_actions(acts, partners, None).empty


def test_conflict_and_reapply_keep_the_users_input():
    snapshot = {"title": "T", "next_step": "a", "status": "planned"}
    current = {"title": "T", "next_step": "b (someone else)", "status": "planned", "version": 3}
    mine = {"title": "T2 (mine)", "next_step": "a", "status": "planned"}
    rows = editing.conflict(snapshot, current, mine)
    assert rows == [{"field": "next_step", "opened": "a", "now": "b (someone else)", "mine": "a"}]
    merged = editing.reapply(snapshot, current, mine)
    assert merged == {"title": "T2 (mine)", "next_step": "b (someone else)", "status": "planned"}
