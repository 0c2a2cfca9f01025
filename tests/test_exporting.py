"""Exports (CSV, XLSX, HXL) and backup/restore (sna.exporting, CLI)."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import threading
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from sna import cli, db, exporting, importing, queries, store
from sna.models import InfluenceAction, Observation

_PG = os.environ.get("SNA_TEST_DATABASE_URL", "").strip()
sqlite_only = pytest.mark.skipif(bool(_PG) and not _PG.startswith("sqlite"),
                                 reason="backup and restore of SQLite stores")
NEW = "2026"


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_rows(data: bytes, sheet: str) -> list[tuple]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return list(wb[sheet].iter_rows(values_only=True))


def add_obs(engine, **fields) -> None:
    row = {"indicator": "SAN-01", "area_code": "02", "period": NEW, "population_group": "migrants", "sex": "all",
           "age_group": "all", "value": 40.0, "numerator": None, "denominator": None, "sample_size": None,
           "source": "", "is_illustrative": False, "note": None}
    row.update(fields)
    with db.write(engine) as conn:
        store.insert_observations_in(conn, [row])


def reimport(engine, data: bytes, name: str, kind: str) -> importing.ImportResult:
    return importing.import_bytes(data, name, kind, engine, user="amina")


# ------------------------------------------------------------------ stability
@pytest.mark.parametrize("what", exporting.WHATS)
@pytest.mark.parametrize("fmt", exporting.FORMATS)
def test_the_same_store_gives_the_same_bytes(demo_db, what, fmt):
    first = exporting.export_bytes(what, fmt, demo_db, full=True)
    time.sleep(1.05 if fmt == "xlsx" else 0)  # a second later: timestamps would differ
    assert exporting.export_bytes(what, fmt, demo_db, full=True) == first
    assert exporting.export_bytes(what, fmt, demo_db) == exporting.export_bytes(what, fmt, demo_db)


def test_xlsx_has_fixed_timestamps_and_text_codes(demo_db):
    data = exporting.export_bytes("observations", "xlsx", demo_db)
    z = zipfile.ZipFile(io.BytesIO(data))
    assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
    core = z.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z</dcterms:modified>" in core and "2000-01-01T00:00:00Z</dcterms:created>" in core
    rows = xlsx_rows(data, "observations")
    header = rows[0]
    region = header.index("region")
    assert {type(r[region]) for r in rows[1:]} == {str}
    assert "01" in {r[region] for r in rows[1:]}
    value = header.index("value")
    assert all(v is None or isinstance(v, (int, float)) for v in (r[value] for r in rows[1:]))


def test_rows_come_in_a_stable_order(demo_db):
    rows = rows_of(exporting.export_bytes("observations", "csv", demo_db, full=True))
    header, body = rows[0], rows[1:]
    keys = [(r[header.index("indicator")], r[header.index("region")]) for r in body]
    assert keys == sorted(keys)
    refs = [r[0] for r in rows_of(exporting.export_bytes("actions", "csv", demo_db))[1:]]
    assert refs == sorted(refs)


# ------------------------------------------------------------------ HXL
def test_hxl_has_the_hashtag_row_under_the_header(demo_db):
    rows = rows_of(exporting.export_bytes("observations", "hxl", demo_db))
    header, tags = rows[0], rows[1]
    assert len(tags) == len(header)
    tag = dict(zip(header, tags))
    assert tag["region"] == "#adm1+code" and tag["indicator"] == "#indicator+code"
    assert tag["sector"] == "#sector" and tag["period"] == "#date" and tag["value"] == "#indicator+value+num"
    assert tag["group"] == "#population+type" and tag["source"] == "#meta+source"
    assert tag["is_illustrative"] == "#meta+is_illustrative"
    assert all(t.startswith("#") for t in tags)
    assert not exporting.export_bytes("observations", "hxl", demo_db).startswith(b"\xef\xbb\xbf")
    assert exporting.export_bytes("observations", "csv", demo_db).startswith(b"\xef\xbb\xbf")
    for what in ("actions", "decision_makers", "indicators"):
        rows = rows_of(exporting.export_bytes(what, "hxl", demo_db))
        assert len(rows[1]) == len(rows[0]) and all(t.startswith("#") for t in rows[1])


# ------------------------------------------------------------------ formulas
def test_formula_cells_are_neutralised_but_negative_numbers_are_not(demo_db):
    add_obs(demo_db, area_code="02", note="=HYPERLINK(\"http://x\")", source="+33 6", value=-3.0)
    add_obs(demo_db, area_code="03", note="@SUM(A1)", source="-x", value=12.0)
    add_obs(demo_db, area_code="04", note="'=already quoted", source="\tTab")
    data = exporting.export_bytes("observations", "csv", demo_db, full=True, periods=[NEW])
    rows = rows_of(data)
    h = rows[0]
    got = {r[h.index("region")]: (r[h.index("note")], r[h.index("source")], r[h.index("value")]) for r in rows[1:]}
    assert got["02"] == ("'=HYPERLINK(\"http://x\")", "'+33 6", "-3")
    assert got["03"] == ("'@SUM(A1)", "'-x", "12")
    assert got["04"][0] == "''=already quoted"
    xrows = xlsx_rows(exporting.export_bytes("observations", "xlsx", demo_db, full=True, periods=[NEW]),
                      "observations")
    xh = xrows[0]
    x = {r[xh.index("region")]: r for r in xrows[1:]}
    assert x["02"][xh.index("note")] == "'=HYPERLINK(\"http://x\")" and x["02"][xh.index("value")] == -3
    wb = openpyxl.load_workbook(io.BytesIO(exporting.export_bytes("observations", "xlsx", demo_db, full=True)))
    assert all(c.data_type != "f" for row in wb["observations"].iter_rows() for c in row)
    # and the text comes back unchanged through an import
    result = reimport(demo_db, data, "full.csv", "observations")
    assert not result.plan.errors or all(p.code == "out_of_range" for p in result.plan.errors)


def test_neutralise():
    assert exporting.neutralise("=1+1") == "'=1+1"
    assert exporting.neutralise("plain -1") == "plain -1"
    assert exporting.neutralise("'=x") == "''=x"
    assert exporting.neutralise("'quoted") == "'quoted"
    for text in ("=1", "+1", "-1", "@x", "'=x", "''+y", "ok", "'ok"):
        assert importing._unneutralise(exporting.neutralise(text)) == text


# ------------------------------------------------------------------ suppression
def test_small_counts_are_suppressed_by_default_and_kept_in_full(demo_db, monkeypatch):
    monkeypatch.setenv("SNA_SUPPRESSION_THRESHOLD", "5")
    add_obs(demo_db, area_code="02", value=66.7, numerator=2.0, denominator=3.0)
    add_obs(demo_db, area_code="03", value=50.0, numerator=10.0, denominator=20.0)
    add_obs(demo_db, indicator="CTX-06", area_code="04", value=2.0)   # a count ("cases") of 2
    add_obs(demo_db, indicator="CTX-06", area_code="05", value=12.0)

    def by_key(data):
        rows = rows_of(data)
        h = rows[0]
        return {(r[h.index("indicator")], r[h.index("region")]): dict(zip(h, r)) for r in rows[1:]}

    default = by_key(exporting.export_bytes("observations", "csv", demo_db, periods=[NEW]))
    assert (default[("SAN-01", "02")]["value"], default[("SAN-01", "02")]["numerator"],
            default[("SAN-01", "02")]["suppressed"]) == ("", "", "*")
    assert default[("SAN-01", "02")]["denominator"] == "3"
    assert (default[("SAN-01", "03")]["value"], default[("SAN-01", "03")]["suppressed"]) == ("50", "")
    assert (default[("CTX-06", "04")]["value"], default[("CTX-06", "04")]["suppressed"]) == ("", "*")
    assert default[("CTX-06", "05")]["value"] == "12"
    full = by_key(exporting.export_bytes("observations", "csv", demo_db, periods=[NEW], full=True))
    assert (full[("SAN-01", "02")]["value"], full[("SAN-01", "02")]["numerator"]) == ("66.7", "2")
    assert full[("CTX-06", "04")]["value"] == "2"
    x = xlsx_rows(exporting.export_bytes("observations", "xlsx", demo_db, periods=[NEW]), "observations")
    h = x[0]
    row = next(r for r in x[1:] if r[h.index("region")] == "02")
    assert row[h.index("value")] is None and row[h.index("suppressed")] == "*"
    # a default export imported back skips the withheld rows instead of failing
    result = reimport(demo_db, exporting.export_bytes("observations", "csv", demo_db, periods=[NEW]), "d.csv",
                      "observations")
    assert result.status == "unchanged", result.report()
    assert [w.code for w in result.plan.warnings] == ["suppressed_rows_skipped"]


def test_demo_store_default_export_withholds_its_small_denominators(demo_db):
    rows = rows_of(exporting.export_bytes("observations", "csv", demo_db))
    h = rows[0]
    small = [r for r in rows[1:] if r[h.index("denominator")] and float(r[h.index("denominator")]) < 5]
    assert small and all(r[h.index("value")] == "" and r[h.index("suppressed")] == "*" for r in small)


# ------------------------------------------------------------------ personal data
def test_sensitive_fields_stay_out_of_default_exports(demo_db):
    default = rows_of(exporting.export_bytes("decision_makers", "csv", demo_db))
    assert "stance" not in default[0] and "private_notes" not in default[0] and "updated_by" not in default[0]
    assert not any("Notes internes" in cell for r in default for cell in r)
    full = rows_of(exporting.export_bytes("decision_makers", "csv", demo_db, full=True))
    assert "stance" in full[0] and "private_notes" in full[0]
    a = InfluenceAction.__table__
    with db.read(demo_db) as conn:
        sensitive = set(conn.execute(sa.select(a.c.ref).where(a.c.is_sensitive.is_(True))).scalars())
        total = conn.execute(sa.select(sa.func.count()).select_from(a)).scalar_one()
    assert sensitive
    refs = {r[0] for r in rows_of(exporting.export_bytes("actions", "csv", demo_db))[1:]}
    assert not refs & sensitive
    refs_full = {r[0] for r in rows_of(exporting.export_bytes("actions", "csv", demo_db, full=True))[1:]}
    assert sensitive <= refs_full and len(refs_full) == total
    x = xlsx_rows(exporting.export_bytes("decision_makers", "xlsx", demo_db), "decision_makers")
    assert "stance" not in x[0]


def test_filters_narrow_the_export(demo_db):
    rows = rows_of(exporting.export_bytes("observations", "csv", demo_db, sector="health", region="02",
                                          periods=["2024"]))
    h = rows[0]
    assert rows[1:]
    assert {r[h.index("sector")] for r in rows[1:]} == {"health"}
    assert {r[h.index("region")][:2] for r in rows[1:]} == {"02"}
    assert {r[h.index("period")] for r in rows[1:]} == {"2024"}
    acts = rows_of(exporting.export_bytes("actions", "csv", demo_db, region="02"))
    areas = {r[acts[0].index("area")] for r in acts[1:]}
    assert areas <= {""} | {a for a in areas if a.startswith("02")} and "" in areas


# ------------------------------------------------------------------ round trips
@pytest.mark.parametrize("fmt,name", [("csv", "full.csv"), ("xlsx", "full.xlsx"), ("hxl", "full.hxl.csv")])
def test_import_then_full_export_then_import_changes_nothing(demo_db, fmt, name):
    header = ["indicator", "region", "period", "group", "value", "numerator", "denominator", "sample_size", "sex",
              "age_group", "source", "note"]
    lines = [",".join(header),
             f"SAN-01,02,{NEW},migrants,\"41,5\",83,200,200,femmes,15-29,Enquête 2026,=formule",
             f"SAN-01,Oriental,{NEW},host,90,,,,,,\"Recensement, HCP\",",
             f"JUS-05,MA,{NEW}-Q2,refugees,180.25,,,,,,,note -1"]
    first = reimport(demo_db, ("\r\n".join(lines) + "\r\n").encode(), "a.csv", "observations")
    assert first.status == "imported", first.report()
    before = db.data_version(demo_db)
    for what in ("observations", "actions", "decision_makers"):
        data = exporting.export_bytes(what, fmt, demo_db, full=True)
        again = reimport(demo_db, data, name, what)
        assert again.status == "unchanged", (what, again.report())
        assert again.plan.new == again.plan.changed == 0
    assert db.data_version(demo_db) == before


def test_full_export_round_trips_imported_actions_and_decision_makers(demo_db):
    dm = ("ref,nom,institution,type,niveau,zone,secteurs,influence,intérêt,position,notes\r\n"
          "DM-0901,Direction régionale,\"Ministère de la Santé, DRS\",service déconcentré,local,02.113,"
          "santé;logement,4,3,allié,=à relancer\r\n").encode()
    assert reimport(demo_db, dm, "dm.csv", "decision_makers").status == "imported"
    act = ("ref,titre,secteur,niveau,zone,organisation,partenaires,décideurs,indicateurs,type,statut,étape,"
           "début,échéance,sensible,prochaine étape\r\n"
           "ACT-2026-901,\"Accès, santé\",santé,local,02.113,Oxfam au Maroc,Association Tadamoun Oriental (fictive),"
           "DM-0901,SAN-01,atelier,réalisée,adoption,01/02/2026,2026-03-01,oui,-\r\n").encode()
    r = reimport(demo_db, act, "a.csv", "actions")
    assert r.status == "imported", r.report()
    before = db.data_version(demo_db)
    for fmt in ("csv", "xlsx", "hxl"):
        for what in ("actions", "decision_makers"):
            again = reimport(demo_db, exporting.export_bytes(what, fmt, demo_db, full=True), f"x.{fmt}", what)
            assert again.status == "unchanged", (fmt, what, again.report())
    assert db.data_version(demo_db) == before
    full = rows_of(exporting.export_bytes("actions", "csv", demo_db, full=True))
    row = dict(zip(full[0], next(r for r in full[1:] if r[0] == "ACT-2026-901")))
    assert row["next_step"] == "'-" and row["is_sensitive"] == "true" and row["done_date"] == ""


# ------------------------------------------------------------------ backup
@sqlite_only
def test_backup_during_writes_restores_to_a_consistent_store(demo_db, tmp_path):
    stop = threading.Event()
    written = []

    def writer():
        engine = sa.create_engine(demo_db.url)
        n = 0
        while not stop.is_set() and n < 400:
            n += 1
            with engine.begin() as conn:
                conn.exec_driver_sql("PRAGMA busy_timeout = 30000")
                store.insert_observations_in(conn, [{
                    "indicator": "SAN-01", "area_code": "02", "period": f"{1950 + n // 12}-{n % 12 + 1:02d}",
                    "population_group": "migrants", "sex": "all", "age_group": f"w{n}", "value": 1.0,
                    "source": "writer", "is_illustrative": False}])
                db.set_meta(conn, "writer_count", str(n))
            written.append(n)
        engine.dispose()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            time.sleep(0.01)
        copies = [exporting.backup(tmp_path / f"copy{i}.db", demo_db) for i in range(3)]
    finally:
        stop.set()
        thread.join(60)
    assert len(written) >= 20
    for copy in copies:
        conn = sqlite3.connect(copy)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
            n_rows = conn.execute("SELECT count(*) FROM observation WHERE source = 'writer'").fetchone()[0]
            counter = conn.execute("SELECT value FROM meta WHERE key = 'writer_count'").fetchone()
        finally:
            conn.close()
        assert n_rows == (int(counter[0]) if counter else 0)
    # restore the last copy into the live store
    info = exporting.inspect_backup(copies[-1])
    version_before = db.data_version(demo_db)
    result = exporting.restore(copies[-1], demo_db, user="admin")
    store_path = Path(demo_db.url.database)
    assert result["previous"] == store_path.with_name(store_path.name + ".before-restore")
    assert result["previous"].exists()
    with db.read(demo_db) as conn:
        n_rows = conn.execute(sa.select(sa.func.count()).select_from(Observation.__table__)
                              .where(Observation.source == "writer")).scalar_one()
        counter = db.get_meta(conn, "writer_count", "0")
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert n_rows == int(counter) == int(info["meta"]["writer_count"]) and n_rows > 0
    assert db.data_version(demo_db) > max(version_before, info["data_version"])
    assert queries.import_batches(demo_db).iloc[0]["kind"] == "restore"


@sqlite_only
def test_restore_refuses_what_is_not_an_sna_store_and_leaves_the_store(demo_db, tmp_path):
    before = (db.data_version(demo_db), db.table_counts(demo_db))
    text = tmp_path / "notes.db"
    text.write_text("hello")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    newer = exporting.backup(tmp_path / "newer.db", demo_db)
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.commit()
    conn.close()
    for path, words in ((text, "not a SQLite"), (other, "not an sna store"), (newer, "does not know"),
                        (tmp_path / "missing.db", "no such file")):
        with pytest.raises(exporting.BackupError, match=words):
            exporting.restore(path, demo_db)
    assert (db.data_version(demo_db), db.table_counts(demo_db)) == before


def test_postgresql_points_to_pg_dump(monkeypatch, capsys):
    engine = sa.create_engine("postgresql+psycopg://sna:secret@127.0.0.1:1/sna")  # never connected
    with pytest.raises(exporting.BackupError, match="pg_dump"):
        exporting.backup("x.db", engine)
    with pytest.raises(exporting.BackupError, match="pg_restore"):
        exporting.restore("x.db", engine)
    monkeypatch.setenv("SNA_DATABASE_URL", "postgresql+psycopg://sna:secret@127.0.0.1:1/sna")
    try:
        assert cli.main(["backup", "x.db"]) == 1
        assert "pg_dump" in capsys.readouterr().err
        assert cli.main(["restore", "x.db"]) == 1
        assert "pg_restore" in capsys.readouterr().err
    finally:
        db.dispose_engines()


# ------------------------------------------------------------------ CLI
@sqlite_only
def test_cli_export_backup_restore(demo_db, tmp_path, capsys):
    out = tmp_path / "obs.xlsx"
    assert cli.main(["export", "--what", "observations", "--format", "xlsx", "--out", str(out)]) == 0
    assert out.read_bytes() == exporting.export_bytes("observations", "xlsx", demo_db)
    assert cli.main(["export", "--what", "decision-makers", "--out", str(tmp_path), "--full"]) == 0
    assert (tmp_path / "sna-decision-makers.csv").exists()
    assert cli.main(["export", "--what", "indicators", "--format", "hxl", "--out", str(tmp_path / "i.csv")]) == 0
    assert cli.main(["export", "--what", "actions", "--out", str(tmp_path / "no" / "such" / "dir.csv")]) == 2
    with pytest.raises(SystemExit) as exc:
        cli.main(["export", "--what", "budgets", "--out", str(out)])
    assert exc.value.code == 2
    capsys.readouterr()
    assert cli.main(["backup", str(tmp_path / "b.db")]) == 0
    assert "Backup of" in capsys.readouterr().out
    assert cli.main(["restore", str(tmp_path / "b.db")]) == 0
    assert "before-restore" in capsys.readouterr().out
    assert cli.main(["restore", str(tmp_path / "obs.xlsx")]) == 1
