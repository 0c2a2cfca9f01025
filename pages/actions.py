"""Influence actions: progress per decision-maker level, table and detail, SNI milestones,
policy stages, outcomes, who does what where, and what is missing in the data."""

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from sna import actions as A
from sna import config, overview, tracker, ui
from sna import tracker_charts as charts
from sna.ui import data

c = ui.ctx()
ui.header("actions.title")


@st.cache_resource(max_entries=256, show_spinner=False)
def chart(kind: str, numbers: pd.DataFrame, lang: str, big: bool, version: int, by: str = "") -> go.Figure:
    """A chart of small aggregated numbers (at most a few hundred cells, hashed by the
    cache), built once for the same numbers, language and data version: plotly express
    takes tens of milliseconds per figure, and switching back to a view repeats them."""
    if kind == "pipeline":
        return charts.pipeline_chart(numbers, lang, big=big)
    if kind == "funnel":
        return charts.stage_funnel(numbers, lang, big=big)
    if kind == "stages":
        return charts.stage_bars(numbers, by, lang, big=big)
    if kind == "outcomes":
        return charts.outcome_chart(numbers, lang, big=big)
    if kind == "timeline":  # by: today
        return charts.timeline_chart(numbers, dt.date.fromisoformat(by), lang, big=big)
    return charts.wdww_heatmap(numbers, lang, c.names, big=big)  # by: the view, names: of this data version


today, big = config.today(), c.presenting


def _set_level() -> None:
    value = st.session_state["actions.w.level"]
    ui.set_filter("level", None if value in (None, "all") else value)


st.session_state["actions.w.level"] = c.filters.level or "all"
st.segmented_control(c.t("actions.view"), tracker.VIEW_LEVELS, key="actions.w.level", required=True,
                     format_func=lambda v: c.t("actions.all_levels") if v == "all" else c.label("level", v),
                     on_change=_set_level)

# what does not depend on the filters is derived once per data version (read-only)
visible, n_hidden = data.derived("tracker:visible", (c.sensitive,),
                                 lambda: tracker.visible_actions(data.q("actions"), c.sensitive))
main, national = overview.filtered_actions(visible, c.filters, prepared=data.derived(
    "tracker:prepared", ("visible", c.sensitive), lambda: A.prepare(visible)))
scoped = tracker.in_scope(main, national)
links = data.q("action_links")
unfiltered = not c.filters.to_params()  # outcomes linked to no action count only in the view of everything
if n_hidden or c.sensitive:
    st.caption(c.t("actions.sensitive_hidden", n=n_hidden) if n_hidden else c.t("actions.sensitive_shown"))

# ------------------------------------------------------------------ headline
head = tracker.headline(main, national, today)
found = tracker.outcome_summary_for(data.q("outcomes"), links["outcomes"], scoped, include_unlinked=unfiltered)
cols = st.columns(5)
cols[0].metric(c.t("actions.total"), c.num(head["total"], 0))
cols[1].metric(c.t("actions.pct_done"), "—" if head["pct_done"] is None else c.num(head["pct_done"], 0) + " %",
               help=c.t("actions.pct_done_help"))
cols[2].metric(c.t("actions.overdue"), c.num(head["overdue"], 0), help=c.t("actions.overdue_help", today=c.date(today)))
cols[3].metric(c.t("actions.due_30"), c.num(head["due_30"], 0))
cols[4].metric(c.t("actions.outcomes_metric"), c.num(found["total"], 0),
               delta=c.t("actions.outcomes_verified", n=found["verified"]), delta_color="off", delta_arrow="off")
st.caption(c.t("actions.by_status", counts=" · ".join(f"{c.label('status', s)} {c.num(n, 0)}"
                                                       for s, n in head["by_status"].items())))
if head["n_national"]:
    st.caption(c.t("actions.national_apart", n=head["n_national"]))

known_areas = data.q("known_areas")
quality = tracker.rows_of(data.derived("tracker:quality", (c.sensitive, c.lang), lambda: tracker.quality_table(
    visible, known_areas, c.lang, keep_index=True)), main, national)
if len(quality):
    with st.expander(c.t("actions.quality_title", n=len(quality)), icon=":material/warning:"):
        st.caption(c.t("actions.quality_help"))
        st.dataframe(quality, hide_index=True, width="stretch")

st.subheader(c.t("actions.milestones"))
st.dataframe(tracker.milestone_table(data.q("milestones"), today, c.lang), hide_index=True, width="stretch")
st.caption(c.t("actions.milestones_help", today=c.date(today)))

NARROWING = {"organisations": "actions.w.org", "target_types": "actions.w.target", "stages": "actions.w.stage",
             "late_only": "actions.w.late"}  # the table's own filters, also applied to the timeline
ui.keep(*NARROWING.values(), "actions.w.stage_by", "actions.w.wdww")  # kept while their tab is closed
st.session_state.setdefault("actions.w.stage_by", "sector")
st.session_state.setdefault("actions.w.wdww", tracker.WDWW_VIEWS[0])
tabs = ui.lazy_tabs("actions.w.tab", ("table", "progress", "stages", "outcomes", "wdww"), "actions.tab")
dms = data.q("decision_makers", sensitive=c.sensitive)
types_of = data.derived("tracker:types_of", (c.sensitive,),
                        lambda: tracker.target_types_by_action(links["decision_makers"], dms))


def narrowed() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The actions of the view narrowed by the table's own filters (lead organisation,
    target type, stage, late only), and the national ones kept apart."""
    chosen = {name: st.session_state.get(key) for name, key in NARROWING.items()}
    narrowing = dict(organisations=chosen["organisations"] or [], target_types=chosen["target_types"] or [],
                     stages=chosen["stages"] or [], late_only=bool(chosen["late_only"]), target_types_of=types_of)
    return tracker.narrow(main, today, **narrowing), tracker.narrow(national, today, **narrowing)


# ------------------------------------------------------------------ table + detail
def table_tab() -> None:
    options = data.derived("tracker:options", (c.sensitive,), lambda: tracker.table_options(visible, types_of))
    f1, f2, f3, f4 = st.columns([3, 3, 3, 2], vertical_alignment="bottom")
    f1.multiselect(c.t("actions.col.lead"), options["organisation"], key=NARROWING["organisations"],
                   placeholder=c.t("actions.any"))
    f2.multiselect(c.t("actions.col.target"), options["target_type"], key=NARROWING["target_types"],
                   placeholder=c.t("actions.any"), format_func=lambda v: c.label("target_type", v))
    f3.multiselect(c.t("actions.col.stage"), options["stage"], key=NARROWING["stages"],
                   placeholder=c.t("actions.any"), format_func=lambda v: c.label("stage", v))
    f4.toggle(c.t("actions.late_only"), key=NARROWING["late_only"])
    shown, shown_national = narrowed()
    # every visible action formatted once per data version, language and day; a filter change only selects rows
    formatted = data.derived("tracker:table", (c.sensitive, c.lang, today), lambda: tracker.action_table(
        visible, today, c.lang, c.names, keep_index=True))
    table, table_national = tracker.rows_of(formatted, shown), tracker.rows_of(formatted, shown_national)
    narrow_cols = {c.t(f"actions.col.{k}"): st.column_config.TextColumn(width=w)
                   for k, w in tracker.COLUMN_WIDTHS.items()}
    # a click on a row opens its detail below; a selection belongs to the rows it was made on
    shown_now = (c.filters.to_params(), [st.session_state.get(k) for k in NARROWING.values()], data.version())

    def selectable(frame: pd.DataFrame, name: str) -> str | None:
        event = st.dataframe(frame, hide_index=True, width="stretch", column_config=narrow_cols,
                             on_select="rerun", selection_mode="single-row", key=ui.view_key(name, *shown_now))
        rows = [i for i in event.selection.rows if i < len(frame)]
        return str(frame.iloc[rows[0]][c.t("actions.col.ref")]) if rows else None

    picked = selectable(table, "actions.w.rows")
    st.caption(c.t("actions.table_help", n=len(shown)))
    if c.filters.region:
        st.subheader(c.t("actions.national_apart_title"))
        st.caption(c.t("actions.national_apart_help", region=c.area(c.filters.region)))
        picked = selectable(table_national, "actions.w.rows_national") or picked
    st.download_button(c.t("actions.download"), lambda: tracker.csv_bytes(table, table_national),
                       file_name="sna-actions.csv", mime="text/csv", icon=":material/download:")
    on_screen = tracker.in_scope(shown, shown_national)

    st.subheader(c.t("actions.detail"))
    if picked is None:
        st.caption(c.t("actions.pick_row" if len(on_screen) else "actions.none"))
    detail = picked and tracker.action_detail(
        picked, on_screen, links, dms, data.q("organisations"), data.q("indicators"), data.q("stage_changes"),
        data.q("outcomes"), today, lang=c.lang, names=c.names, sensitive=c.sensitive)
    if detail:
        left, right = st.columns(2)
        left.markdown("\n".join(c.t("actions.fact_line", name=name, value=value)
                                for name, value in tracker.detail_facts(detail, c.lang, c.names)))
        if detail.evidence_url:
            left.link_button(c.t("actions.evidence"), detail.evidence_url, icon=":material/open_in_new:")
        else:
            left.caption(c.t("actions.no_evidence"))
        for box, title, frame, empty in (
            (right, "actions.targets", detail.targets, "actions.no_targets"),
            (right, "actions.indicators", detail.indicators, "actions.no_indicators"),
            (left, "actions.stage_history", detail.stages, "actions.no_stage_history"),
            (st, "actions.outcomes_of", detail.outcomes, "outcomes.none"),
        ):
            box.markdown(f"**{c.t(title)}**")
            if len(frame):
                box.dataframe(frame, hide_index=True, width="stretch")
            else:
                box.caption(c.t(empty))

# ------------------------------------------------------------------ progress
def progress_tab() -> None:
    st.plotly_chart(chart("pipeline", A.pipeline(scoped), c.lang, big, data.version()), width="stretch",
                    config=charts.CONFIG,
                    key="chart.actions.pipeline")
    rows, n_no_date, n_cut = tracker.timeline_rows(tracker.in_scope(*narrowed()), today)
    st.plotly_chart(chart("timeline", rows, c.lang, big, data.version(), today.isoformat()), width="stretch",
                    config=charts.CONFIG,
                    key="chart.actions.timeline")
    st.caption(c.t("actions.timeline_help"))
    if n_cut:
        st.caption(c.t("actions.timeline_cut", shown=len(rows), n=n_cut))
    if n_no_date:
        st.caption(c.t("actions.timeline_no_date", n=n_no_date))

# ------------------------------------------------------------------ policy stages
def stages_tab() -> None:
    left, right = st.columns(2)
    left.plotly_chart(chart("funnel", A.stage_counts(scoped, by=()), c.lang, big, data.version()), width="stretch",
                      config=charts.CONFIG, key="chart.actions.stage_funnel")
    by = right.segmented_control(c.t("actions.stages_group"), ["sector", "level"], required=True,
                                 format_func=lambda v: c.t(f"actions.col.{v}"), key="actions.w.stage_by")
    right.plotly_chart(chart("stages", A.stage_counts(scoped, by=by), c.lang, big, data.version(), by), width="stretch",
                       config=charts.CONFIG, key="chart.actions.stage_bars")
    st.caption(c.t("actions.stages_help"))

# ------------------------------------------------------------------ outcomes
def outcomes_tab() -> None:
    st.caption(c.t("outcomes.help"))
    outcomes = tracker.outcomes_for(data.q("outcomes"), links["outcomes"], scoped, include_unlinked=unfiltered)
    ocols = st.columns(4)
    ocols[0].metric(c.t("outcomes.total"), c.num(found["total"], 0))
    for col, state in zip(ocols[1:], ("verified", "unverified", "disputed")):
        col.metric(c.label("verification", state), c.num(found[state], 0))
    st.plotly_chart(chart("outcomes", tracker.outcome_counts(outcomes), c.lang, big, data.version()), width="stretch",
                    config=charts.CONFIG, key="chart.actions.outcomes")
    st.dataframe(tracker.outcome_table(outcomes, c.lang), hide_index=True, width="stretch")

# ------------------------------------------------------------------ who does what where
def wdww_tab() -> None:
    pick = st.segmented_control(c.t("actions.wdww_view"), list(tracker.WDWW_VIEWS), required=True, format_func=lambda v: c.t(f"actions.wdww_option.{v}"),
                                key="actions.w.wdww")
    dims = pick.split(":")
    st.plotly_chart(chart("wdww", A.wdww_matrix(scoped, *dims), c.lang, big, data.version(), pick), width="stretch",
                    config=charts.CONFIG, theme=charts.HEATMAP_THEME, key="chart.actions.wdww")
    st.caption(c.t("actions.wdww_help", total=len(scoped)))


for name, tab in tabs.items():  # only the open tab is drawn
    if tab.open:
        with tab:
            {"table": table_tab, "progress": progress_tab, "stages": stages_tab, "outcomes": outcomes_tab,
             "wdww": wdww_tab}[name]()
