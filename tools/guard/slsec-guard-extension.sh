#!/bin/sh
# slsec-guard-extension.sh — `slsec guard --lambda-proxy` as an external
# Lambda extension (docs/guard.md, "Lambda Runtime API proxy").
#
# Put it in the layer as /opt/extensions/slsec-guard (the file name is the
# extension's name), with the binary as /opt/slsec and the policy as
# /opt/guard.yml (or SLSEC_GUARD_CONFIG), and tools/guard/lambda-wrapper.sh
# as AWS_LAMBDA_EXEC_WRAPPER to point the runtime at the guard. Lambda
# starts extensions before the runtime: the guard listens, writes its port
# to the ready file, registers with the Extensions API (SHUTDOWN only), and
# exits when the sandbox shuts down. An extension that fails to register
# fails the function's init, so a guard that cannot run never lets events
# through unguarded.
set -eu
ready=${SLSEC_GUARD_READY:-/tmp/slsec-guard.port}
rm -f "$ready"
exec "${SLSEC_BIN:-/opt/slsec}" guard --lambda-proxy --extension "$(basename "$0")" \
    --config "${SLSEC_GUARD_CONFIG:-/opt/guard.yml}" --runtime-api "$AWS_LAMBDA_RUNTIME_API" \
    --listen "127.0.0.1:${SLSEC_GUARD_PORT:-9009}" --ready-file "$ready" --access-log -
