"""Benchmark of the store's filtered reads (prints a table).

    python bench/bench_queries.py [--large PATH] [--runs 21]

For each named query the screens use, on the large store (DESIGN.md section 9: ~1,000,000
observations, 20,000 actions; built with ``python -m sna demo --scale large`` unless
``--large`` names an existing SQLite file), three figures measured in turn in the same run:

* **sna**: the store function (``sna.queries``) as the pages call it;
* **naive**: read the whole table(s) with pandas, then filter/aggregate in pandas;
* **hand SQL**: the same result written by hand in SQL with bind parameters (what an expert
  would write against the same indexes), run twice: on a bare ``sqlite3`` connection, and
  **via the app**'s own connection in a read transaction as sna's reads are. The 1.5×
  target is on the latter: it isolates what the query layer adds to the SQL itself; the
  bare figure shows the fixed cost of a pooled connection and a transaction (~0.3 ms).

Medians of ``--runs`` (≥ 9). Targets: sna ≥ 10× faster than naive, ≤ 1.5× hand SQL; for
the tracker's read of every action (a full read, cached per data version: filters apply in
memory) the naive figure is the same result computed in pandas from whole tables, printed
for information, and only the hand-SQL target applies.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as B  # noqa: E402
from sna import codes, db, queries  # noqa: E402

REGIONS = list(codes.REGION_CODES)


def median_ms(fn, runs: int) -> float:
    return 1000 * B.median_time(fn, runs)  # after one warm-up run (page cache, statement cache)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=Path, help="an existing large SQLite store to reuse")
    parser.add_argument("--runs", type=int, default=21, help="runs per figure (≥ 9; sub-millisecond reads need more)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sna-bench-") as tmp:
        return measure(B.stores(Path(tmp), args.large, demo=False)["large"], max(args.runs, 9))


def measure(path: Path, runs: int) -> int:
    engine = db.get_engine(B.url(path))
    raw = sqlite3.connect(path)
    n_obs = raw.execute("select count(*) from observation").fetchone()[0]
    n_act = raw.execute("select count(*) from influence_action").fetchone()[0]
    cat = queries.indicators(engine)
    health = list(cat.loc[cat["sector"] == "health", "code"])
    period = queries.periods(engine)[-1]
    marks = ",".join("?" * len(health))
    rmarks = ",".join("?" * len(REGIONS))

    def naive_obs():
        return pd.read_sql("select * from observation", raw)

    def naive_actions():
        """queries.actions() computed in pandas from whole tables: the same columns."""
        acts = pd.read_sql("select * from influence_action where archived = 0", raw, parse_dates=[
            "start_date", "due_date", "done_date"])
        orgs = pd.read_sql("select id as lead_organisation_id, name as lead_organisation from organisation", raw)
        links = pd.read_sql("select * from action_decision_maker", raw)
        dms = pd.read_sql("select id as decision_maker_id, target_type, influence from decision_maker", raw)
        n = links.groupby("action_id").size().rename("n_decision_makers")
        first = (links.merge(dms).sort_values(["action_id", "influence", "decision_maker_id"],
                                              ascending=[True, False, True])
                 .drop_duplicates("action_id").set_index("action_id")["target_type"])
        out = acts.merge(orgs, how="left")
        out["n_decision_makers"] = out["id"].map(n).fillna(0).astype(int)
        out["target_type"] = out["id"].map(first)
        return out.sort_values("ref")

    cases = [
        ("migrants values of one sector, one period, 12 regions (gaps page)",
         lambda: queries.group_observations(engine, group="migrants", periods=[period], indicators=health,
                                            areas=REGIONS),
         lambda: (lambda o: o[(o["population_group"] == "migrants") & (o["period"] == period)
                              & o["indicator"].isin(health) & o["area_code"].isin(REGIONS)
                              & (o["sex"] == "all") & (o["age_group"] == "all")])(naive_obs()),
         lambda c: pd.read_sql(
             f"select indicator, area_code, period, population_group, sex, age_group, value, numerator, "
             f"denominator, sample_size, source, is_illustrative, note from observation where "
             f"population_group = 'migrants' and sex = 'all' and age_group = 'all' and period = ? "
             f"and indicator in ({marks}) and area_code in ({rmarks})", c, params=[period, *health, *REGIONS])),
        ("share of illustrative values in a sector, region and period (banner)",
         lambda: queries.illustrative_share(engine, sector="health", region="09", period=period),
         lambda: (lambda o: (int(o["is_illustrative"].sum()), len(o)))(
             (lambda o: o[(o["sector"] == "health") & (o["period"] == period)
                          & ((o["area_code"] == "09") | o["area_code"].str.startswith("09."))])(
                 naive_obs().merge(pd.read_sql("select code, sector from indicator", raw), left_on="indicator",
                                   right_on="code"))),
         lambda c: c.execute(
             "select count(*), sum(o.is_illustrative) from observation o join indicator i on i.code = o.indicator "
             "where i.sector = ? and o.period = ? and (o.area_code = ? or o.area_code like ?)",
             ("health", period, "09", "09.%")).fetchone()),
        ("periods holding data (period filter)",
         lambda: queries.periods(engine),
         lambda: sorted(naive_obs()["period"].unique()),
         lambda c: [r[0] for r in c.execute("select distinct period from observation order by period")]),
        ("every action with lead organisation, main target, counts (tracker: a full read)",
         lambda: queries.actions(engine),
         naive_actions,
         lambda c: pd.read_sql(
             "with n as (select action_id, count(*) as n from action_decision_maker group by action_id), "
             "r as (select d.action_id, dm.target_type, row_number() over (partition by d.action_id "
             "order by dm.influence desc, dm.id) as rk from action_decision_maker d "
             "join decision_maker dm on dm.id = d.decision_maker_id) "
             "select a.*, o.name as lead_organisation, coalesce(n.n, 0) as n_decision_makers, r.target_type "
             "from influence_action a left join organisation o on o.id = a.lead_organisation_id "
             "left join n on n.action_id = a.id left join r on r.action_id = a.id and r.rk = 1 "
             "where a.archived = 0 order by a.ref", c, parse_dates=["start_date", "due_date", "done_date"])),
    ]
    def through_app(hand):
        """The hand-written SQL on the app's own connection, in a read transaction as sna's reads are."""
        def run():
            with db.read(engine) as conn:
                return hand(conn.connection.driver_connection)
        return run

    print(f"store: {n_obs:,} observations, {n_act:,} actions (SQLite, WAL); medians of {runs} runs, ms")
    print("hand SQL: on a bare sqlite3 connection; hand via app: the same SQL on the app's connection and "
          "read transaction (the target: the query layer's cost over the SQL alone)")
    print(f"{'query':<72}{'sna':>9}{'naive':>10}{'hand SQL':>10}{'via app':>9}{'naive/sna':>11}{'sna/hand':>10}"
          f"{'sna/via app':>12}")
    ok = True
    for name, sna_fn, naive_fn, hand_sql in cases:
        n = median_ms(naive_fn, max(3, runs // 3))  # the naive read is slow: fewer runs, still a median
        s = median_ms(sna_fn, runs)
        bare = median_ms(lambda: hand_sql(raw), runs)
        h = median_ms(through_app(hand_sql), runs)
        # The tracker reads every action once per data version (filters apply in memory): a
        # full read, for which a whole-table read is no slower; only the hand-SQL target applies.
        full_read = "full read" in name
        met = (full_read or n / s >= 10) and s / h <= 1.5
        ok &= met
        verdict = "met" if met else "NOT met"
        if full_read:
            verdict += " (full read: hand-SQL target only)"
        print(f"{name:<72}{s:>9.1f}{n:>10.1f}{bare:>10.1f}{h:>9.1f}{n / s:>10.1f}×{s / bare:>9.2f}×"
              f"{s / h:>11.2f}×  {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
