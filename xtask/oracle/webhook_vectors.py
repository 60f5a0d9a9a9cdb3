"""Signature vectors of the enterprise event push, written from the reference pages'
description alone (Python's hmac, no Rust): signature = hex(HMAC-SHA256(subscriber
key, appID + decimal(timestamp) + nonce + eventInfo JSON)).

  webhook_vectors.py OUT.json   writes the vectors the Rust tests read

Each vector: a body as the service would POST it, the verifier's subscriber ID and
keys, the time it is checked at, and what must come of it: "accepted" (with the event
type) or the refusal ("bad_signature", "wrong_subscriber", "malformed").
"""
import hashlib
import hmac
import json
import sys

NOW = 1764662400000  # 2025-12-02T08:00:00Z, the verifier's clock for every vector
SUBSCRIBER, KEY, OLD_KEY = "12345678", "sim-webhook-key", "the-previous-key"


def sign(key, app_id, timestamp, nonce, event_info):
    message = f"{app_id}{timestamp}{nonce}{event_info}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def body(event_info, signature, app_id=SUBSCRIBER, timestamp=NOW, nonce="60426560"):
    # Written by hand so that eventInfo stands in the body exactly as given.
    return ('{"appID":%s,"timestamp":%d,"nonce":%s,"signature":%s,"eventInfo":%s}'
            % (json.dumps(app_id), timestamp, json.dumps(nonce), json.dumps(signature), event_info))


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


JOIN = compact({
    "event": "meeting.join", "timestamp": NOW,
    "payload": {
        "meetingInfo": {"meetingID": "987446316", "meetingUUID": "0307e040a1b2c3d4e5f60718293adde8"},
        "attendeeInfo": {
            "userUUID": "f39228ec0a1b2c3d4e5f60718293a2952", "userAgent": "WeLink-desktop",
            "account": "yangtest01", "participantID": "ebbe4e6c0a1b2c3d4e5f6071829373e",
            "displayName": "yangtest01", "joinTime": NOW - 1000, "leftTime": 0,
            "role": "CHAIR", "callNumber": "+86571264265330456"}}})


def vector(name, event_info, expect, event=None, keys=(KEY,), sign_with=KEY,
           signed_over=None, app_id=SUBSCRIBER, signature=None, now=NOW, **kw):
    timestamp = kw.get("timestamp", NOW)
    nonce = kw.get("nonce", "60426560")
    if signature is None:
        signature = sign(sign_with, app_id, timestamp, nonce, signed_over or event_info)
    return {
        "name": name,
        "subscriber_id": SUBSCRIBER,
        "keys": list(keys),
        "now_ms": now,
        "body": body(event_info, signature, app_id=app_id, timestamp=timestamp, nonce=nonce),
        "expect": expect,
        "event": event,
    }


def vectors():
    verify_info = '{"event":"meeting.verify","timestamp":1629183619116}'
    pages = {
        "name": "the pages' verification example",
        "subscriber_id": "1988692299",
        "keys": ["123456"],
        "now_ms": 1629183619116,
        "body": body(verify_info, sign("123456", "1988692299", 1629183619116, "85262798", verify_info),
                     app_id="1988692299", timestamp=1629183619116, nonce="85262798"),
        "expect": "accepted",
        "event": "meeting.verify",
    }
    assert json.loads(pages["body"])["signature"] == \
        "262ccb5f8854f824c41ea5854ba1798bfa850706fbc85b2be9fd7535ed6b8ff3"
    unusual = ('{"payload":{"meetingInfo":{"meetingUUID":"0307e040a1b2c3d4e5f60718293adde8",'
               '"meetingID":"987446316"}},"timestamp":%d,"event":"meeting.started"}' % NOW)
    spaced = '{ "event" : "meeting.end",\n  "timestamp" : %d,\n  "payload" : { "meetingInfo" : { "meetingID" : "987446316" } } }' % NOW
    unicode = compact({"event": "meeting.create", "timestamp": NOW,
                       "payload": {"meetingInfo": {"meetingID": "987446316", "subject": "Réunion 会议"}}})
    changed = JOIN.replace('"CHAIR"', '"CHAIR "')
    signature = sign(KEY, SUBSCRIBER, NOW, "60426560", JOIN)
    return [
        pages,
        vector("a join, compact", JOIN, "accepted", "meeting.join"),
        vector("eventInfo keys in an unusual order, signed as they stand", unusual, "accepted",
               "meeting.started"),
        vector("eventInfo spaced out in the body, signed over its compact form", spaced, "accepted",
               "meeting.end", signed_over=compact(json.loads(spaced))),
        vector("non-ASCII text, signed as it stands", unicode, "accepted", "meeting.create"),
        vector("uppercase hex", JOIN, "accepted", "meeting.join", signature=signature.upper()),
        vector("signed with the previous key, still accepted during a rotation", JOIN, "accepted",
               "meeting.join", keys=(KEY, OLD_KEY), sign_with=OLD_KEY),
        vector("a type the pages do not list", compact({"event": "meeting.later", "timestamp": NOW,
                                                       "payload": {"x": 1}}),
               "accepted", "meeting.later"),
        vector("one byte of eventInfo changed", changed, "bad_signature", signed_over=JOIN),
        vector("signed with another key", JOIN, "bad_signature", sign_with="another-key"),
        vector("for another subscriber", JOIN, "wrong_subscriber", app_id="87654321"),
        vector("a signature of 63 digits", JOIN, "bad_signature", signature=signature[:63]),
        vector("a signature of 65 digits", JOIN, "bad_signature", signature=signature + "0"),
        vector("a signature that is not hex", JOIN, "bad_signature", signature="z" * 64),
        vector("a join without attendeeInfo", compact({"event": "meeting.join", "timestamp": NOW,
                                                      "payload": {"meetingInfo": {"meetingID": "1"}}}),
               "malformed"),
    ]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1], "w") as f:
        json.dump(vectors(), f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(vectors())} webhook signature vectors to {sys.argv[1]}")


if __name__ == "__main__":
    main()
