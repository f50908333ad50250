#!/usr/bin/python3
"""Adapting to a new person, measured on the synthetic corpus's unseen pianists.

For each pianist of the held-out split's test_cross_user: their recordings of the seen tasks are
split into calibration data (takes 1 and 2: ten for training, in an order that adds a task at a
time, two held out for early stopping) and test data (take 3 of every task). A model trained on
the held-out split is adapted with the first 0.5, 1, 2 and 5 minutes of the calibration data
(`pianokpm adapt`), and the same architecture is trained from scratch on the same minutes
(`pianokpm train --minutes`), each with three seeds and the same budget: at most 10 epochs of 10
batches of 8 windows, keeping the checkpoint best on the two held-out recordings (adapting also
stops after 3 epochs without improvement there; from scratch runs all 10). 0 minutes is the
model as it is. Every model is evaluated on the pianist's test data with --no-otd (OTD is
quadratic in a recording's length: about a minute per 30-s recording here, too slow for 50
evaluations); `otd` adds it for the seed-42 models afterwards. Two runs go at a time.

    scripts/adapt_curve.py run --corpus c2 --base runs/neuropose_held_out/best.pt --arch neuropose --work adapt/
    scripts/adapt_curve.py otd --corpus c2 --base runs/neuropose_held_out/best.pt --work adapt/   # optional
    scripts/adapt_curve.py plot --work adapt/ --svg docs/adapt_curve.svg   # also prints the Markdown table
"""
import argparse
import json
import os
import random
import statistics
import subprocess
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MINUTES = [0.5, 1, 2, 5]
SEEDS = [42, 1, 2]
BUDGET = "--epochs 10 --max-batches 10 --batch 8"  # at most 100 steps of 8 windows


def person_split(corpus, work, pianist, tasks):
    order = tasks[:]
    random.Random(1000 + pianist).shuffle(order)
    split = {"train": [f"t{t}_p{pianist}_1.pkl" for t in order] + [f"t{t}_p{pianist}_2.pkl" for t in order[2:]],
             "val": [f"t{order[0]}_p{pianist}_2.pkl", f"t{order[1]}_p{pianist}_2.pkl"],
             "test": [f"t{t}_p{pianist}_3.pkl" for t in tasks]}
    path = os.path.join(work, f"person_p{pianist}.json")
    with open(path, "w") as f:
        json.dump(split, f, indent=1)
    return path


def run(args):
    os.makedirs(args.work, exist_ok=True)
    held = json.load(open(os.path.join(args.corpus, "dataset_held_out.json")))
    tasks = [t for t in range(1, 8) if t not in held["held_out_tasks"]]

    def sh(cmd, log):
        with open(log, "w") as f:
            return subprocess.run(cmd, shell=True, stdout=f, stderr=subprocess.STDOUT).returncode

    def evaluate(model, split, out, otd):
        if not os.path.exists(f"{out}/metrics.json"):
            sh(f"{args.bin} eval --model {model} --data {args.corpus} --split {split} --set test --out {out} --threads 1"
               + ("" if otd else " --no-otd"), out + ".log")
        return json.load(open(f"{out}/metrics.json"))["mean"]

    def job(item):
        pianist, split, kind, minutes, seed = item
        name = os.path.join(args.work, f"{kind}_p{pianist}_m{minutes}_s{seed}")
        if not os.path.exists(name + ".done"):
            if kind == "adapt":
                cmd = (f"{args.bin} adapt --model {args.base} --data {args.corpus} --split {split} --out {name} "
                       f"--minutes {minutes} --seed {seed} --patience 3 {BUDGET} --threads 1")
            else:
                cmd = (f"{args.bin} train --data {args.corpus} --split {split} --out {name} "
                       f"--config {ROOT}/configs/train_synthetic.json --architecture {args.arch} --minutes {minutes} "
                       f"--seed {seed} {BUDGET} --threads 1")
            if sh(cmd, name + ".log") != 0:
                return None
            open(name + ".done", "w").close()
        return [pianist, kind, minutes, seed, evaluate(f"{name}/best.pt", split, name + "_eval", False)]

    jobs, results = [], []
    for pianist in held["held_out_pianists"]:
        split = person_split(args.corpus, args.work, pianist, tasks)
        results.append([pianist, "adapt", 0, 0, evaluate(args.base, split, os.path.join(args.work, f"zero_p{pianist}_eval"), False)])
        jobs += [(pianist, split, kind, m, s) for m in MINUTES for s in SEEDS for kind in ("adapt", "scratch")]
    with ThreadPoolExecutor(2) as pool:
        for r in pool.map(job, jobs):
            if r:
                print(r[:4], round(r[4]["rmse"], 4), flush=True)
                results.append(r)
    with open(os.path.join(args.work, "results.json"), "w") as f:
        json.dump(results, f, indent=1)


def otd(args):
    """OTD of the seed-42 models (and the unadapted one) on each pianist's test data, into results.json."""
    results = json.load(open(os.path.join(args.work, "results.json")))
    def one(r):
        pianist, kind, minutes, seed, metrics = r
        if seed not in (0, 42) or metrics.get("otd") is not None:
            return r
        model = args.base if minutes == 0 else os.path.join(args.work, f"{kind}_p{pianist}_m{minutes}_s{seed}", "best.pt")
        out = os.path.join(args.work, f"otd_{kind}_p{pianist}_m{minutes}")
        if not os.path.exists(f"{out}/metrics.json"):
            subprocess.run(f"{args.bin} eval --model {model} --data {args.corpus} --split {os.path.join(args.work, f'person_p{pianist}.json')} "
                           f"--set test --out {out} --threads 1 > {out}.log 2>&1", shell=True, check=True)
        r[4]["otd"] = json.load(open(f"{out}/metrics.json"))["mean"]["otd"]
        return r
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(one, results))
    with open(os.path.join(args.work, "results.json"), "w") as f:
        json.dump(results, f, indent=1)


def summarise(results):
    """{(kind, minutes): (mean RMSE over pianists and seeds, spread of the per-seed means, OTD of seed 42)}."""
    table = {}
    for kind in ("adapt", "scratch"):
        for minutes in [0] + MINUTES:
            rows = [r for r in results if r[1] == kind and r[2] == minutes]
            if not rows:
                continue
            per_seed = [statistics.mean(r[4]["rmse"] for r in rows if r[3] == s) for s in sorted({r[3] for r in rows})]
            # OTD of seed 42 (and of the unadapted model), when every pianist has it.
            otd = [r[4].get("otd") for r in rows if r[3] in (0, 42)]
            complete = bool(otd) and all(v is not None for v in otd)
            table[(kind, minutes)] = (statistics.mean(per_seed), max(per_seed) - min(per_seed),
                                      statistics.mean(otd) if complete else None, len(rows))
    return table


def svg(table, path):
    w, h, left, right, top, bottom = 640, 400, 70, 20, 40, 60
    xs = [0] + MINUTES
    ys = [v[0] for v in table.values()]
    lo, hi = min(ys) * 0.95, max(ys) * 1.05
    x_of = lambda m: left + (w - left - right) * (xs.index(m) / (len(xs) - 1))
    y_of = lambda v: top + (h - top - bottom) * (1 - (v - lo) / (hi - lo))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="13">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{w / 2}" y="22" text-anchor="middle" font-size="15">RMSE on unseen pianists after N minutes of their data</text>',
           f'<line x1="{left}" y1="{h - bottom}" x2="{w - right}" y2="{h - bottom}" stroke="#444"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{h - bottom}" stroke="#444"/>',
           f'<text x="{(left + w - right) / 2}" y="{h - 15}" text-anchor="middle">minutes of the new pianist\'s data (synthetic corpus; not to scale)</text>',
           f'<text x="18" y="{(top + h - bottom) / 2}" text-anchor="middle" transform="rotate(-90 18 {(top + h - bottom) / 2})">RMSE (mean of 2 pianists x 3 seeds)</text>']
    for m in xs:
        out.append(f'<text x="{x_of(m)}" y="{h - bottom + 18}" text-anchor="middle">{m:g}</text>')
    for k in range(5):
        v = lo + (hi - lo) * k / 4
        out.append(f'<line x1="{left - 4}" y1="{y_of(v):.1f}" x2="{w - right}" y2="{y_of(v):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 8}" y="{y_of(v) + 4:.1f}" text-anchor="end">{v:.3f}</text>')
    for kind, colour, label in (("adapt", "#0072b2", "adapted from the model trained on other pianists"),
                                ("scratch", "#d55e00", "trained from scratch on the same minutes")):
        pts = [(m, table[(kind, m)]) for m in xs if (kind, m) in table]
        out.append('<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>'.format(
            colour, " ".join(f"{x_of(m):.1f},{y_of(v[0]):.1f}" for m, v in pts)))
        for m, v in pts:
            out.append(f'<line x1="{x_of(m):.1f}" y1="{y_of(v[0] - v[1] / 2):.1f}" x2="{x_of(m):.1f}" y2="{y_of(v[0] + v[1] / 2):.1f}" stroke="{colour}"/>')
            out.append(f'<circle cx="{x_of(m):.1f}" cy="{y_of(v[0]):.1f}" r="4" fill="{colour}"/>')
        ly = top + 12 + (0 if kind == "adapt" else 18)
        out.append(f'<line x1="{w - right - 330}" y1="{ly}" x2="{w - right - 305}" y2="{ly}" stroke="{colour}" stroke-width="2"/>')
        out.append(f'<text x="{w - right - 300}" y="{ly + 4}">{label}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def plot(args):
    table = summarise(json.load(open(os.path.join(args.work, "results.json"))))
    svg(table, args.svg)
    print("| minutes | adapted: RMSE (seed range) | OTD (seed 42) | from scratch: RMSE (seed range) | OTD (seed 42) |")
    print("|---|---|---|---|---|")
    fmt = lambda v: f"{v:.4f}" if v is not None else "-"
    for m in [0] + MINUTES:
        a, s = table.get(("adapt", m)), table.get(("scratch", m))
        print(f"| {m:g} | {fmt(a[0])} ({a[1]:.4f}) | {fmt(a[2])} | " + (f"{fmt(s[0])} ({s[1]:.4f}) | {fmt(s[2])} |" if s else "- | - |"))


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["run", "otd", "plot"])
    p.add_argument("--bin", default=os.path.join(ROOT, "build/bin/pianokpm"))
    p.add_argument("--corpus")
    p.add_argument("--base", help="the model trained on the held-out split")
    p.add_argument("--arch", default="neuropose", help="the base model's architecture, for training from scratch")
    p.add_argument("--work", required=True)
    p.add_argument("--svg", default=os.path.join(ROOT, "docs/adapt_curve.svg"))
    a = p.parse_args()
    {"run": run, "otd": otd, "plot": plot}[a.mode](a)
