"""The one shape every loading problem takes: file, line, what is wrong, how to fix it."""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass

from ..errors import RkgError


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: int
    code: str
    message: str
    hint: str = ""
    severity: str = "error"

    def format(self) -> str:
        where = f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")
        text = f"{where}: {self.severity}[{self.code}]: {self.message}"
        if self.hint:
            text += f"\n    fix: {self.hint}"
        return text

    def as_dict(self) -> dict:
        return asdict(self)


class LoadError(RkgError):
    """Raised when the curated data does not load; carries every problem found."""

    code = "invalid-data"

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__(f"{len(self.errors)} error(s) in the curated data",
                         problems=[p.as_dict() for p in self.errors])

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def closest(word: str, candidates, n: int = 3) -> list[str]:
    """The candidates nearest to `word`, best first (may be empty)."""
    if len(str(word)) > 200:  # difflib's cost grows with the word: nothing is that long a name
        return []
    candidates = sorted({str(c) for c in candidates})
    found = difflib.get_close_matches(str(word), candidates, n=n, cutoff=0.6)
    if not found:
        lowered = str(word).lower()
        found = [c for c in candidates if lowered and (lowered in c.lower() or c.lower() in lowered)][:n]
    return found


def did_you_mean(word: str, candidates, n: int = 3) -> str:
    near = closest(word, candidates, n)
    if not near:
        return ""
    return "did you mean " + " or ".join(f"'{c}'" for c in near) + "?"
