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

from .model import Chart, Entry, Heatmap, Items, Message, Report, Section, Table

FORMATS = {"html": "text/html; charset=utf-8", "md": "text/markdown; charset=utf-8", "pdf": "application/pdf"}
EXTENSIONS = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".pdf": "pdf"}
TEMPLATES = Path(__file__).parent / "templates"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MARGIN = 16  # mm, on every side of an A4 page
FAST_LINE_BREAKING = True  # rkg.reports.pdfspeed: the same bytes, in a fraction of fpdf2's time


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


_PDF_MARKS = re.compile(r"(\*\*|__|--|~~)")


def _plain(text) -> str:
    """Text safe inside fpdf2's markdown (its emphasis markers escaped)."""
    return _PDF_MARKS.sub(r"\\\1", str(text))


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels, from the PNG header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


INK, MUTED, ACCENT, SOFT, LINE = (31, 41, 51), (82, 96, 109), (44, 127, 184), (243, 248, 252), (217, 226, 236)


def pdf(report: Report) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    from . import charts, pdfspeed  # here, not at the top: matplotlib takes 0.5 s to import, and `rkg` imports this

    if FAST_LINE_BREAKING:
        pdfspeed.install()
    title, date, version = report.title, report.date_text, report.version

    class Document(FPDF):
        def footer(self):
            if self.page_no() == 1:
                return
            self.set_y(-11)
            self.set_font("DejaVu", "", 7)
            self.set_text_color(*MUTED)
            self.cell(0, 4, f"{title}  ·  {date}  ·  data version {version}  ·  page {self.page_no()}", align="C")

    doc = Document(format="A4")
    doc.set_creation_date(EPOCH)
    doc.set_title(report.title)
    doc.set_subject(f"Reintegration Knowledge Graph report of {report.date.isoformat()}, data version {report.version}")
    doc.set_creator("rkg report")
    doc.set_lang("en")
    fonts = _font_dir()
    for style, file in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf"), ("I", "DejaVuSans-Oblique.ttf")):
        doc.add_font("DejaVu", style, str(fonts / file))  # (each font costs time to read: no bold italic)
    doc.set_margins(MARGIN, MARGIN, MARGIN)
    doc.set_auto_page_break(True, margin=16)
    doc.add_page()

    def text(value: str, size: float = 9.5, style: str = "", colour=INK, height: float = 4.6, indent: float = 0,
             markdown: bool = False, width: float | None = None):
        doc.set_font("DejaVu", style, size)
        doc.set_text_color(*colour)
        doc.set_x(doc.l_margin + indent)
        doc.multi_cell(width or doc.epw - indent, height, value, align="L", new_x="LMARGIN", new_y="NEXT",
                       markdown=markdown)

    def height_of(value: str, size: float, style: str = "", line: float = 4.6, width: float | None = None,
                  markdown: bool = False) -> float:
        doc.set_font("DejaVu", style, size)
        return float(doc.multi_cell(width or doc.epw, line, value, dry_run=True, output="HEIGHT",  # type: ignore[arg-type]
                                    markdown=markdown))

    def gap(mm: float = 2):
        doc.ln(mm)

    def table(block: Table):
        if doc.will_page_break(18 if len(block.rows) > 2 else 12):
            doc.add_page()  # never a heading row alone at the foot of a page
        if block.caption:
            text(block.caption, 7.6, "I", MUTED, 3.8)
        widths = block.widths if len(block.widths) == len(block.columns) else (1,) * len(block.columns)
        size = 6.6 if block.small else 7.4
        doc.set_font("DejaVu", "", size)
        doc.set_text_color(*INK)
        align = tuple("RIGHT" if i in block.numeric else "LEFT" for i in range(len(block.columns)))
        with doc.table(col_widths=widths, text_align=align, line_height=size * 0.48, padding=(0.7, 0.9),
                       borders_layout="HORIZONTAL_LINES", v_align="TOP",
                       headings_style=FontFace(emphasis="BOLD", fill_color=(240, 243, 247))) as grid:
            for row in [block.columns] + block.rows:
                cells = grid.row()
                for value in row:
                    cells.cell(str(value))
        gap(2.5)

    def chart(block: Chart):
        # PNG, not the SVG the HTML report uses: fpdf2 reads matplotlib's SVG (text drawn as paths)
        # several times slower than matplotlib writes a PNG
        png = block.png()
        px_w, px_h = _png_size(png)
        width = min(doc.epw * block.width / 100, px_w / charts.DPI * 25.4)
        height = width * px_h / px_w
        if doc.will_page_break(height + 10):
            doc.add_page()
        doc.image(io.BytesIO(png), x=doc.l_margin + (doc.epw - width) / 2, w=width, h=height)
        gap(1)
        text(f"{block.title}. Its numbers:", 8, "I", MUTED, 4)
        if block.table:
            table(block.table)

    def heatmap_height(block: Heatmap) -> float:
        # a row's height is its longest cell's lines (about 34 characters each)
        tallest = [max(1 + (1 + len(c.note) // 34 if c.note else 0)
                       + sum(1 + len(n) // 34 for n in (c.lines[:len(c.lines) - c.more] if c.more else c.lines) + c.muted)
                       + bool(c.more) for c in row) for row in block.cells]
        return 12 + sum(3.2 * n + 3.6 for n in tallest)

    def needs(block) -> float:
        """About how much room a block needs to start on the page (a heading is kept with it)."""
        if block.kind == "heatmap":
            return heatmap_height(block)
        if block.kind == "chart":
            px_w, px_h = _png_size(block.png())
            width = min(doc.epw * block.width / 100, px_w / charts.DPI * 25.4)
            return width * px_h / px_w + 10
        return {"message": 40, "table": 22}.get(block.kind, 12)

    def heatmap(block: Heatmap):
        if doc.will_page_break(heatmap_height(block)):  # kept on one page
            doc.add_page()
        text(block.title, 9.5, "B", INK, 5)
        widths = (1.25,) + (2.25,) * len(block.columns)
        with doc.table(col_widths=widths, line_height=2.95, padding=(1.0, 1.4), markdown=True,
                       borders_layout="NONE", v_align="TOP", text_align="LEFT", gutter_width=0.8, gutter_height=0.8,
                       headings_style=FontFace(emphasis="BOLD", fill_color=(240, 243, 247), size_pt=7.5)) as grid:
            doc.set_font("DejaVu", "", 6.4)
            head = grid.row()
            head.cell(_plain(block.corner), style=FontFace(emphasis="ITALICS", color=MUTED, size_pt=6.5))
            for column in block.columns:
                head.cell(_plain(column), align="CENTER")
            for label, row in zip(block.rows, block.cells):
                cells = grid.row()
                cells.cell(f"**{_plain(label)}**", style=FontFace(size_pt=7.5, fill_color=(240, 243, 247)))
                for cell in row:
                    lines = [f"**{cell.count} {'programme' if cell.count == 1 else 'programmes'}**"]
                    if cell.note:
                        lines.append(f"__{_plain(cell.note)}__")
                    shown = cell.lines[:len(cell.lines) - cell.more] if cell.more else cell.lines
                    lines += [f"• {_plain(name)}" for name in shown]
                    if cell.more:
                        lines.append(f"__and {cell.more} more (see the appendix)__")
                    lines += [f"◦ __{_plain(name)}__" for name in cell.muted]
                    dark = block.dark(cell.count)
                    cells.cell("\n".join(lines), style=FontFace(color=(255, 255, 255) if dark else INK,
                                                                fill_color=block.colour(cell.count)))
        gap(1.5)
        text(block.caption, 7.6, "I", MUTED, 3.8)
        gap(2.5)

    def message(block: Message):
        width = doc.epw - 12
        parts = [(f"{block.headline}", 10.5, "B", INK, 5.2), (block.evidence, 8.8, "", INK, 4.3)]
        if block.answer:
            parts.append((f"**Recommendation:** {_plain(block.answer)}", 8.6, "", INK, 4.2))
        if block.who:
            parts.append((f"**Who:** {_plain(block.who)}", 8.6, "", INK, 4.2))
        total = sum(height_of(p, size, style, line, width, markdown=p.startswith("**")) for p, size, style, _, line
                    in parts) + 2.2 * len(parts) + 3
        if doc.will_page_break(total):
            doc.add_page()
        top = doc.get_y()
        doc.set_fill_color(*SOFT)
        doc.rect(doc.l_margin, top, doc.epw, total, style="F")
        doc.set_fill_color(*ACCENT)
        doc.rect(doc.l_margin, top, 1.2, total, style="F")
        doc.set_font("DejaVu", "B", 9)
        doc.set_text_color(255, 255, 255)
        doc.ellipse(doc.l_margin + 3.2, top + 2.2, 5.4, 5.4, style="F")
        doc.set_xy(doc.l_margin + 3.2, top + 2.2)
        doc.cell(5.4, 5.4, str(block.number), align="C")
        doc.set_y(top + 2)
        for value, size, style, colour, line in parts:
            text(value, size, style, colour, line, indent=10, markdown=value.startswith("**"), width=width)
            gap(2.2)
        doc.set_fill_color(255, 255, 255)
        doc.set_y(top + total + 3)

    def items(block: Items):
        for item in block.items:
            body = " ".join(x for x in (f"**{_plain(item.title)}**" if item.title else "", _plain(item.text)) if x)
            if doc.will_page_break(13):
                doc.add_page()
            text(body, 8.6, "", INK, 4.1, indent=3, markdown=True)
            if item.note:
                text(item.note, 7.4, "I", MUTED, 3.6, indent=3)
            gap(1.6)
        gap(1)

    def entry(block: Entry):
        if doc.will_page_break(22):
            doc.add_page()
        text(block.title, 9, "B", INK, 4.4)
        if block.text:
            text(block.text, 8.6)
        for label, value in block.fields:
            text(f"__{_plain(label)}:__ {_plain(value)}", 7.6, "", INK, 3.6, indent=3, markdown=True)
        for citation in block.citations:
            text(f"“{citation.quote}” ({citation.reference()})", 7.2, "I", MUTED, 3.5, indent=3)
        gap(2)

    def section(item: Section, depth: int):
        heading = 14 + (8 if item.explanation else 0)
        opening = item.blocks[:2] if item.blocks else (item.subsections[0].blocks[:2] if item.subsections else [])
        first = needs(opening[0]) if opening else 10
        if len(opening) == 2 and opening[0].kind == "paragraph":
            first += needs(opening[1])  # a sentence and what it is about stay together
        if (item.new_page and doc.get_y() > doc.t_margin + 1) or doc.will_page_break(min(heading + first,
                                                                                      doc.eph - 20)):
            doc.add_page()
        doc.start_section(item.title, level=depth - 1)
        size = {1: 15, 2: 11.5, 3: 10}.get(depth, 10)
        if depth == 1:
            gap(2)
        text(item.title, size, "B", INK if depth > 1 else ACCENT, {1: 7.5, 2: 6}.get(depth, 5.2))
        if item.explanation:
            text(item.explanation, 8, "I", MUTED, 4)
        gap(1.5)
        for block in item.blocks:
            kind = block.kind
            if kind == "paragraph":
                if block.style:
                    text(block.text, 8, "I", MUTED, 4)
                else:
                    text(block.text, 9.2, "", INK, 4.6)
                gap(1.8)
            elif kind == "bullets":
                for bullet in block.items:
                    text(f"•  {bullet}", 9, indent=3)
                gap(1.5)
            elif kind == "items":
                items(block)
            elif kind == "table":
                table(block)
            elif kind == "chart":
                chart(block)
            elif kind == "heatmap":
                heatmap(block)
            elif kind == "message":
                message(block)
            elif kind == "entry":
                entry(block)
        for sub in item.subsections:
            section(sub, depth + 1)

    # the cover: title, date, data version, sources; then the contents on the same page
    doc.set_y(34)
    text(report.title, 21, "B", INK, 9.5)
    if report.subtitle:
        text(report.subtitle, 11.5, "", MUTED, 6)
    gap(3)
    doc.set_draw_color(*ACCENT)
    doc.set_line_width(0.8)
    doc.line(doc.l_margin, doc.get_y(), doc.l_margin + doc.epw, doc.get_y())
    doc.set_line_width(0.2)
    doc.set_draw_color(*LINE)
    gap(5)
    text(f"**Date:** {date}", 11, "", INK, 6, markdown=True)
    text(f"**Data version:** {version} of the Reintegration Knowledge Graph", 10, "", INK, 5.4, markdown=True)
    gap(2)
    text("**Sources**", 9, "", INK, 4.6, markdown=True)
    for number, d in enumerate(report.documents, start=1):
        text(f"[{number}] {d.cited()}", 8.6, "", MUTED, 4.2)
    gap(3)
    text("Every number and statement in this report is computed from the graph, which is curated from the "
         "sources above; it is not a publication of their publishers. The method section says how the numbers "
         "are counted and what the data cannot show. The same data version and date always give the same "
         "report.", 8, "I", MUTED, 4)
    gap(6)

    def contents(pdf, outline):
        pdf.set_x(pdf.l_margin)
        pdf.set_font("DejaVu", "B", 12)
        pdf.set_text_color(*INK)
        pdf.cell(0, 8, "Contents", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        for entry_ in outline:
            if entry_.level > 0:
                continue
            bold = entry_.level == 0
            pdf.set_font("DejaVu", "B" if bold else "", 9.2 if bold else 8.2)
            pdf.set_text_color(*(INK if bold else MUTED))
            indent = 0 if bold else 5
            label = entry_.name
            page = str(entry_.page_number)
            pdf.set_x(pdf.l_margin + indent)
            link = pdf.add_link(page=entry_.page_number)
            room = pdf.epw - indent - 12
            dots = max(0, int((room - pdf.get_string_width(label + "  ")) / pdf.get_string_width(" .")))
            pdf.cell(room, 4.9 if bold else 4.2, f"{label} {' .' * dots}", link=link)
            pdf.cell(12, 4.9 if bold else 4.2, page, align="R", new_x="LMARGIN", new_y="NEXT", link=link)

    doc.insert_toc_placeholder(contents, pages=1)
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
