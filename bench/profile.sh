#!/usr/bin/env bash
# Profile of the figure with the worst JdMail/peer ratio: TLS 1.3 handshakes on SMTPS with an ECDSA P-256 certificate
# (see RESULTS.md). JdMail is loaded by `openssl s_time -new -tls1_3` (1 process) for SECONDS each time, and sampled twice:
#  1. dotnet-trace (local dotnet tool, bench/dotnet-tools.json), dotnet-sampled-thread-time profile (managed stacks of
#     every thread at ~100 Hz, so waiting threads count too): top methods by
#     exclusive and inclusive time (`dotnet-trace report topN`);
#  2. perf (Debian linux-perf) with DOTNET_PerfMapEnabled=1: native and JIT frames, time by shared object and symbol,
#     which shows the OpenSSL (libcrypto/libssl) share that EventPipe only sees as native code.
# A third, short perf run covers the CA actor issuing rsa2048 certificates (the other low ratio). About 1.5 minutes.
source "$(dirname "$0")/lib.sh"
SUMMARY="$OUT/profile.md"; : > "$SUMMARY"
need_packages openssl python3 linux-perf
build
SECONDS_EACH=${SECONDS_EACH:-12}
(cd "$BENCH_DIR" && dotnet tool restore >/dev/null)
make_work profile; work=$WORK
openssl_cert "$work/tls" ec
mkdir -p "$work/jd"; cp "$work/tls/cert.pem" "$work/jd/server.cert"; cp "$work/tls/key.pem" "$work/jd/server.key"
# perf map files name the JIT-compiled methods; W^X off so perf sees them at their real addresses (not memfd:doublemapper).
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
jd_start "$work"
port=$(jd_port smtps)
load() { timeout $((SECONDS_EACH + 20)) openssl s_time -connect "127.0.0.1:$port" -new -tls1_3 -time "$SECONDS_EACH" 2>&1 | grep "connections in"; }
load >/dev/null   # warm-up (JIT)

log "profile: dotnet-trace"
load > "$work/load1" & load_pid=$!
(cd "$BENCH_DIR" && timeout 120 dotnet dotnet-trace collect -p "$JD_PID" --profile dotnet-common,dotnet-sampled-thread-time --duration "00:00:00:$SECONDS_EACH" \
  -o "$work/jdmail.nettrace" </dev/null >/dev/null 2>&1)
wait "$load_pid"
{
  echo "## dotnet-trace, dotnet-sampled-thread-time, $SECONDS_EACH s under openssl s_time ($(cat "$work/load1"))"
  echo; echo '```'
  (cd "$BENCH_DIR" && timeout 120 dotnet dotnet-trace report "$work/jdmail.nettrace" topN -n 12 </dev/null) 2>&1
  echo; echo "inclusive:"
  (cd "$BENCH_DIR" && timeout 120 dotnet dotnet-trace report "$work/jdmail.nettrace" topN -n 25 --inclusive </dev/null) 2>&1
  echo '```'
} >> "$SUMMARY"

log "profile: perf"
load > "$work/load2" & load_pid=$!
perf record -F 499 -g -p "$JD_PID" -o "$work/perf.data" -- sleep "$SECONDS_EACH" >/dev/null 2>&1
wait "$load_pid"
{
  echo; echo "## perf, $SECONDS_EACH s at 499 Hz under openssl s_time ($(cat "$work/load2"))"
  echo; echo '```'
  echo "by shared object (self time):"
  perf report -i "$work/perf.data" --no-children -g none --sort dso --stdio > "$work/perf.dso" 2>/dev/null || true
  grep -E '^ +[0-9]' "$work/perf.dso" | head -12 | sed 's/ *$//' || true
  echo; echo "by symbol (self time):"
  perf report -i "$work/perf.data" --no-children -g none --sort dso,symbol --stdio > "$work/perf.sym" 2>/dev/null || true
  grep -E '^ +[0-9]' "$work/perf.sym" | head -30 | sed 's/ *- *- *$//; s/ *$//' || true
  echo; echo "inclusive (self + callees), named frames only:"
  perf report -i "$work/perf.data" --children -g none --sort symbol --stdio > "$work/perf.incl" 2>/dev/null || true
  grep -E '^ +[0-9]' "$work/perf.incl" | grep -vE '\] (0x)?[0-9a-f]{12,16}[ -]*$' | head -45 | sed 's/ *$//' | cut -c1-220 || true
  echo '```'
} >> "$SUMMARY"

# The other low ratio, CA issuance with rsa2048 keys (actor vs the openssl loop): where the actor's CPU goes.
log "profile: perf on the CA actor, rsa2048"
jd_stop
perf record -F 499 -g -o "$work/perf-ca.data" -- dotnet "$BENCH_DLL" ca --key rsa2048 --count 25 --max-seconds 20 \
  --mailroot "$work/ca/mailroot" > "$work/ca.out" 2>/dev/null
{
  echo; echo "## perf on jdmail-bench ca --key rsa2048 ($(grep -o 'issued=.*' "$work/ca.out"); whole process, start-up included)"
  echo; echo '```'
  echo "by symbol (self time):"
  perf report -i "$work/perf-ca.data" --no-children -g none --sort dso,symbol --stdio > "$work/perf-ca.sym" 2>/dev/null || true
  grep -E '^ +[0-9]' "$work/perf-ca.sym" | head -8 | sed 's/ *- *- *$//; s/ *$//' | cut -c1-220 || true
  echo; echo "inclusive, JdMail / BouncyCastle / journal frames:"
  perf report -i "$work/perf-ca.data" --children -g none --sort symbol --stdio > "$work/perf-ca.incl" 2>/dev/null || true
  grep -E '^ +[0-9]' "$work/perf-ca.incl" | grep -E 'JdMail\.(Actors|Pki)|BouncyCastle|Sqlite|Persistence|fsync|FlushToDisk' | head -20 | sed 's/ *$//' | cut -c1-220 || true
  echo '```'
} >> "$SUMMARY"
cat "$SUMMARY"
