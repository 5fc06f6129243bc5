"""Coding stage: operations in text, mandate and activity coding with evidence, the analysis tables and accuracy against ground truth."""
