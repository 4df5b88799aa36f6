"""The resident's report: drafts, evidence files, submission and reference numbers."""
