"""What each synthetic document says, and the true codes of every paragraph.

Reports: the number of OC activity paragraphs is drawn as
``Poisson(n_paragraphs * base_rate * rate_ratio ** explicit_period_start * exp(u_operation))``,
capped at ``max_share * n_paragraphs``. ``explicit_period_start`` is the explicit mandate in
force at the START of the report's reporting period (the operation's previous report date;
for its first report, the adoption of its first resolution: ``ReportPlan.period_mandate``),
since a report describes the preceding period; a renewal adopted during the period acts
from the next report on. The truth files record both that mandate
(``explicit_mandate_period_start``, ``period_start``) and the one in force on the report
date (``explicit_mandate_in_force``); the rest are hard negatives (OC mentioned, no
activity by the operation) and ordinary paragraphs. Resolutions: preambular and operative
paragraphs; the spec decides which carry an explicit OC task for the operation.

Code conventions of the truth (beyond RESEARCH-DESIGN): in resolutions every preambular
paragraph has strength ``reference`` and every operative one the strength of its verb, and
``addressee`` is coded for every operative paragraph; ``quadrant`` is set only for OC
paragraphs that task the operation (resolutions) or are its OC activity (reports); ``market``
is set for every OC paragraph, negatives included; ``activity`` is never true in resolutions.

Phrasing banks (:mod:`analysis.demo.phrasings`): each resolution draws ONE bank, each report
paragraph (and heading, footnote) its own, ``heldout`` with probability ``heldout_share`` of
the spec, else ``tuned``. The bank draws use their own random stream per document
(``default_rng([seed, operation index, 3, 1|2, number])``), so they never move the draws of
the counts (a report's paragraphs, OC activity and negatives are drawn first and do not
depend on the banks) and a spec with ``heldout_share: 0`` gives the tuned-only corpus.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from analysis.demo.model import Document, Heading, Para, codes, long_date
from analysis.demo.phrasings import fill, markets, phrasings, pick
from analysis.demo.plan import OperationPlan, ReportPlan, ResolutionPlan

# The reasons of analysis.vocab.NEGATIVE_REASONS in the order the generator draws from
# (tests/test_demo.py checks they are the same reasons). Not the vocab's order: that one is
# the coding's precedence, and reordering this tuple changes every corpus a seed gives.
REASON_DRAW_ORDER = ("concern_only", "plan", "negation", "postponed", "other_actor")
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]


class Banks:
    """Draws the phrasing bank of each paragraph of one document from its own stream."""

    def __init__(self, spec: dict, op_index: int, kind: int, number: int):
        # kind 1 = resolution, 2 = report (as in the document's text stream)
        self.rng = np.random.default_rng([spec["seed"], op_index, 3, kind, number])
        self.share = float(spec.get("heldout_share", 0.0))

    def __call__(self) -> str:
        return "heldout" if self.rng.random() < self.share else "tuned"


def resolution_bank(spec: dict, op_index: int, number: int) -> str:
    """The phrasing bank of resolution ``number`` of operation ``op_index``."""
    return Banks(spec, op_index, 1, number)()


def document_bank(paras) -> str:
    """The bank of all the paragraphs, ``mixed`` when they differ."""
    banks = {p.bank for p in paras}
    return banks.pop() if len(banks) == 1 else "mixed"


class Fresh:
    """Draws templates without repeating one inside a document until its list is used up."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.used: dict = {}

    def __call__(self, key, items: list, exclude=()):
        used = self.used.setdefault(key, set())
        free = [i for i in range(len(items)) if i not in used and items[i] not in exclude]
        if not free:
            used.clear()
            free = [i for i in range(len(items)) if items[i] not in exclude]
        if not free:
            return None
        k = free[int(self.rng.integers(len(free)))]
        used.add(k)
        return items[k]


def _market(rng: np.random.Generator, plan: OperationPlan) -> str:
    # mostly the operation's own markets, sometimes any market (keeps all ten in play)
    if rng.random() < 0.85:
        return pick(rng, list(plan.op.markets))
    return pick(rng, sorted(markets()))


def _words(text: str, style: str = "normal") -> list[tuple[str, str]]:
    return [(w, style) for w in text.split()]


# ----------------------------------------------------------------------------- resolutions
def _preamble(rng, plan, entry, market=None, extra=None, bank="tuned", **code) -> tuple:
    text = fill(entry["text"], rng, plan.op, market, extra, sentence=False, bank=bank)
    words = _words(entry["open"], "italic") + _words(text)
    return words, codes(part="preambular", strength="reference", market=market,
                        oc=market is not None, **code)


def _operative(rng, plan, entry, market=None, extra=None, bank="tuned", **code) -> tuple:
    text = fill(entry["text"], rng, plan.op, market, extra, sentence=False, bank=bank)
    words = _words(entry["verb"], "italic") + _words(text)
    given = {"part": "operative", "strength": entry.get("strength", "requested"),
             "addressee": entry.get("addressee", "operation"), "market": market,
             "oc": market is not None, **code}
    return words, codes(**given)


def resolution_document(plan: OperationPlan, res: ResolutionPlan, spec: dict) -> Document:
    """The Document of one resolution, with truth codes per paragraph."""
    rng = np.random.default_rng([spec["seed"], plan.index, 1, res.number])
    bank = resolution_bank(spec, plan.index, res.number)
    words = phrasings(bank)["resolution"]
    pre, ope = words["preamble"], words["operative"]
    extra = {"prev": long_date(res.date - dt.timedelta(days=int(rng.integers(10, 40)))),
             "until": long_date(res.date + dt.timedelta(days=365))}
    if res.explicit_mandate:
        mode, pre_oc = "explicit", rng.random() < 0.7
        others = rng.random() < 0.4
    elif rng.random() < spec["resolutions"]["oc_reference_share"]:
        mode = "others" if rng.random() < 0.6 else "preamble_only"
        pre_oc = mode == "preamble_only" or rng.random() < 0.5
        others = mode == "others"
    else:
        mode, pre_oc, others = "none", False, False

    preamble = [_preamble(rng, plan, pre["ordinary"][0], extra=extra, bank=bank)]
    picks = rng.choice(np.arange(1, len(pre["ordinary"])), size=int(rng.integers(2, 5)),
                       replace=False)
    preamble += [_preamble(rng, plan, pre["ordinary"][int(k)], extra=extra, bank=bank)
                 for k in picks]
    if pre_oc:
        oc_para = _preamble(rng, plan, pick(rng, pre["oc"]), _market(rng, plan), extra, bank)
        preamble.insert(int(rng.integers(1, len(preamble) + 1)), oc_para)
    preamble.append(_preamble(rng, plan, pick(rng, pre["determining"]), extra=extra, bank=bank))

    first = ope["establish"][0] if res.number == 1 else pick(rng, ope["renew"])
    operative = [_operative(rng, plan, first, extra=extra, bank=bank)]
    tasks = rng.choice(len(ope["tasks"]), size=int(rng.integers(1, 4)), replace=False)
    middle = [_operative(rng, plan, ope["tasks"][int(k)], extra=extra, bank=bank)
              for k in tasks]
    if mode == "explicit":
        for k in rng.choice(len(ope["explicit"]), size=int(rng.integers(1, 3)), replace=False):
            entry = ope["explicit"][int(k)]
            middle.append(_operative(rng, plan, entry, _market(rng, plan), extra, bank,
                                     quadrant=entry["quadrant"]))
    order = rng.permutation(len(middle))
    operative += [middle[int(k)] for k in order]
    if others:
        for k in rng.choice(len(ope["others"]), size=int(rng.integers(1, 3)), replace=False):
            operative.append(_operative(rng, plan, ope["others"][int(k)], _market(rng, plan),
                                        extra, bank))
    operative.append(_operative(rng, plan, ope["closing"][0], extra=extra, bank=bank))
    operative.append(_operative(rng, plan, ope["seized"][0], extra=extra, bank=bank))

    number = res.symbol.split("/")[-1]  # "DEMO-2101 (2006)"
    doc = Document(res.doc_id, "resolution", res.symbol, res.date,
                   f"Resolution {number} (SYNTHETIC DEMO)", plan.op.acronym, res.job_number)
    doc.blocks.append(Heading(None, "The Security Council,", 0, 1))
    seq = 0
    for words_, code in preamble:
        seq += 1
        doc.blocks.append(Para(seq, None, words_, "preamble", code, bank=bank))
    for k, (words_, code) in enumerate(operative, start=1):
        seq += 1
        doc.blocks.append(Para(seq, f"{k}.", words_, "operative", code, bank=bank))
    paras = doc.paragraphs
    doc.meta = {
        "resolution_number": res.number,
        "explicit_mandate": any(p.codes["oc"] and p.codes["part"] == "operative"
                                and p.codes["addressee"] == "operation"
                                and p.codes["strength"] == "requested" for p in paras),
        "oc_reference": any(p.codes["oc"] for p in paras),
        "bank": bank,
    }
    assert doc.meta["explicit_mandate"] == res.explicit_mandate
    return doc


# ----------------------------------------------------------------------------- reports
def _quadrant(rng, spec) -> str:
    names = sorted(spec["quadrant_weights"])
    weights = np.array([spec["quadrant_weights"][q] for q in names], dtype=float)
    return names[int(rng.choice(len(names), p=weights / weights.sum()))]


def report_document(plan: OperationPlan, rep: ReportPlan, spec: dict,
                    previous: ReportPlan | None) -> Document:
    """The Document of one progress report, with truth codes per paragraph."""
    rng = np.random.default_rng([spec["seed"], plan.index, 2, rep.number])
    banks, eff = Banks(spec, plan.index, 2, rep.number), spec["effect"]
    op = plan.op
    n = int(rng.integers(spec["reports"]["paragraphs"][0], spec["reports"]["paragraphs"][1] + 1))
    explicit = rep.mandate.explicit_mandate  # in force on the report date
    treated = rep.period_mandate.explicit_mandate  # in force when the period began
    lam = n * eff["base_rate"] * eff["rate_ratio"] ** int(treated) * float(np.exp(plan.u))
    k_act = min(int(rng.poisson(lam)), int(eff["max_share"] * n))
    lo, hi = spec["reports"]["negatives"]
    m_neg = max(0, min(int(rng.integers(lo, hi + 1)), n - 3 - k_act))
    n_ord = n - 2 - k_act - m_neg
    res_number = rep.mandate.symbol.split("/")[-1]
    extra = {"res": res_number,
             "prev": long_date(previous.date) if previous else long_date(rep.mandate.date),
             "prevsym": previous.symbol if previous else rep.mandate.symbol}

    # section key -> list of (text, codes, bank)
    sections: dict[str, list] = {k: [] for k in ("introduction", "situation", "security",
                                                 "rights", "stabilization", "support",
                                                 "observations")}
    bank = banks()
    intro = pick(rng, phrasings(bank)["introduction"]["later" if previous else "first"])
    sections["introduction"].append((fill(intro, rng, op, None, extra, bank=bank), codes(),
                                     bank))
    fresh = Fresh(rng)
    for _ in range(k_act):
        quadrant, market = _quadrant(rng, spec), _market(rng, plan)
        bank = banks()
        words = phrasings(bank)
        entry = fresh((bank, quadrant), words["activity"][quadrant])
        text = fill(entry["text"], rng, op, market, extra, bank=bank)
        if rng.random() < 0.45:  # a second sentence of the same quadrant and engagement
            same = [e for e in words["activity"][quadrant]
                    if e["engagement"] == entry["engagement"]]
            second = fresh((bank, quadrant), same, exclude=[entry])
            if second is not None:
                text += " " + fill(second["text"], rng, op, market, extra, bank=bank)
        if rng.random() < 0.4:
            text += " " + fill(fresh((bank, "follow_up"), words["follow_up"]), rng, op, None,
                               extra, bank=bank)
        where = "security" if quadrant.endswith("consequences") else "stabilization"
        sections[where].append((text, codes(oc=True, activity=True, quadrant=quadrant,
                                            market=market, engagement=entry["engagement"]),
                                bank))
    for _ in range(m_neg):
        reason, market = pick(rng, list(REASON_DRAW_ORDER)), _market(rng, plan)
        bank = banks()
        templates = phrasings(bank)["negative"][reason]
        first = fresh((bank, reason), templates)
        text = fill(first, rng, op, market, extra, bank=bank)
        if rng.random() < 0.35:
            text += " " + fill(fresh((bank, reason), templates, exclude=[first]), rng,
                               op, market, extra, bank=bank)
        where = {"concern_only": "situation", "other_actor": "situation", "plan": "observations",
                 "negation": "security", "postponed": "security"}[reason]
        sections[where].append((text, codes(oc=True, market=market, negative_reason=reason),
                                bank))
    for _ in range(n_ord):
        kind = pick(rng, ["context", "activity", "activity", "support"])
        bank = banks()
        templates = phrasings(bank)["ordinary"][kind]
        text = " ".join(fill(fresh((bank, kind), templates), rng, op, None, extra, bank=bank)
                        for _ in range(int(rng.integers(1, 4))))
        where = {"context": "situation", "activity": "rights", "support": "support"}[kind]
        sections[where].append((text, codes(), bank))
    bank = banks()
    sections["observations"].append(
        (fill(pick(rng, phrasings(bank)["observations"]), rng, op, None, extra, bank=bank),
         codes(), bank))
    for key, items in sections.items():
        if key not in ("introduction", "observations"):
            sections[key] = [items[int(i)] for i in rng.permutation(len(items))]

    doc = Document(rep.doc_id, "report", rep.symbol, rep.date,
                   f"Report of the Secretary-General on the {op.name} (SYNTHETIC DEMO)",
                   op.acronym, rep.job_number)
    outline = [("introduction", []), ("situation", []),
               ("mandate", ["security", "rights", "stabilization"]), ("support", []),
               ("observations", [])]
    seq, roman = 0, 0
    for key, subs in outline:
        parts = [(s, sections[s]) for s in subs if sections[s]] if subs else [(None, sections[key])]
        if not any(items for _, items in parts):
            continue
        heads = phrasings(banks())["headings"]
        doc.blocks.append(Heading(f"{ROMAN[roman]}.", pick(rng, heads[key]), 1, seq + 1))
        roman += 1
        for letter, (sub, items) in zip("ABCDEF", parts):
            if sub is not None:
                heads = phrasings(banks())["headings"]
                doc.blocks.append(Heading(f"{letter}.", pick(rng, heads[sub]), 2, seq + 1))
            for text, code, bank in items:
                seq += 1
                doc.blocks.append(Para(seq, f"{seq}.", _words(text), "report", code,
                                       bank=bank))

    paras = doc.paragraphs
    lo, hi = spec["reports"]["footnotes"]
    n_fn = min(int(rng.integers(lo, hi + 1)), len(paras))
    for marker, k in enumerate(sorted(rng.choice(len(paras), size=n_fn, replace=False)), 1):
        para = paras[int(k)]
        # markers sit after punctuation when possible ("...seized in 2010.3"), as in UN reports
        ends = [i for i, (w, _) in enumerate(para.words) if i >= 2 and w[-1] in ".,;"]
        at = pick(rng, ends) if ends else len(para.words) - 1
        bank = banks()
        para.footnotes[at] = (str(marker), fill(pick(rng, phrasings(bank)["footnotes"]), rng,
                                                op, None, extra, bank=bank))
    doc.meta = {
        "report_number": rep.number,
        "explicit_mandate_in_force": explicit,
        "mandate_symbol": rep.mandate.symbol,
        "period_start": rep.period_start.isoformat(),
        "explicit_mandate_period_start": treated,
        "period_mandate_symbol": rep.period_mandate.symbol,
        "u_operation": round(plan.u, 6),
        "expected_oc_activity": round(lam, 6),
        "oc_activity_paragraphs": sum(p.codes["activity"] for p in paras),
        "bank": document_bank(paras),
        "mandate_bank": resolution_bank(spec, plan.index, rep.mandate.number),
    }
    return doc
