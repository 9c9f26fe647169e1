# Shared helpers for the bench/ scripts (sourced, not run). Everything listens on 127.0.0.1 only.
# Each script registers what it starts with on_exit; the EXIT trap stops it all (also on failure or Ctrl+C).
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$BENCH_DIR")"
OUT="${OUT:-$BENCH_DIR/out}"
mkdir -p "$OUT"
JDMAIL_DLL="$REPO/src/Host/bin/Release/net10.0/jdmail.dll"
BENCH_DLL="$BENCH_DIR/JdMail.Bench/bin/Release/net10.0/jdmail-bench.dll"
# Password-hash cost, the same for both servers: 1000 PBKDF2 rounds (JdMail PBKDF2-HMAC-SHA256, Dovecot {PBKDF2} = PBKDF2-HMAC-SHA1),
# lowered from JdMail's default 210000 so that one login does not dominate a 10-message session (see RESULTS.md).
PBKDF2_ITERATIONS=${PBKDF2_ITERATIONS:-1000}
USER_ADDR="bob@example.test"
USER_PASS="bob-bench-password"

_cleanups=()
on_exit() { _cleanups+=("$*"); }
_run_cleanups() {
  local rc=$?
  local i
  for (( i=${#_cleanups[@]}-1; i>=0; i-- )); do eval "${_cleanups[$i]}" >/dev/null 2>&1 || true; done
  exit "$rc"
}
trap _run_cleanups EXIT
trap 'exit 130' INT TERM

# make_work NAME: a fresh work folder under /tmp (mode 755: Postfix and Dovecot daemons must reach inside), removed at
# exit unless KEEP=1. Sets WORK.
make_work() {
  WORK=$(mktemp -d "/tmp/jdmail-bench-$1.XXXXXX"); chmod 755 "$WORK"
  [ -n "${KEEP:-}" ] || on_exit "rm -rf '$WORK'"
}

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# Installs Debian packages that are missing (apt-get update once per run).
need_packages() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  if [ ! -f /tmp/.jdmail-bench-apt-updated ]; then apt-get update -qq && touch /tmp/.jdmail-bench-apt-updated; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Release builds of JdMail and of the bench program (skipped with BENCH_SKIP_BUILD=1, as run-all.sh does after its own build).
build() {
  [ -n "${BENCH_SKIP_BUILD:-}" ] && return 0
  log "building JdMail and jdmail-bench (Release)"
  dotnet build "$REPO/src/Host" -c Release -nologo -v q >/dev/null
  dotnet build "$BENCH_DIR/JdMail.Bench" -c Release -nologo -v q >/dev/null
}

bench() { dotnet "$BENCH_DLL" "$@"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# wait_for SECONDS COMMAND...: polls every 0.2 s.
wait_for() {
  local limit=$1; shift
  local deadline=$(( $(date +%s) + limit ))
  until "$@" 2>/dev/null; do
    if [ "$(date +%s)" -ge "$deadline" ]; then log "timed out after ${limit}s waiting for: $*"; return 1; fi
    sleep 0.2
  done
}
port_open() { python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1).close()" "$1"; }

# Value of KEY from a generator output line "k=v k=v ...".
field() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1==k { print $2 }'; }
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print((f'{a/b:.2f}' if a/b >= 0.1 else f'{a/b:.2g}') if b else 'n/a')" "$1" "$2"; }

# Resident and proportional set size (KiB) summed over the given pids.
mem_kib() {
  local rss=0 pss=0 p r s
  for p in "$@"; do
    [ -r "/proc/$p/smaps_rollup" ] || continue
    r=$(awk '/^Rss:/ {print $2}' "/proc/$p/smaps_rollup"); s=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup")
    rss=$((rss + ${r:-0})); pss=$((pss + ${s:-0}))
  done
  echo "$rss $pss"
}

# --- JdMail ---------------------------------------------------------------------------------------------------
# jd_start WORK [EXTRA_HOCON]: a fresh MailRoot in WORK/jd with bob@example.test, every listener on port 0.
# Sets JD_PID and JD_ROOT. A server.cert/server.key put into WORK/jd before the call is kept (first start never
# overwrites them).
jd_start() {
  local work=$1 extra=${2:-}
  JD_ROOT="$work/jd"; mkdir -p "$JD_ROOT"
  cat > "$work/jdmail.conf" <<CONF
jdmail {
  listeners {
    smtp.port = 0, smtps.port = 0, pop3.port = 0, pop3s.port = 0, ctrl.port = 0, ctrls.port = 0
  }
  security.pbkdf2-iterations = $PBKDF2_ITERATIONS
  outbound.enabled = false
  bootstrap {
    domain = "example.test"
    users = ["$USER_ADDR:$USER_PASS"]
  }
  $extra
}
akka.loglevel = WARNING
CONF
  dotnet "$JDMAIL_DLL" serve --mailroot "$JD_ROOT" --config "$work/jdmail.conf" >"$work/jdmail.log" 2>&1 &
  JD_PID=$!
  on_exit "kill $JD_PID; wait $JD_PID"
  wait_for 60 test -s "$JD_ROOT/endpoints.tab"
  # The bootstrap account is hashed (PBKDF2) after the listeners are up: wait until bob can log in.
  wait_for 60 smtp_login_ok "$(jd_port smtp)"
}
# True when bob can log in with STARTTLS + AUTH on 127.0.0.1:PORT.
smtp_login_ok() {
  python3 - "$1" "$USER_ADDR" "$USER_PASS" <<'PY'
import smtplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as s:
    s.starttls(context=ctx); s.login(sys.argv[2], sys.argv[3])
PY
}
jd_port() { awk -F'\t' -v n="\"$1\"" '$1==n { gsub(/"/,"",$5); print $5 }' "$JD_ROOT/endpoints.tab"; }
jd_stop() { kill "$JD_PID" 2>/dev/null || true; wait "$JD_PID" 2>/dev/null || true; }

# --- Dovecot (private instance) -------------------------------------------------------------------------------
# dovecot_start WORK CERT KEY POP3S_PORT [AUTH_SOCKET]: POP3S on 127.0.0.1:PORT (0 = no POP3 listener), passwd-file
# with bob's password as PBKDF2 (PBKDF2_ITERATIONS rounds), mail in WORK/dv/mail/<user>/Maildir owned by nobody.
# With AUTH_SOCKET an auth listener for Postfix SASL is made at that path.
dovecot_start() {
  local work=$1 cert=$2 key=$3 port=$4 socket=${5:-}
  local dv="$work/dv"
  mkdir -p "$dv/run" "$dv/state" "$dv/mail"
  chmod 755 "$work" "$dv"
  local hash
  hash=$(doveadm pw -s PBKDF2 -r "$PBKDF2_ITERATIONS" -p "$USER_PASS")
  echo "$USER_ADDR:$hash" > "$dv/passwd"
  local auth_listener=""
  if [ -n "$socket" ]; then
    auth_listener="unix_listener $socket {
    mode = 0660
    user = postfix
    group = postfix
  }"
  fi
  cat > "$dv/dovecot.conf" <<CONF
base_dir = $dv/run
state_dir = $dv/state
log_path = $dv/dovecot.log
listen = 127.0.0.1
protocols = pop3
ssl = required
ssl_cert = <$cert
ssl_key = <$key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
auth_cache_size = 0
first_valid_uid = 1
mail_location = maildir:$dv/mail/%n/Maildir
passdb {
  driver = passwd-file
  args = $dv/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$dv/mail/%n
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
  inet_listener pop3s {
    port = $port
    ssl = yes
  }
}
service auth {
  $auth_listener
}
CONF
  dovecot -c "$dv/dovecot.conf"
  on_exit "doveadm -c '$dv/dovecot.conf' stop || kill \$(cat '$dv/run/master.pid')"
  wait_for 20 test -s "$dv/run/master.pid"
  DV_DIR="$dv"
}

# --- Postfix (private instance) -------------------------------------------------------------------------------
# postfix_start WORK CERT KEY SUBMIT_PORT SMTPS_PORT MAXPROC: its own config_directory and queue_directory under WORK/pf;
# smtpd on SUBMIT_PORT (STARTTLS) and SMTPS_PORT (wrapper mode), TLS with CERT/KEY, SASL through Dovecot,
# bob@example.test delivered by virtual(8) into WORK/pf/vmail/bob/Maildir/. Starts Dovecot for SASL too.
postfix_start() {
  local work=$1 cert=$2 key=$3 port=$4 sport=$5 maxproc=${6:-200}
  local pf="$work/pf"
  mkdir -p "$pf/etc" "$pf/queue" "$pf/data" "$pf/vmail"
  chmod 755 "$work" "$pf"
  chown postfix:postfix "$pf/vmail" "$pf/data"
  mkdir -p "$pf/queue/private"; chown postfix "$pf/queue/private"; chmod 700 "$pf/queue/private"
  dovecot_start "$work" "$cert" "$key" 0 "$pf/queue/private/auth"
  local uid gid
  uid=$(id -u postfix); gid=$(id -g postfix)
  cat > "$pf/etc/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $pf/queue
data_directory = $pf/data
maillog_file = $pf/maillog
maillog_file_prefixes = $work
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.bench.test
mydomain = bench.test
myorigin = bench.test
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
alias_maps =
alias_database =
local_recipient_maps =
biff = no
virtual_mailbox_domains = example.test
virtual_mailbox_base = $pf/vmail
virtual_mailbox_maps = inline:{ $USER_ADDR=bob/Maildir/ }
virtual_uid_maps = static:$uid
virtual_gid_maps = static:$gid
virtual_minimum_uid = 1
smtpd_tls_cert_file = $cert
smtpd_tls_key_file = $key
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/auth
# Defaults that would throttle a benchmark from one client address (anvil): off.
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
default_process_limit = $maxproc
CONF
  cat > "$pf/etc/master.cf" <<CONF
127.0.0.1:$port inet n - n - $maxproc smtpd
127.0.0.1:$sport inet n - n - $maxproc smtpd -o smtpd_tls_wrappermode=yes -o smtpd_tls_security_level=encrypt
CONF
  grep -v '^#' "$BENCH_DIR/../tests/peers/postfix/master-services.cf" >> "$pf/etc/master.cf"
  postfix -c "$pf/etc" check
  postfix -c "$pf/etc" start >/dev/null 2>&1
  on_exit "postfix -c '$pf/etc' stop || postfix -c '$pf/etc' abort"
  wait_for 30 port_open "$port"
  PF_DIR="$pf"
}
# All processes of the private Postfix instance (master and its children).
postfix_pids() {
  local master
  master=$(head -1 "$PF_DIR/queue/pid/master.pid" | tr -d ' ')
  echo "$master" $(pgrep -P "$master" || true)
}

# A self-signed certificate for the peers: openssl_cert DIR ec|rsa -> DIR/cert.pem, DIR/key.pem (CN/SAN localhost).
openssl_cert() {
  local dir=$1 kind=$2
  mkdir -p "$dir"
  if [ "$kind" = ec ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/key.pem" -out "$dir/cert.pem" \
      -days 30 -subj "/O=JdMail bench/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
  else
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/key.pem" -out "$dir/cert.pem" \
      -days 30 -subj "/O=JdMail bench/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
  fi
  chmod 644 "$dir/cert.pem"; chmod 600 "$dir/key.pem"
}

# Appends a line to the figure's summary (markdown) and echoes it.
summary() { echo "$*" | tee -a "$SUMMARY"; }
