"""A real SMTP server on 127.0.0.1 for the `waxseal send` tests (aiosmtpd).

    python3 tests/smtp/server.py MAILDIR

Listens on a free port and prints `port N` on its first line. Every message
it accepts is saved as MAILDIR/NNNN.eml (the bytes as received) beside
MAILDIR/NNNN.json (the envelope: `from`, `to`). A recipient whose address
holds `refuse` is refused (550), as a real server refuses an unknown mailbox.
With SMTP_TEST_USER and SMTP_TEST_PASSWORD set, it asks for a login (AUTH
PLAIN or LOGIN, allowed here without TLS: loopback only) and refuses mail
without it.
"""

import json
import logging
import os
import socket
import sys
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Saving:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "refuse" in address:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = os.path.join(self.folder, f"{self.count:04}")
        with open(name + ".eml.part", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(name + ".json", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos}, f)
        os.rename(name + ".eml.part", name + ".eml")
        return f"250 2.0.0 queued as {self.count:04}"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
        return AuthResult(success=ok, handled=False)

    return check


def main():
    # AUTH without TLS is what this server is for (loopback only): no warnings about it.
    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)
    folder = sys.argv[1]
    os.makedirs(folder, exist_ok=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    user, password = os.environ.get("SMTP_TEST_USER"), os.environ.get("SMTP_TEST_PASSWORD")
    options = {}
    if user:
        options = dict(
            authenticator=authenticator(user, password),
            auth_required=True,
            auth_require_tls=False,
        )
    controller = Controller(Saving(folder), hostname="127.0.0.1", port=port, **options)
    controller.start()
    print(f"port {port}", flush=True)
    try:
        sys.stdin.read()  # until the test closes our stdin (or dies)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
