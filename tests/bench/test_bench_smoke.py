"""Every benchmark in ``bench/`` runs once on small inputs (``make bench-smoke``), so none
of them rots: that they run and write well-formed results, never how fast."""

from __future__ import annotations

import json
import math
from pathlib import Path

from bench import run_all


def test_every_benchmark_runs_and_reports(tmp_path: Path) -> None:
    output = tmp_path / "smoke.json"
    assert run_all.main(["--smoke", "--output", str(output)]) == 0
    results = json.loads(output.read_text(encoding="utf-8"))
    assert results["smoke"] is True
    assert {"python", "sqlite", "qt", "cpus"} <= set(results["machine"])
    assert set(results["benchmarks"]) == set(run_all.BENCHMARKS)
    for name, bench in results["benchmarks"].items():
        figures = bench["figures"]
        assert figures, name
        for label, figure in figures.items():
            assert figure["runs"] >= 1, label
            assert figure["min"] <= figure["median"] <= figure["max"], label
            if figure["baseline"] is None:
                assert figure["ratio"] is None, label
            else:
                assert figure["baseline"] in figures, label
                assert math.isfinite(figure["ratio"]) and figure["ratio"] > 0, label
    counted = {
        side: counts
        for side, counts in results["benchmarks"]["submissions"]["notes"].items()
        if isinstance(counts, dict)
    }
    assert counted
    for side, counts in counted.items():
        assert counts["accepted"] > 0, side
        assert (counts["lost"], counts["duplicated"]) == (0, 0), side
