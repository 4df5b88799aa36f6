"""The back-office's pages, one module per feature; importing them registers their routes on the
officer blueprint.

``case_page`` (one case, its evidence files, and how a change from it ends), ``casework`` (claim,
assign, status, first contact, re-route, notes, updates), ``records`` (the records of the work),
``queue``, ``exports`` (the queue CSV and the record of downloads), ``agenda`` (the tasking meeting),
``accounts``, ``sign_in``, ``policy``, ``feedback`` (residents' feedback on the service) and
``resident_code`` (a code for a resident to sign in and see their report) and ``case_review`` (ASB
Case Review applications and their threshold decisions).
"""

from portal.officer.views import (  # noqa: F401  (registers the routes)
    accounts,
    agenda,
    case_page,
    case_review,
    casework,
    exports,
    feedback,
    policy,
    queue,
    records,
    resident_code,
    sign_in,
)
