"""Audit trail (editors and admins): who changed what and when — edits, imports, reverts."""

import datetime as dt

import streamlit as st

from sna import auth, ui
from sna.i18n import has
from sna.ui import data

c = ui.ctx()
ui.header("audit.title")
if not auth.can_edit(c.user):
    st.info(c.t("edit.sign_in_needed"))
    st.stop()

tables = ["influence_action", "decision_maker", "outcome", "import_batch", "observation", "app_user"]
cols = st.columns(4)
table = cols[0].selectbox(c.t("audit.table"), [None, *tables], key="audit.table",
                          format_func=lambda x: c.t("audit.all") if x is None else c.t(f"audit.t.{x}"))
user = cols[1].selectbox(c.t("audit.user"), [None, *data.q("change_log_users")], key="audit.user",
                         format_func=lambda x: c.t("audit.all") if x is None else x)
days = cols[2].selectbox(c.t("audit.since"), [1, 7, 30, 365, None], index=2, key="audit.days",
                         format_func=lambda d: c.t("audit.all") if d is None else c.t("audit.days", n=d))
row_id = cols[3].text_input(c.t("audit.row"), key="audit.row").strip() or None

since = None if days is None else dt.datetime.combine(dt.date.today() - dt.timedelta(days=days), dt.time())
log = data.q("change_log", table=table, user=user, since=since, row_id=row_id)
st.caption(c.t("audit.count", n=len(log)))
st.dataframe(
    {
        c.t("audit.at"): log["at"],
        c.t("audit.user"): log["user_name"],
        c.t("audit.table"): [c.t(f"audit.t.{x}") if x in tables else x for x in log["table_name"]],
        c.t("audit.row"): log["row_id"],
        c.t("audit.field"): [c.t(f"edit.field.{f}") if f and has(f"edit.field.{f}") else (f or "")
                             for f in log["field"]],
        c.t("audit.old"): log["old"],
        c.t("audit.new"): log["new"],
    },
    hide_index=True, width="stretch",
)
