"""The Records table: one table, items keyed by tenant first.

Key shapes (the tenant id leads every partition key):
  T#<tenant>   SETTINGS                     tenant settings
  T#<tenant>   CAMPAIGN#<id>                campaign
  T#<tenant>   DNIS#<e164>                  which campaign advertises this number (unique)
  T#<tenant>   NUMBER#<e164>                tracking number     gsi1: T#<tenant>#CAMPAIGN#<id>#NUMBERS / <e164>
  T#<tenant>   BU#<id> | JOBTYPE#<id> | CALLREASON#<id> | ROLE#<id> | EMPLOYEE#<id>
  T#<tenant>   EMAIL#<email>                which employee uses this email (unique)

Table names come from the environment when this module is imported (RECORDS_TABLE_NAME).
"""

import os

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

RECORDS_TABLE_ENV = "RECORDS_TABLE_NAME"


def tenant_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}"


class ByParentIndex(GlobalSecondaryIndex):
    """gsi1: items listed under a parent (e.g. a campaign's tracking numbers)."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class RecordModel(Model):
    class Meta:
        table_name = os.environ.get(RECORDS_TABLE_ENV, "leadline-records")
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_parent = ByParentIndex()

    tenant_id = UnicodeAttribute()
    created_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)


class TenantSettings(RecordModel):
    version = VersionAttribute()
    name = UnicodeAttribute()
    time_zone = UnicodeAttribute()
    scl_enabled = BooleanAttribute(default=False)
    after_call_work_minutes = NumberAttribute(default=5)
    cold_lead_threshold_hours = NumberAttribute(default=48)
    sms_registered = BooleanAttribute(default=False)


class Campaign(RecordModel):
    version = VersionAttribute()
    campaign_id = UnicodeAttribute()
    name = UnicodeAttribute()
    category = UnicodeAttribute(null=True)
    active = BooleanAttribute(default=True)
    dnis = UnicodeAttribute(null=True)


class DnisClaim(RecordModel):
    number = UnicodeAttribute()
    campaign_id = UnicodeAttribute()


class TrackingNumber(RecordModel):
    version = VersionAttribute()
    number = UnicodeAttribute()
    number_type = UnicodeAttribute()
    label = UnicodeAttribute(null=True)
    forwarding_number = UnicodeAttribute(null=True)
    default_call_type = UnicodeAttribute(default="lead")
    sms_registered = BooleanAttribute(default=False)
    campaign_id = UnicodeAttribute(null=True)


class BusinessUnit(RecordModel):
    version = VersionAttribute()
    business_unit_id = UnicodeAttribute()
    name = UnicodeAttribute()
    active = BooleanAttribute(default=True)


class JobType(RecordModel):
    version = VersionAttribute()
    job_type_id = UnicodeAttribute()
    name = UnicodeAttribute()
    business_unit_ids = UnicodeSetAttribute(default=set)
    active = BooleanAttribute(default=True)


class CallReason(RecordModel):
    version = VersionAttribute()
    call_reason_id = UnicodeAttribute()
    name = UnicodeAttribute()
    is_lead = BooleanAttribute(default=False)
    active = BooleanAttribute(default=True)


class Role(RecordModel):
    version = VersionAttribute()
    role_id = UnicodeAttribute()
    name = UnicodeAttribute()
    permissions = UnicodeSetAttribute(default=set)


class Employee(RecordModel):
    version = VersionAttribute()
    employee_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    role_id = UnicodeAttribute()
    granted_permissions = UnicodeSetAttribute(default=set)
    active = BooleanAttribute(default=True)


class EmailClaim(RecordModel):
    email = UnicodeAttribute()
    employee_id = UnicodeAttribute()


ALL_MODELS = (
    TenantSettings,
    Campaign,
    DnisClaim,
    TrackingNumber,
    BusinessUnit,
    JobType,
    CallReason,
    Role,
    Employee,
    EmailClaim,
)
