"""The baseline of the cold-start benchmark: a minimal handler of the same class as ours, which imports boto3 and
Powertools' Logger and makes its DynamoDB client at init."""

import boto3
from aws_lambda_powertools import Logger

logger = Logger()
dynamodb = boto3.client("dynamodb")


def handler(event, context):
    return {"statusCode": 200}
