"""Lead partners' webhooks (placeholder: filled in by the partner work)."""

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

app = APIGatewayRestResolver()
