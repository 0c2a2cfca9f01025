"""Data (editors and admins): import indicator, action and decision-maker files with a
validated preview, exports for partners, past imports with revert, backups (admins)."""

import functools

import streamlit as st

from sna import auth, config, db, exporting, import_report, importing, ui
from sna.ui import data

c = ui.ctx()
ui.header("data.title")
if not auth.can_edit(c.user):
    st.info(c.t("edit.sign_in_needed"))
    st.stop()

tab_import, tab_export, tab_batches, tab_backup = st.tabs(
    [c.t("data.tab_import"), c.t("data.tab_export"), c.t("data.tab_batches"), c.t("data.tab_backup")])

with tab_import:
    st.caption(c.t("data.templates"))
    cols = st.columns(3)
    for col, kind in zip(cols, ("observations", "actions", "decision_makers")):
        path = config.DATA_DIR / "templates" / f"{kind}.xlsx"
        col.download_button(c.t(f"data.kind.{kind}") + " (.xlsx)", path.read_bytes(), file_name=path.name,
                            mime=exporting.MIME["xlsx"], key=f"data.tpl.{kind}")
    kind = st.selectbox(c.t("data.kind"), ["auto", "observations", "actions", "decision_makers"], key="data.kind",
                        format_func=lambda k: c.t(f"data.kind.{k}"))
    upload = st.file_uploader(c.t("data.upload"), type=["csv", "xlsx", "txt"], key="data.upload")
    if upload is not None:
        try:
            frame = importing.read_table(upload.getvalue(), upload.name)
            plan = importing.validate(frame, None if kind == "auto" else kind, data.engine(), file_name=upload.name)
        except importing.UnreadableFile as exc:
            st.error(c.t("data.unreadable", reason=str(exc)))
            st.stop()
        if plan.errors or plan.warnings:
            st.dataframe(import_report.problems_frame(plan.errors, plan.warnings, c.lang), hide_index=True,
                         width="stretch")
        if not plan.ok:
            st.error(c.t("data.report_errors", n=len(plan.errors)))
        elif plan.new + plan.changed == 0:
            st.info(c.t("data.nothing"))
        else:
            st.success(c.t("data.report_ok", **plan.counts()))
            st.dataframe(import_report.preview_frame(plan, c.lang), hide_index=True, width="stretch")
            if st.button(c.t("data.commit", n=plan.new + plan.changed), type="primary", key="data.commit"):
                bar = st.progress(0.0, text=c.t("data.progress"))
                try:
                    batch = importing.commit(plan, data.engine(), c.user["name"], upload.name,
                                             progress=lambda done, total: bar.progress(done / max(total, 1),
                                                                                       text=c.t("data.progress")))
                except importing.CommitError as exc:
                    st.error(c.t("data.commit_failed", reason=str(exc)))
                else:
                    data.invalidate()
                    st.success(c.t("data.done", batch=batch, new=plan.new, changed=plan.changed))

with tab_export:
    cols = st.columns(3)
    what = cols[0].selectbox(c.t("data.export_what"), ["observations", "actions", "decision-makers", "indicators"],
                             key="data.what", format_func=lambda w: c.t(f"data.kind.{w.replace('-', '_')}")
                             if w != "indicators" else c.t("sources.catalogue_heading"))
    fmt = cols[1].selectbox(c.t("data.export_format"), ["csv", "xlsx", "hxl"], key="data.fmt")
    full = cols[2].toggle(c.t("data.export_full"), key="data.full", disabled=not auth.is_admin(c.user))
    st.caption(c.t("data.export_note"))
    # generated when clicked (a callable), not on every rerun: a large store takes seconds
    payload = functools.partial(exporting.export_bytes, what, fmt, data.engine(), full=full and auth.is_admin(c.user),
                                sector=c.filters.sector, region=c.filters.region)
    st.download_button(c.t("data.download"), payload, file_name=exporting.file_name(what, fmt),
                       mime=exporting.MIME[fmt], key="data.export_dl")

with tab_batches:
    batches = data.q("import_batches")
    st.dataframe(batches, hide_index=True, width="stretch")
    revertable = batches[batches["kind"].isin(["observations", "actions", "decision_makers"])
                         & batches["reverted_at"].isna()]
    choice = st.selectbox(c.t("data.batch_choose"), [None, *revertable["id"].tolist()], key="data.batch",
                          format_func=lambda b: "—" if b is None else f"{b} · {revertable.set_index('id').loc[b, 'file_name']}")
    if choice is not None and st.button(c.t("data.revert"), key="data.revert"):
        try:
            importing.revert_batch(int(choice), c.user["name"], data.engine())
        except importing.RevertError as exc:
            st.error(c.t("data.revert_refused", reason=str(exc)))
        else:
            data.invalidate()
            st.success(c.t("data.reverted", batch=choice))

with tab_backup:
    if not auth.is_admin(c.user):
        st.info(c.t("data.backup_admin"))
    elif not db.is_sqlite(data.engine()):
        st.info(c.t("data.backup_pg"))
    else:
        st.download_button(c.t("data.backup_download"), data=functools.partial(exporting.backup_bytes, data.engine()), file_name="sna-backup.db",
                           mime="application/octet-stream", key="data.backup")
        st.caption(c.t("data.backup_cli"))
