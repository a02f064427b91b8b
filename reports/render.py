"""Rendering a report model as HTML, Markdown or PDF, each a single self-contained file.

HTML and Markdown come from the Jinja2 templates in templates/; the PDF is laid out with fpdf2
(pure Python, installs from PyPI anywhere, no browser or system library needed) from the same
model, with the charts as PNG and DejaVu Sans (shipped with matplotlib) for the text. Nothing
depends on the clock: the PDF's creation date is fixed at the Unix epoch (the reproducible-builds
convention) and its /ID is a hash of its content, so the same data gives the same bytes.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from .model import Chart, Entry, Report, Section, Table

FORMATS = {"html": "text/html; charset=utf-8", "md": "text/markdown; charset=utf-8", "pdf": "application/pdf"}
EXTENSIONS = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".pdf": "pdf"}
TEMPLATES = Path(__file__).parent / "templates"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MARGIN = 16  # mm, on every side of an A4 page


# ---------------------------------------------------------------- HTML and Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def md(text) -> str:
    """Text safe inside Markdown: characters with a meaning there are escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def md_cell(text) -> str:
    return md(text) or " "


@lru_cache(maxsize=2)
def _environment(markdown: bool):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=not markdown,
                      undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters["md"] = md
    env.filters["cell"] = md_cell
    return env


def html(report: Report) -> bytes:
    text = _environment(False).get_template("report.html.j2").render(report=report)
    return (re.sub(r"\n\s*\n+", "\n", text).strip() + "\n").encode("utf-8")


def markdown(report: Report) -> bytes:
    text = _environment(True).get_template("report.md.j2").render(report=report)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return text.encode("utf-8")


# ---------------------------------------------------------------- PDF

def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def pdf(report: Report) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace
    from PIL import Image

    class Document(FPDF):
        def footer(self):
            self.set_y(-11)
            self.set_font("DejaVu", "", 7)
            self.set_text_color(110, 110, 110)
            self.cell(0, 4, f"{report.title} - data version {report.version} - page {self.page_no()}",
                      align="C")

    doc = Document(format="A4")
    doc.set_creation_date(EPOCH)
    doc.set_title(report.title)
    doc.set_subject(f"Reintegration Knowledge Graph report, data version {report.version}")
    doc.set_creator("rkg report")
    doc.set_lang("en")
    fonts = _font_dir()
    for style, file in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf"), ("I", "DejaVuSans-Oblique.ttf"),
                        ("BI", "DejaVuSans-BoldOblique.ttf")):
        doc.add_font("DejaVu", style, str(fonts / file))
    doc.set_margins(MARGIN, MARGIN, MARGIN)
    doc.set_auto_page_break(True, margin=15)
    doc.add_page()
    muted, ink = (90, 98, 109), (31, 41, 51)

    def text(value: str, size: float = 9.5, style: str = "", colour=ink, height: float = 4.8, indent: float = 0):
        doc.set_font("DejaVu", style, size)
        doc.set_text_color(*colour)
        doc.set_x(doc.l_margin + indent)
        doc.multi_cell(doc.epw - indent, height, value, align="L", new_x="LMARGIN", new_y="NEXT")

    def gap(mm: float = 2):
        doc.ln(mm)

    def table(block: Table):
        if block.caption:
            text(block.caption, 8, "I", muted)
        widths = block.widths if len(block.widths) == len(block.columns) else (1,) * len(block.columns)
        doc.set_font("DejaVu", "", 7.2)
        doc.set_text_color(*ink)
        align = tuple("RIGHT" if i in block.numeric else "LEFT" for i in range(len(block.columns)))
        with doc.table(col_widths=widths, text_align=align, line_height=3.6, padding=0.8,
                       borders_layout="HORIZONTAL_LINES", headings_style=FontFace(emphasis="BOLD",
                       fill_color=(240, 243, 247))) as grid:
            for row in [block.columns] + block.rows:
                cells = grid.row()
                for value in row:
                    cells.cell(str(value))
        gap(2)

    def chart(block: Chart):
        png = block.png()
        with Image.open(io.BytesIO(png)) as image:
            px_w, px_h = image.size
        width = min(doc.epw * block.width / 100, px_w / 150 * 25.4)
        height = width * px_h / px_w
        if doc.will_page_break(height + 8):
            doc.add_page()
        doc.image(io.BytesIO(png), x=doc.l_margin + (doc.epw - width) / 2, w=width, h=height)
        text(block.title, 8, "I", muted, 4)
        gap(1)
        if block.table:
            table(block.table)

    def entry(block: Entry):
        if doc.will_page_break(20):
            doc.add_page()
        text(block.title, 9.5, "B")
        if block.text:
            text(block.text, 9)
        for label, value in block.fields:
            doc.set_left_margin(MARGIN + 3)
            doc.set_x(doc.l_margin)
            doc.set_font("DejaVu", "I", 8)
            doc.set_text_color(*muted)
            doc.write(4, f"{label}: ")
            doc.set_font("DejaVu", "", 8)
            doc.set_text_color(*ink)
            doc.write(4, str(value))
            doc.ln(4)
            doc.set_left_margin(MARGIN)
        for citation in block.citations:
            text(f"“{citation.quote}”", 8, "I", ink, 4, indent=6)
            text(f"- {citation.reference()}", 7.2, "", muted, 3.6, indent=6)
        gap(2.5)

    def section(item: Section, depth: int):
        if depth == 1 and item is not report.sections[0] or doc.will_page_break(30):
            doc.add_page()
        doc.start_section(item.title, level=depth - 1)
        text(item.title, {1: 15, 2: 12, 3: 10.5}.get(depth, 10), "B", ink, {1: 8, 2: 6.5}.get(depth, 5.5))
        if item.queries:
            text("Computed by: " + ", ".join(item.queries), 7, "", muted, 3.5)
        if item.explanation:
            text(item.explanation, 8.5, "I", muted, 4.2)
        gap(1.5)
        for block in item.blocks:
            if block.kind == "paragraph":
                text(block.text, 8.5 if block.style else 9.5, "I" if block.style else "", muted if block.style else ink)
                gap(1.5)
            elif block.kind == "bullets":
                for bullet in block.items:
                    text(f"•  {bullet}", 9, indent=3)
                gap(1.5)
            elif block.kind == "table":
                table(block)
            elif block.kind == "chart":
                chart(block)
            elif block.kind == "entry":
                entry(block)
        for sub in item.subsections:
            section(sub, depth + 1)

    text(report.title, 18, "B", ink, 8)
    gap(2)
    sources = "; ".join(f"[{i}] {d.title}" + (f" ({d.publisher}{', ' + d.issued if d.issued else ''})"
                                               if d.publisher else "") for i, d in enumerate(report.documents, 1))
    text(f"Data version {report.version} of the Reintegration Knowledge Graph. Sources: {sources}.", 9, "", muted)
    gap(2)
    text("Every number and statement in this report is computed from the graph by the named queries listed "
         "under each section; only headings and explanations are fixed text. The same data version always "
         "gives the same report.", 8, "I", muted, 4)
    for item in report.sections:
        section(item, 1)
    return bytes(doc.output())


def render(report: Report, fmt: str) -> bytes:
    if fmt == "html":
        return html(report)
    if fmt == "md":
        return markdown(report)
    if fmt == "pdf":
        return pdf(report)
    raise ValueError(f"unknown report format {fmt!r}: use html, md or pdf")
