"""SYNTHETIC demo corpus: generated PDFs that look like Security Council resolutions and
Secretary-General progress reports on real operations, every one labelled as synthetic demo
material (never a UN document, never a real UN symbol), with ground truth beside each PDF.

Public API: :func:`build_corpus` (spec YAML + raw/missions.csv -> folder with manifest.csv,
pdfs/, truth/). Command line: ``python -m analysis.demo --spec S --missions M --out D``.
Same spec => byte-identical files; the spec sets the true effect of an explicit OC mandate.
"""

from analysis.demo.build import build_corpus
from analysis.demo.spec import SpecError, load_spec

__all__ = ["SpecError", "build_corpus", "load_spec"]
