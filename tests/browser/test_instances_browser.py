"""Two app instances on one PostgreSQL database (the deployment of the README): a change
saved through one store connection is seen by the other instance on its next rerun,
because every cache is keyed on ``meta.data_version``.

Runs when ``SNA_TEST_DATABASE_URL`` is a PostgreSQL URL (``.ci/run`` sets it); skipped
otherwise, and failing under ``CI=true`` then.
"""

from __future__ import annotations

import pytest

from sna import auth, db, demo, queries, store
from tests.browser.conftest import streamlit_server, wait_ready
from tests.conftest import AS_OF, ON_PG, require

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def _metrics(page) -> list[str]:
    return page.locator('[data-testid="stMetricValue"]').all_inner_texts()


def test_two_instances_share_one_postgresql_store(fresh_db, chromium, tmp_path):
    require("PostgreSQL", ON_PG, "set SNA_TEST_DATABASE_URL to a PostgreSQL URL (.ci/run starts one)")
    url = fresh_db.url.render_as_string(hide_password=False)
    demo.load(fresh_db, as_of=AS_OF)
    db.dispose_engines()
    with streamlit_server(url, tmp_path) as first, streamlit_server(url, tmp_path) as second:
        pages = []
        for server in (first, second):
            context = chromium.new_context(viewport={"width": 1400, "height": 1800})
            page = context.new_page()
            page.goto(server.url + "/overview?lang=fr&level=national")
            wait_ready(page)
            pages.append(page)
        before = [_metrics(p) for p in pages]
        assert before[0] == before[1]
        acts = queries.actions(db.get_engine(url))
        row = acts[(acts["level"] == "national") & (acts["status"] == "planned")].iloc[0]
        store.update_action(row["ref"], int(row["version"]), {"status": "cancelled"}, "tester", db.get_engine(url))
        for page in pages:
            page.reload()
            wait_ready(page)
        after = [_metrics(p) for p in pages]
        assert after[0] == after[1] and after[0] != before[0]  # both instances see the write
        # the session secret lives in the shared store: a token of one instance is valid in the other
        auth.add_user("amina", "password-12345", role="editor", engine=db.get_engine(url))
        token = auth.make_session_token("amina", db.get_engine(url))
        assert auth.read_session_token(token, db.get_engine(url))["name"] == "amina"
    db.dispose_engines()
