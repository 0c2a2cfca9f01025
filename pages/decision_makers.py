"""Decision-makers: the register by level and institution type, the power/interest matrix,
stance changes (editors and admins only) and the actions and outcomes per decision-maker.

Stances and private notes are personal data (law 09-08): the page fetches them only when
``c.sensitive`` (editors and admins, not presenting); viewers never receive them.
"""

import streamlit as st

from sna import actions as A
from sna import config, tracker, ui
from sna import tracker_charts as charts
from sna.ui import data

c = ui.ctx()
ui.header("dm.title")
today, big = config.today(), c.presenting


def _set_level() -> None:
    value = st.session_state["dm.w.level"]
    ui.set_filter("level", None if value in (None, "all") else value)


st.session_state["dm.w.level"] = c.filters.level or "all"
st.segmented_control(c.t("actions.view"), tracker.VIEW_LEVELS, key="dm.w.level", required=True,
                     format_func=lambda v: c.t("actions.all_levels") if v == "all" else c.label("level", v),
                     on_change=_set_level)
st.caption(c.t("dm.sensitive_shown") if c.sensitive else c.t("dm.sensitive_hidden"))

register = data.q("decision_makers", sensitive=c.sensitive)
present = tracker.table_options(register)["target_type"]
types = st.multiselect(c.t("dm.types"), present, format_func=lambda v: c.label("target_type", v), key="dm.w.types",
                       placeholder=c.t("actions.any"))
dm = tracker.filter_decision_makers(register, sector=c.filters.sector, region=c.filters.region,
                                    level=c.filters.level, target_types=types)
if c.filters.region:
    st.caption(c.t("dm.national_kept"))

visible, _ = tracker.visible_actions(data.q("actions"), c.sensitive)
acts, _ = A.filter_actions(visible, sector=c.filters.sector, period=c.filters.period_bounds())
links = data.q("action_links")
dm = tracker.dm_activity(dm, acts, links, today)

head = tracker.dm_headline(dm)
shown = [k for k in ("total", "high_influence", "with_open", "supportive") if head[k] is not None]
for col, key in zip(st.columns(len(shown)), shown):
    col.metric(c.t(f"dm.{key}"), c.num(head[key], 0))

names = ["register", "matrix", *(["stances"] if c.sensitive else []), "activity"]
tabs = dict(zip(names, st.tabs([c.t(f"dm.tab.{n}") for n in names])))

with tabs["register"]:
    st.markdown(f"**{c.t('dm.by_type')}**")
    st.dataframe(tracker.register_counts(dm, c.lang), width="stretch")
    st.dataframe(tracker.dm_table(dm, c.lang, c.names, sensitive=c.sensitive), hide_index=True, width="stretch")

with tabs["matrix"]:
    st.plotly_chart(charts.power_interest(dm, c.lang, by_stance=c.sensitive, big=big), width="stretch",
                    config=charts.CONFIG)
    st.caption(c.t("dm.matrix_help"))

if c.sensitive:
    with tabs["stances"]:
        changes = data.q("stance_changes")
        history = tracker.stance_timeline(changes, dm, today)
        st.plotly_chart(charts.stance_history_chart(history, c.lang, big=big), width="stretch", config=charts.CONFIG)
        st.markdown(f"**{c.t('dm.stance_changes')}**")
        st.dataframe(tracker.stance_change_table(changes, dm, c.lang), hide_index=True, width="stretch")

with tabs["activity"]:
    st.caption(c.t("dm.activity_help"))
    labels = tracker.dm_choices(dm)
    chosen = st.selectbox(c.t("dm.choose"), list(labels), format_func=labels.get, placeholder=c.t("dm.none"))
    if chosen is not None:
        theirs = tracker.dm_actions(chosen, acts, links)
        st.markdown(f"**{c.t('dm.actions_of')}**")
        st.dataframe(tracker.action_table(theirs, today, c.lang, c.names), hide_index=True, width="stretch")
        st.markdown(f"**{c.t('dm.outcomes_of')}**")
        st.dataframe(tracker.outcome_table(tracker.outcomes_for(data.q("outcomes"), links["outcomes"], theirs), c.lang),
                     hide_index=True, width="stretch")
