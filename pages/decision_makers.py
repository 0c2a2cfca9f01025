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
present = data.derived("tracker:dm_types", (c.sensitive,), lambda: tracker.table_options(register)["target_type"])
types = st.multiselect(c.t("dm.types"), present, format_func=lambda v: c.label("target_type", v), key="dm.w.types",
                       placeholder=c.t("actions.any"))
if c.filters.region:
    st.caption(c.t("dm.national_kept"))

visible, _ = data.derived("tracker:visible", (c.sensitive,),  # once per data version (read-only)
                          lambda: tracker.visible_actions(data.q("actions"), c.sensitive))
prepared = data.derived("tracker:prepared", ("visible", c.sensitive), lambda: A.prepare(visible))
links = data.q("action_links")
f = c.filters


def activity_of(chosen: int) -> tuple:
    """The tables of the actions aimed at decision-maker ``chosen`` and of their outcomes."""
    acts, _ = A.filter_actions(visible, sector=f.sector, period=f.period_bounds(), prepared=prepared)
    theirs = tracker.dm_actions(chosen, acts, links)
    return (tracker.action_table(theirs, today, c.lang, c.names),
            tracker.outcome_table(tracker.outcomes_for(data.q("outcomes"), links["outcomes"], theirs), c.lang))


def build_view() -> dict:
    """The register for these filters, with each decision-maker's activity (cached per
    combination: read-only)."""
    dm = tracker.filter_decision_makers(register, sector=f.sector, region=f.region, level=f.level,
                                        target_types=types)
    acts, _ = A.filter_actions(visible, sector=f.sector, period=f.period_bounds(), prepared=prepared)
    dm = tracker.dm_activity(dm, acts, links, today, index=data.derived(  # links joined once per version and day
        "tracker:activity_index", (c.sensitive, today), lambda: tracker.activity_index(visible, links, today)))
    return {"dm": dm, "head": tracker.dm_headline(dm)}


key = (c.sensitive, f.sector, f.region, f.level, f.period, tuple(types), today, c.lang, big)
view = data.derived("tracker:dm_view", key, build_view, view=True)
dm = view["dm"]
head = view["head"]
shown = [k for k in ("total", "high_influence", "with_open", "supportive") if head[k] is not None]
for col, name in zip(st.columns(len(shown)), shown):
    col.metric(c.t(f"dm.{name}"), c.num(head[name], 0))


def register_tab() -> None:
    whole = data.derived("tracker:dm_table", (c.sensitive, c.lang), lambda: tracker.dm_table(
        register, c.lang, c.names, sensitive=c.sensitive, keep_index=True))  # formatted once; filters pick rows
    counts, table = data.derived("tracker:dm_register", key, lambda: (
        tracker.register_counts(dm, c.lang), tracker.dm_rows(whole, dm, c.lang)), view=True)
    st.markdown(f"**{c.t('dm.by_type')}**")
    st.dataframe(counts, width="stretch")
    st.dataframe(table, hide_index=True, width="stretch")


def matrix_tab() -> None:
    matrix = data.derived("tracker:dm_matrix", key, lambda: charts.power_interest(
        dm, c.lang, by_stance=c.sensitive, big=big), view=True)
    st.plotly_chart(matrix, width="stretch", config=charts.CONFIG, key="chart.dm.matrix")
    st.caption(c.t("dm.matrix_help"))


def stances_tab() -> None:  # editors and admins only (the tab exists only for them)
    changes = data.q("stance_changes")
    history = tracker.stance_timeline(changes, dm, today)
    st.plotly_chart(charts.stance_history_chart(history, c.lang, big=big), width="stretch", config=charts.CONFIG,
                    key="chart.dm.stances")
    st.markdown(f"**{c.t('dm.stance_changes')}**")
    st.dataframe(tracker.stance_change_table(changes, dm, c.lang), hide_index=True, width="stretch")


def activity_tab() -> None:
    st.caption(c.t("dm.activity_help"))
    labels = data.derived("tracker:dm_choices", key, lambda: tracker.dm_choices(dm), view=True)
    chosen = st.selectbox(c.t("dm.choose"), list(labels), format_func=labels.get, placeholder=c.t("dm.none"))
    if chosen is not None:
        actions_table, outcomes_table = data.derived("tracker:dm_activity", (*key, chosen),
                                                     lambda: activity_of(chosen), view=True)
        st.markdown(f"**{c.t('dm.actions_of')}**")
        st.dataframe(actions_table, hide_index=True, width="stretch")
        st.markdown(f"**{c.t('dm.outcomes_of')}**")
        st.dataframe(outcomes_table, hide_index=True, width="stretch")


tabs = ui.lazy_tabs("dm.w.tab", ["register", "matrix", *(["stances"] if c.sensitive else []), "activity"], "dm.tab")
for name, tab in tabs.items():  # only the open tab is drawn
    if tab.open:
        with tab:
            {"register": register_tab, "matrix": matrix_tab, "stances": stances_tab, "activity": activity_tab}[name]()
