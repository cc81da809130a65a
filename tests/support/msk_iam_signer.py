"""Prints the decoded MSK IAM auth token that AWS's aws-msk-iam-sasl-signer-python makes for
fixed credentials, region and time: the presigned URL whose query parameters
tests/msk_iam_signer.rs compares with kbrowse's AWS_MSK_IAM payload.

usage: msk_iam_signer.py REGION ACCESS_KEY_ID SECRET_ACCESS_KEY SESSION_TOKEN|- UNIX_SECONDS
"""
import base64
import datetime
import sys

import botocore.auth
from botocore.credentials import CredentialProvider, Credentials
from aws_msk_iam_sasl_signer import MSKAuthTokenProvider

region, key_id, secret, token, secs = sys.argv[1:6]
at = datetime.datetime.fromtimestamp(int(secs), datetime.timezone.utc)
# botocore reads the signing time through this function; fix it.
botocore.auth.get_current_datetime = lambda *args, **kwargs: at


class Fixed(CredentialProvider):
    METHOD = "fixed"

    def load(self):
        return Credentials(key_id, secret, None if token == "-" else token)


encoded, expiry_ms = MSKAuthTokenProvider.generate_auth_token_from_credentials_provider(
    region, Fixed())
padded = encoded + "=" * (-len(encoded) % 4)
print(base64.urlsafe_b64decode(padded).decode())
print(expiry_ms)
