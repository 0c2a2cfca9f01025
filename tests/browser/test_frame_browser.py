"""The app frame in a real browser (Debian's chromium through Playwright): right-to-left
Arabic, filters kept in the URL across the sidebar navigation and the Back button, no
request leaving the machine, a copied link reproducing the view, and a first visit through
a page link on a fresh server behind the login.

Run with ``python -m pytest -m browser``; ``SNA_SCREENSHOTS=1`` also refreshes
``assets/screenshot-overview-ar.png``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import pytest

from sna import census
from sna.i18n import label, t

from tests.browser.conftest import ROOT, _env, copy_store, is_local, streamlit_server, wait_ready

pytestmark = pytest.mark.browser

REGION_AR = dict(zip(census.regions()["code"], census.regions()["name_ar"]))["09"]
ARABIC_LINK = "/?lang=ar&region=09&sector=housing"
FILTERS = {"lang": "ar", "region": "09", "sector": "housing"}
SCREENSHOT = ROOT / "assets" / "screenshot-overview-ar.png"


def expect(*args, **kwargs):
    from playwright.sync_api import expect as _expect

    return _expect(*args, **kwargs)


def direction(locator) -> str:
    return locator.evaluate("e => getComputedStyle(e).direction")


def caption(page) -> str:
    return page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first.inner_text()


def params(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(url).query).items()}


def url_with(path: str, wanted: dict[str, str]) -> re.Pattern:
    """A URL on ``path`` whose query string holds every ``wanted`` parameter, in any order."""
    ahead = "".join(rf"(?=.*[?&]{k}={re.escape(v)}(&|$))" for k, v in wanted.items())
    return re.compile(rf"^[^?]*{re.escape(path)}{ahead}\?")


def select(page, key: str, option: str) -> None:
    """Choose ``option`` (its label) in the sidebar selectbox with key ``w.<key>``."""
    page.locator(f".st-key-w-{key} input").click()
    page.get_by_role("option", name=option, exact=True).click()


def assert_no_error(page) -> None:
    for test_id in ("stException", "stAlertContentError"):
        assert page.locator(f'[data-testid="{test_id}"]').count() == 0, test_id


def plot_drawn(page) -> None:
    expect(page.locator('[data-testid="stPlotlyChart"] .main-svg').first).to_be_visible()


def is_local_or_inline(url: str) -> bool:
    return url == "" or is_local(url)


# ---------------------------------------------------------------- tests
def test_an_arabic_link_opens_right_to_left_with_its_filters(open_page, tmp_path):
    opened = open_page(ARABIC_LINK, title=t("overview.title", "ar"))
    page = opened.page
    for test_id in ("stMain", "stMainBlockContainer", "stSidebar"):
        assert direction(page.locator(f'[data-testid="{test_id}"]')) == "rtl", test_id
    assert caption(page) == f"{label('sector', 'housing', 'ar')} · {REGION_AR} · {t('filters.all_periods', 'ar')}"
    assert REGION_AR == "سوس-ماسة"
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.locator(".st-key-w-sector input").input_value() == "السكن"
    assert sidebar.locator(".st-key-w-region input").input_value() == f"09 · {REGION_AR}"
    assert sidebar.locator(".st-key-w-lang input").input_value() == "العربية"
    # "all" shows its own label, never Streamlit's English "Choose an option"
    period = sidebar.locator(".st-key-w-period input")
    assert period.input_value() == "" and period.get_attribute("placeholder") == t("filters.all_periods_short", "ar")
    assert "Choose an option" not in sidebar.inner_text()
    assert params(page.url) == FILTERS
    plot_drawn(page)
    assert_no_error(page)
    page.screenshot(path=tmp_path / SCREENSHOT.name, full_page=True)
    if os.environ.get("SNA_SCREENSHOTS") == "1":  # refresh the committed screenshot on demand
        shutil.copyfile(tmp_path / SCREENSHOT.name, SCREENSHOT)
    # drop-down lists open in a portal outside the sidebar: right-to-left too
    page.locator(".st-key-w-region input").click()
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    assert direction(listbox) == "rtl"
    page.keyboard.press("Escape")
    assert opened.outside == []


def test_the_sidebar_navigation_keeps_the_filters_in_the_url(open_page):
    opened = open_page(ARABIC_LINK, title=t("overview.title", "ar"))
    page = opened.page
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_role("link", name=t("nav.sources", "ar")).click()
    expect(page).to_have_url(url_with("/sources", FILTERS))
    wait_ready(page, t("sources.title", "ar"))
    assert params(page.url) == FILTERS
    assert page.locator(".st-key-w-region input").input_value() == f"09 · {REGION_AR}"
    assert direction(page.locator('[data-testid="stMain"]')) == "rtl"
    # a filter changed on this page travels back to the overview
    select(page, "sector", label("sector", "health", "ar"))
    expect(page).to_have_url(url_with("/sources", {**FILTERS, "sector": "health"}))
    nav.get_by_role("link", name=t("nav.overview", "ar")).click()
    wait_ready(page, t("overview.title", "ar"))
    expect(page).to_have_url(url_with("/", {**FILTERS, "sector": "health"}))
    assert caption(page).startswith(f"{label('sector', 'health', 'ar')} · {REGION_AR} · ")
    assert_no_error(page)
    assert opened.outside == []


def test_back_and_forward_show_the_earlier_views(open_page):
    """One history entry per view: Back returns to the view before, whole (a page switch
    used to leave entries holding part of the filters), and the app does not write the
    current view over it (which used to trap the Back button)."""
    overview, sources = t("overview.title", "fr"), t("sources.title", "fr")
    page = open_page("/?lang=fr", title=overview).page
    select(page, "region", "09 · Souss-Massa")
    expect(page).to_have_url(url_with("/", {"lang": "fr", "region": "09"}))
    wait_ready(page, overview)
    select(page, "sector", "Santé")
    expect(page).to_have_url(url_with("/", {"lang": "fr", "region": "09", "sector": "health"}))
    wait_ready(page, overview)
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=t("nav.sources", "fr")).click()
    expect(page).to_have_url(url_with("/sources", {"lang": "fr", "region": "09", "sector": "health"}))
    wait_ready(page, sources)
    views = [("/", {"lang": "fr", "region": "09", "sector": "health"}, "Santé · Souss-Massa · toutes périodes"),
             ("/", {"lang": "fr", "region": "09"}, "Tous secteurs · Souss-Massa · toutes périodes")]
    for path, wanted, words in views:
        page.go_back()
        expect(page).to_have_url(url_with(path, wanted))
        wait_ready(page, overview)
        expect(page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first).to_have_text(words)
        assert params(page.url) == wanted
    assert page.locator(".st-key-w-sector input").input_value() == ""  # the widget follows
    page.go_forward()
    wait_ready(page, overview)
    expect(page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first).to_have_text(views[0][2])
    assert page.locator(".st-key-w-sector input").input_value() == "Santé"
    assert_no_error(page)


@pytest.mark.parametrize("path, title", [
    ("/", "overview.title"), ("/sources", "sources.title"),
    ("/?lang=en&region=01&period=2024", "overview.title"), ("/sources?lang=ar", "sources.title"),
])
def test_no_request_leaves_the_machine(open_page, path, title):
    lang = params(path).get("lang", "fr")
    opened = open_page(path, title=t(title, lang))
    page = opened.page
    if title == "overview.title":
        plot_drawn(page)
    else:
        expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible()
    page.wait_for_load_state("networkidle")
    expect(page.locator('[data-testid="stMain"] h1').first).to_be_visible()
    assert_no_error(page)
    favicon = page.evaluate("document.querySelector(\"link[rel='shortcut icon']\")?.href || ''")
    assert is_local_or_inline(favicon), favicon
    assert opened.outside == []  # nothing was even attempted


def test_a_copied_link_reproduces_the_view_in_a_new_browser(open_page):
    first = open_page(ARABIC_LINK, title=t("overview.title", "ar")).page
    select(first, "period", "2024")  # a view the app wrote into the URL itself
    expect(first).to_have_url(url_with("/", {**FILTERS, "period": "2024"}))
    wait_ready(first, t("overview.title", "ar"))
    expect(first.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first).to_contain_text("2024")
    link, seen = first.url, caption(first)
    metrics = first.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert len(metrics) >= 8  # actions, milestones, data

    copied = urlparse(link)
    second = open_page(f"{copied.path}?{copied.query}", title=t("overview.title", "ar"))  # a new context
    page = second.page
    assert caption(page) == seen
    expect(page.locator('[data-testid="stMetricValue"]')).to_have_text(metrics)
    assert direction(page.locator('[data-testid="stMain"]')) == "rtl"
    assert page.locator(".st-key-w-period input").input_value() == "2024"
    assert params(page.url) == params(link)
    assert second.outside == []


def test_first_visit_through_a_page_link_with_login_required(open_page, demo_store, tmp_path):
    """On a freshly started server the first visit may be a shared link to a page: the page
    must still run inside the frame (here: behind the login, which must show nothing else)."""
    url = copy_store(demo_store, tmp_path / "login.db")
    added = subprocess.run([sys.executable, "-m", "sna", "users", "add", "amina", "--role", "viewer",
                            "--password-stdin"], input="correct horse battery\n", text=True,
                           capture_output=True, cwd=ROOT, env=_env(SNA_DATABASE_URL=url), timeout=60)
    assert added.returncode == 0, added.stdout + added.stderr
    with streamlit_server(url, tmp_path, SNA_LOGIN_REQUIRED="1") as server:
        opened = open_page("/sources?lang=ar&region=09", server=server, title=t("app.title", "ar"))
        page = opened.page
        main = page.locator('[data-testid="stMain"]')
        expect(page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]')).to_have_count(1)  # language
        assert page.locator('[data-testid="stSidebarNavLink"]').count() == 0  # no page list
        assert main.locator('[data-testid="stMetric"], [data-testid="stDataFrame"]').count() == 0
        assert_no_error(page)
        for field, value in (("auth.name", "amina"), ("auth.password", "correct horse battery")):
            page.get_by_label(t(field, "ar")).fill(value)
            expect(page.get_by_label(t(field, "ar"))).to_have_value(value)
        page.get_by_role("button", name=t("auth.sign_in", "ar")).click()
        try:
            wait_ready(page, t("sources.title", "ar"))  # the page the link named
        except AssertionError as exc:
            page.screenshot(path=tmp_path / "login-failed.png", full_page=True)
            raise AssertionError(f"{exc}\n--- page:\n{main.inner_text()}\n--- server:\n{server.log_tail(80)}") from exc
        expect(page).to_have_url(url_with("/sources", {"lang": "ar", "region": "09"}))
        assert page.locator('[data-testid="stSidebarNavLink"]').count() >= 6
        assert_no_error(page)
        page.reload()  # a refresh keeps the session (signed cookie)
        wait_ready(page, t("sources.title", "ar"))
        page.get_by_role("button", name=t("auth.sign_out", "ar")).click()
        wait_ready(page, t("app.title", "ar"))
        page.reload()  # and after signing out, a refresh does not sign back in
        wait_ready(page, t("app.title", "ar"))
        expect(page.get_by_label(t("auth.password", "ar"))).to_be_visible()
        assert opened.outside == []
        assert "Traceback" not in server.log_tail(200)
