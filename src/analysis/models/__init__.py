"""Models stage: operation cross-section and operation-report panel (statsmodels)."""
