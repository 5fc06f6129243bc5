"""The corpus plan: which documents exist, their dates, symbols and mandate in force.

One random stream per operation (``default_rng([seed, index])``), so editing one operation
of the spec leaves the others' documents unchanged. Dates fall inside the operation's real
lifetime (1 January of start_year to 31 December of end_year; ongoing operations end in the
spec's open_end_year). The establishing resolution comes first; reports follow it.

Reporting period: a report describes the period since the operation's previous report (for
its first report, since the adoption of its first resolution) and feeds the renewal that
follows it. ``ReportPlan.period_start`` is that start and ``ReportPlan.period_mandate`` the
resolution in force on it (``mandate``: the one in force on the report date). The
generator lets a report's true OC activity respond to ``period_mandate``
(:func:`analysis.demo.generate.report_document`), the treatment the panel measures by
default (``explicit_mandate`` at ``period_start``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from analysis.demo.spec import Operation, SpecError


@dataclass
class ResolutionPlan:
    op_index: int
    number: int  # 1 = establishing resolution
    date: dt.date
    explicit_mandate: bool
    doc_id: str = ""
    symbol: str = ""
    job_number: str = ""


@dataclass
class ReportPlan:
    op_index: int
    number: int
    date: dt.date
    mandate: ResolutionPlan  # resolution in force at the report date
    period_start: dt.date  # previous report's date; first report: first resolution's date
    period_mandate: ResolutionPlan  # resolution in force at period_start
    doc_id: str = ""
    symbol: str = ""
    job_number: str = ""


@dataclass
class OperationPlan:
    op: Operation
    index: int
    u: float  # operation-level log rate shift
    resolutions: list[ResolutionPlan]
    reports: list[ReportPlan]


def _days(rng: np.random.Generator, first: dt.date, last: dt.date, k: int,
          what: str) -> list[dt.date]:
    """k distinct sorted days in [first, last]."""
    span = (last - first).days + 1
    if span < k:
        raise SpecError(f"{what}: {k} documents do not fit between {first} and {last}")
    offsets = np.sort(rng.choice(span, size=k, replace=False))
    return [first + dt.timedelta(days=int(o)) for o in offsets]


def _count(rng: np.random.Generator, fixed: int | None, bounds: list[int]) -> int:
    return fixed if fixed is not None else int(rng.integers(bounds[0], bounds[1] + 1))


def slug(acronym: str) -> str:
    """doc_id fragment of an acronym: 'EULEX Kosovo' -> 'eulex-kosovo'."""
    return "-".join(acronym.lower().split())


def in_force(resolutions: list[ResolutionPlan], day: dt.date) -> ResolutionPlan:
    """The resolution in force on ``day``: the last one adopted on or before it."""
    return [r for r in resolutions if r.date <= day][-1]


def plan_operation(op: Operation, index: int, spec: dict) -> OperationPlan:
    """Dates and mandate flags of one operation's resolutions and reports."""
    rng = np.random.default_rng([spec["seed"], index])
    u = float(rng.normal(0.0, spec["effect"]["operation_sd"]))
    n_res = _count(rng, op.n_resolutions, spec["resolutions"]["count"])
    if op.explicit_from is not None:
        # an explicit mandate from renewal k needs at least k resolutions
        n_res = max(n_res, min(op.explicit_from, 5))
    n_rep = _count(rng, op.n_reports, spec["reports"]["count"])
    start, end = dt.date(op.start_year, 1, 1), dt.date(op.end_year, 12, 31)
    span = (end - start).days
    est = start + dt.timedelta(days=int(rng.integers(0, max(1, min(200, span // 4)))))
    later_first = est + dt.timedelta(days=min(120, max(1, span // 8)))
    res_days = [est] + _days(rng, later_first, end - dt.timedelta(days=30), n_res - 1,
                             f"{op.acronym} resolutions")
    until = op.explicit_until or 99
    resolutions = [
        ResolutionPlan(index, k + 1, day,
                       op.explicit_from is not None and op.explicit_from <= k + 1 <= until)
        for k, day in enumerate(res_days)
    ]
    rep_days = _days(rng, est + dt.timedelta(days=min(45, max(1, span // 10))), end, n_rep,
                     f"{op.acronym} reports")
    reports = []
    for k, day in enumerate(rep_days):
        begins = rep_days[k - 1] if k else resolutions[0].date
        reports.append(ReportPlan(index, k + 1, day, in_force(resolutions, day), begins,
                                  in_force(resolutions, begins)))
    return OperationPlan(op, index, u, resolutions, reports)


def plan_corpus(ops: list[Operation], spec: dict) -> list[OperationPlan]:
    """Plans of all operations, with doc_ids, demo symbols and job numbers assigned.

    Resolution symbols S/RES/DEMO-<n> (<year>) are numbered 2001, 2002, ... in date order
    over the whole corpus; report symbols are S/DEMO/<year>/<3 digits>, unique per year.
    """
    plans = [plan_operation(op, i, spec) for i, op in enumerate(ops)]
    rng = np.random.default_rng([spec["seed"], 10_000])
    all_res = sorted((r for p in plans for r in p.resolutions),
                     key=lambda r: (r.date, plans[r.op_index].op.acronym))
    for n, res in enumerate(all_res):
        res.symbol = f"S/RES/DEMO-{2001 + n} ({res.date.year})"
    used: dict[int, set[int]] = {}
    all_rep = sorted((r for p in plans for r in p.reports),
                     key=lambda r: (r.date, plans[r.op_index].op.acronym))
    for rep in all_rep:
        taken = used.setdefault(rep.date.year, set())
        number = int(rng.integers(100, 1000))
        while number in taken:
            number = 100 + (number - 99) % 900
        taken.add(number)
        rep.symbol = f"S/DEMO/{rep.date.year}/{number}"
    for doc in all_res + all_rep:
        doc.job_number = f"{doc.date.year % 100:02d}-{int(rng.integers(10000, 100000))} (E)"
    for p in plans:
        for res in p.resolutions:
            res.doc_id = f"demo-res-{slug(p.op.acronym)}-{res.number:02d}"
        for rep in p.reports:
            rep.doc_id = f"demo-rep-{slug(p.op.acronym)}-{rep.number:02d}"
    return plans
