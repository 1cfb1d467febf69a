"""Staff API: dni (placeholder)."""

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

router = APIGatewayRouter()
