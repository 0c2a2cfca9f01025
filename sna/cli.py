"""``python -m sna``: a thin command line over the library.

Exit codes: 0 done, 1 the work failed (a message says why), 2 usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable

from . import config, db

Handler = Callable[[argparse.Namespace], int]


def _cmd_init(args: argparse.Namespace) -> int:
    engine = db.get_engine()
    before, after = db.upgrade(engine)
    if before == after:
        print(f"Store {db.mask_url(engine.url)} already at schema {after}: nothing to do.")
    else:
        print(f"Store {db.mask_url(engine.url)} upgraded from {before or 'empty'} to schema {after}.")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    engine = db.get_engine()
    rev = db.current_revision(engine)
    head = db.head_revision()
    print(f"store:          {db.mask_url(engine.url)}")
    state = "empty (run `python -m sna init`)" if rev is None else rev
    if rev is not None and rev != head:
        state += f" (current is {head}: run `python -m sna init`)"
    print(f"schema version: {state}")
    if rev is None:
        return 0
    from . import queries

    meta = queries.meta(engine)
    print(f"data version:   {meta.get('data_version', '0')}")
    if "as_of" in meta:
        print(f"demo as of:     {meta['as_of']} (scale {meta.get('demo_scale', 'demo')})")
    print("rows per table:")
    for name, n in db.table_counts(engine).items():
        print(f"  {name:<24}{n:>10,}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from . import demo

    try:
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else config.today()
    except ValueError:
        print(f"--as-of {args.as_of!r} is not an ISO date (YYYY-MM-DD)", file=sys.stderr)
        return 2
    engine = db.get_engine()
    db.upgrade(engine)
    try:
        counts = demo.load(engine, as_of=as_of, scale=args.scale, seed=args.seed, reset=args.reset,
                           progress=demo.console_progress if sys.stderr.isatty() or args.progress else None)
    except demo.StoreNotEmpty as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"Demo data ({args.scale}, as of {as_of.isoformat()}, seed {args.seed}) loaded into "
          f"{db.mask_url(engine.url)}:")
    for name, n in counts.items():
        print(f"  {name:<24}{n:>10,}")
    return 0


def _cmd_snapshot(args: argparse.Namespace) -> int:
    from . import slides
    from .filters import Filters

    params = {k: getattr(args, k) for k in ("sector", "region", "period", "level")}
    filters, invalid = Filters.from_params(params)
    if invalid:
        print("invalid filter: " + ", ".join(f"--{k} {v!r}" for k, v in invalid), file=sys.stderr)
        return 2
    keys, unknown = slides.parse_slides(args.slides)
    if unknown:
        print(f"unknown slide(s): {', '.join(unknown)}; available: {', '.join(slides.SLIDES)}", file=sys.stderr)
        return 2
    engine = db.get_engine()
    db.ensure_current(engine)
    size = slides.write_snapshot(args.out, engine, filters, args.lang, keys, config.today())
    print(f"Snapshot of {len(keys)} slides written to {args.out} ({size / 1e6:.1f} MB, opens offline).")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sna",
        description="sna — the SNI dashboard's store and data tools. The store is "
                    "SNA_DATABASE_URL, or the SQLite file data/sna.db.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("init", help="create the store or bring it to the current schema")
    p.set_defaults(func=_cmd_init)

    p = sub.add_parser("info", help="the store's URL (password masked), schema version, rows per table")
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("demo", help="fill the store with the deterministic demo dataset")
    p.add_argument("--reset", action="store_true", help="empty the store's data first")
    p.add_argument("--as-of", help="anchor date of the demo (ISO, default: today)")
    p.add_argument("--scale", choices=("demo", "large"), default="demo",
                   help="demo: a realistic coalition; large: 1,000,000 observations for benchmarks")
    p.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    p.add_argument("--progress", action="store_true", help="show progress even when not on a terminal")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("snapshot", help="write the presentation slides as one self-contained, dated HTML file")
    p.add_argument("--out", required=True, help="the HTML file to write")
    p.add_argument("--slides", help="comma-separated slides in order (default: all): "
                   "map,sectors,region,advocacy,actions,milestones,outcomes")
    p.add_argument("--lang", choices=("fr", "en", "ar"), default="fr")
    for name in ("sector", "region", "period", "level"):
        p.add_argument(f"--{name}", help=f"{name} filter (a code, as in the app's URL)")
    p.set_defaults(func=_cmd_snapshot)

    from . import auth_cli

    auth_cli.register(sub)
    from . import io_cli; io_cli.register(sub)  # noqa: E702
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except db.StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
