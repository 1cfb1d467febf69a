"""The Records table: one table, items keyed by tenant first; their key shapes are in `keys.py`.

Table names come from the environment when this module is imported (RECORDS_TABLE_NAME).
"""

import os

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from leadline import config, rules


class ByParentIndex(GlobalSecondaryIndex):
    """gsi1: items listed under a parent (e.g. a campaign's tracking numbers)."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class ByTimeIndex(GlobalSecondaryIndex):
    """gsi2: a second listing of the same items, e.g. calls by campaign and time."""

    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class ByPersonIndex(GlobalSecondaryIndex):
    """gsi3: items by a person's phone number and time, e.g. calls by caller."""

    class Meta:
        index_name = "gsi3"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class RecordModel(Model):
    class Meta:
        table_name = os.environ.get(config.RECORDS_TABLE_NAME, "leadline-records")
        region = os.environ.get(config.AWS_REGION) or os.environ.get(config.AWS_DEFAULT_REGION) or "us-east-1"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    by_parent = ByParentIndex()
    by_time = ByTimeIndex()
    by_person = ByPersonIndex()

    tenant_id = UnicodeAttribute()
    created_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)


class TenantSettings(RecordModel):
    version = VersionAttribute()
    name = UnicodeAttribute()
    time_zone = UnicodeAttribute()
    scl_enabled = BooleanAttribute(default=False)
    after_call_work_minutes = NumberAttribute(default=rules.AFTER_CALL_WORK_MINUTES_DEFAULT)
    cold_lead_threshold_hours = NumberAttribute(default=rules.COLD_LEAD_THRESHOLD_HOURS_DEFAULT)
    sms_registered = BooleanAttribute(default=False)
    # notifications: the From of emails (a verified SES identity), the base of links to the app, quiet hours
    notification_sender = UnicodeAttribute(null=True)
    app_base_url = UnicodeAttribute(null=True)
    quiet_hours_start = UnicodeAttribute(null=True)  # "HH:MM" in the company's time zone; texts wait until the end
    quiet_hours_end = UnicodeAttribute(null=True)


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
    dni_pool = BooleanAttribute(null=True)  # in the DNI pool: a call is attributed by the visitor session holding it


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


class Call(RecordModel):
    """One call, converged from every event its vendor sent; listed by time, by campaign and by caller."""

    version = VersionAttribute()
    call_id = UnicodeAttribute()
    vendor = UnicodeAttribute()
    direction = UnicodeAttribute(null=True)
    from_number = UnicodeAttribute(null=True)
    to_number = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    status_sequence = NumberAttribute(default=-1)
    answered = BooleanAttribute(default=False)
    started_at = UnicodeAttribute(null=True)
    ended_at = UnicodeAttribute(null=True)
    duration_seconds = NumberAttribute(default=0)
    agent = UnicodeAttribute(null=True)
    recording = MapAttribute(null=True)
    transcript = MapAttribute(null=True)
    vendor_details = MapAttribute(null=True)
    attribution = UnicodeAttribute(null=True)
    campaign_id = UnicodeAttribute(null=True)
    call_type = UnicodeAttribute(null=True)
    after_call_work_started_at = UnicodeAttribute(null=True)
    # set by a CSR
    call_reason_id = UnicodeAttribute(null=True)
    is_lead = BooleanAttribute(null=True)
    lead_id = UnicodeAttribute(null=True)
    notes = UnicodeAttribute(null=True)
    booked = BooleanAttribute(null=True)
    job_id = UnicodeAttribute(null=True)
    classified_by = UnicodeAttribute(null=True)
    classified_at = UnicodeAttribute(null=True)
    report_day = UnicodeAttribute(null=True)  # the company's day the call is counted on, once attributed
    # Second Chance Leads: the evaluation's outcome, and the SCL it made
    scl_evaluation = UnicodeAttribute(null=True)
    analysis = MapAttribute(null=True)  # the analyser's verdict, when it judged the call: kept for every verdict
    scl_id = UnicodeAttribute(null=True)
    # DNI: the visitor session a call to a pool number was attributed by (session_id, source, campaign_rule)
    dni_session = MapAttribute(null=True)


class Delivery(RecordModel):
    """A vendor's or partner's delivery (a webhook request), kept as received. Its key is the dedupe key, so a second
    delivery is refused by the write itself. `state`: received (kept, not yet applied), processed, or rejected (with
    the reason in `error`). `kind`: which of the sender's webhooks it came to (Twilio's callback, CallRail's event,
    a partner's lead or message); `verified`: whether the sender's credentials were checked (Thumbtack set up without
    credentials is not).
    Listed for the scanner while received (across tenants), and for staff while not processed."""

    dedupe_key = UnicodeAttribute()
    vendor = UnicodeAttribute()
    kind = UnicodeAttribute(null=True)
    verified = BooleanAttribute(null=True)
    call_id = UnicodeAttribute(null=True)
    state = UnicodeAttribute()
    received_at = UnicodeAttribute()
    raw = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    expires_at = TTLAttribute(null=True)


class Lead(RecordModel):
    """A lead, from any source, open until converted (into a job, explicitly) or dismissed (with a reason).
    Listed by time, by status and by the customer's phone."""

    version = VersionAttribute()
    lead_id = UnicodeAttribute()
    source = UnicodeAttribute()  # call | manual | job | abandoned_call | partner | online | second_chance
    status = UnicodeAttribute(default="open")
    customer_id = UnicodeAttribute(null=True)
    location_id = UnicodeAttribute(null=True)
    customer_phone = UnicodeAttribute(null=True)
    campaign_id = UnicodeAttribute(null=True)
    business_unit_id = UnicodeAttribute(null=True)
    job_type_id = UnicodeAttribute(null=True)
    priority = UnicodeAttribute(null=True)
    summary = UnicodeAttribute(null=True)
    tags = UnicodeSetAttribute(default=set)
    notes = ListAttribute(default=list)  # [{"at", "by", "text"}]
    follow_up_date = UnicodeAttribute(null=True)
    call_id = UnicodeAttribute(null=True)
    call_reason_id = UnicodeAttribute(null=True)
    origin_job_id = UnicodeAttribute(null=True)
    lead_setting_employee_id = UnicodeAttribute(null=True)
    technician_id = UnicodeAttribute(null=True)
    start = UnicodeAttribute(null=True)
    job_id = UnicodeAttribute(null=True)
    dismiss_reason = UnicodeAttribute(null=True)
    history = ListAttribute(default=list)  # [{"at", "by", "from", "to", "why"}]
    created_by = UnicodeAttribute(null=True)


class Customer(RecordModel):
    version = VersionAttribute()
    customer_id = UnicodeAttribute()
    name = UnicodeAttribute()
    phones = ListAttribute(default=list)
    emails = ListAttribute(default=list)
    notes = UnicodeAttribute(null=True)


class CustomerPhone(RecordModel):
    """A customer's phone number, for the lookup of customers by phone."""

    phone = UnicodeAttribute()
    customer_id = UnicodeAttribute()


class Location(RecordModel):
    """A customer's location (listed under its customer)."""

    version = VersionAttribute()
    location_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    address = MapAttribute(null=True)
    notes = UnicodeAttribute(null=True)


class Job(RecordModel):
    """A booked job, listed by time and by the customer's phone."""

    version = VersionAttribute()
    job_id = UnicodeAttribute()
    status = UnicodeAttribute(default="booked")
    origin = UnicodeAttribute()  # lead | call | scl | direct | booking
    customer_id = UnicodeAttribute(null=True)
    location_id = UnicodeAttribute(null=True)
    customer_phone = UnicodeAttribute(null=True)
    job_type_id = UnicodeAttribute()
    business_unit_id = UnicodeAttribute()
    appointment_start = UnicodeAttribute(null=True)
    appointment_end = UnicodeAttribute(null=True)
    technician_id = UnicodeAttribute(null=True)
    priority = UnicodeAttribute(null=True)
    campaign_id = UnicodeAttribute(null=True)
    summary = UnicodeAttribute(null=True)
    lead_id = UnicodeAttribute(null=True)
    call_id = UnicodeAttribute(null=True)
    booking_id = UnicodeAttribute(null=True)
    booked_by = UnicodeAttribute(null=True)


class Booking(RecordModel):
    """A lead from a partner or the website, on the Bookings screen until it is converted into
    a job or dismissed. Its id derives from the source and the sender's own id, so a second delivery is refused by
    the write. Listed by status, by time and by phone."""

    version = VersionAttribute()
    booking_id = UnicodeAttribute()
    source = UnicodeAttribute()  # partner | online
    partner = UnicodeAttribute(null=True)  # thumbtack | angi | <generic partner>; None for online
    external_id = UnicodeAttribute()  # the partner's lead id, or the online booking's id
    status = UnicodeAttribute(default="pending")  # pending | converted | dismissed
    received_at = UnicodeAttribute()
    customer_name = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    address = MapAttribute(null=True)  # address1, address2, city, state, postal_code
    category = UnicodeAttribute(null=True)  # the partner's category / service asked for
    description = UnicodeAttribute(null=True)
    details = ListAttribute(default=list)  # [{question, answer}]
    requested_times = ListAttribute(default=list)
    job_type_id = UnicodeAttribute(null=True)
    business_unit_id = UnicodeAttribute(null=True)
    campaign_id = UnicodeAttribute(null=True)
    attribution = MapAttribute(null=True)  # online: how the campaign was chosen (rule, parameters, or why Unknown)
    flags = ListAttribute(default=list)  # unmapped_category, integration_error, ...
    lead_price = UnicodeAttribute(null=True)
    raw = UnicodeAttribute(null=True)  # the sender's payload, as received
    notes = ListAttribute(default=list)
    history = ListAttribute(default=list)
    job_id = UnicodeAttribute(null=True)
    dismiss_reason = UnicodeAttribute(null=True)


class OnlineBookingConfig(RecordModel):
    """The company's website key (only its hash is kept) and its UTM attribution rules."""

    version = VersionAttribute()
    key_hash = UnicodeAttribute(null=True)
    key_hint = UnicodeAttribute(null=True)  # the key's last characters, to tell keys apart
    rules = ListAttribute(default=list)  # [{utm_source, utm_medium, utm_campaign, campaign_id}], first match wins


class Aggregate(RecordModel):
    """Counters of one day (the company's), for one campaign, lead source,
    CSR or SCL status, added to in the same transaction as the change they count (so never twice, never lost).
    Reports read these, not the records: their cost grows with days x values, not with calls."""

    dimension = UnicodeAttribute()  # campaign | source | csr | scl_status
    day = UnicodeAttribute()
    value = UnicodeAttribute()
    calls = NumberAttribute(default=0)
    lead_calls = NumberAttribute(default=0)
    leads = NumberAttribute(default=0)
    leads_converted = NumberAttribute(default=0)
    jobs = NumberAttribute(default=0)
    scls = NumberAttribute(default=0)
    scls_followed_up = NumberAttribute(default=0)
    scls_saved = NumberAttribute(default=0)
    calls_handled = NumberAttribute(default=0)


class DismissReason(RecordModel):
    """A tenant's own lead dismiss reason (the standard ones are in code)."""

    code = UnicodeAttribute()
    label = UnicodeAttribute()


class SecondChanceLead(RecordModel):
    """A call a CSR let slip, for someone to call back.
    Listed open or done (the tabs: Cold is the open listing's older range), by status and by caller."""

    version = VersionAttribute()
    scl_id = UnicodeAttribute()
    call_id = UnicodeAttribute()
    phone = UnicodeAttribute()
    status = UnicodeAttribute()
    call_started_at = UnicodeAttribute(null=True)
    call_ended_at = UnicodeAttribute(null=True)
    call_type = UnicodeAttribute(null=True)
    campaign_id = UnicodeAttribute(null=True)
    agent = UnicodeAttribute(null=True)
    csr_notes = UnicodeAttribute(null=True)
    summary = UnicodeAttribute()
    reasons = ListAttribute(default=list)
    confidence = NumberAttribute(default=0)
    transcript = UnicodeAttribute(null=True)
    search_text = UnicodeAttribute(null=True)  # lower-cased transcript and summary, for search
    recording_url = UnicodeAttribute(null=True)
    job_id = UnicodeAttribute(null=True)
    notes = ListAttribute(default=list)
    history = ListAttribute(default=list)
    followed_up_at = UnicodeAttribute(null=True)  # its first call back, or its save
    saved_by = UnicodeAttribute(null=True)  # who booked the job that saved it


class PhoneSclClaim(RecordModel):
    """The last SCL made for a caller number; a new one may only claim it after `rules.SCL_RECENT_DAYS`."""

    phone = UnicodeAttribute()
    scl_id = UnicodeAttribute()
    claimed_at = UnicodeAttribute()


class EvaluationDue(RecordModel):
    """A call whose after-call work is running. Written with the call when its timer starts, deleted
    once the call is evaluated; if the timer's event is lost, the scanner finds it here when it is overdue.
    Listed across tenants by due time, for the scanner."""

    call_id = UnicodeAttribute()
    due_at = UnicodeAttribute()
    attempts = NumberAttribute(default=0)


class OutboxEvent(RecordModel):
    """A domain event written in the same transaction as the change it announces; deleted once on the bus.
    Listed across tenants by time, for the scanner."""

    event_id = UnicodeAttribute()
    detail_type = UnicodeAttribute()
    detail = UnicodeAttribute()  # JSON
    occurred_at = UnicodeAttribute()


class NotificationPreferences(RecordModel):
    """The channels an employee is notified on, and where."""

    version = VersionAttribute()
    employee_id = UnicodeAttribute()
    email_enabled = BooleanAttribute(default=True)
    sms_enabled = BooleanAttribute(default=False)
    in_app_enabled = BooleanAttribute(default=True)
    email = UnicodeAttribute(null=True)  # else the employee's own
    mobile_phone = UnicodeAttribute(null=True)  # else the employee's own phone


class Notification(RecordModel):
    """One event told to one employee on one channel. Its conditional write is
    what makes it once per person, channel and event, however often the event is delivered.
    In-app ones are listed in the employee's inbox (until dismissed); texts held for quiet hours are listed across
    tenants by their send time, for the scanner."""

    notification_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    employee_id = UnicodeAttribute()
    channel = UnicodeAttribute()  # email | sms | in_app
    status = UnicodeAttribute()  # sending | sent | failed | skipped | held
    reason = UnicodeAttribute(null=True)  # why skipped, or the last error
    attempts = NumberAttribute(default=0)
    lease_until = UnicodeAttribute(null=True)
    send_after = UnicodeAttribute(null=True)
    address = UnicodeAttribute(null=True)  # the email address or phone number it went to
    message_id = UnicodeAttribute(null=True)
    title = UnicodeAttribute(null=True)
    text = UnicodeAttribute(null=True)
    link = UnicodeAttribute(null=True)
    subject_id = UnicodeAttribute(null=True)  # e.g. the SCL's id
    sent_at = UnicodeAttribute(null=True)
    read_at = UnicodeAttribute(null=True)
    dismissed_at = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)


class Integration(RecordModel):
    """A lead partner (thumbtack, angi, or a generic partner's name) for one tenant: its status,
    its campaign, the mapping of its categories to a job type and business unit, and what its deliveries did.
    No version: staff changes (SET of the set-up fields) and lead counters (one UpdateItem per lead) are separate
    updates of separate attributes, so neither overwrites the other."""

    partner = UnicodeAttribute()
    status = UnicodeAttribute(default="active")  # active | error | disconnected
    status_changed_at = UnicodeAttribute(null=True)
    updated_by = UnicodeAttribute(null=True)
    campaign_id = UnicodeAttribute(null=True)
    category_map = MapAttribute(default=dict)  # {partner category: {job_type_id, business_unit_id}}
    # what deliveries did (counted once per booking created, see PartnerLeadCounted)
    leads_received = NumberAttribute(default=0)
    leads_unmapped = NumberAttribute(default=0)
    leads_while_error = NumberAttribute(default=0)
    leads_while_disconnected = NumberAttribute(default=0)
    category_leads = MapAttribute(default=dict)  # {category as received: leads}
    unmapped_leads = MapAttribute(default=dict)  # {category as received: leads that had no mapping}
    last_lead_at = UnicodeAttribute(null=True)
    last_booking_id = UnicodeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)  # the last delivery we refused or failed to store, and why
    last_error_at = UnicodeAttribute(null=True)
    credentials_set_at = UnicodeAttribute(null=True)  # when the operator stored credentials for it (None: none)


class PartnerLeadCounted(RecordModel):
    """A partner's booking, counted: written with the integration's counters in one transaction, so a booking is
    counted once however often it is delivered (and still counted when a retry follows a failure to count)."""

    partner = UnicodeAttribute()
    booking_id = UnicodeAttribute()


class PartnerMessage(RecordModel):
    """A partner's message that arrived before its lead, kept
    until the lead's booking exists; then added to it as a note and deleted."""

    partner = UnicodeAttribute()
    negotiation_id = UnicodeAttribute()
    message_id = UnicodeAttribute()
    sender = UnicodeAttribute(null=True)
    text = UnicodeAttribute()
    sent_at = UnicodeAttribute(null=True)
    raw = UnicodeAttribute(null=True)


class DniConfig(RecordModel):
    """The company's dynamic number insertion: the pool of its tracking numbers shown to website visitors
    (each flagged `dni_pool` on its TrackingNumber), the website's bare domain (its origins may ask for sessions), the
    minutes a number stays held for a visitor, the number the website shows without DNI, and the rules that map a
    visitor's source to a campaign."""

    version = VersionAttribute()
    domain = UnicodeAttribute()
    pool = ListAttribute(default=list)  # E.164 numbers
    session_minutes = NumberAttribute(default=30)
    default_number = UnicodeAttribute()
    source_rules = ListAttribute(default=list)  # [{utm_source, utm_medium, utm_campaign, campaign_id}]; first wins


class DniPoolNumber(RecordModel):
    """Who holds a pool number now. A visitor takes it with a put conditioned on the version read,
    so two visitors never take the same number; no item yet: never held."""

    version = VersionAttribute()
    number = UnicodeAttribute()
    session_id = UnicodeAttribute(null=True)
    assigned_at = UnicodeAttribute(null=True)
    held_until = UnicodeAttribute(null=True)  # free once past; the least recently held is reused when none is free


class DniSession(RecordModel):
    """A website visitor: where they came from, the campaign that maps to, and the pool number
    they are shown, held until `held_until` (extended while they come back). Deleted by TTL after its window."""

    version = VersionAttribute()
    session_id = UnicodeAttribute()
    number = UnicodeAttribute()
    source = MapAttribute(default=dict)  # utm_source, utm_medium, utm_campaign, gclid, referrer, landing_url, ...
    campaign_id = UnicodeAttribute(null=True)  # None: Unknown
    campaign_rule = UnicodeAttribute()  # how it was chosen: rule:<n> | number_campaign | unknown
    hold_sk = UnicodeAttribute()  # its DniHold
    assigned_at = UnicodeAttribute()
    held_until = UnicodeAttribute()
    expires_at = TTLAttribute()


class DniHold(RecordModel):
    """A pool number held by a session from `assigned_at` to `held_until`.
    A call to the number is the session's when the latest hold that began before the call still held it then.
    Kept 30 days (TTL) past its window, for late call events."""

    session_id = UnicodeAttribute()
    number = UnicodeAttribute()
    source = MapAttribute(default=dict)
    campaign_id = UnicodeAttribute(null=True)
    campaign_rule = UnicodeAttribute()
    assigned_at = UnicodeAttribute()
    held_until = UnicodeAttribute()
    expires_at = TTLAttribute()


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
    Call,
    Delivery,
    Lead,
    Customer,
    CustomerPhone,
    Location,
    Job,
    DismissReason,
    SecondChanceLead,
    PhoneSclClaim,
    EvaluationDue,
    OutboxEvent,
    NotificationPreferences,
    Notification,
    Booking,
    OnlineBookingConfig,
    Aggregate,
    Integration,
    PartnerLeadCounted,
    PartnerMessage,
    DniConfig,
    DniPoolNumber,
    DniSession,
    DniHold,
)
