#!/usr/bin/env bash
#
# bench/guard/run.sh SLSEC [SECONDS] — requests/s and latency percentiles with
# wrk on loopback: (a) direct to the upstream (bench/guard/upstream.c,
# libevent), (a') direct POST, (p) through the guard on a route with no
# policy, (b) through the guard with JWT auth + rate limit + JSON Schema on a
# POST body, (c) the same with the WAF (CRS, paranoia 1), (c') the guard
# with the WAF only, and (d) the peer for (c'): nginx with
# libnginx-mod-http-modsecurity and the same CRS and engine settings (one
# worker, like the guard's one thread), skipped when nginx is not installed.
# Short runs (default 5 s each), one wrk thread, CONNS connections (default
# 16; CONNS=1 sends one request at a time: the latency a hop adds without
# queueing). Prints
# wrk's summary lines and the guard's peak RSS.
set -eu
SLSEC=$(realpath "$1")
SECS=${2:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
trap 'kill $UP_PID $G_PID $N_PID 2>/dev/null; rm -rf "$W"' EXIT
UP_PID="" G_PID="" N_PID=""
# shellcheck disable=SC2046 # pkg-config prints several words
cc -O2 -o "$W/upstream" "$HERE/upstream.c" $(pkg-config --cflags --libs libevent)
"$W/upstream" "$W/up.port" & UP_PID=$!
for _ in $(seq 50); do [ -s "$W/up.port" ] && break; sleep 0.1; done
UP=$(cat "$W/up.port")
sed "s/UPSTREAM_PORT/$UP/" "$HERE/guard.yml" >"$HERE/.guard.run.yml"
/usr/bin/time -f '%M' -o "$W/rss" "$SLSEC" guard --config "$HERE/.guard.run.yml" --ready-file "$W/g.port" -q & G_PID=$!
for _ in $(seq 50); do [ -s "$W/g.port" ] && break; sleep 0.1; done
GP=$(cat "$W/g.port")
GUARD_TOKEN=$(python3 - <<'PY'
import base64, hashlib, hmac, json, time
b = lambda d: base64.urlsafe_b64encode(d).rstrip(b"=").decode()
h = b(json.dumps({"alg": "HS256", "kid": "test-hs"}).encode())
p = b(json.dumps({"sub": "bench", "iss": "https://issuer.test", "aud": "orders", "exp": int(time.time()) + 3600}).encode())
print(h + "." + p + "." + b(hmac.new(b"slsec-guard-test-hmac-key-0123456789abcdef", (h + "." + p).encode(), hashlib.sha256).digest()))
PY
)
export GUARD_TOKEN
bench() { # LABEL URL [wrk args]
    local label=$1 url=$2; shift 2
    local out
    out=$(wrk -t1 -c"${CONNS:-16}" -d"${SECS}s" --latency "$@" "$url")
    local rps p50 p99 non2xx
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    printf '%-44s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$label" "$rps" "$p50" "$p99" "${non2xx:-0}"
}
bench "(a) direct GET" "http://127.0.0.1:$UP/plain"
bench "(a') direct POST" "http://127.0.0.1:$UP/orders" -s "$HERE/post.lua"
bench "(p) guard, no policy, GET" "http://127.0.0.1:$GP/plain"
bench "(b) guard, JWT + rate limit + schema, POST" "http://127.0.0.1:$GP/orders" -s "$HERE/post.lua"
bench "(c) guard, (b) + WAF, POST" "http://127.0.0.1:$GP/orders-waf" -s "$HERE/post.lua"
bench "(c') guard, WAF only, GET" "http://127.0.0.1:$GP/waf?q=red+shoes"
if [ -x /usr/sbin/nginx ] && [ -f /usr/lib/nginx/modules/ngx_http_modsecurity_module.so ]; then
    NP=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    mkdir -p "$W/nginx-tmp"
    cat >"$W/modsec.conf" <<MS
SecRuleEngine On
SecRequestBodyAccess On
SecRequestBodyLimit 1048576
SecArgumentsLimit 1000
SecResponseBodyAccess Off
SecAuditEngine Off
Include /etc/modsecurity/crs/crs-setup.conf
SecAction "id:900000,phase:1,nolog,pass,t:none,setvar:tx.paranoia_level=1"
SecAction "id:900110,phase:1,nolog,pass,t:none,setvar:tx.inbound_anomaly_score_threshold=5,setvar:tx.outbound_anomaly_score_threshold=4"
Include /usr/share/modsecurity-crs/rules/*.conf
MS
    cat >"$W/nginx.conf" <<NG
load_module /usr/lib/nginx/modules/ngx_http_modsecurity_module.so;
daemon off;
worker_processes 1;
pid $W/nginx.pid;
error_log $W/nginx.err warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $W/nginx-tmp/body; proxy_temp_path $W/nginx-tmp/proxy;
    fastcgi_temp_path $W/nginx-tmp/fcgi; uwsgi_temp_path $W/nginx-tmp/uwsgi; scgi_temp_path $W/nginx-tmp/scgi;
    upstream app { server 127.0.0.1:$UP; keepalive 16; }
    server {
        listen 127.0.0.1:$NP;
        modsecurity on;
        modsecurity_rules_file $W/modsec.conf;
        location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
    }
}
NG
    /usr/sbin/nginx -c "$W/nginx.conf" -e "$W/nginx.err" & N_PID=$!
    for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$NP/" && break; sleep 0.1; done
    bench "(d) nginx + ModSecurity + CRS, GET" "http://127.0.0.1:$NP/waf?q=red+shoes"
    kill -QUIT "$N_PID" 2>/dev/null; wait "$N_PID" 2>/dev/null || true
else
    echo "(d) skipped: nginx or libnginx-mod-http-modsecurity is not installed"
fi
# stop the gateway itself (time(1) then writes its peak RSS)
kill -TERM "$(pgrep -P "$G_PID")"; wait "$G_PID" || true
echo "guard peak RSS: $(cat "$W/rss") KiB"
rm -f "$HERE/.guard.run.yml"
