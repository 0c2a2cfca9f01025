"""Presentation slides and the offline snapshot, without Streamlit."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from sna import actions as A
from sna import gaps as G
from sna import i18n, queries, slides
from sna.filters import Filters

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 3, 15)


def test_slide_list_from_the_url():
    assert slides.parse_slides(None) == (list(slides.SLIDES), [])
    assert slides.parse_slides("map, actions,map,,Sectors") == (["map", "actions", "sectors"], [])
    assert slides.parse_slides("map,bogus") == (["map"], ["bogus"])


def test_every_slide_builds_in_every_language(demo_db):
    inputs = slides.load_inputs(demo_db, Filters())
    for lang in ("fr", "en", "ar"):
        built = slides.build(inputs, Filters(), lang, slides.SLIDES, TODAY)
        assert [s.key for s in built] == list(slides.SLIDES)
        for s in built:
            assert s.message is None, (lang, s.key, s.message)
            assert s.figure is not None or s.table is not None
            assert not s.title.startswith("present.")


def test_gap_vs_advocacy_equals_the_store(demo_db):
    filters = Filters(sector="health")
    inputs = slides.load_inputs(demo_db, filters)
    table = slides.gap_vs_advocacy(inputs, filters).set_index("area_code")
    # expected, computed straight from the store
    period = inputs["period"]
    obs = queries.observations(demo_db, area_level="region")
    expected = G.area_table(obs, queries.indicators(demo_db), period, areas=slides.REGIONS, view="score",
                            sector="health").set_index("area_code")
    acts = queries.actions(demo_db)
    acts = acts[~acts["is_sensitive"]]  # slides are presented: sensitive actions are not counted
    mine = acts[(acts["sector"] == "health") & (acts["level"] != "national") & (acts["status"] != "cancelled")]
    for region in slides.REGIONS:
        assert table.loc[region, "index"] == pytest.approx(expected.loc[region, "value"], nan_ok=True)
        assert table.loc[region, "n_actions"] == int((mine["region_code"] == region).sum())
        stages = mine.loc[mine["region_code"] == region, "policy_stage"]
        furthest = max(stages, key=list(A.POLICY_STAGES).index) if len(stages) else None
        got = table.loc[region, "furthest_stage"]
        assert (None if pd.isna(got) else got) == furthest


def test_slides_never_count_sensitive_actions(demo_db):
    acts = queries.actions(demo_db)
    assert acts["is_sensitive"].any()  # the demo flags some
    inputs = slides.load_inputs(demo_db, Filters())
    assert not inputs["actions"]["is_sensitive"].any()
    [actions] = slides.build(inputs, Filters(), "fr", ["actions"], TODAY)
    shown = A.summary(acts[~acts["is_sensitive"]], TODAY)
    assert actions.note == i18n.t("present.actions_note", "fr", total=shown["total"],
                                  done=i18n.fmt_number(shown["pct_done"], "fr", 0), overdue=shown["overdue"])
    assert A.summary(acts, TODAY)["total"] != shown["total"]


def test_a_missing_slide_or_empty_filter_gives_a_message_not_a_crash(demo_db):
    filters = Filters(period="1999")
    inputs = slides.load_inputs(demo_db, filters)
    built = slides.build(inputs, filters, "fr", ["map", "actions", "milestones"], TODAY)
    assert built[0].message == i18n.t("present.no_data", "fr")
    assert built[1].message == i18n.t("present.no_actions", "fr")
    assert built[2].table is not None  # milestones do not depend on the period


def test_an_empty_store_still_builds_a_deck(fresh_db):
    inputs = slides.load_inputs(fresh_db, Filters())
    built = slides.build(inputs, Filters(), "ar", slides.SLIDES, TODAY)
    assert len(built) == len(slides.SLIDES) and all(s.message for s in built)


STANCE_WORDS = [i18n.t(f"code.stance.{s}", lang) for s in ("champion", "ally", "opponent", "undecided")
                for lang in ("fr", "en", "ar")]


def _texts(built) -> str:
    parts = []
    for s in built:
        parts += [s.title, s.note or "", s.message or ""]
        if s.figure is not None:
            parts.append(s.figure.to_json())
        if s.table is not None:
            parts.append(s.table.to_csv())
    return "\n".join(parts)


def test_no_slide_shows_stances_or_private_notes(demo_db):
    inputs = slides.load_inputs(demo_db, Filters())
    text = _texts(slides.build(inputs, Filters(), "fr", slides.SLIDES, TODAY))
    assert "Notes internes" not in text
    for word in ("Allié", "Opposant", "Indécis", "Champion"):
        assert word not in text


def _outside_plotly_js(html: str) -> str:
    return re.sub(r"<script[^>]*>/\*\*\s*\n\* plotly\.js.*?</script>", "", html, flags=re.S)


def test_snapshot_is_self_contained_dated_and_stamped(demo_db, tmp_path):
    out = tmp_path / "deck.html"
    res = subprocess.run([sys.executable, "-m", "sna", "snapshot", "--out", str(out), "--lang", "ar",
                          "--sector", "housing", "--region", "09", "--slides", "map,advocacy,milestones"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={**__import__("os").environ})
    assert res.returncode == 0, res.stderr
    html = out.read_text(encoding="utf-8")
    assert 'dir="rtl"' in html and "plotly.js v" in html
    for key in ("map", "advocacy", "milestones"):
        assert i18n.t(f"present.slide.{key}", "ar") in html
    assert "سوس" in html and i18n.t("code.sector.housing", "ar") in html  # the stamp: filters in words
    assert "15 مارس 2026" in html  # the snapshot's date (SNA_TODAY)
    rest = _outside_plotly_js(html)
    assert len(rest) < len(html) / 2  # the library was found and set aside
    assert not re.search(r"https?://", rest), re.findall(r"https?://\S{0,60}", rest)[:5]


def test_snapshot_command_refuses_bad_input(demo_db, tmp_path):
    base = [sys.executable, "-m", "sna", "snapshot", "--out", str(tmp_path / "x.html")]
    for extra in (["--region", "99"], ["--slides", "map,nope"]):
        res = subprocess.run(base + extra, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert res.returncode == 2 and not (tmp_path / "x.html").exists()
