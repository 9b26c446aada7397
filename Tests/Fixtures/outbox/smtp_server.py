"""A real SMTP server for the outbox tests (aiosmtpd): stores each message as a file in the
folder given and refuses recipients at refuse-permanent.example (550) and
refuse-later.example (451). usage: smtp_server.py FOLDER; prints the port it listens on."""
import asyncio, os, socket, sys, uuid
from aiosmtpd.controller import Controller

folder = sys.argv[1]
os.makedirs(folder, exist_ok=True)


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refuse-permanent.example"):
            return "550 5.1.1 No such mailbox here"
        if address.endswith("@refuse-later.example"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with open(os.path.join(folder, uuid.uuid4().hex + ".eml"), "wb") as out:
            out.write(f"X-Envelope-From: {envelope.mail_from}\r\nX-Envelope-To: {','.join(envelope.rcpt_tos)}\r\n".encode())
            out.write(envelope.original_content)
        return "250 Message accepted"


probe = socket.socket()
probe.bind(("127.0.0.1", 0))
port = probe.getsockname()[1]
probe.close()
controller = Controller(Handler(), hostname="127.0.0.1", port=port)
controller.start()
print(port, flush=True)
try:
    asyncio.new_event_loop().run_forever()
finally:
    controller.stop()
