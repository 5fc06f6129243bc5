"""Problems found in a user's input file, reported all at once with their place.

Every loader of user-edited files (manifest, operations table, codebook, coder sheets)
collects :class:`Problem` objects and raises a :class:`ProblemsError` subclass listing them
all, so a researcher fixes a file in one pass instead of one error per run.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem: the file, the line (1-based, as an editor shows it), the column of a
    table, and what is wrong (with what would fix it)."""

    file: str
    line: int | None
    column: str | None
    message: str

    def _where(self) -> str:
        return f" column '{self.column}':" if self.column else ""

    def __str__(self) -> str:
        place = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{place}:{self._where()} {self.message}"


@dataclass(frozen=True)
class KeyProblem(Problem):
    """A problem in a YAML file: ``column`` holds the key path, e.g. ``markets.drugs[3]``."""

    @property
    def key(self) -> str | None:
        return self.column

    def _where(self) -> str:
        return f" key '{self.column}'" if self.column else ""


class ProblemsError(ValueError):
    """An input file is invalid; ``.problems`` lists every problem found."""

    subject = "the file"

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in {self.subject}:\n{lines}")
