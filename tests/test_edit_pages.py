"""Editing pages through AppTest: viewers see no form, editors save, stale saves are told."""

from __future__ import annotations

import pytest

from sna import auth, queries, store
from tests.apptest import login, open_app


@pytest.fixture
def accounts(demo_db):
    auth.add_user("ed_oxfam", "editor-password-1", role="editor", organisation="Oxfam au Maroc", engine=demo_db)
    auth.add_user("ed_other", "editor-password-2", role="editor",
                  organisation="Association Tadamoun Oriental (fictive)", engine=demo_db)
    auth.add_user("viewer1", "viewer-password-1", role="viewer", engine=demo_db)
    return demo_db


SAVE_LABELS = ("Enregistrer", "Archiver", "Restaurer")


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/gaps.py", "pages/region.py", "pages/actions.py",
                                  "pages/decision_makers.py", "pages/sources.py"])
def test_a_viewer_sees_no_form_on_any_page(accounts, page):
    at = open_app()
    login(at, "viewer1", "viewer-password-1")
    at.switch_page(page).run()
    assert not at.exception
    assert not [b for b in at.button if b.label in SAVE_LABELS]
    assert not [ti for ti in at.text_input if ti.key and ti.key.startswith("edit.")]


def test_editing_pages_are_not_reachable_by_a_viewer(accounts):
    at = open_app()
    login(at, "viewer1", "viewer-password-1")
    for page in ("pages/edit.py", "pages/audit.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
    # and the page itself refuses whoever reaches it without the right (e.g. after signing out)
    at = open_app()
    login(at, "ed_oxfam", "editor-password-1")
    at.switch_page("pages/edit.py").run()
    assert [b for b in at.button if b.label == "Enregistrer"]
    [b for b in at.button if b.key == "w.logout"][0].click().run()
    assert not [b for b in at.button if b.label in SAVE_LABELS]


def test_editor_saves_own_action_and_audit_lists_it(accounts):
    at = open_app()
    login(at, "ed_oxfam", "editor-password-1")
    at.switch_page("pages/edit.py").run()
    assert not at.exception
    ref = at.selectbox(key="edit.ref").value
    at.text_input(key="edit.a.next_step").input("Relancer la wilaya")
    at.selectbox(key="edit.a.status").select("in_progress")
    at.date_input(key="edit.a.done_date").set_value(None)
    [b for b in at.button if b.label == "Enregistrer"][0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert queries.actions(accounts).set_index("ref").loc[ref, "next_step"] == "Relancer la wilaya"
    at.switch_page("pages/audit.py").run()
    table = at.dataframe[0].value
    assert ((table["Référence (ex. ACT-2025-014)"] == ref) & (table["Après"] == "Relancer la wilaya")).any()


def test_editor_of_another_organisation_cannot_save(accounts):
    acts = queries.actions(accounts)
    orgs = queries.organisations(accounts).set_index("name")["id"]
    links = queries.action_links(accounts)["partners"]
    other = orgs["Association Tadamoun Oriental (fictive)"]
    theirs = set(acts.loc[acts["lead_organisation_id"] == other, "id"]) | set(links.loc[links["organisation_id"] == other, "action_id"])
    oxfam_only = acts[(acts["lead_organisation_id"] == orgs["Oxfam au Maroc"]) & ~acts["id"].isin(theirs)]
    at = open_app()
    login(at, "ed_other", "editor-password-2")
    at.switch_page("pages/edit.py").run()
    refs = at.selectbox(key="edit.ref").options
    assert oxfam_only.iloc[0]["ref"] not in [r.split(" · ")[0] for r in refs]


def test_stale_save_is_refused_and_input_kept(accounts):
    at = open_app()
    login(at, "ed_oxfam", "editor-password-1")
    at.switch_page("pages/edit.py").run()
    ref = at.selectbox(key="edit.ref").value
    row = queries.actions(accounts).set_index("ref").loc[ref]
    # someone else saves first
    store.update_action(ref, int(row["version"]), {"title": "Titre changé ailleurs"}, "someone", accounts)
    at.text_input(key="edit.a.next_step").input("Ma prochaine étape")
    at.selectbox(key="edit.a.status").select("in_progress")
    at.date_input(key="edit.a.done_date").set_value(None)
    [b for b in at.button if b.label == "Enregistrer"][0].click().run()
    assert any("Quelqu'un (someone)" in e.value for e in at.error), [e.value for e in at.error]
    assert at.text_input(key="edit.a.next_step").value == "Ma prochaine étape"
    [b for b in at.button if b.key == "edit.reapply"][0].click().run()
    assert at.text_input(key="edit.a.next_step").value == "Ma prochaine étape"
    assert at.text_input(key="edit.a.title").value == "Titre changé ailleurs"
    [b for b in at.button if b.label == "Enregistrer"][0].click().run()
    assert not at.error, [e.value for e in at.error]
    final = queries.actions(accounts).set_index("ref").loc[ref]
    assert final["title"] == "Titre changé ailleurs" and final["next_step"] == "Ma prochaine étape"


def test_two_editors_change_the_same_action_the_second_is_told_and_both_are_audited(accounts):
    """Two browsers (two sessions), two editors of the same organisation, one action."""
    auth.add_user("ed_oxfam2", "editor-password-3", role="editor", organisation="Oxfam au Maroc", engine=accounts)
    first, second = open_app(), open_app()
    login(first, "ed_oxfam", "editor-password-1")
    login(second, "ed_oxfam2", "editor-password-3")
    for at in (first, second):
        at.switch_page("pages/edit.py").run()
    ref = first.selectbox(key="edit.ref").value
    assert second.selectbox(key="edit.ref").value == ref
    # the first editor changes the title and saves
    first.text_input(key="edit.a.title").input("Titre (éditrice 1)")
    first.date_input(key="edit.a.done_date").set_value(None)
    first.selectbox(key="edit.a.status").select("planned")
    [b for b in first.button if b.label == "Enregistrer"][0].click().run()
    assert not first.error, [e.value for e in first.error]
    # the second, whose form was opened before, changes the next step and saves: told
    second.text_input(key="edit.a.next_step").input("Étape (éditeur 2)")
    second.date_input(key="edit.a.done_date").set_value(None)
    second.selectbox(key="edit.a.status").select("planned")
    [b for b in second.button if b.label == "Enregistrer"][0].click().run()
    assert any("Quelqu'un (ed_oxfam)" in e.value for e in second.error), [e.value for e in second.error]
    # re-applies on the current version, and saves
    [b for b in second.button if b.key == "edit.reapply"][0].click().run()
    [b for b in second.button if b.label == "Enregistrer"][0].click().run()
    assert not second.error, [e.value for e in second.error]
    final = queries.actions(accounts).set_index("ref").loc[ref]
    assert final["title"] == "Titre (éditrice 1)" and final["next_step"] == "Étape (éditeur 2)"
    second.switch_page("pages/audit.py").run()
    log = second.dataframe[0].value
    mine = log[log["Référence (ex. ACT-2025-014)"] == ref]
    assert {"ed_oxfam", "ed_oxfam2"} <= set(mine["Utilisateur"])
    assert "Titre (éditrice 1)" in set(mine["Après"]) and "Étape (éditeur 2)" in set(mine["Après"])
