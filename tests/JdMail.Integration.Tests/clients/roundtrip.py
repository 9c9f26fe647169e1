#!/usr/bin/env python3
"""JdMail round trip with Python's standard clients, certificate verification on.

Sends one message over SMTP+STARTTLS and one over SMTPS (smtplib, AUTH), fetches both over POP3+STLS and POP3S
(poplib), and checks that the fetched bytes, after JdMail's Received: header, equal the sent bytes.
Prints OK and exits 0 on success; any failure raises.
"""
import argparse
import poplib
import smtplib
import ssl
import uuid

p = argparse.ArgumentParser()
p.add_argument("--cafile", required=True)
p.add_argument("--smtp", type=int, required=True)
p.add_argument("--smtps", type=int, required=True)
p.add_argument("--pop3", type=int, required=True)
p.add_argument("--pop3s", type=int, required=True)
p.add_argument("--sender", required=True)
p.add_argument("--sender-password", required=True)
p.add_argument("--rcpt", required=True)
p.add_argument("--rcpt-password", required=True)
a = p.parse_args()

# Verification against our CA only, with host-name checking (the default of create_default_context).
ctx = ssl.create_default_context(cafile=a.cafile)


def message(tag):
    return (
        f"From: <{a.sender}>\r\nTo: <{a.rcpt}>\r\nSubject: python {tag}\r\n"
        f"Message-ID: <{uuid.uuid4().hex}@example.test>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "Grüße, 你好\r\n.starts with a dot\r\n.\r\nend\r\n"
    ).encode("utf-8")


sent = [message("starttls"), message("smtps")]

with smtplib.SMTP("localhost", a.smtp, timeout=20) as s:
    s.starttls(context=ctx)
    s.login(a.sender, a.sender_password)
    s.sendmail(a.sender, [a.rcpt], sent[0])

with smtplib.SMTP_SSL("localhost", a.smtps, context=ctx, timeout=20) as s:
    s.login(a.sender, a.sender_password)
    s.sendmail(a.sender, [a.rcpt], sent[1])


def strip_received(raw):
    lines = raw.split(b"\r\n")
    assert lines[0].startswith(b"Received: from "), lines[0]
    i = 1
    while lines[i].startswith((b"\t", b" ")):
        i += 1
    return b"\r\n".join(lines[i:])


def fetch(pop):
    pop.user(a.rcpt)
    pop.pass_(a.rcpt_password)
    count, _ = pop.stat()
    got = []
    for n in range(1, count + 1):
        _, lines, _ = pop.retr(n)  # poplib undoes the dot-stuffing
        got.append(strip_received(b"\r\n".join(lines) + b"\r\n"))
    pop.quit()
    return got


import time
deadline = time.time() + 20
while True:
    pop = poplib.POP3("localhost", a.pop3, timeout=20)
    pop.stls(context=ctx)
    got = fetch(pop)
    if len(got) >= 2 or time.time() > deadline:
        break
    time.sleep(0.1)

for m in sent:
    assert m in got, "sent message not found over POP3+STLS"

pop = poplib.POP3_SSL("localhost", a.pop3s, context=ctx, timeout=20)
got_ssl = fetch(pop)
assert sorted(got_ssl) == sorted(got), "POP3S shows different messages than POP3+STLS"
print("OK", len(got), "messages")
