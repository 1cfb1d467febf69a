"""The permission catalog and the roles every new tenant starts with."""

from enum import StrEnum


class Permission(StrEnum):
    MANAGE_SETTINGS = "manage_settings"
    MANAGE_MARKETING = "manage_marketing"
    MANAGE_OPERATIONS = "manage_operations"
    MANAGE_EMPLOYEES = "manage_employees"
    VIEW_SECOND_CHANCE_LEADS = "view_second_chance_leads"
    MANAGE_LEADS = "manage_leads"
    BOOK_JOBS = "book_jobs"
    VIEW_REPORTS = "view_reports"
    MANAGE_INTEGRATIONS = "manage_integrations"


DESCRIPTIONS: dict[Permission, str] = {
    Permission.MANAGE_SETTINGS: "Change the company's settings, Second Chance Leads settings included",
    Permission.MANAGE_MARKETING: "Create and edit campaigns and tracking numbers",
    Permission.MANAGE_OPERATIONS: "Create and edit business units, job types and call reasons",
    Permission.MANAGE_EMPLOYEES: "Create and edit employees, roles and per-employee permissions",
    Permission.VIEW_SECOND_CHANCE_LEADS: "See, work and be notified of Second Chance Leads",
    Permission.MANAGE_LEADS: "Create, convert and dismiss leads",
    Permission.BOOK_JOBS: "Book jobs",
    Permission.VIEW_REPORTS: "Read reports",
    Permission.MANAGE_INTEGRATIONS: "Connect and configure lead partners and telephony vendors",
}

ALL_PERMISSIONS: frozenset[str] = frozenset(p.value for p in Permission)

# role_id -> (name, permissions)
DEFAULT_ROLES: dict[str, tuple[str, frozenset[str]]] = {
    "admin": ("Admin", ALL_PERMISSIONS),
    "office_manager": (
        "Office Manager",
        ALL_PERMISSIONS - {Permission.MANAGE_EMPLOYEES.value, Permission.MANAGE_INTEGRATIONS.value},
    ),
    "marketing_manager": (
        "Marketing Manager",
        frozenset({Permission.MANAGE_MARKETING, Permission.VIEW_REPORTS, Permission.MANAGE_INTEGRATIONS}),
    ),
    "csr": ("CSR", frozenset({Permission.MANAGE_LEADS, Permission.BOOK_JOBS})),
    "dispatcher": ("Dispatcher", frozenset({Permission.MANAGE_LEADS, Permission.BOOK_JOBS})),
    "technician": ("Technician", frozenset()),
}


def unknown_permissions(names: list[str] | set[str] | frozenset[str]) -> list[str]:
    return sorted(set(names) - ALL_PERMISSIONS)
