"""Every key shape of the Records table, and only here. Repositories (`leadline.data.repositories`) build their
keys with these; nothing else writes a key.

The tenant id leads every partition key a tenant's request can reach (T#<tenant>); maintenance partitions that
span tenants (the scanner's) are sharded and start with their purpose.

Every item's partition key is T#<tenant>. Sort keys, and index keys as partition / sort:

TenantSettings            SETTINGS
Campaign                  CAMPAIGN#<id>
DnisClaim                 DNIS#<e164>
TrackingNumber            NUMBER#<e164>              gsi1 T#<t>#CAMPAIGN#<id>#NUMBERS / <e164>
BusinessUnit, JobType     BU#<id>, JOBTYPE#<id>
CallReason, Role          CALLREASON#<id>, ROLE#<id>
Employee, EmailClaim      EMPLOYEE#<id>, EMAIL#<email>
Call                      CALL#<id>                  gsi1 T#<t>#CALLS / <started_at>#<id>
                                                     gsi2 T#<t>#CAMPAIGN#<id or unknown or direct>#CALLS / same
                                                     gsi3 T#<t>#CALLER#<e164>#CALLS / same
Delivery                  DELIVERY#<dedupe key>      gsi1 DELIVERIES#PENDING#<shard> / <received_at>#<t>
                                                     gsi2 T#<t>#DELIVERIES#<vendor>#<state> / <received_at>#<key>
Lead                      LEAD#<id>                  gsi1 T#<t>#LEADS / <created_at>#<id>
                                                     gsi2 T#<t>#LEADS#<status> / same
                                                     gsi3 T#<t>#CALLER#<e164>#LEADS / same
Customer                  CUSTOMER#<id>
CustomerPhone             CUSTPHONE#<e164>#<customer id>
Location                  LOCATION#<id>              gsi1 T#<t>#CUSTOMER#<id>#LOCATIONS / <location id>
Job                       JOB#<id>                   gsi1 T#<t>#JOBS / <created_at>#<id>
                                                     gsi3 T#<t>#CALLER#<e164>#JOBS / same
Booking                   BOOKING#<id>               gsi1 T#<t>#BOOKINGS#<status> / <received_at>#<id>
                                                     gsi2 T#<t>#BOOKINGS / same
                                                     gsi3 T#<t>#CALLER#<e164>#BOOKINGS / same
OnlineBookingConfig       ONLINEBOOKING#CONFIG
Aggregate                 AGG#<dimension>#<day>#<value>#<shard>
DismissReason             DISMISSREASON#<code>
SecondChanceLead          SCL#<id>                   gsi1 T#<t>#SCL#<OPEN or DONE> / <created_at>#<id>
                                                     gsi2 T#<t>#SCL#STATUS#<status> / same
                                                     gsi3 T#<t>#CALLER#<e164>#SCL / same
PhoneSclClaim             SCLPHONE#<e164>
EvaluationDue             DUE#<call id>              gsi1 EVALDUE#<shard> / <due_at>#<t>#<call id>
OutboxEvent               OUTBOX#<event id>          gsi1 OUTBOX#<shard> / <occurred_at>#<event id>
NotificationPreferences   NOTIFYPREFS#<employee id>
Notification              NOTIFY#<id>#<channel>      gsi1 T#<t>#EMPLOYEE#<id>#INBOX / <created_at>#<id>
                                                     gsi2 NOTIFYHELD#<shard> / <send_after>#<t>#<sort key>
Integration               INTEGRATION#<partner>
PartnerLeadCounted        PARTNERLEAD#<partner>#<booking id>
PartnerMessage            PARTNERMSG#<partner>#<negotiation id>#<message id>
DniConfig                 DNI#CONFIG
DniPoolNumber             DNI#NUMBER#<e164>
DniSession                DNIVISIT#<session id>
DniHold                   DNIHOLD#<e164>#<assigned_at>#<session id>
"""

from __future__ import annotations

import hashlib

# --- partitions ----------------------------------------------------------------------------------


def tenant(tenant_id: str) -> str:
    return f"T#{tenant_id}"


def in_order(moment: str, ident: str) -> str:
    """An index sort key: by time, ties broken by the item's id."""
    return f"{moment}#{ident}"


def shard_of(text: str, shards: int) -> int:
    """A stable shard number for a key (the same text always lands in the same shard)."""
    return int(hashlib.sha256(text.encode()).hexdigest(), 16) % shards


# --- set-up ---------------------------------------------------------------------------------------

SETTINGS = "SETTINGS"
CAMPAIGNS = "CAMPAIGN#"
NUMBERS = "NUMBER#"
BUSINESS_UNITS = "BU#"
JOB_TYPES = "JOBTYPE#"
CALL_REASONS = "CALLREASON#"
ROLES = "ROLE#"
EMPLOYEES = "EMPLOYEE#"


def campaign(campaign_id: str) -> str:
    return f"{CAMPAIGNS}{campaign_id}"


def dnis(number: str) -> str:
    return f"DNIS#{number}"


def tracking_number(number: str) -> str:
    return f"{NUMBERS}{number}"


def campaign_numbers(tenant_id: str, campaign_id: str) -> str:
    """gsi1 partition: a campaign's tracking numbers."""
    return f"{tenant(tenant_id)}#CAMPAIGN#{campaign_id}#NUMBERS"


def business_unit(business_unit_id: str) -> str:
    return f"{BUSINESS_UNITS}{business_unit_id}"


def job_type(job_type_id: str) -> str:
    return f"{JOB_TYPES}{job_type_id}"


def call_reason(call_reason_id: str) -> str:
    return f"{CALL_REASONS}{call_reason_id}"


def role(role_id: str) -> str:
    return f"{ROLES}{role_id}"


def employee(employee_id: str) -> str:
    return f"{EMPLOYEES}{employee_id}"


def email(address: str) -> str:
    return f"EMAIL#{address}"


# --- calls and deliveries --------------------------------------------------------------------------

CALLS = "CALL#"
DELIVERIES = "DELIVERY#"


def call(call_id: str) -> str:
    return f"{CALLS}{call_id}"


def calls_by_time(tenant_id: str) -> str:
    return f"{tenant(tenant_id)}#CALLS"


def calls_by_campaign(tenant_id: str, campaign: str) -> str:
    """gsi2 partition: a campaign's calls; `campaign` is its id, or unknown / direct."""
    return f"{tenant(tenant_id)}#CAMPAIGN#{campaign}#CALLS"


def calls_by_caller(tenant_id: str, phone: str) -> str:
    return f"{tenant(tenant_id)}#CALLER#{phone}#CALLS"


def delivery(dedupe_key: str) -> str:
    return f"{DELIVERIES}{dedupe_key}"


def deliveries_pending(shard: int) -> str:
    """gsi1 partition, across tenants: deliveries kept but not applied yet."""
    return f"DELIVERIES#PENDING#{shard}"


def deliveries_by_state(tenant_id: str, vendor: str, state: str) -> str:
    """gsi2 partition: a sender's deliveries in one state, for staff."""
    return f"{tenant(tenant_id)}#DELIVERIES#{vendor}#{state}"


# --- leads, customers, jobs, bookings --------------------------------------------------------------

LEADS = "LEAD#"
CUSTOMERS = "CUSTOMER#"
LOCATIONS = "LOCATION#"
JOBS = "JOB#"
BOOKINGS = "BOOKING#"
DISMISS_REASONS = "DISMISSREASON#"
ONLINE_BOOKING_CONFIG = "ONLINEBOOKING#CONFIG"


def lead(lead_id: str) -> str:
    return f"{LEADS}{lead_id}"


def leads_by_time(tenant_id: str) -> str:
    return f"{tenant(tenant_id)}#LEADS"


def leads_by_status(tenant_id: str, status: str) -> str:
    return f"{tenant(tenant_id)}#LEADS#{status}"


def leads_by_caller(tenant_id: str, phone: str) -> str:
    return f"{tenant(tenant_id)}#CALLER#{phone}#LEADS"


def customer(customer_id: str) -> str:
    return f"{CUSTOMERS}{customer_id}"


def customer_phones(phone: str) -> str:
    """The prefix of every customer with this phone number."""
    return f"CUSTPHONE#{phone}#"


def customer_phone(phone: str, customer_id: str) -> str:
    return f"{customer_phones(phone)}{customer_id}"


def location(location_id: str) -> str:
    return f"{LOCATIONS}{location_id}"


def customer_locations(tenant_id: str, customer_id: str) -> str:
    return f"{tenant(tenant_id)}#CUSTOMER#{customer_id}#LOCATIONS"


def job(job_id: str) -> str:
    return f"{JOBS}{job_id}"


def jobs_by_time(tenant_id: str) -> str:
    return f"{tenant(tenant_id)}#JOBS"


def jobs_by_caller(tenant_id: str, phone: str) -> str:
    return f"{tenant(tenant_id)}#CALLER#{phone}#JOBS"


def booking(booking_id: str) -> str:
    return f"{BOOKINGS}{booking_id}"


def bookings_by_status(tenant_id: str, status: str) -> str:
    return f"{tenant(tenant_id)}#BOOKINGS#{status}"


def bookings_by_time(tenant_id: str) -> str:
    return f"{tenant(tenant_id)}#BOOKINGS"


def bookings_by_caller(tenant_id: str, phone: str) -> str:
    return f"{tenant(tenant_id)}#CALLER#{phone}#BOOKINGS"


def dismiss_reason(code: str) -> str:
    return f"{DISMISS_REASONS}{code}"


# --- reports ---------------------------------------------------------------------------------------

AGGREGATES = "AGG#"


def aggregate(dimension: str, day: str, value: str, shard: int) -> str:
    return f"{AGGREGATES}{dimension}#{day}#{value}#{shard}"


def aggregate_days(dimension: str, day_from: str, day_to: str) -> tuple[str, str]:
    """The sort-key range of one dimension's aggregates from `day_from` to `day_to`, both included."""
    return f"{AGGREGATES}{dimension}#{day_from}#", f"{AGGREGATES}{dimension}#{day_to}#\uffff"


# --- Second Chance Leads and after-call work -------------------------------------------------------

SCLS = "SCL#"


def scl(scl_id: str) -> str:
    return f"{SCLS}{scl_id}"


def scls_by_bucket(tenant_id: str, bucket: str) -> str:
    """gsi1 partition: OPEN (the Open and Cold tabs) or DONE."""
    return f"{tenant(tenant_id)}#SCL#{bucket}"


def scls_by_status(tenant_id: str, status: str) -> str:
    return f"{tenant(tenant_id)}#SCL#STATUS#{status}"


def scls_by_caller(tenant_id: str, phone: str) -> str:
    return f"{tenant(tenant_id)}#CALLER#{phone}#SCL"


def scl_phone_claim(phone: str) -> str:
    return f"SCLPHONE#{phone}"


EVALUATIONS_DUE = "DUE#"  # the prefix of the calls whose after-call work is running


def evaluation_due(call_id: str) -> str:
    return f"{EVALUATIONS_DUE}{call_id}"


def evaluations_due(shard: int) -> str:
    """gsi1 partition, across tenants: calls whose after-call work is running, by due time."""
    return f"EVALDUE#{shard}"


def evaluation_due_order(due_at: str, tenant_id: str, call_id: str) -> str:
    """gsi1 sort key of a call's evaluation due: by due time, then the tenant and the call."""
    return f"{due_at}#{tenant_id}#{call_id}"


# --- events and notifications ----------------------------------------------------------------------

OUTBOX_EVENTS = "OUTBOX#"


def outbox_event(event_id: str) -> str:
    return f"{OUTBOX_EVENTS}{event_id}"


def outbox_shard(shard: int) -> str:
    """gsi1 partition, across tenants: events not yet on the bus."""
    return f"OUTBOX#{shard}"


def notification_preferences(employee_id: str) -> str:
    return f"NOTIFYPREFS#{employee_id}"


NOTIFICATIONS = "NOTIFY#"


def notifications_of(notification_id: str) -> str:
    """The prefix of one notification's items, one per channel."""
    return f"{NOTIFICATIONS}{notification_id}#"


def notification(notification_id: str, channel: str) -> str:
    return f"{notifications_of(notification_id)}{channel}"


def inbox(tenant_id: str, employee_id: str) -> str:
    """gsi1 partition: an employee's in-app notifications."""
    return f"{tenant(tenant_id)}#EMPLOYEE#{employee_id}#INBOX"


def held_notifications(shard: int) -> str:
    """gsi2 partition, across tenants: texts held for quiet hours, by send time."""
    return f"NOTIFYHELD#{shard}"


# --- partners --------------------------------------------------------------------------------------

INTEGRATIONS = "INTEGRATION#"


def integration(partner: str) -> str:
    return f"{INTEGRATIONS}{partner}"


def partner_lead_counted(partner: str, booking_id: str) -> str:
    return f"PARTNERLEAD#{partner}#{booking_id}"


PARTNER_MESSAGES = "PARTNERMSG#"


def partner_messages(partner: str, negotiation_id: str | None = None) -> str:
    """The prefix of a partner's messages waiting for their lead: all of them, or those of one lead (negotiation)."""
    of_partner = f"{PARTNER_MESSAGES}{partner}#"
    return f"{of_partner}{negotiation_id}#" if negotiation_id is not None else of_partner


def partner_message(partner: str, negotiation_id: str, message_id: str) -> str:
    return f"{partner_messages(partner, negotiation_id)}{message_id}"


# --- dynamic number insertion ----------------------------------------------------------------------

DNI = "DNI#"  # the configuration and the pool numbers' holders, read together
DNI_CONFIG = "DNI#CONFIG"
DNI_POOL_NUMBERS = "DNI#NUMBER#"


def dni_pool_number(number: str) -> str:
    return f"{DNI_POOL_NUMBERS}{number}"


def dni_session(session_id: str) -> str:
    return f"DNIVISIT#{session_id}"


def dni_holds(number: str) -> str:
    """The prefix of a pool number's holds, in the order they began."""
    return f"DNIHOLD#{number}#"


def dni_hold(number: str, assigned_at: str, session_id: str) -> str:
    return f"{dni_holds(number)}{assigned_at}#{session_id}"
