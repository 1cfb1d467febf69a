"""CDK constructs of the Leadline stack, one module per concern."""
