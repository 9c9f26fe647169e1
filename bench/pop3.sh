#!/usr/bin/env bash
# Figure 4: POP3 retrieval, JdMail vs Dovecot (Debian dovecot-pop3d). The same 1,000 messages of 10 KB are copied into
# both Maildirs (new/); one client logs in over POP3S (implicit TLS, USER/PASS), RETRs 1..1000 and QUITs (no DELE),
# one warm-up round then ROUNDS (default 3) counted rounds. Messages/s and MB/s. About 30 s.
source "$(dirname "$0")/lib.sh"
SUMMARY="$OUT/pop3.md"; : > "$SUMMARY"; : > "$OUT/pop3.raw"
need_packages dovecot-core dovecot-pop3d openssl python3
build
ROUNDS=${ROUNDS:-3}
make_work pop3; work=$WORK

# 1,000 messages of exactly 10,240 bytes with Maildir unique names.
mkdir -p "$work/msgs"
python3 - "$work/msgs" <<'PY'
import os, sys
d = sys.argv[1]
body = ("x" * 76 + "\r\n")
for i in range(1000):
    head = f"From: <alice@bench.test>\r\nTo: <bob@example.test>\r\nSubject: bench {i}\r\nMessage-ID: <{i}@bench.test>\r\n\r\n"
    text = head + body * ((10240 - len(head)) // len(body))
    text += "y" * (10240 - len(text) - 2) + "\r\n"
    with open(os.path.join(d, f"{1700000000 + i}.M{i}P1.bench"), "w", newline="") as f:
        f.write(text)
PY

openssl_cert "$work/tls" ec
jd_start "$work"
jd_md="$JD_ROOT/domains/example.test/bob/Maildir"
mkdir -p "$jd_md/tmp" "$jd_md/new" "$jd_md/cur"; cp "$work"/msgs/* "$jd_md/new/"
dv_port=$(free_port)
dovecot_start "$work" "$work/tls/cert.pem" "$work/tls/key.pem" "$dv_port"
dv_md="$DV_DIR/mail/bob/Maildir"
mkdir -p "$dv_md/tmp" "$dv_md/new" "$dv_md/cur"; cp "$work"/msgs/* "$dv_md/new/"
chown -R nobody:nogroup "$DV_DIR/mail"
wait_for 20 port_open "$dv_port"

log "pop3: jdmail"
j=$(bench pop3 --port "$(jd_port pop3s)" --tls implicit --user "$USER_ADDR" --pass "$USER_PASS" --rounds "$ROUNDS" --warmup 1)
log "pop3: dovecot"
d=$(bench pop3 --port "$dv_port" --tls implicit --user "$USER_ADDR" --pass "$USER_PASS" --rounds "$ROUNDS" --warmup 1)
echo "jdmail $j" >> "$OUT/pop3.raw"; echo "dovecot $d" >> "$OUT/pop3.raw"
summary "| server | messages retrieved | seconds | messages/s | MB/s | seconds per round |"
summary "|---|---:|---:|---:|---:|---|"
summary "| JdMail | $(field messages "$j") | $(field seconds "$j") | $(field rate "$j") | $(field mbps "$j") | $(field rounds "$j") |"
summary "| Dovecot $(dovecot --version | cut -d' ' -f1) | $(field messages "$d") | $(field seconds "$d") | $(field rate "$d") | $(field mbps "$d") | $(field rounds "$d") |"
summary ""
summary "Ratio JdMail / Dovecot (messages/s): **$(ratio "$(field rate "$j")" "$(field rate "$d")")**"
cat "$OUT/pop3.raw" >&2
