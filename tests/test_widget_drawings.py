"""Choice widgets are drawn once per distinct question and answer, and the drawing is the same."""

from __future__ import annotations

import pytest
from flask import Flask
from wtforms import Form, RadioField

from portal.forms import YES_NO, RadioInput
from tests import factories
from tests.helpers import PageClient
from tests.journey import choose


class _Question(Form):
    answer = RadioField("Is it still happening?", choices=YES_NO, widget=RadioInput())


def _drawn(app: Flask, data: dict[str, str]) -> str:
    with app.test_request_context():
        form = _Question(data=data)
        return str(form.answer())


def test_a_kept_drawing_is_the_drawing_itself(app: Flask) -> None:
    app.extensions.pop("portal_drawn_widgets", None)
    fresh = _drawn(app, {"answer": "yes"})
    assert _drawn(app, {"answer": "yes"}) == fresh
    assert 'value="yes" checked' in fresh


def test_a_different_answer_is_drawn_anew(app: Flask) -> None:
    assert 'value="no" checked' in _drawn(app, {"answer": "no"})
    assert "checked" not in _drawn(app, {})


def test_only_so_many_drawings_are_kept(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RadioInput, "KEEP", 2)
    app.extensions.pop("portal_drawn_widgets", None)
    for answer in ("yes", "no", ""):
        _drawn(app, {"answer": answer})
    assert len(app.extensions["portal_drawn_widgets"]) == 2


def test_a_page_shows_the_resident_s_own_answers_after_others_have_answered(app: Flask) -> None:
    first, second = PageClient(app.test_client()), PageClient(app.test_client())
    for client, types in ((first, ["noise"]), (second, ["drugs"])):
        choose(client, "asb")
        client.post_form("/report/what", {**factories.WHAT["asb"], "types": types})
    for client, mine, theirs in ((first, "noise", "drugs"), (second, "drugs", "noise")):
        page = client.get("/report/what")
        assert page.soup.find("input", attrs={"value": mine}).has_attr("checked")
        assert not page.soup.find("input", attrs={"value": theirs}).has_attr("checked")
