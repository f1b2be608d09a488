"""Incident extraction: article text in, ACLED-typed incidents with places and figures out.

`extractor.Extractor` is the entry point; `runner.extract_pending` feeds it stored articles.
"""
