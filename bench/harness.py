"""The small harness every benchmark shares: repeated samples, median/min/max, ratios
against a baseline measured in the same run, the machine, JSON and a table.

A benchmark module exposes ``run(smoke: bool) -> Benchmark``; ``bench/run_all.py`` runs
them all (``make bench``) or once each on small inputs (``make bench-smoke``). Figures are
only ever compared as ratios to their baseline: these machines are shared and noisy.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SCHEMA_VERSION = 1


@dataclass
class Figure:
    """One measured quantity: every sample of it, and what it is compared against."""

    name: str
    unit: str
    samples: list[float]
    #: The name of the figure (same benchmark) this one is divided by; None for a baseline.
    baseline: str | None = None
    higher_is_better: bool = False

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def summary(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "runs": len(self.samples),
            "median": self.median,
            "min": min(self.samples),
            "max": max(self.samples),
            "higher_is_better": self.higher_is_better,
            "baseline": self.baseline,
        }


@dataclass
class Benchmark:
    name: str
    description: str
    figures: dict[str, Figure] = field(default_factory=dict)
    #: Anything else worth keeping with the figures (sizes, counts, budgets).
    notes: dict[str, Any] = field(default_factory=dict)

    def add(
        self,
        name: str,
        unit: str,
        samples: Iterable[float],
        *,
        baseline: str | None = None,
        higher_is_better: bool = False,
    ) -> Figure:
        values = [float(value) for value in samples]
        if not values:
            raise ValueError(f"{self.name}: no samples for {name}")
        if baseline is not None and baseline not in self.figures:
            raise ValueError(f"{self.name}: baseline {baseline!r} not measured (add it first)")
        figure = Figure(name, unit, values, baseline, higher_is_better)
        self.figures[name] = figure
        return figure

    def ratio(self, name: str) -> float | None:
        """The figure's median over its baseline's median."""
        figure = self.figures[name]
        if figure.baseline is None:
            return None
        base = self.figures[figure.baseline].median
        return figure.median / base if base else None

    def to_json(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "figures": {
                name: figure.summary() | {"ratio": self.ratio(name)}
                for name, figure in self.figures.items()
            },
            "notes": self.notes,
        }


def repeat(measure: Callable[[], float], runs: int) -> list[float]:
    """``runs`` samples of ``measure`` (each call returns one figure)."""
    return [measure() for _ in range(runs)]


def interleaved(measures: dict[str, Callable[[], float]], runs: int) -> dict[str, list[float]]:
    """Samples of several measures taken in turn, so that load drift hits them alike."""
    samples: dict[str, list[float]] = {name: [] for name in measures}
    for number in range(runs):
        # Each goes first every other round.
        order = list(measures.items())
        for name, measure in order if number % 2 == 0 else reversed(order):
            samples[name].append(measure())
    return samples


def elapsed_s(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _command_version(command: list[str]) -> str | None:
    if shutil.which(command[0]) is None:
        return None
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None


def _postgres_version() -> str | None:
    try:
        from tests.helpers.postgres import find_server_binaries
    except ImportError:
        return None
    binaries = find_server_binaries()
    return None if binaries is None else binaries.label


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    try:
        import PySide6
        from PySide6 import QtCore

        qt: str | None = f"PySide6 {PySide6.__version__}, Qt {QtCore.qVersion()}"
    except ImportError:
        qt = None
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "cpus": os.cpu_count(),
        "load_average_1m": os.getloadavg()[0],
        "python": sys.version.split()[0],
        "qt": qt,
        "sqlite": sqlite3.sqlite_version,
        "postgresql": _postgres_version() or _command_version(["postgres", "--version"]),
    }


def results(benchmarks: Iterable[Benchmark], *, smoke: bool) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "smoke": smoke,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "benchmarks": {bench.name: bench.to_json() for bench in benchmarks},
    }


def write_json(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)


def table(benchmarks: Iterable[Benchmark]) -> str:
    """A short text table: median (min–max) and the ratio to the baseline."""
    lines = [f"{'benchmark / figure':64} {'median':>10} {'min':>10} {'max':>10} {'ratio':>7}"]
    for bench in benchmarks:
        lines.append(bench.name)
        for name, figure in bench.figures.items():
            ratio = bench.ratio(name)
            shown = f"{ratio:6.2f}x" if ratio is not None else "   base"
            label = f"  {name} [{figure.unit}]"
            lines.append(
                f"{label:64} {figure.median:10.2f} {min(figure.samples):10.2f} "
                f"{max(figure.samples):10.2f} {shown:>7}"
            )
    return "\n".join(lines)
