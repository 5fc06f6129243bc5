"""Organized-crime mandates and peace-operation activity: analysis package.

Each module is one stage of the workflow; none imports Snakemake.
"""

__version__ = "0.1.0"
