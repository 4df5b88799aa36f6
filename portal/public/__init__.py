"""The residents' side: the start page, the reporting journey and the information pages."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from portal.public import device_views, journey_views, pages  # noqa: E402,F401  (registers the routes)
