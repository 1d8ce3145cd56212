#!/usr/bin/env bash
# bench/dashboard.sh: CPU per request of `loadgen run` with the live
# dashboard open against the same run without it, interleaved.
#
# Each round runs configs/http-smoke.yaml (the embedded service, GET
# /health) at RATE for SECONDS twice: "off" without --dashboard, "on" with
# --dashboard on loopback and a client reading /events for the whole run
# (what an open page costs loadgen; the browser's own CPU is not loadgen's).
# The process's CPU (user + system, GNU time) over the requests it made
# gives µs per request; the medians and the on/off ratio end the output.
# The dashboard adds no work per request, only a roll once a second
# (go test -bench LiveSecond ./results), so the ratio should be 1 within
# the machine's noise.
#
# usage: bench/dashboard.sh [ROUNDS=3] [SECONDS=20] [RATE=300]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
secs=${2:-20}
rate=${3:-300}
command -v curl >/dev/null || { echo "dashboard.sh: needs curl" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "dashboard.sh: needs GNU time (/usr/bin/time)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/loadgen" ./cmd/loadgen
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

run() { # arm round
	local out="$tmp/run-$1-$2" args=(run configs/http-smoke.yaml --rate "$rate/s" --duration "${secs}s" --out "$tmp/run-$1-$2" -q)
	local client=""
	if [ "$1" = on ]; then
		args+=(--dashboard "127.0.0.1:$port")
		(sleep 1; curl -sN --max-time $((secs + 10)) "http://127.0.0.1:$port/events" >"$tmp/events-$2") &
		client=$!
	fi
	/usr/bin/time -f "%U %S" -o "$tmp/time-$1-$2" "$tmp/loadgen" "${args[@]}" >/dev/null 2>&1
	[ -z "$client" ] || wait "$client" || true
	local n u s
	n=$(python3 -c "import json,sys; print(sum(o['count'] for o in json.load(open(sys.argv[1]))['ops']))" "$out/summary.json")
	read -r u s <"$tmp/time-$1-$2"
	python3 -c "import sys; u,s,n=map(float,sys.argv[1:]); print('%.1f' % ((u+s)/n*1e6))" "$u" "$s" "$n" >>"$tmp/us-$1"
	echo "$1 round $2: $n requests, $(tail -1 "$tmp/us-$1") µs CPU per request"
}
for r in $(seq "$rounds"); do
	run off "$r"
	run on "$r"
done
python3 - "$tmp/us-off" "$tmp/us-on" <<'PY'
import statistics, sys
off = [float(x) for x in open(sys.argv[1])]
on = [float(x) for x in open(sys.argv[2])]
mo, mn = statistics.median(off), statistics.median(on)
print(f"median µs CPU per request: off {mo:.1f}, on {mn:.1f}; on/off {mn / mo:.3f}")
PY
