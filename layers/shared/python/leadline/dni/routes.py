"""DNI routes of the website's API (placeholder: filled in by the DNI work)."""

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

router = APIGatewayRouter()
