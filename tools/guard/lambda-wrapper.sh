#!/bin/sh
# lambda-wrapper.sh — runs a Lambda function's runtime behind
# `slsec guard --lambda-proxy` (docs/guard.md, "Lambda Runtime API proxy").
#
# Deploy the slsec binary and this script in a layer (/opt/slsec and
# /opt/slsec-wrapper), the policy as /opt/guard.yml (or SLSEC_GUARD_CONFIG),
# and set the function's environment AWS_LAMBDA_EXEC_WRAPPER=/opt/slsec-wrapper.
# Lambda then starts the runtime through this script: it starts the guard on
# a local port, in front of the real Runtime API, and points the runtime at
# the guard instead. Events the policy refuses end as invocation errors of
# type SlsecGuard.Blocked; the handler never sees them.
set -eu
real_api=$AWS_LAMBDA_RUNTIME_API
port=${SLSEC_GUARD_PORT:-9009}
ready=/tmp/slsec-guard.port
rm -f "$ready"
/opt/slsec guard --lambda-proxy --config "${SLSEC_GUARD_CONFIG:-/opt/guard.yml}" \
    --runtime-api "$real_api" --listen "127.0.0.1:$port" --ready-file "$ready" \
    --access-log - &
# the runtime must not start before the guard listens
i=0
while [ ! -s "$ready" ] && [ $i -lt 100 ]; do sleep 0.02; i=$((i + 1)); done
[ -s "$ready" ] || { echo "slsec guard did not start" >&2; exit 1; }
export AWS_LAMBDA_RUNTIME_API="127.0.0.1:$port"
exec "$@"
