"""Checking that a record's quote is verbatim in its source document and section.

The source texts are extractions from PDFs: line breaks fall mid-sentence, words are
hyphenated across lines, typographic quotes vary and ligatures (ffi, fl, ...) came out
as U+FFFD. A quote matches when it equals the source after the same normalisation on
both sides; nothing else is forgiven.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path

_LIGATURE = re.compile(r"ffi|ffl|ff|fi|fl|\ufffd")
_HEADING = re.compile(r"^\s?(\d+(?:\.\d+)*)\.\t")
_TRANSLATE = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                            "\u2013": "-", "\u2014": "-", "\u00a0": " ", "\u2011": "-"})


def normalise(text: str) -> str:
    text = text.translate(_TRANSLATE)
    text = _LIGATURE.sub("\ufffd", text)
    text = re.sub(r"-\s*\n\s*", "-", text)  # a word hyphenated across a line break
    text = re.sub(r"\s+", " ", text)
    return text.strip()


@dataclass
class SourceText:
    """One source document's text, normalised, with its numbered sections located."""

    document: str
    text: str
    numbered_sections: bool
    _starts: list[int] = field(default_factory=list)
    _numbers: list[str] = field(default_factory=list)

    @classmethod
    def from_file(cls, document: str, path: Path, numbered_sections: bool) -> SourceText:
        raw = path.read_text(encoding="utf-8")
        pieces, starts, numbers, offset = [], [], [], 0
        for line in raw.splitlines(keepends=True):
            match = _HEADING.match(line) if numbered_sections else None
            if match:
                starts.append(offset)
                numbers.append(match.group(1))
            pieces.append(line)
            offset += len(line)
        # normalise section by section so that offsets can be mapped back
        normalised, norm_starts, cursor = [], [], 0
        bounds = starts + [len(raw)]
        if not starts or starts[0] != 0:
            bounds = [0] + bounds
            numbers = [""] + numbers
        for begin, end in zip(bounds, bounds[1:]):
            norm_starts.append(cursor)
            chunk = normalise(raw[begin:end]) + " "
            normalised.append(chunk)
            cursor += len(chunk)
        return cls(document, "".join(normalised), numbered_sections, norm_starts, numbers)

    def sections_containing(self, quote: str) -> list[str]:
        """Section numbers where the quote occurs ('' for text before the first heading)."""
        needle = normalise(quote)
        if not needle:
            return []
        found, start = [], self.text.find(needle)
        while start != -1:
            index = bisect.bisect_right(self._starts, start) - 1
            found.append(self._numbers[index] if self._numbers else "")
            start = self.text.find(needle, start + 1)
        return found

    def contains(self, quote: str) -> bool:
        needle = normalise(quote)
        return bool(needle) and needle in self.text


def section_number(section: str) -> str | None:
    """The leading section number of a section label ('3.2.1 Economic support' -> '3.2.1')."""
    match = re.match(r"\s*(\d+(?:\.\d+)*)\b", str(section))
    return match.group(1) if match else None


def in_section(found: list[str], wanted: str) -> bool:
    """True when one of the found sections is the wanted one or lies inside it."""
    return any(f == wanted or f.startswith(wanted + ".") for f in found)
