"""Every stage's command line: `python -m analysis.<stage> COMMAND ...`."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from analysis.cli import dispatch, run_command

STAGES = ("corpus", "extract", "coding", "models", "rounds", "paper", "simulation", "figures",
          "demo")


def test_a_command_runs_its_function_with_the_prefix_and_the_arguments(capsys):
    commands = {"say": ("builtins:print", "print", ("hi",))}
    assert dispatch("x", commands, ["say", "there"]) is None
    assert capsys.readouterr().out == "['hi', 'there']\n"


def test_unknown_or_missing_command_lists_the_commands(capsys):
    commands = {"fit": ("analysis.models.run:main", "fit the models")}
    assert dispatch("models", commands, ["fitt"]) == 2
    err = capsys.readouterr().err
    assert "unknown command 'fitt'" in err and "fit  fit the models" in err
    assert dispatch("models", commands, []) == 2
    assert dispatch("models", commands, ["--help"]) == 0
    assert "fit the models" in capsys.readouterr().out


@pytest.mark.parametrize("stage", [s for s in STAGES if s not in ("rounds", "figures", "demo")])
def test_every_command_of_a_stage_names_a_real_function(stage):
    commands = importlib.import_module(f"analysis.{stage}.__main__").COMMANDS
    for name, (target, text, *_) in commands.items():
        module, _, function = target.partition(":")
        assert callable(getattr(importlib.import_module(module), function)), (stage, name)
        assert text


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_answers_help(stage):
    done = subprocess.run([sys.executable, "-m", f"analysis.{stage}", "--help"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "usage" in done.stdout.lower()


def test_run_command_returns_the_exit_code():
    assert run_command("analysis.corpus.summary:main", ["--documents", "nowhere.csv",
                                                        "--quarantine", "nowhere.csv"]) == 0
