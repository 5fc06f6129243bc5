"""Figures of the paper, drawn from the workflow's tables (never from a model fit).

===========  ==========================================  ==================================
figure       shows                                       reads
===========  ==========================================  ==================================
fig1         operation x quadrant OC activity heatmap    mission_activity.csv, mandates.csv
fig2         OC activity by quadrant (2 x 2) and market  mission_activity.csv
fig3         explicit-mandate rate/odds ratio per model  estimates.csv
fig4         mandate periods and activity per report     panel.csv, mandates.csv
fig5         activity per report by mandate in force     panel.csv
fig6         alpha and auto-vs-human F1 per label/round  reliability.csv
fig7         explicit-mandate estimate by coding round   estimates_by_round.csv
fig8         event study: leads, lags, pre-trend test    estimates.csv (panel_event_study)
===========  ==========================================  ==================================

Python: ``render_fig1(mission_activity, mandates, out_pdf, out_png)`` .. ``render_fig5``
(:mod:`.render`) read and write files; ``plot_*`` functions take data frames and return a
matplotlib figure, for a notebook. CLI: ``python -m analysis.figures fig1 --mission-activity
results/tables/mission_activity.csv --mandates results/tables/mandates.csv --out-pdf
results/figures/fig1_operation_quadrant.pdf --out-png results/figures/fig1_....png``.
An empty table gives a figure with a "No data" note rather than an error.
"""

from analysis.figures.coefficients import plot_mandate_coefficients
from analysis.figures.distribution import plot_activity_by_mandate
from analysis.figures.event import plot_event_study
from analysis.figures.heatmaps import plot_operation_quadrant, plot_quadrant_market
from analysis.figures.render import (
    render_fig1,
    render_fig2,
    render_fig3,
    render_fig4,
    render_fig5,
    render_fig8,
)
from analysis.figures.style import FigureInputError, apply_style, save_figure
from analysis.figures.timeline import plot_mandate_timeline

__all__ = [
    "FigureInputError",
    "apply_style",
    "plot_activity_by_mandate",
    "plot_event_study",
    "plot_mandate_coefficients",
    "plot_mandate_timeline",
    "plot_operation_quadrant",
    "plot_quadrant_market",
    "render_fig1",
    "render_fig2",
    "render_fig3",
    "render_fig4",
    "render_fig5",
    "render_fig8",
    "save_figure",
]
