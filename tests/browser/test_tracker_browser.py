"""The tracker pages' tabs in a real browser: a click on a tab draws that tab (only the
open tab runs, so the click must rerun the page), and coming back finds the table as the
user left it."""

from __future__ import annotations

import pytest

from sna import i18n
from tests.browser.conftest import wait_ready

pytestmark = pytest.mark.browser

CHART = '[data-testid="stPlotlyChart"]'
TABLE = '[data-testid="stDataFrame"]'


def _click_tab(page, key: str) -> None:
    page.get_by_role("tab", name=i18n.t(key, "fr")).click()
    wait_ready(page)


def test_a_click_on_a_tab_draws_it_and_the_table_comes_back(open_page):
    opened = open_page("/actions?lang=fr&sector=health")
    page = opened.page
    assert page.locator(CHART).count() == 0  # the table tab is open: no chart is drawn
    tables = page.locator(TABLE).count()
    assert tables >= 2  # milestones and actions

    _click_tab(page, "actions.tab.progress")
    charts = page.locator(CHART)
    assert charts.count() == 2  # the pipeline and the timeline
    assert charts.first.locator(".main-svg").first.is_visible()
    assert page.locator(TABLE).count() < tables

    _click_tab(page, "actions.tab.wdww")
    assert page.locator(CHART).count() == 1  # the heatmap alone

    _click_tab(page, "actions.tab.table")
    assert page.locator(CHART).count() == 0 and page.locator(TABLE).count() == tables
    assert page.locator('[data-testid="stException"]').count() == 0
    assert opened.outside == []


def test_the_decision_makers_matrix_tab_draws_the_matrix(open_page):
    opened = open_page("/decision-makers?lang=fr")
    page = opened.page
    assert page.locator(CHART).count() == 0
    _click_tab(page, "dm.tab.matrix")
    assert page.locator(CHART).count() == 1
    _click_tab(page, "dm.tab.activity")
    assert page.get_by_text(i18n.t("dm.activity_help", "fr")).is_visible()
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_click_on_a_row_opens_the_action_detail(open_page):
    opened = open_page("/actions?lang=fr&sector=health")
    page = opened.page
    targets = page.get_by_text(i18n.t("actions.targets", "fr"))
    assert targets.count() == 0  # no detail until a row is chosen
    grid = page.locator(TABLE).filter(has_text=i18n.t("actions.col.lead", "fr")).first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 17)  # the first row's selection box (under the header)
    wait_ready(page)
    assert targets.count() == 1 and targets.first.is_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
