"""A deterministic, rules-based call analyser: weighted phrase signals for and against a real prospect.

Each signal is a set of regular expressions with a weight on a log-odds scale; it counts at most once: at full
weight when found in the words of the speaker it belongs to (usually the caller), at `OTHER_SPEAKER` weight when
only in the other side's words. A `negatable` signal is skipped when a negation just precedes it ("I don't need a
quote"). The prior, the signals and the call's context add up to the log-odds of a prospect; `confidence` is how
sure the analyser is of its verdict (that probability, or one minus it), as in the Bedrock analyser.

Turns come from "Caller:" / "Agent:" style labels, or from Amazon Transcribe's "spk_0:" (or "Speaker 1:") labels,
where the agent is the first speaker who answers with a greeting. Text without labels is read as the caller's.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from leadline.scl.analysis import Analysis, CallContext

CALLER, AGENT, ANY = "caller", "agent", "any"
NEED, INTENT, AGAINST = "need", "intent", "against"

PRIOR = -0.3  # no evidence is "not a prospect", but weak evidence tips it: a missed lead costs more than a call
OTHER_SPEAKER = 0.3  # a caller's signal heard only from the agent (or the reverse)
HANG_UP_WORDS = 4  # fewer words from the caller: a hang-up or silence
SHORT_SECONDS = 20


@dataclass(frozen=True)
class Signal:
    kind: str  # NEED (what is wrong or wanted), INTENT (to buy or book) or AGAINST
    reason: str  # a short phrase, also used in the summary
    weight: float
    pattern: re.Pattern[str]
    who: str = CALLER
    negatable: bool = False


def sig(kind: str, reason: str, weight: float, *alternatives: str, who: str = CALLER, neg: bool = False) -> Signal:
    return Signal(kind, reason, weight, re.compile("|".join(alternatives), re.IGNORECASE), who, neg)


# fmt: off
SIGNALS: tuple[Signal, ...] = (
    # What the caller needs.
    sig(NEED, "AC not cooling", 2.0,
        r"\b(not|isn'?t|won'?t|stopped|quit) (cooling|blowing cold|getting cold)", r"blow\w* (warm|hot) air",
        r"won'?t get below", r"\bice (all )?(over|on)"),
    sig(NEED, "no heat", 2.0,
        r"\bno heat\b", r"heat('s| is)? (not|isn'?t) (work|com)", r"(aren'?t|not|isn'?t) (getting|staying) (warm|hot)",
        r"(house|it) won'?t (warm|heat)", r"(furnace|heat)\w* keeps (shutting|kicking)", r"blowing cold air even",
        r"carbon monoxide", r"\bCO detector"),
    sig(NEED, "no hot water", 2.0,
        r"\bno hot water", r"water heater('s)? (is |no )?(out|not|leak|broke)", r"hot water is (only )?lukewarm",
        r"runs out (really )?fast"),
    sig(NEED, "a leak or water damage", 2.0,
        r"\bleak(ing|s)?\b", r"\bflood(ed|ing)?\b", r"\bno water\b", r"water (everywhere|all over)", r"\bpuddle",
        r"\bburst", r"take water", r"water stain", r"dripping"),
    sig(NEED, "a clogged or slow drain", 2.0,
        r"\bclog", r"backing up", r"\bjammed", r"won'?t drain", r"drain\w* (super |really )?slow", r"gurgl",
        r"\bsnake"),
    sig(NEED, "a garage door problem", 2.0,
        r"\bspring broke", r"broken spring", r"off (the )?track", r"stuck (halfway|inside)", r"won'?t close",
        r"(door|opener)\b.{0,40}\b(won'?t open|doesn'?t work|screech)"),
    sig(NEED, "an electrical problem", 2.0,
        r"outlets?\b.{0,40}\b(stopped|not work|spark)", r"\bsparked", r"\bmelt(ed|ing)\b", r"reset the breaker",
        r"lost power", r"no power"),
    sig(NEED, "roof damage", 2.0, r"\bshingles", r"roof (leak|damage)", r"storm damage"),
    sig(NEED, "a gas or burning smell", 2.5, r"smell (gas|burning|smoke)"),
    sig(NEED, "equipment not working right", 1.5,
        r"\b(isn'?t|not|won'?t) (turning on|working|coming on)", r"nothing (comes|happens)",
        r"stopped (running|working)", r"\bdying\b", r"last legs", r"\b(is|'s) (completely |totally )?out\b",
        r"went out", r"\b(grinding|buzzing|clicking|popping|screeching|banging) (noise|sound)", r"short cycl",
        r"hotter than", r"pressure is (terrible|low)", r"hard water"),
    sig(NEED, "an install or replacement", 1.0,
        r"\b(install\w*|replac\w*|upgrade|repipe|remodel\w*|mini splits?|generator|second opinion|tune-?up)\b",
        r"\bnew (system|unit|furnace|opener|roof|one)\b", r"maintenance plan", r"ceiling fans?", r"water softener",
        neg=True),
    # Intent to buy or book.
    sig(INTENT, "asked for someone to come out", 2.0,
        r"\b(come|get|send)\b( \w+){0,3} (out|over|here|by)\b", r"\bcan (someone|somebody|you) come",
        r"send (someone|somebody|a tech|a plumber)", r"(someone|somebody) (to )?(come|look)", r"come (take a )?look",
        r"need (a|someone|somebody) (plumber|electrician|tech)", neg=True),
    sig(INTENT, "asked to book", 1.5,
        r"\b(schedule|book|set (it|something|one) up|put me down|get me in|availability|next opening|soonest)\b",
        r"anybody available", neg=True),
    sig(INTENT, "asked for a price or estimate", 1.5,
        r"\bhow much", r"\bprice", r"\bcost", r"\bcharge\b", r"\bestimates?\b", r"\bquotes?\b", r"ballpark",
        r"\byour rate", r"what would (that|it) run", r"financing", r"flat rate", neg=True),
    sig(INTENT, "needs it soon", 1.0,
        r"\b(today|tonight|this (morning|afternoon|evening)|right now|as soon as possible|asap|how (soon|fast))\b",
        r"\b(sooner|earlier|emergency)\b"),
    sig(INTENT, "asked for a call back", 1.5,
        r"\b(call|phone|ring) (me|us)( back)?\b", r"please call\b", r"give (me|us) a (call|ring)",
        r"have (him|her) call me"),
    sig(INTENT, "will call back", 1.0,
        r"\b(call|phone|get back to) (you|right back|back)", r"\bcall you\b", r"talk to my (wife|husband)"),
    sig(INTENT, "asked whether the company does the work", 1.0,
        r"\bdo you (guys )?(do|service|install|fix|sell|carry|offer|give|work)", r"is that something you",
        r"(can|could) you (guys )?help"),
    sig(INTENT, "left contact details", 0.5, r"\b\d{3}[ .-]\d{4}\b", r"my (address|number) is"),
    sig(INTENT, "owner or landlord will pay", 2.0,
        r"landlord said to", r"(he|she)('ll| will) pay", r"\bI'?ll pay\b", r"I'?m the landlord", r"my tenant",
        r"bill goes to"),
    sig(INTENT, "waiting on a quote or call back", 2.0,
        r"(call|get back to) me with the (quote|estimate|price)", r"haven'?t heard back", r"nobody called me back"),
    # Not a prospect.
    sig(AGAINST, "wrong number", -5.0,
        r"wrong (number|button)", r"I thought this was", r"my phone dialed", r"(pocket|butt) dial",
        r"is this (\w+ )?(\w+'s|doctor|dr\.?)\b", r"is this [\w ]+ (energy|plumbing|electric)\?", who=ANY),
    sig(AGAINST, "vendor or supplier", -4.0,
        r"\b(from|with|at) [\w ]{0,20}suppl(y|ies)\b", r"\b(ferguson|hajoca|johnstone|winsupply|watsco|cintas)\b",
        r"\b(carrier enterprise|rexel|graybar)\b", r"(lease|contract) renewal", r"up for renewal",
        r"your contract", r"fleet management", r"territory manager", r"dealer pricing",
        r"(does|handles) (your )?purchasing", r"ready for pickup", r"for your account", r"\b(he|you) ordered",
        r"backorder", r"delivery schedule"),
    sig(AGAINST, "solicitor or marketing call", -4.0,
        r"business (listing|owner|loan)", r"merchant services", r"processing fees", r"marketing",
        r"advertising (options|opportunit|packages?)", r"exclusive leads", r"\bSEO\b", r"is this the owner",
        r"the owner (available|or whoever|be open)", r"selling the business", r"\bacquires?\b",
        r"\b(angi|homeadvisor|thumbtack|porch)\b", r"our platform", r"homeowners in your", r"donation",
        r"fundraiser", r"get more [\w ]{0,12}reviews", r"reputation management"),
    sig(AGAINST, "robocall or spam", -5.0,
        r"\bpress (1|one|9|nine)\b", r"extended warranty", r"not a sales call", r"courtesy call", r"pre-?approved",
        r"automated message", r"suspicious charge", r"government program"),
    sig(AGAINST, "existing job or account", -3.5,
        r"\b(my|the) invoice", r"pay my bill", r"charged twice", r"rebate form", r"for my records",
        r"running (late|behind)", r"nobody'?s shown up", r"you guys are coming", r"what time the tech",
        r"already (have (somebody|someone) )?(scheduled|booked)(?! with (another|a different|other))",
        r"had an appointment", r"confirm my appointment", r"reschedule", r"have me (down|on the schedule)",
        r"(need|want) to cancel", r"cancel (my|our|the) (appointment|job)", r"just checking (on|if)",
        r"\b(your|the|you|my) (tech|technician|plumber|electrician|installer|guy)s? (who )?(was|were|came|is at)\b",
        r"(installed|replaced|done|fixed) by you", r"had (our|my) \w+ replaced", r"your company (worked|did)",
        r"one of your customers", r"work order", r"(with|from) [\w ]{0,20}claims\b", r"gate code",
        r"talk to a manager", r"decided (not to (do|go|move)|to go with (another|someone))"),
    sig(AGAINST, "renter, landlord handles repairs", -4.0,
        r"I'?m a tenant", r"\bI rent\b", r"I'?m renting", r"my landlord", r"management company handles",
        r"landlord (handles|takes)", r"leasing office", r"the apartments\b"),
    sig(AGAINST, "job applicant", -5.0,
        r"\b(position|hiring|resume|apprentice|indeed|apply (for|online)|trade school|job (posting|opening))\b"),
    sig(AGAINST, "personal call", -3.0, r"\bis (he|she|\w+) (around|there)\?", r"\w+'s (wife|husband)\b"),
    sig(AGAINST, "service not offered", -3.5,
        r"we'?re (?![\w ]*\bopen)[\w ]{0,25}\bonly\b",
        r"we don'?t (do|offer|service|work on) (that|those|any|appliances|pools?|commercial|residential)\b",
        who=AGENT),
    sig(AGAINST, "permit office", -3.0, r"\bpermit(ting)? (office|department)", r"\bthe \w+ permit\b"),
)

# From the call rather than its words.
HANG_UP = sig(AGAINST, "hang-up or silence", -3.0)
NOT_LEAD_NUMBER = sig(AGAINST, "number's calls are usually not leads", -0.5)
SHORT_CALL = sig(AGAINST, "very short call", -1.0)

# What the call is about, for the summary: the first of these the caller names.
_EQUIPMENT_WORDS = (
    ("AC", r"\b(AC|A/C|air condition\w*|air|cooling|condenser|rooftop unit)\b"),
    ("heat pump", r"heat pump"),
    ("furnace", r"\b(furnace|heat|heating|thermostat)\b"),
    ("water heater", r"\b(water heater|hot water|tankless)\b"),
    ("garage door", r"\bgarage door|\bopener\b"),
    ("plumbing", r"\b(drain|sewer|main line|sink|tub|disposal|toilet|sump pump|spigot|pipes?)\b"),
    ("electrical", r"\b(outlets?|breaker|panel|ceiling fans?|light|generator|EV charger)\b"),
    ("roof", r"\b(roof|shingles)\b"),
    ("ductwork", r"\bduct"),
    ("water softener", r"softener|hard water"),
)
# fmt: on
EQUIPMENT = tuple((name, re.compile(pattern, re.IGNORECASE)) for name, pattern in _EQUIPMENT_WORDS)

_NEGATION = re.compile(r"\b(don'?t|do not|not|no|never|isn'?t|doesn'?t)\b(\s+\w+){0,2}\s*$", re.IGNORECASE)
_LABEL = re.compile(  # a known speaker label, at the start of a line or inline after a space or a full stop
    r"(?:^|(?<=[\s.?!,]))(caller|customer|client|homeowner|agent|csr|rep|representative|dispatcher|operator"
    r"|spk_\d+|speaker \d+)\s*:\s*",
    re.IGNORECASE | re.MULTILINE,
)
_CALLER_LABELS = frozenset({"caller", "customer", "client", "homeowner"})
_AGENT_LABELS = frozenset({"agent", "csr", "rep", "representative", "dispatcher", "operator"})
_GREETING = re.compile(  # matched against a speaker's first sentence
    r"thanks? (you )?for calling|how (can|may) I help|^(good (morning|afternoon|evening),? )?[\w' ]{0,30}"
    r"\b(plumbing|heating( and (air|cooling))?|air|comfort|electric|roofing|doors?)( company| services?)?"
    r"(,? this is \w+)?$",
    re.IGNORECASE,
)


def _first_sentence(text: str) -> str:
    return re.split(r"[.?!]", text.strip(), maxsplit=1)[0].strip()


def split_turns(transcript: str) -> tuple[str, str]:
    """The caller's words and the agent's words; text without speaker labels is the caller's."""
    named = _CALLER_LABELS | _AGENT_LABELS
    parts = _LABEL.split(transcript)  # text before the first label, then label, text, label, text...
    turns = [("", parts[0])] if parts[0].strip() else []
    turns += [(label.lower(), " ".join(text.split())) for label, text in zip(parts[1::2], parts[2::2], strict=True)]
    agents = set(_AGENT_LABELS)
    if not any(label in named for label, _ in turns):  # spk_N: the agent is the first one who greets
        first_words: dict[str, str] = {}
        for label, text in turns:
            first_words.setdefault(label, text)
        greeter = (label for label, text in first_words.items() if label and _GREETING.search(_first_sentence(text)))
        agents.add(next(greeter, "spk_none"))
    caller = " ".join(text for label, text in turns if label not in agents)
    agent = " ".join(text for label, text in turns if label in agents)
    return caller, agent


def _strength(signal: Signal, caller: str, agent: str) -> float:
    """1 when the signal is in its own speaker's words, OTHER_SPEAKER when only in the other's, 0 when absent."""
    own, other = (agent, caller) if signal.who == AGENT else (caller, agent)
    for text, strength in ((own, 1.0), (other, 1.0 if signal.who == ANY else OTHER_SPEAKER)):
        for match in signal.pattern.finditer(text):
            clause = re.split(r"[.!?,;]", text[max(0, match.start() - 40) : match.start()])[-1]
            if not (signal.negatable and _NEGATION.search(clause)):
                return strength
    return 0.0


def score(caller: str, agent: str, context: CallContext | None = None) -> tuple[float, list[tuple[Signal, float]]]:
    """The log-odds that the caller is a prospect, and the signals found with their strength, strongest first."""
    found = [(s, k) for s in SIGNALS if (k := _strength(s, caller, agent)) > 0]
    if len(re.findall(r"[A-Za-z']+", caller)) < HANG_UP_WORDS:
        found.append((HANG_UP, 1.0))
    if context is not None and context.call_type == "not_lead":
        found.append((NOT_LEAD_NUMBER, 1.0))
    if context is not None and 0 < (context.duration_seconds or 0) < SHORT_SECONDS:  # 0: unknown
        found.append((SHORT_CALL, 1.0))
    found.sort(key=lambda f: -abs(f[0].weight * f[1]))
    return PRIOR + sum(s.weight * k for s, k in found), found


def equipment(caller: str) -> str | None:
    """The equipment the caller names first."""
    found = [(m.start(), name) for name, pattern in EQUIPMENT if (m := pattern.search(caller))]
    return min(found)[1] if found else None


def summarise(is_prospect: bool, found: list[tuple[Signal, float]], caller: str) -> str:
    needs = [s.reason for s, k in found if s.kind == NEED and k == 1.0][:2]
    intents = [s.reason for s, k in found if s.kind == INTENT and k == 1.0][:3]
    topic = " and ".join(needs) or "a service"
    thing = equipment(caller)
    if thing and thing.lower() not in topic.lower():
        topic += f" ({thing})"
    if not is_prospect:
        against = [s.reason for s, _ in found if s.kind == AGAINST] or ["no sign of a need or of intent to book"]
        return f"Not a prospect: {against[0]}" + (f"; mentions {topic}." if needs or thing else ".")
    actions = " and ".join([", ".join(intents[:-1]), intents[-1]] if len(intents) > 1 else intents)
    return f"Called about {topic}" + (f"; {actions}." if actions else ".")


class RulesAnalyser:
    """Local, deterministic and fast: no network, no model."""

    def analyse(self, transcript: str, context: CallContext | None = None) -> Analysis:
        caller, agent = split_turns(transcript or "")
        total, found = score(caller, agent, context)
        probability = 1.0 / (1.0 + math.exp(-total))
        is_prospect = total >= 0
        return Analysis(
            is_prospect=is_prospect,
            confidence=round(probability if is_prospect else 1.0 - probability, 3),
            summary=summarise(is_prospect, found, caller),
            reasons=tuple(s.reason for s, _ in found) or ("no signals found",),
        )
