"""Triage: the council's policy for routing reports, as pure functions over plain data.

Nothing in this package imports Flask or touches a database session: callers pass the report and
its history in, and get a decision out. The app's policy in use is ``portal.reports.triage_policy``;
the ``flask triage`` commands are ``portal.reports.cli``; ``tests/test_layers.py`` keeps it so.
"""
