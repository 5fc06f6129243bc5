"""Read and check the demo-corpus spec and the operations it names.

- :func:`load_spec` reads the YAML spec, validates it against
  ``workflow/schemas/demo-spec.schema.yaml`` (JSON schema written in YAML) and fills defaults.
- :func:`load_operations` reads the real facts (name, host countries, years) of the spec's
  operations from ``raw/missions.csv`` (columns acronym, name, hosts, start_year, end_year, ...).

Errors name the file and the key, row or column, and what would fix it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pycountry
import yaml

# src/analysis/demo/spec.py -> repo root is parents[3]
SCHEMA_PATH = Path(__file__).resolve().parents[3] / "workflow" / "schemas" / "demo-spec.schema.yaml"

DEFAULTS = {
    "open_end_year": 2024,
    "heldout_share": 0.0,  # tuned phrasing bank only (specs written before the held-out bank)
    "quadrant_weights": {
        "direct_consequences": 0.3,
        "direct_drivers": 0.15,
        "indirect_consequences": 0.35,
        "indirect_drivers": 0.2,
    },
    "reports": {"count": [4, 8], "paragraphs": [16, 28], "negatives": [2, 5], "footnotes": [1, 3]},
    "resolutions": {"count": [2, 4], "oc_reference_share": 0.6},
}
EFFECT_DEFAULTS = {"operation_sd": 0.4, "max_share": 0.5}
# Ranges whose bounds the design fixes (brief: 2-5 resolutions, 4-12 reports per operation).
RANGE_LIMITS = {
    ("reports", "count"): (4, 12),
    ("reports", "paragraphs"): (8, 60),
    ("resolutions", "count"): (2, 5),
}
# Kosovo has no ISO 3166-1 code; raw/missions.csv uses the user-assigned XKX.
EXTRA_COUNTRIES = {"XKX": "Kosovo"}
# pycountry names written "Congo, The Democratic Republic of the" read badly in prose.
COUNTRY_OVERRIDES = {"COD": "the Democratic Republic of the Congo"}


class SpecError(ValueError):
    """The spec or the missions table cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Operation:
    """Real facts about one operation, plus what the spec says about it."""

    acronym: str
    name: str  # full name, "UN" spelled out
    organisation: str
    hosts: tuple[str, ...]  # ISO3 codes
    countries: tuple[str, ...]  # host country names
    start_year: int
    end_year: int  # open_end_year when the operation is ongoing
    markets: tuple[str, ...]
    explicit_from: int | None
    explicit_until: int | None
    n_resolutions: int | None
    n_reports: int | None

    @property
    def country(self) -> str:
        """Host country (or countries) as one phrase."""
        return " and ".join(self.countries)


def _schema() -> dict:
    with open(SCHEMA_PATH, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_spec(path: str | Path) -> dict:
    """Read the YAML spec at ``path``, validate it, and return it with defaults filled in.

    Raises SpecError naming the file and the key path (e.g. ``effect.rate_ratio``).
    """
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as fh:
            spec = yaml.safe_load(fh)
    except OSError as exc:
        raise SpecError(f"{path}: cannot read the demo spec ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise SpecError(f"{path}: not valid YAML: {exc}") from exc
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(spec), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = []
        for err in errors:
            key = ".".join(str(p) for p in err.absolute_path) or "(top level)"
            lines.append(f"{path}: key '{key}': {err.message}")
        raise SpecError("invalid demo spec (see workflow/schemas/demo-spec.schema.yaml):\n"
                        + "\n".join(lines))
    for key, value in DEFAULTS.items():
        if isinstance(value, dict):
            spec[key] = {**value, **(spec.get(key) or {})}
        else:
            spec.setdefault(key, value)
    spec["effect"] = {**EFFECT_DEFAULTS, **spec["effect"]}
    for (section, key), (lo, hi) in RANGE_LIMITS.items():
        a, b = spec[section][key]
        if not lo <= a <= b <= hi:
            raise SpecError(f"{path}: key '{section}.{key}': [{a}, {b}] must satisfy "
                            f"{lo} <= min <= max <= {hi}")
    seen = set()
    for i, op in enumerate(spec["operations"]):
        if op["acronym"] in seen:
            raise SpecError(f"{path}: key 'operations.{i}.acronym': {op['acronym']} is listed twice")
        seen.add(op["acronym"])
    return spec


def _country_name(code: str) -> str:
    if code in COUNTRY_OVERRIDES:
        return COUNTRY_OVERRIDES[code]
    if code in EXTRA_COUNTRIES:
        return EXTRA_COUNTRIES[code]
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        raise KeyError(code)
    return getattr(country, "common_name", None) or country.name


def _full_name(name: str) -> str:
    # The Figure 2 legend abbreviates "United Nations" and "European Union"; reports spell out.
    if name.startswith("UN "):
        return "United Nations " + name[3:]
    return name


def load_operations(missions_path: str | Path, spec: dict,
                    spec_path: str | Path = "spec") -> list[Operation]:
    """Facts of the spec's operations from ``missions_path``, in spec order.

    Raises SpecError naming the missions file and line, or the spec key, when an acronym is
    missing, a year is not a number or a host code is not ISO3.
    """
    missions_path = Path(missions_path)
    try:
        with open(missions_path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            rows = {row["acronym"].strip(): (reader.line_num, row) for row in reader}
            header = reader.fieldnames or []
    except OSError as exc:
        raise SpecError(f"{missions_path}: cannot read the missions table ({exc.strerror})") \
            from exc
    missing_cols = {"acronym", "name", "organisation", "hosts", "start_year", "end_year"} \
        - set(header)
    if missing_cols:
        raise SpecError(f"{missions_path}: missing column(s) {sorted(missing_cols)}")
    ops = []
    for i, entry in enumerate(spec["operations"]):
        acr = entry["acronym"]
        if acr not in rows:
            raise SpecError(f"{spec_path}: key 'operations.{i}.acronym': {acr} is not in "
                            f"{missions_path} (add a row there or fix the acronym)")
        line, row = rows[acr]
        try:
            start = int(row["start_year"])
            end = int(row["end_year"]) if row["end_year"].strip() else spec["open_end_year"]
        except ValueError as exc:
            raise SpecError(f"{missions_path}:{line}: column 'start_year'/'end_year' of {acr} "
                            f"is not a year") from exc
        hosts = tuple(h.strip() for h in row["hosts"].split(";") if h.strip())
        try:
            countries = tuple(_country_name(h) for h in hosts)
        except KeyError as exc:
            raise SpecError(f"{missions_path}:{line}: column 'hosts' of {acr}: {exc.args[0]} is "
                            f"not an ISO3 country code") from exc
        if not hosts or end < start:
            raise SpecError(f"{missions_path}:{line}: {acr} needs hosts and end_year >= start_year")
        ops.append(Operation(
            acronym=acr, name=_full_name(row["name"].strip()),
            organisation=row["organisation"].strip(), hosts=hosts, countries=countries,
            start_year=start, end_year=min(end, spec["open_end_year"]),
            markets=tuple(entry["markets"]), explicit_from=entry.get("explicit_from"),
            explicit_until=entry.get("explicit_until"), n_resolutions=entry.get("resolutions"),
            n_reports=entry.get("reports"),
        ))
    return ops
