# Helpers that turn the config and the manifest into paths, and input functions. Every
# piece of parse-time logic of the workflow lives here; the stage rule files only use it.
import csv
import json
import re
import shlex
import sys
import zlib
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import yaml
from snakemake.exceptions import WorkflowError

BASE = Path(workflow.basedir)
SRC = BASE / "src"
# The analysis package ships with the workflow: jobs find it through the workflow's
# folder, whatever the working directory, installed or not.
sys.path.insert(0, str(SRC))
from analysis.stages import stage_files  # noqa: E402

ENV = "../envs/analysis.yaml"
# The interpreter of the environment Snakemake runs in (activated or not); inside a conda
# environment built by --software-deployment-method conda, that environment's python.
_METHODS = getattr(workflow.deployment_settings, "deployment_method", None) or ()
_PYTHON = "python" if any("conda" in str(m).lower() for m in _METHODS) else sys.executable
PY = f"PYTHONPATH={shlex.quote(str(SRC))}${{PYTHONPATH:+:$PYTHONPATH}} {shlex.quote(_PYTHON)}"


wildcard_constraints:
    doc_id=r"[A-Za-z0-9][A-Za-z0-9_.\-]*",


def code(*entries):
    """The source and data files of the package that a rule runs (a stage such as
    "coding", or one module such as "extract.pdf"), as inputs: an edit reruns the rule."""
    return stage_files(SRC / "analysis", *entries)


def locate(path):
    """A config path: as given if it exists (absolute, or relative to the working
    directory), else relative to the workflow's own folder."""
    given = Path(path)
    if given.is_absolute() or given.exists():
        return str(given)
    shipped = BASE / given
    return str(shipped) if shipped.exists() else str(given)


# --- Which corpus -----------------------------------------------------------------------
# A user who names a manifest means to use it: `--config manifest=my.csv` alone selects the
# manifest corpus (said on the console). A manifest that does not exist stops the run here,
# before any job, with the paths that were tried.
# Keys the user set (--config, --configfile), as opposed to the shipped defaults.
_GIVEN = dict(getattr(workflow.config_settings, "overwrite_config", None) or {})
if "manifest" in _GIVEN and "corpus" not in _GIVEN:
    print(
        f"config: manifest={config['manifest']} was given, so the corpus is that manifest "
        "(corpus=manifest); to build the synthetic demo corpus, do not set manifest.",
        file=sys.stderr,
    )
    config["corpus"] = "manifest"
elif "manifest" in _GIVEN and config["corpus"] == "demo":
    print(
        f"config: corpus=demo, so manifest={config['manifest']} is NOT used; the synthetic "
        "demo corpus is built. Drop corpus=demo to analyse the manifest.",
        file=sys.stderr,
    )

CORPUS = config["corpus"]
DEMO = CORPUS == "demo"
DEMO_MANIFEST = "results/demo/manifest.csv"
STUDY = CORPUS == "study"
if DEMO:
    MANIFEST = DEMO_MANIFEST
elif STUDY:
    MANIFEST = locate(config["study_manifest"])
    if not Path(MANIFEST).is_file():
        raise WorkflowError(
            f"config key study_manifest: {config['study_manifest']} does not exist (looked "
            f"for {Path(config['study_manifest']).resolve()} and "
            f"{BASE / config['study_manifest']}); the shipped one is raw/study/manifest.csv."
        )
    if "manifest" in _GIVEN:
        print(
            f"config: corpus=study, so manifest={config['manifest']} is NOT used; the study "
            f"reads study_manifest={config['study_manifest']}.",
            file=sys.stderr,
        )
else:
    MANIFEST = locate(config["manifest"])
    if not Path(MANIFEST).is_file():
        tried = [str(Path(config["manifest"]).resolve())]
        if not Path(config["manifest"]).is_absolute():
            tried.append(str(BASE / config["manifest"]))
        raise WorkflowError(
            f"config key manifest: the manifest {config['manifest']} does not exist "
            f"(looked for {' and '.join(dict.fromkeys(tried))}). Give the path of your "
            "manifest CSV, e.g. --config corpus=manifest manifest=raw/manifest.csv; "
            "see README, 'Your own documents: the manifest'."
        )

MISSIONS = locate(config["missions"])
MAIN_CODEBOOK = locate(config["codebook"])
CODEBOOK_SCHEMA = str(BASE / "workflow" / "schemas" / "codebook.schema.yaml")
DEMO_SPEC = locate(config["demo_spec"])
DEMO_SPEC_SCHEMA = str(BASE / "workflow" / "schemas" / "demo-spec.schema.yaml")
CONFIG_FILE = str(BASE / "workflow" / "config.yaml")


def fetch_runtime(wildcards, input, attempt):
    """Minutes the download job may take: two requests per manifest row (the document and,
    often, a landing page) at one request per fetch_interval, plus 3 s of transfer, and 10
    minutes more; doubled on a retried job. A cluster kills a job that outruns its
    runtime, so a large manifest asks for more. (A server that stops answering makes the
    fetch skip its documents, so timeouts do not add up over the whole manifest.)"""
    with open(input.manifest, encoding="utf-8") as fh:
        rows = max(sum(1 for _ in fh) - 1, 0)
    per_row = 2 * config["fetch_interval"] + 3  # seconds: two requests and their transfer
    return int((10 + rows * per_row / 60) * attempt)


def study_gate_input(wildcards):
    """The study's gate (stop when documents are missing) before the corpus check; nothing
    for the other corpora."""
    return {"gate": "results/study/availability.csv"} if STUDY else {}


def study_report():
    """After a study run: what the gate said, when it let the run go on (when it stopped
    the run, Snakemake has already shown its log)."""
    log = Path("results/logs/study_gate.log")
    if STUDY and log.is_file() and Path("results/study/availability.csv").is_file():
        text = log.read_text(encoding="utf-8").rstrip()
        if text:
            print(text, file=sys.stderr)


# --- Labelled passages (validation of the coding on real text) --------------------------
# Listed files are checked here, before any job: a missing one stops the run naming it.
def _validation_files():
    given = config.get("validation") or []
    if isinstance(given, str):  # --config validation=one.jsonl
        given = [given]
    files = []
    for i, path in enumerate(given):
        found = locate(path)
        if not Path(found).is_file():
            tried = [str(Path(path).resolve())]
            if not Path(path).is_absolute():
                tried.append(str(BASE / path))
            raise WorkflowError(
                f"config key validation[{i}]: the labelled passage file {path} does not exist "
                f"(looked for {' and '.join(dict.fromkeys(tried))}). List existing JSONL or "
                "CSV files, or validation=[] for none; see README, 'Checking the coding on "
                "your own labelled passages'."
            )
        files.append(found)
    return files


VALIDATION = _validation_files()


# OCR of scanned pages (config ocr, ocr_language): the flags of the corpus check and of
# extraction, and the engine's state as a parameter of the corpus check, so that installing
# the engine after a run re-checks the scans it quarantined.
OCR_FLAGS = (
    f"--ocr --ocr-language {shlex.quote(config['ocr_language'])}" if config["ocr"] else "--no-ocr"
)
OCR_CACHE = "results/extract/ocr-cache"


@lru_cache(maxsize=None)
def ocr_engine_state():
    if not config["ocr"]:
        return "off"
    from analysis.corpus.ocr_engine import engine_status

    ok, message = engine_status(config["ocr_language"])
    return message if not ok else message.split(":", 1)[0]


def corpus_summary():
    """Print what the corpus check accepted and quarantined, and why (end of every run
    that got as far as the corpus check)."""
    from analysis.corpus.summary import summary_lines

    if not Path(rules.check_corpus.output.documents).exists():
        return
    for line in summary_lines(
        rules.check_corpus.output.documents,
        rules.check_corpus.output.quarantine,
        rules.collect_extraction.output.extraction,
        rules.collect_extraction.output.failed,
    ):
        print(line)


# --- Accepted documents (after the check_corpus checkpoint) ----------------------------
def accepted_documents():
    """doc_id -> row of results/corpus/documents.csv (written by the check_corpus
    checkpoint: documents that passed every check)."""
    table = checkpoints.check_corpus.get().output.documents
    return _read_documents(table, Path(table).stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _read_documents(table, mtime_ns):
    # cached by modification time: input functions ask once per job, not once per corpus
    with open(table, newline="", encoding="utf-8") as handle:
        return {row["doc_id"]: row for row in csv.DictReader(handle)}


def document_pdf(wildcards):
    return accepted_documents()[wildcards.doc_id]["path"]


def ocr_pages_possible(wildcards):
    """Pages of a document that extraction may OCR: all of a scan (``needs_ocr``) when OCR
    is on, else 0 (a born-digital document's few image pages cost little)."""
    row = accepted_documents()[wildcards.doc_id]
    if not config["ocr"] or str(row.get("needs_ocr", "")).lower() != "true":
        return 0
    return int(row["n_pages"])


# The documents table of the analysis: the accepted documents whose extraction succeeded
# (written by collect_extraction; every rule after extraction reads it).
EXTRACTED_DOCUMENTS = "results/extract/documents.csv"
EXTRACTED = {
    "paragraphs": "results/extract/{doc_id}.parquet",
    "pages": "results/extract/pages/{doc_id}.parquet",
    "meta": "results/extract/meta/{doc_id}.json",
}


# --- Extraction batches ---------------------------------------------------------------
# A document's batch is a stable hash of its doc_id (crc32, not Python's salted hash()), so
# adding or removing a document changes only its own batch's inputs.
BATCH_DIR = "results/extract/batches/{batch}"


def document_batch(doc_id):
    return f"b{zlib.crc32(doc_id.encode('utf-8')) % config['extract_batches']:04d}"


def extraction_batches():
    """batch -> the accepted doc_ids in it (sorted); only batches with documents."""
    table = checkpoints.check_corpus.get().output.documents
    return _batches(table, Path(table).stat().st_mtime_ns, config["extract_batches"])


@lru_cache(maxsize=4)
def _batches(table, mtime_ns, n_batches):
    out = {}
    for doc_id in sorted(_read_documents(table, mtime_ns)):
        out.setdefault(document_batch(doc_id), []).append(doc_id)
    return out


def batch_pdfs(wildcards):
    docs = accepted_documents()
    return [docs[d]["path"] for d in extraction_batches()[wildcards.batch]]


def batch_doc_options(wildcards):
    docs = accepted_documents()
    return " ".join(
        f"--doc {shlex.quote(d)} {shlex.quote(docs[d]['path'])}"
        for d in extraction_batches()[wildcards.batch]
    )


def batch_ocr_pages(wildcards):
    """Pages the batch may OCR (see ocr_pages_possible)."""
    return sum(
        ocr_pages_possible(SimpleNamespace(doc_id=d))
        for d in extraction_batches()[wildcards.batch]
    )


def batch_pages(wildcards):
    """(pages of the batch's largest document, pages of all its documents), from the corpus
    check's page counts."""
    docs = accepted_documents()
    pages = [int(docs[d].get("n_pages") or 0) for d in extraction_batches()[wildcards.batch]]
    return max(pages, default=0), sum(pages)


def batch_mem_mb(wildcards):
    """Memory of an extraction batch: documents are read one at a time, so it follows the
    largest document's pages; OCR (Tesseract) needs more."""
    largest, _ = batch_pages(wildcards)
    return (1500 if batch_ocr_pages(wildcards) else 800) + 2 * largest


def batch_runtime(wildcards):
    """Minutes for an extraction batch: its pages (a few hundred a second; one minute per
    2,000 pages is ample), and about 1.5 s per page to OCR."""
    _, total = batch_pages(wildcards)
    return 10 + total // 2000 + batch_ocr_pages(wildcards) // 30


def batch_folders(wildcards):
    return expand(BATCH_DIR, batch=sorted(extraction_batches()))


# --- Coding rounds ---------------------------------------------------------------------
with open(MAIN_CODEBOOK, encoding="utf-8") as _handle:
    # The main automated round is named after its codebook's version (e.g. oc-v1).
    MAIN_ROUND = str((yaml.safe_load(_handle) or {}).get("version", "main"))

# SYNTHETIC coders of the demo corpus: a human-style round whose sheets the workflow writes
# from the demo ground truth (never into raw/), so the default run exercises every step.
DEMO_ROUND = "demo-simulated-coders"
DEMO_CODERS = (
    [f"simulated-coder-{k}" for k in range(1, config["demo_coders"] + 1)] if DEMO else []
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
            raise WorkflowError(
                f"config key rounds[{i}].name: round {name!r} is used twice (the main "
                f"automated round is {MAIN_ROUND!r}, the codebook's version); rename it"
            )
        if "folder" in entry and not entry.get("simulated"):
            folder = Path(locate(entry["folder"]))
            if not folder.is_dir():
                raise WorkflowError(
                    f"config key rounds[{i}].folder: {entry['folder']} is not a folder; "
                    f"save each coder's sheet as {entry['folder']}/<coder>.csv"
                )
            sheets = sorted(p for p in folder.glob("*.csv") if p.name != "adjudicated.csv")
            if not sheets:
                print(
                    f"rounds: round {name!r} has no coder sheet in {folder} yet; skipped. "
                    f"Export its sheet with: snakemake results/coding/sheets/{name}.csv",
                    file=sys.stderr,
                )
                continue
            entry = {**entry, "sheets": [str(p) for p in sheets], "folder": str(folder)}
        if "codebook" in entry:
            codebook = locate(entry["codebook"])
            if not Path(codebook).is_file():
                raise WorkflowError(
                    f"config key rounds[{i}].codebook: {entry['codebook']} does not exist"
                )
            entry = {**entry, "codebook": codebook}
        out[name] = entry
    return out


ROUNDS = _rounds()
HUMAN_ROUNDS = [n for n, e in ROUNDS.items() if "folder" in e]
AUTOMATED_ROUNDS = [n for n, e in ROUNDS.items() if "codebook" in e]
ROUND_DIR = "results/coding/rounds/{round}"


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


def round_file(name, table):
    return str(Path(ROUND_DIR.format(round=name)) / table)


def options(flag, rows):
    """Command-line options `FLAG A B ...`, one per row, shell-quoted."""
    return " ".join(f"{flag} " + " ".join(shlex.quote(str(x)) for x in row) for row in rows)


HUMAN_TABLES = ("codes.parquet", "consensus.csv", "disagreements.csv")
# Options of `analysis.rounds reliability` and `by-round`: one per round, with its files.
RELIABILITY_OPTIONS = " ".join(
    [
        options("--automated", [(n, round_file(n, "coded.parquet")) for n in AUTOMATED_ROUNDS]),
        options(
            "--human",
            [(n, *(round_file(n, t) for t in HUMAN_TABLES)) for n in HUMAN_ROUNDS],
        ),
    ]
)
BY_ROUND_OPTIONS = options(
    "--round",
    [
        (n, "human" if n in HUMAN_ROUNDS else "automated", round_file(n, "estimates.csv"))
        for n in ROUNDS
    ],
)

# Coder sheets of every human round, and the round's adjudicated.csv when there is one, as
# inputs of provenance: a changed sheet rebuilds the record. The demo's simulated sheets
# are outputs of rule demo_coders.
CODER_SHEETS = {
    name: (
        expand(f"{ROUNDS[name]['folder']}/{{coder}}.csv", coder=DEMO_CODERS)
        if ROUNDS[name].get("simulated")
        else [
            *ROUNDS[name]["sheets"],
            *(
                str(adjudicated)
                for adjudicated in [Path(ROUNDS[name]["folder"]) / "adjudicated.csv"]
                if adjudicated.exists()
            ),
        ]
    )
    for name in HUMAN_ROUNDS
}
CODER_SHEET_OPTIONS = options(
    "--coder-sheets", [(name, *files) for name, files in CODER_SHEETS.items()]
)


# --- Figures ---------------------------------------------------------------------------
# name -> title; each is drawn by rule `figure` from the tables of FIGURE_TABLES.
FIGURES = {
    "fig1_operation_quadrant": "Figure 1: OC activity by operation and quadrant",
    "fig2_quadrant_market": "Figure 2: OC activity by quadrant and crime market",
    "fig3_mandate_coefficients": "Figure 3: explicit-mandate estimate of every model",
    "fig4_mandate_timeline": "Figure 4: mandate periods and OC activity per report",
    "fig5_activity_by_mandate": "Figure 5: OC activity per report by mandate in force",
    "fig6_reliability": "Figure 6: reliability of the coding by variable and round",
    "fig7_rounds": "Figure 7: explicit-mandate estimate by coding round",
    "fig8_event_study": "Figure 8: event study of the explicit mandate (leads, lags, pre-trend test)",
}
# name -> {table: (rule, output)}; a table's option of `python -m analysis.figures figN`
# is --<table> (underscores as dashes).
FIGURE_TABLES = {
    "fig1_operation_quadrant": {
        "mission_activity": ("build_tables", "activity"),
        "mandates": ("build_tables", "mandates"),
    },
    "fig2_quadrant_market": {"mission_activity": ("build_tables", "activity")},
    "fig3_mandate_coefficients": {"estimates": ("fit_models", "estimates")},
    "fig4_mandate_timeline": {
        "panel": ("build_tables", "panel"),
        "mandates": ("build_tables", "mandates"),
    },
    "fig5_activity_by_mandate": {"panel": ("build_tables", "panel")},
    "fig6_reliability": {"reliability": ("reliability", "reliability")},
    "fig7_rounds": {"estimates_by_round": ("estimates_by_round", 0)},
    "fig8_event_study": {"estimates": ("fit_models", "estimates")},
}
FIGURE_FILES = expand("results/figures/{figure}.{ext}", figure=FIGURES, ext=("pdf", "png"))


def figure_tables(wildcards):
    """Input function: the tables a figure is drawn from, as outputs of their rules."""
    return {
        table: getattr(rules, rule).output[output]
        for table, (rule, output) in FIGURE_TABLES[wildcards.figure].items()
    }


def figure_options(wildcards, input):
    return " ".join(
        f"--{name.replace('_', '-')} {shlex.quote(str(input[name]))}"
        for name in FIGURE_TABLES[wildcards.figure]
    )


# --- Simulation check ------------------------------------------------------------------
# The fast path is part of every build (the paper's headline estimator is chosen from it);
# the full-pipeline path is built on request (`snakemake simulation`), and in the default
# build and the paper only with `simulation: true` in the config.
SIMULATION = bool(config["simulation"])


# --- Models ----------------------------------------------------------------------------
def coding_error_input(wildcards):
    """Input function (fit_models): where the precision and recall of the coding were
    measured, for the estimate carrying coding error: the demo corpus's accuracy against
    its ground truth; otherwise the validation table of labelled passages when configured;
    otherwise none (that estimate is then not_fitted, saying why)."""
    if DEMO:
        return {"coding_accuracy": rules.coding_accuracy.output.accuracy}
    if VALIDATION:
        return {"validation_table": rules.validate_coding.output.validation}
    return {}


def coding_error_option(wildcards, input):
    for key in ("coding_accuracy", "validation_table"):
        if key in input.keys():
            return f"--{key.replace('_', '-')} {shlex.quote(str(input[key]))}"
    return ""


# --- Paper -----------------------------------------------------------------------------
# Formatted tables written beside numbers.json (analysis.paper.TABLES).
PAPER_TABLES = [
    "corpus",
    "documents",
    "excluded",
    "activity_by_mandate",
    "estimates",
    "estimates_notes",
    "accuracy",
    "simulation",
    "reliability",
    "rounds",
]
# Figures the paper shows, slot figN from the file name prefix (analysis.paper.build).
PAPER_FIGURES = expand("results/figures/{figure}.pdf", figure=FIGURES)


def paper_optional_inputs(wildcards):
    """Input function (paper numbers): the demo corpus's coding accuracy against its ground
    truth and the spec it was generated from (true effect); the fast simulation check and
    its headline choice (always: the headline estimator is chosen from it); the validation
    table when labelled passages are
    configured."""
    inputs = {}
    if DEMO:
        inputs.update(accuracy=rules.coding_accuracy.output.accuracy, demo_spec=DEMO_SPEC)
    inputs.update(simulation=rules.simulation_fast.output.summary,
                  simulation_headline=rules.simulation_fast.output.headline)
    if VALIDATION:
        inputs.update(validation=rules.validate_coding.output.validation,
                      validation_files=VALIDATION)
    return inputs


def paper_optional_options(wildcards, input):
    """`--accuracy F --demo-spec F --simulation F --validation F --validation-files F ...`,
    for those of them that are inputs."""
    present = [k for k in ("accuracy", "demo_spec", "simulation", "simulation_headline",
                           "validation") if k in input.keys()]
    options = [f"--{key.replace('_', '-')} {shlex.quote(str(input[key]))}" for key in present]
    if "validation_files" in input.keys():
        files = input.validation_files
        files = [files] if isinstance(files, str) else list(files)
        options.append("--validation-files " + " ".join(shlex.quote(str(f)) for f in files))
    return " ".join(options)
