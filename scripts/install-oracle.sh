#!/bin/sh
# install-oracle.sh DIR: installs the npm package behind the recrypt oracle
# (internal/recryptoracle/js, pinned to @ironcorelabs/recrypt-wasm-binding
# 0.7.1) into DIR, checks it with the oracle's self-test, and prints the
# line to export so that the tests find it (.ci/run does this):
#
#	eval "$(scripts/install-oracle.sh "$(mktemp -d)")"
#	RECRYPT_ORACLE_REQUIRED=1 go test ./sdk/... ./service/... ./internal/recryptoracle/
#
# It needs Node.js 20+, npm and the npm registry; the oracle's script
# itself stays in the repository.
set -eu
if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
oracle=${RECRYPT_ORACLE_SRC:-$root/internal/recryptoracle/js}
if [ ! -f "$oracle/package.json" ]; then
	echo "install-oracle.sh: $oracle/package.json not found (RECRYPT_ORACLE_SRC names the folder of oracle.js)" >&2
	exit 1
fi
for c in node npm; do
	if ! command -v "$c" >/dev/null; then
		echo "install-oracle.sh: $c not found; the recrypt oracle needs Node.js 20 or newer with npm" >&2
		exit 1
	fi
done
mkdir -p "$1"
dir=$(cd "$1" && pwd)
cp "$oracle/package.json" "$oracle/.npmrc" "$dir/"
(cd "$dir" && npm install --no-audit --no-fund --loglevel=error >&2)
binding="$dir/node_modules/@ironcorelabs/recrypt-wasm-binding"
RECRYPT_WASM_BINDING_DIR="$binding" node "$oracle/oracle.js" --self-test >&2
echo "export RECRYPT_WASM_BINDING_DIR='$binding'"
