"""Import of observations, actions and decision-makers from CSV/XLSX (sna.importing, CLI)."""

from __future__ import annotations

import io
import json
import string
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sna import cli, db, importing, queries
from sna.models import ChangeLog, DecisionMaker, InfluenceAction, Observation, StageChange, StanceChange

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["indicator", "region", "period", "group", "value"]


# ------------------------------------------------------------------ helpers
def csv_bytes(rows, header=HEADER, sep=",", encoding="utf-8", bom=False) -> bytes:
    def cell(v):
        v = str(v)
        return f'"{v}"' if (sep in v or '"' in v) else v
    text = "\r\n".join(sep.join(cell(v) for v in r) for r in [header, *rows]) + "\r\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows, header=HEADER) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def state(engine) -> tuple[int, dict[str, int]]:
    """(data_version, rows per table): what must not move after a refused import."""
    return db.data_version(engine), db.table_counts(engine)


def obs(engine, indicator, area, period, group="migrants", sex="all", age="all"):
    o = Observation.__table__
    with db.read(engine) as conn:
        row = conn.execute(sa.select(o).where(
            o.c.indicator == indicator, o.c.area_code == area, o.c.period == period,
            o.c.population_group == group, o.c.sex == sex, o.c.age_group == age)).mappings().first()
    return dict(row) if row else None


def run(engine, data: bytes, name="f.csv", kind="observations", **kw) -> importing.ImportResult:
    return importing.import_bytes(data, name, kind, engine, user="amina", **kw)


# A period the demo has no data for: every row of it is new.
NEW = "2026"


# ---------------------------------------------------------------- the basics
def test_new_rows_are_imported_as_real_figures_with_a_batch(demo_db):
    before = db.data_version(demo_db)
    data = csv_bytes(
        [["SAN-01", "02", NEW, "migrants", "41.5", "83", "200", "Enquête"],
         ["SAN-01", "03", NEW, "migrants", "38", "", "", ""]],
        header=HEADER + ["numerator", "denominator", "source"])
    result = run(demo_db, data)
    assert result.status == "imported", result.report()
    assert result.exit_code == 0
    assert result.plan.counts() == {"new": 2, "changed": 0, "unchanged": 0}
    row = obs(demo_db, "SAN-01", "02", NEW)
    assert row["value"] == 41.5 and row["numerator"] == 83 and row["denominator"] == 200
    assert row["source"] == "Enquête" and row["is_illustrative"] in (False, 0)
    assert row["import_batch"] == result.batch_id
    blank = obs(demo_db, "SAN-01", "03", NEW)
    assert blank["numerator"] is None and blank["source"] == "" and blank["note"] is None
    batch = queries.import_batches(demo_db).iloc[0]
    assert (batch["id"], batch["kind"], batch["user_name"], batch["file_name"]) == (result.batch_id, "observations",
                                                                                     "amina", "f.csv")
    assert (batch["rows_new"], batch["rows_changed"], batch["rows_unchanged"]) == (2, 0, 0)
    assert db.data_version(demo_db) == before + 1


def test_the_same_file_twice_changes_nothing_the_second_time(demo_db):
    data = csv_bytes([["SAN-01", "02", NEW, "migrants", "41.5"], ["EDU-02", "09", NEW, "host", "90"]])
    first = run(demo_db, data)
    assert first.status == "imported"
    before = state(demo_db)
    second = run(demo_db, data)
    assert second.status == "unchanged" and second.batch_id is None and second.exit_code == 0
    assert second.plan.counts() == {"new": 0, "changed": 0, "unchanged": 2}
    assert state(demo_db) == before  # no batch recorded, data_version unchanged
    assert "nothing to import" in second.report()


def test_changed_rows_are_counted_and_logged_old_to_new(demo_db):
    run(demo_db, csv_bytes([["SAN-01", "02", NEW, "migrants", "41.5"], ["SAN-01", "03", NEW, "migrants", "30"]]))
    result = run(demo_db, csv_bytes([["SAN-01", "02", NEW, "migrants", "45"], ["SAN-01", "03", NEW, "migrants", "30"],
                                     ["SAN-01", "04", NEW, "migrants", "12"]]))
    assert result.plan.counts() == {"new": 1, "changed": 1, "unchanged": 1}
    assert obs(demo_db, "SAN-01", "02", NEW)["value"] == 45
    c = ChangeLog.__table__
    with db.read(demo_db) as conn:
        entries = conn.execute(sa.select(c).where(c.c.batch_id == result.batch_id).order_by(c.c.id)).mappings().all()
    assert [e["table_name"] for e in entries] == ["import_batch", "observation"]
    assert json.loads(entries[1]["old"])["value"] == 41.5
    assert json.loads(entries[1]["new"]) == {"value": 45.0}
    assert entries[1]["field"] == "value" and entries[1]["user_name"] == "amina"


def test_a_blank_optional_cell_keeps_the_stored_value(demo_db):
    header = HEADER + ["numerator", "denominator", "note"]
    run(demo_db, csv_bytes([["SAN-01", "02", NEW, "migrants", "41.5", "83", "200", "n"]], header=header))
    result = run(demo_db, csv_bytes([["SAN-01", "02", NEW, "migrants", "41.5", "", "", ""]], header=header))
    assert result.status == "unchanged"
    result = run(demo_db, csv_bytes([["SAN-01", "02", NEW, "migrants", "41.5"]]))  # columns absent
    assert result.status == "unchanged"
    row = obs(demo_db, "SAN-01", "02", NEW)
    assert (row["numerator"], row["denominator"], row["note"]) == (83, 200, "n")


def test_importing_over_demo_data_makes_it_real(demo_db):
    old = obs(demo_db, "SAN-01", "01", "2024")
    assert old["is_illustrative"]
    result = run(demo_db, csv_bytes([["SAN-01", "01", "2024", "migrants", str(old["value"])]]))
    assert result.plan.counts()["changed"] == 1
    assert not obs(demo_db, "SAN-01", "01", "2024")["is_illustrative"]


def test_progress_is_reported_up_to_the_total(demo_db):
    calls = []
    rows = [["SAN-01", f"{r:02d}", NEW, g, "10"] for r in range(1, 13) for g in ("migrants", "host")]
    run(demo_db, csv_bytes(rows), progress=lambda d, t: calls.append((d, t)))
    assert calls and calls[-1] == (24, 24)
    assert all(t == 24 for _, t in calls)


# ---------------------------------------------------------------- variants
def _imports_as(engine, data: bytes, name: str, expected: dict[tuple, float]):
    result = run(engine, data, name)
    assert result.status == "imported", result.report()
    for (ind, area, group, sex), value in expected.items():
        row = obs(engine, ind, area, NEW, group, sex)
        assert row is not None, (ind, area, group, sex)
        assert row["value"] == pytest.approx(value)


def test_region_names_codes_and_group_variants(demo_db):
    rows = [
        ["SAN-01", "Tanger-Tetouan-Al Hoceima", NEW, "migrants", "10"],
        ["SAN-01", "l'Oriental", NEW, "Migrants", "11"],
        ["SAN-01", "Beni Mellal Khenifra", NEW, "réfugiés", "12"],
        ["SAN-01", "1", NEW, "population hôte", "13"],
        ["SAN-01", "MA", NEW, "ensemble", "14"],
        ["SAN-01", "Maroc", NEW, "refugees", "15"],
        ["SAN-01", "national", NEW, "hôte", "16"],
        ["SAN-01", "2.113", NEW, "migrants", "17"],
        ["SAN-01", "FES-MEKNES", NEW, "nationaux", "18"],
        ["SAN-01", "Région de l’Oriental", NEW, "host", "19"],
        ["san-1", "Marrakesh-Safi", NEW, "all", "20"],
    ]
    _imports_as(demo_db, csv_bytes(rows), "variants.csv", {
        ("SAN-01", "01", "migrants", "all"): 10, ("SAN-01", "02", "migrants", "all"): 11,
        ("SAN-01", "05", "refugees", "all"): 12, ("SAN-01", "01", "host", "all"): 13,
        ("SAN-01", "MA", "all", "all"): 14, ("SAN-01", "MA", "refugees", "all"): 15,
        ("SAN-01", "MA", "host", "all"): 16, ("SAN-01", "02.113", "migrants", "all"): 17,
        ("SAN-01", "03", "host", "all"): 18, ("SAN-01", "02", "host", "all"): 19,
        ("SAN-01", "07", "all", "all"): 20,
    })


def test_french_headers_semicolons_decimal_commas_and_sex(demo_db):
    header = ["Indicateur", "Région", "Période", "Groupe", "Valeur", "Numérateur", "Dénominateur",
              "Taille_echantillon", "Sexe", "Tranche_age", "Source", "Note"]
    rows = [["SAN-01", "Souss-Massa", NEW, "migrants", "41,5", "83", "200", "200", "femmes", "15-29", "Enquête", ""],
            ["SAN-01", "Souss-Massa", NEW, "migrants", "1 234,5", "", "", "", "F", "", "", ""]]
    data = csv_bytes(rows, header=header, sep=";")
    result = run(demo_db, data, "fr.csv")
    # "1 234,5" reads as 1234.5, out of SAN-01's range: fix it, then import
    assert [(p.line, p.code, p.params["max"]) for p in result.plan.errors] == [(3, "out_of_range", 100)]
    assert "1234.5" in result.plan.errors[0].reason
    rows[1][4] = "12,25"
    rows[1][9] = "30 - 44"
    _imports_as(demo_db, csv_bytes(rows, header=header, sep=";"), "fr.csv", {})
    assert obs(demo_db, "SAN-01", "09", NEW, sex="female", age="15-29")["value"] == 41.5
    assert obs(demo_db, "SAN-01", "09", NEW, sex="female", age="30-44")["value"] == 12.25


@pytest.mark.parametrize("encoding,bom", [("utf-8", True), ("utf-8", False), ("cp1252", False)])
def test_french_text_in_utf8_with_or_without_bom_and_cp1252(demo_db, encoding, bom):
    header = ["indicateur", "région", "période", "groupe", "valeur", "source"]
    rows = [["SAN-01", "Béni Mellal-Khénifra", NEW, "Réfugiés", "12,5", "Enquête été"],
            ["SAN-01", "DRÂA-TAFILALET", NEW, "Réfugiés", "13", "Étude"]]
    data = csv_bytes(rows, header=header, sep=";", encoding=encoding, bom=bom)
    _imports_as(demo_db, data, "fr.csv", {("SAN-01", "05", "refugees", "all"): 12.5,
                                          ("SAN-01", "08", "refugees", "all"): 13})
    assert obs(demo_db, "SAN-01", "05", NEW, "refugees")["source"] == "Enquête été"
    assert obs(demo_db, "SAN-01", "08", NEW, "refugees")["source"] == "Étude"


def test_arabic_region_names_in_cp1256(demo_db):
    rows = [["SAN-01", "الشرق", NEW, "migrants", "21"],
            ["SAN-01", "طنجة-تطوان-الحسيمة", NEW, "المهاجرون", "22"],
            ["SAN-01", "جهة سوس ماسة", NEW, "اللاجئون", "23"],
            ["SAN-01", "الدار البيضاء-سطات", NEW, "migrants", "24"]]
    data = csv_bytes(rows, encoding="cp1256")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    _imports_as(demo_db, data, "ar.csv", {("SAN-01", "02", "migrants", "all"): 21,
                                          ("SAN-01", "01", "migrants", "all"): 22,
                                          ("SAN-01", "09", "refugees", "all"): 23,
                                          ("SAN-01", "06", "migrants", "all"): 24})


def test_xlsx_with_numbers_where_codes_were_expected(demo_db):
    # Excel turns 01 into 1, 02.113 into 2.113 and 2024 into a number
    rows = [["SAN-01", 1, 2026, "migrants", 41.5], ["SAN-01", 2.113, 2026, "migrants", 12],
            ["SAN-01", "Oriental", 2026, "migrants", 13]]
    _imports_as(demo_db, xlsx_bytes(rows), "f.xlsx", {("SAN-01", "01", "migrants", "all"): 41.5,
                                                      ("SAN-01", "02.113", "migrants", "all"): 12,
                                                      ("SAN-01", "02", "migrants", "all"): 13})


def test_tab_separated_utf16_and_hxl_row_are_read(demo_db):
    text = "indicator\tregion\tperiod\tgroup\tvalue\n#indicator+code\t#adm1+code\t#date\t#population\t#value\n" \
           f"SAN-01\t04\t{NEW}\tmigrants\t7\n"
    df = importing.read_table(b"\xff\xfe" + text.encode("utf-16-le"), "f.txt")
    assert df.attrs["hxl"] and list(df.index) == [3]
    _imports_as(demo_db, b"\xff\xfe" + text.encode("utf-16-le"), "f.txt", {("SAN-01", "04", "migrants", "all"): 7})


def test_read_table_gives_text_cells_and_spreadsheet_lines():
    data = csv_bytes([["SAN-01", "01", "2024", "migrants", "1"], ["", "", "", "", ""], ["X", "", "", "", "2"]])
    df = importing.read_table(data, "f.csv")
    assert list(df.columns) == HEADER
    assert list(df.index) == [2, 4]  # header = line 1, blank line 3 skipped
    assert df.loc[2, "region"] == "01" and df.loc[4, "region"] == ""
    df = importing.read_table(xlsx_bytes([["SAN-01", 1, 2024, "migrants", 1.5]]), "f.xlsx")
    assert df.loc[2].tolist() == ["SAN-01", "1", "2024", "migrants", "1.5"]


# ---------------------------------------------------------------- errors
def test_one_bad_row_imports_nothing_and_names_its_line(demo_db):
    before = state(demo_db)
    rows = [["SAN-01", "02", NEW, "migrants", "41.5"], ["SAN-01", "03", NEW, "migrants", "38"],
            ["SAN-01", "Atlantide", NEW, "migrants", "30"], ["SAN-01", "05", NEW, "migrants", "20"]]
    result = run(demo_db, csv_bytes(rows))
    assert result.status == "invalid" and result.exit_code == 1
    assert [(p.line, p.column, p.value, p.code) for p in result.plan.errors] == [(4, "region", "Atlantide",
                                                                                   "unknown_area")]
    assert "line 4" in result.report()
    assert state(demo_db) == before


@pytest.mark.parametrize("row,column,code,words", [
    (["SNA-01", "02", NEW, "migrants", "4"], "indicator", "unknown_indicator", "SAN-01"),
    (["SAN-01", "Orientale du nord", NEW, "migrants", "4"], "region", "unknown_area", "Oriental (02)"),
    (["SAN-01", "02", NEW, "migrants", "140"], "value", "out_of_range", "[0, 100]"),
    (["SAN-01", "02", "2024-13", "migrants", "4"], "period", "bad_period", "month must be 01 to 12"),
    (["SAN-01", "02", NEW, "migrants", "quatre"], "value", "not_a_number", "not a number"),
    (["SAN-01", "02", NEW, "migrants", ""], "value", "missing_value", "missing"),
    (["SAN-01", "02", NEW, "nomades", "4"], "group", "unknown_group", "expected one of"),
])
def test_each_kind_of_bad_cell_is_reported(demo_db, row, column, code, words):
    result = run(demo_db, csv_bytes([row]))
    assert result.exit_code == 1
    (p,) = result.plan.errors
    assert (p.line, p.column, p.code) == (2, column, code)
    assert words in p.reason
    assert p.params.get("column") == column


def test_numerator_above_denominator_and_duplicates(demo_db):
    header = HEADER + ["numerator", "denominator"]
    rows = [["SAN-01", "02", NEW, "migrants", "40", "90", "80"],
            ["SAN-01", "03", NEW, "migrants", "40", "", ""],
            ["SAN-01", "03", NEW, "Migrants", "41", "", ""]]
    errors = run(demo_db, csv_bytes(rows, header=header)).plan.errors
    assert [(p.line, p.code) for p in errors] == [(2, "numerator_above_denominator"), (4, "duplicate_key")]
    assert "line 3" in errors[1].reason


def test_a_missing_required_column_is_one_error_for_the_file(demo_db):
    rows = [["SAN-01", "02", NEW, "4"]] * 30
    result = run(demo_db, csv_bytes(rows, header=["indicator", "region", "period", "value"]))
    assert [(p.line, p.column, p.code) for p in result.plan.errors] == [(1, "group", "missing_column")]


def test_unknown_columns_are_ignored_with_a_warning(demo_db):
    result = run(demo_db, csv_bytes([["SAN-01", "02", NEW, "migrants", "4", "x"]], header=HEADER + ["couleur"]),
                 dry_run=True)
    assert result.status == "valid"
    assert [w.code for w in result.plan.warnings] == ["ignored_column"]


@pytest.mark.parametrize("data,name,code", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", "old_format"),
    (b"PK\x03\x04 not really a zip", "f.xlsx", "bad_xlsx"),
    (bytes(range(256)) * 4, "f.csv", "binary"),
    (b"", "f.csv", "empty"),
    ("indicateur;région\nSAN-01;Fès".encode("cp1252")[:-1] + b"\x81\x8d\x8f\x90\x9d" * 3, "f.csv", "bad_encoding"),
])
def test_unreadable_files_are_refused_with_a_hint(demo_db, data, name, code):
    result = run(demo_db, data, name)
    assert result.status == "unreadable" and result.exit_code == 2
    assert result.errors[0].code == code, result.errors


def test_a_missing_file_is_a_usage_error(demo_db, tmp_path):
    result = importing.import_file(tmp_path / "nope.csv", "observations", demo_db)
    assert result.status == "unreadable" and result.exit_code == 2


# ---------------------------------------------------------------- commit
def test_commit_rechecks_against_the_store_and_refuses_invalid_plans(demo_db):
    data = csv_bytes([["SAN-01", "02", NEW, "migrants", "41.5"]])
    plan = importing.validate(importing.read_table(data, "f.csv"), "observations", demo_db)
    assert plan.counts() == {"new": 1, "changed": 0, "unchanged": 0}
    run(demo_db, data)  # someone imports the same file meanwhile
    before = state(demo_db)
    assert importing.commit(plan, demo_db, "amina") is None
    assert plan.counts() == {"new": 0, "changed": 0, "unchanged": 1}
    assert state(demo_db) == before
    bad = importing.validate(importing.read_table(csv_bytes([["X", "02", NEW, "migrants", "1"]]), "f.csv"),
                             "observations", demo_db)
    with pytest.raises(importing.CommitError):
        importing.commit(bad, demo_db, "amina")


# ---------------------------------------------------------------- revert
def test_revert_restores_changed_rows_deletes_new_ones_and_only_once(demo_db):
    old = obs(demo_db, "SAN-01", "01", "2024")
    before_counts = db.table_counts(demo_db)
    result = run(demo_db, csv_bytes([["SAN-01", "01", "2024", "migrants", "99"],
                                     ["SAN-01", "02", NEW, "migrants", "41.5"]]))
    assert result.plan.counts() == {"new": 1, "changed": 1, "unchanged": 0}
    version = db.data_version(demo_db)
    counts = importing.revert_batch(result.batch_id, "admin", demo_db)
    assert counts == {"restored": 1, "deleted": 1}
    assert obs(demo_db, "SAN-01", "01", "2024") == old
    assert obs(demo_db, "SAN-01", "02", NEW) is None
    assert db.table_counts(demo_db)["observation"] == before_counts["observation"]
    assert db.data_version(demo_db) == version + 1
    batch = queries.import_batches(demo_db).iloc[0]
    assert batch["reverted_at"] is not None
    log = queries.change_log(demo_db, table="import_batch")
    assert log.iloc[0]["field"] == "reverted_at" and log.iloc[0]["user_name"] == "admin"
    with pytest.raises(importing.RevertError, match="already reverted"):
        importing.revert_batch(result.batch_id, "admin", demo_db)
    with pytest.raises(importing.RevertError, match="no import batch"):
        importing.revert_batch(9999, "admin", demo_db)
    with pytest.raises(importing.RevertError, match="demo"):
        importing.revert_batch(2, "admin", demo_db)  # the demo load


def test_revert_is_refused_when_a_later_import_changed_the_same_rows(demo_db):
    first = run(demo_db, csv_bytes([["SAN-01", "02", NEW, "migrants", "41.5"]]))
    second = run(demo_db, csv_bytes([["SAN-01", "02", NEW, "migrants", "50"]]))
    before = state(demo_db)
    with pytest.raises(importing.RevertError, match="revert that one first"):
        importing.revert_batch(first.batch_id, "admin", demo_db)
    assert state(demo_db) == before
    importing.revert_batch(second.batch_id, "admin", demo_db)
    assert obs(demo_db, "SAN-01", "02", NEW)["value"] == 41.5
    importing.revert_batch(first.batch_id, "admin", demo_db)
    assert obs(demo_db, "SAN-01", "02", NEW) is None


# ---------------------------------------------------------------- actions
ACTION_HEADER = ["ref", "title", "sector", "level", "area", "lead_organisation", "partners", "decision_makers",
                 "indicators", "action_type", "status", "policy_stage", "start_date", "due_date", "is_sensitive"]


def _action(engine, ref):
    a = InfluenceAction.__table__
    with db.read(engine) as conn:
        row = conn.execute(sa.select(a).where(a.c.ref == ref)).mappings().first()
    return dict(row) if row else None


def test_actions_are_created_updated_with_version_and_logged_then_reverted(demo_db):
    row = ["ACT-2026-901", "Accès AMO — Oriental", "santé", "Régional", "l'Oriental", "oxfam au maroc",
           "Association Tadamoun Oriental (fictive); Clinique juridique de Rabat (fictive)", "DM-0015; DM-0003",
           "SAN-01;SAN-06", "Réunion bilatérale", "En cours", "Formulation", "15/01/2026", "2026-06-30", "non"]
    result = run(demo_db, csv_bytes([row], header=ACTION_HEADER), kind="actions")
    assert result.status == "imported", result.report()
    created = _action(demo_db, "ACT-2026-901")
    assert (created["sector"], created["level"], created["area_code"], created["status"], created["policy_stage"],
            created["action_type"], created["version"]) == ("health", "regional", "02", "in_progress", "formulation",
                                                            "bilateral_meeting", 1)
    assert str(created["start_date"])[:10] == "2026-01-15"
    again = run(demo_db, csv_bytes([row], header=ACTION_HEADER), kind="actions")
    assert again.status == "unchanged"
    # an update of an existing demo action: only the given columns
    old = _action(demo_db, "ACT-2024-001")
    upd = run(demo_db, csv_bytes([["ACT-2024-001", "postponed", "adoption", "DM-0001"]],
                                 header=["ref", "statut", "étape", "décideurs"]), kind="actions")
    assert upd.plan.counts() == {"new": 0, "changed": 1, "unchanged": 0}, upd.report()
    new = _action(demo_db, "ACT-2024-001")
    assert (new["status"], new["policy_stage"], new["version"]) == ("postponed", "adoption", old["version"] + 1)
    assert new["title"] == old["title"] and new["updated_by"] == "amina"
    log = queries.change_log(demo_db, table="influence_action")
    fields = set(log[log["batch_id"] == upd.batch_id]["field"])
    assert fields == {"status", "policy_stage", "decision_makers"}
    with db.read(demo_db) as conn:
        stages = conn.execute(sa.select(StageChange.stage).where(StageChange.action_id == old["id"])
                              .order_by(StageChange.id)).scalars().all()
    assert stages[-1] == "adoption"
    importing.revert_batch(upd.batch_id, "admin", demo_db)
    back = _action(demo_db, "ACT-2024-001")
    assert (back["status"], back["policy_stage"]) == (old["status"], old["policy_stage"])
    assert back["version"] == old["version"] + 2
    with db.read(demo_db) as conn:
        assert conn.execute(sa.select(StageChange.stage).where(StageChange.action_id == old["id"])
                            .order_by(StageChange.id)).scalars().all() == stages[:-1]
    importing.revert_batch(result.batch_id, "admin", demo_db)
    assert _action(demo_db, "ACT-2026-901") is None


def test_action_errors_name_their_line(demo_db):
    rows = [["ACT-X1", "T", "santé", "régional", "", "Oxfam au Maroc", "", "DM-9999", "", "atelier", "", "", "", "",
             ""],
            ["ACT-X2", "T", "santé", "national", "", "Oxfam au Maroc", "", "", "", "atelier", "", "", "", "", ""],
            ["ACT-X3", "T", "sport", "local", "Oriental", "Oxfam Maroc", "", "", "", "atelier", "", "", "32/01/2026",
             "", "peut-être"],
            ["ACT-X4", "", "", "", "", "", "", "", "", "", "", "", "", "", ""]]
    errors = run(demo_db, csv_bytes(rows, header=ACTION_HEADER), kind="actions").plan.errors
    got = {(p.line, p.code) for p in errors}
    assert (2, "unknown_decision_maker") in got
    assert (4, "unknown_sector") in got and (4, "unknown_organisation") in got and (4, "bad_date") in got
    assert (4, "bad_bool") in got
    assert (5, "missing_for_new") in got
    assert all(line != 3 for line, _ in got)
    org = next(p for p in errors if p.code == "unknown_organisation")
    assert "Oxfam au Maroc" in org.reason


# ---------------------------------------------------------- decision-makers
def test_decision_makers_created_and_stance_change_recorded(demo_db):
    header = ["ref", "nom", "institution", "type", "niveau", "zone", "secteurs", "influence", "intérêt", "position"]
    rows = [["DM-0901", "Direction régionale", "Ministère de la Santé", "service déconcentré", "régional", "Oriental",
             "santé; logement", "4", "3", "indécis"]]
    result = run(demo_db, csv_bytes(rows, header=header), kind="decision-makers")
    assert result.status == "imported", result.report()
    d = DecisionMaker.__table__
    with db.read(demo_db) as conn:
        row = conn.execute(sa.select(d).where(d.c.ref == "DM-0901")).mappings().one()
    assert (row["target_type"], row["level"], row["area_code"], row["stance"]) == (
        "deconcentrated_service", "regional", "02", "undecided")
    dms = queries.decision_makers(demo_db, sensitive=True)
    assert dms.set_index("ref").loc["DM-0901", "sectors"] == "health,housing"
    upd = run(demo_db, csv_bytes([["DM-0901", "allié"]], header=["ref", "stance"]), kind="decision_makers")
    assert upd.plan.counts()["changed"] == 1
    with db.read(demo_db) as conn:
        changes = conn.execute(sa.select(StanceChange.stance).where(StanceChange.decision_maker_id == row["id"])
                               .order_by(StanceChange.id)).scalars().all()
    assert changes == ["undecided", "ally"]
    bad = run(demo_db, csv_bytes([["DM-0902", "X", "Y", "ministère", "local", "Oriental", "", "7", "3", ""]],
                                 header=header), kind="decision_makers")
    assert {p.code for p in bad.plan.errors} == {"out_of_range"}


def test_kind_is_guessed_from_headers():
    assert importing.detect_kind(["Indicateur", "Région", "Valeur"]) == "observations"
    assert importing.detect_kind(["ref", "institution"]) == "decision_makers"
    assert importing.detect_kind(["ref", "titre", "statut"]) == "actions"


# ---------------------------------------------------------------- templates
def test_committed_templates_are_what_write_templates_makes(tmp_path):
    written = importing.write_templates(tmp_path)
    assert {p.name for p in written} == {f"{k}.{e}" for k in ("observations", "actions", "decision_makers")
                                         for e in ("csv", "xlsx")}
    for path in written:
        committed = ROOT / "data" / "templates" / path.name
        assert committed.read_bytes() == path.read_bytes(), f"{path.name}: run `python -m sna templates`"
    wb = openpyxl.load_workbook(tmp_path / "observations.xlsx")
    assert wb.sheetnames == ["observations", "colonnes"]
    docs = list(wb["colonnes"].iter_rows(values_only=True))
    assert docs[0][2:5] == ("français", "English", "العربية")
    assert {r[0] for r in docs[1:]} >= set(HEADER)


@pytest.mark.parametrize("kind", ["observations", "actions", "decision_makers"])
@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_templates_import_cleanly_into_the_demo(demo_db, kind, ext):
    result = importing.import_file(ROOT / "data" / "templates" / f"{kind}.{ext}", kind, demo_db, dry_run=True)
    assert result.status == "valid", result.report()
    assert result.plan.new + result.plan.changed == 1


# ---------------------------------------------------------------- property-based
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000), name=st.sampled_from(["f.csv", "f.xlsx", "f.txt", "f"]))
def test_random_bytes_never_crash_nor_write(demo_db, data, name):
    before = state(demo_db)
    result = run(demo_db, data, name, kind=None)
    assert result.status in ("unreadable", "invalid", "valid", "imported", "unchanged")
    assert not any(p.code == "unexpected" for p in result.errors), result.errors
    if result.status not in ("imported",):
        assert state(demo_db) == before


_cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "01", "1", "12", "13", "MA", "Oriental", "SAN-01", "EDU-02", "2024", "2024-Q5", "2025-06",
                     "migrants", "host", "-1", "1e400", "12,5", "1.234,5", "=1+1", "'", '"', ";", "\n", "NaN",
                     "٣٫٥", "Fès", "الشرق", "*", "femmes", "x" * 30]),
    st.floats(allow_nan=True).map(str),
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_cells, min_size=0, max_size=9), min_size=1, max_size=6),
       sep=st.sampled_from([",", ";"]), xlsx=st.booleans())
def test_random_cells_under_a_valid_header_never_crash_nor_write_partially(demo_db, rows, sep, xlsx):
    header = HEADER + ["numerator", "denominator", "sex", "age_group"]
    if xlsx:
        clean = [[c.translate({i: None for i in range(32)}) for c in r] for r in rows]
        data, name = xlsx_bytes(clean, header), "f.xlsx"
    else:
        data, name = csv_bytes(rows, header=header, sep=sep), "f.csv"
    before = state(demo_db)
    result = run(demo_db, data, name)
    assert not any(p.code == "unexpected" for p in result.errors), result.errors
    if result.status == "imported":
        assert db.data_version(demo_db) == before[0] + 1
    else:
        assert state(demo_db) == before
    for p in result.errors:
        assert p.line is None or p.line >= 1


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=string.printable + "éèàçÉ٣٫٬ ", max_size=20))
def test_parse_number_either_returns_a_finite_float_or_refuses(text):
    try:
        value = importing.parse_number(text)
    except ValueError:
        return
    assert value == value and abs(value) != float("inf")


# ---------------------------------------------------------------- CLI
def test_cli_exit_codes(demo_db, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([["SAN-01", "02", NEW, "migrants", "41.5"]]))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["SAN-01", "02", NEW, "migrants", "141.5"]]))
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04junk")
    before = state(demo_db)
    assert cli.main(["import", str(good), "--dry-run"]) == 0
    assert "would be 1 new" in capsys.readouterr().out
    assert state(demo_db) == before
    assert cli.main(["import", str(bad)]) == 1
    assert "line 2, column 'value'" in capsys.readouterr().err
    assert cli.main(["import", str(tmp_path / "missing.csv")]) == 2
    assert cli.main(["import", str(junk)]) == 2
    with pytest.raises(SystemExit) as exc:
        cli.main(["import", str(good), "--kind", "budgets"])
    assert exc.value.code == 2
    assert state(demo_db) == before
    assert cli.main(["import", str(good), "--user", "amina"]) == 0
    out = capsys.readouterr().out
    assert "imported as batch" in out
    assert cli.main(["import", str(good)]) == 0
    assert "nothing to import" in capsys.readouterr().out
    batch = int(queries.import_batches(demo_db).iloc[0]["id"])
    assert cli.main(["imports"]) == 0
    assert cli.main(["revert-import", str(batch)]) == 0
    assert cli.main(["revert-import", str(batch)]) == 1


def test_cli_import_runs_as_a_module(demo_db, tmp_path):
    import os
    import subprocess
    import sys

    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([["SAN-01", "02", NEW, "migrants", "41.5"]]))
    proc = subprocess.run([sys.executable, "-m", "sna", "import", str(good), "--kind", "observations"],
                          cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert obs(demo_db, "SAN-01", "02", NEW)["value"] == 41.5


# ---------------------------------------------------------------- more shapes
def test_title_lines_above_the_header_and_excel_sep_line(demo_db):
    data = ("Enquête santé 2026;;;;\r\n\r\nindicateur;région;période;groupe;valeur\r\n"
            f"SAN-01;02;{NEW};migrants;12,5\r\nSAN-01;03;{NEW};migrants;abc\r\n").encode()
    result = run(demo_db, data, dry_run=True)
    assert [(p.line, p.code) for p in result.plan.errors] == [(5, "not_a_number")]
    data = f"sep=;\r\nindicator;region;period;group;value\r\nSAN-01;02;{NEW};migrants;12,5\r\n".encode()
    assert run(demo_db, data, dry_run=True).status == "valid"
    assert run(demo_db, b"indicator,region,period,group,value\r\n").plan.errors[0].code == "no_rows"


def test_the_plan_gives_a_page_what_it_shows(demo_db):
    data = csv_bytes([["SAN-01", "01", "2024", "migrants", "99"], ["SAN-01", "02", NEW, "migrants", "4"],
                      ["SAN-01", "03", NEW, "migrants", "x"]])
    plan = importing.validate(importing.read_table(data, "f.csv"), None, demo_db, file_name="f.csv")
    assert plan.kind == "observations" and not plan.ok
    frame = plan.errors_frame()
    assert frame.to_dict("records")[0] == {"line": 4, "column": "value", "value": "x", "reason": "not a number",
                                           "code": "not_a_number", "severity": "error"}
    preview = plan.preview()
    assert list(preview.columns) == ["line", "status", "key", "changes"]
    assert preview.iloc[0]["status"] == "changed" and "value:" in preview.iloc[0]["changes"]
    assert preview.iloc[1]["status"] == "new"


def test_revert_of_an_action_import_is_refused_after_an_edit(demo_db):
    from sna import store as st_

    upd = run(demo_db, csv_bytes([["ACT-2024-001", "postponed"]], header=["ref", "status"]), kind="actions")
    version = _action(demo_db, "ACT-2024-001")["version"]
    st_.update_action("ACT-2024-001", version, {"next_step": "Appeler"}, "karim", demo_db)
    with pytest.raises(importing.RevertError, match="revert that one first"):
        importing.revert_batch(upd.batch_id, "admin", demo_db)


def test_decision_maker_import_reverted(demo_db):
    d = DecisionMaker.__table__
    def n_stances(dm_id):
        with db.read(demo_db) as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(StanceChange.__table__)
                                .where(StanceChange.decision_maker_id == dm_id)).scalar_one()

    with db.read(demo_db) as conn:
        old = dict(conn.execute(sa.select(d).where(d.c.ref == "DM-0002")).mappings().one())
    stances_before = n_stances(old["id"])
    header = ["ref", "influence", "secteurs", "stance", "notes"]
    result = run(demo_db, csv_bytes([["DM-0002", "5", "santé;justice", "opposant", "Nouvelle note"],
                                     ["DM-0950", "3", "", "", ""]], header=header), kind="decision_makers")
    assert [(p.line, p.code) for p in result.plan.errors] == [(3, "missing_for_new")]
    result = run(demo_db, csv_bytes([["DM-0002", "5", "santé;justice", "opposant", "Nouvelle note"]], header=header),
                 kind="decision_makers")
    assert result.plan.counts()["changed"] == 1
    assert n_stances(old["id"]) == stances_before + 1
    importing.revert_batch(result.batch_id, "admin", demo_db)
    with db.read(demo_db) as conn:
        back = dict(conn.execute(sa.select(d).where(d.c.ref == "DM-0002")).mappings().one())
    for f in ("influence", "stance", "private_notes"):
        assert back[f] == old[f]
    assert back["version"] == old["version"] + 2
    sectors = queries.decision_makers(demo_db).set_index("ref").loc["DM-0002", "sectors"]
    assert sectors == "health"
    assert n_stances(old["id"]) == stances_before


def test_a_failure_half_way_through_a_commit_leaves_nothing(demo_db):
    rows = [["SAN-01", f"{r:02d}", NEW, "migrants", "10"] for r in range(1, 13)]
    rows += [["SAN-01", f"{r:02d}", "2024", "migrants", "10"] for r in range(1, 13)]  # changes demo rows
    plan = importing.validate(importing.read_table(csv_bytes(rows), "f.csv"), "observations", demo_db)
    assert plan.counts() == {"new": 12, "changed": 12, "unchanged": 0}
    before = state(demo_db)

    def cancel(done, total):
        raise RuntimeError("cancelled by the user")

    with pytest.raises(RuntimeError, match="cancelled"):
        importing.commit(plan, demo_db, "amina", progress=cancel)
    assert state(demo_db) == before
    assert obs(demo_db, "SAN-01", "01", NEW) is None
