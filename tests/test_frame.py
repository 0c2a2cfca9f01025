"""The app frame (issue 4) through Streamlit's AppTest, started from app.py like the server.

URL → filter state → caption for every parameter; the notice for an invalid parameter;
the language switch; filter widgets → URL (codes, not labels); filters kept across pages;
the overview's figures against the store; the illustrative-data banner; the login gate,
wrong passwords and the lockout; the role helper.
"""

from __future__ import annotations

import base64
import datetime as dt
import json

import numpy as np
import pytest
import sqlalchemy as sa

from sna import auth, census, db, overview, queries
from sna.filters import Filters
from sna.i18n import fmt_date, fmt_number, label, t
from streamlit.testing.v1 import AppTest
from tests.apptest import ROOT, login, open_app
from tests.conftest import AS_OF

PASSWORD = "correct horse battery"
REGION_AR = dict(zip(census.regions()["code"], census.regions()["name_ar"]))


def caption(at) -> str:
    """The filter caption under the page title."""
    return at.main.caption[0].value


def notices(at) -> list[str]:
    return [e.value for e in at.info] + [e.value for e in at.toast]


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def plotted(values) -> list:
    """A plotly trace's values: plotly 6+ writes numeric arrays as {"dtype", "bdata"}."""
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def banner(at, lang: str = "fr") -> list[str]:
    head = t("frame.illustrative_banner", lang, share="").split(":")[0]
    return [w.value for w in at.warning if w.value.startswith(head)]


# ------------------------------------------------------------ URL → filters
@pytest.mark.parametrize("params, expected", [
    (dict(sector="housing", region="09", lang="fr"), "Logement · Souss-Massa · toutes périodes"),
    (dict(sector="housing", region="09", lang="en"), "Housing · Souss-Massa · all periods"),
    (dict(sector="health"), "Santé · Tout le Maroc · toutes périodes"),
    (dict(region="01", lang="en"), "All sectors · Tangier-Tétouan-Al Hoceima · all periods"),
    (dict(period="2024"), "Tous secteurs · Tout le Maroc · 2024"),
    (dict(period="2026-Q1", lang="en"), "All sectors · All of Morocco · 2026-Q1"),
    (dict(level="regional"), "Tous secteurs · Tout le Maroc · toutes périodes · Régional"),
    (dict(sector="justice", region="06", period="2025", level="local", lang="fr"),
     "Justice · Casablanca-Settat · 2025 · Local"),
])
def test_url_parameters_set_the_filters_and_the_caption(demo_db, params, expected):
    at = open_app(**params)
    assert caption(at) == expected
    lang = params.get("lang", "fr")
    assert at.title[0].value == t("overview.title", lang)
    for name in ("sector", "region", "period", "level"):
        assert at.selectbox(key=f"w.{name}").value == params.get(name)
    assert dict(at.query_params) == {"lang": lang, **params}  # codes stay codes
    assert not notices(at)


def test_arabic_link_gives_arabic_labels_and_the_arabic_region_name(demo_db):
    at = open_app(sector="housing", region="09", lang="ar")
    name = REGION_AR["09"]
    assert name == "سوس-ماسة"  # HCP's spelling, as the census package ships it
    assert caption(at) == f"السكن · {name} · كل الفترات"
    assert at.title[0].value == "نظرة عامة"
    assert at.selectbox(key="w.sector").label == "القطاع"
    assert at.selectbox(key="w.region").format_func("09") == f"09 · {name}"
    assert at.selectbox(key="w.lang").value == "ar"
    assert dict(at.query_params) == {"sector": "housing", "region": "09", "lang": "ar"}


# -------------------------------------------------------- invalid parameters
@pytest.mark.parametrize("name, value", [
    ("region", "99"), ("region", "9"), ("sector", "food"), ("sector", "Santé"), ("level", "mayor"),
    ("lang", "xx"), ("period", "2024-13"), ("period", "S1 2024"),
])
def test_an_invalid_parameter_gives_a_notice_and_leaves_the_url(demo_db, name, value):
    others = {"sector": "health", "region": "09", "lang": "en"}
    others.pop(name, None)
    at = open_app(**others, **{name: value})  # open_app fails on any exception
    shown = notices(at)
    assert len(shown) == 2 and all(f"{name}={value}" in n for n in shown), shown  # st.info + st.toast
    assert at.query_params.get(name) != value
    assert {k: at.query_params.get(k) for k in others} == others  # valid neighbours are kept
    if name == "lang":
        assert at.query_params["lang"] == "fr" and at.title[0].value == t("overview.title", "fr")
    else:
        assert name not in at.query_params
        assert at.selectbox(key=f"w.{name}").value is None
    at.run()  # the notice is said once, not on every rerun
    assert not notices(at) and not at.exception


def test_every_invalid_parameter_is_named_at_once(demo_db):
    at = open_app(region="99", sector="food", lang="xx", period="2024-13", level="x")
    (info,) = [e.value for e in at.info]
    for pair in ("region=99", "sector=food", "lang=xx", "period=2024-13", "level=x"):
        assert pair in info
    assert dict(at.query_params) == {"lang": "fr"}
    assert caption(at) == "Tous secteurs · Tout le Maroc · toutes périodes"


def test_a_crafted_value_cannot_put_a_link_in_the_notice(demo_db):
    at = open_app(region="[Session expirée, cliquez ici](https://example.org/login)" + "x" * 50)
    (info,) = [e.value for e in at.info]
    assert "region=" in info
    assert "](" not in info and "https://" not in info  # escaped: shown as text, not a link
    assert len(info) < 160  # cut short


def test_the_notice_is_not_left_for_the_next_page(demo_db):
    """Opened on a page without the header (sources), the notice is a toast there and is
    not shown again on the next page."""
    at = open_app("pages/sources.py", region="99")
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    assert not notices(at)


# ------------------------------------------------------------ language
def test_the_language_switch_changes_the_labels_and_the_url(demo_db):
    at = open_app(sector="health", region="09")
    assert caption(at) == "Santé · Souss-Massa · toutes périodes"
    assert at.selectbox(key="w.sector").label == "Secteur"
    at.selectbox(key="w.lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert caption(at) == "Health · Souss-Massa · all periods"
    assert at.selectbox(key="w.sector").label == "Sector"
    assert at.query_params["lang"] == "en"
    at.selectbox(key="w.lang").set_value("ar").run()
    assert at.title[0].value == "نظرة عامة"
    assert caption(at) == f"الصحة · {REGION_AR['09']} · كل الفترات"
    assert at.selectbox(key="w.sector").label == "القطاع"
    assert dict(at.query_params) == {"sector": "health", "region": "09", "lang": "ar"}


# ------------------------------------------------------ widgets → URL
@pytest.mark.parametrize("name, code, words", [
    ("sector", "justice", "Justice · Tout le Maroc · toutes périodes"),
    ("region", "06", "Tous secteurs · Casablanca-Settat · toutes périodes"),
    ("period", "2024", "Tous secteurs · Tout le Maroc · 2024"),
    ("level", "local", "Tous secteurs · Tout le Maroc · toutes périodes · Local"),
])
def test_a_filter_widget_writes_its_code_to_the_url_and_the_caption(demo_db, name, code, words):
    at = open_app()
    assert dict(at.query_params) == {"lang": "fr"}
    at.selectbox(key=f"w.{name}").set_value(code).run()
    assert not at.exception
    assert at.query_params[name] == code  # the code, never the label
    assert caption(at) == words
    at.selectbox(key=f"w.{name}").set_value(None).run()  # back to "all": the parameter goes
    assert name not in at.query_params
    assert caption(at) == "Tous secteurs · Tout le Maroc · toutes périodes"


def test_the_all_option_is_labelled_in_the_widget(demo_db):
    """None ("all") shows as the placeholder in a browser: it must be the "all" label."""
    at = open_app(lang="ar")
    for name, key in (("sector", "filters.all_sectors"), ("region", "filters.all_regions"),
                      ("period", "filters.all_periods_short"), ("level", "filters.all_levels")):
        box = at.selectbox(key=f"w.{name}")
        assert box.value is None
        assert box.proto.placeholder == t(key, "ar") == box.format_func(None)


# ---------------------------------------------------- across pages
def test_filters_are_kept_when_switching_page(demo_db):
    params = dict(sector="education", region="04", period="2025", level="regional", lang="en")
    at = open_app(**params)
    before = caption(at)
    at.switch_page("pages/sources.py").run()
    assert not at.exception
    assert at.title[0].value == t("sources.title", "en")
    assert dict(at.query_params) == params
    assert {n: at.selectbox(key=f"w.{n}").value for n in ("sector", "region", "period", "level")} == \
        {n: params[n] for n in ("sector", "region", "period", "level")}
    at.selectbox(key="w.sector").set_value("health").run()  # changed on the other page...
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    assert caption(at) == before.replace("Education", "Health")  # ...and still there on return
    assert at.query_params["sector"] == "health"


# ----------------------------------------------- overview = the store
@pytest.mark.parametrize("filters", [
    Filters(),
    Filters(sector="health"),
    Filters(sector="housing", region="09"),
    Filters(period="2025", level="national"),
    Filters(region="01", period="2026-Q1"),
], ids=lambda f: "-".join(v for v in (f.sector, f.region, f.period, f.level) if v) or "all")
@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_overview_figures_equal_the_store(demo_db, filters, lang):
    at = open_app(lang=lang, **filters.to_params())
    shown = metrics(at)
    acts = queries.actions()
    visible = acts[~acts["is_sensitive"]]  # what a viewer may see, as on the actions page
    fig = overview.headline(visible, queries.milestones(), filters, AS_OF)
    assert fig["total"] > 0  # the demo has actions in each of these views
    hidden = int(acts["is_sensitive"].sum())  # said as on the actions page: how many are withheld in all
    assert hidden and any(c.value == t("actions.sensitive_hidden", lang, n=hidden) for c in at.caption)

    def num(x):
        return fmt_number(x, lang, 0)

    assert shown[t("overview.total", lang)] == num(fig["total"])
    assert shown[t("overview.pct_done", lang)] == ("—" if fig["pct_done"] is None else num(fig["pct_done"]) + " %")
    assert shown[t("overview.overdue", lang)] == num(fig["overdue"])
    assert shown[t("overview.due_30", lang)] == num(fig["due_30"])
    for row in fig["milestones"].itertuples():
        assert shown[getattr(row, f"title_{lang}")] == fmt_date(row.due_date, lang)
    illus, total = queries.illustrative_share(sector=filters.sector, region=filters.region, period=filters.period)
    assert shown[t("overview.illustrative_share", lang)] == (num(100 * illus / total) + " %" if total else "—")
    # the bar chart draws the same counts, in the order of the statuses
    (chart,) = at.get("plotly_chart")
    bars = json.loads(chart.proto.spec)["data"][0]
    assert plotted(bars["x"]) == [fig["by_status"][s] for s in ("planned", "in_progress", "done", "postponed", "cancelled")]
    assert plotted(bars["y"]) == [label("status", s, lang) for s in ("planned", "in_progress", "done", "postponed", "cancelled")]
    national = [c.value for c in at.main.caption if c.value == t("overview.national_apart", lang, n=fig["n_national_apart"])]
    assert len(national) == (1 if fig["n_national_apart"] else 0)


def test_the_overview_counts_sensitive_actions_for_signed_in_editors_only(demo_db):
    acts = queries.actions()
    everything = overview.headline(acts, queries.milestones(), Filters(), AS_OF)["total"]
    viewer = metrics(open_app())[t("overview.total")]
    auth.add_user("amina", "correct-horse-battery", role="editor", engine=demo_db)
    at = login(open_app(), "amina", "correct-horse-battery")
    assert metrics(at)[t("overview.total")] == fmt_number(everything, "fr", 0)
    assert viewer == fmt_number(everything - int(acts["is_sensitive"].sum()), "fr", 0) != metrics(at)[
        t("overview.total")]
    assert not any(t("actions.sensitive_hidden", "fr", n=int(acts["is_sensitive"].sum())) == c.value
                   for c in at.caption)


def test_the_overview_uses_sna_today(demo_db, monkeypatch):
    """Overdue and "due within 30 days" move with SNA_TODAY (the store does not)."""
    at = open_app()
    now = metrics(at)
    monkeypatch.setenv("SNA_TODAY", "2026-09-01")
    later = open_app()
    fig = overview.headline(queries.actions().query("~is_sensitive"), queries.milestones(), Filters(),
                            dt.date(2026, 9, 1))
    assert metrics(later)[t("overview.overdue")] == fmt_number(fig["overdue"], "fr", 0) != now[t("overview.overdue")]


# ---------------------------------------------------- illustrative banner
def test_the_illustrative_banner_shows_on_demo_data_and_goes_with_it(demo_db):
    at = open_app(sector="housing", region="09")
    (text,) = banner(at)
    illus, total = queries.illustrative_share(sector="housing", region="09")
    assert 0 < illus < total  # demo values and real census figures side by side
    assert fmt_number(100 * illus / total, "fr", 0) + " %" in text
    with db.write(demo_db) as conn:  # a write bumps data_version: the caches see it
        conn.execute(sa.text("DELETE FROM observation WHERE is_illustrative"))
    assert queries.illustrative_share(sector="housing", region="09")[0] == 0
    at.run()
    assert not at.exception
    assert banner(at) == []
    assert metrics(at)[t("overview.illustrative_share")] == "0 %"
    at.switch_page("pages/sources.py").run()  # nor on a page without data
    assert banner(at) == []


def test_no_banner_when_the_view_holds_no_data(demo_db):
    with db.write(demo_db) as conn:
        conn.execute(sa.text("DELETE FROM observation"))
    at = open_app(lang="en")
    assert banner(at, "en") == []
    assert metrics(at)[t("overview.illustrative_share", "en")] == "—"


# ------------------------------------------------------------ login
@pytest.fixture
def accounts(demo_db):
    auth.add_user("alice", PASSWORD, "viewer", engine=demo_db)
    auth.add_user("edith", PASSWORD, "editor", engine=demo_db)
    return demo_db


@pytest.fixture
def login_required(accounts, monkeypatch):
    monkeypatch.setenv("SNA_LOGIN_REQUIRED", "1")
    return accounts


def cookie_scripts(at) -> list[str]:
    """The scripts the frame drew to set or clear the session cookie."""
    return [h.proto.body for h in at.get("html") if "sna_session=" in h.proto.body]


def _is_login_gate(at, lang: str = "fr") -> bool:
    return ([e.value for e in at.title] == [t("app.title", lang)]
            and [e.key for e in at.text_input] == ["w.login_name", "w.login_password"]
            and not at.metric and not at.main.caption and not at.get("plotly_chart")
            and [s.key for s in at.selectbox] == ["w.lang"])  # no filters before a login


@pytest.mark.parametrize("page", [None, "pages/sources.py", "pages/actions.py"])
def test_login_required_shows_the_login_form_and_nothing_else(login_required, page):
    at = open_app(page, sector="health", lang="fr")
    assert _is_login_gate(at)
    assert not at.error
    assert at.query_params["sector"] == "health"  # the link survives until the login


def test_the_login_gate_speaks_the_link_language(login_required):
    at = open_app(lang="ar")
    assert _is_login_gate(at, "ar")
    assert at.text_input(key="w.login_name").label == t("auth.name", "ar")


def test_a_wrong_password_shows_the_error_and_keeps_the_gate(login_required):
    at = login(open_app(), "alice", "not the password")
    assert [e.value for e in at.error] == [t("auth.wrong", "fr")]
    assert _is_login_gate(at)
    at = login(open_app(), "nobody", PASSWORD)  # an unknown name gets the same answer
    assert [e.value for e in at.error] == [t("auth.wrong", "fr")]


def test_five_failures_lock_the_account(login_required):
    at = open_app()
    for _ in range(auth.MAX_FAILED):
        login(at, "alice", "not the password")
        assert [e.value for e in at.error] == [t("auth.wrong", "fr")]
    login(at, "alice", PASSWORD)  # even the right password is refused now
    (error,) = [e.value for e in at.error]
    assert error.startswith("Compte verrouillé après 5 échecs, jusqu'au ")
    assert error.endswith(" UTC.")
    assert _is_login_gate(at)


def test_a_successful_login_opens_the_app(login_required):
    at = login(open_app(sector="health", region="09"), "alice", PASSWORD)
    assert not at.error
    signed_in = [c.value for c in at.sidebar.caption]
    assert signed_in == ["Connecté : alice (Lecteur)"]
    assert at.title[0].value == t("overview.title", "fr")
    assert caption(at) == "Santé · Souss-Massa · toutes périodes"  # the link's filters
    assert metrics(at)
    assert at.query_params["sector"] == "health"
    (script,) = cookie_scripts(at)  # drawn on a run that ends normally, not before st.rerun()
    token = script.split("sna_session=")[1].split(";")[0]
    assert auth.read_session_token(token, login_required)["name"] == "alice"
    assert f"max-age={auth.SESSION_HOURS * 3600}" in script
    at.switch_page("pages/sources.py").run()
    assert not at.exception and at.title[0].value == t("sources.title", "fr")
    assert cookie_scripts(at) == []  # once


def test_sign_out_closes_the_app_again(login_required):
    at = login(open_app(), "alice", PASSWORD)
    at.button(key="w.logout").click().run()
    assert _is_login_gate(at)
    (script,) = cookie_scripts(at)
    assert "sna_session=;" in script and "max-age=0" in script  # the cookie is cleared


def test_without_the_setting_viewing_is_open(accounts):
    at = open_app()
    assert at.title[0].value == t("overview.title", "fr") and metrics(at)
    assert at.text_input(key="w.login_name")  # signing in stays possible, in the sidebar
    login(at, "edith", PASSWORD)
    assert [c.value for c in at.sidebar.caption] == ["Connecté : edith (Éditeur)"]


def test_a_page_run_without_the_frame_says_so(demo_db):
    """A page file run alone (not through app.py) gets a clear error, not a KeyError."""
    at = AppTest.from_file(str(ROOT / "pages" / "sources.py"), default_timeout=60)
    at.run()
    (error,) = at.exception
    assert error.proto.type == "RuntimeError"  # the message itself is redacted (showErrorDetails)


# ------------------------------------------------------------ roles
def test_the_role_helper_never_shows_sensitive_fields_to_a_viewer():
    viewer, editor, admin = ({"name": r, "role": r} for r in ("viewer", "editor", "admin"))
    assert not auth.can_see_sensitive(None)
    assert not auth.can_see_sensitive(viewer)
    assert not auth.can_see_sensitive(viewer, presenting=False)
    assert auth.can_see_sensitive(editor) and auth.can_see_sensitive(admin)
    assert not auth.can_see_sensitive(editor, presenting=True)  # never on a projector
    assert not auth.can_see_sensitive(admin, presenting=True)


@pytest.mark.parametrize("name, present, sensitive", [
    (None, False, False), ("alice", False, False), ("edith", False, True), ("edith", True, False),
])
def test_the_frame_context_applies_the_role_helper(accounts, name, present, sensitive):
    at = open_app(**({"present": "1"} if present else {}))
    if name:
        login(at, name, PASSWORD)
    ctx = at.session_state["sna.ctx"]
    assert ctx.sensitive is sensitive
    assert (ctx.user or {}).get("name") == name
    assert ctx.presenting is present
    assert ("present" in at.query_params) is present  # presentation mode is kept in the link
