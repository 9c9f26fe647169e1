#!/usr/bin/env bash
# Figure 5: the embedded CA.
#  a. certificates issued per second through the CertificateAuthorityActor (the real host with its SQLite journal:
#     key generation, signing, files written and fsync'd, events journaled, reply), ec256 and rsa2048 subject keys,
#     signed by JdMail's first-start ec256 CA;
#  b. the same without actor, files or journal (JdMail.Pki on BouncyCastle): key generation + signing, and signing only;
#  c. an `openssl` command-line loop doing the same (one `openssl req -x509 -CA` process per certificate: new key,
#     CA-signed certificate, key and certificate files written, no fsync);
#  d. CRL build time at 10,000 and 100,000 revoked entries (JdMail.Pki.Crls.Create + DER encoding) next to
#     `openssl ca -gencrl` over an index of as many revoked entries.
# About 1.5 minutes.
source "$(dirname "$0")/lib.sh"
SUMMARY="$OUT/ca.md"; : > "$SUMMARY"; : > "$OUT/ca.raw"
need_packages openssl python3
build
make_work ca; work=$WORK
now() { echo "$EPOCHREALTIME"; }

# openssl_loop KEY SECONDS -> certificates per second
openssl_loop() {
  local key=$1 secs=$2 n=0 newkey
  [ "$key" = ec256 ] && newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) || newkey=(-newkey rsa:2048)
  local start=$EPOCHREALTIME
  local end=$(( ${start%.*} + secs ))
  while [ "${EPOCHREALTIME%.*}" -lt "$end" ]; do
      openssl req -x509 -CA "$work/oca/ca.pem" -CAkey "$work/oca/ca.key" "${newkey[@]}" -nodes \
        -keyout "$work/oca/k.pem" -out "$work/oca/c.pem" -days 397 -subj "/O=JdMail bench/CN=h$n.bench.test" \
        -addext "subjectAltName=DNS:h$n.bench.test" -addext "extendedKeyUsage=serverAuth" \
        -addext "keyUsage=critical,digitalSignature" 2>/dev/null
      n=$((n + 1))
  done
  python3 -c "print(f'{$n / ($EPOCHREALTIME - $start):.2f}')"
}

mkdir -p "$work/oca"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/oca/ca.key" -out "$work/oca/ca.pem" \
  -days 3650 -subj "/O=JdMail bench/CN=Bench CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

summary "| subject key | JdMail CA actor (journaled), certs/s | JdMail.Pki raw: keygen + sign, certs/s | JdMail.Pki raw: sign only, certs/s | openssl CLI loop, certs/s | ratio actor / openssl | ratio actor / raw |"
summary "|---|---:|---:|---:|---:|---:|---:|"
for key in ec256 rsa2048; do
  log "ca: $key"
  if [ "$key" = ec256 ]; then count=400; secs=10; else count=40; secs=20; fi
  a=$(bench ca --key "$key" --count "$count" --max-seconds "$secs" --mailroot "$work/actor-$key/mailroot" 2>>"$OUT/ca.raw")
  r=$(bench pki --key "$key" --seconds $([ "$key" = ec256 ] && echo 3 || echo 6))
  o=$(openssl_loop "$key" $([ "$key" = ec256 ] && echo 5 || echo 10))
  echo "actor $a" >> "$OUT/ca.raw"; echo "raw $r" >> "$OUT/ca.raw"; echo "openssl $key $o/s" >> "$OUT/ca.raw"
  summary "| $key | $(field rate "$a") | $(field issue_rate "$r") | $(field sign_rate "$r") | $o | $(ratio "$(field rate "$a")" "$o") | $(ratio "$(field rate "$a")" "$(field issue_rate "$r")") |"
done

# CRLs. openssl ca reads an index.txt of revoked entries (random 126-bit serials, reason keyCompromise).
cat > "$work/oca/ca.cnf" <<CNF
[ ca ]
default_ca = bench
[ bench ]
dir = $work/oca
database = \$dir/index.txt
crlnumber = \$dir/crlnumber
certificate = \$dir/ca.pem
private_key = \$dir/ca.key
default_md = sha256
default_crl_days = 7
unique_subject = no
CNF
summary ""
summary "| revoked entries | JdMail.Pki Crls.Create + DER, ms (best of runs) | DER size (bytes) | openssl ca -gencrl, ms | ratio JdMail / openssl |"
summary "|---:|---:|---:|---:|---:|"
for n in 10000 100000; do
  log "crl: $n entries"
  c=$(bench crl --entries "$n" --repeat $([ "$n" = 10000 ] && echo 3 || echo 2))
  python3 - "$work/oca/index.txt" "$n" <<'PY'
import secrets, sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    for i in range(n):
        serial = format(secrets.randbits(126) | (1 << 126), "X")
        if len(serial) % 2: serial = "0" + serial
        f.write(f"R\t271231000000Z\t260101000000Z,keyCompromise\t{serial}\tunknown\t/CN=h{i}\n")
PY
  echo 1000 > "$work/oca/crlnumber"
  best=""
  for _ in 1 2; do
    t0=$(now); openssl ca -gencrl -config "$work/oca/ca.cnf" -out "$work/oca/crl.pem" 2>/dev/null; t1=$(now)
    ms=$(python3 -c "print(f'{($t1 - $t0) * 1000:.1f}')")
    best=$(python3 -c "print(min(x for x in [$ms, ${best:-1e18}]))")
  done
  got=$(openssl crl -in "$work/oca/crl.pem" -noout -text | grep -c "Serial Number:")
  echo "crl $c ; openssl best_ms=$best entries_listed=$got" >> "$OUT/ca.raw"
  summary "| $n | $(field best_ms "$c") | $(field der_bytes "$c") | $best | $(ratio "$(field best_ms "$c")" "$best") |"
done
cat "$OUT/ca.raw" >&2
