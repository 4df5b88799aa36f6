"""The question emailed when a case is closed: how satisfied the resident is, and a comment.

Reached only by the emailed link (``portal/cases/satisfaction.py``). The page shows nothing of
the case, and a link that was answered, has expired or was never sent gets the same page, so the
page says nothing about whether a report exists. Opening the link only shows the question: a mail
scanner that follows it answers nothing.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, url_for

from portal.cases import satisfaction
from portal.cases.satisfaction import ANSWER_LABELS, COMMENT_MAX, QUESTION
from portal.public import bp
from portal.web.forms import PublicForm, optional_comment_field, rating_field
from portal.web.limits import public_forms


class SatisfactionForm(PublicForm):
    answer = rating_field(
        QUESTION, ANSWER_LABELS, "Select how satisfied you are with how we handled your report"
    )
    comment = optional_comment_field(
        "Is there anything you would like to tell us? (optional)",
        "Do not include your name, address or phone number. We cannot reply to what you write here: "
        "if the problem continues, phone us.",
        COMMENT_MAX,
        "Your comment",
    )


def _link_unusable() -> Any:
    return render_template("public/satisfaction_unusable.html", days=satisfaction.link_days()), 410


@bp.route("/your-report/satisfaction/<token>", methods=["GET", "POST"])
@public_forms
def satisfaction_question(token: str) -> Any:
    if not satisfaction.question_open(token):
        return _link_unusable()
    form = SatisfactionForm()
    if form.validate_on_submit():
        if not satisfaction.answer_question(token, form.answer.data, form.comment.data or ""):
            return _link_unusable()  # answered in another tab a moment ago: the first answer stays
        return redirect(url_for("public.satisfaction_sent"))
    return render_template("public/satisfaction.html", form=form, comment_max=COMMENT_MAX)


@bp.get("/your-report/satisfaction/sent")
def satisfaction_sent() -> Any:
    return render_template("public/satisfaction_sent.html")
