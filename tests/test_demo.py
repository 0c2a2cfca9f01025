"""The demo dataset: deterministic, complete, honest about what is illustrative."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from sna import census, db, demo, queries
from sna.models import Base

from tests.conftest import AS_OF

ROOT = Path(__file__).resolve().parent.parent


def _dump(engine) -> dict[str, list[tuple]]:
    """Every table's rows without surrogate timestamps of the load itself."""
    out = {}
    with db.read(engine) as conn:
        for name, table in Base.metadata.tables.items():
            cols = [c for c in table.c if c.name not in ("at",)]
            if name == "meta":
                rows = conn.execute(sa.select(*cols).where(table.c.key != "created_at")).all()
            else:
                rows = conn.execute(sa.select(*cols)).all()
            out[name] = sorted(tuple(map(str, r)) for r in rows)
    return out


def test_same_seed_and_anchor_give_identical_stores(fresh_db, tmp_path):
    other = db.get_engine(f"sqlite:///{tmp_path / 'second.db'}")
    db.upgrade(other)
    demo.load(fresh_db, as_of=AS_OF, seed=7)
    demo.load(other, as_of=AS_OF, seed=7)
    assert _dump(fresh_db) == _dump(other)
    third = db.get_engine(f"sqlite:///{tmp_path / 'third.db'}")
    db.upgrade(third)
    demo.load(third, as_of=AS_OF, seed=8)
    assert _dump(third)["observation"] != _dump(fresh_db)["observation"]


def test_every_region_gap_indicator_and_period_is_covered(demo_db):
    cat = queries.indicators(demo_db)
    gap_inds = set(cat.loc[cat["direction"] != "context", "code"])
    obs = queries.observations(demo_db, area_level="region")
    mig = obs[obs["population_group"] == "migrants"]
    periods = demo.anchor_periods(AS_OF)
    assert len(periods) >= 3
    have = set(zip(mig["indicator"], mig["area_code"], mig["period"]))
    missing = [(i, r, p) for i in gap_inds for r in [f"{k:02d}" for k in range(1, 13)] for p in periods
               if (i, r, p) not in have]
    assert missing == []
    # indicators comparing groups have a host value for every region (real census or illustrative)
    compared = set(cat.loc[cat["compares_groups"] & (cat["direction"] != "context"), "code"])
    host = obs[obs["population_group"] == "host"]
    for code in compared:
        assert set(host.loc[host["indicator"] == code, "area_code"]) == {f"{k:02d}" for k in range(1, 13)}, code


def test_illustrative_values_are_flagged_and_census_values_are_not(demo_db):
    obs = queries.observations(demo_db)
    census_rows = obs[obs["source"].str.contains("RGPH 2024") & (obs["population_group"] == "host")]
    assert not census_rows.empty and not census_rows["is_illustrative"].any()
    invented = obs[obs["source"] == demo.ILLUSTRATIVE_SOURCE]
    assert not invented.empty and invented["is_illustrative"].all()
    # the published figures are used and cited, not invented
    pop = obs[(obs["indicator"] == "CTX-01") & (obs["period"] == "2024")].set_index("area_code")
    assert pop.loc["06", "value"] == 60_902 and not pop.loc["06", "is_illustrative"]
    assert pop.loc["MA", "value"] == 148_152
    assert pop.loc["07", "is_illustrative"]  # no published regional figure: an estimate
    # a census host value equals the package's own figure
    expected = census.host_observations()
    row = expected[(expected["area_code"] == "09") & (expected["period"] == "2024")].iloc[0]
    got = obs[(obs["indicator"] == row["indicator"]) & (obs["area_code"] == "09") &
              (obs["population_group"] == "host") & (obs["period"] == "2024")]
    assert got["value"].iloc[0] == pytest.approx(row["value"])


def test_influence_data_has_the_promised_shape(demo_db):
    acts = queries.actions(demo_db)
    assert len(acts) >= 100
    assert set(acts["level"]) == {"national", "regional", "local"}
    assert set(acts["sector"]) == {"health", "education", "justice", "housing", "cross_cutting"}
    assert set(acts["status"]) == {"planned", "in_progress", "done", "postponed", "cancelled"}
    assert acts["region_code"].dropna().nunique() == 12
    open_ = acts["status"].isin(["planned", "in_progress", "postponed"])
    overdue = open_ & acts["due_date"].map(lambda d: d is not None and d < AS_OF)
    assert overdue.sum() > 0
    assert len(queries.organisations(demo_db)) == 15
    dms = queries.decision_makers(demo_db, sensitive=True)
    assert len(dms) == 40 and set(dms["level"]) == {"national", "regional", "local"}
    assert len(queries.outcomes(demo_db)) >= 20
    assert len(queries.stage_changes(demo_db)) > len(acts)
    ms = queries.milestones(demo_db)
    assert len(ms) == 3 and all(d.month == 6 and d.year == 2026 and d > AS_OF for d in ms["due_date"])


def test_milestones_fall_in_the_june_after_the_anchor():
    assert demo.milestone_june(dt.date(2026, 3, 15)) == 2026
    assert demo.milestone_june(dt.date(2026, 6, 1)) == 2027
    assert demo.milestone_june(dt.date(2026, 11, 29)) == 2027


def test_demo_refuses_a_store_with_data_unless_reset(demo_db):
    with pytest.raises(demo.StoreNotEmpty, match="--reset"):
        demo.load(demo_db, as_of=AS_OF)
    counts = demo.load(demo_db, as_of=AS_OF, reset=True)
    assert counts["influence_action"] == 120


def test_large_scale_on_a_reduced_size_takes_the_same_code_path(fresh_db):
    shape = demo.LargeShape(months=2, actions=150, decision_makers=60)
    seen = []
    counts = demo.load(fresh_db, as_of=AS_OF, scale="large", large=shape,
                       progress=lambda stage, done, total: seen.append((stage, done, total)))
    cat = census.catalogue()
    areas = 12 + 75
    generated = areas * len(cat) * 4 * 2
    batches = queries.import_batches(fresh_db).set_index("kind")
    assert batches.loc["demo", "rows_new"] == generated
    assert counts["observation"] == generated + batches.loc["census", "rows_new"]
    assert counts["influence_action"] == 150 and counts["decision_maker"] == 60
    assert seen and seen[-1][0] in ("observations", "actions") and seen[0][1] <= seen[0][2]
    months = sorted(queries.periods(fresh_db))
    assert "2026-02" in months and "2026-01" in months  # the two months before the anchor


def test_demo_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "SNA_DATABASE_URL": url}
    res = subprocess.run([sys.executable, "-m", "sna", "demo", "--as-of", "2026-03-15"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "influence_action" in res.stdout
    again = subprocess.run([sys.executable, "-m", "sna", "demo"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 1 and "--reset" in again.stderr
    bad = subprocess.run([sys.executable, "-m", "sna", "demo", "--as-of", "15/03/2026"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2
