"""Casework: the officers' queue, and the audited changes they make to cases."""
