#!/usr/bin/env bash
# bench/engine.sh: loadgen's own cost per request against vegeta and hey.
#
# One loopback target (internal/benchtarget) pinned to CPU 0; each tool pinned
# to CPU 1, 50 workers/connections, full speed for SECONDS; ROUNDS interleaved
# rounds (loadgen, vegeta, hey, loadgen, ...). loadgen runs its `http` op as
# users run it: sample stream on, HTTP sub-phases on.
#
# For each run: requests (counted by the target), req/s, the tool's CPU µs
# per request (user+sys from wait4's rusage of the tool process and its
# children) and the tool÷target CPU ratio (the target reports its own
# getrusage at /__stats), the steadiest figure on a noisy machine. Prints
# every run, then the median over the rounds and loadgen's ratio to each peer.
#
# usage: bench/engine.sh [ROUNDS=3] [SECONDS=10]
# env:   BENCH_DIR  keep binaries and run folders there (default: a temp dir)
#        BASELINE   another loadgen binary (an earlier build, say) to run as
#                   a fourth tool, "baseline", in the same rounds
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
secs=${2:-10}
conc=50

if [ "$(nproc)" -lt 2 ]; then
  echo "engine.sh: needs 2 CPUs (target on CPU 0, tool on CPU 1)" >&2
  exit 2
fi

work=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"
target_pid=
cleanup() {
  if [ -n "$target_pid" ]; then kill "$target_pid" 2>/dev/null || true; wait "$target_pid" 2>/dev/null || true; fi
  if [ -z "${BENCH_DIR:-}" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
echo "engine.sh: building into $work" >&2
go build -o "$work/loadgen" ./cmd/loadgen
go build -o "$work/target" ./internal/benchtarget
[ -x "$work/vegeta" ] || GOBIN="$work" go install github.com/tsenart/vegeta/v12@v12.13.0
[ -x "$work/hey" ] || GOBIN="$work" go install github.com/rakyll/hey@v0.1.5

taskset -c 0 "$work/target" --addr 127.0.0.1:0 >"$work/addr" &
target_pid=$!
for _ in $(seq 100); do [ -s "$work/addr" ] && break; sleep 0.1; done
addr=$(head -1 "$work/addr")
[ -n "$addr" ] || { echo "engine.sh: the target did not start" >&2; exit 1; }
url="http://$addr/"

cat >"$work/engine.yaml" <<YAML
name: engine-bench
target: {url: "$url", timeout: 10s, connections: shared}
scenarios:
  - name: flat-out
    executor: constant-workers
    workers: $conc
    duration: ${secs}s
    steps: [{op: http, url: /}]
YAML

# stats prints the target's request count and CPU µs.
stats() { curl -sf "http://$addr/__stats"; }

# cpu_of CMD...: runs CMD pinned to CPU 1, output discarded, and prints its
# user+sys CPU in µs (the process and the children it waited for).
cpu_of() {
  python3 - taskset -c 1 "$@" <<'PY'
import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
code = os.waitstatus_to_exitcode(status)
if code != 0:
    print(f"engine.sh: {sys.argv[3]} exited {code}", file=sys.stderr)
print(int((ru.ru_utime + ru.ru_stime) * 1e6))
PY
}

run_tool() {
  case "$1" in
    loadgen) cpu_of "$work/loadgen" run "$work/engine.yaml" --out "$work/run-$2" -q ;;
    baseline) cpu_of "$BASELINE" run "$work/engine.yaml" --out "$work/run-$2" -q ;;
    vegeta)  cpu_of bash -c "echo 'GET $url' | exec '$work/vegeta' attack -rate=0 -workers=$conc -max-workers=$conc -duration=${secs}s" ;;
    hey)     cpu_of "$work/hey" -c $conc -z ${secs}s "$url" ;;
  esac
}

tools=(loadgen vegeta hey)
if [ -n "${BASELINE:-}" ]; then tools+=(baseline); fi
results="$work/results.tsv"
: >"$results"
printf 'round\ttool\trequests\ttool_cpu_us\ttarget_cpu_us\n' >&2
for r in $(seq "$rounds"); do
  for tool in "${tools[@]}"; do
    rm -rf "$work/run-$r"
    read -r n0 c0 < <(stats)
    cpu=$(run_tool "$tool" "$r")
    read -r n1 c1 < <(stats)
    n=$((n1 - n0)); tc=$((c1 - c0))
    printf '%s\t%s\t%d\t%d\t%d\n' "$r" "$tool" "$n" "$cpu" "$tc" | tee -a "$results" >&2
  done
done

python3 - "$results" "$secs" <<'PY'
import sys, statistics
rows = [l.split('\t') for l in open(sys.argv[1]).read().split('\n') if l]
secs = float(sys.argv[2])
med = {}
tools = [t for t in ('loadgen', 'vegeta', 'hey', 'baseline') if any(r[1] == t for r in rows)]
print(f"median of {len(rows) // len(tools)} rounds, {secs:.0f} s each, 50 workers")
print(f"{'tool':<8} {'req/s':>9} {'cpu µs/req':>11} {'tool/target cpu':>16}")
for tool in tools:
    rs = [r for r in rows if r[1] == tool]
    rps = statistics.median(int(r[2]) / secs for r in rs)
    us = statistics.median(int(r[3]) / max(1, int(r[2])) for r in rs)
    ratio = statistics.median(int(r[3]) / max(1, int(r[4])) for r in rs)
    med[tool] = (rps, us, ratio)
    print(f"{tool:<8} {rps:>9.0f} {us:>11.1f} {ratio:>16.2f}")
for peer in tools[1:]:
    print(f"loadgen ÷ {peer}: cpu/req {med['loadgen'][1] / med[peer][1]:.2f}, tool/target ratio {med['loadgen'][2] / med[peer][2]:.2f}")
PY
