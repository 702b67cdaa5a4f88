"""The report's plots: matplotlib figures as inline SVG (text kept as text, dense areas as one
embedded image), drawn from the figures' JSON so that a plot never shows a number the JSON lacks.

Each SVG's ids are prefixed with the plot's own name, so that many SVGs live in one page without
clashing; hashes are salted with a constant and the date left out, so a report is reproducible.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullLocator  # noqa: E402

STYLE: dict[str, Any] = {
    "svg.fonttype": "none",
    "text.parse_math": False,  # a title or company name with "$" in it is text, not TeX
    "svg.hashsalt": "marquee",
    "font.size": 9,
    "font.family": "sans-serif",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "figure.dpi": 100,
    "savefig.dpi": 100,
}
BLUE, ORANGE = "#1f5fa8", "#c4520f"  # both at least 4.5:1 against white
_ID = re.compile(r'(id="|url\(#|href="#)([A-Za-z0-9_-]+)')


@contextmanager
def _figure(width: float = 7.0, height: float = 3.2, left: float = 0.75, right: float = 0.25
            ) -> Iterator[tuple[Figure, Axes]]:  # fmt: skip
    """A figure with fixed margins (in inches): a layout engine would cost a draw per plot."""
    with matplotlib.rc_context(STYLE):  # type: ignore[arg-type]  # the stubs want each key as a Literal
        fig, ax = plt.subplots(figsize=(width, height))
        fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=0.55 / height, top=1 - 0.35 / height)
        try:
            yield fig, ax
        finally:
            plt.close(fig)


def _log(ax: Axes, which: str) -> None:
    """A log scale with major ticks only: minor ticks cost most of a plot's drawing time."""
    if which == "x":
        ax.set_xscale("log")
        ax.xaxis.set_minor_locator(NullLocator())
    else:
        ax.set_yscale("log")
        ax.yaxis.set_minor_locator(NullLocator())


def svg(fig: Figure, name: str) -> str:
    """The figure as an `<svg>` element for inline use, its ids prefixed with `name`."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = _ID.sub(lambda m: f"{m.group(1)}{name}-{m.group(2)}", text)
    return text.replace("<svg ", f'<svg role="img" aria-labelledby="{name}-title" ', 1)


def _money(value: float, _: Any = None) -> str:
    for size, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if abs(value) >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def _plain(value: float, _: Any = None) -> str:
    return f"{value:,.0f}" if abs(value) >= 1 else f"{value:g}"


def _axis_formatter(unit: str) -> Callable[[float, Any], str]:
    return _money if "dollars" in unit else _plain


def histogram(name: str, title: str, hist: dict[str, Any], x_label: str, unit: str, y_label: str = "films") -> str:
    """Bars of a histogram kept in the figures (log x axis when the histogram's bins are logarithmic)."""
    edges = np.asarray(hist["edges"])
    counts = np.asarray(hist["counts"])
    with _figure() as (fig, ax):
        ax.stairs(counts, edges, fill=True, color=BLUE, alpha=0.85)
        if hist["log"]:
            _log(ax, "x")
        ax.xaxis.set_major_formatter(FuncFormatter(_axis_formatter(unit)))
        ax.set_title(title)
        ax.set_xlabel(f"{x_label} ({unit}{', log scale' if hist['log'] else ''})")
        ax.set_ylabel(y_label)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        return svg(fig, name)


def overlay(name: str, title: str, old: dict[str, Any], new: dict[str, Any], x_label: str, unit: str,
            labels: tuple[str, str]) -> str:  # fmt: skip
    """Two histograms on the same bins, as shares of each release's films, one over the other."""
    edges = np.asarray(old["edges"])
    with _figure() as (fig, ax):
        for hist, colour, label, style in ((old, BLUE, labels[0], "-"), (new, ORANGE, labels[1], "--")):
            counts = np.asarray(hist["counts"], dtype=np.float64)
            shares = counts / counts.sum() * 100 if counts.sum() else counts
            ax.stairs(shares, edges, color=colour, linewidth=1.6, linestyle=style, label=label)
        if old["log"]:
            _log(ax, "x")
        ax.xaxis.set_major_formatter(FuncFormatter(_axis_formatter(unit)))
        ax.set_title(title)
        ax.set_xlabel(f"{x_label} ({unit}{', log scale' if old['log'] else ''})")
        ax.set_ylabel("share of the release's films (%)")
        ax.legend(frameon=False)
        return svg(fig, name)


def bars(name: str, title: str, labels: Sequence[str], values: Sequence[float], value_label: str,
         horizontal: bool = True, log: bool = False, category_label: str = "") -> str:  # fmt: skip
    """Bars by category (horizontal: longest first, top down)."""
    height = max(2.4, 0.24 * len(labels) + 0.9) if horizontal else 3.2
    left = _label_margin(labels) if horizontal else 0.75
    with _figure(height=height, left=left) as (fig, ax):
        if horizontal:
            positions = np.arange(len(labels))[::-1]
            ax.barh(positions, values, color=BLUE)
            ax.set_yticks(positions, [_short(label) for label in labels])
            ax.set_xlabel(value_label)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.grid(axis="y", visible=False)
            if log:
                _log(ax, "x")
            if category_label:
                ax.set_ylabel(category_label)
        else:
            ax.bar(np.arange(len(labels)), values, color=BLUE)
            ax.set_xticks(np.arange(len(labels)), labels, rotation=0 if len(labels) <= 12 else 90)
            ax.set_ylabel(value_label)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.grid(axis="x", visible=False)
            if category_label:
                ax.set_xlabel(category_label)
        ax.set_title(title)
        return svg(fig, name)


def per_year(name: str, title: str, years: dict[str, int]) -> str:
    counts = {int(year): films for year, films in years.items()}
    first, last = (min(counts), max(counts)) if counts else (0, 0)
    ys = np.asarray([counts.get(year, 0) for year in range(first, last + 1)])
    with _figure() as (fig, ax):
        ax.stairs(ys, np.arange(first, last + 2) - 0.5, fill=True, color=BLUE)  # one artist, not a bar per year
        ax.set_title(title)
        ax.set_xlabel("release year")
        ax.set_ylabel("films released")
        return svg(fig, name)


def density(name: str, title: str, grid: dict[str, Any], x_label: str, y_label: str, diagonal: bool = False) -> str:
    """A 2D histogram (films per cell, log colour scale), drawn as one embedded image."""
    counts = np.asarray(grid["counts"], dtype=np.float64)
    with _figure(height=4.0) as (fig, ax):
        masked = np.ma.masked_equal(counts.T, 0)
        norm = LogNorm(vmin=1, vmax=max(2.0, float(counts.max()) if counts.size else 2.0))
        mesh = ax.pcolormesh(grid["x_edges"], grid["y_edges"], masked, cmap="viridis", norm=norm, rasterized=True)
        if grid["log_x"]:
            _log(ax, "x")
        if grid["log_y"]:
            _log(ax, "y")
        if diagonal and counts.size:
            low = max(grid["x_edges"][0], grid["y_edges"][0])
            high = min(grid["x_edges"][-1], grid["y_edges"][-1])
            ax.plot([low, high], [low, high], color=ORANGE, linewidth=1.2, label="revenue = budget")
            ax.legend(frameon=False, loc="upper left")
        for axis, label, log in ((ax.xaxis, x_label, grid["log_x"]), (ax.yaxis, y_label, grid["log_y"])):
            if log:
                axis.set_major_formatter(FuncFormatter(_money if "dollars" in label else _plain))
        ax.set_title(title)
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        ax.grid(False)
        fig.colorbar(mesh, ax=ax, label="films in the cell", format=FuncFormatter(_plain))
        return svg(fig, name)


def ranges(name: str, title: str, rows: Sequence[dict[str, Any]], value_label: str) -> str:
    """Median with the 25th-75th percentile range, per category (return by genre), log scale."""
    labels = [f"{_short(row['name'])} ({row['films']:,})" for row in rows]
    with _figure(height=max(2.4, 0.24 * len(rows) + 0.9), left=_label_margin(labels)) as (fig, ax):
        positions = np.arange(len(rows))[::-1]
        medians = np.asarray([row["median_return"] for row in rows])
        low = medians - np.asarray([row["p25_return"] for row in rows])
        high = np.asarray([row["p75_return"] for row in rows]) - medians
        ax.errorbar(medians, positions, xerr=[low, high], fmt="o", color=BLUE, ecolor="#6b8fbf", capsize=2)
        ax.axvline(1.0, color=ORANGE, linewidth=1, linestyle="--", label="return = 1 (revenue = budget)")
        _log(ax, "x")
        ax.set_yticks(positions, labels)
        ax.set_xlabel(value_label)
        ax.set_ylabel("genre (films with a known return)")
        ax.legend(frameon=False, loc="lower right")
        ax.set_title(title)
        return svg(fig, name)


def explained_variance(name: str, title: str, ratios: Sequence[float]) -> str:
    values = np.asarray(ratios) * 100
    dims = np.arange(1, len(values) + 1)
    with _figure(right=0.8) as (fig, ax):
        ax.stairs(values, np.arange(len(values) + 1) + 0.5, fill=True, color=BLUE, label="each dimension")
        ax.set_xlabel("SVD dimension (strongest first)")
        ax.set_ylabel("variance explained (%)")
        twin = ax.twinx()
        twin.plot(dims, np.cumsum(values), color=ORANGE, linewidth=1.6, label="cumulative")
        twin.set_ylabel("cumulative variance explained (%)")
        twin.grid(False)
        twin.set_ylim(0, max(1.0, float(np.cumsum(values)[-1]) * 1.1) if values.size else 1.0)
        handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
        ax.legend(handles, ["each dimension", "cumulative"], frameon=False, loc="center right")
        ax.set_title(title)
        return svg(fig, name)


def _label_margin(labels: Sequence[str]) -> float:
    """Inches left of the axes for the longest category label and the axis title."""
    longest = max((len(_short(label)) for label in labels), default=4)
    return 0.45 + 0.065 * longest


def _short(label: str, width: int = 32) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"
