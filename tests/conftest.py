"""Every test process sees the functions' local environment before any PynamoDB model is imported
(models read their table names when their class is created)."""

import os

from infra.local.runtime import local_environment

for _key, _value in local_environment().items():
    os.environ[_key] = _value
os.environ.pop("AWS_PROFILE", None)
