"""Staff API: bookings (placeholder)."""

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

router = APIGatewayRouter()
