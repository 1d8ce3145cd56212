#!/usr/bin/env bash
# bench/recrypt.sh: sdk/recrypt against its peers, in one run, interleaved.
#
# Each of COUNT rounds (default 10) runs, one after the other: this package's
# benchmarks (one sample each), gnark-crypto's BN254 pairing and
# golang.org/x/crypto/bn256's pairing (one sample each, from a throwaway
# module made in a temp dir), and the wasm recrypt's bench.js (internal/
# recryptoracle/js, needs RECRYPT_WASM_BINDING_DIR; see
# scripts/install-oracle.sh). Then it prints each op's median over the rounds,
# in wall-clock time and in the benchmark thread's CPU time (cpu-ns/op, which
# leaves out the time other processes held the core), and the ratios of
# medians. Machines here are shared and noisy: compare only figures from the
# same run, and on a loaded machine trust the CPU-time ratio.
#
# usage: bench/recrypt.sh [-count N] [-benchtime D] [-runs N]
#   -count N      rounds (default 10)
#   -benchtime D  go test -benchtime per sample (default 200ms)
#   -runs N       bench.js --runs per round (default 20)
set -euo pipefail

count=10 benchtime=200ms runs=20
while [ $# -gt 0 ]; do
	case "$1" in
	-count) count=$2; shift 2 ;;
	-benchtime) benchtime=$2; shift 2 ;;
	-runs) runs=$2; shift 2 ;;
	*) echo "usage: $0 [-count N] [-benchtime D] [-runs N]" >&2; exit 2 ;;
	esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
oracle=${RECRYPT_ORACLE_SRC:-$root/internal/recryptoracle/js}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "building sdk/recrypt benchmarks" >&2
(cd "$root" && go test -c -o "$tmp/recrypt.test" ./sdk/recrypt)

echo "building the peer module (gnark-crypto, x/crypto/bn256) in $tmp/peer" >&2
mkdir -p "$tmp/peer"
cat >"$tmp/peer/peer_test.go" <<'GO'
package peer

import (
	"crypto/rand"
	"math/big"
	"runtime"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	"golang.org/x/crypto/bn256"
	"golang.org/x/sys/unix"
)

// threadCPU is sdk/recrypt's: the thread's CPU time per op as cpu-ns/op.
func threadCPU(b *testing.B) func() {
	runtime.LockOSThread()
	start := threadNanos()
	return func() {
		used := threadNanos() - start
		runtime.UnlockOSThread()
		if b.N > 0 {
			b.ReportMetric(float64(used)/float64(b.N), "cpu-ns/op")
		}
	}
}

func threadNanos() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return ts.Nano()
}

func BenchmarkGnarkPairing(b *testing.B) {
	_, _, g1, g2 := bn254.Generators()
	var s1, s2 [32]byte
	rand.Read(s1[:])
	rand.Read(s2[:])
	var p bn254.G1Affine
	var q bn254.G2Affine
	p.ScalarMultiplication(&g1, new(big.Int).SetBytes(s1[:]))
	q.ScalarMultiplication(&g2, new(big.Int).SetBytes(s2[:]))
	b.ReportAllocs()
	defer threadCPU(b)()
	b.ResetTimer()
	for b.Loop() {
		if _, err := bn254.Pair([]bn254.G1Affine{p}, []bn254.G2Affine{q}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkXCryptoBn256Pairing(b *testing.B) {
	_, p, _ := bn256.RandomG1(rand.Reader)
	_, q, _ := bn256.RandomG2(rand.Reader)
	b.ReportAllocs()
	defer threadCPU(b)()
	b.ResetTimer()
	for b.Loop() {
		bn256.Pair(p, q)
	}
}
GO
(
	cd "$tmp/peer"
	go mod init peer >/dev/null 2>&1
	go get github.com/consensys/gnark-crypto/ecc/bn254@v0.19.2 golang.org/x/crypto/bn256@v0.59.0 golang.org/x/sys/unix@v0.50.0 >&2
	go test -c -o "$tmp/peer.test" .
)

binding=${RECRYPT_WASM_BINDING_DIR:-}
have_wasm=1
if [ -z "$binding" ] || [ ! -d "$binding" ]; then
	echo "!!! RECRYPT_WASM_BINDING_DIR not set: the wasm recrypt is NOT measured" >&2
	have_wasm=0
fi

ours='^Benchmark(Pairing|PairingFixedG2|GenerateKeyPair|GeneratePlaintext|Encrypt|Decrypt|DecryptTransformed|GenerateTransformKey|Transform|SchnorrSign)$'
for i in $(seq 1 "$count"); do
	echo "round $i/$count" >&2
	"$tmp/recrypt.test" -test.run '^$' -test.bench "$ours" -test.benchtime "$benchtime" -test.count 1 >>"$tmp/go.txt"
	(cd "$tmp/peer" && "$tmp/peer.test" -test.run '^$' -test.bench . -test.benchtime "$benchtime" -test.count 1 >>"$tmp/go.txt")
	if [ $have_wasm = 1 ]; then
		RECRYPT_WASM_BINDING_DIR=$binding node "$oracle/bench.js" --runs "$runs" --pbkdf2-runs 1 --json "$tmp/wasm-$i.json" >/dev/null 2>&1
	fi
done

node - "$tmp" "$count" <<'JS'
const fs = require('fs');
const [dir, count] = process.argv.slice(2);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n ? (n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2) : NaN; };
const go = {};
const cpu = {};
for (const line of fs.readFileSync(`${dir}/go.txt`, 'utf8').split('\n')) {
  const m = line.match(/^Benchmark(\S+?)(-\d+)?\s+\d+\s+([\d.]+) ns\/op/);
  if (m) (go[m[1]] ??= []).push(Number(m[3]) / 1e6);
  const c = line.match(/^Benchmark(\S+?)(-\d+)?\s.*?\s([\d.]+) cpu-ns\/op/);
  if (c) (cpu[c[1]] ??= []).push(Number(c[3]) / 1e6);
}
const wasm = {};
for (let i = 1; i <= Number(count); i++) {
  const f = `${dir}/wasm-${i}.json`;
  if (!fs.existsSync(f)) continue;
  for (const r of JSON.parse(fs.readFileSync(f, 'utf8')).results) (wasm[r.op] ??= []).push(r.binding.medianMs);
}
const ms = (x) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) ? (a / b).toFixed(2) + 'x' : 'n/a');
console.log(`## Medians over ${count} interleaved rounds (ms)\n`);
console.log('| benchmark | median (ms) | thread CPU median (ms) | samples |\n|---|---:|---:|---:|');
for (const [k, v] of Object.entries(go)) console.log(`| go: ${k} | ${ms(median(v))} | ${ms(median(cpu[k] ?? []))} | ${v.length} |`);
for (const [k, v] of Object.entries(wasm)) console.log(`| wasm: ${k} | ${ms(median(v))} | | ${v.length} |`);
const G = (k) => median(go[k] ?? []);
const W = (k) => median(wasm[k] ?? []);
console.log('\n## Ratios of medians\n');
console.log('| comparison | ratio |\n|---|---:|');
console.log(`| Pairing / gnark-crypto BN254 pairing (target <= 1.05x) | ${ratio(G('Pairing'), G('GnarkPairing'))} |`);
console.log(`| the same in thread CPU time | ${ratio(median(cpu.Pairing ?? []), median(cpu.GnarkPairing ?? []))} |`);
console.log(`| x/crypto/bn256 pairing / Pairing | ${ratio(G('XCryptoBn256Pairing'), G('Pairing'))} |`);
const pairs = [
  ['GenerateKeyPair', 'generateKeyPair'],
  ['GeneratePlaintext', 'generatePlaintext'],
  ['Encrypt', 'encrypt'],
  ['Decrypt', 'decrypt (level 0)'],
  ['DecryptTransformed', 'decrypt (level 1)'],
  ['GenerateTransformKey', 'generateTransformKey'],
  ['Transform', 'transform (1 hop: level 0 -> 1)'],
];
for (const [g, w] of pairs) console.log(`| wasm ${w} / go ${g} (speed-up, target >= 5x) | ${ratio(W(w), G(g))} |`);
JS
