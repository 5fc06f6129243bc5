"""The project's vocabulary: the allowed values of each concept, defined once.

Words as in RESEARCH-DESIGN.md. Stages and schemas import these names from here; a literal
tuple of the same words anywhere else is a second definition that can drift from this one.
Where the ORDER of a tuple shapes an output, the comment says how; reorder only knowing
that. Crime market labels are not here: they are the codebook's (a revised codebook may add
one); only :data:`UNSPECIFIED_MARKET` is fixed.

Imports nothing (the floor of the floor).
"""

from __future__ import annotations

# ------------------------------------------------------------------ documents
# Manifest, documents table, paper tables: listed in this order.
DOC_TYPES = ("resolution", "report", "study")
# Documents coded for what the operation does (activity), and for its mandate.
REPORT_TYPES = ("report", "study")
RESOLUTION_TYPES = ("resolution",)
# The same document types in coder-sheet order (activity variables first); the allowed
# values table writes a variable's ``applies_to`` in this order.
ALL_TYPES = REPORT_TYPES + RESOLUTION_TYPES

# ------------------------------------------------------------------ mandate coding
PARTS = ("preambular", "operative")
STRENGTHS = ("requested", "encouraged", "reference")
ADDRESSEES = ("operation", "host_government", "member_states", "secretary_general")

# ------------------------------------------------------------------ activity coding
# target (consequences|drivers) x mode (direct|indirect); tables, figures and the paper
# list quadrants in this order, and the mission activity grid is built in it.
QUADRANTS = ("direct_consequences", "direct_drivers", "indirect_consequences",
             "indirect_drivers")
ENGAGEMENTS = ("monitor", "advocate", "assist", "material_support", "implement")
# Why OC text is not the operation's activity. Order = precedence: when clauses of one
# paragraph give several reasons, the coding keeps the first of this tuple
# (analysis.coding.activities).
NEGATIVE_REASONS = ("postponed", "negation", "plan", "other_actor", "concern_only")
# The market of OC activity that names no market (mission activity table, figures).
UNSPECIFIED_MARKET = "unspecified"

# ------------------------------------------------------------------ statuses
# results/sources/lock.csv: what became of each document to download.
LOCK_STATUSES = ("downloaded", "reused", "failed", "offline")
# results/models/estimates.csv and every table derived from it.
MODEL_STATUSES = ("fitted", "not_fitted")
# How a human round settled a paragraph's variable (analysis.rounds.agree); the consensus
# rule tries them in this order (unanimous and single are one step).
ROUND_STATUSES = ("adjudicated", "unanimous", "single", "majority", "unresolved")
# A coding round is automated (a codebook) or human (coder sheets).
ROUND_KINDS = ("automated", "human")

# ------------------------------------------------------------------ round values
# The long format of every coding round (analysis.rounds.variables): binary variables are
# TRUE/FALSE, a labelled variable with no label is NONE, and a sheet cell of a variable
# that does not apply to the document type is NOT_APPLICABLE.
NONE = "none"
TRUE, FALSE = "true", "false"
NOT_APPLICABLE = "n/a"
# The coded variables; coder sheet column order.
VARIABLES = ("oc", "activity", "quadrant", "market", "engagement", "negative_reason", "part",
             "strength", "addressee", "explicit_mandate")
