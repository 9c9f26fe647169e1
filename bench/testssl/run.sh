#!/usr/bin/env bash
# testssl.sh (Debian package) against a fresh JdMail's SMTPS and POP3S listeners on loopback.
# Checks protocols, ciphers and known vulnerabilities; fails when any finding is marked "NOT ok" or "VULNERABLE".
# Usage: bench/testssl/run.sh            (installs testssl.sh if missing; takes a few minutes)
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v testssl >/dev/null || { apt-get update -qq && apt-get install -y -qq testssl.sh bsdextrautils; }

out=${OUT:-bench/out/testssl}
mkdir -p "$out"
root=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$root"' EXIT
cat > "$root/test.conf" <<'CONF'
jdmail.listeners { smtp.port = 0, smtps.port = 0, pop3.port = 0, pop3s.port = 0, ctrl.port = 0, ctrls.port = 0 }
CONF
dotnet build src/Host -c Release -v q -nologo >/dev/null
dotnet src/Host/bin/Release/net10.0/jdmail.dll serve --mailroot "$root/mailroot" --config "$root/test.conf" > "$out/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do [ -f "$root/mailroot/endpoints.tab" ] && break; sleep 0.1; done
port() { awk -F'\t' -v n="\"$1\"" '$1==n { gsub(/"/,"",$5); print $5 }' "$root/mailroot/endpoints.tab"; }

status=0
for ep in smtps pop3s; do
  p=$(port "$ep")
  echo "== testssl.sh on $ep (127.0.0.1:$p)"
  rm -f "$out/$ep.json" "$out/$ep.txt"
  # -p protocols, -s standard cipher lists, -f forward secrecy, -U vulnerabilities; --ip one address, no DNS.
  testssl --quiet --color 0 --warnings off --ip 127.0.0.1 -p -s -f -U --add-ca "$root/mailroot/certs.pem" \
    --jsonfile "$out/$ep.json" "localhost:$p" > "$out/$ep.txt" 2>&1 || true
  if ! grep -q "Testing protocols" "$out/$ep.txt"; then echo "testssl.sh did not run:"; cat "$out/$ep.txt"; status=1; continue; fi
  grep -E "NOT ok|VULNERABLE" "$out/$ep.txt" && status=1 || echo "no NOT ok / VULNERABLE findings"
  grep -E "^ (SSLv2|SSLv3|TLS 1 |TLS 1.1|TLS 1.2|TLS 1.3) " "$out/$ep.txt" || true
done
exit $status
