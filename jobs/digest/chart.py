"""A PNG chart of incidents and fatalities per day, drawn with matplotlib's Agg backend.

The Figure API is used without pyplot's global state, so charts can be drawn from worker
threads at the same time.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # before anything imports pyplot: no display on servers

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from jobs.digest.render import clip  # noqa: E402
from jobs.digest.stats import Stats  # noqa: E402


def _title(stats: Stats) -> str:
    where = clip(", ".join(stats.region_labels), 80) if stats.region_labels else "All regions"
    # "$" would start mathtext in matplotlib text.
    return f"{where}: last {stats.days} days".replace("$", r"\$")


def render_chart_png(stats: Stats) -> bytes:
    """Bars for incidents and a line for people killed, one point per day."""
    figure = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    days = [d.day for d in stats.series]
    axes.bar(days, [d.incidents for d in stats.series], color="#4c72b0", label="Incidents")
    axes.set_ylabel("Incidents")
    killed_axes = axes.twinx()
    killed_axes.plot(days, [d.killed for d in stats.series], color="#c44e52", marker="o",
                     label="Killed")
    killed_axes.set_ylabel("Killed")
    for ax in (axes, killed_axes):
        ax.set_ylim(bottom=0)
        ax.yaxis.get_major_locator().set_params(integer=True)
    axes.set_title(_title(stats))
    figure.autofmt_xdate()
    handles = axes.get_legend_handles_labels()[0] + killed_axes.get_legend_handles_labels()[0]
    axes.legend(handles=handles, loc="upper left")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
