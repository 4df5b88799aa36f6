"""The bare endpoint the portal is measured against: Flask, one route, no database, no templates.

Served by ``bench.harness`` under the same gunicorn settings as the portal.
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello"
