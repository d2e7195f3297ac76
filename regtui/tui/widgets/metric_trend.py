"""A chosen metric across a model's versions: a caption with first, last and change, and a sparkline."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Sparkline, Static


def describe_trend(metric: str, series: list[tuple[str, float]]) -> str:
    """'auc 0.842 → 0.894, up +0.052, 16 versions': words and signs, never colour alone."""
    if not series:
        return f"{metric}: no version reports it"
    first, last = series[0][1], series[-1][1]
    if len(series) == 1:
        return f"{metric} {last:.4g}, one version reports it"
    delta = last - first
    change = "unchanged" if delta == 0 else f"{'up' if delta > 0 else 'down'} {delta:+.3g}"
    return f"{metric} {first:.4g} → {last:.4g}, {change}, {len(series)} versions"


class MetricTrend(Vertical):
    """Shows one metric's trend; the screen chooses the metric."""

    DEFAULT_CSS = """
    MetricTrend {
        height: auto;
        & > #trend-caption { height: auto; color: $text-muted; }
        & > Sparkline { height: 2; }
        & > Sparkline > .sparkline--max-color { color: $accent; }
        & > Sparkline > .sparkline--min-color { color: $primary 60%; }
    }
    """

    def compose(self) -> ComposeResult:
        """Caption over sparkline."""
        yield Static(id="trend-caption")
        yield Sparkline([])

    def show(self, metric: str | None, series: list[tuple[str, float]]) -> None:
        """Show a metric's values across versions (None: no version has metrics)."""
        caption = "no metrics recorded" if metric is None else describe_trend(metric, series)
        self.query_one("#trend-caption", Static).update(Content(caption))
        self.query_one(Sparkline).data = [value for _version, value in series]
