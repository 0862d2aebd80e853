#!/usr/bin/env bash
#
# test_guard_tls.sh — slsec guard with listen_tls: a self-signed
# certificate made here with the openssl tool (for 127.0.0.1), the gateway
# answering HTTPS on loopback (curl --cacert), the upstream told the scheme
# (X-Forwarded-Proto, Forwarded proto=https), plain HTTP on the TLS port
# refused, a trickling TLS client cut, and config errors (a missing file, a
# key that is not the certificate's) at their line:col.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/guard_lib.sh"

if ! command -v curl >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
    case_skip "guard TLS end to end" "curl or openssl (the tool) is not installed"
    exit 0
fi

G="$TMP/g"
mkdir -p "$G"
make_cert() { # NAME
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=slsec test" \
        -addext "subjectAltName=IP:127.0.0.1" -keyout "$G/$1.key" -out "$G/$1.pem" >/dev/null 2>&1
}
make_cert server
make_cert other

start_upstream

tls_config() { # FILE CERT KEY
    cat >"$1" <<YML
listen_tls:
  cert: $2
  key: $3
limits: {header_timeout_ms: 1000}
upstreams:
  app: {url: "http://127.0.0.1:$UP"}
routes:
  - {name: public, path: /public/**, upstream: app, auth: none}
YML
}
tls_config "$G/tls.yml" server.pem server.key
tls_config "$G/missing.yml" server.pem nowhere.key
tls_config "$G/mismatch.yml" server.pem other.key

case_begin "listen_tls: --check loads the pair and shows it"
expect_exit 0 "$SLSEC" guard --config "$G/tls.yml" --check
expect_match "$OUT" '^  cert: ".*/server.pem"$'
case_end

case_begin "listen_tls: a missing key file is refused at its line:col"
expect_exit 2 "$SLSEC" guard --config "$G/missing.yml" --check
expect_contains "$ERR" "missing.yml:3:8:"
expect_contains "$ERR" "nowhere.key"
case_end

case_begin "listen_tls: a key that is not the certificate's is refused"
expect_exit 2 "$SLSEC" guard --config "$G/mismatch.yml" --check
expect_contains "$ERR" "mismatch.yml:3:8:"
case_end

rm -f "$TMP/guard.port"
"$SLSEC" guard --config "$G/tls.yml" --listen 127.0.0.1:0 --ready-file "$TMP/guard.port" \
    --access-log "$TMP/access.log" 2>"$TMP/guard.err" &
GUARD_PID=$!
for _ in $(seq 200); do [ -s "$TMP/guard.port" ] && break; sleep 0.05; done
PORT=$(cat "$TMP/guard.port" 2>/dev/null)

case_begin "HTTPS is answered and relayed; the upstream learns the scheme"
STATUS=$(curl -s -o "$TMP/b" -w '%{http_code}' --max-time 10 --cacert "$G/server.pem" \
    "https://127.0.0.1:$PORT/public/a?b=c")
expect_eq "$STATUS" 200 "status"
py_check "$TMP/b" '
h = d["headers"]
if h.get("x-forwarded-proto") != "https": print("x-forwarded-proto", h.get("x-forwarded-proto"))
if not h.get("forwarded", "").endswith(";proto=https"): print("forwarded", h.get("forwarded"))
if d["path"] != "/public/a?b=c": print("path", d["path"])'
case_end

case_begin "a certificate the client does not trust fails the handshake"
STATUS=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$G/other.pem" "https://127.0.0.1:$PORT/public/a")
expect_eq "$STATUS" 000 "status"
case_end

case_begin "plain HTTP on the TLS port gets no HTTP answer; the gateway keeps serving"
STATUS=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$PORT/public/a")
expect_eq "$STATUS" 000 "status"
STATUS=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$G/server.pem" "https://127.0.0.1:$PORT/healthz")
expect_eq "$STATUS" 200 "still serving"
case_end

case_begin "a TLS client trickling its request is cut at its deadline"
timeout 30 "$PY" - "$PORT" "$G/server.pem" >"$TMP/trickle" 2>&1 <<'PYEOF'
import socket, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="127.0.0.1")
s.settimeout(0.2)
msg = b"GET /public/x HTTP/1.1\r\nHost: a\r\nX-Slow: " + b"a" * 200
for i in range(len(msg)):
    try:
        s.send(msg[i:i + 1])
        if s.recv(100) == b"":
            print("closed by the gateway"); break
    except socket.timeout:
        pass
    except (OSError, ssl.SSLError):
        print("closed by the gateway"); break
else:
    print("still open after %d bytes" % len(msg))
PYEOF
expect_contains "$TMP/trickle" "closed by the gateway"
STATUS=$(curl -s -o "$TMP/b" -w '%{http_code}' --max-time 10 --cacert "$G/server.pem" "https://127.0.0.1:$PORT/metrics")
expect_match "$TMP/b" '^slsec_guard_slow_clients_cut_total [1-9]'
case_end

case_begin "SIGHUP rotates the certificate for new connections"
cp "$G/other.pem" "$G/server.pem"
cp "$G/other.key" "$G/server.key"
kill -HUP "$GUARD_PID"
for _ in $(seq 40); do grep -q "reloaded" "$TMP/guard.err" && break; sleep 0.1; done
STATUS=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$G/other.pem" "https://127.0.0.1:$PORT/public/r")
expect_eq "$STATUS" 200 "the new certificate"
case_end

case_begin "the TLS gateway stops cleanly (exit 0, no sanitizer report)"
expect_clean_stop "$TMP/guard.err"
case_end
