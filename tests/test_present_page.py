"""The presentation page through AppTest: slides in the URL's order, navigation, no
sensitive field for any role, a clear message for a bad slide list."""

from __future__ import annotations

import pytest

from sna import auth, i18n, slides
from tests.apptest import login, open_app


def _titles(at):
    """The slide's title: a header on the set-up page, the page title while presenting."""
    return [h.value for h in at.header] or [h.value for h in at.title]


def test_slides_follow_the_url_and_next_previous_move(demo_db):
    at = open_app("pages/present.py", slides="actions,map,milestones")
    assert _titles(at)[0] == i18n.t("present.slide.actions", "fr")
    assert at.query_params.get("slides") == "actions,map,milestones"
    [b for b in at.button if b.key == "present.next"][0].click().run()
    assert _titles(at)[0].startswith(i18n.t("present.slide.map", "fr"))
    assert at.query_params.get("slide") == "2"
    [b for b in at.button if b.key == "present.next"][0].click().run()
    assert _titles(at)[0] == i18n.t("present.slide.milestones", "fr")
    assert [b for b in at.button if b.key == "present.next"][0].disabled
    [b for b in at.button if b.key == "present.prev"][0].click().run()
    assert _titles(at)[0].startswith(i18n.t("present.slide.map", "fr"))


def test_start_presentation_sets_the_url_and_the_exit_button(demo_db):
    at = open_app("pages/present.py", slides="map,actions")
    [b for b in at.button if b.key == "present.start"][0].click().run()
    assert at.query_params.get("present") == "1"
    assert [b for b in at.button if b.key == "present.exit"]
    assert not [w for w in at.multiselect if w.key == "present.pick"]  # no setup widgets on the slide
    [b for b in at.button if b.key == "present.exit"][0].click().run()
    assert "present" not in at.query_params


def test_a_bad_slide_list_is_named_and_the_rest_still_works(demo_db):
    at = open_app("pages/present.py", slides="map,nope,actions")
    assert any("nope" in w.value for w in at.warning)
    assert _titles(at)[0].startswith(i18n.t("present.slide.map", "fr"))


def test_an_empty_filter_gives_a_message_on_the_slide(demo_db):
    at = open_app("pages/present.py", slides="map,actions", period="1999")
    assert any(i18n.t("present.no_data", "fr") in x.value for x in at.info)
    [b for b in at.button if b.key == "present.next"][0].click().run()
    assert any(i18n.t("present.no_actions", "fr") in x.value for x in at.info)


@pytest.mark.parametrize("role", [None, "viewer", "editor", "admin"])
def test_no_slide_shows_stances_for_any_role(demo_db, role):
    at = open_app()
    if role:
        auth.add_user("u1", "password-1234", role=role, organisation="Oxfam au Maroc", engine=demo_db)
        login(at, "u1", "password-1234")
    at.switch_page("pages/present.py").run()
    [b for b in at.button if b.key == "present.start"][0].click().run()
    words = [i18n.t(f"code.stance.{s}", "fr") for s in ("champion", "ally", "opponent", "undecided")]
    for _ in slides.SLIDES:
        text = " ".join(str(e.proto) for e in at.main)
        assert "Notes internes" not in text
        assert not [w for w in words if w in text], (role, _titles(at))
        nxt = [b for b in at.button if b.key == "present.next"][0]
        if nxt.disabled:
            break
        nxt.click().run()


def test_the_arabic_deck_uses_arabic_titles(demo_db):
    at = open_app("pages/present.py", lang="ar", slides="advocacy")
    assert _titles(at)[0] == i18n.t("present.slide.advocacy", "ar")
    table = at.dataframe[0].value
    assert i18n.t("present.col.region", "ar") in table.columns
