"""The one URL every lead partner posts to, with its name in it (a registered partner's or a generic partner's).
Apart from the registry, so that the topology reads it without importing the partners' code."""

PATH = "/webhooks/partners/{partner}/{tenant_id}"


def path(tenant_id: str, partner: str) -> str:
    return PATH.format(partner=partner, tenant_id=tenant_id)
