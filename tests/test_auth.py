"""Accounts, password hashing, login lockout, session tokens, permissions and ``sna users``."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from sna import auth, db, queries, store
from sna.auth import LoginError
from sna.models import ChangeLog, User

ROOT = Path(__file__).resolve().parent.parent
PW = "correct horse battery"
T0 = dt.datetime(2026, 3, 15, 9, 0, 0)


@pytest.fixture
def orgs(fresh_db) -> dict[str, int]:
    """Three organisations of the coalition."""
    with db.write(fresh_db) as conn:
        return {
            "oxfam": store.add_organisation_in(conn, "Oxfam au Maroc", "international_ngo", is_lead=True),
            "gadem": store.add_organisation_in(conn, "GADEM", "association"),
            "amdh": store.add_organisation_in(conn, "AMDH", "association"),
        }


@pytest.fixture
def amina(fresh_db, orgs) -> dict:
    """An editor of Oxfam au Maroc with password :data:`PW`."""
    auth.add_user("amina", PW, role="editor", organisation="Oxfam au Maroc", engine=fresh_db)
    return auth.get_user("amina", fresh_db)


def _hash_of(engine, name: str) -> str:
    with db.read(engine) as conn:
        return conn.execute(sa.select(User.password_hash).where(User.name == name)).scalar_one()


def _log(engine) -> list[dict]:
    c = ChangeLog.__table__
    with db.read(engine) as conn:
        return [dict(r) for r in conn.execute(sa.select(c).where(c.c.table_name == "app_user")
                                              .order_by(c.c.id)).mappings()]


def _reason(engine, name: str, password: str, at: dt.datetime) -> LoginError:
    with pytest.raises(LoginError) as info:
        auth.authenticate(name, password, engine, now=at)
    return info.value


# ------------------------------------------------------------------- hashing
def test_hash_is_not_plaintext_and_verifies():
    h = auth.hash_password(PW)
    assert PW not in h and h.startswith("$argon2id$")
    assert auth.hash_password(PW) != h  # salted
    assert auth.verify_password(PW, h)
    assert not auth.verify_password(PW + "!", h)
    assert not auth.verify_password(PW, "not a hash")
    assert not auth.verify_password(PW, "")
    assert not auth.needs_rehash(h)


def test_outdated_hash_is_replaced_on_login(fresh_db):
    from argon2 import PasswordHasher

    auth.add_user("old", PW, engine=fresh_db)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PW)
    with db.write(fresh_db) as conn:
        conn.execute(sa.update(User.__table__).where(User.name == "old").values(password_hash=weak))
    assert auth.needs_rehash(weak)
    auth.authenticate("old", PW, fresh_db)
    new = _hash_of(fresh_db, "old")
    assert new != weak and not auth.needs_rehash(new) and auth.verify_password(PW, new)


# ------------------------------------------------------------------ accounts
def test_add_get_and_list_without_hash(fresh_db, orgs):
    uid = auth.add_user("amina", PW, role="editor", organisation="Oxfam au Maroc", engine=fresh_db)
    user = auth.get_user("amina", fresh_db)
    assert user == {"id": uid, "name": "amina", "role": "editor", "organisation_id": orgs["oxfam"],
                    "organisation": "Oxfam au Maroc", "failed_logins": 0, "locked_until": None}
    assert auth.get_user("AMINA", fresh_db)["id"] == uid  # logins ignore case
    assert auth.get_user("nobody", fresh_db) is None
    auth.add_user("karim", "s3cret-pass!", role="viewer", engine=fresh_db)  # the signature test_store uses
    assert auth.get_user("karim", fresh_db)["organisation"] is None
    df = queries.users(fresh_db)
    assert list(df["name"]) == ["amina", "karim"] and "password_hash" not in df.columns
    assert _hash_of(fresh_db, "amina") != PW


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "x", "password": "short"}, "too short"),
    ({"name": "x", "password": PW, "role": "superuser"}, "unknown role"),
    ({"name": "  ", "password": PW}, "empty"),
    ({"name": "x", "password": PW, "organisation": "Croix-Rouge"}, "Croix-Rouge"),
])
def test_add_user_refuses_bad_input(fresh_db, orgs, kwargs, message):
    before = db.data_version(fresh_db)
    with pytest.raises(ValueError, match=message):
        auth.add_user(engine=fresh_db, **kwargs)
    assert queries.users(fresh_db).empty and db.data_version(fresh_db) == before


def test_unknown_organisation_lists_the_known_ones(fresh_db, orgs):
    with pytest.raises(ValueError) as info:
        auth.add_user("x", PW, organisation="Oxfam", engine=fresh_db)
    assert "'Oxfam'" in str(info.value)
    for name in ("Oxfam au Maroc", "GADEM", "AMDH"):
        assert name in str(info.value)


def test_duplicate_name_is_refused_in_any_case(fresh_db, amina):
    for name in ("amina", "Amina"):
        with pytest.raises(ValueError, match="already exists"):
            auth.add_user(name, PW, engine=fresh_db)
    assert len(queries.users(fresh_db)) == 1


def test_set_role_reset_password_unlock(fresh_db, amina):
    auth.set_role("amina", "admin", fresh_db)
    assert auth.get_user("amina", fresh_db)["role"] == "admin"
    with pytest.raises(ValueError, match="unknown role"):
        auth.set_role("amina", "root", fresh_db)
    with pytest.raises(ValueError, match="no account"):
        auth.set_role("nobody", "viewer", fresh_db)

    auth.set_organisation("amina", "GADEM", fresh_db)
    assert auth.get_user("amina", fresh_db)["organisation"] == "GADEM"
    auth.set_organisation("amina", None, fresh_db)
    assert auth.get_user("amina", fresh_db)["organisation_id"] is None

    for _ in range(auth.MAX_FAILED):
        _reason(fresh_db, "amina", "wrong password", T0)
    assert auth.get_user("amina", fresh_db)["locked_until"] is not None
    auth.unlock("amina", fresh_db)
    user = auth.get_user("amina", fresh_db)
    assert user["locked_until"] is None and user["failed_logins"] == 0
    assert auth.authenticate("amina", PW, fresh_db, now=T0)["name"] == "amina"

    for _ in range(auth.MAX_FAILED):
        _reason(fresh_db, "amina", "wrong password", T0)
    with pytest.raises(ValueError, match="too short"):
        auth.reset_password("amina", "short", fresh_db)
    auth.reset_password("amina", "a brand new password", fresh_db)
    assert auth.get_user("amina", fresh_db)["locked_until"] is None  # reset also unlocks
    assert auth.authenticate("amina", "a brand new password", fresh_db, now=T0)
    assert _reason(fresh_db, "amina", PW, T0).reason == "unknown_or_wrong"


def test_every_account_write_bumps_data_version_and_is_logged_without_password(fresh_db, orgs):
    steps = [
        lambda: auth.add_user("amina", PW, role="editor", organisation="GADEM", engine=fresh_db),
        lambda: auth.set_role("amina", "admin", fresh_db),
        lambda: auth.set_organisation("amina", "AMDH", fresh_db),
        lambda: auth.reset_password("amina", "another long password", fresh_db),
        lambda: _reason(fresh_db, "amina", PW, T0),  # a failed login is a write too
        lambda: auth.unlock("amina", fresh_db),
    ]
    for step in steps:
        before = db.data_version(fresh_db)
        step()
        assert db.data_version(fresh_db) > before, step
    log = _log(fresh_db)
    fields = [e["field"] for e in log]
    for field in ("name", "role", "organisation", "password", "failed_logins"):
        assert field in fields
    assert {"old": None, "new": "***"} == {k: next(e for e in log if e["field"] == "password")[k]
                                          for k in ("old", "new")}
    assert any(e["field"] == "role" and e["old"] == "editor" and e["new"] == "admin" for e in log)
    texts = " ".join(str(e["old"]) + " " + str(e["new"]) for e in log)
    assert PW not in texts and "another long password" not in texts and "$argon2" not in texts


# --------------------------------------------------------------------- login
def test_login_succeeds_and_returns_the_user_without_hash(fresh_db, amina):
    user = auth.authenticate("amina", PW, fresh_db, now=T0)
    assert user["name"] == "amina" and user["role"] == "editor" and "password_hash" not in user


def test_unknown_user_and_wrong_password_give_the_same_reason(fresh_db, amina):
    wrong = _reason(fresh_db, "amina", "not the password", T0)
    unknown = _reason(fresh_db, "nobody", "not the password", T0)
    assert wrong.reason == unknown.reason == "unknown_or_wrong"
    assert str(wrong) == str(unknown) and wrong.locked_until is unknown.locked_until is None


def test_unknown_user_takes_comparable_time(fresh_db, amina, monkeypatch):
    """An unknown name is also checked against a (dummy) argon2 hash."""
    checked = []
    real = auth.verify_password
    monkeypatch.setattr(auth, "verify_password", lambda pw, h: checked.append(h) or real(pw, h))
    _reason(fresh_db, "nobody", PW, T0)
    assert len(checked) == 1 and checked[0].startswith("$argon2id$")


def test_five_failures_lock_for_fifteen_minutes(fresh_db, amina):
    for i in range(auth.MAX_FAILED):
        assert _reason(fresh_db, "amina", f"wrong {i}", T0 + dt.timedelta(seconds=i)).reason == "unknown_or_wrong"
    user = auth.get_user("amina", fresh_db)
    assert user["failed_logins"] == auth.MAX_FAILED
    lock_start = T0 + dt.timedelta(seconds=auth.MAX_FAILED - 1)
    assert user["locked_until"] == lock_start + dt.timedelta(minutes=auth.LOCK_MINUTES)

    # the 6th attempt, with the right password, is refused as locked
    err = _reason(fresh_db, "amina", PW, lock_start + dt.timedelta(minutes=1))
    assert err.reason == "locked" and err.locked_until == user["locked_until"]
    # wrong passwords while locked do not extend the lock
    _reason(fresh_db, "amina", "wrong again", lock_start + dt.timedelta(minutes=14, seconds=59))
    assert auth.get_user("amina", fresh_db)["locked_until"] == user["locked_until"]
    assert _reason(fresh_db, "amina", PW, lock_start + dt.timedelta(minutes=14, seconds=59)).reason == "locked"

    # after 15 minutes the right password works and resets the counter
    ok = auth.authenticate("amina", PW, fresh_db, now=lock_start + dt.timedelta(minutes=15))
    assert ok["failed_logins"] == 0 and ok["locked_until"] is None
    user = auth.get_user("amina", fresh_db)
    assert user["failed_logins"] == 0 and user["locked_until"] is None


def test_success_resets_the_counter_before_the_limit(fresh_db, amina):
    for _ in range(auth.MAX_FAILED - 1):
        _reason(fresh_db, "amina", "wrong", T0)
    auth.authenticate("amina", PW, fresh_db, now=T0)
    for _ in range(auth.MAX_FAILED - 1):
        _reason(fresh_db, "amina", "wrong", T0)
    assert auth.get_user("amina", fresh_db)["locked_until"] is None  # not 8 in a row


def test_after_an_expired_lock_the_count_starts_again(fresh_db, amina):
    for _ in range(auth.MAX_FAILED):
        _reason(fresh_db, "amina", "wrong", T0)
    later = T0 + dt.timedelta(minutes=auth.LOCK_MINUTES, seconds=1)
    assert _reason(fresh_db, "amina", "wrong", later).reason == "unknown_or_wrong"
    user = auth.get_user("amina", fresh_db)
    assert user["failed_logins"] == 1 and user["locked_until"] is None
    assert auth.authenticate("amina", PW, fresh_db, now=later)["name"] == "amina"


def test_a_locked_account_cannot_log_in(fresh_db, amina):
    until = T0 + dt.timedelta(hours=1)
    with db.write(fresh_db) as conn:
        conn.execute(sa.update(User.__table__).where(User.name == "amina").values(locked_until=until))
    err = _reason(fresh_db, "amina", PW, T0)
    assert err.reason == "locked" and err.locked_until == until


def test_a_successful_login_writes_nothing(fresh_db, amina):
    before = db.data_version(fresh_db)
    auth.authenticate("amina", PW, fresh_db, now=T0)
    assert db.data_version(fresh_db) == before


# ------------------------------------------------------------------ sessions
def test_session_token_round_trip_and_cookie_safe(fresh_db, amina):
    token = auth.make_session_token("amina", fresh_db, now=T0)
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    user = auth.read_session_token(token, fresh_db, now=T0 + dt.timedelta(hours=1))
    assert user == auth.get_user("amina", fresh_db)
    with db.read(fresh_db) as conn:
        secret = db.get_meta(conn, "session_secret")
    assert secret and len(secret) == 64
    # the same secret for the next token (every instance on this store shares it)
    auth.make_session_token("amina", fresh_db, now=T0)
    with db.read(fresh_db) as conn:
        assert db.get_meta(conn, "session_secret") == secret


def test_session_token_refuses_tampering_and_garbage(fresh_db, amina, orgs):
    auth.add_user("admin", PW, role="admin", engine=fresh_db)
    token = auth.make_session_token("amina", fresh_db, now=T0)
    other = auth.make_session_token("admin", fresh_db, now=T0)
    body, sig = token.split(".")
    flipped = sig[:-2] + ("A" if sig[-2] != "A" else "B") + sig[-1]
    at = T0 + dt.timedelta(minutes=5)
    for bad in (token + "x", body + "." + flipped, other.split(".")[0] + "." + sig,
                token.split(".")[0] + "." + other.split(".")[1], "", "abc", "a.b", "..", None,
                token.replace(".", ";"), body):
        assert auth.read_session_token(bad, fresh_db, now=at) is None, bad
    # a forged payload naming an admin, signed with a guessed key
    import base64
    import hashlib
    import hmac
    import json
    payload = json.dumps({"u": "admin", "exp": 9_999_999_999, "pw": "0" * 16}).encode()
    forged = (base64.urlsafe_b64encode(payload).rstrip(b"=").decode() + "." +
              base64.urlsafe_b64encode(hmac.new(b"guess", payload, hashlib.sha256).digest()).rstrip(b"=").decode())
    assert auth.read_session_token(forged, fresh_db, now=at) is None


def test_session_token_expires(fresh_db, amina):
    token = auth.make_session_token("amina", fresh_db, now=T0)
    assert auth.read_session_token(token, fresh_db, now=T0 + dt.timedelta(hours=auth.SESSION_HOURS, seconds=-1))
    assert auth.read_session_token(token, fresh_db, now=T0 + dt.timedelta(hours=auth.SESSION_HOURS)) is None
    short = auth.make_session_token("amina", fresh_db, now=T0, hours=1)
    assert auth.read_session_token(short, fresh_db, now=T0 + dt.timedelta(hours=2)) is None


def test_session_sees_role_changes_and_ends_on_lock_delete_or_reset(fresh_db, amina):
    at = T0 + dt.timedelta(minutes=1)
    token = auth.make_session_token("amina", fresh_db, now=T0)
    auth.set_role("amina", "viewer", fresh_db)
    assert auth.read_session_token(token, fresh_db, now=at)["role"] == "viewer"

    for _ in range(auth.MAX_FAILED):
        _reason(fresh_db, "amina", "wrong", T0)
    assert auth.read_session_token(token, fresh_db, now=at) is None  # locked
    auth.unlock("amina", fresh_db)
    assert auth.read_session_token(token, fresh_db, now=at) is not None

    auth.reset_password("amina", "a brand new password", fresh_db)
    assert auth.read_session_token(token, fresh_db, now=at) is None  # reset ends old sessions
    token = auth.make_session_token("amina", fresh_db, now=T0)
    auth.delete_user("amina", fresh_db)
    assert auth.read_session_token(token, fresh_db, now=at) is None


def test_session_token_of_another_store_is_refused(fresh_db, amina, tmp_path):
    token = auth.make_session_token("amina", fresh_db, now=T0)
    with db.write(fresh_db) as conn:
        db.set_meta(conn, "session_secret", "f" * 64)  # as if another store's key
    assert auth.read_session_token(token, fresh_db, now=T0) is None
    with pytest.raises(ValueError, match="no account"):
        auth.make_session_token("nobody", fresh_db, now=T0)


# --------------------------------------------------------------- permissions
VIEWER = {"name": "v", "role": "viewer", "organisation_id": 1}
EDITOR = {"name": "e", "role": "editor", "organisation_id": 1}
ADMIN = {"name": "a", "role": "admin", "organisation_id": None}


@pytest.mark.parametrize("user, presenting, expected", [
    (VIEWER, False, False), (None, False, False), (EDITOR, False, True), (ADMIN, False, True),
    (EDITOR, True, False), (ADMIN, True, False), (VIEWER, True, False), ({}, False, False),
    ({"role": "superuser"}, False, False),
])
def test_can_see_sensitive(user, presenting, expected):
    assert auth.can_see_sensitive(user, presenting=presenting) is expected


def test_can_edit_and_is_admin():
    assert [auth.can_edit(u) for u in (None, VIEWER, EDITOR, ADMIN)] == [False, False, True, True]
    assert [auth.is_admin(u) for u in (None, VIEWER, EDITOR, ADMIN)] == [False, False, False, True]


@pytest.mark.parametrize("user, lead, partners, expected", [
    (ADMIN, 7, [8], True),             # admins: any action
    (ADMIN, None, [], True),
    (EDITOR, 1, [], True),             # editor of the lead organisation
    (EDITOR, 7, [3, 1], True),         # editor of a partner organisation
    (EDITOR, 7, [3], False),           # editor of another organisation
    (EDITOR, None, None, False),
    ({"role": "editor", "organisation_id": None}, None, [None], False),  # editor without organisation
    (VIEWER, 1, [1], False),           # viewers never
    (None, 1, [1], False),
])
def test_can_edit_action(user, lead, partners, expected):
    assert auth.can_edit_action(user, lead, partners) is expected


def test_can_edit_action_accepts_ids_from_dataframes():
    import numpy as np

    assert auth.can_edit_action(EDITOR, np.int64(1), [])
    assert auth.can_edit_action(EDITOR, float("nan"), np.array([2, 1]))
    assert not auth.can_edit_action(EDITOR, float("nan"), [float("nan")])


# ----------------------------------------------------------------------- CLI
def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SNA_NEW_PASSWORD"}
    return subprocess.run([sys.executable, "-m", "sna", "users", *args], cwd=ROOT, env=env,
                          input=stdin if stdin is not None else "", capture_output=True, text=True,
                          timeout=120)


def test_cli_users_lifecycle(fresh_db, orgs):
    r = _cli("add", "admin", "--role", "admin", "--password-stdin", stdin=PW + "\n")
    assert r.returncode == 0, r.stderr
    r = _cli("add", "amina", "--role", "editor", "--organisation", "Oxfam au Maroc", "--password-stdin",
             stdin="another long password\n")
    assert r.returncode == 0, r.stderr
    assert auth.authenticate("admin", PW, fresh_db)["role"] == "admin"
    assert auth.get_user("amina", fresh_db)["organisation"] == "Oxfam au Maroc"

    r = _cli("set-role", "amina", "viewer")
    assert r.returncode == 0, r.stderr
    assert auth.get_user("amina", fresh_db)["role"] == "viewer"

    for _ in range(auth.MAX_FAILED):
        _reason(fresh_db, "amina", "wrong", store.now())
    r = _cli("list")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["name", "role", "organisation", "locked", "until"]
    amina_line = next(line for line in lines if line.startswith("amina"))
    assert "viewer" in amina_line and "Oxfam au Maroc" in amina_line and "UTC" in amina_line
    assert "$argon2" not in r.stdout

    r = _cli("unlock", "amina")
    assert r.returncode == 0, r.stderr
    assert auth.get_user("amina", fresh_db)["locked_until"] is None

    r = _cli("reset-password", "amina", "--password-stdin", stdin="third long password\n")
    assert r.returncode == 0, r.stderr
    assert auth.authenticate("amina", "third long password", fresh_db)["name"] == "amina"

    log = _log(fresh_db)
    assert any(e["user_name"].startswith("cli") for e in log)
    assert "third long password" not in " ".join(str(e["new"]) for e in log)


def test_cli_password_from_environment(fresh_db):
    env = {**os.environ, "SNA_NEW_PASSWORD": PW}
    r = subprocess.run([sys.executable, "-m", "sna", "users", "add", "scripted"], cwd=ROOT, env=env,
                       input="", capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert auth.authenticate("scripted", PW, fresh_db)["role"] == "viewer"


@pytest.mark.parametrize("args, stdin, message", [
    (("add", "x", "--organisation", "Nowhere", "--password-stdin"), PW + "\n", "unknown organisation 'Nowhere'"),
    (("add", "x", "--password-stdin"), "short\n", "too short"),
    (("add", "x", "--password-stdin"), "", "no password"),
    (("add", "x"), "", "no password given"),       # no TTY, no env, no --password-stdin
    (("add", "amina", "--password-stdin"), PW + "\n", "already exists"),
    (("set-role", "nobody", "admin"), None, "no account named 'nobody'"),
    (("unlock", "nobody"), None, "no account named 'nobody'"),
    (("reset-password", "nobody", "--password-stdin"), PW + "\n", "no account named 'nobody'"),
])
def test_cli_errors_are_one_line_and_exit_1(fresh_db, amina, args, stdin, message):
    r = _cli(*args, stdin=stdin)
    assert r.returncode == 1, (r.stdout, r.stderr)
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0], r.stderr
    assert "Traceback" not in r.stderr


def test_cli_usage_errors_exit_2(fresh_db):
    assert _cli("set-role", "amina", "superuser").returncode == 2
    assert _cli().returncode == 2
    # a password is never accepted as an argument
    assert _cli("add", "x", "--password", PW).returncode == 2


def test_cli_on_an_uninitialised_store_says_to_run_init(tmp_path, monkeypatch):
    monkeypatch.setenv("SNA_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    r = _cli("list")
    assert r.returncode == 1 and "python -m sna init" in r.stderr and "Traceback" not in r.stderr


def test_cli_list_on_an_empty_store(fresh_db):
    r = _cli("list")
    assert r.returncode == 0 and "users add admin --role admin" in r.stdout


def test_cli_module_documents_the_first_admin():
    from sna import auth_cli

    assert "python -m sna init && python -m sna users add admin --role admin --password-stdin" in auth_cli.__doc__
