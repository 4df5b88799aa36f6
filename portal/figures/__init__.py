"""The partnership's yearly figures for the Communities Scrutiny Committee, for a financial year.

``model`` (a year's figures as sections of tables of figures, each with the year before beside
it: the page, its charts and every export are drawn from this one shape), ``year`` (the financial
year on the Europe/London clock). Every figure has a stable key; the cases or records behind it
are listed from that key.
"""
