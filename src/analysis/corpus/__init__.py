"""Corpus stage: the manifest, downloads into results/sources, document checks and quarantine."""
