#!/bin/sh
# install-oracle.sh DIR: installs the npm package behind the recrypt oracle
# (shared/oracle/recrypt, pinned to @ironcorelabs/recrypt-wasm-binding 0.7.1)
# into DIR, checks it with the oracle's self-test, and prints the line to
# export so that the sdk/recrypt tests find it. CI:
#
#	eval "$(sdk/recrypt/testdata/install-oracle.sh "$RUNNER_TEMP/recrypt-oracle")"
#	RECRYPT_ORACLE_REQUIRED=1 go test ./sdk/recrypt/...
set -eu
if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
oracle=${RECRYPT_ORACLE_SRC:-$root/../shared/oracle/recrypt}
if [ ! -f "$oracle/package.json" ]; then
	echo "install-oracle.sh: $oracle/package.json not found (set RECRYPT_ORACLE_SRC)" >&2
	exit 1
fi
mkdir -p "$1"
dir=$(cd "$1" && pwd)
cp "$oracle/package.json" "$oracle/.npmrc" "$dir/"
(cd "$dir" && npm install --no-audit --no-fund >&2)
binding="$dir/node_modules/@ironcorelabs/recrypt-wasm-binding"
RECRYPT_WASM_BINDING_DIR="$binding" node "$oracle/oracle.js" --self-test >&2
echo "export RECRYPT_WASM_BINDING_DIR='$binding'"
