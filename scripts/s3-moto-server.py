#!/usr/bin/env python3
"""Runs moto's server for the S3 tests (scripts/s3-test-server.sh starts it).

    INITIAL_NO_AUTH_ACTION_COUNT=3 s3-moto-server.py PORT [--die-with-parent]

One correction to moto before it starts: moto verifies an S3 request's SigV4
signature over the URL that werkzeug rebuilds from the *decoded* path, re-quoted with
sub-delimiters (+ = ! @ : , ; $ & ' ( ) *) and non-ASCII left as they are. AWS S3
signs the path with every byte but the unreserved ones percent-encoded, so with
signature checking on, moto rejects correct signatures for keys such as `a+b`, `a=b`
or `é` (botocore's own requests included); and it checks the query after decoding it,
so a listing whose prefix holds a `/` (signed as `%2F`) fails too. Here the check is
given the request's raw path and query, exactly as the client sent them — the bytes the
client signed.
"""

import sys
from urllib.parse import urlsplit


def main():
    port = sys.argv[1]
    if "--die-with-parent" in sys.argv[2:]:
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

    from moto.core.authorization import ActionAuthenticatorMixin

    checked = ActionAuthenticatorMixin._authenticate_and_authorize_s3_action

    def with_raw_uri(self, bucket_name=None, key_name=None):
        environ = getattr(getattr(self, "request", None), "environ", None) or {}
        raw = environ.get("RAW_URI")
        if not raw:
            return checked(self, bucket_name, key_name)
        target = urlsplit(raw)
        rebuilt = self.uri
        self.uri = target.path + ("?" + target.query if target.query else "")
        try:
            return checked(self, bucket_name, key_name)
        finally:
            self.uri = rebuilt

    ActionAuthenticatorMixin._authenticate_and_authorize_s3_action = with_raw_uri

    from moto.server import main as moto_main

    moto_main(["-H", "127.0.0.1", "-p", port])


if __name__ == "__main__":
    main()
