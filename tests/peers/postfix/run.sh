#!/usr/bin/env bash
# Postfix as a real peer of JdMail, on loopback only, with a private Postfix instance under a temporary folder
# (own config_directory, queue_directory, data_directory; the system's mail setup is not touched):
#   1. JdMail -> Postfix: alice submits to JdMail for dave@pf.test; JdMail's outbound client relays to Postfix with
#      NeedTLS=2 and ca-hostname verification against our CA (Postfix's certificate is issued by JdMail's CA).
#      Postfix's Received: line must say "using TLSv1.x".
#   2. Postfix -> JdMail: a message for bob@example.test handed to Postfix is relayed to JdMail with
#      smtp_tls_security_level=verify against JdMail's certs.pem. JdMail's Received: line must say ESMTPS (TLSv1.x).
# Needs: postfix, openssl, python3, dotnet; run as root (postfix start). Exits non-zero on any failure.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../../.." && pwd)"
work="$(mktemp -d /tmp/jdmail-postfix.XXXXXX)"
chmod 755 "$work"   # Postfix's unprivileged daemons must reach their folders inside
jd="$work/jdmail"; pf="$work/pf"
jd_pid=""
pf_started=""

cleanup() {
  local rc=$?
  if [ -n "$pf_started" ]; then postfix -c "$pf/etc" stop >/dev/null 2>&1 || postfix -c "$pf/etc" abort >/dev/null 2>&1 || true; fi
  if [ -n "$jd_pid" ]; then kill "$jd_pid" 2>/dev/null || true; wait "$jd_pid" 2>/dev/null || true; fi
  if [ "$rc" -ne 0 ]; then
    echo "--- postfix peer test FAILED; logs follow (work folder $work) ---"
    tail -n 60 "$pf/maillog" 2>/dev/null || true
    tail -n 60 "$work/jdmail.log" 2>/dev/null || true
    for f in "$jd"/spool/outbound/*.log "$jd"/spool/frozen/*.log; do [ -f "$f" ] && { echo "== $f"; cat "$f"; }; done
  else
    rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Polls a condition (a shell command) every 0.2 s for at most $1 seconds.
wait_for() {
  local limit=$1; shift
  local deadline=$(( $(date +%s) + limit ))
  until "$@"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then echo "timed out after ${limit}s waiting for: $*"; return 1; fi
    sleep 0.2
  done
}

jd_smtp=$(free_port)
pf_port=$(free_port)

# --- JdMail ---------------------------------------------------------------------------------------------------
dll="${JDMAIL_DLL:-}"
if [ -z "$dll" ]; then
  dotnet build "$repo/src/Host/JdMail.Host.csproj" -nologo -v q >/dev/null
  dll="$repo/src/Host/bin/Debug/net10.0/jdmail.dll"
fi
mkdir -p "$jd"
cat > "$work/jdmail.conf" <<CONF
jdmail {
  hostname = "localhost"
  listeners {
    smtp.port = $jd_smtp
    smtps.port = 0, pop3.port = 0, pop3s.port = 0, ctrl.port = 0, ctrls.port = 0
  }
  security.pbkdf2-iterations = 1000
  bootstrap {
    domain = "example.test"
    users = ["alice@example.test:alice-secret-1", "bob@example.test:bob-secret-2"]
  }
  outbound {
    first-retry = 1s
    retry-ratio = 0
    max-retries = 60
    dns-servers = ["127.0.0.1:9"]   # no real DNS: everything here goes through the gateway entry
    gateways = [ { domain = "pf.test", hosts = ["127.0.0.1:$pf_port"], need-tls = 2, verify = "ca-hostname", trust = ["mailroot"], tls-name = "mx.pf.test" } ]
  }
}
akka.loglevel = INFO
CONF
dotnet "$dll" serve --mailroot "$jd" --config "$work/jdmail.conf" >"$work/jdmail.log" 2>&1 &
jd_pid=$!
wait_for 60 test -s "$jd/endpoints.tab"

# --- A certificate for Postfix from JdMail's CA -----------------------------------------------------------------
mkdir -p "$pf/etc" "$pf/queue" "$pf/data" "$pf/vmail" "$pf/tls"
openssl ecparam -name prime256v1 -genkey -noout -out "$pf/tls/key.pem" 2>/dev/null
openssl req -new -key "$pf/tls/key.pem" -subj "/O=JdMail peer test/CN=mx.pf.test" -out "$pf/tls/req.csr"
printf 'subjectAltName=DNS:mx.pf.test\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n' > "$pf/tls/ext.cnf"
openssl x509 -req -in "$pf/tls/req.csr" -CA "$jd/sslconf/ca/cert.pem" -CAkey "$jd/sslconf/ca/key.pem" -CAcreateserial \
  -days 2 -sha256 -extfile "$pf/tls/ext.cnf" -out "$pf/tls/cert.pem" 2>/dev/null
openssl verify -CAfile "$jd/certs.pem" "$pf/tls/cert.pem" >/dev/null
chmod 600 "$pf/tls/key.pem"

# --- Postfix, private instance ----------------------------------------------------------------------------------
chown postfix:postfix "$pf/vmail" "$pf/data"
pf_uid=$(id -u postfix); pf_gid=$(id -g postfix)
cat > "$pf/etc/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $pf/queue
data_directory = $pf/data
maillog_file = $pf/maillog
maillog_file_prefixes = $work
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.pf.test
mydomain = pf.test
myorigin = pf.test
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
alias_maps =
alias_database =
local_recipient_maps =
biff = no
# Mail for pf.test lands in a Maildir under the work folder.
virtual_mailbox_domains = pf.test
virtual_mailbox_base = $pf/vmail
virtual_mailbox_maps = inline:{ dave@pf.test=dave/ }
virtual_uid_maps = static:$pf_uid
virtual_gid_maps = static:$pf_gid
virtual_minimum_uid = 1
# Mail for example.test goes to JdMail; no DNS at all (loopback only).
transport_maps = inline:{ example.test=smtp:[localhost]:$jd_smtp }
smtp_dns_support_level = disabled
smtp_host_lookup = native
# Server side TLS with the certificate from JdMail's CA; the Received: line records the TLS version.
smtpd_tls_cert_file = $pf/tls/cert.pem
smtpd_tls_key_file = $pf/tls/key.pem
smtpd_tls_security_level = may
smtpd_tls_received_header = yes
smtpd_tls_loglevel = 1
# Client side TLS towards JdMail: encryption and verification against JdMail's CA, name = next hop (localhost).
smtp_tls_security_level = verify
smtp_tls_CAfile = $jd/certs.pem
smtp_tls_verify_cert_match = nexthop
smtp_tls_loglevel = 1
CONF
cat > "$pf/etc/master.cf" <<CONF
127.0.0.1:$pf_port inet n - n - - smtpd
CONF
grep -v '^#' "$repo/tests/peers/postfix/master-services.cf" >> "$pf/etc/master.cf"
postfix -c "$pf/etc" check
postfix -c "$pf/etc" start
pf_started=1
wait_for 30 python3 -c "import socket; socket.create_connection(('127.0.0.1', $pf_port), 2).close()"

# --- 1. JdMail -> Postfix over verified STARTTLS ----------------------------------------------------------------
python3 - "$jd_smtp" "$jd/certs.pem" <<'PY'
import smtplib, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
msg = b"From: <alice@example.test>\r\nTo: <dave@pf.test>\r\nSubject: jdmail to postfix\r\nMessage-ID: <p1@example.test>\r\n\r\nhello postfix\r\n.dot line\r\n"
with smtplib.SMTP("localhost", port, timeout=30) as s:
    s.starttls(context=ctx)
    s.login("alice@example.test", "alice-secret-1")
    s.sendmail("alice@example.test", ["dave@pf.test"], msg)
PY
dave_has_mail() { compgen -G "$pf/vmail/dave/new/*" >/dev/null; }
wait_for 60 dave_has_mail
got="$(cat "$pf"/vmail/dave/new/*)"
grep -q "Subject: jdmail to postfix" <<<"$got"
grep -q "^\.dot line" <<<"$got"
grep -Eq "\(using TLSv1\.[23] with cipher" <<<"$got" || { echo "Postfix did not record TLS:"; echo "$got" | head -20; exit 1; }
echo "postfix peer: JdMail -> Postfix over STARTTLS (verified, ca-hostname) ok"

# --- 2. Postfix -> JdMail over verified STARTTLS ----------------------------------------------------------------
python3 - "$pf_port" <<'PY'
import smtplib, sys
msg = b"From: <dave@pf.test>\r\nTo: <bob@example.test>\r\nSubject: postfix to jdmail\r\nMessage-ID: <p2@pf.test>\r\n\r\nhello jdmail\r\n"
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30) as s:
    s.sendmail("dave@pf.test", ["bob@example.test"], msg)
PY
bob_has_mail() { compgen -G "$jd/domains/example.test/bob/Maildir/new/*" >/dev/null; }
wait_for 90 bob_has_mail
got="$(cat "$jd"/domains/example.test/bob/Maildir/new/*)"
grep -q "Subject: postfix to jdmail" <<<"$got"
grep -Eq "^Received: from mx\.pf\.test" <<<"$got"
grep -Eq "with ESMTPS \(TLSv1\.[23]:" <<<"$got" || { echo "JdMail did not record TLS:"; echo "$got" | head -20; exit 1; }
grep -q "Verified TLS connection established to localhost" "$pf/maillog"
echo "postfix peer: Postfix -> JdMail over STARTTLS (verified) ok"
echo "postfix peer: both directions ok"
