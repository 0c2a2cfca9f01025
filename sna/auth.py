"""Accounts, roles, password hashing, login, sessions and permissions.

* **Passwords** are hashed with argon2id (``argon2-cffi``'s :class:`~argon2.PasswordHasher`
  and its default parameters); a hash made with older parameters is replaced on the next
  successful login. Neither a password nor a hash ever reaches the change log, which
  records ``'***'`` instead.
* **Accounts** (table ``app_user``) have a role (``viewer``, ``editor``, ``admin``) and
  optionally belong to an organisation of the coalition. Names are unique regardless of
  case and a login may be typed in any case. Every change is one write transaction
  (:func:`sna.db.write`, so ``meta.data_version`` is bumped) with one change-log entry per
  changed field (table ``app_user``).
* **Login** (:func:`authenticate`): :data:`MAX_FAILED` consecutive failures lock the
  account for :data:`LOCK_MINUTES` minutes, during which even the right password is
  refused. An unknown name and a wrong password give the same answer and take about the
  same time (an unknown name is checked against a dummy hash), so the login form does not
  reveal which accounts exist.
* **Sessions** that survive a page refresh (:func:`make_session_token`,
  :func:`read_session_token`): an HMAC-SHA256 signed, cookie-safe token carrying the
  account name and an expiry (:data:`SESSION_HOURS`). The key lives in ``meta`` under
  ``session_secret`` so every app instance using the same store accepts the same
  tokens. Reading a token re-reads the account: a role change applies at once; a locked
  or deleted account, or a password reset, ends its sessions.
* **Permissions** are decided here and nowhere else: :func:`can_see_sensitive`,
  :func:`can_edit`, :func:`is_admin`, :func:`can_edit_action`. Stances and private notes
  about decision-makers are personal data (Morocco's law 09-08): editors and admins only,
  never in presentation mode.

A *user dict* (what :func:`get_user`, :func:`authenticate` and :func:`read_session_token`
return) has the keys ``id``, ``name``, ``role``, ``organisation_id``, ``organisation``
(the organisation's name or None), ``failed_logins`` and ``locked_until`` (naive UTC or
None); never the password hash.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
import hmac
import json
import math
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Connection, Engine

from . import codes as C
from . import db, store
from .models import Organisation, User

__all__ = [
    "MIN_PASSWORD_LENGTH", "MAX_FAILED", "LOCK_MINUTES", "SESSION_HOURS", "ROLES",
    "LoginError", "hash_password", "verify_password", "needs_rehash",
    "add_user", "set_role", "set_organisation", "reset_password", "unlock", "delete_user", "get_user",
    "authenticate", "make_session_token", "read_session_token",
    "can_see_sensitive", "can_edit", "is_admin", "can_edit_action",
]

MIN_PASSWORD_LENGTH = 10
"""Shortest password accepted when an account is created or its password reset."""
MAX_FAILED = 5
"""Consecutive failed logins that lock an account."""
LOCK_MINUTES = 15
"""How long a locked account stays locked."""
SESSION_HOURS = 12
"""Lifetime of a session token (a working day, or one national meeting)."""
ROLES = C.ROLES
MAX_NAME_LENGTH = 80

SECRET_KEY = "session_secret"
"""The ``meta`` key holding the key that signs session tokens."""
TABLE = "app_user"
"""The change log's name for the accounts table."""
MASK = "***"
"""What the change log records instead of a password or a hash."""

_hasher = PasswordHasher()


# ------------------------------------------------------------------- hashing
def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted: two calls give two different hashes)."""
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """Whether ``password`` matches ``password_hash``; False (never an exception) for a
    wrong password or a hash that is malformed or not argon2."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError, VerificationError):
        return False
    except (TypeError, ValueError):  # not a str, or a hash that does not even parse
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than the current ones."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError, TypeError):
        return True


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password, verified against when the account does not exist."""
    return hash_password(secrets.token_urlsafe(24))


# -------------------------------------------------------------------- helpers
def _naive_utc(moment: dt.datetime | None) -> dt.datetime:
    """``moment`` (default: now) as a naive UTC datetime, as the store keeps times."""
    if moment is None:
        return store.now()
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password is too short: at least {MIN_PASSWORD_LENGTH} characters")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")


def _clean_name(name: str) -> str:
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name:
        raise ValueError("the account name is empty")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"the account name is too long: at most {MAX_NAME_LENGTH} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise ValueError("the account name contains control characters")
    return name


def _user_select() -> sa.Select:
    u, org = User.__table__, Organisation.__table__
    return (sa.select(u.c.id, u.c.name, u.c.role, u.c.organisation_id, org.c.name.label("organisation"),
                      u.c.failed_logins, u.c.locked_until, u.c.password_hash)
            .select_from(u.outerjoin(org, org.c.id == u.c.organisation_id)))


def _find(conn: Connection, name: str, *, for_update: bool = False) -> dict[str, Any] | None:
    """The account called ``name`` (any case), hash included, or None."""
    if not isinstance(name, str) or not name.strip():
        return None
    u = User.__table__
    stmt = _user_select().where(sa.func.lower(u.c.name) == name.strip().lower())
    if for_update and conn.dialect.name != "sqlite":  # SQLite: BEGIN IMMEDIATE already serialises
        stmt = stmt.with_for_update(of=u)
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def _public(row: Mapping[str, Any]) -> dict[str, Any]:
    """A user dict: the row without its password hash."""
    return {k: v for k, v in row.items() if k != "password_hash"}


def _existing(conn: Connection, name: str) -> dict[str, Any]:
    row = _find(conn, name, for_update=True)
    if row is None:
        raise ValueError(f"no account named {name!r}")
    return row


def _organisation_id(conn: Connection, organisation: str | None) -> tuple[int | None, str | None]:
    """(id, name) of the organisation called ``organisation`` (exact, else any case)."""
    if organisation is None or not str(organisation).strip():
        return None, None
    wanted = str(organisation).strip()
    org = Organisation.__table__
    rows = conn.execute(sa.select(org.c.id, org.c.name).order_by(org.c.name)).all()
    for oid, oname in rows:
        if oname == wanted:
            return oid, oname
    folded = [(oid, oname) for oid, oname in rows if oname.casefold() == wanted.casefold()]
    if len(folded) == 1:
        return folded[0]
    if not rows:
        raise ValueError(f"unknown organisation {wanted!r}: the store has no organisations yet")
    known = "; ".join(oname for _, oname in rows)
    raise ValueError(f"unknown organisation {wanted!r}; known organisations: {known}")


def _update(conn: Connection, row: Mapping[str, Any], changes: Mapping[str, Any], by: str,
            *, at: dt.datetime | None = None) -> None:
    """Apply ``changes`` to the account and log each changed field (secrets masked)."""
    u = User.__table__
    conn.execute(sa.update(u).where(u.c.id == row["id"]).values(**changes))
    for field, new in changes.items():
        old = row.get(field)
        if field == "password_hash":
            store.log_change_in(conn, TABLE, str(row["id"]), "password", MASK, MASK, by, at=at)
        elif old != new:
            store.log_change_in(conn, TABLE, str(row["id"]), field, old, new, by, at=at)


# ------------------------------------------------------------------- accounts
def add_user(name: str, password: str, role: str = "viewer", organisation: str | None = None,
             engine: Engine | None = None, *, by: str = "system") -> int:
    """Create an account and return its id.

    ``organisation`` is an organisation's name (None: no organisation; an editor without
    one may edit no action). Raises ValueError when the name is empty or already taken
    (in any case), the role unknown, the password shorter than :data:`MIN_PASSWORD_LENGTH`
    or the organisation unknown (the message lists the known ones). ``by`` is who does
    it, for the change log.
    """
    name = _clean_name(name)
    _check_role(role)
    _check_password(password)
    password_hash = hash_password(password)  # before the transaction: it takes a while
    u = User.__table__
    try:
        with db.write(engine) as conn:
            same = _find(conn, name)
            if same is not None:
                raise ValueError(f"an account named {same['name']!r} already exists")
            org_id, org_name = _organisation_id(conn, organisation)
            user_id = conn.execute(sa.insert(u).values(
                name=name, role=role, organisation_id=org_id, password_hash=password_hash,
                failed_logins=0, locked_until=None).returning(u.c.id)).scalar_one()
            at = store.now()
            for field, value in (("name", name), ("role", role), ("organisation", org_name),
                                 ("password", MASK)):
                store.log_change_in(conn, TABLE, str(user_id), field, None, value, by, at=at)
    except sa.exc.IntegrityError as exc:  # a concurrent add of the same name
        raise ValueError(f"an account named {name!r} already exists") from exc
    return user_id


def set_role(name: str, role: str, engine: Engine | None = None, *, by: str = "system") -> None:
    """Give the account ``name`` the role ``role`` (ValueError: unknown account or role)."""
    _check_role(role)
    with db.write(engine) as conn:
        row = _existing(conn, name)
        if row["role"] != role:
            _update(conn, row, {"role": role}, by)


def set_organisation(name: str, organisation: str | None, engine: Engine | None = None, *,
                     by: str = "system") -> None:
    """Attach the account to the organisation called ``organisation`` (None: to none)."""
    with db.write(engine) as conn:
        row = _existing(conn, name)
        org_id, org_name = _organisation_id(conn, organisation)
        if row["organisation_id"] != org_id:
            u = User.__table__
            conn.execute(sa.update(u).where(u.c.id == row["id"]).values(organisation_id=org_id))
            store.log_change_in(conn, TABLE, str(row["id"]), "organisation", row["organisation"], org_name, by)


def reset_password(name: str, new_password: str, engine: Engine | None = None, *, by: str = "system") -> None:
    """Set a new password for ``name`` and clear any lockout; its open sessions end."""
    _check_password(new_password)
    password_hash = hash_password(new_password)
    with db.write(engine) as conn:
        row = _existing(conn, name)
        _update(conn, row, {"password_hash": password_hash, "failed_logins": 0, "locked_until": None}, by)


def unlock(name: str, engine: Engine | None = None, *, by: str = "system") -> None:
    """Clear the lockout and the failed-login counter of ``name``."""
    with db.write(engine) as conn:
        row = _existing(conn, name)
        changes = {"failed_logins": 0, "locked_until": None}
        if any(row[k] != v for k, v in changes.items()):
            _update(conn, row, changes, by)


def delete_user(name: str, engine: Engine | None = None, *, by: str = "system") -> None:
    """Remove the account ``name``; its sessions end."""
    u = User.__table__
    with db.write(engine) as conn:
        row = _existing(conn, name)
        conn.execute(sa.delete(u).where(u.c.id == row["id"]))
        store.log_change_in(conn, TABLE, str(row["id"]), "name", row["name"], None, by)


def get_user(name: str, engine: Engine | None = None) -> dict[str, Any] | None:
    """The user dict of the account ``name`` (any case), or None when there is none."""
    with db.read(engine) as conn:
        row = _find(conn, name)
    return _public(row) if row else None


# ---------------------------------------------------------------------- login
class LoginError(Exception):
    """A refused login. ``reason`` is ``'unknown_or_wrong'`` (no such account, or a wrong
    password: deliberately the same) or ``'locked'`` (then ``locked_until``, naive UTC,
    says until when)."""

    UNKNOWN_OR_WRONG = "unknown_or_wrong"
    LOCKED = "locked"

    def __init__(self, reason: str, locked_until: dt.datetime | None = None):
        self.reason = reason
        self.locked_until = locked_until
        if reason == self.LOCKED:
            text = f"account locked until {locked_until:%Y-%m-%d %H:%M} UTC" if locked_until else "account locked"
        else:
            text = "unknown account or wrong password"
        super().__init__(text)


def _is_locked(row: Mapping[str, Any], at: dt.datetime) -> bool:
    return row["locked_until"] is not None and row["locked_until"] > at


def authenticate(name: str, password: str, engine: Engine | None = None, *,
                 now: dt.datetime | None = None) -> dict[str, Any]:
    """Check a login and return the user dict; raise :class:`LoginError` when refused.

    * right password, account not locked: the failed-login counter is reset (and an
      outdated hash replaced);
    * wrong password: the counter goes up; the :data:`MAX_FAILED`-th consecutive failure
      locks the account for :data:`LOCK_MINUTES` minutes. That attempt still answers
      ``'unknown_or_wrong'``; the following ones ``'locked'``;
    * while locked every attempt is refused as ``'locked'`` and does not extend the lock;
      once the lock has expired the counter starts again from zero;
    * unknown account: ``'unknown_or_wrong'`` after checking a dummy hash (same time).

    The password is checked outside any transaction; counters are then updated in one
    write transaction on the freshly re-read row (concurrent attempts all count). A
    login that changes nothing writes nothing.
    """
    at = _naive_utc(now)
    with db.read(engine) as conn:
        row = _find(conn, name)
    if row is None:
        verify_password(password, _dummy_hash())
        raise LoginError(LoginError.UNKNOWN_OR_WRONG)
    ok = verify_password(password, row["password_hash"])
    if _is_locked(row, at):
        raise LoginError(LoginError.LOCKED, row["locked_until"])
    if ok and not row["failed_logins"] and row["locked_until"] is None and not needs_rehash(row["password_hash"]):
        return _public(row)

    by = f"login:{row['name']}"
    with db.write(engine) as conn:
        fresh = _find(conn, row["name"], for_update=True)
        if fresh is None:  # deleted in between
            raise LoginError(LoginError.UNKNOWN_OR_WRONG)
        if _is_locked(fresh, at):
            raise LoginError(LoginError.LOCKED, fresh["locked_until"])
        if ok and fresh["password_hash"] == row["password_hash"]:
            changes: dict[str, Any] = {"failed_logins": 0, "locked_until": None}
            if needs_rehash(fresh["password_hash"]):
                changes["password_hash"] = hash_password(password)
            changes = {k: v for k, v in changes.items() if k == "password_hash" or fresh[k] != v}
            if changes:
                _update(conn, fresh, changes, by, at=at)
            return _public({**fresh, **changes})
        # a wrong password (or one changed in between): count it
        previous = 0 if fresh["locked_until"] is not None else fresh["failed_logins"]  # expired lock: restart
        failed = previous + 1
        changes = {"failed_logins": failed,
                   "locked_until": at + dt.timedelta(minutes=LOCK_MINUTES) if failed >= MAX_FAILED else None}
        _update(conn, fresh, changes, by, at=at)
    raise LoginError(LoginError.UNKNOWN_OR_WRONG)


# ------------------------------------------------------------------- sessions
def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    if not text or any(ch not in _B64_CHARS for ch in text):
        raise ValueError("not urlsafe base64")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _read_secret(engine: Engine | None) -> str | None:
    with db.read(engine) as conn:
        return db.get_meta(conn, SECRET_KEY)


def _session_secret(engine: Engine | None) -> str:
    """The signing key of session tokens, created on first use (shared by every instance)."""
    secret = _read_secret(engine)
    if secret:
        return secret
    try:
        with db.write(engine) as conn:
            secret = db.get_meta(conn, SECRET_KEY)
            if not secret:
                secret = secrets.token_hex(32)
                db.set_meta(conn, SECRET_KEY, secret)
    except sa.exc.IntegrityError:  # another process created it at the same moment
        secret = _read_secret(engine)
    if not secret:  # pragma: no cover - defensive
        raise RuntimeError("could not create the session secret")
    return secret


def _sign(secret: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), b"sna-session\x00" + payload, hashlib.sha256).digest()


def _password_mark(secret: str, password_hash: str) -> str:
    """A short keyed fingerprint of the hash: a password reset invalidates old tokens."""
    return hmac.new(secret.encode("utf-8"), b"sna-pw\x00" + password_hash.encode("utf-8"),
                    hashlib.sha256).hexdigest()[:16]


def _epoch(moment: dt.datetime) -> int:
    return math.floor(moment.replace(tzinfo=dt.timezone.utc).timestamp())


def make_session_token(name: str, engine: Engine | None = None, *, now: dt.datetime | None = None,
                       hours: float = SESSION_HOURS) -> str:
    """A signed token for the account ``name``, valid ``hours`` hours from ``now``.

    Call it after a successful :func:`authenticate` and keep it in a cookie. It is
    made of urlsafe base64 (no padding) and one ``.``: safe in a cookie or a URL.
    Raises ValueError for an unknown account.
    """
    secret = _session_secret(engine)
    with db.read(engine) as conn:
        row = _find(conn, name)
    if row is None:
        raise ValueError(f"no account named {name!r}")
    expires = _epoch(_naive_utc(now)) + int(hours * 3600)
    payload = json.dumps({"u": row["name"], "exp": expires, "pw": _password_mark(secret, row["password_hash"])},
                         separators=(",", ":"), ensure_ascii=True).encode("ascii")
    return f"{_b64encode(payload)}.{_b64encode(_sign(secret, payload))}"


def read_session_token(token: str | None, engine: Engine | None = None, *,
                       now: dt.datetime | None = None) -> dict[str, Any] | None:
    """The current user dict of a token's account, or None.

    None when the token is missing, malformed, not signed with this store's key, altered,
    expired, or when its account is now locked, deleted or has had its password reset.
    The dict is read afresh, so a role change applies to open sessions at once.
    """
    if not isinstance(token, str) or token.count(".") != 1 or len(token) > 4096:
        return None
    try:
        body, signature = token.split(".")
        payload, sig = _b64decode(body), _b64decode(signature)
    except (ValueError, binascii.Error):
        return None
    secret = _read_secret(engine)
    if not secret or not hmac.compare_digest(sig, _sign(secret, payload)):
        return None
    try:
        data = json.loads(payload.decode("ascii"))
        name, expires, mark = data["u"], data["exp"], data["pw"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None
    if not isinstance(name, str) or not isinstance(expires, int) or not isinstance(mark, str):
        return None
    at = _naive_utc(now)
    if _epoch(at) >= expires:
        return None
    with db.read(engine) as conn:
        row = _find(conn, name)
    if row is None or row["name"] != name or _is_locked(row, at):
        return None
    if not hmac.compare_digest(mark, _password_mark(secret, row["password_hash"])):
        return None
    return _public(row)


# ---------------------------------------------------------------- permissions
def _role(user: Mapping[str, Any] | None) -> str | None:
    if not user:
        return None
    role = user.get("role")
    return role if role in ROLES else None


def can_see_sensitive(user: Mapping[str, Any] | None, presenting: bool = False) -> bool:
    """Whether stances and private notes about decision-makers may be shown.

    Personal data under law 09-08: only editors and admins, and never in presentation
    mode (the screen is shown to a room), whoever is logged in.
    """
    return not presenting and _role(user) in ("editor", "admin")


def can_edit(user: Mapping[str, Any] | None) -> bool:
    """Whether the user may change data at all (editors and admins)."""
    return _role(user) in ("editor", "admin")


def is_admin(user: Mapping[str, Any] | None) -> bool:
    """Whether the user administers accounts, imports for everyone and full exports."""
    return _role(user) == "admin"


def _as_id(value: Any) -> int | None:
    """An organisation id as int (None, NaN and junk → None): ids may come from DataFrames."""
    if value is None or isinstance(value, bool):
        return None
    try:
        if isinstance(value, float) and math.isnan(value):
            return None
        return int(value)
    except (TypeError, ValueError):
        return None


def can_edit_action(user: Mapping[str, Any] | None, lead_organisation_id: Any,
                    partner_organisation_ids: Iterable[Any] | None = ()) -> bool:
    """Whether the user may edit an influence action.

    Admins: every action. Editors: the actions whose lead or one of whose partners is
    their own organisation (an editor without an organisation: none). Viewers and
    anonymous visitors: none.
    """
    role = _role(user)
    if role == "admin":
        return True
    if role != "editor":
        return False
    own = _as_id(user.get("organisation_id")) if user else None
    if own is None:
        return False
    if _as_id(lead_organisation_id) == own:
        return True
    if partner_organisation_ids is None:
        return False
    return any(_as_id(p) == own for p in partner_organisation_ids)
