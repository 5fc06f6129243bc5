"""Simulation check: the pipeline on synthetic corpora with a known true effect."""
