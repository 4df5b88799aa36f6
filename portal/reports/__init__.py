"""The resident's report: drafts, evidence files, submission, reference numbers, and the triage
policy in use with the history each decision needs."""
