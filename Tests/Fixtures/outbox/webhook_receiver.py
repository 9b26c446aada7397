"""A webhook receiver for the outbox tests: verifies each delivery's Standard Webhooks
signature with Python's own hmac (independent of the Swift implementation), records what it
received as one JSON line per request in the file given, and answers 204 (or the status given).

usage: webhook_receiver.py SECRET RECORD_FILE [STATUS]; prints the port it listens on."""
import base64, hashlib, hmac, json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

secret, record = sys.argv[1], sys.argv[2]
status = int(sys.argv[3]) if len(sys.argv) > 3 else 204
key = base64.b64decode(secret.removeprefix("whsec_"))


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        msg_id = self.headers.get("webhook-id", "")
        timestamp = self.headers.get("webhook-timestamp", "")
        signed = f"{msg_id}.{timestamp}.".encode() + body
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        given = [s.split(",", 1)[1] for s in self.headers.get("webhook-signature", "").split() if s.startswith("v1,")]
        valid = any(hmac.compare_digest(expected, g) for g in given)
        with open(record, "a") as out:
            out.write(json.dumps({"id": msg_id, "timestamp": timestamp, "valid": valid, "body": json.loads(body), "path": self.path}) + "\n")
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
