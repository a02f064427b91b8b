"""The document model a report is built into, before it is rendered as HTML, Markdown or PDF.

A report is a list of sections; a section holds blocks: paragraphs, bullet lists, tables,
charts, heatmaps (a coloured table whose cells name what they count), key messages and entries
(a measure: a title, labelled fields and the passages of the sources it cites). The three
renderers walk the same model, so the formats say the same things.
"""

from __future__ import annotations

import datetime as dt
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
class Item:
    title: str
    text: str = ""
    note: str = ""  # muted: where it comes from, what the data says
    anchor: str = ""


@dataclass
class Items:
    """A list of titled items (findings by theme, recommendations): the title in bold, then the
    text, then a muted note."""

    items: list[Item]
    kind: ClassVar[str] = "items"


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    numeric: tuple[int, ...] = ()  # indices of right-aligned columns
    caption: str = ""
    widths: tuple[float, ...] = ()  # relative column widths for the PDF (defaults to equal)
    small: bool = False  # a long table of details: smaller type in the PDF
    kind: ClassVar[str] = "table"


@dataclass
class Chart:
    """A figure drawn by `draw` (a function returning a matplotlib Figure), with the numbers it
    shows as a table (printed under it in every format) and a text alternative."""

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
class HeatCell:
    count: int
    lines: list[str]  # what the cell counts, by name
    note: str = ""  # who a thin cell hangs on, or why it is empty
    muted: list[str] = field(default_factory=list)  # named but not counted (ended, planned)
    more: int = 0  # names left out of `lines` in the PDF for space (all are in the appendix)


@dataclass
class Heatmap:
    """A matrix (rows x columns) drawn as a table whose cells are coloured by `count` and name
    the measures they count; `caption` states the counting rule."""

    name: str
    title: str
    caption: str
    rows: list[str]
    columns: list[str]
    cells: list[list[HeatCell]]
    corner: str = ""
    kind: ClassVar[str] = "heatmap"

    @property
    def top(self) -> int:
        return max((c.count for row in self.cells for c in row), default=0)

    def colour(self, count: int) -> tuple[int, int, int]:
        from .charts import heatmap_colour
        red, green, blue = heatmap_colour(count, self.top)
        return round(255 * red), round(255 * green), round(255 * blue)

    def dark(self, count: int) -> bool:
        red, green, blue = self.colour(count)
        return 0.299 * red + 0.587 * green + 0.114 * blue < 140

    def hex(self, count: int) -> str:
        red, green, blue = self.colour(count)
        return f"#{red:02x}{green:02x}{blue:02x}"


@dataclass
class Message:
    """A key message: the gap, its evidence in one line, what answers it and who."""

    number: int
    anchor: str
    headline: str
    evidence: str
    answer: str
    who: str
    kind: ClassVar[str] = "message"


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


Block = Paragraph | Bullets | Items | Table | Chart | Heatmap | Message | Entry


@dataclass
class Section:
    anchor: str
    title: str
    explanation: str = ""
    blocks: list = field(default_factory=list)
    queries: list[str] = field(default_factory=list)  # the queries its numbers come from (listed in the method)
    subsections: list[Section] = field(default_factory=list)
    new_page: bool = False  # start on a new page in the PDF (the key messages)

    def add(self, *blocks) -> Section:
        self.blocks.extend(b for b in blocks if b is not None)
        return self

    def sub(self, section: Section) -> Section:
        self.subsections.append(section)
        return section

    def walk(self):
        yield self
        for sub in self.subsections:
            yield from sub.walk()


@dataclass
class Document:
    id: str
    title: str
    publisher: str = ""
    issued: str = ""
    url: str = ""
    attribution: str = ""

    def cited(self) -> str:
        """'Title. Publisher, 2020-11.'"""
        details = ", ".join(x for x in (self.publisher, self.issued) if x)
        return f"{self.title}. {details}." if details else f"{self.title}."


@dataclass
class Report:
    kind: str  # "country" or "regional"
    key: str  # ISO code or "regional"
    title: str
    version: str
    documents: list[Document]
    sections: list[Section]
    has_data: bool = True
    date: dt.date = field(default_factory=lambda: dt.date(1970, 1, 1))
    subtitle: str = ""

    @property
    def filename_stem(self) -> str:
        return f"rkg-report-{self.key}-{self.version}"

    @property
    def date_text(self) -> str:
        from .facts import long_date
        return long_date(self.date)

    def all_sections(self):
        for section in self.sections:
            yield from section.walk()

    def blocks(self, kind: type) -> list:
        return [b for s in self.all_sections() for b in s.blocks if isinstance(b, kind)]

    def charts(self) -> list[Chart]:
        return self.blocks(Chart)
