"""Wording variants of the demo corpus, kept as data in two banks of YAML files.

- ``tuned`` (``phrasings.yaml`` + ``markets.yaml``): the bank the codebook was refined on.
- ``heldout`` (``phrasings_heldout.yaml`` + ``markets_heldout.yaml``): written independently
  in the registers of real documents about peace operations, NEVER used to tune the
  codebook; accuracy on its paragraphs is the fairer measure (``heldout_share`` of the spec).

Both banks have the same keys (the held-out one has a few more: ``roles``, ``uniformed``,
``partners``). :func:`phrasings` and :func:`markets` return a bank's parsed files;
:func:`fill` turns a template into text by drawing every ``{placeholder}`` with the caller's
random generator, so the same generator state always gives the same sentence.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import numpy as np
import yaml

from analysis.demo.spec import Operation

HERE = Path(__file__).resolve().parent
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
PLACEHOLDER = re.compile(r"\{(\w+)\}")
BANKS = ("tuned", "heldout")
BANK_FILES = {"tuned": ("phrasings.yaml", "markets.yaml"),
              "heldout": ("phrasings_heldout.yaml", "markets_heldout.yaml")}
# placeholder -> list of the bank that gives its value (the value is filled in turn)
BANK_LISTS = {"area": "areas", "police": "police", "gov": "gov", "partner": "partners"}
# placeholder -> table of the bank keyed by the operation's organisation ("default" else)
BANK_ROLES = {"role": "roles", "uniformed": "uniformed"}
# How a paragraph refers to the operation: acronym, short form ("the Mission"), full name.
OP_STYLES = ("acronym", "short", "full")
OP_STYLE_P = (0.45, 0.4, 0.15)


def _bank_file(bank: str, which: int) -> Path:
    if bank not in BANK_FILES:
        raise ValueError(f"unknown phrasing bank {bank!r}; banks are {', '.join(BANKS)}")
    return HERE / BANK_FILES[bank][which]


@cache
def phrasings(bank: str = "tuned") -> dict:
    """Parsed phrasing file of ``bank`` (templates per paragraph kind)."""
    with open(_bank_file(bank, 0), encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def markets(bank: str = "tuned") -> dict:
    """Parsed market vocabulary of ``bank`` (words per crime market)."""
    with open(_bank_file(bank, 1), encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def short_name(op: Operation) -> str:
    """How a report calls the operation in running text ("the Mission", "the Office"...)."""
    for word in ("Office", "Operation", "Force", "Authority"):
        if word in op.name.split():
            return "the " + word
    if "Administration" in op.name:
        return "the Transitional Administration"
    return "the Mission"


def pick(rng: np.random.Generator, items: list):
    """One item of ``items``, drawn with ``rng``."""
    return items[int(rng.integers(len(items)))]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def fill(template: str, rng: np.random.Generator, op: Operation, market: str | None = None,
         extra: dict | None = None, sentence: bool = True, bank: str = "tuned") -> str:
    """Fill every placeholder of ``template`` (see the head of phrasings.yaml).

    ``extra`` supplies document-specific values ({res}, {prev}, {until}, {prevsym}, {k}).
    A placeholder written with a capital ({Op}, {Crime}) gives a capitalised value;
    ``sentence`` capitalises the first letter of the result. Market words, places, police,
    government, partners and roles come from ``bank``.
    Raises KeyError naming the placeholder, the template and the bank's file when a value
    is missing.
    """
    extra = extra or {}
    vocab = markets(bank)[market] if market else {}
    words = phrasings(bank)

    def value(key: str) -> str:
        if key in extra:
            return str(extra[key])
        if key in ("op", "op_poss"):
            style = OP_STYLES[int(rng.choice(3, p=OP_STYLE_P))]
            ref = {"acronym": op.acronym, "short": short_name(op),
                   "full": "the " + op.name}[style]
            return ref + ("'s" if key == "op_poss" else "")
        if key in vocab:
            return pick(rng, vocab[key])
        if BANK_LISTS.get(key) in words:
            return fill(pick(rng, words[BANK_LISTS[key]]), rng, op, sentence=False, bank=bank)
        if BANK_ROLES.get(key) in words:
            table = words[BANK_ROLES[key]]
            return fill(pick(rng, table.get(op.organisation, table["default"])), rng, op,
                        sentence=False, bank=bank)
        simple = {
            "acr": lambda: op.acronym,
            "name": lambda: op.name,
            "country": lambda: op.country,
            "n": lambda: str(int(rng.integers(3, 41))),
            "n2": lambda: str(int(rng.integers(2, 16))),
            "big": lambda: f"{int(rng.integers(12, 480)) * 10:,}",
            "p": lambda: str(int(rng.integers(3, 26))),
            "month": lambda: pick(rng, MONTHS),
            "k": lambda: "12",
        }
        if key in simple:
            return simple[key]()
        raise KeyError(f"placeholder {{{key}}} has no value (market={market}) in template "
                       f"{template!r} of {_bank_file(bank, 0)}")

    def sub(match: re.Match) -> str:
        key = match.group(1)
        if key[0].isupper():
            return _cap(value(key[0].lower() + key[1:]))
        return value(key)

    text = PLACEHOLDER.sub(sub, template)
    return _cap(text) if sentence else text
