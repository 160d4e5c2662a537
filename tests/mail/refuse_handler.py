"""An aiosmtpd Mailbox that refuses, at RCPT, the addresses listed
(comma-separated) in $BILAN_TEST_REFUSE, as a real server refuses an
unknown mailbox (550), and defers those in $BILAN_TEST_TEMPFAIL, as a
greylisting server does (451): run with -c refuse_handler.RefusingMailbox
MAILDIR."""
import os

from aiosmtpd.handlers import Mailbox

REFUSED = {a.strip().lower() for a in os.environ.get("BILAN_TEST_REFUSE", "").split(",") if a.strip()}
DEFERRED = {a.strip().lower() for a in os.environ.get("BILAN_TEST_TEMPFAIL", "").split(",")
            if a.strip()}


class RefusingMailbox(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in REFUSED:
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        if address.lower() in DEFERRED:
            return "451 4.7.1 <%s>: Recipient address rejected: Greylisted, try again" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"
