#!/usr/bin/env bash
# bench/httpclient.sh: the http op's client against valyala/fasthttp's, in
# one run, interleaved.
#
# One loopback target (internal/benchtarget) pinned to CPU 0. A peer program
# (built in a throwaway module, so fasthttp stays out of go.mod) pinned to
# CPU 1 runs WORKERS goroutines flat out for SECONDS in one of two modes:
#   op        loadgen's http op as `loadgen run` builds it (GET, kept-alive
#             connection per worker, sub-phases on), one loadgen.Iteration
#             per worker;
#   fasthttp  fasthttp.HostClient, one per worker (MaxConns 1), reporting
#             the same phases into the same kind of loadgen.Iteration:
#             connect (its Dial), wait (first write to first byte read, by a
#             net.Conn wrapper) and read (first byte to the end of Do).
# With BASELINE set to another checkout of loadgen (an earlier commit, say),
# a third mode, baseline, runs that checkout's http op in the same rounds.
# Each mode prints requests, errors and its own CPU µs per request
# (getrusage of the peer process over the load window). ROUNDS rounds
# alternate the modes; the medians and the ratios to fasthttp end the output.
#
# usage: bench/httpclient.sh [ROUNDS=5] [SECONDS=8] [WORKERS=50]
# env:   BASELINE  another loadgen checkout to measure as "baseline"
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
rounds=${1:-5}
secs=${2:-8}
workers=${3:-50}
if [ "$(nproc)" -lt 2 ]; then
	echo "httpclient.sh: needs 2 CPUs (target on CPU 0, peer on CPU 1)" >&2
	exit 2
fi
tmp=$(mktemp -d)
target_pid=
cleanup() {
	if [ -n "$target_pid" ]; then kill "$target_pid" 2>/dev/null || true; wait "$target_pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "httpclient.sh: building the target and the peer program in $tmp" >&2
go build -o "$tmp/target" ./internal/benchtarget
mkdir -p "$tmp/peer"
cat >"$tmp/peer/main.go" <<'GO'
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/ops"
	"github.com/valyala/fasthttp"
)

func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// tracedConn notes when a request's first write started and when the
// first byte of its response arrived.
type tracedConn struct {
	net.Conn
	wrote, first time.Time
}

func (c *tracedConn) Write(b []byte) (int, error) {
	if c.wrote.IsZero() {
		c.wrote = time.Now()
	}
	return c.Conn.Write(b)
}

func (c *tracedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 && c.first.IsZero() {
		c.first = time.Now()
	}
	return n, err
}

func main() {
	mode := flag.String("mode", "op", "op | fasthttp")
	raw := flag.String("url", "", "target URL")
	workers := flag.Int("workers", 50, "workers")
	dur := flag.Duration("duration", 10*time.Second, "duration")
	flag.Parse()
	u, err := url.Parse(*raw)
	if err != nil {
		panic(err)
	}
	var n, errs atomic.Int64
	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()
	var work func(w int)
	switch *mode {
	case "op":
		op, err := ops.HTTPEntry().New(&ops.Env{Target: u, Client: ops.NewHTTPClient(10*time.Second, false), Timeout: 10 * time.Second}, ops.Args{"url": "/"})
		if err != nil {
			panic(err)
		}
		work = func(w int) {
			it := &loadgen.Iteration{Worker: &loadgen.WorkerState{Index: w, Values: map[string]any{}}}
			for ctx.Err() == nil {
				it.BeginOp(time.Now())
				if err := op.Do(ctx, it); err != nil && ctx.Err() == nil {
					errs.Add(1)
				}
				it.EndOp()
				n.Add(1)
			}
		}
	case "fasthttp":
		work = func(w int) {
			it := &loadgen.Iteration{Worker: &loadgen.WorkerState{Index: w, Values: map[string]any{}}}
			var tc *tracedConn
			hc := &fasthttp.HostClient{
				Addr: u.Host, MaxConns: 1,
				Dial: func(addr string) (net.Conn, error) {
					t0 := time.Now()
					c, err := net.DialTimeout("tcp", addr, 10*time.Second)
					it.Phase("http:request/connect", t0, time.Now())
					if err != nil {
						return nil, err
					}
					tc = &tracedConn{Conn: c}
					return tc, nil
				},
			}
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			req.SetRequestURI(u.String())
			for ctx.Err() == nil {
				start := time.Now()
				it.BeginOp(start)
				if tc != nil {
					tc.wrote, tc.first = time.Time{}, time.Time{}
				}
				err := hc.DoTimeout(req, resp, 10*time.Second)
				end := time.Now()
				if tc != nil && !tc.first.IsZero() {
					it.Phase("http:request/wait", tc.wrote, tc.first)
					it.Phase("http:request/read", tc.first, end)
				}
				it.Phase("http:request", start, end)
				if err != nil || resp.StatusCode() != 200 {
					errs.Add(1)
				} else {
					it.SetStatus(resp.StatusCode())
				}
				it.EndOp()
				n.Add(1)
			}
		}
	default:
		panic("mode: op or fasthttp")
	}
	c0 := cpu()
	var wg sync.WaitGroup
	for w := range *workers {
		wg.Go(func() { work(w) })
	}
	wg.Wait()
	c1 := cpu()
	fmt.Printf("%d\t%d\t%.2f\n", n.Load(), errs.Load(), float64((c1-c0).Microseconds())/float64(max(1, n.Load())))
}
GO
# build_peer TREE BIN: the peer program against the loadgen checkout TREE.
build_peer() {
	cat >"$tmp/peer/go.mod" <<MOD
module peer

go 1.26

require github.com/ironcorelabs/loadgen v0.0.0
replace github.com/ironcorelabs/loadgen => $1
MOD
	cp "$1/go.sum" "$tmp/peer/go.sum"
	(cd "$tmp/peer" && go get github.com/valyala/fasthttp@v1.79.0 >/dev/null 2>&1 && go mod tidy >/dev/null 2>&1 && go build -o "$2" .)
}
build_peer "$root" "$tmp/peerbin"
modes=(op fasthttp)
if [ -n "${BASELINE:-}" ]; then
	build_peer "$(cd "$BASELINE" && pwd)" "$tmp/baselinebin"
	modes=(op baseline fasthttp)
fi

taskset -c 0 "$tmp/target" --addr 127.0.0.1:0 >"$tmp/addr" &
target_pid=$!
for _ in $(seq 100); do [ -s "$tmp/addr" ] && break; sleep 0.1; done
addr=$(head -1 "$tmp/addr")
[ -n "$addr" ] || { echo "httpclient.sh: the target did not start" >&2; exit 1; }

results="$tmp/results.tsv"
printf 'round\tmode\trequests\terrors\tcpu_us_per_req\n' >&2
for r in $(seq "$rounds"); do
	for mode in "${modes[@]}"; do
		bin=$tmp/peerbin m=$mode
		if [ "$mode" = baseline ]; then bin=$tmp/baselinebin m=op; fi
		line=$(taskset -c 1 "$bin" -mode "$m" -url "http://$addr/" -workers "$workers" -duration "${secs}s")
		printf '%s\t%s\t%s\n' "$r" "$mode" "$line" | tee -a "$results" >&2
	done
done
python3 - "$results" "$secs" "$workers" <<'PY'
import sys, statistics
rows = [l.split('\t') for l in open(sys.argv[1]).read().split('\n') if l]
secs, workers = float(sys.argv[2]), sys.argv[3]
med = {}
modes = [m for m in ('op', 'baseline', 'fasthttp') if any(r[1] == m for r in rows)]
print(f"median of {len(rows) // len(modes)} rounds, {secs:.0f} s each, {workers} workers")
print(f"{'client':<9} {'req/s':>9} {'errors':>7} {'cpu µs/req':>11}")
for mode in modes:
    rs = [r for r in rows if r[1] == mode]
    rps = statistics.median(int(r[2]) / secs for r in rs)
    errs = sum(int(r[3]) for r in rs)
    us = statistics.median(float(r[4]) for r in rs)
    med[mode] = us
    print(f"{mode:<9} {rps:>9.0f} {errs:>7} {us:>11.2f}")
for mode in modes[:-1]:
    print(f"{mode} ÷ fasthttp cpu/req: {med[mode] / med['fasthttp']:.2f}")
PY
