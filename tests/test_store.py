"""The store: schema, migrations, constraints, transactions, data_version, the CLI."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from sna import cli, config, db, queries, store
from sna.models import Base, Meta

ROOT = Path(__file__).resolve().parent.parent


def _reference(conn) -> None:
    regions = pd.DataFrame([{"code": "09", "name_fr": "Souss-Massa", "name_ar": "سوس ماسة",
                             "name_en": "Souss-Massa", "population_2024": 3_020_431}])
    provinces = pd.DataFrame([{"code": "09.001", "region_code": "09", "name_fr": "Agadir Ida-Outanane",
                               "name_ar": "أكادير إداوتنان", "name_en": "Agadir Ida-Outanane",
                               "population_2024": 600_000}])
    catalogue = pd.DataFrame([{
        "code": "SAN-01", "sector": "health", "name_fr": "Couverture", "name_en": "Coverage",
        "name_ar": "التغطية", "unit": "%", "direction": "higher_is_better", "definition_fr": "d",
        "definition_en": "d", "definition_ar": "d", "method": "m", "source": "s", "hxl_tag": "#x",
        "valid_min": 0.0, "valid_max": 100.0, "target": 100.0, "gap_best": 0.0, "gap_worst": 60.0,
        "compares_groups": True}])
    store.load_reference_in(conn, regions, provinces, catalogue)


def _fill_one_of_each(engine) -> dict[str, int]:
    """One row in every table through the store's write functions."""
    with db.write(engine) as conn:
        _reference(conn)
        batch = store.record_batch_in(conn, file_name="f.csv", kind="observations", user="amina", new=1)
        store.insert_observations_in(conn, [{
            "indicator": "SAN-01", "area_code": "09", "period": "2024", "population_group": "migrants",
            "sex": "female", "age_group": "15-29", "value": 41.5, "numerator": 83, "denominator": 200,
            "sample_size": 200, "source": "Enquête", "is_illustrative": True, "note": "n"}], batch_id=batch)
        org = store.add_organisation_in(conn, "Oxfam au Maroc", "international_ngo", is_lead=True)
        partner = store.add_organisation_in(conn, "GADEM", "association")
        dm = store.add_decision_maker_in(conn, ref="DM-001", name="Direction régionale de la santé",
                                         institution="Ministère de la Santé", target_type="deconcentrated_service",
                                         level="regional", area_code="09", influence=4, interest=2,
                                         stance="undecided", private_notes="x", sectors=["health"],
                                         stance_history=[("unknown", dt.date(2025, 1, 1)),
                                                         ("undecided", dt.date(2025, 6, 1))])
        action = store.add_action_in(conn, ref="ACT-001", title="Plaidoyer AMO", sector="health",
                                     level="regional", area_code="09", lead_organisation_id=org,
                                     action_type="bilateral_meeting", status="in_progress",
                                     policy_stage="formulation", start_date=dt.date(2025, 1, 1),
                                     due_date=dt.date(2025, 12, 31), decision_makers=[dm], partners=[partner],
                                     indicators=["SAN-01"], stages=[("agenda_setting", dt.date(2025, 1, 1), org),
                                                                    ("formulation", dt.date(2025, 5, 1), org)])
        store.add_outcome_in(conn, ref="OUT-001", date_observed=dt.date(2025, 7, 1), social_actor="DRS",
                             outcome_type="practice", description="d", actions=[action])
        store.add_milestone_in(conn, ref="MS-1", title_fr="Document final", title_en="Final", title_ar="الوثيقة",
                               due_date=dt.date(2026, 6, 30), status="in_progress")
        from sna.models import User
        conn.execute(sa.insert(User.__table__).values(name="amina", role="editor", organisation_id=org,
                                                      password_hash="h", failed_logins=0))
    return {"org": org, "dm": dm, "action": action}


def test_fresh_store_has_every_table_at_head(fresh_db):
    assert db.current_revision(fresh_db) == db.head_revision()
    present = set(sa.inspect(fresh_db).get_table_names())
    assert set(Base.metadata.tables) <= present


def test_round_trip_every_model(fresh_db):
    _fill_one_of_each(fresh_db)
    counts = db.table_counts(fresh_db)
    empty = [name for name, n in counts.items() if n == 0]
    assert empty == [], f"tables without a row after the round trip: {empty}"

    obs = queries.observations(fresh_db, breakdowns=True)
    row = obs.iloc[0]
    assert (row["indicator"], row["area_code"], row["sex"], row["age_group"]) == ("SAN-01", "09", "female", "15-29")
    assert row["value"] == 41.5 and row["denominator"] == 200 and bool(row["is_illustrative"])
    assert queries.observations(fresh_db).empty  # totals only by default: this row is a breakdown

    act = queries.actions(fresh_db).iloc[0]
    assert act["lead_organisation"] == "Oxfam au Maroc" and act["region_code"] == "09"
    assert act["due_date"] == dt.date(2025, 12, 31) and act["n_decision_makers"] == 1
    assert act["target_type"] == "deconcentrated_service" and act["version"] == 1
    stages = queries.stage_changes(fresh_db)
    assert list(stages["stage"]) == ["agenda_setting", "formulation"]

    viewer_view = queries.decision_makers(fresh_db)
    assert "stance" not in viewer_view.columns and "private_notes" not in viewer_view.columns
    full = queries.decision_makers(fresh_db, sensitive=True).iloc[0]
    assert full["stance"] == "undecided" and full["sectors"] == "health"
    assert list(queries.stance_changes(fresh_db)["stance"]) == ["unknown", "undecided"]
    assert queries.outcomes(fresh_db).iloc[0]["outcome_type"] == "practice"
    assert queries.milestones(fresh_db).iloc[0]["due_date"] == dt.date(2026, 6, 30)
    assert queries.users(fresh_db).iloc[0]["organisation"] == "Oxfam au Maroc"
    assert "password_hash" not in queries.users(fresh_db).columns
    assert queries.last_import(fresh_db)["file_name"] == "f.csv"
    assert queries.indicators(fresh_db).iloc[0]["compares_groups"] is True or \
        bool(queries.indicators(fresh_db).iloc[0]["compares_groups"])
    assert queries.known_areas(fresh_db) == {"09", "09.001", "MA"}


def test_the_read_of_every_action_keeps_the_stores_values_and_types(demo_db):
    """queries.actions() reads its 20,000 rows without SQLAlchemy's per-row typing: what it
    gives must be what SQLAlchemy would have given, on SQLite and on PostgreSQL."""
    from sna.models import InfluenceAction

    acts = queries.actions(demo_db, include_archived=True).set_index("id").sort_index()
    a = InfluenceAction.__table__
    with db.read(demo_db) as conn:
        typed = pd.DataFrame([dict(r) for r in conn.execute(sa.select(a).order_by(a.c.id)).mappings()]).set_index("id")
    for col in ("start_date", "due_date", "done_date"):
        assert all(v is None or type(v) is dt.date for v in acts[col]), col
        assert acts[col].tolist() == typed[col].tolist(), col
    for col in ("is_sensitive", "archived"):
        assert acts[col].dtype == bool and acts[col].tolist() == typed[col].astype(bool).tolist(), col
    assert pd.api.types.is_datetime64_dtype(acts["updated_at"])
    assert acts["updated_at"].tolist() == pd.to_datetime(typed["updated_at"]).tolist()
    for col in ("ref", "title", "status", "area_code", "version"):
        assert acts[col].tolist() == typed[col].tolist(), col
    assert acts["is_sensitive"].any() and acts["done_date"].notna().any() and acts["done_date"].isna().any()
    national = acts["area_code"].isna() | acts["area_code"].eq("MA")
    assert acts.loc[national, "region_code"].isna().all()
    assert (acts.loc[~national, "region_code"] == acts.loc[~national, "area_code"].str[:2]).all()


@pytest.mark.parametrize("table, values, bad", [
    ("influence_action", {"sector": "santé"}, "sector"),
    ("influence_action", {"status": "finished"}, "status"),
    ("decision_maker", {"stance": "friend"}, "stance"),
    ("decision_maker", {"influence": 9}, "influence"),
    ("observation", {"population_group": "tourists"}, "population_group"),
])
def test_check_constraints_refuse_bad_codes(fresh_db, table, values, bad):
    ids = _fill_one_of_each(fresh_db)
    t = Base.metadata.tables[table]
    key = {"influence_action": ids["action"], "decision_maker": ids["dm"]}.get(table)
    with pytest.raises(sa.exc.IntegrityError, match=r"(?i)check"):
        with db.write(fresh_db) as conn:
            stmt = sa.update(t).values(**values)
            if key is not None:
                stmt = stmt.where(t.c.id == key)
            conn.execute(stmt)
    # nothing changed
    with db.read(fresh_db) as conn:
        assert conn.execute(sa.select(t.c[bad]).limit(1)).scalar_one() != values[bad]


def test_data_version_bumps_on_every_write(fresh_db):
    seen = [db.data_version(fresh_db)]

    def after(fn):
        fn()
        seen.append(db.data_version(fresh_db))
        assert seen[-1] > seen[-2], f"{fn} did not bump data_version"

    after(lambda: _fill_one_of_each(fresh_db))
    after(lambda: store.set_meta("as_of", "2026-01-01", fresh_db))
    after(lambda: store.update_action("ACT-001", 1, {"status": "done", "done_date": dt.date(2026, 1, 5)},
                                      "amina", fresh_db))
    from sna import auth  # the account functions are writes too
    after(lambda: auth.add_user("karim", "s3cret-pass!", role="viewer", engine=fresh_db))


def test_failed_write_rolls_back_everything(fresh_db):
    before = db.data_version(fresh_db)
    with pytest.raises(sa.exc.IntegrityError):
        with db.write(fresh_db) as conn:
            _reference(conn)
            store.add_organisation_in(conn, "A", "association")
            store.add_organisation_in(conn, "A", "association")  # unique name
    assert db.data_version(fresh_db) == before
    assert queries.organisations(fresh_db).empty and queries.regions(fresh_db).empty


def test_stale_edit_is_refused_and_changes_nothing(fresh_db):
    _fill_one_of_each(fresh_db)
    v2 = store.update_action("ACT-001", 1, {"next_step": "Relancer la DRS"}, "amina", fresh_db)
    assert v2 == 2
    with pytest.raises(store.StaleEdit) as info:
        store.update_action("ACT-001", 1, {"next_step": "autre chose"}, "karim", fresh_db)
    assert info.value.current == 2
    assert any(c["field"] == "next_step" and c["user_name"] == "amina" for c in info.value.changes)
    assert queries.actions(fresh_db).iloc[0]["next_step"] == "Relancer la DRS"


def test_today_follows_sna_today(monkeypatch):
    monkeypatch.setenv("SNA_TODAY", "2025-06-30")
    assert config.today() == dt.date(2025, 6, 30)
    monkeypatch.delenv("SNA_TODAY")
    assert config.today() == dt.date.today()
    monkeypatch.setenv("SNA_TODAY", "30/06/2025")
    with pytest.raises(ValueError, match="SNA_TODAY"):
        config.today()


def test_default_store_path_is_resolved_from_the_package(monkeypatch, tmp_path):
    monkeypatch.delenv("SNA_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert config.database_url() == f"sqlite:///{ROOT / 'data' / 'sna.db'}"


# ------------------------------------------------------------------------- CLI
def _cli(*args: str, url: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "SNA_DATABASE_URL": url, **env}
    return subprocess.run([sys.executable, "-m", "sna", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=120)


def test_init_upgrades_an_empty_store_then_is_a_no_op(tmp_path, capsys, monkeypatch):
    url = f"sqlite:///{tmp_path / 'new' / 'sna.db'}"
    monkeypatch.setenv("SNA_DATABASE_URL", url)
    assert cli.main(["init"]) == 0
    assert "upgraded from empty" in capsys.readouterr().out
    version = db.data_version(db.get_engine(url))
    assert cli.main(["init"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert db.data_version(db.get_engine(url)) == version
    assert cli.main(["info"]) == 0
    out = capsys.readouterr().out
    assert db.head_revision() in out and "influence_action" in out
    db.dispose_engines()


def test_two_processes_create_the_same_store_at_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'race.db'}"
    env = {**os.environ, "SNA_DATABASE_URL": url}
    procs = [subprocess.Popen([sys.executable, "-m", "sna", "init"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    assert [r[2] for r in results] == [0, 0, 0], results
    outs = "".join(r[0] for r in results)
    assert outs.count("upgraded from empty") == 1 and outs.count("nothing to do") == 2
    engine = db.get_engine(url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar_one() == 1
    assert db.current_revision(engine) == db.head_revision()
    db.dispose_engines()


def test_unreachable_database_gets_one_clear_line_with_the_password_masked():
    res = _cli("info", url="postgresql+psycopg://sna:s3cr3t@127.0.0.1:1/sna")
    assert res.returncode == 1
    assert "s3cr3t" not in res.stderr + res.stdout
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: Cannot use the database")
    assert "***" in lines[0] and "SNA_DATABASE_URL" in lines[0]


def test_unwritable_sqlite_location_is_named(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    res = _cli("init", url=f"sqlite:///{blocker / 'sub' / 'sna.db'}")
    assert res.returncode == 1
    assert "error:" in res.stderr and "SNA_DATABASE_URL" in res.stderr and "Traceback" not in res.stderr


def test_an_older_store_is_upgraded_by_init(tmp_path):
    """An unversioned store is told what to do, then brought to the current schema by init."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = db.get_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE notes (x TEXT)")  # a file that is not yet an sna store
    with pytest.raises(db.StoreError, match="python -m sna init"):
        db.ensure_current(engine)
    db.dispose_engines()
    res = _cli("init", url=url)
    assert res.returncode == 0, res.stderr
    db.ensure_current(db.get_engine(url))
    db.dispose_engines()


def test_a_store_from_an_unknown_schema_is_refused_clearly(fresh_db):
    with fresh_db.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffff'")
    res = _cli("init", url=str(fresh_db.url.render_as_string(hide_password=False)))
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "ffff" in res.stderr and "newer" in res.stderr


def test_help_lists_the_commands():
    res = _cli("--help", url="sqlite://")
    assert res.returncode == 0
    for command in ("init", "info", "demo"):
        assert command in res.stdout
    assert _cli("frobnicate", url="sqlite://").returncode == 2


def test_a_store_at_an_older_schema_keeps_its_data_through_init(tmp_path):
    """A store made by the previous release (schema 0001) is brought to head by init."""
    from alembic import command

    url = f"sqlite:///{tmp_path / 'v1.db'}"
    engine = db.get_engine(url)
    with engine.connect() as conn:
        conn.execution_options(sna_write=True)
        with conn.begin():
            command.upgrade(db._alembic_config(conn), "0001")
            _reference(conn)
    assert db.current_revision(engine) == "0001"
    with pytest.raises(db.StoreError, match="python -m sna init"):
        db.ensure_current(engine)
    db.dispose_engines()
    res = _cli("init", url=url)
    assert res.returncode == 0 and "upgraded from 0001" in res.stdout, res.stderr
    engine = db.get_engine(url)
    assert db.current_revision(engine) == db.head_revision()
    assert list(queries.regions(engine)["code"]) == ["09"]
    assert "ix_observation_period_indicator_flag" in {i["name"] for i in sa.inspect(engine).get_indexes("observation")}
    db.dispose_engines()
