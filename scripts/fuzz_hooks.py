# schemathesis hooks for scripts/fuzz.sh (SCHEMATHESIS_HOOKS=fuzz_hooks).
import re
import uuid

import schemathesis

VALID_KEY = re.compile(r"[!-~]{1,200}")


@schemathesis.hook
def before_call(context, case, kwargs):
    """A fresh Idempotency-Key for each request, as a client makes one for each new request.

    The generator sends the same few keys ("0", "!") with ever different bodies, which the server
    rightly refuses as a reused key (422, /problems/idempotency-key-reused; Tests/ServerTests
    covers reuse and replay), so most creations never reached their logic. A valid key gets a
    unique suffix and stays valid; an invalid one is sent as generated, to be refused.
    """
    headers = case.headers or {}
    key = headers.get("Idempotency-Key")
    if isinstance(key, str) and VALID_KEY.fullmatch(key):
        headers["Idempotency-Key"] = f"{key[:160]}-{uuid.uuid4().hex}"
