"""Editing (editors and admins): my actions, update or create an action, record an outcome,
update a decision-maker's stance. Viewers see no form, whatever URL they open."""

import streamlit as st

from sna import auth, config, editing, ui
from sna.ui import data, forms

c = ui.ctx()
ui.header("edit.title")
if not auth.can_edit(c.user):
    st.info(c.t("edit.sign_in_needed"))
    st.stop()

if msg := st.session_state.pop("edit.saved", None):
    st.success(msg)

acts = data.q("actions")
links = data.q("action_links")
mine = editing.my_actions(acts, links["partners"], c.user)
stale = editing.stale_since(mine, config.today())

tab_mine, tab_new, tab_outcome, tab_dm, tab_archive = st.tabs(
    [c.t("edit.tab_mine"), c.t("edit.tab_new"), c.t("edit.tab_outcome"), c.t("edit.tab_dm"), c.t("edit.tab_archive")])

with tab_mine:
    st.caption(c.t("edit.mine_caption", n=len(mine), stale=int(stale.sum())))
    st.dataframe(
        {
            c.t("edit.col_ref"): mine["ref"],
            c.t("edit.field.title"): mine["title"],
            c.t("edit.field.status"): [c.label("status", s) for s in mine["status"]],
            c.t("edit.field.due_date"): [c.date(d) for d in mine["due_date"]],
            c.t("edit.col_stale"): ["⚠ " + c.t("edit.stale_flag") if s else "" for s in stale],
        },
        hide_index=True, width="stretch",
    )
    refs = mine["ref"].tolist()
    if refs:
        default = st.session_state.get("edit.select")
        ref = st.selectbox(c.t("edit.choose_action"), refs, index=refs.index(default) if default in refs else 0,
                           format_func=lambda r: f"{r} · {mine.set_index('ref').loc[r, 'title']}", key="edit.ref")
        forms.action_form(c, mine.set_index("ref", drop=False).loc[ref])

with tab_new:
    if st.toggle(c.t("edit.open_new"), key="edit.new_toggle"):
        forms.action_form(c, None)

with tab_outcome:
    forms.outcome_form(c, mine)

with tab_dm:
    forms.decision_maker_form(c)

with tab_archive:
    archived = data.q("actions", include_archived=True)
    archived = editing.my_actions(archived[archived["archived"]], links["partners"], c.user)
    choice = st.selectbox(c.t("edit.archive_choose"), [None, *refs], key="edit.archive_ref",
                          format_func=lambda r: "—" if r is None else r)
    if choice and st.button(c.t("edit.archive"), key="edit.archive_btn"):
        editing.set_archived(c.user, choice, int(mine.set_index("ref").loc[choice, "version"]), True,
                             engine=data.engine())
        st.rerun()
    st.caption(c.t("edit.archived_list", n=len(archived)))
    back = st.selectbox(c.t("edit.restore_choose"), [None, *archived["ref"]], key="edit.restore_ref",
                        format_func=lambda r: "—" if r is None else r)
    if back and st.button(c.t("edit.restore"), key="edit.restore_btn"):
        editing.set_archived(c.user, back, int(archived.set_index("ref").loc[back, "version"]), False,
                             engine=data.engine())
        st.rerun()
