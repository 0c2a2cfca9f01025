"""Exports (CSV, XLSX, HXL) and database backup/restore.

Exports
-------
:func:`export_bytes` (for download buttons) and :func:`export_file` write one of
:data:`WHATS` in one of :data:`FORMATS`:

* **csv**: UTF-8 with a BOM (so Excel shows accents and Arabic), comma-separated.
* **xlsx**: one sheet named after ``what`` plus a ``notes`` sheet; codes stay text
  (``01`` is never turned into ``1``); numbers are numbers, dates are dates.
* **hxl**: CSV (UTF-8, no BOM) with the HXL hashtag row under the header
  (``#indicator+code``, ``#adm1+code``, ``#date``, ``#indicator+value+num``...).

Every format has the columns an import reads back (``region`` as the HCP code, group,
sex, codes of every list), rows in a stable order, and is byte-for-byte the same for the
same store (the XLSX has fixed timestamps). Text cells that a spreadsheet would run as a
formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) get a leading
``'``; numeric columns are written as numbers and are never touched.

By default (``full=False``) exports are fit to share:

* small counts are **suppressed**: where the denominator (or, for a count without one,
  the value itself) is below :func:`sna.config.suppression_threshold`, ``value`` and
  ``numerator`` are blank and ``suppressed`` is ``*``;
* **personal and sensitive data** stays out: decision-makers' ``stance`` and
  ``private_notes`` columns, ``updated_by``, and actions flagged ``is_sensitive``.

``full=True`` (admins) keeps everything; a full export imported back changes nothing.

Backup and restore
------------------
:func:`backup` copies a SQLite store with SQLite's backup API (a consistent snapshot,
even while the app writes); :func:`restore` checks that a file is an sna store at a
schema this version knows, keeps the current store as ``<store>.before-restore``, then
copies the backup into the store (running app processes see the restored data at once).
On PostgreSQL both raise :class:`BackupError` pointing to ``pg_dump``/``pg_restore``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
import sqlite3
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import config, db, queries, store
from .gaps import COUNT_UNITS
from .models import DecisionMaker, Organisation, action_decision_maker, action_indicator, action_partner
from .periods import is_valid_period, period_sort_key

__all__ = [
    "WHATS", "FORMATS", "MIME", "export_frame", "export_bytes", "export_file", "file_name", "neutralise",
    "write_xlsx", "hxl_tags", "BackupError", "backup", "restore", "inspect_backup",
]

WHATS = ("observations", "actions", "decision_makers", "indicators")
FORMATS = ("csv", "xlsx", "hxl")
MIME = {
    "csv": "text/csv",
    "hxl": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: Timestamp written into every XLSX (workbook properties and zip entries).
FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)

# (column, HXL hashtag); "numeric" columns are written as numbers.
_OBS = [
    ("indicator", "#indicator+code"), ("sector", "#sector"), ("region", "#adm1+code"), ("period", "#date"),
    ("group", "#population+type"), ("sex", "#population+sex"), ("age_group", "#population+age"),
    ("value", "#indicator+value+num"), ("numerator", "#indicator+numerator+num"),
    ("denominator", "#indicator+denominator+num"), ("sample_size", "#indicator+sample_size+num"),
    ("unit", "#indicator+unit"), ("source", "#meta+source"), ("note", "#meta+note"),
    ("is_illustrative", "#meta+is_illustrative"), ("suppressed", "#meta+suppressed"),
]
_ACTIONS = [
    ("ref", "#activity+code"), ("title", "#activity+name"), ("description", "#activity+description"),
    ("ask", "#activity+ask"), ("sector", "#sector"), ("level", "#meta+level"), ("area", "#adm1+code"),
    ("lead_organisation", "#org+lead"), ("partners", "#org+partner+list"),
    ("decision_makers", "#contact+code+list"), ("indicators", "#indicator+code+list"),
    ("action_type", "#activity+type"), ("status", "#status"), ("policy_stage", "#status+stage"),
    ("start_date", "#date+start"), ("due_date", "#date+due"), ("done_date", "#date+done"),
    ("next_step", "#activity+next_step"), ("evidence_url", "#meta+url"),
    ("is_sensitive", "#meta+is_sensitive"), ("archived", "#meta+archived"), ("version", "#meta+version+num"),
    ("updated_at", "#date+updated"), ("updated_by", "#meta+updated_by"),
]
_DMS = [
    ("ref", "#contact+code"), ("name", "#contact+name"), ("institution", "#org+name"),
    ("target_type", "#org+type"), ("level", "#meta+level"), ("area", "#adm1+code"), ("sectors", "#sector+list"),
    ("influence", "#indicator+influence+num"), ("interest", "#indicator+interest+num"),
    ("stance", "#meta+stance"), ("private_notes", "#meta+private_notes"), ("version", "#meta+version+num"),
    ("updated_at", "#date+updated"), ("updated_by", "#meta+updated_by"),
]
_INDICATORS = [
    ("code", "#indicator+code"), ("sector", "#sector"), ("name_fr", "#indicator+name+i_fr"),
    ("name_en", "#indicator+name+i_en"), ("name_ar", "#indicator+name+i_ar"), ("unit", "#indicator+unit"),
    ("direction", "#meta+direction"), ("definition_fr", "#description+i_fr"),
    ("definition_en", "#description+i_en"), ("definition_ar", "#description+i_ar"), ("method", "#meta+method"),
    ("source", "#meta+source"), ("hxl_tag", "#meta+hxl"), ("valid_min", "#indicator+min+num"),
    ("valid_max", "#indicator+max+num"), ("target", "#indicator+target+num"),
    ("gap_best", "#indicator+gap_best+num"), ("gap_worst", "#indicator+gap_worst+num"),
    ("compares_groups", "#meta+compares_groups"),
]
_SPECS = {"observations": _OBS, "actions": _ACTIONS, "decision_makers": _DMS, "indicators": _INDICATORS}
_NUMERIC = {"value", "numerator", "denominator", "sample_size", "influence", "interest", "version",
            "valid_min", "valid_max", "target", "gap_best", "gap_worst"}
#: Columns left out of default (not ``full``) exports.
SENSITIVE_COLUMNS = {"decision_makers": ("stance", "private_notes", "updated_by"), "actions": ("updated_by",)}


def _what(what: str) -> str:
    w = str(what).strip().lower().replace("-", "_")
    if w not in WHATS:
        raise ValueError(f"unknown export {what!r}: one of {', '.join(x.replace('_', '-') for x in WHATS)}")
    return w


def hxl_tags(what: str, full: bool = False) -> dict[str, str]:
    """Column → HXL hashtag of an export."""
    w = _what(what)
    drop = () if full else SENSITIVE_COLUMNS.get(w, ())
    return {c: tag for c, tag in _SPECS[w] if c not in drop}


def file_name(what: str, fmt: str) -> str:
    """A download name: ``sna-observations.csv``, ``sna-actions.xlsx``, ``sna-indicators-hxl.csv``."""
    w = _what(what).replace("_", "-")
    return f"sna-{w}-hxl.csv" if fmt == "hxl" else f"sna-{w}.{fmt}"


# ======================================================================== frames
def export_frame(what: str, engine: Engine | None = None, *, full: bool = False, sector: str | None = None,
                 region: str | None = None, periods: Sequence[str] | None = None,
                 indicators: Sequence[str] | None = None, threshold: int | None = None) -> pd.DataFrame:
    """The rows of an export, in their final order and columns, before formatting.

    Filters (None = all): ``sector``; ``region`` (a region code: its observations and
    provinces' observations; actions and decision-makers of that region plus national
    ones); ``periods`` and ``indicators`` for observations. ``threshold`` defaults to
    :func:`sna.config.suppression_threshold`.
    """
    w = _what(what)
    engine = engine or db.get_engine()
    if w == "observations":
        df = _observations(engine, full, sector, region, periods, indicators,
                           config.suppression_threshold() if threshold is None else threshold)
    elif w == "actions":
        df = _actions(engine, full, sector, region)
    elif w == "decision_makers":
        df = _decision_makers(engine, full, sector, region)
    else:
        df = queries.indicators(engine)
        if sector:
            df = df[df["sector"] == sector]
        df = df.sort_values("code", kind="stable")
    return df.reindex(columns=list(hxl_tags(w, full))).reset_index(drop=True)


def _in_region(area: Any, region: str) -> bool:
    return isinstance(area, str) and (area == region or area.startswith(region + "."))


def _observations(engine, full, sector, region, periods, indicators, threshold) -> pd.DataFrame:
    obs = queries.observations(engine, indicators=list(indicators) if indicators is not None else None,
                               sector=sector, periods=list(periods) if periods is not None else None,
                               breakdowns=True)
    cat = queries.indicators(engine).set_index("code")
    if region:
        obs = obs[obs["area_code"].map(lambda a: _in_region(a, region))]
    obs = obs.assign(
        sector=obs["indicator"].map(cat["sector"]) if len(cat) else None,
        unit=obs["indicator"].map(cat["unit"]) if len(cat) else None,
        region=obs["area_code"], group=obs["population_group"],
    )
    den = pd.to_numeric(obs["denominator"], errors="coerce")
    val = pd.to_numeric(obs["value"], errors="coerce")
    small = (den.notna() & (den < threshold)) | (den.isna() & obs["unit"].isin(COUNT_UNITS) & (val < threshold))
    small = small.fillna(False).astype(bool)
    obs["suppressed"] = small.map(lambda s: "*" if s else "")
    if not full:
        obs.loc[small, ["value", "numerator"]] = float("nan")
    # chronological periods (2024, 2024-Q1, 2024-01, ...), then the rest of the key
    keys = {p: (period_sort_key(p) if is_valid_period(p) else (9999, 99, 9)) for p in obs["period"].unique()}
    parts = pd.DataFrame([keys[p] for p in obs["period"]], index=obs.index, columns=["_y", "_m", "_k"])
    obs = pd.concat([obs, parts], axis=1)
    return obs.sort_values(["indicator", "area_code", "_y", "_m", "_k", "period", "population_group", "sex",
                            "age_group"], kind="stable")


def _actions(engine, full, sector, region) -> pd.DataFrame:
    a = queries.actions(engine, include_archived=True)
    if not full:
        a = a[~a["is_sensitive"].astype(bool)]
    if sector:
        a = a[a["sector"] == sector]
    if region:
        a = a[a["area_code"].map(lambda x: x is None or (isinstance(x, float) and math.isnan(x))
                                 or _in_region(x, region))]
    with db.read(engine) as conn:
        links: dict[str, dict[int, list[str]]] = {"decision_makers": {}, "partners": {}, "indicators": {}}
        for aid, ref in conn.execute(sa.select(action_decision_maker.c.action_id, DecisionMaker.ref).select_from(
                action_decision_maker.join(DecisionMaker.__table__,
                                           DecisionMaker.id == action_decision_maker.c.decision_maker_id))):
            links["decision_makers"].setdefault(aid, []).append(ref)
        for aid, name in conn.execute(sa.select(action_partner.c.action_id, Organisation.name).select_from(
                action_partner.join(Organisation.__table__, Organisation.id == action_partner.c.organisation_id))):
            links["partners"].setdefault(aid, []).append(name)
        for aid, code in conn.execute(sa.select(action_indicator.c.action_id, action_indicator.c.indicator)):
            links["indicators"].setdefault(aid, []).append(code)
    a = a.assign(area=a["area_code"])
    for name, by_id in links.items():
        a[name] = a["id"].map(lambda i, b=by_id: "; ".join(sorted(b.get(i, []))))
    return a.sort_values("ref", kind="stable")


def _decision_makers(engine, full, sector, region) -> pd.DataFrame:
    d = queries.decision_makers(engine, sensitive=full)
    d["sectors"] = d["sectors"].map(lambda s: "; ".join(x for x in str(s or "").split(",") if x))
    if sector:
        d = d[d["sectors"].map(lambda s: sector in s.split("; "))]
    if region:
        d = d[d["area_code"].map(lambda x: x is None or (isinstance(x, float) and math.isnan(x))
                                 or _in_region(x, region))]
    d = d.assign(area=d["area_code"])
    return d.sort_values("ref", kind="stable")


# ===================================================================== formatting
_FORMULA = re.compile(r"'*[=+\-@\t\r]")


def neutralise(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would read it as a formula.

    Also when it already starts with ``'`` followed by such a character, so that the
    import (which removes one ``'``) gets back exactly the original text.
    """
    return "'" + text if _FORMULA.match(text) else text


def _num_text(v: float) -> str:
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(float(v))


def _is_missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    try:
        return isinstance(v, float) and math.isnan(v)
    except TypeError:
        return False


def _text_cell(column: str, v: Any) -> str:
    """The CSV text of one cell."""
    if _is_missing(v):
        return ""
    if column in _NUMERIC:
        try:
            return _num_text(float(v))
        except (TypeError, ValueError):
            return neutralise(str(v))
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, pd.Timestamp):
        return v.isoformat(sep=" ")
    if isinstance(v, float) and v.is_integer():  # a code read as a number somewhere
        return neutralise(str(int(v)))
    return neutralise(str(v))


def _xlsx_cell(column: str, v: Any) -> Any:
    """The XLSX value of one cell: numbers and dates typed, text neutralised."""
    if _is_missing(v):
        return None
    if column in _NUMERIC:
        try:
            f = float(v)
            return int(f) if f.is_integer() and abs(f) < 1e15 else f
        except (TypeError, ValueError):
            return _clean(neutralise(str(v)))
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (dt.date, dt.datetime)):
        return v
    return _clean(_text_cell(column, v))


def _clean(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _rows(df: pd.DataFrame) -> list[list[Any]]:
    cols = list(df.columns)
    return [list(r) for r in df.astype(object).itertuples(index=False, name=None)] if len(cols) else []


def to_csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]], *, bom: bool = True,
                 hxl: Sequence[str] | None = None) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    if hxl is not None:
        w.writerow(hxl)
    for r in rows:
        w.writerow([_text_cell(c, v) for c, v in zip(header, r)])
    return buf.getvalue().encode("utf-8-sig" if bom else "utf-8")


def write_xlsx(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]],
               widths: dict[str, int] | None = None) -> bytes:
    """A reproducible XLSX: ``sheets`` are (title, header, rows); cells typed by column.

    Workbook properties and zip entries carry :data:`FIXED_TIME`, so the same content
    gives the same bytes.
    """
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    wb = openpyxl.Workbook(write_only=True)  # streams rows: large exports stay fast
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for title, header, rows in sheets:
        ws = wb.create_sheet(title=title[:31])
        width = (widths or {}).get(title, 16)
        for i, _ in enumerate(header, start=1):
            ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        head = []
        for h in header:
            cell = WriteOnlyCell(ws, value=_clean(str(h)))
            cell.font = bold
            head.append(cell)
        ws.append(head)
        for r in rows:
            values = [_xlsx_cell(c, v) for c, v in zip(header, r)]
            if title == "colonnes":
                values = [_wrapped(ws, v, wrap) for v in values]
            ws.append(values)
    props = wb.properties
    props.creator = "sna"
    props.lastModifiedBy = "sna"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return _fix_zip_times(buf.getvalue())


def _wrapped(ws, value: Any, alignment) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    cell.alignment = alignment
    return cell


def _fix_zip_times(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" when saving
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                 rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
                                 content)
            dst.writestr(fixed, content)
    return out.getvalue()


def _notes(what: str, full: bool, threshold: int) -> list[list[str]]:
    lines = [
        ["fr", f"Export {'complet (administrateur)' if full else 'standard'} : {what}."],
        ["en", f"{'Full (admin)' if full else 'Standard'} export: {what}."],
        ["ar", f"تصدير {'كامل (مدير)' if full else 'عادي'}: {what}."],
    ]
    if what == "observations":
        lines += [
            ["fr", f"* : valeur masquée (dénominateur, ou effectif, inférieur à {threshold})"
                   + (" — conservée dans cet export complet." if full else ".")],
            ["en", f"*: value withheld (denominator, or count, below {threshold})"
                   + (" — kept in this full export." if full else ".")],
            ["ar", f"*: قيمة محجوبة (المقام أو العدد أقل من {threshold})"
                   + (" — محفوظة في هذا التصدير الكامل." if full else ".")],
            ["fr", "is_illustrative = true : donnée illustrative (démo), pas une mesure réelle."],
            ["en", "is_illustrative = true: illustrative (demo) figure, not a real measurement."],
        ]
    if not full and what in ("decision_makers", "actions"):
        lines += [["fr", "Données personnelles et actions sensibles exclues (loi 09-08)."],
                  ["en", "Personal data and sensitive actions left out (law 09-08)."]]
    return lines


def export_bytes(what: str, fmt: str, engine: Engine | None = None, *, full: bool = False,
                 **filters: Any) -> bytes:
    """The export of ``what`` (:data:`WHATS`) in ``fmt`` (:data:`FORMATS`) as bytes.

    ``filters`` are those of :func:`export_frame`. The same store gives the same bytes.
    """
    w = _what(what)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    engine = engine or db.get_engine()
    threshold = filters.get("threshold")
    threshold = config.suppression_threshold() if threshold is None else threshold
    filters["threshold"] = threshold
    df = export_frame(w, engine, full=full, **filters)
    tags = hxl_tags(w, full)
    header = list(tags)
    rows = _rows(df)
    if fmt == "csv":
        return to_csv_bytes(header, rows, bom=True)
    if fmt == "hxl":
        return to_csv_bytes(header, rows, bom=False, hxl=[tags[c] for c in header])
    return write_xlsx([(w, header, rows), ("notes", ["lang", "note"], _notes(w, full, threshold))],
                      widths={w: 16, "notes": 90})


def export_file(what: str, fmt: str, path: str | Path, engine: Engine | None = None, *, full: bool = False,
                **filters: Any) -> Path:
    """Write :func:`export_bytes` to ``path`` (atomically: a temporary file, then a rename)."""
    path = Path(path)
    data = export_bytes(what, fmt, engine, full=full, **filters)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


# ================================================================ backup/restore
class BackupError(db.StoreError):
    """A backup or restore was refused or failed; the message says what to do."""


PG_BACKUP_HINT = ("The store is a PostgreSQL database: back it up with PostgreSQL's own tools, e.g. "
                  "`pg_dump --format=custom --file=sna.dump DBNAME` (restore with "
                  "`pg_restore --clean --if-exists --dbname=DBNAME sna.dump`).")
PG_RESTORE_HINT = ("The store is a PostgreSQL database: restore it with PostgreSQL's own tools, e.g. "
                   "`pg_restore --clean --if-exists --dbname=DBNAME sna.dump` (a dump made with "
                   "`pg_dump --format=custom`).")
_REQUIRED_TABLES = {"alembic_version", "meta", "region", "indicator", "observation", "import_batch",
                    "influence_action", "decision_maker", "change_log"}


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"the store {db.mask_url(engine.url)} is not a SQLite file: nothing to back up")
    return Path(database)


def _connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    else:
        conn = sqlite3.connect(str(path), timeout=30)
    conn.execute(f"PRAGMA busy_timeout = {db.BUSY_TIMEOUT_MS}")
    return conn


def backup(dest: str | Path, engine: Engine | None = None) -> Path:
    """Copy the SQLite store to ``dest`` (a file, or a folder to put a dated file in).

    Uses SQLite's online backup API in one step: a consistent snapshot even while other
    processes write. The copy is a single self-contained file (rollback journal, not
    WAL), checked with ``PRAGMA integrity_check``. Returns the path written.
    """
    engine = engine or db.get_engine()
    if not db.is_sqlite(engine):
        raise BackupError(PG_BACKUP_HINT)
    src_path = _sqlite_path(engine)
    if not src_path.exists():
        raise BackupError(f"the store {src_path.name} does not exist yet: nothing to back up")
    dest = Path(dest)
    if dest.is_dir():
        dest = dest / f"sna-{store.now():%Y%m%d-%H%M%S}.db"
    if dest.resolve() == src_path.resolve():
        raise BackupError("the backup would overwrite the store itself: choose another path")
    tmp = dest.with_name(dest.name + ".partial")
    tmp.unlink(missing_ok=True)
    src = _connect(src_path)
    dst = sqlite3.connect(str(tmp))
    try:
        src.backup(dst)  # pages=-1: the whole database in one step, from one read snapshot
        dst.execute("PRAGMA journal_mode = DELETE")
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if check != "ok":
        tmp.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check ({check}); the store itself may be damaged")
    os.replace(tmp, dest)
    return dest


def inspect_backup(path: str | Path) -> dict[str, Any]:
    """Check that ``path`` is an sna store this version can use; its schema, data version, counts.

    Raises :class:`BackupError` saying what is wrong (not SQLite, damaged, not an sna
    store, schema unknown to this version).
    """
    from alembic.script import ScriptDirectory

    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no such file: {path}")
    with path.open("rb") as f:
        if f.read(16) != b"SQLite format 3\x00":
            raise BackupError(f"{path.name} is not a SQLite database (an sna backup is one)")
    try:
        conn = _connect(path, readonly=True)
        try:
            check = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = _REQUIRED_TABLES - tables
            if check != "ok":
                raise BackupError(f"{path.name} is damaged (integrity check: {check})")
            if missing:
                raise BackupError(f"{path.name} is not an sna store (missing tables: {', '.join(sorted(missing))})")
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]  # noqa: S608 - names from the schema
                      for t in sorted(tables & set(_count_tables()))}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path.name} cannot be read as a SQLite database: {exc}") from None
    revision = revision[0] if revision else None
    known = {r.revision for r in ScriptDirectory(str(db.MIGRATIONS_DIR)).walk_revisions()}
    if revision not in known:
        raise BackupError(f"{path.name} is at schema {revision!r}, which this version of sna does not know "
                          "(made by a newer sna?): update sna first")
    return {"revision": revision, "data_version": int(meta.get("data_version", "0") or 0), "counts": counts,
            "meta": meta}


def _count_tables() -> list[str]:
    from .models import Base

    return list(Base.metadata.tables)


def restore(source: str | Path, engine: Engine | None = None, *, user: str = "system") -> dict[str, Any]:
    """Replace the SQLite store's content with the backup ``source``.

    Checks ``source`` first (:func:`inspect_backup`); keeps the current store as
    ``<store>.before-restore`` (a consistent copy); copies the backup in with SQLite's
    backup API (so app processes that hold the store open see the restored data, not a
    deleted file); upgrades an older schema; sets ``data_version`` above both stores'
    (caches keyed on it cannot serve stale results) and records a ``restore`` batch.
    Returns what :func:`inspect_backup` said, plus ``previous`` (path of the kept copy).
    """
    engine = engine or db.get_engine()
    if not db.is_sqlite(engine):
        raise BackupError(PG_RESTORE_HINT)
    source = Path(source)
    info = inspect_backup(source)
    store_path = _sqlite_path(engine)
    if store_path.exists() and source.resolve() == store_path.resolve():
        raise BackupError("this file is the store itself: nothing to restore")
    previous = None
    before_version = 0
    if store_path.exists() and store_path.stat().st_size > 0:
        previous = backup(store_path.with_name(store_path.name + ".before-restore"), engine)
        try:
            before_version = int(inspect_backup(previous)["data_version"])
        except BackupError:
            before_version = 0
    engine.dispose()
    src = _connect(source, readonly=True)
    dst = _connect(store_path)
    try:
        src.backup(dst)
    except sqlite3.Error as exc:
        raise BackupError(f"the restore failed ({exc}); the store is unchanged or can be put back from "
                          f"{previous}") from exc
    finally:
        dst.close()
        src.close()
    engine.dispose()
    db.upgrade(engine)
    with db.write(engine) as conn:
        db.set_meta(conn, "data_version", str(max(before_version, info["data_version"])))
        store.record_batch_in(conn, file_name=source.name, kind="restore", user=(user or "system")[:80])
    info["previous"] = previous
    return info


def backup_bytes(engine: Engine | None = None) -> bytes:
    """A consistent backup of the SQLite store as bytes (for a download button)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        return backup(Path(folder) / "sna-backup.db", engine).read_bytes()
