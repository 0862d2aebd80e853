#!/bin/sh
# lambda-wrapper.sh — runs a Lambda function's runtime behind
# `slsec guard --lambda-proxy` (docs/guard.md, "Lambda Runtime API proxy").
#
# Deploy the slsec binary and this script in a layer (/opt/slsec and
# /opt/slsec-wrapper), the policy as /opt/guard.yml (or SLSEC_GUARD_CONFIG),
# and set the function's environment AWS_LAMBDA_EXEC_WRAPPER=/opt/slsec-wrapper.
# Lambda then starts the runtime through this script, which points the
# runtime at the guard instead of the real Runtime API. Events the policy
# refuses end as invocation errors of type SlsecGuard.Blocked; the handler
# never sees them.
#
# Two ways to run the guard itself:
#   - as an external extension (tools/guard/slsec-guard-extension.sh in the
#     layer as /opt/extensions/slsec-guard): Lambda starts it before the
#     runtime and tells it when the sandbox shuts down; this script only
#     waits for it to listen;
#   - without the extension: this script starts the guard itself.
# SLSEC_BIN, SLSEC_GUARD_EXTENSION and SLSEC_GUARD_READY move the files
# (tests); SLSEC_GUARD_PORT the port (default 9009).
set -eu
ready=${SLSEC_GUARD_READY:-/tmp/slsec-guard.port}
if [ ! -x "${SLSEC_GUARD_EXTENSION:-/opt/extensions/slsec-guard}" ]; then
    rm -f "$ready"
    "${SLSEC_BIN:-/opt/slsec}" guard --lambda-proxy --config "${SLSEC_GUARD_CONFIG:-/opt/guard.yml}" \
        --runtime-api "$AWS_LAMBDA_RUNTIME_API" --listen "127.0.0.1:${SLSEC_GUARD_PORT:-9009}" \
        --ready-file "$ready" --access-log - &
fi
# the runtime must not start before the guard listens
i=0
while [ ! -s "$ready" ] && [ $i -lt 250 ]; do sleep 0.02; i=$((i + 1)); done
[ -s "$ready" ] || { echo "slsec guard did not start" >&2; exit 1; }
AWS_LAMBDA_RUNTIME_API="127.0.0.1:$(cat "$ready")"
export AWS_LAMBDA_RUNTIME_API
exec "$@"
