"""sna — the frame: page config, language, global filters, login, then navigation."""

import streamlit as st

from sna import auth, ui
from sna.i18n import t

st.set_page_config(page_title="SNI — accès des migrants aux services", page_icon="🌍",
                   layout="wide", initial_sidebar_state="expanded")

ctx = ui.setup()
lang = ctx.lang


def page(file: str, key: str, url_path: str, icon: str, **kwargs) -> st.Page:
    return st.Page(f"pages/{file}.py", title=t(f"nav.{key}", lang), url_path=url_path,
                   icon=f":material/{icon}:", **kwargs)


PAGES = {
    t("nav.section.analysis", lang): [
        page("overview", "overview", "overview", "dashboard", default=True),
        page("gaps", "gaps", "gaps", "map"),
        page("region", "region", "region", "location_on"),
    ],
    t("nav.section.influence", lang): [
        page("actions", "actions", "actions", "campaign"),
        page("decision_makers", "decision_makers", "decision-makers", "groups"),
    ],
    t("nav.section.meeting", lang): [
        page("present", "present", "present", "slideshow"),
    ],
    t("nav.section.data", lang): [
        page("sources", "sources", "sources", "menu_book"),
    ],
}
if auth.can_edit(ctx.user):  # the pages refuse viewers too, whatever URL they open
    PAGES[t("nav.section.data", lang)][:0] = [
        page("edit", "edit", "edit", "edit_note"),
        page("data", "data", "data", "upload_file"),
        page("audit", "audit", "audit", "history"),
    ]

# Register the pages even when none may run (login required, store unusable): without a
# call to st.navigation Streamlit lists pages/*.py itself and runs them without the frame.
nav = st.navigation(PAGES, position="sidebar" if ctx.may_view else "hidden")
if ctx.may_view:
    nav.run()
