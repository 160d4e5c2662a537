#!/usr/bin/python3
"""Prints what a test needs to check in mail messages: for each message file
given (or each message of a maildir given with -d), its envelope recipients
(aiosmtpd's X-RcptTo), headers with the subject decoded, the decoded text
body, and the attachment's name and SHA-256 -- decoded by Python's email
module, independently of bilan's encoder. Also checks the raw bytes: CRLF
line ends, no line over 78 characters, 7-bit, base64 lines of 76."""
import email
import email.policy
import hashlib
import mailbox
import sys


def raw_checks(raw):
    problems = []
    if b"\n" in raw.replace(b"\r\n", b""):
        problems.append("bare-LF")
    if any(b > 127 for b in raw):
        problems.append("8-bit")
    for i, line in enumerate(raw.split(b"\r\n")):
        if len(line) > 78:
            problems.append("long-line-%d" % (i + 1))
    return problems


def show(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    # aiosmtpd's Mailbox stores with LF line ends and adds X-Peer etc.
    stored = msg.get("X-Peer") is not None
    print("=== message")
    print("rcpt:", str(msg.get("X-RcptTo", "")).strip())
    print("to:", str(msg.get("To", "")).strip())
    print("from:", str(msg.get("From", "")).strip())
    print("subject:", str(msg.get("Subject", "")).strip())
    print("message-id:", str(msg.get("Message-ID", "")).strip())
    print("date:", str(msg.get("Date", "")).strip())
    print("mime:", msg.get_content_type())
    if not stored:
        p = raw_checks(raw)
        print("raw:", " ".join(p) if p else "ok")
    for part in msg.walk():
        if part.is_multipart():
            continue
        fn = part.get_filename()
        if fn:
            data = part.get_payload(decode=True)
            enc = part.get("Content-Transfer-Encoding", "")
            b64 = part.get_payload(decode=False).replace("\r\n", "\n").split("\n")
            full = [l for l in b64 if l][:-1]
            print("attachment:", fn, part.get_content_type(), enc,
                  hashlib.sha256(data).hexdigest(), len(data))
            print("b64-lines:", "76" if all(len(l) == 76 for l in full) else "bad")
        elif part.get_content_type() == "text/plain":
            print("charset:", part.get_content_charset(), part.get("Content-Transfer-Encoding"))
            for line in part.get_content().splitlines():
                print("body:", line)


def main():
    args = sys.argv[1:]
    if args and args[0] == "-d":
        box = mailbox.Maildir(args[1], factory=None, create=False)
        raws = sorted((m.as_bytes() for m in box),
                      key=lambda r: email.message_from_bytes(r).get("X-RcptTo", ""))
    else:
        raws = [open(a, "rb").read() for a in args]
    for raw in raws:
        show(raw)


if __name__ == "__main__":
    main()
