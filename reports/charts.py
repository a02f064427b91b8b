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
    with LOCK, matplotlib.rc_context(STYLE):  # type: ignore[arg-type]
        figure = draw()
        buffer = io.BytesIO()
        figure.savefig(buffer, format=fmt, bbox_inches="tight", pad_inches=0.08, **options)
    return buffer.getvalue()


def to_svg(draw: Callable[[], Figure]) -> bytes:
    return _save(draw, "svg", metadata={"Date": None})


def to_png(draw: Callable[[], Figure], dpi: int = 150) -> bytes:
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
    """One heatmap per country on one figure, on a shared colour scale."""
    vmax = max((max(max(r) for r in m) for _, m in panels if m), default=0)
    ncols = 3
    nrows = max(1, -(-len(panels) // ncols))
    figure = Figure(figsize=(10.5, 3.0 * nrows), layout="constrained")
    axes = figure.subplots(nrows, ncols, squeeze=False)
    image = None
    for index, (title, matrix) in enumerate(panels):
        ax = axes[index // ncols][index % ncols]
        image = _heatmap_axes(ax, matrix, rows, columns, vmax, title, row_labels=index % ncols == 0)
    for index in range(len(panels), nrows * ncols):
        axes[index // ncols][index % ncols].set_visible(False)
    if image is not None:
        bar = figure.colorbar(image, ax=axes, fraction=0.025, pad=0.02)  # type: ignore[arg-type]
        bar.set_label("measures (same scale for every country)")
        bar.outline.set_visible(False)
    return figure


def bars(panels: Sequence[tuple[str, Sequence[str], Sequence[float]]], xlabel: str, percent: bool = False) -> Figure:
    """Horizontal bar charts side by side: (title, labels, values) per panel."""
    height = max(1.4, 0.32 * max((len(labels) for _, labels, _ in panels), default=1) + 0.9)
    figure = Figure(figsize=(3.4 * len(panels) + 0.6, height), layout="constrained")
    axes = figure.subplots(1, len(panels), squeeze=False)[0]
    top = max((max(values, default=0) for _, _, values in panels), default=0)
    for ax, (title, labels, values) in zip(axes, panels):
        positions = list(range(len(labels)))
        ax.barh(positions, values, color=BAR_COLOUR, height=0.62)
        ax.set_yticks(positions, [wrap(label, 22) for label in labels])
        ax.invert_yaxis()
        ax.set_xlim(0, max(top, 1) * 1.22)
        for y, value in zip(positions, values):
            text = (f"{value:.1f}".rstrip("0").rstrip(".") + "%") if percent else f"{value:g}"
            ax.text(value + max(top, 1) * 0.02, y, text, va="center", fontsize=8)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
    return figure


def stacked_bars(labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], xlabel: str,
                 title: str = "") -> Figure:
    """Horizontal stacked bars: one bar per label, one segment per series (e.g. dimension)."""
    figure = Figure(figsize=(7.2, max(1.6, 0.3 * len(labels) + 1.1)), layout="constrained")
    ax = figure.add_subplot()
    positions = list(range(len(labels)))
    left = [0] * len(labels)
    for (name, values), colour in zip(series, DIMENSION_COLOURS):
        ax.barh(positions, values, left=left, color=colour, label=name, height=0.65)
        left = [a + b for a, b in zip(left, values)]
    ax.set_yticks(positions, [wrap(label, 34) for label in labels])
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    top = max(left, default=0)
    ax.set_xlim(0, max(top, 1) * 1.1)
    ax.xaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
    if title:
        ax.set_title(title)
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    return figure


def grouped_bars(groups: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], ylabel: str,
                 title: str = "") -> Figure:
    """Vertical grouped bars: one group per category, one bar per series (e.g. country)."""
    figure = Figure(figsize=(8.0, 3.0), layout="constrained")
    ax = figure.add_subplot()
    n = max(len(series), 1)
    width = 0.8 / n
    palette = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d")
    for index, ((name, values), colour) in enumerate(zip(series, palette)):
        xs = [g + (index - (n - 1) / 2) * width for g in range(len(groups))]
        ax.bar(xs, values, width=width * 0.95, color=colour, label=name)
    ax.set_xticks(range(len(groups)), [wrap(g, 18) for g in groups])
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(frameon=False, fontsize=8, ncols=min(n, 5), loc="upper right")
    top = max((max(v, default=0) for _, v in series), default=0)
    ax.set_ylim(0, max(top, 1) * 1.25)
    return figure


def network(graph, labels: dict[str, str], state: dict[str, bool | None], order: Sequence[str]) -> Figure:
    """The actor projection on a circle: actors in `order` (e.g. by community), node size by degree,
    colour by State / non-State, chords as links (width and darkness by weight), every actor
    labelled. A circle keeps a dense network readable and needs no random layout."""
    import math

    from matplotlib.lines import Line2D

    n = len(order)
    size = 6.4 if n <= 20 else 8.0
    figure = Figure(figsize=(size + 1.6, size))
    ax = figure.add_subplot()
    ax.set_axis_off()
    ax.set_aspect("equal")
    if n == 0:
        ax.text(0.5, 0.5, "no actors", ha="center", va="center")
        return figure
    angle = {node: math.pi / 2 - 2 * math.pi * i / n for i, node in enumerate(order)}
    xy = {node: (math.cos(a), math.sin(a)) for node, a in angle.items()}
    edges = sorted((min(u, v), max(u, v), graph.edges[u, v].get("weight", 1)) for u, v in graph.edges)
    top = max((w for _, _, w in edges), default=1)
    for u, v, w in sorted(edges, key=lambda e: (e[2], e[0], e[1])):
        (x1, y1), (x2, y2) = xy[u], xy[v]
        share = w / top
        ax.plot([x1, x2], [y1, y2], color=(0.35, 0.45, 0.55), alpha=0.12 + 0.5 * share,
                linewidth=0.4 + 2.4 * share, zorder=1, solid_capstyle="round")
    degree = dict(graph.degree())
    colours = {True: STATE_COLOUR, False: NON_STATE_COLOUR}
    biggest = max(degree.values(), default=1) or 1
    for node in order:
        x, y = xy[node]
        ax.scatter([x], [y], s=30 + 170 * degree.get(node, 0) / biggest,
                   color=colours.get(state.get(node), UNKNOWN_COLOUR),  # type: ignore[arg-type]
                   edgecolors="white", linewidths=0.8, zorder=2)
        a = angle[node]
        ax.text(1.09 * math.cos(a), 1.09 * math.sin(a), labels[node], fontsize=7.5 if n <= 30 else 6.5,
                ha="left" if math.cos(a) > 0.01 else ("right" if math.cos(a) < -0.01 else "center"),
                va="center" if abs(math.sin(a)) < 0.99 else ("bottom" if math.sin(a) > 0 else "top"), zorder=3)
    handles = [Line2D([], [], marker="o", linestyle="", color=c, label=t) for c, t in (
        (STATE_COLOUR, "State actor"), (NON_STATE_COLOUR, "non-State actor"), (UNKNOWN_COLOUR, "not typed"))]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=3, frameon=False, fontsize=8)
    ax.set_xlim(-1.9, 1.9)
    ax.set_ylim(-1.2, 1.2)
    return figure
