"""``python -m sna import|export|backup|restore|imports|revert-import|templates``.

Commands::

    python -m sna import PATH [--kind observations|actions|decision-makers] [--dry-run] [--user NAME]
    python -m sna imports                              # recent import batches
    python -m sna revert-import BATCH_ID [--user NAME]
    python -m sna export --what observations|actions|decision-makers|indicators
                         [--format csv|xlsx|hxl] --out PATH [--full] [--sector S] [--region RR] [--period P ...]
    python -m sna backup PATH                          # SQLite only
    python -m sna restore PATH                         # SQLite only
    python -m sna templates [--out DIR]                # data/templates by default

Exit codes of ``import``: 0 imported, nothing to change, or valid with ``--dry-run``;
1 the file has errors (the report is printed, nothing is written); 2 usage error
(missing file, unknown kind, a format that cannot be read). Other commands: 0 done,
1 refused or failed (one ``error: ...`` line on standard error), 2 usage error.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from . import config, db


def _actor(given: str | None) -> str:
    if given:
        return given
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "cli"


def _engine():
    engine = db.get_engine()
    db.ensure_current(engine)
    return engine


def _fail(message: object, code: int = 1) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


# ------------------------------------------------------------------ import
def _cmd_import(args: argparse.Namespace) -> int:
    from . import importing

    path = Path(args.path)
    if not path.is_file():
        return _fail(f"no such file: {path}", 2)
    engine = _engine()
    progress = None
    if sys.stderr.isatty() and not args.dry_run:
        def progress(done: int, total: int) -> None:
            print(f"\r  writing {done:,}/{total:,}", end="" if done < total else "\n", file=sys.stderr)
    result = importing.import_file(path, args.kind, engine, user=_actor(args.user), dry_run=args.dry_run,
                                   progress=progress)
    out = sys.stdout if result.exit_code == 0 else sys.stderr
    print(result.report(limit=args.limit), file=out)
    return result.exit_code


def _cmd_imports(args: argparse.Namespace) -> int:
    import pandas as pd

    from . import queries

    engine = _engine()
    batches = queries.import_batches(engine).head(args.limit)
    if batches.empty:
        print("No import batch yet.")
        return 0
    for b in batches.itertuples():
        reverted = b.reverted_at is not None and not pd.isna(b.reverted_at)
        state = f"reverted {pd.Timestamp(b.reverted_at):%Y-%m-%d %H:%M}" if reverted else ""
        print(f"{b.id:>5}  {b.at:%Y-%m-%d %H:%M}  {b.kind:<16}{b.user_name:<16}"
              f"{b.rows_new:>7} new {b.rows_changed:>7} changed {b.rows_unchanged:>7} unchanged  "
              f"{b.file_name}  {state}".rstrip())
    return 0


def _cmd_revert(args: argparse.Namespace) -> int:
    from . import importing

    engine = _engine()
    try:
        counts = importing.revert_batch(args.batch_id, _actor(args.user), engine)
    except importing.RevertError as exc:
        return _fail(exc)
    print(f"Batch {args.batch_id} reverted: {counts['restored']} row(s) restored, {counts['deleted']} deleted.")
    return 0


# ------------------------------------------------------------------ export
def _cmd_export(args: argparse.Namespace) -> int:
    from . import exporting

    engine = _engine()
    filters = {"sector": args.sector, "region": args.region,
               "periods": args.period or None}
    what = args.what.replace("-", "_")
    if what != "observations" and args.period:
        return _fail("--period only applies to --what observations", 2)
    if args.region is not None and (len(args.region) != 2 or not args.region.isdigit()):
        return _fail(f"--region {args.region!r}: give a region code 01-12", 2)
    data = exporting.export_bytes(what, args.format, engine, full=args.full, **filters)
    if args.out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    out = Path(args.out)
    if out.is_dir():
        out = out / exporting.file_name(what, args.format)
    if not out.parent.exists():
        return _fail(f"the folder {out.parent} does not exist", 2)
    exporting.export_file(what, args.format, out, engine, full=args.full, **filters)
    kind = "full export (personal data and small counts included)" if args.full else "export"
    print(f"Wrote {out} ({len(data):,} bytes, {kind}).")
    return 0


# ----------------------------------------------------------- backup/restore
def _cmd_backup(args: argparse.Namespace) -> int:
    from . import exporting

    engine = db.get_engine()
    try:
        path = exporting.backup(args.path, engine)
    except exporting.BackupError as exc:
        return _fail(exc)
    info = exporting.inspect_backup(path)
    print(f"Backup of {db.mask_url(engine.url)} written to {path} (schema {info['revision']}, "
          f"data version {info['data_version']}, {info['counts'].get('observation', 0):,} observations).")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from . import exporting

    engine = db.get_engine()
    try:
        info = exporting.restore(args.path, engine, user=_actor(args.user))
    except exporting.BackupError as exc:
        return _fail(exc)
    kept = f"; the previous store was kept as {info['previous']}" if info.get("previous") else ""
    print(f"Store {db.mask_url(engine.url)} restored from {args.path} (schema {info['revision']}, "
          f"{info['counts'].get('observation', 0):,} observations){kept}.")
    return 0


def _cmd_templates(args: argparse.Namespace) -> int:
    from . import importing

    out = Path(args.out) if args.out else config.DATA_DIR / "templates"
    for path in importing.write_templates(out):
        print(f"Wrote {path}")
    return 0


# ---------------------------------------------------------------- register
def register(sub: argparse._SubParsersAction) -> None:
    """Add the import/export/backup commands to ``python -m sna``."""
    p = sub.add_parser(
        "import", help="import observations, actions or decision-makers from a CSV or XLSX file",
        description="Check a CSV/XLSX file and, when every row is valid, write it in one transaction. "
                    "Exit codes: 0 imported (or valid with --dry-run), 1 errors in the file (nothing "
                    "written), 2 usage error (missing file, unreadable format).")
    p.add_argument("path", help="the .csv or .xlsx file")
    p.add_argument("--kind", choices=("observations", "actions", "decision-makers"), default=None,
                   help="what the file holds (default: guessed from its headers)")
    p.add_argument("--dry-run", action="store_true", help="check and count only; write nothing")
    p.add_argument("--user", help="name recorded in the change log (default: cli:<login>)")
    p.add_argument("--limit", type=int, default=50, help="errors shown at most (default 50)")
    p.set_defaults(func=_cmd_import)

    p = sub.add_parser("imports", help="list recent import batches (to find one to revert)")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=_cmd_imports)

    p = sub.add_parser("revert-import", help="undo an import batch (restore changed rows, delete new ones)")
    p.add_argument("batch_id", type=int)
    p.add_argument("--user", help="name recorded in the change log (default: cli:<login>)")
    p.set_defaults(func=_cmd_revert)

    p = sub.add_parser(
        "export", help="export observations, actions, decision-makers or indicators (csv, xlsx, hxl)",
        description="Default exports withhold small counts and leave out personal data and sensitive "
                    "actions; --full keeps everything (admins).")
    p.add_argument("--what", required=True, choices=("observations", "actions", "decision-makers", "indicators"))
    p.add_argument("--format", default="csv", choices=("csv", "xlsx", "hxl"))
    p.add_argument("--out", required=True, help="file (or folder) to write; - for standard output")
    p.add_argument("--full", action="store_true",
                   help="admins: keep small counts, stances, private notes and sensitive actions")
    p.add_argument("--sector", choices=("health", "education", "justice", "housing", "cross_cutting"))
    p.add_argument("--region", help="a region code 01-12 (its provinces included)")
    p.add_argument("--period", action="append", help="observations of this period (repeatable)")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("backup", help="copy the SQLite store to a file, safely while the app runs")
    p.add_argument("path", help="file (or folder) to write the copy to")
    p.set_defaults(func=_cmd_backup)

    p = sub.add_parser("restore", help="replace the SQLite store with a backup (the old one is kept)")
    p.add_argument("path", help="a backup made by `python -m sna backup`")
    p.add_argument("--user", help="name recorded in the change log (default: cli:<login>)")
    p.set_defaults(func=_cmd_restore)

    p = sub.add_parser("templates", help="write the import templates (xlsx + csv per kind)")
    p.add_argument("--out", help="folder (default: data/templates)")
    p.set_defaults(func=_cmd_templates)
