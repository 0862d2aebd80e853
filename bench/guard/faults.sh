#!/usr/bin/env bash
#
# bench/guard/faults.sh SLSEC — the gateway under faults, loopback only:
# 2,000 slow clients trickling headers (does it stay responsive?), the
# upstream down (time to the 502), an upstream slower than the route's
# timeout (time to the 504), and five SIGHUP reloads during a wrk run (how
# many requests failed). Prints the gateway's peak RSS at the end.
set -eu
SLSEC=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
UP_PID="" G_PID="" PY_PID=""
trap 'kill $UP_PID $G_PID $PY_PID 2>/dev/null; rm -rf "$W"' EXIT
ulimit -n 8192
# shellcheck disable=SC2046 # pkg-config prints several words
cc -O2 -o "$W/upstream" "$HERE/upstream.c" $(pkg-config --cflags --libs libevent)
"$W/upstream" "$W/up.port" & UP_PID=$!
python3 "$HERE/../../tests/cli/guard_upstream.py" "$W/slow.port" 2>/dev/null & PY_PID=$!
for _ in $(seq 50); do [ -s "$W/up.port" ] && [ -s "$W/slow.port" ] && break; sleep 0.1; done
cat >"$W/guard.yml" <<YML
listen: 127.0.0.1:0
limits: {header_timeout_ms: 5000, upstream_timeout_ms: 500}
upstreams:
  app: {url: "http://127.0.0.1:$(cat "$W/up.port")"}
  slow: {url: "http://127.0.0.1:$(cat "$W/slow.port")"}
  down: {url: "http://127.0.0.1:9"}
routes:
  - {name: plain, path: /plain, upstream: app, auth: none}
  - {name: slow, path: /slow/**, upstream: slow, auth: none}
  - {name: down, path: /down, upstream: down, auth: none}
YML
/usr/bin/time -f '%M' -o "$W/rss" "$SLSEC" guard --config "$W/guard.yml" --ready-file "$W/g.port" 2>"${GUARD_STDERR:-/dev/null}" & G_PID=$!
for _ in $(seq 50); do [ -s "$W/g.port" ] && break; sleep 0.1; done
GP=$(cat "$W/g.port")
echo "== 2000 slow clients for 15 s (request deadline 5 s)"
python3 "$HERE/slow_clients.py" "$GP" 2000 15
echo "== upstream down"
curl -s -o /dev/null -w 'status %{http_code} in %{time_total} s\n' "http://127.0.0.1:$GP/down"
echo "== upstream slower (2 s) than the route timeout (500 ms)"
curl -s -o /dev/null -w 'status %{http_code} in %{time_total} s\n' "http://127.0.0.1:$GP/slow/2"
echo "== 5 reloads during 6 s of wrk"
GUARD=$(pgrep -P "$G_PID")
( for _ in 1 2 3 4 5; do sleep 1; kill -HUP "$GUARD"; done ) &
wrk -t1 -c16 -d6s "http://127.0.0.1:$GP/plain" | grep -E "requests in|Non-2xx|Socket errors" || true
kill -TERM "$GUARD"; wait "$G_PID" || true
echo "guard peak RSS: $(cat "$W/rss") KiB"
