"""``python -m sna users ...``: manage the dashboard's accounts from the command line.

Commands::

    python -m sna users add NAME [--role viewer|editor|admin] [--organisation NAME] [--password-stdin]
    python -m sna users list
    python -m sna users set-role NAME ROLE
    python -m sna users set-organisation NAME [ORGANISATION]   # none: detach
    python -m sna users reset-password NAME [--password-stdin]  # also unlocks
    python -m sna users unlock NAME

A password is never given as an argument (it would end up in the shell history and in
the process list). It is read, in this order, from:

1. standard input, one line, with ``--password-stdin``
   (``printf '%s\\n' "$PW" | python -m sna users add amina --role editor --password-stdin``);
   when standard input is a terminal, the flag asks as in 3 instead;
2. the environment variable ``SNA_NEW_PASSWORD`` (for scripts and deployment tools);
3. a prompt, asked twice without echo, when standard input is a terminal.

The first admin of a fresh install::

    python -m sna init && python -m sna users add admin --role admin --password-stdin

(on a terminal the password is asked twice without echo; or pipe it in). That admin then
creates the other accounts, here or in the app. Passwords need at least
:data:`sna.auth.MIN_PASSWORD_LENGTH` characters.

Exit codes: 0 done; 1 refused or failed, with one line ``error: ...`` on standard error;
2 usage error (argparse).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from . import auth, db

PASSWORD_ENV = "SNA_NEW_PASSWORD"


def _actor() -> str:
    """Who runs the command, for the change log."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "cli"


def _read_password(args: argparse.Namespace) -> str:
    """The new password from stdin (``--password-stdin``), ``SNA_NEW_PASSWORD`` or a prompt."""
    if getattr(args, "password_stdin", False) and not sys.stdin.isatty():
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise ValueError("no password on standard input (--password-stdin expects one line)")
        return password
    from_env = os.environ.get(PASSWORD_ENV, "")
    if from_env and not getattr(args, "password_stdin", False):
        return from_env
    if sys.stdin.isatty():  # typed, not echoed (also with --password-stdin on a terminal)
        first = getpass.getpass("New password: ")
        second = getpass.getpass("Repeat the password: ")
        if first != second:
            raise ValueError("the two passwords differ")
        return first
    raise ValueError(f"no password given: use --password-stdin, set {PASSWORD_ENV}, "
                     "or run the command in a terminal to be prompted")


def _engine():
    engine = db.get_engine()
    db.ensure_current(engine)
    return engine


def _fail(message: Any) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def _guarded(handler):
    """Turn the errors a user can cause into one ``error: ...`` line and exit code 1."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except (ValueError, db.StoreError) as exc:
            return _fail(exc)
        except KeyboardInterrupt:
            print(file=sys.stderr)
            return _fail("interrupted")
        except EOFError:
            return _fail("no password given")

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


@_guarded
def _cmd_add(args: argparse.Namespace) -> int:
    engine = _engine()
    password = _read_password(args)
    auth.add_user(args.name, password, role=args.role, organisation=args.organisation, engine=engine,
                  by=_actor())
    user = auth.get_user(args.name, engine) or {}
    org = f" ({user.get('organisation')})" if user.get("organisation") else ""
    print(f"Account {user.get('name', args.name)!r} created: {args.role}{org}.")
    return 0


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    try:
        if value != value:  # NaN, NaT
            return "-"
    except (TypeError, ValueError):
        pass
    return str(value)


@_guarded
def _cmd_list(args: argparse.Namespace) -> int:
    import pandas as pd

    from . import queries, store

    engine = _engine()
    df = queries.users(engine)
    if df.empty:
        print("No accounts yet. Create the first admin with:\n"
              "  python -m sna users add admin --role admin --password-stdin")
        return 0
    now = store.now()
    rows = []
    for rec in df.to_dict("records"):
        locked = rec.get("locked_until")
        locked_text = "-"
        if _cell(locked) != "-":
            until = pd.Timestamp(locked).to_pydatetime()
            if until > now:
                locked_text = f"{until:%Y-%m-%d %H:%M} UTC"
        rows.append([_cell(rec["name"]), _cell(rec["role"]), _cell(rec.get("organisation")), locked_text])
    header = ["name", "role", "organisation", "locked until"]
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip())
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    return 0


@_guarded
def _cmd_set_role(args: argparse.Namespace) -> int:
    auth.set_role(args.name, args.role, _engine(), by=_actor())
    print(f"Account {args.name!r} is now {args.role}.")
    return 0


@_guarded
def _cmd_set_organisation(args: argparse.Namespace) -> int:
    auth.set_organisation(args.name, args.organisation, _engine(), by=_actor())
    where = args.organisation or "no organisation"
    print(f"Account {args.name!r} now belongs to {where}.")
    return 0


@_guarded
def _cmd_reset_password(args: argparse.Namespace) -> int:
    engine = _engine()
    if auth.get_user(args.name, engine) is None:  # before asking for a password
        raise ValueError(f"no account named {args.name!r}")
    auth.reset_password(args.name, _read_password(args), engine, by=_actor())
    print(f"Password of {args.name!r} reset; the account is unlocked and its sessions ended.")
    return 0


@_guarded
def _cmd_unlock(args: argparse.Namespace) -> int:
    auth.unlock(args.name, _engine(), by=_actor())
    print(f"Account {args.name!r} unlocked.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``users`` and its sub-commands to the parser of ``python -m sna``."""
    users = sub.add_parser(
        "users", help="manage accounts (add, list, set-role, reset-password, unlock)",
        description="Manage the dashboard's accounts. Passwords come from --password-stdin, "
                    f"{PASSWORD_ENV} or a prompt; never from an argument.",
    )
    cmds = users.add_subparsers(dest="users_command", metavar="ACTION")
    cmds.required = True
    roles = list(auth.ROLES)
    stdin_help = "read the password from one line of standard input"

    # allow_abbrev=False: "--password" must not pass for an abbreviation of "--password-stdin"
    p = cmds.add_parser("add", help="create an account", allow_abbrev=False,
                        description=f"Create an account. The password (at least {auth.MIN_PASSWORD_LENGTH} "
                                    f"characters) comes from --password-stdin, {PASSWORD_ENV} or a prompt.")
    p.add_argument("name")
    p.add_argument("--role", choices=roles, default="viewer", help="default: viewer")
    p.add_argument("--organisation", help="the organisation's name as in the store (editors edit its actions)")
    p.add_argument("--password-stdin", action="store_true", help=stdin_help)
    p.set_defaults(func=_cmd_add)

    p = cmds.add_parser("list", help="list accounts: name, role, organisation, locked until")
    p.set_defaults(func=_cmd_list)

    p = cmds.add_parser("set-role", help="change an account's role")
    p.add_argument("name")
    p.add_argument("role", choices=roles)
    p.set_defaults(func=_cmd_set_role)

    p = cmds.add_parser("set-organisation", help="change an account's organisation (none: omit it)")
    p.add_argument("name")
    p.add_argument("organisation", nargs="?")
    p.set_defaults(func=_cmd_set_organisation)

    p = cmds.add_parser("reset-password", help="set a new password (also unlocks the account)",
                        allow_abbrev=False)
    p.add_argument("name")
    p.add_argument("--password-stdin", action="store_true", help=stdin_help)
    p.set_defaults(func=_cmd_reset_password)

    p = cmds.add_parser("unlock", help="clear a lockout after too many failed logins")
    p.add_argument("name")
    p.set_defaults(func=_cmd_unlock)
