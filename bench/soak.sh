#!/usr/bin/env bash
# bench/soak.sh: does loadgen's memory stay flat over a long run?
#
# Starts the reference service (`loadgen serve`, its own process, so the RSS
# measured is the generator's alone) on 127.0.0.1, then runs its cheapest
# route, GET /health, at RATE iterations/s for DURATION (constant-rate,
# max_workers 500, the http op with its sub-phases and the sample stream on,
# as users run it). The generator's RSS (VmRSS of /proc/PID/status) is
# sampled every 10 s. Prints every sample, then the peak RSS (sampled, and
# the kernel's high-water mark over the whole process), the RSS at 2
# minutes and at the end, and the run's request, error, late and dropped
# counts. With two or more CPUs the service runs on CPU 0 and loadgen on
# CPU 1.
#
# usage: bench/soak.sh [DURATION=10m] [RATE=2000]
# env:   BENCH_DIR  keep binaries, the run folder and rss.tsv there
#                   (default: a temp dir, removed at the end)
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-10m}
rate=${2:-2000}
every=10

work=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"
svc_pid=
cleanup() {
  if [ -n "$svc_pid" ]; then kill "$svc_pid" 2>/dev/null || true; wait "$svc_pid" 2>/dev/null || true; fi
  if [ -z "${BENCH_DIR:-}" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

pin_svc=() pin_gen=()
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  pin_svc=(taskset -c 0) pin_gen=(taskset -c 1)
fi

echo "soak.sh: building into $work" >&2
go build -o "$work/loadgen" ./cmd/loadgen

"${pin_svc[@]}" "$work/loadgen" serve --addr 127.0.0.1:0 >"$work/serve.out" 2>&1 &
svc_pid=$!
base=
for _ in $(seq 100); do
  base=$(grep -o 'http://127\.0\.0\.1:[0-9]*/[^ ]*' "$work/serve.out" | head -1 || true)
  [ -n "$base" ] && break
  sleep 0.1
done
[ -n "$base" ] || { echo "soak.sh: the reference service did not start:" >&2; cat "$work/serve.out" >&2; exit 1; }

cat >"$work/soak.yaml" <<YAML
name: soak
target: {url: "$base", timeout: 10s}
scenarios:
  - name: health
    executor: constant-rate
    rate: $rate/s
    duration: $dur
    max_workers: 500
    steps: [{op: http, method: GET, url: /health, expect_status: [200]}]
YAML

rm -rf "$work/run"
echo "soak.sh: $rate iterations/s for $dur against $base; RSS every ${every}s" >&2
# A small runner starts loadgen, writes its PID, and at its exit writes its
# peak RSS (ru_maxrss from wait4), which also covers the moments between
# samples, such as the end of the run, when the run folder is written.
rm -f "$work/gen.pid" "$work/gen.maxrss"
python3 - "$work" "${pin_gen[@]}" "$work/loadgen" run "$work/soak.yaml" --out "$work/run" -q <<'PY' &
import os, subprocess, sys
work = sys.argv[1]
with open(f"{work}/report.txt", "wb") as out, open(f"{work}/run.err", "wb") as err:
    p = subprocess.Popen(sys.argv[2:], stdout=out, stderr=err)
    open(f"{work}/gen.pid", "w").write(str(p.pid))
    _, status, ru = os.wait4(p.pid, 0)
open(f"{work}/gen.maxrss", "w").write(str(ru.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
PY
runner=$!
for _ in $(seq 100); do [ -s "$work/gen.pid" ] && break; sleep 0.05; done
gen_pid=$(cat "$work/gen.pid")
start=$(date +%s.%N)
: >"$work/rss.tsv"
printf 'elapsed_s\trss_kib\n' >&2
while kill -0 "$gen_pid" 2>/dev/null; do
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$gen_pid/status" 2>/dev/null || true)
  [ -n "$rss" ] || break
  el=$(python3 -c "import time; print(round(time.time() - $start))")
  printf '%s\t%s\n' "$el" "$rss" | tee -a "$work/rss.tsv" >&2
  # Sleep to the next multiple of $every seconds since the start.
  sleep "$(python3 -c "import time; e = time.time() - $start; print(max(0.05, $every - e % $every))")"
done
code=0
wait "$runner" || code=$?
if [ "$code" -ne 0 ]; then
  echo "soak.sh: loadgen run exited $code" >&2
  tail -20 "$work/run.err" >&2
fi

python3 - "$work/rss.tsv" "$work/run/summary.json" "$work/gen.maxrss" <<'PY'
import json, sys
rows = [tuple(map(int, l.split('\t'))) for l in open(sys.argv[1]) if l.strip()]
if not rows:
    sys.exit("soak.sh: no RSS samples")
def at(s):
    # the last sample at or before s seconds
    c = [r for r in rows if r[0] <= s]
    return (c or rows[:1])[-1]
mib = lambda kib: kib / 1024
peak = max(rows, key=lambda r: r[1])
last = rows[-1]
two = at(120)
print(f"RSS peak sampled  {mib(peak[1]):7.1f} MiB (at {peak[0]} s)")
try:
    print(f"RSS peak (wait4)  {mib(int(open(sys.argv[3]).read())):7.1f} MiB (whole process life, end of run included)")
except (OSError, ValueError):
    pass
print(f"RSS at {two[0]:>4} s     {mib(two[1]):7.1f} MiB")
print(f"RSS at {last[0]:>4} s     {mib(last[1]):7.1f} MiB (last sample)")
print(f"end − 2 min       {mib(last[1] - two[1]):+7.1f} MiB")
try:
    s = json.load(open(sys.argv[2]))
    for sc in s.get("scenarios", []):
        print(f"scenario {sc['name']}: {sc['iterations']} iterations, late {sc.get('late', 0)}, dropped {sc.get('dropped', 0)}")
    for op in s.get("ops", []):
        print(f"op {op['scenario']}/{op['op']}: {op['count']} requests, {op['errors']} errors, "
              f"{op['throughput_per_s']:.0f}/s, p50 {op['latency_ms']['p50']:.2f} ms, p99 {op['latency_ms']['p99']:.2f} ms")
    g = s.get("generator", {})
    print(f"generator: cpu max {g.get('cpu_max_pct') or 0:.0f}%, heap max {(g.get('heap_max_bytes') or 0) / 2**20:.1f} MiB, "
          f"goroutines max {g.get('goroutines_max', 0)}, saturated {g.get('saturated')}")
except (OSError, ValueError, KeyError) as e:
    print(f"soak.sh: summary.json: {e}", file=sys.stderr)
PY
exit "$code"
