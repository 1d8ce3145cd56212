#!/usr/bin/env bash
# bench/engine.sh: loadgen's own cost per request against vegeta and hey.
#
# One loopback target (internal/benchtarget) pinned to CPU 0; each tool pinned
# to CPU 1, 50 workers/connections, full speed for SECONDS; ROUNDS interleaved
# rounds. For each run: requests (counted by the target), req/s, the tool's
# CPU µs per request (getrusage of the tool process, via bash `times`), and the
# tool÷target CPU ratio, the steadiest figure on a noisy machine. Prints the
# median over the rounds and loadgen's ratio to each peer.
#
# usage: bench/engine.sh [ROUNDS=3] [SECONDS=10]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
secs=${2:-10}
conc=50

work=$(mktemp -d)
trap 'kill $target_pid 2>/dev/null || true; rm -rf "$work"' EXIT
echo "building into $work" >&2
go build -o "$work/loadgen" ./cmd/loadgen
go build -o "$work/target" ./internal/benchtarget
GOBIN="$work" go install github.com/tsenart/vegeta/v12@v12.13.0
GOBIN="$work" go install github.com/rakyll/hey@v0.1.5

taskset -c 0 "$work/target" --addr 127.0.0.1:0 >"$work/addr" &
target_pid=$!
for _ in $(seq 50); do [ -s "$work/addr" ] && break; sleep 0.1; done
addr=$(head -1 "$work/addr")
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

stats() { curl -s "$url/__stats"; }

# cpu_of CMD...: runs CMD pinned to CPU 1 and prints its user+sys CPU in µs.
cpu_of() {
  local t
  t=$( { taskset -c 1 "$@" >/dev/null 2>&1; times; } | tail -1 )
  # "XmY.YYYs XmY.YYYs" for children user and sys
  python3 - "$t" <<'PY'
import re, sys
tot = 0.0
for m, s in re.findall(r'(\d+)m([\d.]+)s', sys.argv[1]):
    tot += int(m) * 60 + float(s)
print(int(tot * 1e6))
PY
}

run_tool() {
  case "$1" in
    loadgen) cpu_of "$work/loadgen" run "$work/engine.yaml" --out "$work/run-$RANDOM" -q ;;
    vegeta)  cpu_of bash -c "echo 'GET $url' | exec '$work/vegeta' attack -rate=0 -workers=$conc -max-workers=$conc -duration=${secs}s" ;;
    hey)     cpu_of "$work/hey" -c $conc -z ${secs}s "$url" ;;
  esac
}

results="$work/results.tsv"
for r in $(seq "$rounds"); do
  for tool in loadgen vegeta hey; do
    read -r n0 c0 < <(stats)
    cpu=$(run_tool "$tool")
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
print(f"{'tool':<8} {'req/s':>9} {'cpu µs/req':>11} {'tool/target cpu':>16}")
for tool in ('loadgen', 'vegeta', 'hey'):
    rs = [r for r in rows if r[1] == tool]
    rps = statistics.median(int(r[2]) / secs for r in rs)
    us = statistics.median(int(r[3]) / max(1, int(r[2])) for r in rs)
    ratio = statistics.median(int(r[3]) / max(1, int(r[4])) for r in rs)
    med[tool] = (rps, us, ratio)
    print(f"{tool:<8} {rps:>9.0f} {us:>11.1f} {ratio:>16.2f}")
for peer in ('vegeta', 'hey'):
    print(f"loadgen ÷ {peer}: cpu/req {med['loadgen'][1] / med[peer][1]:.2f}, tool/target ratio {med['loadgen'][2] / med[peer][2]:.2f}")
PY
