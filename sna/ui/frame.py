"""The frame shared by every page: language, global filters and their URL sync, login,
right-to-left styles, the page header (caption + illustrative-data banner).

Filter state has one home: a canonical, non-widget key per filter (``sna.<name>``), set
from the URL only when absent. Widgets use other keys (Streamlit resets a widget's key on
a page switch) and copy their value back with ``on_change``. The codes are written to
``st.query_params`` on every run, so a copied link reproduces the view in any language.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import streamlit as st

from .. import auth, config
from .. import codes as C
from ..filters import PARAMS, Filters
from ..i18n import DEFAULT_LANG, fmt_date, fmt_number, is_rtl, label, t
from . import data

KEY = "sna.{}"
COOKIE = "sna_session"


@dataclasses.dataclass
class Ctx:
    """What a page needs from the frame."""

    lang: str
    filters: Filters
    user: dict | None
    presenting: bool
    names: dict[str, dict[str, str]]
    may_view: bool = True
    """False when no page may run (login required and nobody signed in, or the store is
    unusable): ``app.py`` still registers its pages with ``st.navigation`` (else Streamlit
    falls back to listing ``pages/*.py`` and running them without the frame) but runs none."""

    def t(self, key: str, **params: Any) -> str:
        return t(key, self.lang, **params)

    def label(self, list_name: str, code: str | None) -> str:
        return label(list_name, code, self.lang)

    def num(self, value: Any, decimals: int = 1) -> str:
        return fmt_number(value, self.lang, decimals)

    def date(self, value: Any) -> str:
        return fmt_date(value, self.lang)

    def area(self, code: str | None) -> str:
        from ..i18n import area_name

        return area_name(code, self.lang, self.names)

    @property
    def sensitive(self) -> bool:
        """Whether stances and private notes may be shown (never to viewers or on a projector)."""
        return auth.can_see_sensitive(self.user, self.presenting)

    def caption(self, default_period: str | None = None) -> str:
        return self.filters.caption(self.lang, self.names, default_period=default_period)


def _url_value(name: str) -> str | None:
    value = st.query_params.get(name)
    return value if value not in ("", None) else None


def _init_state() -> list[tuple[str, str]]:
    """Copy URL parameters into the canonical keys the first time; return ignored values."""
    ignored: list[tuple[str, str]] = []
    if KEY.format("lang") not in st.session_state:
        raw = _url_value("lang")
        if raw is not None and raw not in C.LANGUAGES:
            ignored.append(("lang", raw))
            raw = None
        st.session_state[KEY.format("lang")] = raw or DEFAULT_LANG
    if KEY.format("filters") not in st.session_state:
        filters, bad = Filters.from_params({p: _url_value(p) for p in PARAMS})
        ignored += bad
        st.session_state[KEY.format("filters")] = filters
        st.session_state[KEY.format("ignored")] = ignored
    if KEY.format("presenting") not in st.session_state:
        st.session_state[KEY.format("presenting")] = _url_value("present") == "1"
    if _history_navigation() and any(_url_value(p) for p in (*PARAMS, "lang")):
        # Back/Forward: the URL is an earlier view of this session (the app wrote it):
        # show that view again rather than writing the current one over it.
        if _url_value("lang") in C.LANGUAGES:
            st.session_state[KEY.format("lang")] = _url_value("lang")
        st.session_state[KEY.format("filters")] = Filters.from_params({p: _url_value(p) for p in PARAMS})[0]
    return st.session_state.get(KEY.format("ignored"), [])


def _history_navigation() -> bool:
    """Whether this run comes from the browser's Back or Forward button (Streamlit tells
    the script run; a sidebar link or a widget is not a history navigation)."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    return bool(getattr(get_script_run_ctx(), "is_history_navigation", False))


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~$:.@&;^])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def ignored_notice(ignored: list[tuple[str, str]], lang: str) -> str:
    """The notice naming the URL parameters that were ignored (``region=99``).

    The values come from a link anyone can craft and notices are Markdown: each value is
    cut short and its Markdown characters escaped, so a link cannot put a clickable link,
    formatting or a long text into the app's own notice.
    """
    def plain(value: str, limit: int = 30) -> str:
        value = _CONTROL.sub(" ", value)
        value = value if len(value) <= limit else value[:limit] + "…"
        return _MARKDOWN_SPECIAL.sub(r"\\\1", value)

    return t("filters.ignored", lang, params=", ".join(f"{k}={plain(v)}" for k, v in ignored))


def _set_filter(name: str, widget_key: str) -> None:
    value = st.session_state[widget_key]
    filters: Filters = st.session_state[KEY.format("filters")]
    st.session_state[KEY.format("filters")] = filters.replace(**{name: value})


def _set_lang() -> None:
    st.session_state[KEY.format("lang")] = st.session_state["w.lang"]


_URL_PARAMS = ("lang", *PARAMS, "present")  # the frame's parameters, in the order written


def _sync_url(lang: str, filters: Filters, presenting: bool) -> None:
    """Write the view's codes to the URL in one go and in a fixed order (other parameters
    kept after them). Each change of the query string is an entry in the browser's history:
    written one parameter at a time, a page switch (which empties the query string) left
    several entries holding part of the filters, and Back showed views nobody had seen."""
    wanted = {"lang": lang, **filters.to_params()}
    if presenting:
        wanted["present"] = "1"
    current = {name: st.query_params.get_all(name) for name in st.query_params}
    target = {**{name: [wanted[name]] for name in _URL_PARAMS if name in wanted},
              **{name: values for name, values in current.items() if name not in _URL_PARAMS}}
    if list(current.items()) == list(target.items()):
        return
    try:
        st.query_params.from_dict(target)  # one message, so one history entry
    except st.errors.StreamlitAPIException:  # a page bound a widget to a parameter
        for name in _URL_PARAMS:
            if name in wanted:
                if st.query_params.get(name) != wanted[name]:
                    st.query_params[name] = wanted[name]
            elif name in st.query_params:
                del st.query_params[name]


def _select(name: str, options: list[str | None], fmt, lang: str) -> None:
    filters: Filters = st.session_state[KEY.format("filters")]
    current = getattr(filters, name)
    if current not in options:
        options = [*options, current]
    widget_key = f"w.{name}"
    st.session_state[widget_key] = current
    # None ("all") is an option, but a selectbox whose value is None shows its placeholder
    # in the browser ("Choose an option", in English): make that placeholder the "all" label.
    st.sidebar.selectbox(t(f"filters.{name}", lang), options, key=widget_key, format_func=fmt,
                         placeholder=fmt(None), on_change=_set_filter, args=(name, widget_key))


def _filter_widgets(lang: str, names: dict[str, dict[str, str]]) -> None:
    st.sidebar.header(t("filters.title", lang))
    _select("sector", [None, *C.SECTORS],
            lambda c: t("filters.all_sectors", lang) if c is None else label("sector", c, lang), lang)
    _select("region", [None, *C.REGION_CODES],
            lambda c: t("filters.all_regions", lang) if c is None else f"{c} · {names.get(c, {}).get(lang, c)}",
            lang)
    periods = data.q("periods")
    years = sorted({p[:4] for p in periods})
    choices = [None, *sorted(set(periods) | set(years), key=lambda p: (p[:4], len(p), p), reverse=True)]
    _select("period", choices, lambda c: t("filters.all_periods_short", lang) if c is None else c, lang)
    _select("level", [None, *C.LEVELS],
            lambda c: t("filters.all_levels", lang) if c is None else label("level", c, lang), lang)


def _language_widget(lang: str) -> None:
    st.session_state["w.lang"] = lang
    st.sidebar.selectbox(t("frame.language", lang), list(C.LANGUAGES), key="w.lang",
                         format_func=lambda c: {"fr": "Français", "en": "English", "ar": "العربية"}[c],
                         on_change=_set_lang)


def _rtl_css() -> None:
    st.html("""<style>
      .stMain, section[data-testid="stSidebar"], .stMainBlockContainer { direction: rtl; text-align: right; }
      [data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"], h1, h2, h3, p, li, label
        { direction: rtl; text-align: right; }
      [data-testid="stDataFrame"], [data-testid="stTable"] { direction: rtl; }
      /* drop-down lists and toasts are drawn in a portal, outside the main area and the sidebar */
      [data-testid="stSelectboxVirtualDropdown"], [role="listbox"], [data-testid="stToast"]
        { direction: rtl; text-align: right; }
      .js-plotly-plot, [data-testid="stDeckGlJsonChart"] { direction: ltr; }
    </style>""")


def _presentation_css() -> None:
    """For a projector (``?present=1`` on any page): large type, no sidebar, no Streamlit
    header, toolbar or decoration."""
    st.html("""<style>
      section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
      [data-testid="stExpandSidebarButton"], header[data-testid="stHeader"], [data-testid="stToolbar"],
      [data-testid="stDecoration"], [data-testid="stSidebarNav"] { display: none !important; }
      .stMainBlockContainer { max-width: 100%; padding-top: 1rem; }
      .stMain p, .stMain li, .stMain label { font-size: 1.45rem; }
      .stMain h1 { font-size: 2.6rem; } .stMain h2 { font-size: 2.3rem; } .stMain h3 { font-size: 1.9rem; }
      .stMain button p { font-size: 1.3rem; }
    </style>""")


# ----------------------------------------------------------------------- login
def _current_user() -> dict | None:
    user = st.session_state.get(KEY.format("user"))
    if user is None and not st.session_state.get(KEY.format("logged_out")):
        token = st.context.cookies.get(COOKIE) if hasattr(st, "context") else None
        if token:
            user = auth.read_session_token(token, data.engine())
            st.session_state[KEY.format("user")] = user
    return user


def _set_cookie(value: str, max_age: int) -> None:
    """Set (or, with max_age 0, clear) the session cookie on the next run.

    The cookie is written by a script element. Drawn just before ``st.rerun()`` (as the
    login and the sign-out must do), that element was sometimes never mounted in the
    browser: a refresh then lost the login, or brought back an account that had signed
    out. :func:`_flush_cookie`, at the top of the next run, draws it on a run that ends
    normally.
    """
    st.session_state[KEY.format("cookie")] = (value, int(max_age))


def _flush_cookie() -> None:
    pending = st.session_state.pop(KEY.format("cookie"), None)
    if pending:
        value, max_age = pending
        # The value is a token we signed (URL-safe base64), never user text.
        st.html(f"<script>document.cookie = '{COOKIE}={value}; path=/; max-age={max_age}; SameSite=Strict';"
                "</script>", unsafe_allow_javascript=True)


def _login_box(lang: str, user: dict | None, *, main: bool = False) -> None:
    where = st if main else st.sidebar
    if user:
        where.caption(t("auth.signed_in_as", lang, name=user["name"], role=label("role", user["role"], lang)))
        if where.button(t("auth.sign_out", lang), key="w.logout"):
            st.session_state[KEY.format("user")] = None
            st.session_state[KEY.format("logged_out")] = True
            _set_cookie("", 0)
            st.rerun()
        return
    box = where.expander(t("auth.sign_in", lang), expanded=main)
    with box.form("login", clear_on_submit=False):
        name = st.text_input(t("auth.name", lang), key="w.login_name")
        password = st.text_input(t("auth.password", lang), type="password", key="w.login_password")
        submitted = st.form_submit_button(t("auth.sign_in", lang))
    if submitted:
        try:
            found = auth.authenticate(name, password, data.engine())
        except auth.LoginError as exc:
            if exc.reason == "locked":
                box.error(t("auth.locked", lang, until=fmt_date(exc.locked_until, lang) + " " +
                            exc.locked_until.strftime("%H:%M") + " UTC"))
            else:
                box.error(t("auth.wrong", lang))
            return
        st.session_state[KEY.format("user")] = found
        st.session_state[KEY.format("logged_out")] = False
        _set_cookie(auth.make_session_token(found["name"], data.engine()), auth.SESSION_HOURS * 3600)
        st.rerun()


# ----------------------------------------------------------------------- frame
def setup() -> Ctx:
    """Run by ``app.py`` on every rerun, before the page: returns the page context (with
    ``may_view`` False when only the login form, or the store's problem, may be shown)."""
    problem = data.ensure_store()
    if not problem:
        data.refresh_version()  # once per rerun: every cache below is keyed on it
    ignored = _init_state()
    lang: str = st.session_state[KEY.format("lang")]
    if problem:
        st.error(problem)
        return Ctx(lang=lang, filters=st.session_state[KEY.format("filters")], user=None,
                   presenting=False, names={}, may_view=False)
    if is_rtl(lang):
        _rtl_css()
    presenting = bool(st.session_state.get(KEY.format("presenting")))
    if presenting:
        _presentation_css()
    _flush_cookie()
    user = _current_user()
    _language_widget(lang)
    filters: Filters = st.session_state[KEY.format("filters")]
    _sync_url(lang, filters, presenting)
    # The notice is for the run that found the bad values: header() shows it on this run's
    # page; a page without a header (sources) must not leave it to the next page.
    st.session_state.pop(KEY.format("ignored_shown"), None)
    if ignored:
        st.toast(ignored_notice(ignored, lang))
        st.session_state[KEY.format("ignored")] = []
        st.session_state[KEY.format("ignored_shown")] = ignored
    if config.login_required() and not user:
        # Nothing but the language and the login form (no filters: they read the store).
        st.title(t("app.title", lang))
        _login_box(lang, None, main=True)
        return Ctx(lang=lang, filters=filters, user=None, presenting=presenting, names={}, may_view=False)
    names = data.region_names()
    _filter_widgets(lang, names)
    _login_box(lang, user)
    ctx = Ctx(lang=lang, filters=filters, user=user, presenting=presenting, names=names)
    st.session_state[KEY.format("ctx")] = ctx
    return ctx


def set_filter(name: str, value: str | None) -> None:
    """Change one global filter from a page (e.g. a click on a map region); takes effect
    on the next rerun, URL included."""
    filters: Filters = st.session_state[KEY.format("filters")]
    st.session_state[KEY.format("filters")] = filters.replace(**{name: value})


def ctx() -> Ctx:
    """The context the frame prepared for this run.

    Until ``st.navigation`` has been called once in the server process, Streamlit treats
    ``pages/`` as a legacy multipage folder: the first visit after a start through a link
    to a page (``/sources?lang=ar``) runs that page's file alone, without ``app.py``. The
    page then finds no context here: turn the legacy mode off, as ``st.navigation`` would,
    and rerun, so that ``app.py`` runs the same page inside the frame.
    """
    found = st.session_state.get(KEY.format("ctx"))
    if found is None:
        from streamlit.runtime.pages_manager import PagesManager

        if PagesManager.uses_pages_directory:
            PagesManager.uses_pages_directory = False
            st.rerun()
        raise RuntimeError("sna.ui.ctx() called before sna.ui.setup(): start the app with app.py")
    return found


def header(title_key: str, *, default_period: str | None = None, sector: str | None = None) -> None:
    """Page title, the filter caption, a notice for ignored URL values and, when illustrative
    data is on screen, the banner that says so."""
    c = ctx()
    st.title(c.t(title_key))
    st.caption(c.caption(default_period), help=None)
    shown = st.session_state.pop(KEY.format("ignored_shown"), None)
    if shown:
        st.info(ignored_notice(shown, c.lang), icon=None)
    illus, total = data.q("illustrative_share", sector=c.filters.sector, region=c.filters.region,
                          period=c.filters.period or default_period)
    if illus:
        st.warning(c.t("frame.illustrative_banner", share=fmt_number(100 * illus / total, c.lang, 0)))


def suppression_footnote() -> str:
    return t("frame.suppression_note", ctx().lang, n=config.suppression_threshold())
