#!/usr/bin/env bash
# Memory under concurrent big charts (issue 18 item 3): MEMORY_CALLS (8) simultaneous ~10 MB
# cart-toxicity requests (MEMORY_OBSERVATIONS Observations each) against the published service
# with the GC heap limited as in the k8s manifest (DOTNET_GCHeapHardLimit=0xC000000, 192 MiB).
# Reports every call's status, the peak RSS during the burst and the RSS settled after it (sampled
# every 0.2 s for up to MEMORY_SETTLE_SECONDS, 60, stopping once under the budget), then judges
# budgets.json "memory": every call 200 or 503, the process alive, settled RSS < 200 MB.
# Not part of .ci/run (it publishes the service and wants an idle machine).
#
#   bash tests/load/memory.sh [results-dir]     (default: a new mktemp -d directory)
#
# Knobs: MEMORY_CALLS [8], MEMORY_OBSERVATIONS [15000] (9.6 MB, under the 10 MB body limit),
# MEMORY_SETTLE_SECONDS [60], MEMORY_HEAP_LIMIT [0xC000000], SKIP_BUILD=1 to reuse the publish and
# benchmark builds of tests/load/run.sh.
# Exit status: 0 all memory budgets met, 1 one missed, 2 unusable (the body could not be made, the
# service did not start).
set -euo pipefail
cd "$(dirname "$0")/../.."

out=${1:-$(mktemp -d)}
mkdir -p "$out"
calls=${MEMORY_CALLS:-8}
observations=${MEMORY_OBSERVATIONS:-15000}
settle=${MEMORY_SETTLE_SECONDS:-60}
heap_limit=${MEMORY_HEAP_LIMIT:-0xC000000}
evaluation_now=2013-05-21T10:00:00Z   # SyntheticPatient.Now, as in run.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Published as deploy/Dockerfile ships it (and as run.sh measures it).
source tests/load/publish-service.sh "memory run"
dotnet tests/CarTCds.Benchmarks/bin/Release/net10.0/CarTCds.Benchmarks.dll --write-body "$out/body.json" --observations "$observations"
body_bytes=$(stat -c %s "$out/body.json")

db_dir=$(mktemp -d)
service_pid=""
sampler_pid=""
cleanup() {
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
  [ -n "$service_pid" ] && kill "$service_pid" 2>/dev/null || true
  rm -rf -- "$db_dir"
}
trap cleanup EXIT

(cd "$service_dir" && exec env ASPNETCORE_ENVIRONMENT=LoadTest ASPNETCORE_URLS=http://127.0.0.1:0 \
  DOTNET_GCHeapHardLimit="$heap_limit" \
  CarTCds__Auth__Disabled=true CarTCds__Now=$evaluation_now CarTCds__Storage__Sqlite__Path="$db_dir/cartcds.db" \
  dotnet CarTCds.Service.dll) >"$out/service.log" 2>&1 &
service_pid=$!
port=""
for _ in $(seq 1 2000); do
  port=$(grep -o 'Now listening on: http://127.0.0.1:[0-9]*' "$out/service.log" | head -1 | grep -o '[0-9]*$' || true)
  [ -n "$port" ] && break
  kill -0 "$service_pid" 2>/dev/null || { echo "the service exited: $(tail -5 "$out/service.log")" >&2; exit 2; }
  sleep 0.01
done
[ -n "$port" ] || { echo "the service did not report its port" >&2; exit 2; }
hook="http://127.0.0.1:$port/cds-services/cart-toxicity"
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$service_pid/status" 2>/dev/null || echo 0; }
rss_idle=$(rss_kb)

( while kill -0 "$service_pid" 2>/dev/null; do echo "$(date +%s%N) $(rss_kb)"; sleep 0.2; done ) >"$out/rss.txt" &
sampler_pid=$!

# The burst: every call at once; curl's status 000 = no answer (connection dropped or refused).
burst_start=$(date +%s%N)
status_pids=()
for i in $(seq 1 "$calls"); do
  curl -s -o "$out/answer-$i.json" -w '%{http_code} %{time_total}\n' --max-time 120 \
    -H 'Content-Type: application/json' --data-binary @"$out/body.json" "$hook" >"$out/status-$i.txt" 2>/dev/null || echo "000 0" >"$out/status-$i.txt" &
  status_pids+=($!)
done
for p in "${status_pids[@]}"; do wait "$p" || true; done
burst_end=$(date +%s%N)

# Settling: until RSS is under the budget, or MEMORY_SETTLE_SECONDS have passed.
settled_kb=$(rss_kb)
for _ in $(seq 1 $((settle * 5))); do
  kill -0 "$service_pid" 2>/dev/null || break
  settled_kb=$(rss_kb)
  [ "$settled_kb" -lt $((200 * 1000)) ] && break
  sleep 0.2
done
settled_at=$(date +%s%N)
alive=0; kill -0 "$service_pid" 2>/dev/null && alive=1
kill "$sampler_pid" 2>/dev/null || true; sampler_pid=""

python3 - "$out" "$calls" "$body_bytes" "$rss_idle" "$settled_kb" "$alive" "$burst_start" "$burst_end" "$settled_at" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import glob, json, os, sys
sys.path.insert(0, os.path.join(os.getcwd(), "tests", "load"))
from summarise import judge  # one judge for every budget file section
out, calls, body_bytes, rss_idle, settled_kb, alive, t0, t1, t2, load = sys.argv[1:]
statuses = []
for i in range(1, int(calls) + 1):
    code, secs = open(os.path.join(out, f"status-{i}.txt")).read().split()[:2]
    statuses.append({"call": i, "status": int(code), "seconds": float(secs)})
samples = [tuple(map(int, l.split())) for l in open(os.path.join(out, "rss.txt")) if len(l.split()) == 2]
burst = [kb for ns, kb in samples if int(t0) <= ns <= int(t1)] or [0]
metrics = {
    "memory_calls_not_200_or_503": sum(1 for s in statuses if s["status"] not in (200, 503)),
    "memory_process_alive": int(alive),
    "memory_settled_rss_mb": int(settled_kb) / 1000,
    "memory_peak_rss_mb": max(kb for _, kb in samples) / 1000 if samples else 0,
    "memory_burst_peak_rss_mb": max(burst) / 1000,
    "memory_idle_rss_mb": int(rss_idle) / 1000,
    "memory_body_mb": int(body_bytes) / 1e6,
    "memory_settle_seconds": (int(t2) - int(t1)) / 1e9,
}
budgets = json.load(open(os.path.join(os.getcwd(), "tests", "load", "budgets.json")))["memory"]["budgets"]
lines, missed = judge(metrics, budgets)
print(f"{calls} x {metrics['memory_body_mb']:.1f} MB at once; load average {load}")
print("statuses:", " ".join(f"{s['status']}({s['seconds']:.1f}s)" for s in statuses))
for k, v in metrics.items():
    print(f"  {k}: {v:.1f}" if isinstance(v, float) else f"  {k}: {v}")
print("budgets:")
print("\n".join(lines))
json.dump({"statuses": statuses, "metrics": metrics, "load_average": load, "missed": missed}, open(os.path.join(out, "memory.json"), "w"), indent=2)
print(f"{missed} budget(s) missed; results in {out}")
sys.exit(1 if missed else 0)
PY
