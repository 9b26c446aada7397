#!/usr/bin/env python3
"""Verify a MANRS+ mark credential offline, independently of the MANRS+ server's code.

    python3 verify_credential.py CREDENTIAL.json DID.json [--at 2027-01-01T00:00:00Z]
                                 [--status-list LIST.json ...]

CREDENTIAL.json is the mark's credential (GET /api/v1/marks/{id}/credential); DID.json is the
issuer's DID document (https://<issuer>/.well-known/did.json); each LIST.json is a status list
credential (GET /api/v1/status-lists/suspension or /revocation). Checks the eddsa-jcs-2022 Data
Integrity proof (W3C vc-di-eddsa), that the signing key is the issuer's and listed for
assertionMethod, the validity window at --at (default: now), and the status bits when lists are
given. Prints the verdict in words; exits 0 when valid, 1 when not, 2 on a usage error.

Needs only the `cryptography` package (pip install cryptography). The RFC 8785 canonical form
is written here for the JSON a credential holds (objects, arrays, strings, integers, booleans,
null); a credential with a non-integer number is refused rather than guessed at.
"""

import argparse
import base64
import datetime
import gzip
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
VC2 = "https://www.w3.org/ns/credentials/v2"


class Invalid(Exception):
    pass


def jcs(value):
    """RFC 8785 for the JSON a credential holds."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        raise Invalid("the credential holds a fractional number, which this short verifier does not canonicalise")
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(jcs(item) for item in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: key.encode("utf-16-be"))
        return "{" + ",".join(json.dumps(key, ensure_ascii=False) + ":" + jcs(value[key]) for key in keys) + "}"
    raise Invalid("not JSON")


def base58_decode(text):
    number = 0
    for symbol in text:
        if symbol not in BASE58:
            raise Invalid("a key or signature is not base58btc")
        number = number * 58 + BASE58.index(symbol)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def parse_time(text):
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        raise Invalid(f"{text!r} is not a date and time")
    if moment.tzinfo is None:
        raise Invalid(f"{text!r} has no time zone")
    return moment


def issuer_of(document):
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    if not isinstance(issuer, str) or not issuer.startswith("did:web:"):
        raise Invalid("the issuer is not a did:web identifier")
    return issuer


def assertion_key(method_id, did_document, issuer):
    if did_document.get("id") != issuer:
        raise Invalid(f"the DID document is that of {did_document.get('id')}, not of the issuer {issuer}")
    if not method_id.startswith(issuer + "#"):
        raise Invalid("the signing key does not belong to the issuer")

    def same(candidate):
        return candidate == method_id or (isinstance(candidate, str) and candidate.startswith("#") and issuer + candidate == method_id)

    method = next((m for m in did_document.get("verificationMethod", []) if isinstance(m, dict) and same(m.get("id"))), None)
    allowed = False
    for entry in did_document.get("assertionMethod", []):
        if isinstance(entry, str) and same(entry):
            allowed = True
        elif isinstance(entry, dict) and same(entry.get("id")):
            allowed, method = True, entry
    if not allowed or method is None:
        raise Invalid("the issuer's DID document does not list the signing key as a key for issuing")
    if method.get("type") != "Multikey" or method.get("controller", issuer) != issuer:
        raise Invalid("the signing key is not the issuer's Multikey")
    raw = base58_decode(method.get("publicKeyMultibase", "?")[1:]) if method.get("publicKeyMultibase", "").startswith("z") else b""
    if len(raw) != 34 or raw[:2] != b"\xed\x01":
        raise Invalid("the signing key is not an Ed25519 Multikey")
    return raw[2:]


def verify_proof(document, did_document):
    """eddsa-jcs-2022 verification (vc-di-eddsa 3.3.2)."""
    issuer = issuer_of(document)
    proof = document.get("proof")
    if not isinstance(proof, dict):
        raise Invalid("the document has no single proof")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != "eddsa-jcs-2022":
        raise Invalid("the proof is not a DataIntegrityProof with the eddsa-jcs-2022 cryptosuite")
    if proof.get("proofPurpose") != "assertionMethod":
        raise Invalid("the proof was not made for issuing credentials")
    value = proof.get("proofValue", "")
    signature = base58_decode(value[1:]) if value.startswith("z") else b""
    if len(signature) != 64:
        raise Invalid("the proof's signature is not an Ed25519 signature")
    key = assertion_key(proof.get("verificationMethod", ""), did_document, issuer)
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    if "@context" in options:
        expected = options["@context"] if isinstance(options["@context"], list) else [options["@context"]]
        actual = unsecured.get("@context", [])
        actual = actual if isinstance(actual, list) else [actual]
        if actual[: len(expected)] != expected:
            raise Invalid("the proof was made for a document with another @context")
        unsecured["@context"] = options["@context"]
    combined = hashlib.sha256(jcs(options).encode()).digest() + hashlib.sha256(jcs(unsecured).encode()).digest()
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, combined)
    except InvalidSignature:
        raise Invalid("the signature does not match: the document was changed after it was signed, or another key signed it")
    return issuer, proof["verificationMethod"]


def check_window(document, at, what):
    start, end = document.get("validFrom"), document.get("validUntil")
    if start is not None and at < parse_time(start):
        raise Invalid(f"the {what} is not valid yet: it is valid from {start}")
    if end is not None and at > parse_time(end):
        raise Invalid(f"the {what} has expired: it was valid until {end}")


def check_status(credential, lists, did_document, issuer, at):
    entries = credential.get("credentialStatus", [])
    entries = entries if isinstance(entries, list) else [entries]
    checked = []
    for entry in entries:
        listed = next((l for l in lists if l.get("id") == entry.get("statusListCredential")), None)
        if listed is None:
            continue
        purpose = entry.get("statusPurpose")
        if issuer_of(listed) != issuer:
            raise Invalid(f"the {purpose} list was issued by someone else")
        verify_proof(listed, did_document)
        check_window(listed, at, f"{purpose} list")
        subject = listed.get("credentialSubject", {})
        if subject.get("statusPurpose") != purpose:
            raise Invalid(f"the list given for {purpose} is a list for another purpose")
        encoded = subject.get("encodedList", "")
        if not encoded.startswith("u"):
            raise Invalid(f"the {purpose} list is not base64url with the prefix u")
        bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
        if len(bits) * 8 < 131072:
            raise Invalid(f"the {purpose} list is shorter than the standard allows")
        index = int(entry["statusListIndex"])
        if index >= len(bits) * 8:
            raise Invalid(f"the credential's place in the {purpose} list is outside the list")
        if bits[index // 8] & (0x80 >> (index % 8)):
            raise Invalid("the mark is suspended" if purpose == "suspension" else "the mark is revoked")
        checked.append(purpose)
    return checked


def verify(credential, did_document, at, lists):
    if credential.get("@context", [None])[0] != VC2:
        raise Invalid("the file is not a Verifiable Credential 2.0")
    if "ManrsPlusMarkCredential" not in credential.get("type", []):
        raise Invalid("the credential is not a MANRS+ mark credential")
    issuer, method = verify_proof(credential, did_document)
    if "validFrom" not in credential or "validUntil" not in credential:
        raise Invalid("the credential does not say from when until when it is valid")
    check_window(credential, at, "credential")
    checked = check_status(credential, lists, did_document, issuer, at)
    return issuer, method, checked


def main():
    parser = argparse.ArgumentParser(description="Verify a MANRS+ mark credential offline.")
    parser.add_argument("credential")
    parser.add_argument("did_document")
    parser.add_argument("--at", help="the time to check validity at (default: now), e.g. 2027-01-01T00:00:00Z")
    parser.add_argument("--status-list", action="append", default=[], help="a status list credential file (repeatable)")
    arguments = parser.parse_args()
    try:
        at = parse_time(arguments.at) if arguments.at else datetime.datetime.now(datetime.timezone.utc)
        with open(arguments.credential, encoding="utf-8") as file:
            credential = json.load(file)
        with open(arguments.did_document, encoding="utf-8") as file:
            did_document = json.load(file)
        lists = []
        for path in arguments.status_list:
            with open(path, encoding="utf-8") as file:
                lists.append(json.load(file))
    except (OSError, ValueError, Invalid) as error:
        print(f"Cannot check: {error}", file=sys.stderr)
        return 2
    try:
        issuer, method, checked = verify(credential, did_document, at, lists)
    except (Invalid, KeyError, TypeError, AttributeError, ValueError) as error:
        print(f"NOT VALID: {error}.")
        return 1
    subject = credential.get("credentialSubject", {})
    print(f"VALID: MANRS+ mark {subject.get('markId')} of {subject.get('organisation', {}).get('name')}, "
          f"program {subject.get('program', {}).get('name')}, tier {subject.get('tier', {}).get('name')}, "
          f"valid from {credential['validFrom']} until {credential['validUntil']}, issued by {issuer}.")
    unchecked = sorted({"suspension", "revocation"} - set(checked))
    if unchecked:
        print(f"Status not checked ({', '.join(unchecked)}): pass the status lists with --status-list.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
