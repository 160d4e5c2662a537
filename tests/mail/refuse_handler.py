"""An aiosmtpd Mailbox that refuses, at RCPT, the addresses listed
(comma-separated) in $BILAN_TEST_REFUSE, as a real server refuses an
unknown mailbox: run with -c refuse_handler.RefusingMailbox MAILDIR."""
import os

from aiosmtpd.handlers import Mailbox

REFUSED = {a.strip().lower() for a in os.environ.get("BILAN_TEST_REFUSE", "").split(",") if a.strip()}


class RefusingMailbox(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in REFUSED:
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"
