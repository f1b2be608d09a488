"""Run every benchmark in bench/, each as `python -m bench.<name>` in its own process.

    python -m bench [--only NAME] [--quick]

One failing benchmark does not stop the others; a summary of which ran OK comes last.
--quick passes --quick to a benchmark whose arguments include it, else the scaled-down
arguments in QUICK_ARGS (those it accepts); a benchmark with neither runs as is.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ORDER = ("bench_extract", "bench_ingest", "bench_delivery", "bench_queries")
QUICK_ARGS = {
    "bench_ingest": ["--feeds", "50"],
    "bench_delivery": ["--subscribers", "300"],
    "bench_queries": ["--incidents", "50000", "--repeat", "10"],
}


def benchmarks() -> list[str]:
    found = {p.stem for p in BENCH_DIR.glob("bench_*.py")}
    return [n for n in ORDER if n in found] + sorted(found - set(ORDER))


def quick_args(name: str) -> list[str]:
    source = (BENCH_DIR / f"{name}.py").read_text(encoding="utf-8")
    if re.search(r"""["']--quick["']""", source):
        return ["--quick"]
    args = QUICK_ARGS.get(name, [])
    flags = [a for a in args if a.startswith("--")]
    return args if all(f'"{f}"' in source or f"'{f}'" in source for f in flags) else []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", metavar="NAME", help="one benchmark, e.g. extract or bench_extract")
    parser.add_argument("--quick", action="store_true", help="scaled-down runs where a benchmark allows")
    args = parser.parse_args(argv)
    names = benchmarks()
    if args.only:
        wanted = args.only if args.only.startswith("bench_") else f"bench_{args.only}"
        if wanted not in names:
            parser.error(f"no benchmark {args.only!r}; have: {', '.join(names)}")
        names = [wanted]

    results: list[tuple[str, int, float]] = []
    for name in names:
        command = [sys.executable, "-m", f"bench.{name}", *(quick_args(name) if args.quick else [])]
        print(f"\n===== {name}: {' '.join(['python', *command[1:]])} =====", flush=True)
        started = time.perf_counter()
        code = subprocess.run(command, cwd=BENCH_DIR.parent, check=False).returncode
        results.append((name, code, time.perf_counter() - started))

    print("\n===== summary =====")
    for name, code, seconds in results:
        print(f"{name:16} {'OK' if code == 0 else f'FAILED (exit {code})':18} {seconds:7.1f} s")
    return 0 if all(code == 0 for _, code, _ in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
