"""Every benchmark in ``bench/``: ``make bench`` (full) or ``make bench-smoke`` (once each,
small inputs: that they run and report, never how fast).

    python -m bench.run_all [--smoke] [--only NAME ...] [--output PATH]

Writes ``bench/results/latest.json`` (or ``--output``) and prints a short table.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from bench.harness import RESULTS_DIR, Benchmark, results, table, write_json

#: In the order they run: the cheap, quiet ones first.
BENCHMARKS = (
    "evaluate",
    "startup",
    "gui_stalls",
    "dose_edit",
    "database",
    "submissions",
    "step_up",
    "queue",
)


def run_benchmarks(names: list[str], *, smoke: bool) -> list[Benchmark]:
    done: list[Benchmark] = []
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"running {name}{' (smoke)' if smoke else ''} ...", file=sys.stderr, flush=True)
        done.append(module.run(smoke=smoke))
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="once each, on small inputs")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=list(BENCHMARKS))
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    # The server processes the benchmarks start hash passwords at argon2's minimum cost:
    # step-up is not what they measure.
    os.environ.setdefault("PHARMACY_TEST_CHEAP_HASHING", "1")
    benchmarks = run_benchmarks(args.only, smoke=args.smoke)
    output = args.output or RESULTS_DIR / ("smoke.json" if args.smoke else "latest.json")
    write_json(output, results(benchmarks, smoke=args.smoke))
    print(table(benchmarks))
    print(f"written: {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
