#!/usr/bin/env bash
# Runs every figure once (SMTP, TLS, memory, POP3, CA) and the profile, after one Release build, and writes
# bench/out/summary.md (machine, versions, every figure's table). Loopback only; about 12-15 minutes on 2 cores.
# Usage: bench/run-all.sh [figure...]   (figures: smtp tls memory pop3 ca profile; default all)
source "$(dirname "$0")/lib.sh"
need_packages postfix dovecot-core dovecot-pop3d openssl python3 linux-perf procps
BENCH_SKIP_BUILD="" build
export BENCH_SKIP_BUILD=1 OUT
figures=("$@"); [ ${#figures[@]} -eq 0 ] && figures=(smtp tls memory pop3 ca profile)

machine() {
  echo "## Machine"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- nproc: $(nproc); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "- memory: $(free -h | awk '/^Mem:/ {print $2 " total, " $7 " available"}')"
  echo "- OS: $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "- .NET: SDK $(dotnet --version), runtime $(dotnet --list-runtimes | awk '/NETCore.App/ {v=$2} END {print v}')"
  echo "- peers: Postfix $(postconf -h mail_version), Dovecot $(dovecot --version | cut -d' ' -f1), $(openssl version)"
  echo "- open files (ulimit -n hard): $(ulimit -Hn)"
  echo "- load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
}
{ machine; } > "$OUT/summary.md"
for f in "${figures[@]}"; do
  log "=== $f"
  start=$(date +%s)
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  bash "$BENCH_DIR/$f.sh" 2> "$OUT/$f.log" || { log "$f FAILED (see $OUT/$f.log)"; echo "## $f: FAILED" >> "$OUT/summary.md"; continue; }
  { echo "## $f ($(( $(date +%s) - start )) s; load average before $load_before, after $(cut -d' ' -f1 /proc/loadavg))"; echo; cat "$OUT/$f.md"; echo; } >> "$OUT/summary.md"
done
log "summary: $OUT/summary.md"
cat "$OUT/summary.md"
