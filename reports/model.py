"""The document model a report is built into, before it is rendered as HTML, Markdown or PDF.

A report is a list of sections; a section holds blocks: paragraphs, bullet lists, tables,
charts and entries (a finding, a recommendation, a measure: a title, a statement, labelled
fields and the passages of the sources it cites). The three renderers walk the same model, so
the formats say the same things.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar


@dataclass
class Paragraph:
    text: str
    style: str = ""  # "" or "note" (an explanation, not a finding)
    kind: ClassVar[str] = "paragraph"


@dataclass
class Bullets:
    items: list[str]
    kind: ClassVar[str] = "bullets"


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    numeric: tuple[int, ...] = ()  # indices of right-aligned columns
    caption: str = ""
    widths: tuple[float, ...] = ()  # relative column widths for the PDF (defaults to equal)
    kind: ClassVar[str] = "table"


@dataclass
class Chart:
    """A figure drawn by `draw` (a function returning a matplotlib Figure), with the numbers it
    shows as a table and a text alternative."""

    name: str
    title: str
    alt: str
    draw: Callable
    table: Table | None = None
    width: int = 100  # percent of the text width
    kind: ClassVar[str] = "chart"
    _svg: bytes | None = field(default=None, repr=False)
    _png: bytes | None = field(default=None, repr=False)

    def svg(self) -> bytes:
        if self._svg is None:
            from .charts import to_svg
            self._svg = to_svg(self.draw)
        return self._svg

    def png(self) -> bytes:
        if self._png is None:
            from .charts import to_png
            self._png = to_png(self.draw)
        return self._png

    def svg_data_uri(self) -> str:
        import base64
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg()).decode("ascii")


@dataclass
class Citation:
    document: str  # the document's title
    section: str
    quote: str
    number: int = 0  # the document's number in the report's list of sources (1, 2, ...)

    def reference(self) -> str:
        where = f"[{self.number}]" if self.number else self.document
        return f"{where}, section {self.section}" if self.section else where


@dataclass
class Entry:
    anchor: str
    title: str
    text: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    kind: ClassVar[str] = "entry"


Block = Paragraph | Bullets | Table | Chart | Entry


@dataclass
class Section:
    anchor: str
    title: str
    explanation: str = ""
    blocks: list = field(default_factory=list)
    queries: list[str] = field(default_factory=list)  # the named queries its numbers come from
    subsections: list[Section] = field(default_factory=list)

    def add(self, *blocks) -> Section:
        self.blocks.extend(b for b in blocks if b is not None)
        return self

    def sub(self, section: Section) -> Section:
        self.subsections.append(section)
        return section


@dataclass
class Document:
    id: str
    title: str
    publisher: str = ""
    issued: str = ""


@dataclass
class Report:
    kind: str  # "country" or "regional"
    key: str  # ISO code or "regional"
    title: str
    version: str
    documents: list[Document]
    sections: list[Section]
    has_data: bool = True

    @property
    def filename_stem(self) -> str:
        return f"rkg-report-{self.key}-{self.version}"

    def charts(self) -> list[Chart]:
        found: list[Chart] = []

        def walk(section: Section):
            found.extend(b for b in section.blocks if isinstance(b, Chart))
            for sub in section.subsections:
                walk(sub)
        for section in self.sections:
            walk(section)
        return found
