#!/usr/bin/env bash
# Figure 1: SMTP submission throughput, JdMail vs Postfix. STARTTLS + AUTH PLAIN, 10 KB messages, 1/16/64 concurrent
# clients, 10 messages per session; accepted/s (250 after DATA, i.e. durable in the queue) and delivered/s (the message
# is in Maildir/new). The same generator (jdmail-bench smtp) drives both. Loopback only; about 1-2 minutes.
source "$(dirname "$0")/lib.sh"
SUMMARY="$OUT/smtp.md"; : > "$SUMMARY"; : > "$OUT/smtp.raw"
need_packages postfix dovecot-core openssl python3
build
make_work smtp; work=$WORK

openssl_cert "$work/tls" ec
jd_start "$work" "listeners.max-connections = 2000"
pf_port=$(free_port); pf_sport=$(free_port)
postfix_start "$work" "$work/tls/cert.pem" "$work/tls/key.pem" "$pf_port" "$pf_sport" 200
wait_for 30 smtp_login_ok "$pf_port"
jd_new="$JD_ROOT/domains/example.test/bob/Maildir/new"
pf_new="$PF_DIR/vmail/bob/Maildir/new"

count_new() { if [ -d "$1" ]; then find "$1" -maxdepth 1 -type f | wc -l; else echo 0; fi; }
now() { date +%s.%N; }

# run_one NAME PORT MAILDIR_NEW CLIENTS MESSAGES -> "accepted_rate delivered_rate"
run_one() {
  local name=$1 port=$2 dir=$3 clients=$4 messages=$5
  local before line accepted gsec t_end target t_done
  before=$(count_new "$dir")
  line=$(bench smtp --port "$port" --tls starttls --user "$USER_ADDR" --pass "$USER_PASS" --from alice@bench.test \
    --to "$USER_ADDR" --clients "$clients" --messages "$messages" --per-session 10 --size 10240 --max-seconds 25)
  t_end=$(now)
  accepted=$(field accepted "$line"); gsec=$(field seconds "$line")
  target=$((before + accepted))
  # Delivery may lag acceptance: wait (at most 60 s) until every accepted message is in Maildir/new.
  local deadline=$(( $(date +%s) + 60 ))
  while [ "$(count_new "$dir")" -lt "$target" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.05; done
  t_done=$(now)
  local delivered=$(( $(count_new "$dir") - before ))
  echo "$name clients=$clients $line delivered=$delivered lag=$(python3 -c "print(f'{$t_done-$t_end:.2f}')")" >> "$OUT/smtp.raw"
  python3 -c "a,g,d,lag=$accepted,$gsec,$delivered,$t_done-$t_end; print(f'{a/g:.1f} {d/(g+lag):.1f}')"
}

summary "| clients | JdMail accepted/s | Postfix accepted/s | ratio | JdMail delivered/s | Postfix delivered/s | ratio |"
summary "|---:|---:|---:|---:|---:|---:|---:|"
for c in 1 16 64; do
  case $c in 1) n=300;; 16) n=1500;; *) n=3000;; esac
  log "smtp: $c clients, $n messages"
  read -r ja jd < <(run_one jdmail "$(jd_port smtp)" "$jd_new" "$c" "$n")
  read -r pa pd < <(run_one postfix "$pf_port" "$pf_new" "$c" "$n")
  summary "| $c | $ja | $pa | $(ratio "$ja" "$pa") | $jd | $pd | $(ratio "$jd" "$pd") |"
done
cat "$OUT/smtp.raw" >&2
