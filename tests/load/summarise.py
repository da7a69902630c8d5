#!/usr/bin/env python3
"""Summarises a load run's results directory (tests/load/run.sh) against tests/load/budgets.json.

    python3 tests/load/summarise.py RESULTS_DIR [--budgets tests/load/budgets.json]
                                    [--engine-csv .../EngineBenchmarks-report.csv]
                                    [--pipeline-csv .../HookPipelineBenchmarks-report.csv]

Prints the measured numbers, then one line per budget: "met", "MISSED" or "not measured" (the
budgets of budgets.json's "budgets" and, judged against the JSON-tokenising floor, "floor").
Writes RESULTS_DIR/summary.json (or --json PATH). Exit status: 0 when no budget is missed and every request was
answered 2xx; 1 when a budget is missed; 2 when the results are unusable (missing files, non-2xx
answers during a throughput round, which would make its requests/s meaningless).
"""
import argparse
import csv
import glob
import json
import os
import re
import statistics
import sys

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


class Unusable(Exception):
    pass


def read(path):
    if not os.path.exists(path):
        raise Unusable(f"missing {os.path.basename(path)}")
    with open(path, encoding="utf-8") as f:
        return f.read()


def wrk(path):
    """requests/s, p50 and p99 in ms, and the count of non-2xx/3xx answers and socket errors."""
    text = read(path)
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    if not rps:
        raise Unusable(f"{os.path.basename(path)}: no 'Requests/sec' line (wrk failed?)")
    pct = {p: float(v) * UNITS[u] for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)}
    if set(pct) != {"50", "99"}:
        raise Unusable(f"{os.path.basename(path)}: no latency distribution (run wrk with --latency)")
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", text))
    bad += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    return {"rps": float(rps.group(1)), "p50_ms": pct["50"], "p99_ms": pct["99"], "failed": bad}


def hey(path):
    """requests/s, p50 and p99 in ms, and the count of answers other than 200 plus errors."""
    text = read(path)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if not rps:
        raise Unusable(f"{os.path.basename(path)}: no 'Requests/sec' line (hey failed?)")
    pct = {p: float(v) * 1000 for p, v in re.findall(r"^\s+(50|99)%+ in ([\d.]+) secs", text, re.M)}
    if set(pct) != {"50", "99"}:
        raise Unusable(f"{os.path.basename(path)}: no latency distribution")
    statuses = {int(s): int(n) for s, n in re.findall(r"\[(\d{3})\]\s+(\d+) responses", text)}
    # "Error distribution:" lists "[count]\tmessage" lines (timeouts, refused connections).
    tail = text[text.index("Error distribution"):] if "Error distribution" in text else ""
    errors = sum(int(n) for n in re.findall(r"^\s+\[(\d+)\]\s+\S", tail, re.M))
    return {"rps": float(rps.group(1)), "p50_ms": pct["50"], "p99_ms": pct["99"],
            "failed": sum(n for s, n in statuses.items() if s != 200) + errors, "ok": statuses.get(200, 0)}


def engine(csv_path):
    """Mean time (ms) and allocation (MB) per Observations count from BenchmarkDotNet's CSV report."""
    def ms(text):
        m = re.match(r"([\d.,]+)\s*(ns|us|μs|ms|s)", text.strip())
        value = float(m.group(1).replace(",", ""))
        return value * {"ns": 1e-6, "us": 1e-3, "μs": 1e-3, "ms": 1.0, "s": 1000.0}[m.group(2)]

    def mb(text):
        m = re.match(r"([\d.,]+)\s*(B|KB|MB|GB)", text.strip())
        value = float(m.group(1).replace(",", ""))
        return value * {"B": 1 / 1048576, "KB": 1 / 1024, "MB": 1.0, "GB": 1024.0}[m.group(2)]

    rows = {}
    with open(csv_path, encoding="utf-8-sig") as f:
        sample = f.readline()
        f.seek(0)
        for row in csv.DictReader(f, delimiter=";" if sample.count(";") > sample.count(",") else ","):
            rows[int(row["Observations"].replace(",", ""))] = {"ms": ms(row["Mean"]), "mb": mb(row["Allocated"])}
    return rows


def pipeline(csv_path):
    """Allocated bytes per call of HookPipelineBenchmarks.Call, per Chart ("200", "5000/200", ...)."""
    def bytes_(text):
        m = re.match(r"([\d.,]+)\s*(B|KB|MB|GB)", text.strip())
        return float(m.group(1).replace(",", "")) * {"B": 1, "KB": 1024, "MB": 1048576, "GB": 1073741824}[m.group(2)]

    rows = {}
    with open(csv_path, encoding="utf-8-sig") as f:
        sample = f.readline()
        f.seek(0)
        for row in csv.DictReader(f, delimiter=";" if sample.count(";") > sample.count(",") else ","):
            if row["Method"] == "Call":
                rows[row["Chart"]] = bytes_(row["Allocated"])
    return rows


def floor(results, m):
    """The JSON-tokenising floor (issue 'Performance II'), from the files run.sh writes when the
    tokenise-only endpoint is on; absent files leave their metrics unmeasured."""
    rounds = lambda pattern: [wrk(p) for p in sorted(glob.glob(os.path.join(results, pattern)))]
    hooks, tokens = rounds("hook-*.wrk.txt"), rounds("tokenise-only-*.wrk.txt")
    if tokens:
        if len(tokens) != len(hooks):
            raise Unusable(f"expected as many tokenise-only-N.wrk.txt as hook-N.wrk.txt rounds (found {len(tokens)} and {len(hooks)})")
        if sum(t["failed"] for t in tokens):
            raise Unusable("requests failed or were answered non-2xx in the tokenise-only rounds")
        m["tokenise_only_rps"] = statistics.median(t["rps"] for t in tokens)
        m["tokenise_only_p50_ms"] = statistics.median(t["p50_ms"] for t in tokens)
        m["tokenise_only_p99_ms"] = statistics.median(t["p99_ms"] for t in tokens)
        m["hook_vs_tokenise_only_ratio"] = statistics.median(h["rps"] / t["rps"] for h, t in zip(hooks, tokens))
        m["tokenise_round_ratios"] = [round(h["rps"] / t["rps"], 3) for h, t in zip(hooks, tokens)]

    half = lambda who: [hey(p) for p in sorted(glob.glob(os.path.join(results, f"half-rate-{who}-*.hey.txt")))]
    half_hooks, half_tokens = half("hook"), half("tokenise-only")
    if half_hooks and half_tokens:
        if sum(r["failed"] for r in half_hooks + half_tokens):
            raise Unusable("requests failed or were answered non-2xx in the half-rate rounds")
        m["half_rate_hook_rps"] = statistics.median(r["rps"] for r in half_hooks)
        m["half_rate_tokenise_only_rps"] = statistics.median(r["rps"] for r in half_tokens)
        m["half_rate_hook_p99_ms"] = statistics.median(r["p99_ms"] for r in half_hooks)
        m["half_rate_tokenise_only_p99_ms"] = statistics.median(r["p99_ms"] for r in half_tokens)
        m["half_rate_p99_over_tokenise_only"] = m["half_rate_hook_p99_ms"] / m["half_rate_tokenise_only_p99_ms"]

    big_hooks, big_tokens = rounds("big-hook-*.wrk.txt"), rounds("big-tokenise-only-*.wrk.txt")
    if big_hooks and len(big_hooks) == len(big_tokens):
        if sum(r["failed"] for r in big_hooks + big_tokens):
            raise Unusable("requests failed or were answered non-2xx in the 5,000-Observation rounds")
        m["big_hook_rps"] = statistics.median(r["rps"] for r in big_hooks)
        m["big_tokenise_only_rps"] = statistics.median(r["rps"] for r in big_tokens)
        # Cost = time per call = 1 / throughput: hook cost over tokenising cost, per round.
        m["relevant_200_of_5000_cost_vs_tokenise"] = statistics.median(t["rps"] / h["rps"] for h, t in zip(big_hooks, big_tokens))


def measure(results, engine_csv, pipeline_csv=None):
    m = {}
    hooks = [wrk(p) for p in sorted(glob.glob(os.path.join(results, "hook-*.wrk.txt")))]
    parses = [wrk(p) for p in sorted(glob.glob(os.path.join(results, "parse-only-*.wrk.txt")))]
    if not hooks or len(hooks) != len(parses):
        raise Unusable(f"expected as many hook-N.wrk.txt as parse-only-N.wrk.txt rounds (found {len(hooks)} and {len(parses)})")
    failed = sum(r["failed"] for r in hooks + parses)
    if failed:
        raise Unusable(f"{failed} requests failed or were answered non-2xx in the throughput rounds")
    med = lambda rows, k: statistics.median(r[k] for r in rows)
    m["rounds"] = len(hooks)
    m["hook_rps"] = med(hooks, "rps")
    m["parse_only_rps"] = med(parses, "rps")
    m["hook_vs_parse_only_ratio"] = statistics.median(h["rps"] / p["rps"] for h, p in zip(hooks, parses))
    m["round_ratios"] = [round(h["rps"] / p["rps"], 3) for h, p in zip(hooks, parses)]
    m["hook_p50_ms"], m["hook_p99_ms"] = med(hooks, "p50_ms"), med(hooks, "p99_ms")
    m["parse_only_p50_ms"], m["parse_only_p99_ms"] = med(parses, "p50_ms"), med(parses, "p99_ms")

    fixed = hey(os.path.join(results, "fixed-rate.hey.txt"))
    m["fixed_rate_rps"], m["fixed_rate_p50_ms"], m["fixed_rate_p99_ms"] = fixed["rps"], fixed["p50_ms"], fixed["p99_ms"]
    m["fixed_rate_failed"] = fixed["failed"]

    # One line per timed start (run.sh, LOAD_STARTS); the budget is on their median.
    starts = [float(x) for x in read(os.path.join(results, "startup-ms.txt")).split()]
    if not starts:
        raise Unusable("startup-ms.txt holds no start-up time")
    m["startup_ms"] = statistics.median(starts)
    m["startup_ms_each"] = starts
    rss = [int(x) for x in read(os.path.join(results, "rss-kb.txt")).split() if x.isdigit()]
    if not rss:
        raise Unusable("rss-kb.txt holds no sample")
    m["rss_max_mb"] = max(rss) / 1024

    nop = hey(os.path.join(results, "no-prefetch.hey.txt"))
    fhir = [json.loads(read(os.path.join(results, f))) for f in ("fhir-queries.json", "fhir-queries-after.json")
            if os.path.exists(os.path.join(results, f))]
    if not fhir:
        raise Unusable("missing fhir-queries.json")
    m["no_prefetch_p50_ms"], m["no_prefetch_p99_ms"] = nop["p50_ms"], nop["p99_ms"]
    m["fhir_query_p50_ms"] = statistics.mean(f["p50_ms"] for f in fhir)
    m["fhir_query_p99_ms"] = statistics.mean(f["p99_ms"] for f in fhir)
    m["no_prefetch_failed"] = nop["failed"]
    # A call that failed (e.g. 412 when the FHIR server was too slow for the fetch budget) has a
    # latency that is not the hook's: the overhead is then not judged ("not measured").
    if not nop["failed"]:
        m["no_prefetch_overhead_p50_ms"] = m["no_prefetch_p50_ms"] - m["fhir_query_p50_ms"]
        m["no_prefetch_overhead_p99_ms"] = m["no_prefetch_p99_ms"] - m["fhir_query_p99_ms"]

    if engine_csv:
        rows = engine(engine_csv)
        if 10000 in rows:
            m["engine_10000_ms"], m["engine_10000_mb"] = rows[10000]["ms"], rows[10000]["mb"]
        if 1000 in rows and 10000 in rows:
            m["engine_10000_over_1000"] = rows[10000]["ms"] / rows[1000]["ms"]

    floor(results, m)
    body = os.path.join(results, "body.json")
    if pipeline_csv and os.path.exists(body):
        allocated = pipeline(pipeline_csv).get(str(200))
        if allocated is not None:
            m["alloc_per_hook_bytes"] = allocated
            m["alloc_per_hook_over_body"] = allocated / os.path.getsize(body)
    return m


def judge(metrics, budgets):
    lines, missed = [], 0
    for name, b in budgets.items():
        value = metrics.get(b["metric"])
        if value is None:
            lines.append(f"  not measured  {name}: {b['target']}")
            continue
        ok = ("max" not in b or value <= b["max"]) and ("min" not in b or value >= b["min"])
        bound = f"<= {b['max']}" if "max" in b else f">= {b['min']}"
        missed += not ok
        lines.append(f"  {'met   ' if ok else 'MISSED'}        {name}: {value:.3f} {b['unit']} (budget {bound}) — {b['target']}")
    return lines, missed


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--budgets", default=os.path.join(here, "budgets.json"))
    parser.add_argument("--engine-csv")
    parser.add_argument("--pipeline-csv", help="HookPipelineBenchmarks' CSV report (allocation per hook, judged against body.json's size)")
    parser.add_argument("--json", help="where to write the summary (default RESULTS/summary.json)")
    args = parser.parse_args()
    with open(args.budgets, encoding="utf-8") as f:
        document = json.load(f)
    budgets = document["budgets"]
    floor_budgets = document.get("floor", {}).get("budgets", {})
    try:
        metrics = measure(args.results, args.engine_csv, args.pipeline_csv)
    except Unusable as e:
        print(f"unusable results in {args.results}: {e}", file=sys.stderr)
        return 2
    meta_path = os.path.join(args.results, "meta.json")
    meta = json.load(open(meta_path, encoding="utf-8")) if os.path.exists(meta_path) else {}
    for k in ("date", "commit", "machine", "loadavg_before", "loadavg_after"):
        if k in meta:
            print(f"{k}: {meta[k]}")
    print("measured:")
    for k, v in metrics.items():
        print(f"  {k} = {v:.3f}" if isinstance(v, float) else f"  {k} = {v}")
    lines, missed = judge(metrics, budgets)
    print("budgets:")
    print("\n".join(lines))
    if floor_budgets:
        floor_lines, floor_missed = judge(metrics, floor_budgets)
        missed += floor_missed
        print("against the JSON-tokenising floor:")
        print("\n".join(floor_lines))
    with open(args.json or os.path.join(args.results, "summary.json"), "w", encoding="utf-8") as f:
        json.dump({"meta": meta, "metrics": metrics, "missed": missed}, f, indent=2)
    print(f"{missed} budget(s) missed")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
