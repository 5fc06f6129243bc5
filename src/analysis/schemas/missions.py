"""Schema of the operations reference table (``raw/missions.csv``).

One row per peace operation. Columns and their vocabularies:

- ``acronym``: unique, non-empty; the key every other table uses for an operation.
- ``name``: full English name (as the operation is named in the source of the row).
- ``organisation``: one of :data:`ORGANISATIONS` (``UN PKO`` = UN peacekeeping operation,
  ``UN SPM`` = UN special political mission, ``regional`` = led by a regional body or group
  of states other than the AU/EU/NATO/OSCE, ``coalition`` = ad hoc coalition of states).
- ``kind``: one of :data:`KINDS`, the component that carries the core of the mandate.
- ``hosts``: ``;``-separated ISO 3166-1 alpha-3 codes; Kosovo, which has no official code,
  is written :data:`KOSOVO_CODE` (``XKX``, the user-assigned code used by the EU, IMF and
  World Bank).
- ``start_year``, ``end_year``: calendar years (1945..2100) of deployment; either may be
  empty (``end_year`` empty = ongoing or unknown; see the row's ``source``).
- ``region``: one of :data:`REGIONS`.
- ``aliases``: ``;``-separated other names (former names, French names and acronyms,
  spelling and hyphenation variants). After lower-casing (:func:`alias_key`), no acronym,
  name or alias may belong to two operations, so any name resolves to one operation.
- ``source``: non-empty note of where the row's facts come from.

The DataFrame this schema checks holds the table as loaded by
:func:`analysis.missions.load_missions`: text columns as strings (empty string when blank),
year columns as pandas ``Int64`` (``<NA>`` when blank).
"""

from __future__ import annotations

import re

import pandas as pd
import pandera.pandas as pa
import pycountry
from pandera.typing import Series

COLUMNS: tuple[str, ...] = (
    "acronym",
    "name",
    "organisation",
    "kind",
    "hosts",
    "start_year",
    "end_year",
    "region",
    "aliases",
    "source",
)
ORGANISATIONS: tuple[str, ...] = (
    "UN PKO",
    "UN SPM",
    "EU",
    "AU",
    "NATO",
    "OSCE",
    "regional",
    "coalition",
)
KINDS: tuple[str, ...] = ("military", "police", "civilian", "mixed")
# Regions follow the broad regional chapters of the SIPRI Yearbook's armed-conflict part,
# the institute whose definitions the seed paper uses. North Africa (e.g. Libya) belongs to
# "Middle East and North Africa"; Afghanistan to "Asia and Oceania".
REGIONS: tuple[str, ...] = (
    "Americas",
    "Asia and Oceania",
    "Europe",
    "Middle East and North Africa",
    "Sub-Saharan Africa",
)
KOSOVO_CODE = "XKX"
YEAR_MIN, YEAR_MAX = 1945, 2100
LIST_SEP = ";"

_ISO3 = re.compile(r"[A-Z]{3}")


def split_list(value: str) -> list[str]:
    """Split a ``;``-separated cell into stripped, non-empty items (order kept)."""
    return [item.strip() for item in str(value).split(LIST_SEP) if item.strip()]


def alias_key(text: str) -> str:
    """Normalise a name for look-up: lower-cased, runs of whitespace collapsed."""
    return " ".join(str(text).lower().split())


def invalid_hosts(value: str) -> list[str]:
    """Return the problems of one ``hosts`` cell (empty list when the cell is valid)."""
    codes = split_list(value)
    if not codes:
        return ["no host country given"]
    problems = []
    for code in codes:
        if code == KOSOVO_CODE:
            continue
        if not _ISO3.fullmatch(code) or pycountry.countries.get(alpha_3=code) is None:
            problems.append(f"{code!r} is not an ISO 3166-1 alpha-3 country code")
    if len(set(codes)) != len(codes):
        problems.append("a host code is repeated")
    return problems


def row_keys(row: pd.Series) -> set[str]:
    """All look-up keys (acronym, name, aliases; normalised) of one operation row."""
    names = [row["acronym"], row["name"], *split_list(row["aliases"])]
    return {alias_key(n) for n in names if str(n).strip()}


def alias_clashes(df: pd.DataFrame) -> dict[object, list[str]]:
    """Map row index -> descriptions of keys this row shares with another operation.

    A key is an acronym, name or alias after :func:`alias_key`. Rows with the same acronym
    are left to the acronym uniqueness check, so they are not reported here too.
    """
    owners: dict[str, list[tuple[object, str]]] = {}
    for idx, row in df.iterrows():
        for key in row_keys(row):
            owners.setdefault(key, []).append((idx, str(row["acronym"])))
    clashes: dict[object, list[str]] = {}
    for key, rows in sorted(owners.items()):
        acronyms = {acr for _, acr in rows}
        if len(acronyms) < 2:
            continue
        for idx, acr in rows:
            others = sorted(acronyms - {acr})
            clashes.setdefault(idx, []).append(f"{key!r} also names {', '.join(others)}")
    return clashes


class MissionsSchema(pa.DataFrameModel):
    """Operations reference table; see the module docstring for the contract."""

    acronym: Series[str] = pa.Field(unique=True, str_length={"min_value": 1})
    name: Series[str] = pa.Field(str_length={"min_value": 1})
    organisation: Series[str] = pa.Field(isin=list(ORGANISATIONS))
    kind: Series[str] = pa.Field(isin=list(KINDS))
    hosts: Series[str]
    start_year: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=YEAR_MIN, le=YEAR_MAX)
    end_year: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=YEAR_MIN, le=YEAR_MAX)
    region: Series[str] = pa.Field(isin=list(REGIONS))
    aliases: Series[str]
    source: Series[str] = pa.Field(str_length={"min_value": 1})

    class Config:
        # Users may keep extra columns (notes of their own); the listed ones are required.
        strict = False
        ordered = False

    @pa.check("hosts", name="hosts_iso3", element_wise=True)
    def _hosts_valid(cls, value: str) -> bool:
        return not invalid_hosts(value)

    @pa.check("aliases", name="aliases_no_repeat", element_wise=True)
    def _aliases_not_repeated(cls, value: str) -> bool:
        keys = [alias_key(a) for a in split_list(value)]
        return len(keys) == len(set(keys))

    @pa.dataframe_check(name="years_ordered")
    def _years_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        reversed_ = (df["start_year"] > df["end_year"]).fillna(False)
        return ~reversed_.astype(bool)

    @pa.dataframe_check(name="alias_unique")
    def _aliases_resolve_to_one(cls, df: pd.DataFrame) -> Series[bool]:
        clashing = alias_clashes(df)
        return pd.Series([idx not in clashing for idx in df.index], index=df.index)
