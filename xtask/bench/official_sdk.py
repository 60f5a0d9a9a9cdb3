"""Calls per second of the official Python SDK (huaweicloudsdkmeeting) locking a meeting
on the simulator: sequential, then from a thread pool. Prints one JSON line.

Usage: official_sdk.py URL CALLS THREADS
"""
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import urllib3

from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkmeeting.v1 import (
    CreateConfTokenRequest,
    LockMeetingRequest,
    MeetingClient,
    RestLockReqBody,
)
from huaweicloudsdkmeeting.v1.meeting_credentials import MeetingCredentials

CONF = "914083136"


def client(url):
    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = True  # the simulator's certificate is its own
    return (
        MeetingClient.new_builder()
        .with_http_config(config)
        .with_credentials(MeetingCredentials("meeting_admin", "Admin-pass-2026"))
        .with_endpoint(url)
        .build()
    )


def main():
    urllib3.disable_warnings()  # the simulator's certificate is not verified (its CA is its own)
    url, calls, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    sdk = client(url)
    token = sdk.create_conf_token(
        CreateConfTokenRequest(conference_id=CONF, x_password="654321", x_login_type=1)
    ).data.token

    def lock(i):
        sdk.lock_meeting(
            LockMeetingRequest(
                conference_id=CONF,
                x_conference_authorization=token,
                body=RestLockReqBody(is_lock=i % 2),
            )
        )

    for i in range(20):
        lock(i)
    started = time.perf_counter()
    for i in range(calls):
        lock(i)
    sequential = calls / (time.perf_counter() - started)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        started = time.perf_counter()
        list(pool.map(lock, range(calls)))
        pooled = calls / (time.perf_counter() - started)
    print(json.dumps({"sequential": sequential, "pool": pooled, "threads": threads}))


if __name__ == "__main__":
    main()
