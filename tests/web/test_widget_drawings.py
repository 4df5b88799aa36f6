"""Choice widgets are drawn once per distinct question and answer, and the drawing is the same; the widget
cache they are kept in is bounded, can be turned off, and keeps nothing anyone typed."""

from __future__ import annotations

import pytest
from flask import Flask
from wtforms import Form, RadioField

from portal.web import caches
from portal.web.caches import BoundedCache
from portal.web.forms import YES_NO, RadioInput
from tests import factories
from tests.cases import make_case
from tests.helpers import PageClient
from tests.journey import choose
from tests.officer.test_casework import version


def widget_cache() -> BoundedCache:
    cache = caches.named("widgets")
    assert cache is not None
    return cache


class _Question(Form):
    answer = RadioField("Is it still happening?", choices=YES_NO, widget=RadioInput())


def _drawn(app: Flask, data: dict[str, str]) -> str:
    with app.test_request_context():
        form = _Question(data=data)
        return str(form.answer())


def test_a_kept_drawing_is_the_drawing_itself(app: Flask) -> None:
    caches.clear(app)
    fresh = _drawn(app, {"answer": "yes"})
    assert _drawn(app, {"answer": "yes"}) == fresh
    assert 'value="yes" checked' in fresh


def test_a_different_answer_is_drawn_anew(app: Flask) -> None:
    assert 'value="no" checked' in _drawn(app, {"answer": "no"})
    assert "checked" not in _drawn(app, {})


def test_only_so_many_drawings_are_kept(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(caches.BOUNDS, "widgets", caches.Bound(2, "WIDGET_CACHE_CHARS"))
    caches.clear(app)
    for answer in ("yes", "no", ""):
        _drawn(app, {"answer": answer})
    with app.app_context():
        assert len(widget_cache()) == 2


def test_a_page_shows_the_resident_s_own_answers_after_others_have_answered(app: Flask) -> None:
    first, second = PageClient(app.test_client()), PageClient(app.test_client())
    for client, types in ((first, ["noise"]), (second, ["drugs"])):
        choose(client, "asb")
        client.post_form("/report/what", {**factories.WHAT["asb"], "types": types})
    for client, mine, theirs in ((first, "noise", "drugs"), (second, "drugs", "noise")):
        page = client.get("/report/what")
        assert page.soup.find("input", attrs={"value": mine}).has_attr("checked")
        assert not page.soup.find("input", attrs={"value": theirs}).has_attr("checked")


def test_typed_dates_posted_again_and_again_do_not_grow_the_widget_cache(
    app: Flask, supervisor_client: PageClient
) -> None:
    reference = make_case(app)
    page = supervisor_client.get(f"/officer/cases/{reference}")
    post = {"csrf_token": page.csrf_token(), "version": version(page, "contact"), "channel": "phone"}

    def mistype(day: str) -> None:
        shown = supervisor_client.post_raw(
            f"/officer/cases/{reference}/first-contact", {**post, "contacted_on": [day, "13", "2026"]}
        )
        assert shown.status_code == 400 and day in shown.get_data(as_text=True)

    mistype("41")
    with app.app_context():
        cache = widget_cache()
    entries, chars = len(cache), cache.chars
    for day in range(42, 92):
        mistype(str(day) * 50)
    assert (len(cache), cache.chars) == (entries, chars)


def _drawn_question(app: Flask, label: str) -> str:
    with app.test_request_context():
        form = type("Asked", (Form,), {"answer": RadioField(label, choices=YES_NO, widget=RadioInput())})()
        return str(form.answer())


def test_the_widget_cache_never_holds_more_characters_than_its_bound(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "WIDGET_CACHE_CHARS", 20_000)
    caches.clear(app)
    for number in range(100):
        assert f"Question {number}" in _drawn_question(app, f"Question {number}")
        with app.app_context():
            assert widget_cache().chars <= 20_000
    with app.app_context():
        assert 1 < len(widget_cache()) < 100


def test_a_widget_cache_of_0_characters_keeps_nothing(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "WIDGET_CACHE_CHARS", 0)
    caches.clear(app)
    assert 'value="yes" checked' in _drawn(app, {"answer": "yes"})
    with app.app_context():
        assert len(widget_cache()) == 0
