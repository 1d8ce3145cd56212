#!/usr/bin/env bash
# The project's test command (README): formatting, vet, the race detector on
# the fast packages, every test, then the timing-sensitive integration tests
# (without -race, which would distort their timing).
set -euo pipefail
cd "$(dirname "$0")"

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
go test -count=1 -run '^TestVectors$' -v ./sdk/recrypt/ | grep -E '^recrypt vectors'
echo "== purego (the portable code of the packages with assembly) and fieldcount (constant-time op counts)"
go test -count=1 -short -tags purego ./sdk/internal/pbkdf2/ ./sdk/recrypt/internal/... ./sdk/recrypt/
go test -count=1 -tags fieldcount ./sdk/recrypt/internal/curve/
echo "== integration (timing-sensitive, no -race)"
go test -count=1 -tags integration -run 'Integration|RealClock' ./loadgen/ ./cmd/loadgen/
