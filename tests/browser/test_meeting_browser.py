"""The national meeting, in a real browser with no internet: every page renders and
attempts no outside request; presentation mode hides the chrome and steps through the
chosen slides; the Arabic deck is right-to-left; the snapshot opens on its own.

``SNA_SCREENSHOTS=1`` refreshes the README's screenshots in ``assets/``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from sna import i18n
from tests.browser.conftest import ROOT, is_local, wait_ready
from tests.conftest import TODAY

pytestmark = pytest.mark.browser

PAGES = [
    ("/overview?lang=fr", i18n.t("overview.title", "fr")),
    ("/gaps?lang=fr&sector=health", None),
    ("/region?lang=fr&region=02", None),
    ("/actions?lang=en&level=national&sector=housing", None),
    ("/decision-makers?lang=ar", None),
    ("/present?lang=fr&slides=map,advocacy", None),
    ("/sources?lang=ar", i18n.t("sources.title", "ar")),
]


def _keep(page, tmp_path, name: str) -> None:
    page.screenshot(path=tmp_path / name, full_page=True)
    if os.environ.get("SNA_SCREENSHOTS") == "1":
        shutil.copyfile(tmp_path / name, ROOT / "assets" / name)


@pytest.mark.parametrize("path, title", PAGES)
def test_every_page_renders_offline_without_error(open_page, path, title):
    opened = open_page(path, title=title)
    page = opened.page
    assert page.locator('[data-testid="stException"]').count() == 0, page.inner_text("body")[:2000]
    assert opened.outside == [], opened.outside


def test_the_gap_map_draws_in_french_and_arabic(open_page, tmp_path):
    for lang in ("fr", "ar"):
        opened = open_page(f"/gaps?lang={lang}&sector=health")
        page = opened.page
        canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
        canvas.wait_for(state="visible")
        box = canvas.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 300
        _keep(page, tmp_path, f"screenshot-gaps-{lang}.png")
        assert opened.outside == []


def test_presentation_hides_the_chrome_and_steps_through_the_chosen_slides(open_page, tmp_path):
    opened = open_page("/present?present=1&lang=fr&slides=actions,map,milestones")
    page = opened.page
    assert not page.locator('section[data-testid="stSidebar"]').is_visible()
    assert not page.locator('header[data-testid="stHeader"]').is_visible()
    titles = [i18n.t(f"present.slide.{k}", "fr") for k in ("actions", "map", "milestones")]
    heading = page.locator('[data-testid="stMain"] h1').first
    assert heading.inner_text().startswith(titles[0])
    assert "1 / 3" in page.inner_text('[data-testid="stMain"]')
    page.get_by_role("button", name=i18n.t("present.next", "fr")).click()
    wait_ready(page)
    assert heading.inner_text().startswith(titles[1])
    assert "2 / 3" in page.inner_text('[data-testid="stMain"]')
    _keep(page, tmp_path, "screenshot-present-map.png")
    page.get_by_role("button", name=i18n.t("present.next", "fr")).click()
    wait_ready(page)
    assert heading.inner_text().startswith(titles[2])
    page.get_by_role("button", name=i18n.t("present.prev", "fr")).click()
    wait_ready(page)
    assert heading.inner_text().startswith(titles[1])
    assert "slide=2" in page.url and "present=1" in page.url
    assert opened.outside == []


def test_the_arabic_presentation_is_right_to_left(open_page, tmp_path):
    opened = open_page("/present?present=1&lang=ar&sector=housing&region=09&slides=map,advocacy")
    page = opened.page
    direction = page.evaluate("getComputedStyle(document.querySelector('[data-testid=\"stMain\"] h1')).direction")
    assert direction == "rtl"
    assert i18n.t("present.slide.map", "ar") in page.inner_text('[data-testid="stMain"]')
    _keep(page, tmp_path, "screenshot-present-ar.png")
    assert opened.outside == []


def test_the_snapshot_opens_on_its_own(chromium, demo_store, tmp_path):
    out = tmp_path / "sni.html"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNA_")}
    env.update(SNA_DATABASE_URL=f"sqlite:///{demo_store}", SNA_TODAY=TODAY)
    done = subprocess.run([sys.executable, "-m", "sna", "snapshot", "--out", str(out), "--lang", "ar",
                           "--sector", "housing", "--region", "09"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    context = chromium.new_context(viewport={"width": 1400, "height": 1800})
    outside: list[str] = []

    def guard(route):
        url = route.request.url
        if url.startswith("file:") or is_local(url):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.goto(out.as_uri())
    page.wait_for_selector(".js-plotly-plot")
    page.wait_for_timeout(1500)
    assert page.locator("section.slide").count() == 7
    assert page.locator(".js-plotly-plot").count() >= 6
    # the map's regions are drawn (filled paths), with no tile or script fetched
    assert page.locator(".js-plotly-plot .scatterlayer path").count() >= 12
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert outside == [], outside
    context.close()
