#!/usr/bin/env bash
# Figure 2: full TLS 1.3 handshakes per second on SMTPS (implicit TLS), ECDSA P-256 and RSA-2048 certificates,
# JdMail vs `openssl s_server` serving the same certificate and key. Client: `openssl s_time -new -tls1_3` (no session
# resumption), 1 and 2 client processes in parallel, SECONDS (default 8) each. About 70 s.
source "$(dirname "$0")/lib.sh"
SUMMARY="$OUT/tls.md"; : > "$SUMMARY"; : > "$OUT/tls.raw"
need_packages openssl python3
build
SECONDS_EACH=${SECONDS_EACH:-8}
make_work tls; work=$WORK

# s_time_rate PORT PROCS -> handshakes per second summed over PROCS parallel s_time processes.
s_time_rate() {
  local port=$1 procs=$2 i
  for i in $(seq 1 "$procs"); do
    timeout $((SECONDS_EACH + 20)) openssl s_time -connect "127.0.0.1:$port" -new -tls1_3 -time "$SECONDS_EACH" \
      > "$work/s_time.$i" 2>&1 &
  done
  wait
  # "N connections in T real seconds, ..."
  cat "$work"/s_time.* | awk '/connections in .* real seconds/ { c+=$1; t=$4 } END { if (t>0) printf "%.0f\n", c/t; else print 0 }'
  rm -f "$work"/s_time.*
}

summary "| certificate | clients | JdMail handshakes/s | openssl s_server handshakes/s | ratio |"
summary "|---|---:|---:|---:|---:|"
for kind in ec rsa; do
  dir="$work/$kind"; openssl_cert "$dir/tls" "$kind"
  # JdMail serves the same files: a server.cert/server.key present before the first start is kept.
  mkdir -p "$dir/jd"; cp "$dir/tls/cert.pem" "$dir/jd/server.cert"; cp "$dir/tls/key.pem" "$dir/jd/server.key"
  jd_start "$dir"
  jd_smtps=$(jd_port smtps)
  ss_port=$(free_port)
  openssl s_server -accept "127.0.0.1:$ss_port" -cert "$dir/tls/cert.pem" -key "$dir/tls/key.pem" -tls1_3 -www -quiet \
    </dev/null >"$dir/s_server.log" 2>&1 &
  ss_pid=$!; on_exit "kill $ss_pid"
  wait_for 20 port_open "$ss_port"
  # What each side negotiates (recorded once per certificate).
  for p in "$jd_smtps" "$ss_port"; do
    echo | timeout 10 openssl s_client -connect "127.0.0.1:$p" -tls1_3 -brief 2>&1 | grep -E "Protocol version|Ciphersuite|Peer signature type|Server Temp Key|Peer certificate" \
      | sed "s/^/$kind port $p: /" >> "$OUT/tls.raw" || true
  done
  cmp <(openssl x509 -in "$JD_ROOT/server.cert" -noout -fingerprint -sha256) <(openssl x509 -in "$dir/tls/cert.pem" -noout -fingerprint -sha256)
  name=$([ "$kind" = ec ] && echo "ECDSA P-256" || echo "RSA-2048")
  for procs in 1 2; do
    log "tls: $name, $procs client process(es)"
    j=$(s_time_rate "$jd_smtps" "$procs")
    s=$(s_time_rate "$ss_port" "$procs")
    summary "| $name | $procs | $j | $s | $(ratio "$j" "$s") |"
  done
  kill "$ss_pid"; wait "$ss_pid" 2>/dev/null || true
  jd_stop
done
cat "$OUT/tls.raw" >&2
