#!/usr/bin/env bash
# The project's test command (README): formatting, vet, the race detector on
# the fast packages, every test, then the timing-sensitive integration tests
# (without -race, which would distort their timing).
set -euo pipefail
cd "$(dirname "$0")"

# What only comes from outside the repository is skipped when absent, with
# one line here (.ci/run installs them).
if [ -n "${RECRYPT_WASM_BINDING_DIR:-}${NODE_PATH:-}" ] || [ -d internal/recryptoracle/js/node_modules/@ironcorelabs/recrypt-wasm-binding ]; then
  if [ "${RECRYPT_ORACLE_REQUIRED:-}" = 1 ]; then echo "recrypt oracle: installed, required"; else echo "recrypt oracle: installed"; fi
else
  echo "SKIPPED: recrypt oracle tests (npm package not installed; eval \"\$(scripts/install-oracle.sh \"\$(mktemp -d)\")\" installs it)"
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "SKIPPED: report.html in a browser (/usr/bin/chromium absent; apt-get install -y chromium)"
fi
if [ ! -x /usr/bin/prometheus ]; then
  echo "SKIPPED: a real Prometheus scraping the metrics (/usr/bin/prometheus absent; apt-get install -y prometheus)"
fi

echo "== gofmt"
unformatted=$(gofmt -l $(find . -name '*.go' -not -path './.git/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
echo "== go vet"
go vet ./...
echo "== go test -race (all but the recrypt math, which runs without it below)"
go test -race -count=1 ./loadgen/... ./results/... ./scenarios/... ./ops/... ./metrics/... ./sdk/ ./service/... ./cmd/...
echo "== go test ./..."
go test -count=1 ./...
echo "== recrypt vectors"
vectors=$(go test -count=1 -run '^TestVectors$' -v ./sdk/recrypt/ 2>&1) || {
  echo "$vectors"; echo "test.sh: the recrypt vectors test failed"; exit 1
}
grep -E '^recrypt vectors' <<<"$vectors" || {
  echo "$vectors"; echo "test.sh: the recrypt vectors test printed no 'recrypt vectors' line"; exit 1
}
echo "== purego (the portable code of the packages with assembly) and fieldcount (constant-time op counts)"
go test -count=1 -short -tags purego ./sdk/internal/pbkdf2/ ./sdk/recrypt/internal/... ./sdk/recrypt/
go test -count=1 -tags fieldcount ./sdk/recrypt/internal/curve/
echo "== testhooks (the test-only delays of a binary built for the integration tests)"
go test -count=1 -tags testhooks ./internal/testhook/
echo "== integration (timing-sensitive, no -race)"
go test -count=1 -tags integration -run 'Integration|RealClock' ./loadgen/ ./cmd/loadgen/
