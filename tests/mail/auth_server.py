"""An SMTP server that requires authentication (AUTH PLAIN/LOGIN, allowed
without TLS for the test) and stores what it accepts in a maildir, like
aiosmtpd's Mailbox. aiosmtpd's command line has no authentication options.
Usage: auth_server.py HOST PORT MAILDIR USER PASSWORD"""
import asyncio
import sys

from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

host, port, maildir, user, password = sys.argv[1:6]


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
          and auth_data.password == password.encode())
    # handled=False: aiosmtpd answers 535 itself (its default, True, answers nothing).
    return AuthResult(success=ok, handled=False)


def main():
    handler = Mailbox(maildir)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    factory = lambda: SMTP(handler, authenticator=authenticate, auth_required=True,
                           auth_require_tls=False)
    loop.run_until_complete(loop.create_server(factory, host, int(port)))
    loop.run_forever()


main()
