#!/usr/bin/env bash
# Starts teed on the example TAs, runs the example clients against it, prints what
# they got, and stops teed. Usage: scripts/run.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR}
work=$(mktemp -d)
export TEE_SOCKET=$work/teed.sock

"$build/bin/teed" --socket "$TEE_SOCKET" --ta-dir "$build/ta" --storage "$work/storage" 2>"$work/teed.log" &
teed=$!
cleanup() {
	kill -TERM "$teed" 2>/dev/null && wait "$teed" || true
	rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do [ -S "$TEE_SOCKET" ] && break; sleep 0.05; done
[ -S "$TEE_SOCKET" ] || { cat "$work/teed.log"; echo "run: teed did not start" >&2; exit 1; }

status=0
for client in hello_world random aes hotp sha acipher sign_verify ecdsa ecdh secure_storage drm optee_example_hello_world; do
	echo "--- $client"
	"$build/bin/$client" || { status=1; echo "run: $client failed" >&2; }
done
echo "--- teed log"
cat "$work/teed.log"
exit $status
