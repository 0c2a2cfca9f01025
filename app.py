"""sna — the frame: page config, language, global filters, login, then navigation."""

import streamlit as st

from sna import ui
from sna.i18n import t

st.set_page_config(page_title="SNI — accès des migrants aux services", page_icon=":material/public:",
                   layout="wide", initial_sidebar_state="expanded")

ctx = ui.setup()
lang = ctx.lang

PAGES = {
    t("nav.section.analysis", lang): [
        st.Page("pages/overview.py", title=t("nav.overview", lang), url_path="overview", default=True,
                icon=":material/dashboard:"),
    ],
    t("nav.section.data", lang): [
        st.Page("pages/sources.py", title=t("nav.sources", lang), url_path="sources",
                icon=":material/menu_book:"),
    ],
}

st.navigation(PAGES).run()
