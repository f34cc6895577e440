"""Outcome statistics, leave-one-out calibration (issue 13 item 4: "measure it").

    .venv/bin/python -m bench.outcome_calibration [--matters 1600] [--seed 42] [--min-n 10]
        [--reuse] [--out bench/results/outcome_calibration.json]

In a child process with its own scratch SQLite database (`var/bench/outcomes_<matters>.sqlite3`,
recreated unless `--reuse` finds it loaded): migrate, generate the demo firm
(`web.demo.demo_generate(matters=N, seed=S)`, which adds insights' closed history of four
common causes), then take every closed or archived matter with a recorded outcome as the
pool and run `insights.outcomes.loo_calibration`: each matter in turn is the target and the
others are the history. Writes the JSON (`--out`) and prints a markdown table of predicted
share against observed frequency, binned, with the multi-class Brier score against the
firm-wide base rate of the same matter type.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Any

from bench.common import ROOT, VAR, recreate, setup_django


def _url(matters: int) -> str:
    return f"sqlite:///{VAR / 'bench' / f'outcomes_{matters}.sqlite3'}"


def worker(args: argparse.Namespace) -> dict[str, Any]:
    url = _url(args.matters)
    path = VAR / "bench" / f"outcomes_{args.matters}.sqlite3"
    reuse = args.reuse and path.exists()
    if not reuse:
        recreate("sqlite", url)
    setup_django(url)
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.core.management import call_command

    from lexcase.insights.outcomes import cases, loo_calibration
    from lexcase.matters.models import Matter

    t0 = time.perf_counter()
    if not reuse:
        # Django modules: only after setup_django() (bench/common.py) chose this run's database.
        from lexcase.web.demo import demo_generate

        call_command("migrate", verbosity=0, interactive=False)
        demo_generate(matters=args.matters, seed=args.seed)
    load_s = round(time.perf_counter() - t0, 1)
    pool = [c for c in cases(Matter.objects.filter(status__in=("closed", "archived"))) if c.outcome]
    t0 = time.perf_counter()
    report = loo_calibration(pool, min_n=args.min_n)
    report.update(
        {
            "demo_matters": args.matters,
            "seed": args.seed,
            "min_n": args.min_n,
            "load_s": None if reuse else load_s,
            "calibration_s": round(time.perf_counter() - t0, 1),
        }
    )
    return report


def markdown(r: dict[str, Any]) -> str:
    lines = [
        f"demo --matters {r['demo_matters']} --seed {r['seed']}: {r['matters']} closed matters "
        f"with an outcome; {r['judged']} got statistics, {r['not_enough_data']} not enough "
        f"data (minimum {r['min_n']}). Brier {r['brier']} (base rate of the type: "
        f"{r['baseline_brier']}).",
        "",
        "| predicted share | predictions | mean predicted | observed |",
        "|---|---|---|---|",
    ]
    for b in r["bins"]:
        mean = "–" if b["mean_predicted"] is None else b["mean_predicted"]
        obs = "–" if b["observed"] is None else b["observed"]
        lines.append(f"| {b['bin']} | {b['n']} | {mean} | {obs} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--matters", type=int, default=1600)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--min-n", type=int, default=10)
    p.add_argument("--reuse", action="store_true")
    p.add_argument("--out", default=str(ROOT / "bench" / "results" / "outcome_calibration.json"))
    p.add_argument("--worker", action="store_true")
    args = p.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args)))
        return 0
    cmd = [sys.executable, "-m", "bench.outcome_calibration", "--worker"]
    cmd += ["--matters", str(args.matters), "--seed", str(args.seed), "--min-n", str(args.min_n)]
    cmd += ["--reuse"] if args.reuse else []
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if proc.returncode:
        print(proc.stderr[-3000:], file=sys.stderr)
        return proc.returncode
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    with open(args.out, "w") as fh:
        json.dump(report, fh, indent=1, ensure_ascii=False)
    print(markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
