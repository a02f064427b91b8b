"""Charts drawn with matplotlib, written as SVG (HTML) or PNG (PDF), byte for byte reproducible.

matplotlib's SVG output carries a date and random ids unless told otherwise: the style below
fixes `svg.hashsalt`, and `metadata` drops the date (SVG) and the software tag (PNG). Text is
drawn as paths, so a chart looks the same in any browser with no font installed. matplotlib
keeps its settings globally, so drawing and saving hold one lock (the API renders in threads).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Sequence

import matplotlib

matplotlib.use("Agg", force=False)

from matplotlib.colors import Normalize
from matplotlib.figure import Figure

LOCK = threading.RLock()
HEATMAP_CMAP = "YlGnBu"
STATE_COLOUR = "#1b7837"
NON_STATE_COLOUR = "#762a83"
UNKNOWN_COLOUR = "#9e9e9e"
DIMENSION_COLOURS = ("#1f78b4", "#33a02c", "#e31a1c", "#ff7f00", "#6a3d9a", "#b15928")
BAR_COLOUR = "#2c7fb8"
STYLE = {
    "svg.hashsalt": "rkg-report",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "figure.dpi": 100,
}


def _save(draw: Callable[[], Figure], fmt: str, **options) -> bytes:
    # no bbox_inches="tight": it draws the figure twice; every figure lays itself out instead
    # (constrained layout, or axes placed by hand)
    with LOCK, matplotlib.rc_context(STYLE):  # type: ignore[arg-type]
        figure = draw()
        buffer = io.BytesIO()
        figure.savefig(buffer, format=fmt, **options)
    return buffer.getvalue()


DPI = 150


def to_svg(draw: Callable[[], Figure]) -> bytes:
    return _save(draw, "svg", metadata={"Date": None})


def to_png(draw: Callable[[], Figure], dpi: int = DPI) -> bytes:
    return _save(draw, "png", dpi=dpi, metadata={"Software": None})


def wrap(label: str, width: int = 16) -> str:
    """Break a label into lines of about `width` characters at spaces."""
    lines, current = [], ""
    for word in label.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    return "\n".join(lines)


def heatmap_colour(value: float, vmax: float) -> tuple[float, float, float]:
    """The RGB colour (0..1) a heatmap cell of `value` is drawn in (used by the screenshot test)."""
    cmap = matplotlib.colormaps[HEATMAP_CMAP]
    red, green, blue = cmap(Normalize(0, max(vmax, 1))(value))[:3]
    return red, green, blue


def _heatmap_axes(ax, matrix: Sequence[Sequence[int]], rows: Sequence[str], columns: Sequence[str],
                  vmax: float, title: str = "", row_labels: bool = True) -> object:
    norm = Normalize(0, max(vmax, 1))
    image = ax.imshow(matrix, cmap=HEATMAP_CMAP, norm=norm, aspect="auto")
    cmap = matplotlib.colormaps[HEATMAP_CMAP]
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            r, g, b, _ = cmap(norm(value))
            dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.55
            ax.text(j, i, str(value), ha="center", va="center", fontsize=11, fontweight="bold",
                    color="white" if dark else "#222222")
    ax.set_xticks(range(len(columns)), [wrap(c, 12) for c in columns])
    ax.set_yticks(range(len(rows)), [wrap(r, 16) for r in rows] if row_labels else [""] * len(rows))
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks([x - 0.5 for x in range(1, len(columns))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(rows))], minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.tick_params(which="minor", length=0)
    if title:
        ax.set_title(title)
    return image


def heatmap(matrix, rows, columns, vmax=None, xlabel="level", ylabel="dimension") -> Figure:
    """Measures per dimension (rows) x level (columns), with the numbers in the cells."""
    vmax = vmax if vmax is not None else max((max(r) for r in matrix), default=0)
    figure = Figure(figsize=(5.6, 3.3))
    ax = figure.add_subplot()
    image = _heatmap_axes(ax, matrix, rows, columns, vmax)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    bar = figure.colorbar(image, ax=ax, fraction=0.05, pad=0.03)  # type: ignore[arg-type]
    bar.set_label("measures")
    bar.outline.set_visible(False)
    return figure


def heatmaps(panels: Sequence[tuple[str, Sequence[Sequence[int]]]], rows, columns) -> Figure:
    """One heatmap per country on one figure, on a shared colour scale (laid out by hand: constrained
    layout costs more than the drawing)."""
    vmax = max((max(max(r) for r in m) for _, m in panels if m), default=0)
    ncols = 3
    nrows = max(1, -(-len(panels) // ncols))
    height = 2.75 * nrows
    figure = Figure(figsize=(10.5, height))
    figure.subplots_adjust(left=1.15 / 10.5, right=0.9, top=1 - 0.3 / height, bottom=0.35 / height, wspace=0.08,
                           hspace=0.3)
    axes = figure.subplots(nrows, ncols, squeeze=False)
    image = None
    for index, (title, matrix) in enumerate(panels):
        ax = axes[index // ncols][index % ncols]
        image = _heatmap_axes(ax, matrix, rows, columns, vmax, title, row_labels=index % ncols == 0)
    for index in range(len(panels), nrows * ncols):
        axes[index // ncols][index % ncols].set_visible(False)
    if image is not None:
        bar = figure.colorbar(image, cax=figure.add_axes((0.92, 0.2, 0.015, 0.6)))  # type: ignore[arg-type]
        bar.set_label("current programmes (one scale for every country)")
        bar.outline.set_visible(False)
        _integer_ticks(bar.ax.yaxis)
    return figure


def _integer_ticks(axis) -> None:
    """Counts get whole-number ticks only."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def bars(panels: Sequence[tuple[str, Sequence[str], Sequence[float]]], xlabel: str, percent: bool = False) -> Figure:
    """Horizontal bar charts side by side: (title, labels, values) per panel; counts get integer ticks."""
    rows = max((len(labels) for _, labels, _ in panels), default=1)
    height = max(1.5, 0.26 * rows + 1.0)
    figure = Figure(figsize=(3.4 * len(panels) + 0.9, height))
    # laid out by hand (constrained layout costs more than the drawing): room for labels on the left
    # of each panel, the title above and the axis label below
    left = 1.45 / figure.get_figwidth()
    figure.subplots_adjust(left=left, right=0.97, top=1 - 0.42 / height, bottom=0.62 / height,
                           wspace=1.6 / 3.4)
    axes = figure.subplots(1, len(panels), squeeze=False)[0]
    top = max((max(values, default=0) for _, _, values in panels), default=0)
    for ax, (title, labels, values) in zip(axes, panels):
        positions = list(range(len(labels)))
        ax.barh(positions, values, color=BAR_COLOUR, height=0.62)
        ax.set_yticks(positions, [wrap(label, 24) for label in labels])
        ax.invert_yaxis()
        ax.set_xlim(0, max(top, 1) * 1.22)
        for y, value in zip(positions, values):
            text = (f"{value:.1f}".rstrip("0").rstrip(".") + "%") if percent else f"{value:g}"
            ax.text(value + max(top, 1) * 0.02, y, text, va="center", fontsize=8)
        if not percent:
            _integer_ticks(ax.xaxis)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
    return figure


def grouped_bars(groups: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], ylabel: str,
                 title: str = "", integer: bool = False) -> Figure:
    """Vertical grouped bars: one group per category, one bar per series (e.g. country)."""
    figure = Figure(figsize=(8.0, 3.0))
    figure.subplots_adjust(left=0.08, right=0.99, top=0.95, bottom=0.2)
    ax = figure.add_subplot()
    n = max(len(series), 1)
    width = 0.8 / n
    for index, ((name, values), colour) in enumerate(zip(series, PALETTE)):
        xs = [g + (index - (n - 1) / 2) * width for g in range(len(groups))]
        ax.bar(xs, values, width=width * 0.95, color=colour, label=name)
    ax.set_xticks(range(len(groups)), [wrap(g, 18) for g in groups])
    ax.set_ylabel(ylabel)
    if integer:
        _integer_ticks(ax.yaxis)
    if title:
        ax.set_title(title)
    ax.legend(frameon=False, fontsize=8, ncols=min(n, 5), loc="upper right")
    top = max((max(v, default=0) for _, v in series), default=0)
    ax.set_ylim(0, max(top, 1) * 1.25)
    return figure


PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d")


def score_bars(panels: Sequence[tuple[str, Sequence[str], Sequence[tuple[str, Sequence[float | None]]]]],
               xlabel: str) -> Figure:
    """Horizontal grouped bars of scores from 0 to 1: per panel (title, categories, series), one
    group of bars per category and one bar per series, each labelled with its value."""
    rows = max((len(categories) * max(len(series), 1) for _, categories, series in panels), default=1)
    widths = [max(len(categories), 2) for _, categories, _ in panels]
    legend_rows = max((len(series) if width < 3 else 1 for (_, _, series), width in zip(panels, widths)), default=1)
    bottom = 0.75 + 0.17 * legend_rows
    height = max(2.2, 0.17 * rows + 0.4 + bottom)
    figure = Figure(figsize=(8.2, height))
    figure.subplots_adjust(left=1.3 / 8.2, right=0.98, top=1 - 0.35 / height, bottom=bottom / height, wspace=0.55)
    axes = figure.subplots(1, len(panels), squeeze=False, gridspec_kw={"width_ratios": widths})[0]
    axes_height = height - 0.35 - bottom
    for ax, (title, categories, series), width in zip(axes, panels, widths):
        n = max(len(series), 1)
        bar = 0.8 / n
        for index, ((name, values), colour) in enumerate(zip(series, PALETTE)):
            ys = [c + (index - (n - 1) / 2) * bar for c in range(len(categories))]
            shown = [(y, v) for y, v in zip(ys, values) if v is not None]
            ax.barh([y for y, _ in shown], [v for _, v in shown], height=bar * 0.92, color=colour, label=name)
            for y, value in shown:
                ax.text(value + 0.01, y, f"{value:.3f}", va="center", fontsize=7)
        ax.set_yticks(range(len(categories)), [wrap(c, 16) for c in categories])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel(xlabel)
        ax.set_title(title)
        ax.legend(frameon=False, fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.5 / axes_height),
                  ncols=len(series) if width >= 3 else 1)
    return figure


# actor type groups: (key, legend label, colour)
TYPE_GROUPS = (
    ("state", "State bodies", "#1b7837"),
    ("international", "UN and international organisations", "#2166ac"),
    ("donor", "Donors and development agencies", "#e08214"),
    ("civil", "NGOs and civil society", "#762a83"),
    ("private", "Private sector and banks", "#8c510a"),
    ("other", "Other", "#9e9e9e"),
)


def network(nodes: Sequence[tuple[str, str, str, int]], edges: Sequence[tuple[str, str, int]]) -> Figure:
    """The actors with the most programmes on a circle: `nodes` as (id, label, type group, programmes),
    grouped by type (colour) and sized by programmes; a line joins two actors that run a programme
    together, thicker for more. Labels sit outside the circle, inside the figure."""
    import math

    from matplotlib.lines import Line2D

    figure = Figure(figsize=(7.4, 6.0))
    ax = figure.add_axes((0.0, 0.1, 1.0, 0.9))
    ax.set_axis_off()
    ax.set_aspect("equal")
    n = len(nodes)
    if n == 0:
        ax.text(0.5, 0.5, "no actors", ha="center", va="center")
        return figure
    colours = {key: colour for key, _, colour in TYPE_GROUPS}
    angle = {node[0]: math.pi / 2 - 2 * math.pi * i / n for i, node in enumerate(nodes)}
    xy = {node: (math.cos(a), math.sin(a)) for node, a in angle.items()}
    top = max((w for _, _, w in edges), default=1)
    for u, v, w in sorted(edges, key=lambda e: (e[2], e[0], e[1])):
        (x1, y1), (x2, y2) = xy[u], xy[v]
        share = w / top
        ax.plot([x1, x2], [y1, y2], color=(0.35, 0.42, 0.5), alpha=0.25 + 0.5 * share, linewidth=0.6 + 3.0 * share,
                zorder=1, solid_capstyle="round")
    biggest = max((size for *_, size in nodes), default=1) or 1
    for node, label, group, size in nodes:
        x, y = xy[node]
        ax.scatter([x], [y], s=60 + 340 * size / biggest, color=colours.get(group, colours["other"]),
                   edgecolors="white", linewidths=1.0, zorder=2)
        a = angle[node]
        cos, sin = math.cos(a), math.sin(a)
        ax.text(1.13 * cos, 1.13 * sin, wrap(label, 20), fontsize=8, zorder=3, linespacing=1.0,
                ha="left" if cos > 0.2 else ("right" if cos < -0.2 else "center"),
                va="center" if abs(sin) < 0.8 else ("bottom" if sin > 0 else "top"))
    used = [(label, colour) for key, label, colour in TYPE_GROUPS if any(g == key for _, _, g, _ in nodes)]
    handles = [Line2D([], [], marker="o", linestyle="", markersize=8, color=c, label=t) for t, c in used]
    figure.legend(handles=handles, loc="lower center", ncols=min(3, len(handles)), frameon=False, fontsize=8,
                  borderaxespad=0.6, handletextpad=0.3, columnspacing=1.2)
    ax.set_xlim(-1.75, 1.75)
    ax.set_ylim(-1.3, 1.3)
    return figure
