#!/usr/bin/env bash
# Runs a command (the suite) beside two busy loops per core, and reports how long it took:
# no test may depend on an idle machine. `make test-busy` runs the whole suite this way.
set -euo pipefail
loops=$((2 * $(nproc)))
busy=()
stop() { kill "${busy[@]}" 2>/dev/null || true; }
trap stop EXIT
for _ in $(seq "$loops"); do
	(while :; do :; done) &
	busy+=("$!")
done
echo "busy: $loops loops on $(nproc) cores beside: $*"
started=$(date +%s)
status=0
"$@" || status=$?
echo "busy: the command took $(($(date +%s) - started)) s beside $loops busy loops (exit $status)"
exit "$status"
