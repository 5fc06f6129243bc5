# Helpers of the coding-round rules (rounds.smk): the rounds of the config (and the demo's
# simulated round) as names, folders, sheets and codebooks. Nothing else lives here.
import re
import sys

import yaml

MAIN_CODEBOOK = locate(config["codebook"])
with open(MAIN_CODEBOOK, encoding="utf-8") as _handle:
    # The main automated round is named after its codebook's version (e.g. oc-v1).
    MAIN_ROUND = str((yaml.safe_load(_handle) or {}).get("version", "main"))

# SYNTHETIC coders of the demo corpus: a human-style round whose sheets the workflow writes
# from the demo ground truth (never into raw/), so the default run exercises every step.
DEMO_ROUND = "demo-simulated-coders"
DEMO_CODERS = (
    [f"simulated-coder-{k}" for k in range(1, config["demo_coders"] + 1)]
    if config["corpus"] == "demo"
    else []
)


def _rounds():
    """name -> round entry of the config (+ the demo round), checked beyond the schema."""
    entries = list(config.get("rounds") or [])
    if DEMO_CODERS:
        entries.append(
            {
                "name": DEMO_ROUND,
                "folder": f"results/demo/coding/{DEMO_ROUND}",
                "simulated": True,
            }
        )
    out = {}
    for i, entry in enumerate(entries):
        name = entry["name"]
        if name in out or name == MAIN_ROUND:
            raise ValueError(
                f"config key rounds[{i}].name: round {name!r} is used twice (the main "
                f"automated round is {MAIN_ROUND!r}, the codebook's version); rename it"
            )
        if "folder" in entry and not entry.get("simulated"):
            folder = Path(locate(entry["folder"]))
            if not folder.is_dir():
                raise ValueError(
                    f"config key rounds[{i}].folder: {entry['folder']} is not a folder; "
                    f"save each coder's sheet as {entry['folder']}/<coder>.csv"
                )
            sheets = sorted(
                p for p in folder.glob("*.csv") if p.name != "adjudicated.csv"
            )
            if not sheets:
                print(
                    f"rounds: round {name!r} has no coder sheet in {folder} yet; skipped. "
                    f"Export its sheet with: snakemake results/coding/sheets/{name}.csv",
                    file=sys.stderr,
                )
                continue
            entry = {**entry, "sheets": [str(p) for p in sheets], "folder": str(folder)}
        if "codebook" in entry:
            entry = {**entry, "codebook": locate(entry["codebook"])}
        out[name] = entry
    return out


ROUNDS = _rounds()
HUMAN_ROUNDS = [n for n, e in ROUNDS.items() if "folder" in e]
AUTOMATED_ROUNDS = [n for n, e in ROUNDS.items() if "codebook" in e]


def _one_of(names):
    """Wildcard constraint matching exactly these round names (nothing when empty)."""
    return "|".join(re.escape(n) for n in names) if names else "(?!x)x"


def round_sheets(wildcards):
    entry = ROUNDS[wildcards.round]
    if entry.get("simulated"):
        return expand(f"{entry['folder']}/{{coder}}.csv", coder=DEMO_CODERS)
    return entry["sheets"]


def round_adjudicated(wildcards):
    """The round folder's adjudicated.csv when there is one (listed at parse time)."""
    path = Path(ROUNDS[wildcards.round]["folder"]) / "adjudicated.csv"
    return [str(path)] if path.exists() else []


def round_codebook(wildcards):
    return ROUNDS[wildcards.round].get("codebook", MAIN_CODEBOOK)


def sheet_setting(key):
    def value(wildcards):
        return ROUNDS.get(wildcards.round, {}).get(key, config[key])

    return value


ROUND_DIR = "results/coding/rounds/{round}"
ROUND_TARGETS = [
    "results/coding/reliability.csv",
    "results/coding/disagreements.csv",
    "results/models/estimates_by_round.csv",
    *expand("results/coding/sheets/{round}.csv", round=HUMAN_ROUNDS),
]


def _pairs(flag, rows):
    """Command-line options `FLAG A B ...`, one per row, shell-quoted."""
    return " ".join(
        f"{flag} " + " ".join(shlex.quote(str(x)) for x in row) for row in rows
    )


def _round_file(name, table):
    return f"results/coding/rounds/{name}/{table}"


# Options of `analysis.rounds reliability` and `by-round`: one per round, with its files.
RELIABILITY_OPTIONS = " ".join(
    [
        _pairs(
            "--automated",
            [(n, _round_file(n, "coded.parquet")) for n in AUTOMATED_ROUNDS],
        ),
        _pairs(
            "--human",
            [
                (
                    n,
                    *(
                        _round_file(n, t)
                        for t in ("codes.parquet", "consensus.csv", "disagreements.csv")
                    ),
                )
                for n in HUMAN_ROUNDS
            ],
        ),
    ]
)
BY_ROUND_OPTIONS = _pairs(
    "--round",
    [
        (
            n,
            "human" if n in HUMAN_ROUNDS else "automated",
            _round_file(n, "estimates.csv"),
        )
        for n in ROUNDS
    ],
)
