#!/usr/bin/env bash
# Figure 3: memory with idle connected sessions. N sessions (1,000 and 10,000) are opened to the SMTP endpoint in clear
# (greeting read, nothing else) and to SMTPS (full TLS 1.3 handshake, greeting read) and held idle; the server's RSS
# and PSS are read from /proc/<pid>/smaps_rollup before and after. A fresh server for every measurement.
# Peer: Postfix (one smtpd process per session; all processes of the private instance summed, PSS so shared pages
# count once), at 1,000 sessions. About 2-3 minutes.
source "$(dirname "$0")/lib.sh"
SUMMARY="$OUT/memory.md"; : > "$SUMMARY"; : > "$OUT/memory.raw"
need_packages postfix dovecot-core openssl python3
build
# Open files: as many as the hard limit allows (20,000 in this container; 10,000 sessions need 10,000 in each process).
ulimit -n "$(ulimit -Hn)"
make_work mem; work=$WORK
PF_COUNTS=${PF_COUNTS:-1000}

# hold PORT MODE N: starts the idle generator, waits for "ready=", sets GEN_PID and HOLD_LINE (its output line).
hold() {
  local port=$1 mode=$2 n=$3 out="$work/idle.$RANDOM"
  # dotnet directly (not the bench function), so that $! is the generator itself and kill reaches it.
  dotnet "$BENCH_DLL" idle --port "$port" --tls "$mode" --count "$n" --parallel 16 --hold 300 > "$out" 2>"$out.err" &
  GEN_PID=$!; on_exit "kill $GEN_PID"
  wait_for 240 grep -q ready= "$out"
  sleep 3   # let the server settle (session actors started, buffers allocated)
  HOLD_LINE=$(cat "$out")
}

summary "| server | sessions | mode | RSS before (MiB) | RSS after (MiB) | PSS after (MiB) | bytes/session (PSS) | ratio JdMail/Postfix |"
summary "|---|---:|---|---:|---:|---:|---:|---:|"
declare -A PF_PER
# Postfix first, so the JdMail rows can carry the ratio.
for mode in none implicit; do
  for n in $PF_COUNTS; do
    d="$work/pf-$mode-$n"; mkdir -p "$d"; openssl_cert "$d/tls" ec
    p=$(free_port); sp=$(free_port)
    postfix_start "$d" "$d/tls/cert.pem" "$d/tls/key.pem" "$p" "$sp" $((n + 100))
    sleep 2
    read -r r0 s0 < <(mem_kib $(postfix_pids))
    port=$([ "$mode" = none ] && echo "$p" || echo "$sp")
    log "memory: postfix, $n sessions, tls=$mode"
    hold "$port" "$mode" "$n"; line=$HOLD_LINE
    read -r r1 s1 < <(mem_kib $(postfix_pids))
    ready=$(field ready "$line")
    per=$(( (s1 - s0) * 1024 / ready ))
    PF_PER[$mode]=$per
    summary "| Postfix 3 (sum of $(postfix_pids | wc -w) processes) | $ready | $([ "$mode" = none ] && echo clear || echo TLS) | $((r0/1024)) | $((r1/1024)) | $((s1/1024)) | $per | |"
    echo "postfix $mode $n: $line" >> "$OUT/memory.raw"
    kill "$GEN_PID"; wait "$GEN_PID" 2>/dev/null || true
    postfix -c "$PF_DIR/etc" stop >/dev/null 2>&1 || true
    doveadm -c "$DV_DIR/dovecot.conf" stop >/dev/null 2>&1 || true
    sleep 2
  done
done
for mode in none implicit; do
  for n in 1000 10000; do
    d="$work/jd-$mode-$n"; mkdir -p "$d"
    jd_start "$d" "listeners.max-connections = 20000"
    sleep 2
    read -r r0 s0 < <(mem_kib "$JD_PID")
    port=$([ "$mode" = none ] && jd_port smtp || jd_port smtps)
    log "memory: jdmail, $n sessions, tls=$mode"
    hold "$port" "$mode" "$n"; line=$HOLD_LINE
    read -r r1 s1 < <(mem_kib "$JD_PID")
    ready=$(field ready "$line")
    per=$(( (s1 - s0) * 1024 / ready ))
    r=""; [ "$n" = 1000 ] && r=$(ratio "$per" "${PF_PER[$mode]:-0}")
    summary "| JdMail (1 process) | $ready | $([ "$mode" = none ] && echo clear || echo TLS) | $((r0/1024)) | $((r1/1024)) | $((s1/1024)) | $per | $r |"
    echo "jdmail $mode $n: $line" >> "$OUT/memory.raw"
    kill "$GEN_PID"; wait "$GEN_PID" 2>/dev/null || true
    jd_stop
  done
done
cat "$OUT/memory.raw" >&2
