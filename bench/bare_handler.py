"""The baseline of the cold-start benchmark: a handler that imports only boto3 and Powertools' Logger."""

import boto3  # noqa: F401
from aws_lambda_powertools import Logger

logger = Logger()


def handler(event, context):
    return {"statusCode": 200}
