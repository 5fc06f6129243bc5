"""Simulation check: known effects, known nulls and known biases, scored per estimator.

- :mod:`analysis.simulation.fast`: oracle panels drawn with numpy from the demo design,
  six scenarios, hundreds of replicates in seconds (``python -m analysis.simulation fast``).
- :mod:`analysis.simulation.run`: a few replicates through the whole pipeline (PDFs ->
  extraction -> coding -> panel), scoring the same estimators on coded data
  (``python -m analysis.simulation run``).
- :mod:`analysis.simulation.estimators`: the registry :data:`ESTIMATORS` (name ->
  function(panel)) both paths score.
- :mod:`analysis.simulation.summary`: size, coverage and power per scenario x estimator;
  :mod:`analysis.simulation.headline`: the paper's headline estimator by the config's rule.
"""

from analysis.simulation.estimators import ESTIMATORS

__all__ = ["ESTIMATORS"]
