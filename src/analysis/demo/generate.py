"""What each synthetic document says, and the true codes of every paragraph.

Reports: the number of OC activity paragraphs is drawn as
``Poisson(n_paragraphs * base_rate * rate_ratio ** explicit_in_force * exp(u_operation))``,
capped at ``max_share * n_paragraphs``; the rest are hard negatives (OC mentioned, no
activity by the operation) and ordinary paragraphs. Resolutions: preambular and operative
paragraphs; the spec decides which carry an explicit OC task for the operation.

Code conventions of the truth (beyond RESEARCH-DESIGN): in resolutions every preambular
paragraph has strength ``reference`` and every operative one the strength of its verb, and
``addressee`` is coded for every operative paragraph; ``quadrant`` is set only for OC
paragraphs that task the operation (resolutions) or are its OC activity (reports); ``market``
is set for every OC paragraph, negatives included; ``activity`` is never true in resolutions.
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
def _preamble(rng, plan, entry, market=None, extra=None, **code) -> tuple:
    text = fill(entry["text"], rng, plan.op, market, extra, sentence=False)
    words = _words(entry["open"], "italic") + _words(text)
    return words, codes(part="preambular", strength="reference", market=market,
                        oc=market is not None, **code)


def _operative(rng, plan, entry, market=None, extra=None, **code) -> tuple:
    text = fill(entry["text"], rng, plan.op, market, extra, sentence=False)
    words = _words(entry["verb"], "italic") + _words(text)
    given = {"part": "operative", "strength": entry.get("strength", "requested"),
             "addressee": entry.get("addressee", "operation"), "market": market,
             "oc": market is not None, **code}
    return words, codes(**given)


def resolution_document(plan: OperationPlan, res: ResolutionPlan, spec: dict) -> Document:
    """The Document of one resolution, with truth codes per paragraph."""
    rng = np.random.default_rng([spec["seed"], plan.index, 1, res.number])
    words = phrasings()["resolution"]
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

    preamble = [_preamble(rng, plan, pre["ordinary"][0], extra=extra)]
    picks = rng.choice(np.arange(1, len(pre["ordinary"])), size=int(rng.integers(2, 5)),
                       replace=False)
    preamble += [_preamble(rng, plan, pre["ordinary"][int(k)], extra=extra) for k in picks]
    if pre_oc:
        oc_para = _preamble(rng, plan, pick(rng, pre["oc"]), _market(rng, plan), extra)
        preamble.insert(int(rng.integers(1, len(preamble) + 1)), oc_para)
    preamble.append(_preamble(rng, plan, pick(rng, pre["determining"]), extra=extra))

    first = ope["establish"][0] if res.number == 1 else pick(rng, ope["renew"])
    operative = [_operative(rng, plan, first, extra=extra)]
    tasks = rng.choice(len(ope["tasks"]), size=int(rng.integers(1, 4)), replace=False)
    middle = [_operative(rng, plan, ope["tasks"][int(k)], extra=extra) for k in tasks]
    if mode == "explicit":
        for k in rng.choice(len(ope["explicit"]), size=int(rng.integers(1, 3)), replace=False):
            entry = ope["explicit"][int(k)]
            middle.append(_operative(rng, plan, entry, _market(rng, plan), extra,
                                     quadrant=entry["quadrant"]))
    order = rng.permutation(len(middle))
    operative += [middle[int(k)] for k in order]
    if others:
        for k in rng.choice(len(ope["others"]), size=int(rng.integers(1, 3)), replace=False):
            operative.append(_operative(rng, plan, ope["others"][int(k)], _market(rng, plan),
                                        extra))
    operative.append(_operative(rng, plan, ope["closing"][0], extra=extra))
    operative.append(_operative(rng, plan, ope["seized"][0], extra=extra))

    number = res.symbol.split("/")[-1]  # "DEMO-2101 (2006)"
    doc = Document(res.doc_id, "resolution", res.symbol, res.date,
                   f"Resolution {number} (SYNTHETIC DEMO)", plan.op.acronym, res.job_number)
    doc.blocks.append(Heading(None, "The Security Council,", 0, 1))
    seq = 0
    for words_, code in preamble:
        seq += 1
        doc.blocks.append(Para(seq, None, words_, "preamble", code))
    for k, (words_, code) in enumerate(operative, start=1):
        seq += 1
        doc.blocks.append(Para(seq, f"{k}.", words_, "operative", code))
    paras = doc.paragraphs
    doc.meta = {
        "resolution_number": res.number,
        "explicit_mandate": any(p.codes["oc"] and p.codes["part"] == "operative"
                                and p.codes["addressee"] == "operation"
                                and p.codes["strength"] == "requested" for p in paras),
        "oc_reference": any(p.codes["oc"] for p in paras),
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
    words, eff = phrasings(), spec["effect"]
    op = plan.op
    n = int(rng.integers(spec["reports"]["paragraphs"][0], spec["reports"]["paragraphs"][1] + 1))
    explicit = rep.mandate.explicit_mandate
    lam = n * eff["base_rate"] * eff["rate_ratio"] ** int(explicit) * float(np.exp(plan.u))
    k_act = min(int(rng.poisson(lam)), int(eff["max_share"] * n))
    lo, hi = spec["reports"]["negatives"]
    m_neg = max(0, min(int(rng.integers(lo, hi + 1)), n - 3 - k_act))
    n_ord = n - 2 - k_act - m_neg
    res_number = rep.mandate.symbol.split("/")[-1]
    extra = {"res": res_number,
             "prev": long_date(previous.date) if previous else long_date(rep.mandate.date),
             "prevsym": previous.symbol if previous else rep.mandate.symbol}

    # section key -> list of (text, codes)
    sections: dict[str, list] = {k: [] for k in ("introduction", "situation", "security",
                                                 "rights", "stabilization", "support",
                                                 "observations")}
    intro = pick(rng, words["introduction"]["later" if previous else "first"])
    sections["introduction"].append((fill(intro, rng, op, None, extra), codes()))
    fresh = Fresh(rng)
    for _ in range(k_act):
        quadrant, market = _quadrant(rng, spec), _market(rng, plan)
        entry = fresh(quadrant, words["activity"][quadrant])
        text = fill(entry["text"], rng, op, market, extra)
        if rng.random() < 0.45:  # a second sentence of the same quadrant and engagement
            same = [e for e in words["activity"][quadrant]
                    if e["engagement"] == entry["engagement"]]
            second = fresh(quadrant, same, exclude=[entry])
            if second is not None:
                text += " " + fill(second["text"], rng, op, market, extra)
        if rng.random() < 0.4:
            text += " " + fill(fresh("follow_up", words["follow_up"]), rng, op, None, extra)
        where = "security" if quadrant.endswith("consequences") else "stabilization"
        sections[where].append((text, codes(oc=True, activity=True, quadrant=quadrant,
                                            market=market, engagement=entry["engagement"])))
    for _ in range(m_neg):
        reason, market = pick(rng, list(REASON_DRAW_ORDER)), _market(rng, plan)
        first = fresh(reason, words["negative"][reason])
        text = fill(first, rng, op, market, extra)
        if rng.random() < 0.35:
            text += " " + fill(fresh(reason, words["negative"][reason], exclude=[first]), rng,
                               op, market, extra)
        where = {"concern_only": "situation", "other_actor": "situation", "plan": "observations",
                 "negation": "security", "postponed": "security"}[reason]
        sections[where].append((text, codes(oc=True, market=market, negative_reason=reason)))
    for _ in range(n_ord):
        kind = pick(rng, ["context", "activity", "activity", "support"])
        text = " ".join(fill(fresh(kind, words["ordinary"][kind]), rng, op, None, extra)
                        for _ in range(int(rng.integers(1, 4))))
        where = {"context": "situation", "activity": "rights", "support": "support"}[kind]
        sections[where].append((text, codes()))
    sections["observations"].append(
        (fill(pick(rng, words["observations"]), rng, op, None, extra), codes()))
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
        doc.blocks.append(Heading(f"{ROMAN[roman]}.", pick(rng, words["headings"][key]), 1,
                                  seq + 1))
        roman += 1
        for letter, (sub, items) in zip("ABCDEF", parts):
            if sub is not None:
                doc.blocks.append(Heading(f"{letter}.", pick(rng, words["headings"][sub]), 2,
                                          seq + 1))
            for text, code in items:
                seq += 1
                doc.blocks.append(Para(seq, f"{seq}.", _words(text), "report", code))

    paras = doc.paragraphs
    lo, hi = spec["reports"]["footnotes"]
    n_fn = min(int(rng.integers(lo, hi + 1)), len(paras))
    for marker, k in enumerate(sorted(rng.choice(len(paras), size=n_fn, replace=False)), 1):
        para = paras[int(k)]
        # markers sit after punctuation when possible ("...seized in 2010.3"), as in UN reports
        ends = [i for i, (w, _) in enumerate(para.words) if i >= 2 and w[-1] in ".,;"]
        at = pick(rng, ends) if ends else len(para.words) - 1
        para.footnotes[at] = (str(marker), fill(pick(rng, words["footnotes"]), rng, op, None,
                                                extra))
    doc.meta = {
        "report_number": rep.number,
        "explicit_mandate_in_force": explicit,
        "mandate_symbol": rep.mandate.symbol,
        "u_operation": round(plan.u, 6),
        "expected_oc_activity": round(lam, 6),
        "oc_activity_paragraphs": sum(p.codes["activity"] for p in paras),
    }
    return doc
