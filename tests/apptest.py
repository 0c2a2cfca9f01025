"""Helpers for page tests with Streamlit's AppTest: start from app.py like a user does."""

from __future__ import annotations

from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from sna.i18n import t

ROOT = Path(__file__).resolve().parent.parent

# AppTest builds a new PagesManager for every run, which re-detects the legacy `pages/`
# folder and then runs the previous page's file alone, without app.py. A real server
# detects it once and st.navigation turns it off for the whole process; do the same here.
_init = PagesManager.__init__


def _init_without_legacy_pages(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    PagesManager.uses_pages_directory = False


PagesManager.__init__ = _init_without_legacy_pages


def open_app(page: str | None = None, *, timeout: float = 90, **params: str) -> AppTest:
    """Run ``app.py`` with URL ``params`` (codes: sector, region, period, level, lang...),
    then switch to ``page`` (e.g. ``"pages/gaps.py"``) if given. Fails on any exception."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page:
        at.switch_page(page)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def login(at: AppTest, name: str, password: str) -> AppTest:
    """Sign in through the sidebar form, as a user would."""
    at.text_input(key="w.login_name").input(name)
    at.text_input(key="w.login_password").input(password)
    submit = [b for b in at.button if b.label in {t("auth.sign_in", lang) for lang in ("fr", "en", "ar")}]
    submit[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
