"""The Data page through AppTest: a template, a file with one mistake (reported, nothing
written), the fixed file (imported), the same file again (nothing changes), an export."""

from __future__ import annotations

import pytest

from sna import auth, db, queries
from tests.apptest import login, open_app

GOOD = ("indicateur;région;période;groupe;valeur;dénominateur\n"
        "SAN-01;Souss-Massa;2019;migrants;41,5;120\n"
        "SAN-01;l'Oriental;2019;migrants;38;90\n")
BAD = GOOD + "SAN-01;Atlantide;2019;migrants;150;80\n"


@pytest.fixture
def editor(demo_db):
    auth.add_user("mel", "editor-password-1", role="editor", organisation="Oxfam au Maroc", engine=demo_db)
    at = open_app()
    login(at, "mel", "editor-password-1")
    at.switch_page("pages/data.py").run()
    assert not at.exception
    return at


def _upload(at, name: str, text: str):
    at.get("file_uploader")[0].upload(name, text.encode("cp1252"), "text/csv") if hasattr(
        at.get("file_uploader")[0], "upload") else pytest.skip("AppTest cannot upload files in this version")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_file_with_one_mistake_reports_the_row_and_changes_nothing(editor, demo_db):
    before = db.data_version(demo_db)
    _upload(editor, "terrain.csv", BAD)
    report = editor.dataframe[0].value
    row = report[report["Ligne"] == "4"]
    assert not row.empty, report
    assert set(row["Colonne"]) >= {"région"} or "Atlantide" in set(row["Valeur"])
    assert any("problèmes" in e.value for e in editor.error)
    assert not [b for b in editor.button if b.key == "data.commit"]
    assert db.data_version(demo_db) == before


def test_the_fixed_file_imports_and_again_changes_nothing(editor, demo_db):
    _upload(editor, "terrain.csv", GOOD)
    assert any("2 nouvelles" in s.value for s in editor.success)
    [b for b in editor.button if b.key == "data.commit"][0].click().run()
    assert any("Import n°" in s.value for s in editor.success), [s.value for s in editor.success]
    obs = queries.observations(demo_db, periods=["2019"])
    assert sorted(obs["area_code"]) == ["02", "09"] and not obs["is_illustrative"].any()
    assert obs.set_index("area_code").loc["09", "value"] == 41.5
    editor.run()  # the same file, still uploaded
    assert any("Rien à importer" in i.value for i in editor.info)


def test_a_viewer_cannot_reach_the_data_page(demo_db):
    auth.add_user("vi", "viewer-password-1", role="viewer", engine=demo_db)
    at = open_app()
    login(at, "vi", "viewer-password-1")
    with pytest.raises(ValueError):
        at.switch_page("pages/data.py")
