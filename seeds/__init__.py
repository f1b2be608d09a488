"""Packaged data files: the gazetteer and its hand-written aliases."""
