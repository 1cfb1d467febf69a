"""The local call analyser: phrase signals for and against a real prospect, corrected by learned weights.

Each signal is a set of regular expressions with a short reason a CSR reads ("asked for a price", "wants the details
by email or text", "checking on a booked visit") and a weight on a log-odds scale. It counts once: at full weight
when found in the words of the speaker it belongs to (usually the caller), at `OTHER_SPEAKER` weight when only in the
other side's words; a few (vendor, solicitor) count once per different phrase, up to a cap. A `negatable` signal is
skipped when a negation just precedes it ("I don't need a quote"). Each side's signals add up with a decay (see
`evidence`), on top of `PRIOR`: the rules' log-odds.

The verdict adds to it the learned corrections of `model.py` (a logistic regression over the same signals and the
call's words, trained on the labelled corpus) and compares the sum with a threshold set recall first: a missed
prospect is a lost job, a false alarm a minute of a CSR's time. `confidence` is how far the call is from that
threshold (0.5 on it, near 1 far from it), for a verdict either way; `reasons` lists the signals heard, those for the
verdict first, so that a manager can audit a call judged not a prospect as well as one judged a prospect.

Turns come from "Caller:" / "Agent:" style labels, or from Amazon Transcribe's "spk_0:" / "ch_0:" (or
"Speaker 1:") labels, where the agent is the first speaker who answers with a greeting (or, when nobody greets, the
one who talks like the company, or else the second to speak). Text without labels is read as the caller's, after
any greeting or voicemail prompt it starts with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from leadline.scl.analysis import Analysis, CallContext, model

CALLER, AGENT, ANY = "caller", "agent", "any"
NEED, INTENT, AGAINST = "need", "intent", "against"

PRIOR = -0.3  # no evidence is "not a prospect", but weak evidence tips it: a missed lead costs more than a call
OTHER_SPEAKER = 0.3  # a caller's signal heard only from the agent (or the reverse)
HANG_UP_WORDS = 4  # fewer words from the caller: a hang-up, silence or a greeting alone
SHORT_SECONDS = 20
DECAY = 0.9  # the weight of each further signal on the same side (see `evidence`)
MAX_REASONS = 6
NO_CLEAR_NEED = "no clear need or intent to book"
UNCLEAR_BUT_KEPT = "unclear call, kept for a second look"


@dataclass(frozen=True)
class Signal:
    kind: str  # NEED (what is wrong or wanted), INTENT (to buy or book) or AGAINST
    reason: str  # a short phrase, also used in the summary
    weight: float
    pattern: re.Pattern[str]
    who: str = CALLER
    negatable: bool = False
    parts: tuple[re.Pattern[str], ...] = ()  # each alternative alone, when several count (`cap` > 1)
    cap: int = 1  # how many different alternatives may count, each at the signal's weight


def sig(
    kind: str, reason: str, weight: float, *alternatives: str, who: str = CALLER, neg: bool = False, cap: int = 1
) -> Signal:
    parts = tuple(re.compile(a, re.IGNORECASE) for a in alternatives) if cap > 1 else ()
    return Signal(kind, reason, weight, re.compile("|".join(alternatives), re.IGNORECASE), who, neg, parts, cap)


_NT = r"(n'?t|not)"  # "won't", "wont", "will not"
_PESTS = (
    r"\b(roach(es)?|cockroach\w*|ants|termites?|mice|mouse|rats?|rodents?|raccoons?|squirrels?|possums?|opossums?"
    r"|bats|a bat|bees|wasps?|hornets?|yellow ?jackets?|snakes?|spiders?|scorpions?|bed ?bugs|fleas|ticks|mosquito\w*"
    r"|moles|gophers|silverfish|bugs|infestation|nest|droppings|critters?)\b"
)

# fmt: off
SIGNALS: tuple[Signal, ...] = (
    # What the caller needs.
    sig(NEED, "AC not cooling", 2.0,
        rf"\b(not|is{_NT}|wo{_NT}|stopped|quit) (cooling|blowing cold|getting cold|keeping up)",
        r"blow\w* (warm|hot) air", r"won'?t get below", r"\bice (all )?(over|on)",
        r"\b(AC|A/C|air)('s| is)? (out|dead)\b", r"(AC|A/C|air condition\w*) (quit|died|went out|stopped|is out)"),
    sig(NEED, "no heat", 2.0,
        r"\bno heat\b", rf"heat('s| is)? (not|is{_NT}) (work|com)",
        rf"(are{_NT}|not|is{_NT}) (getting|staying) (warm|hot)", rf"(house|it) wo{_NT} (warm|heat)",
        r"(furnace|heat|boiler)\w* (keeps (shutting|kicking)|went out|quit|died)", r"blowing cold air even",
        r"carbon monoxide", r"\bCO detector", r"red-?tagged", r"\bfreezing\b"),
    sig(NEED, "no hot water", 2.0,
        r"\bno hot water", r"water heater('s)? (is |no )?(out|not|leak|broke)", r"hot water is (only )?lukewarm",
        r"runs out (really )?fast", r"cold showers?"),
    sig(NEED, "a leak or water damage", 2.0,
        r"\bleak(ing|s|y)?\b", r"\bflood(ed|ing|s)?\b", r"\bno water\b",
        r"water (everywhere|all over|pouring|coming|in the)", r"\bpuddl", r"\bburst", r"take water", r"water stain",
        r"\bdrip(ping|s)?\b", r"overflow(ed|ing)", r"soak(ed|ing)", r"\bsewage", r"\bmold\b", r"\bmildew\b",
        r"\bwater (in|on|under) (the|my|our)\b", r"\bhas water\b", r"\b(gush|spray|spurt|pour|pool)(ing|s|ed)\b",
        r"\bca(n'?t|nnot) (shut|turn) (it |the water )?off", r"\bpipes? (burst|broke|froze|frozen|split)",
        r"\bfrozen pipes?", r"\b(basement|floor|ceiling|crawl ?space|yard) (has|is full of|got) water",
        r"\bstanding water\b"),
    sig(NEED, "a clog or backup", 2.0,
        r"\bclog", r"backing up", r"backed up", r"\bjammed", rf"wo{_NT} drain", r"drain\w* (super |really )?slow",
        r"gurgl", r"\bsnake (a|the|my|our)\b"),
    sig(NEED, "a garage door problem", 2.0,
        r"\bspring (broke|snapped|is broken|went)", r"broken spring", r"off (the )?tracks?",
        r"stuck (halfway|inside|open)", rf"wo{_NT} (close|open)( all the way)?",
        r"(door|opener)\b.{0,40}\b(wo{_NT} (open|close)|does{_NT} work|screech|stopped)"),
    sig(NEED, "an electrical problem", 2.0,
        r"outlets?\b.{0,40}\b(stopped|not work|do{_NT} work|spark|warm|hot)", r"\bspark(s|ed|ing)?\b",
        r"\bmelt(ed|ing)\b", r"(reset|trips?|tripping|tripped) the breaker", r"breakers? (keeps? )?trip", r"lost power",
        r"no power", r"lights? (dim|flicker)", r"\bflicker", r"power is out", r"\bshock(ed)?\b", r"\bscorch"),
    sig(NEED, "roof or storm damage", 2.0,
        r"\b(after|from|in) the (storm|wind|hail)\b", r"\bshingles\b.{0,40}\b(off|missing|blew|curl|gone|damage|loose)",
        r"roof (leak|damage)", r"storm damage", r"\bhail\b", r"ceiling (came|caved|fell|is falling)",
        r"tree (fell|came down|limb)", r"limb (came|fell)", r"(blew|ripped|torn) off", r"\bwind (damage|took)"),
    sig(NEED, "a gas, burning or smoke smell", 2.5,
        r"smell(s|ed|ing)? (of |like )?(gas|burning|smoke|something burning|rotten eggs)", r"\bsmoke (coming|from)",
        r"burning (plastic|smell)", r"\bsmoking\b"),
    sig(NEED, "pests or wildlife", 2.0, _PESTS),
    sig(NEED, "equipment not working right", 1.5,
        r"\btastes (like|funny|weird|bad|off)\b", r"\bleaning\b",
        rf"\b(is{_NT}|not|wo{_NT}|does{_NT}|can'?t|won'?t) (turning on|working|coming on|work|turn on|start|heat|cool"
        r"|drain|spin|light|shut off|close|open|hold|keep up|lift|get cold|cold|stay lit|flush|dry|clean|fill)\b",
        r"nothing (comes|happens)", r"stopped (running|working|turning|making|draining|heating|cooling|spinning)",
        r"\bdying\b", r"last legs", r"\b(is|'s) (completely |totally )?(out|dead|broken|shot)\b", r"went out",
        r"\bdied\b",
        r"\b(broke|broken|busted|cracked|rotting|rotted|rusted|falling apart|worn out|wobbl\w*|rattl\w*|loose"
        r"|sagging)\b",
        r"\b(grinding|buzzing|clicking|popping|screeching|banging|squeal\w*|squeak\w*|humming) ?(noise|sound)?",
        r"short cycl", r"hotter than", r"pressure is (terrible|low|like nothing)", r"hard water",
        r"keeps (running|tripping|shutting|turning|going|beeping)", r"error code", r"\bcode\b [A-Z]?\d", r"\bF\d+\b",
        r"\bbroken\b",
        r"\b(making|makes|made) (a|an|this|that|some|weird|strange|funny) (\w+ )?(noise|sound|bang|smell|racket)",
        r"\bloud\b", r"\bbang(s|ing)?\b", r"(does|do|did)n'?t (work|help)", r"\bstuck\b", r"\bdead\b"),
    sig(NEED, "an install or replacement", 1.0,
        r"\b(install(ing|ation|s)?|replac(e|ing|ement)|upgrad(e|ing)|repipe|remodel(ing)?|renovat\w*|mini ?splits?"
        r"|generator|second opinion|tune-?up)\b",
        r"(?<!the )\bnew (system|unit|furnace|opener|roof|one|door|range|panel|water heater|carpet|patio|deck|fence"
        r"|windows?|gutters?|toilet|faucet|circuits?|outlets?|lights?|lighting|thermostat|sprinklers?)\b",
        r"\b(put|putting) in (a|an|some|new)\b", r"\badd(ing)? (a|an|some|two|three|more|outdoor|recessed|a couple)\b",
        r"\b(building|adding|finishing) (a|an|the|our)\b", r"\bconvert(ing)?\b", r"\bswitch(ing)? (from|to)\b",
        r"maintenance plan", r"ceiling fans?", r"water softener", r"skylights?", r"\bcharger\b",
        r"\bhook(ing)? (\w+ )?up\b", r"\bhook-?up\b", r"\bswap(ping)?\b", r"\bredo(ing)? (the|our|my)\b", neg=True),
    sig(NEED, "work to be done", 1.5,
        r"\b(want|need|get|have)\b( \w+){0,3} (taken down|cut down|pulled out|ground down|hauled away|pumped out)\b",
        r"\b(need|want|get|have|like|needs)\b( \w+){0,4} (fixed|repaired|replaced|installed|done|looked at|checked("
        r" out)?|cleaned|serviced|updated|upgraded|removed|treated|inspected|patched|sprayed|pumped|mowed|trimmed"
        r"|built|put in|hauled|tested|tuned|sealed|painted|rewired|hooked up|taken care of|taken out)\b", neg=True),
    sig(NEED, "a cleaning or upkeep service", 1.0,
        r"(?<!my )(?<!our )\b(deep )?clean(ing)?\b", r"\bmow(ing)?\b", r"\blawn (care|service|program|treatment)",
        r"\bweekly\b", r"\bmonthly\b", r"\bquarterly\b", r"\bevery other (week|month)",
        r"\b(annual|yearly|twice a year)\b", r"\binspection\b", r"(?<!my )(?<!our )\btreatments?\b", r"\bspray(ing)?\b",
        r"\baerat", r"\bmulch\b", r"\bservice plan\b", r"\bpest (plan|control)\b", r"tune-?up", r"\bflush(ed|ing)?\b",
        r"\bservic(ed|ing)\b", r"\bremoval\b", r"\b(trim|trimming|pruning|haul|hauling)\b", neg=True),
    # Intent to buy or book.
    sig(INTENT, "asked for someone to come out", 2.0,
        r"\b(come|get|send)\b( \w+){0,3} (out|over|here|by)\b", r"\bcan (someone|somebody|you) come",
        r"send (someone|somebody|a tech|a plumber|an? \w+ )", r"(someone|somebody) (to )?(come|look)",
        r"come (take a )?look", r"need (a|someone|somebody) (plumber|electrician|tech|roofer|exterminator)",
        r"\bjust come\b", r"please (hurry|come)", r"come (today|tonight|tomorrow|measure)", r"take a look",
        r"look at (it|the|my|our)", r"\bhave (someone|somebody|a tech|an? \w+) (come|look|stop)", neg=True),
    sig(INTENT, "asked to book", 1.5,
        r"\b(?<!on the )(schedule|book|set (it|something|one|that|up)|put me down|get me in|availability|next opening"
        r"|soonest)\b", r"anybody available", r"\bsign (me|us) up\b", r"let'?s (do|start|get|go)\b",
        r"\bbook (me|it|that)\b", r"what('s| is) your (earliest|availability|first)",
        r"when can (you|someone|somebody|he|they)", r"do you have anything",
        r"can (you|we) do (it )?(on )?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)",
        r"\bwhen (do|could|would|can) you (start|come)", r"\b(start|begin) (it|in|next|this|on)\b",
        r"(what|which) days?\b.{0,20}\b(open|available|work)", r"\bget on (your|the) (list|schedule|route|calendar)",
        neg=True),
    sig(INTENT, "asked for a price or estimate", 1.5,
        r"\bhow much", r"\bprices?\b", r"\bpricing\b", r"\bcosts?\b",
        r"\b(you|they|do you|would you|will you) charge\b", r"\bcharge (for|to)\b", r"\bestimates?\b", r"\bquotes?\b",
        r"\bquoted\b", r"ballpark", r"\byour rates?\b", r"what (would|does|do|will) (that|it|this|a|an) (\w+ ){0,3}run",
        r"\bfinancing\b", r"flat rate", r"\brough (number|idea|range)", r"\bprice range", r"what do you (guys )?charge",
        r"\bfree (estimate|quote|consultation|inspection)", r"\bbids?\b", r"\bbid on\b",
        r"\b(trip|service call|diagnostic) (fee|charge)", neg=True),
    sig(INTENT, "needs it soon", 1.0,
        r"\b(today|tonight|this (morning|afternoon|evening)|right now|as soon as (possible|you can)|asap|how (soon"
        r"|fast))\b", r"\b(sooner|earlier|emergency|urgent|right away|first thing|hurry)\b"),
    sig(INTENT, "asked for a call back", 1.5,
        r"\b(call|phone|ring) (me|us)( back)?\b", r"please call\b", r"give (me|us) a (call|ring)",
        r"have (him|her|someone|somebody) call me", r"call (me )?back at", r"\bcall back at\b", r"\breach me at\b",
        r"(best|good) number", r"\bcall back (after|before|tomorrow|later|this)"),
    sig(INTENT, "wants the details by email or text", 2.0,
        r"\b(email|e-mail|text|send|mail)( me| us)?( over| back)? (the |a |your |some |our )?(price|pricing|quote"
        r"|estimate|options|info|information|details|link|catalog|brochure|contract|proposal|portfolio|examples|models"
        r"|terms|rates|written|list|specs|menu|breakdown|sheet)",
        r"\b(email|text|send) (it|that|them|those|everything|something) (to me|over|by)\b", r"\bin writing\b",
        r"(can|could|would) you (please )?(just )?(email|e-mail|text)\b", r"(my|the) email('s| is| address)",
        r"\bat (gmail|outlook|yahoo|hotmail|icloud|protonmail|aol)\b", r"rather than (calling|talking)",
        r"(text|email) (is|works) (better|best|fine)", r"\bby (email|text)\b", r"\bon my (email|phone)\b"),
    sig(INTENT, "will decide after talking to someone or comparing", 1.5,
        r"\b(call|phone|get back to) (you|right back|back)\b", r"\bcall you\b",
        r"\b(talk|speak|check) (to|with) my (wife|husband|spouse|partner|landlord|dad|mom|co-?owner|sister|brother"
        r"|boss|son|daughter|family|roommate|hoa|board)", r"run it by", r"(check|talk) with (my|the)",
        r"think about it", r"let you know", r"\bcomparing\b",
        r"calling (a|a few|some|around)( other)? (places|companies|around)", r"calling around", r"shopping around",
        r"other (places|companies|quotes|bids)", r"\bdecide\b", r"\bget back to you\b", r"\bsleep on it\b",
        r"\bget (a few|some|other|more|a couple( of)?) (quotes|estimates|bids|prices)", r"\bbudget\b"),
    sig(INTENT, "asked whether the company does the work", 1.0,
        r"\bdo you (guys |all )?(test|inspect|check|trim|cut|paint|haul|pump|seal|build|put|patch|replace)\b",
        r"\bhelp( us| me)?!", r"\bplease help\b",
        r"\bdo you (guys |all )?(do|service|install|fix|sell|carry|offer|give|work|handle|make|treat|clean|repair"
        r"|remove|come|cover|take)", r"is that something you",
        r"(can|could|would) you (guys )?(help|do|install|fix|remove|look|handle)",
        r"are you (guys )?(open|available|taking)", r"\bdoes your company\b"),
    sig(INTENT, "left contact details", 0.5,
        r"\b\d{3}[ .-]\d{4}\b", r"my (address|number|email|name)('s| is)", r"\b(five five five|555)\b",
        r"\b\d{2,5} [A-Z][a-z]+ (street|st|lane|ln|road|rd|court|ct|way|drive|dr|avenue|ave)\b", r"\bthis number\b"),
    sig(INTENT, "owner or landlord will pay", 2.0,
        r"\b(owner|landlord|boss|manager) (said|told me|wants me|asked me) to (get|find|call around|collect)",
        r"\bI'?m the (property|building) manager\b", r"\bwe'?re a property management\b", r"\bproperty manager for\b",
        r"landlord said to", r"(he|she)('ll| will) pay", r"\bI'?ll pay\b", r"I'?m the (landlord|owner)",
        r"my tenants?\b", r"bill goes to", r"\bI'?m paying\b", r"I guess I'?m paying", r"property owner", r"\bI own\b",
        r"short-term rental", r"rental (property|house|unit)", r"\bI manage\b", r"\b(he|she|they) pays?\b",
        r"\b(he|she|they|landlord|owner)('s| is| are) paying\b", r"\bbill (him|her|the owner|the landlord)\b"),
    sig(INTENT, "waiting on a quote or call back", 2.0,
        r"(call|get back to) me with the (quote|estimate|price)", r"haven'?t heard back", r"nobody called me back",
        r"still waiting (on|for) (the|a|my) (quote|estimate|call)"),
    sig(INTENT, "also asked about new work", 4.0,
        r"\b(now|this time|next) (I|we) (need|want|would like|'d like)\b(?! to (cancel|reschedule|move|stop|push"
        r"|change))", r"\b(been|works|working) great\b.{0,60}\b(need|want|like|quote|price)\b",
        r"\b(also|while (he'?s|she'?s|they'?re|you'?re|the tech is|I'?ve got you|I have you) (here|there|out|on the"
        r" phone)?|while I have you|second thing|another thing|one more thing|separate(ly)?|on top of"
        r" that)\b.{0,100}\b(quote|price|estimate|how much|add(ing)?|new|look at|install|replac\w*"
        r"|what (would|does) \w+ (cost|run))\b",
        r"\b(quote|price|estimate|do|add|how much)\b[\w ,]{0,40}\b(too|as well)\b"),
    sig(INTENT, "wants new work", 2.0,
        r"\b(renew|renewing|extend|keep (it|the plan|my plan|the service) going|sign (me|us) up again)\b",
        r"\b(thinking|looking) (about|to|into|of) (getting|replacing|installing|adding|having|a new|new|doing|putting"
        r"|switching|swapping|upgrading|converting|building|redoing)",
        r"\b(we'?re|I'?m) (now )?(thinking|looking) (about|to|into)",
        r"\b(we'?re|I'?m) (now )?looking at (getting|replacing|installing|adding|having|a new|new|doing|putting)",
        r"\bI'?d like (a|to get a) (price|quote|estimate)", r"\binterested in\b", r"\blooking (for|to|into)\b",
        r"\bI want (to|a|an)\b", r"\b(I|we)'?d like (you|to|a|an|someone|somebody)\b",
        r"\bwe (want|need|would like) (to|a|an)\b", r"\b(i|we) need (a|an|someone|somebody|to get)\b",
        r"\bplanning (to|on|a)\b", r"\bresearch", neg=True),
    # Not a prospect.
    sig(AGAINST, "wrong number", -5.0,
        r"wrong (number|button)", r"I thought this was", r"my phone dialed", r"(pocket|butt) dial",
        r"is this (doctor|dr\.?) ", r"\bnobody (here )?(by that name|named)\b",
        r"\bno one (here )?(by that name|named)\b",
        r"\btrying to (call|reach) (the|my) (school|office|doctor|dentist|pharmacy|bank|restaurant|church|club|daycare"
        r"|hotel)", r"you (may |might )?have the wrong", r"\bmeant to call\b", r"(dialed|called) the wrong",
        r"\b(from|at) (dr\.?|doctor) \w+('?s)? office", r"\bthis is a reminder\b", r"\bappointment reminder\b",
        who=ANY),
    sig(AGAINST, "not the business the caller meant", -3.0,
        r"\bno,? (this is|it'?s|we'?re) (an? |the )?[\w ,]{0,40}(company|contractor|plumber|electrician|roofer"
        r"|business)\b", r"^no,? an? \w+\.?$", r"\bsorry,? this is\b", r"this is an? [\w ]{0,25}(company|contractor)\.",
        r"\bthere'?s no \w+ here\b", who=AGENT),
    sig(AGAINST, "vendor calling about an order", -4.0,
        r"\byour (new )?(rep|representative|account manager|sales rep)\b", r"\b(pricing|price) update\b",
        r"\b(is|are) (in|now in|back in) stock\b", r"\bin stock now\b", r"\byou rented\b",
        r"\b(lumber|supply|rental) yard\b",
        r"\bthe (\w+ )?(parts|units|materials|equipment|condensers|order) you (ordered|reserved|requested)\b",
        r"\byour (parts|units|materials|equipment|shirts|order) (are|is) (in|ready)\b",
        r"\b(calling|this is \w+|it'?s \w+|I'?m \w+)( \w+){0,3} (from|with|at|over at) (the )?\w+( \w+)? (suppl(y|ies"
        r"|ier)|distribut\w+|parts|nursery|wholesale|lumber)\b",
        r"\b(ferguson|hajoca|johnstone|winsupply|watsco|cintas|marcone|abc supply|grainger|home depot pro)\b",
        r"\b(carrier enterprise|rexel|graybar)\b", r"your contract (is|expires|renewal|is up)",
        r"fleet (management|account)", r"territory manager", r"dealer pricing", r"account (rep|manager)",
        r"(does|handles) (your )?purchasing", r"ready for (pickup|pick up)", r"for your account",
        r"\b(the|your) order (of|for)\b", r"\byou('ve| have)? got \w+ on (back-?order|order)\b", r"back-?order",
        r"delivery for your (order|job|crew|account)", r"your order\b", r"\bthe PO\b", r"purchase order",
        r"\bwill-?call\b", r"\brestock", r"you reserved", r"\bnet-?(thirty|30|sixty|60)\b", r"stock up",
        r"\bfrom the \w+ job\b", r"\bshipment\b", r"your (crew|guys|tech)'?s? (ordered|picked up)",
        r"(credit|account) application", r"\bsamples? for your\b", r"\bour products\b",
        r"\b(rep|representative) (for|with|from) (a|an|the) [\w ]{0,20}(manufacturer|distributor|brand)\b", cap=3),
    sig(AGAINST, "solicitor or marketing call", -4.0,
        r"\bare you the (owner|manager|decision maker)\b", r"\b(owner|manager) or (a |the )?(manager|owner|whoever)\b",
        r"\breaching out to (local )?(contractors|businesses|companies|home service)",
        r"\b(referral|partner|dealer|affiliate) program\b", r"\bfor contractors\b",
        r"\b(buy|buying|acquire|acquiring) (\w+ )?(companies|businesses)\b", r"\boffer for your (business|company)\b",
        r"\b(energy|electricity|phone|internet) (rates|bill|plan) for your (shop|business|company|office)\b",
        r"\b(list|feature) your (company|business)\b", r"\bdirectory\b",
        r"business (listing|loan|profile|line of credit)", r"merchant (services|account)", r"processing (fees|rates?)",
        r"\bmarketing (for|company|agency|services|program|package|solutions|group)\b", r"\byour marketing\b",
        r"advertising (package|options|opportunit|program|space|with)", r"\badvertise (with|on)\b",
        r"(exclusive|qualified|more|new|homeowner|buyer|hot|warm|pre-?screened) leads\b", r"\bleads (in|for) your\b",
        r"\bper lead\b", r"\bSEO\b", r"is this the (business )?owner",
        r"(for|with|to|reach|speak with|talk to) the (business )?owner\b",
        r"the owner (available|or whoever|be open|around|interested|in)\b",
        r"owner (is )?(around|available|interested|open)\b",
        r"(who'?s|who is|person) in charge of (your|the) (marketing|purchasing|advertising|business|hiring|website)",
        r"selling the business", r"\bacquires?\b",
        r"\b(from|with|at) (angi|homeadvisor|thumbtack|porch|yelp|google|nextdoor)\b",
        r"\b(google|yelp) (ads|business|listing|profile)\b",
        r"\b(our|the) (platform|software|app) (can|helps?|lets|will|is)\b", r"homeowners in your", r"donation",
        r"fundraiser", r"get more [\w ]{0,12}(reviews|calls|customers|jobs|leads)", r"reputation management",
        r"\b(your|business|google|yelp|map) listing\b", r"companies like yours",
        r"(contractors|companies|businesses|plumbers|roofers|electricians|shops) like (you|yours)",
        r"\bwe (help|work with|specialize in|partner with) [\w ]{0,20}(companies|contractors|businesses|owners"
        r"|plumbers|roofers|electricians|shops|pros)\b", r"\bwe (send|answer|track) ",
        r"\byour customers (can|could)\b", r"\byour business('s)? (calls|owner|listing|profile|reviews)\b",
        r"partnership", r"\bpartner with (you|your)\b", r"coaching", r"free (audit|trial|demo)", r"answering service",
        r"\brecruiting\b",
        r"\bfor (hvac|plumbing|roofing|landscaping|cleaning|electrical|pest|appliance|repair|home service|garage door)"
        r" (companies|contractors|businesses|pros)", r"\bmap pack\b", r"\bwebsite (design|traffic)\b",
        r"\byour (calendar|reviews)\b", r"\bsponsor", r"\bbook(ed)? (straight )?into your",
        r"\b(insurance|benefits|payroll|fuel card|uniform|fleet) (program|plan|for your)",
        r"\b(for|to) your (employees|techs|technicians|crews)\b", r"\baccreditation\b", r"\byour (fleet|shop)\b",
        r"\bsurvey of\b", r"\blocal businesses\b", r"\bI'?m (a|an) (sales )?(rep|representative) (for|with|from)\b",
        cap=3),
    sig(AGAINST, "robocall or recorded message", -5.0,
        r"\b(IRS|internal revenue)\b", r"\bwarrant for your arrest\b", r"\b(legal action|lawsuit) (against|filed)\b",
        r"\bthis is a message for the (homeowner|owner|resident)\b", r"\byour home (may )?qualif(y|ies)\b",
        r"\bpress (1|one|2|two|9|nine)\b", r"(vehicle|car|auto)('s)? (extended )?warranty", r"not a sales call",
        r"courtesy call", r"automated message", r"suspicious (charge|activity)", r"government program",
        r"important message", r"you'?ve been selected", r"social security", r"final notice", r"is this a recording",
        r"message is for the owner of this", r"fraudulent charges", r"\bprize\b", r"\bcongratulations\b",
        r"to be removed from", r"\bopt out\b"),
    sig(AGAINST, "checking on a booked visit", -4.0,
        r"\bstill (happening|going ahead|a go)\b",
        r"\bis my (\w+ )?(install\w*|appointment|visit|cleaning|service|inspection|treatment|repair|job) still\b",
        r"\b(waiting for|waiting on) (the|your|my|our) (\w+ )?(tech|technician|crew|guy|plumber|electrician|cleaners"
        r"|installer)", r"\bI'?m the \w+ (o'?clock|am|pm)\b", r"\b(coming|here|still on) (today|tomorrow),? right\b",
        r"\bon the books\b", r"\bdo you have me (down|on)\b",
        r"\b(is|are) (he|she|they|the \w+|someone|somebody|your \w+)( \w+)? (still )?coming\b", r"\bstill coming\b",
        r"\b(is|are) (we|that|it|this|my \w+|the \w+) still on\b", r"\bstill on for\b",
        r"\b(the|my|your) (\w+ )?(guy|tech|technician|crew|plumber|electrician|installer|cleaners|team|man|men|girls)"
        r" (is|are) (still )?coming\b", r"\b(could|can|should) (you|we) move it\b",
        r"\bI have (a|an|my|the) (\w+ )?(treatment|cleaning|tune-?up|inspection|install\w*|service|appointment|visit"
        r"|repair) (on|for|this|next|tomorrow|today|at)\b",
        r"\bwhen'?s (my|the|your|our) (\w+ ){0,2}(coming|getting|arriving|showing|starting|here)",
        r"\bwhat time (is|will|does) (he|she|they|the \w+|my \w+) (be )?(coming|get|getting|here|arriv|start|show"
        r"|come)",
        r"\bwhen (will|is|are|does|do) (he|she|they|the \w+|the \w+ \w+|someone|somebody) (be )?(coming|getting|get"
        r" here|arriv|start|show|be here|here|come)",
        r"\b(checking|calling) (on|about) (my|our|the|her|his|mom'?s) (appointment|visit|order|part|install"
        r"|installation|job|service|tech|inspection)", r"\b(my|our|her|his|\w+'s) (appointment|visit)\b",
        r"(I'?m|we'?re|I am|we are) (already )?(on the schedule|scheduled|booked)",
        r"\bI (have|'ve got|got) (an|a) (\w+ )?(appointment|visit)\b",
        r"confirm(ing)? (my|our|the) (appointment|visit|window|time)",
        r"\b(running|is|he'?s|she'?s|they'?re|tech'?s|you'?re) (late|behind)\b", r"\blate again\b",
        r"nobody'?s (shown|come)", r"you guys are coming", r"you'?re (still )?coming",
        r"supposed to (come|be|start|arrive|have|get)",
        r"\b(haven'?t|hasn'?t|didn'?t|never) (shown|showed|come|arrived)( up)?\b",
        r"already (booked|scheduled|arranged)", r"(it'?s|all) (arranged|booked|scheduled)",
        r"(didn'?t|haven'?t) (get|gotten) (the|a|my|any) (text|confirmation|call|reminder)",
        r"(he'?s|she'?s|they'?re) on (his|her|their) way", r"\bgot you coming\b",
        r"\bon for (monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|today)\b",
        r"(should|do) I leave the (gate|door|key)", r"\b(arrival|time|service|appointment) window\b",
        r"\bthe window (was|is) (\w+ )?(to|between|from)\b", r"waiting (on|for) (the|my) (tech|part)",
        r"(tech|crew|guy)('s| is) (late|not here)", r"\bETA\b",
        r"\b(scheduled|booked|coming) for (today|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday)\b",
        r"\b(your|the) (\w+ )?(crew|tech|technician|guy|guys|plumber|electrician|installer|cleaners|team) (is|are) (at"
        r" my|here|at the|on (the|my) roof|in my|outside)\b", cap=2),
    sig(AGAINST, "the company says the visit is booked or under way", -1.5,
        r"(?<!when )(he'?s|she'?s|they'?re) (already )?on (his|her|their) way\b", r"\ben route\b",
        r"\b(he'?s|she'?s|they'?re) (about |around )?(\d+|five|ten|fifteen|twenty|thirty|forty) minutes (out|away)\b",
        r"\byou'?re (his|her|their) next\b", r"\b(he'?s|she'?s|they'?re) (running )?(a little |a bit )?(late|behind)\b",
        r"\bI see (you|your appointment|you'?re) (on the schedule|scheduled|booked|down|here)\b",
        r"\byou'?re still (on the schedule|scheduled|booked)\b", r"\bstill on for\b", who=AGENT),
    sig(AGAINST, "wants to reschedule", -3.5,
        r"\bbump (my|the|our|it|us)\b", r"\breschedul",
        r"\bmove (it|my|the|our) (\w+ )?(appointment|visit|install\w*|service|cleaning|date|time|inspection|treatment"
        r"|tune-?up|repair)\b", r"\bmove it (to|back|up)\b", r"\bpush (it|that|the|our|my|us)\b",
        r"\bsomething came up\b", r"(can|could) (we|they|you) do \w+ instead",
        r"\bchange (my|the) (appointment|date|time)\b"),
    sig(AGAINST, "wants to cancel", -4.0,
        r"\btake (me|us|it) off (the|your) (schedule|list|calendar|route)\b",
        r"\b(need|want|have|like|calling|going) to cancel\b(?! (with|the other|my other|our other|them))",
        r"\bcancel (my|our|the|it|that|tomorrow|this|today)\b(?! (other|old|current|previous))", r"\bplease cancel\b",
        r"\bstop (the |my |our )?(\w+ )?service",
        r"\b(won'?t|will not|don'?t|do not) need (the |your |our |my )?(\w+ )?(service|you|it|them|anything)( \w+)?"
        r" (anymore|any more|again|after)\b", r"\bno longer (need|want)\b"),
    sig(AGAINST, "about a bill or paperwork", -3.5,
        r"\bovercharg", r"\b(what'?s|what is) this (\w+ )?(fee|charge)\b", r"\bmail (a|the|my|you a) check\b",
        r"\brefund (on )?my deposit\b", r"\bcharged my card\b", r"\bbilling address\b", r"\btax[- ]exempt\b",
        r"\bthe (estimate|quote) said\b.{0,60}\b(bill|invoice)\b", r"\bcharges? on my (card|account|statement|bill)",
        r"\bmy card (was|got)\b", r"\bmake a payment\b",
        r"\bpay (my|the|an?|this|that) (remaining |outstanding )?(balance|invoice|bill|deposit)\b",
        r"\b(my|the|remaining|outstanding) balance\b", r"\blate fee\b", r"\b(check|payment) cleared\b",
        r"\bpaid (you )?(double|twice)\b", r"\bW-?9\b", r"\bfor my taxes\b", r"\bon my account\b",
        r"\b(final )?bill (is|was) (higher|more|different)\b", r"\bwhy (was|am|were) (I|we) (charged|billed)\b",
        r"\b(I was|we were|got) (charged|billed)\b",
        r"\b(my|the|our|a|final|itemized) (invoice|bill|statement|receipt)\b(?! (goes|go|to|sent|should))",
        r"pay (my|the) bill", r"charged (twice|for|me)", r"\brefund", r"\bautopay\b", r"auto-?renew",
        r"\bmembership (fee|renewal|charge)", r"rebate form", r"for my records", r"certificate of",
        r"completion certificate", r"lien waiver", r"\bsign off\b",
        r"\bcopy of (my|the|our) (invoice|receipt|bill|statement|warranty|contract|permit|paperwork)", r"\breceipt\b",
        r"\binvoice\b", r"\bstatement\b", r"\bmy bill\b", r"rate increase", r"bill,? it went up", r"\boverpa(id|y)\b",
        r"\bdouble (billed|charged)\b", r"\b(card|payment) (on file|declined|didn'?t go through)", r"\bbilling\b",
        r"\bfinanc(e|ing) company\b", r"\b(my|the) payment\b", r"\bI paid (online|already|the|my|it|this|that|you)\b"),
    sig(AGAINST, "about an existing plan or account", -2.0,
        r"\b(my|our) (\w+ )?(membership|account|service agreement|subscription)\b",
        r"\b(my|our) (maintenance|service|pest|lawn|comfort|protection|club|annual|quarterly|monthly|care) plan\b",
        r"\b(I'?m|we'?re) (on|in) your\b", r"\b(current|existing) (customer|client|member)\b",
        r"\b(I'?m|we'?re) (a|an) \w+ (club )?member\b"),
    sig(AGAINST, "a warranty or guarantee claim", -3.0,
        r"\b(come back|came back|coming back|redo|re-?treat|re-?spray|fix it|return) (for free|at no (cost|charge)"
        r"|free of charge)", r"\b(still |be )?under (the |our |your )?(warranty|guarantee)\b",
        r"should (still )?be covered", r"(is|isn'?t|was) (that|it|this) (under )?warranty\b",
        r"warranty,? (I assume|right)", r"covered (under|by) (the|my|your|our) (\w+ )?(warranty|guarantee)",
        r"there'?s (a|the) (guarantee|warranty)",
        r"\b(I|we) (still )?have (a|the|your|an) [\w -]{0,30}(warranty|guarantee)\b",
        r"\byou said (there'?s|it has|I have)", r"satisfaction guarantee", r"re-?service", r"shouldn'?t have to pay",
        r"(don'?t|not) expect to pay", r"\bwarranty (claim|work|repair|call)\b"),
    sig(AGAINST, "the company will do it at no charge", -2.0,
        r"\bat no (charge|cost)\b", r"\bcovered (by|under) (our|the|your)\b", r"\bfree (re-?service|of charge)\b",
        r"\bwon'?t (be charged|cost you)\b", r"\b(it'?s|that'?s|this is|you'?re) covered\b",
        r"\b(warranty|guarantee) (covers|will cover)\b", who=AGENT),
    sig(AGAINST, "said they need nothing", -3.0,
        r"\b(I|we) (don'?t|do not) need (anything|anyone|you|someone|somebody|a (plumber|tech|\w+ian|roofer"
        r"|cleaner))\b", r"\bno need (for|to send)\b", r"\bnothing (for|that) you (need|have) to do\b"),
    sig(AGAINST, "about work the company already did", -2.5,
        r"\byou (guys |all |folks )?(installed|put in|put up|replaced|fixed|did|treated|planted|cleaned|wired|laid"
        r"|serviced|repaired|built|came out|were (here|out)|worked on|removed|sprayed|painted|hung|patched|mowed"
        r"|re-?roofed)\b",
        r"\b(your|the) (\w+ )?(tech|technician|plumber|electrician|installer|guy|guys|crew|crews|cleaners|ladies|girls"
        r"|landscapers|painters|movers|exterminator|men|team|people|roofers|workers) (was|were|came|left|put|did|said"
        r"|installed|replaced|fixed|was supposed|broke|damaged|took)\b",
        r"\b(your|the) (\w+ )?(tech|technician|plumber|electrician|installer|guy|crew|cleaners|roofers|workers) (who"
        r"|that) (was|were|came)\b",
        r"\bthe( \w+){1,3} (you|y'?all|they) (installed|put in|put up|replaced|laid|planted|did|fixed|sold|hung"
        r"|built)\b", r"(installed|replaced|done|fixed) by you", r"one of your customers", r"\bwork order\b",
        r"(with|from) [\w ]{0,20}claims\b", r"talk to a manager", r"\b(after|since) (you|your \w+) (came|left|were)\b",
        r"\byou (guys )?(were|came) (here|out) (on|last|yesterday|monday|tuesday|wednesday|thursday|friday)"),
    sig(AGAINST, "decided against the work", -4.0,
        r"\bdecided (not to|to go with|against)", r"\bwent with (another|someone else|a different|the other)",
        r"\bfound (someone|somebody) (else|cheaper|closer)", r"\bno longer need",
        r"\bnot going to (do|go ahead|move forward)", r"\b(going|go) with (another|a different) (company|contractor)"),
    sig(AGAINST, "a problem with work the company did", -2.5,
        r"\bstill (have|seeing|getting|got|has)\b.{0,40}\bafter (the|your|my|you)\b",
        r"\b(you|your \w+|the \w+ (you|they))\b[\w ,']{0,40}\b(installed|put in|put up|replaced|fixed|did|treated"
        r"|planted|cleaned|laid|repaired|wired|serviced|sprayed|mowed|hung)\b.{0,150}\b(still|again"
        rf"|and now (it|there|the|they)|stopped|broke|broken|leak\w*|wet|worse|does{_NT} work|not working|came back"
        rf"|dented|damaged|died|dead|wo{_NT}|is{_NT}|are{_NT}|overflow\w*|crack\w*|wobbl\w*|loud|noisy|brown"
        r"|flicker\w*)\b"),
    sig(AGAINST, "a complaint about finished work", -3.0,
        r"\b(you|your \w+|the (crew|guys|cleaners|workers|tech|installers?|roofers|landscapers|painters)) left (nails"
        r"|a mess|a pile|trash|debris|the gate|my gate|mud|dirt)",
        r"\bsince (your|the) (\w+ )?(guy|guys|tech|technician|crew|plumber|electrician|cleaners?|installers?|roofers"
        r"|workers) (was|were|came|left)\b",
        r"\b(scratch|scratches|scuffs?|dents?|holes?|gouges?) (in|on) (my|the|our) \w+( \w+)? (from|after) (the"
        r"|your)\b", r"\bnever came back to (finish|fix|complete)\b",
        r"\b(second|third|fourth) time (I'?ve|I have|we'?ve|I) called\b", r"\b(you|your \w+|the \w+ you sent) caused\b",
        r"\b(bad|negative|one[- ]star) review\b",
        r"\b(your|the) (\w+ )?(tech|technician|guy|crew|plumber|electrician|installer|cleaners?|lady|man|receptionist"
        r"|workers?) (was|were) (very |so |really )?rude\b", r"\bdidn'?t (clean up|finish|show up to finish)\b",
        r"\bcut corners\b", r"\b(cut|removed|painted|installed|sprayed|took|pulled) (down |out |up )?the wrong\b",
        r"\b(speak|talk) (to|with) (a|the|your) (manager|supervisor|owner)\b",
        r"\b(not|wasn'?t|weren'?t) (satisfied|happy)\b",
        r"\b(terrible|poor|sloppy|awful|lousy|shoddy) (job|work|service)\b", r"\bmoney back\b",
        r"\b(file|make) a complaint\b", r"\bworse than (before|it was)\b",
        r"\b(weren'?t|wasn'?t|were not|was not) (even )?(touched|done|cleaned|finished)\b",
        r"\b(again|back) (two|three|four|a few|a couple( of)?) (days|weeks) later\b",
        r"\bthe same (problem|issue) (is|came) back\b", r"\b(disappointed|not happy|unhappy|unacceptable)\b",
        r"make (this|it) right", r"come back (and|to) (fix|redo|re-do|finish|look|check)",
        r"(called|calling) (twice|three times)", r"nobody'?s come",
        r"\b(you|your \w+|they|the (\w+ )?(crew|guys|tech|technician|plumber|electrician|installer|cleaners|workers"
        r"|roofers|painters)) (damaged|scratched|dented|ruined|broke|cracked|stained|tracked)\b",
        r"\bnot (done|finished) right\b"),
    sig(AGAINST, "renter, landlord handles repairs", -4.0,
        r"\bhouse[- ]?sitting\b", r"\b(she|he|they)('d| would| will) (handle|take care of) (it|that|the bill)\b",
        r"\bleasing (agent|office|company)\b", r"\bcondo (board|association)\b",
        r"\bthe (house|place|unit) (I'?m|we'?re) renting\b",
        r"\bthe owner (said|says|told|is sending|will send|sent|wants)\b",
        r"\bI'?m in the (back|front|upstairs|downstairs|basement) (unit|apartment)\b",
        r"\b(said|told me) (he|she|they)('d| would| will) (send|call|have) you\b",
        r"\bI live in (unit|apartment|an apartment|a condo|the)\b",
        r"\b(the|my|our) (building|property|apartment|site) manager (said|says|told|is|will|has)\b",
        r"\b(my|the) super(intendent)?\b", r"\bthe complex\b",
        r"\bI don'?t (own (the|this|it)|pay for (it|that|this|repairs))\b", r"\bnot my (house|home|place|unit)\b",
        r"\b(HOA|association) (handles|pays|takes)", r"I'?m a tenant", r"\bI rent\b", r"I'?m renting", r"my landlord",
        r"management (company|office)", r"landlord (handles|takes|arranges|will|says|said|is)", r"leasing office",
        r"\bthe [\w ]{0,20}apartments\b",
        r"(?<!I'm )(?<!I am )(?<!Im )\b(my|our|the) property (manager|management)\b(?! (company )?for)",
        r"\bmy lease\b", r"(home warranty|warranty) (company|network|claim)",
        r"(they|he|she) (have|has|use|uses) (a|their own) (guy|plumber|electrician|company)", r"not to call anybody",
        r"\b(hoa|association) (handles|takes care)", r"\bmaintenance request\b",
        r"\b(is|are|'s|'re) handling (it|this|that)\b"),
    sig(AGAINST, "job applicant", -5.0,
        r"\bdo you (guys )?hire\b", r"\blearn the trade\b", r"\b(hvac|plumbing|electrical|trade|technical) school\b",
        r"\byears (of )?(experience )?(as|in|doing) (a |an )?(residential |commercial )?(hvac|plumbing|electrical|tech"
        r"|technician|installer|plumber|electrician|roofing|landscaping|cleaning|service|dispatch\w*|apprentice"
        r"|journeyman)\b", r"\blooking for a company to (start|work) with\b", r"\bride[- ]along\b",
        r"\b(summer|part-time|full-time|seasonal) (position|job|work)\b", r"\bposition on (a|your)\b",
        r"\b(any|have) (job )?openings\b", r"\bhelp wanted\b",
        r"\b(are|is) (you|you guys|your company|anyone) (still )?(looking for|need(ing)?) (help|helpers|techs"
        r"|technicians|workers|installers|people|anyone|drivers|cleaners|crew)\b", r"\bhard worker\b",
        r"\bjoin (your|a good|a) (team|company|crew)\b", r"\b(send|email|drop off) (my|a|his|her) resume\b",
        r"\bEPA (certified|card|608)\b", r"\binterested in working for\b", r"\bI (just )?got my (\w+ )?license\b",
        r"\b(resume|apprentice(ship)?|journeyman|apply (for|online)|trade (school|program)|job (posting|listing|ad)"
        r"|careers?|commission-based|salespeople|employment|internships?|subcontract\w*|sub work|extra hands"
        r"|summer job)\b", r"\b(are|is) (you|your company|anyone) (still )?hiring\b", r"\byou'?re (still )?hiring\b",
        r"\bhiring (for|a|an)\b", r"\bon indeed\b", r"\bindeed (ad|posting|listing)\b",
        r"\blooking for (a )?(job|employment)\b",
        r"\b(do|does) (you|your company) need (any )?(help|workers|hands|a helper|guys)\b",
        r"\b(job|position|hiring|career) opening", r"\b(my|an|job|employment) application\b",
        r"\bapplication (for|status)\b", r"\bsubmitted\b.{0,20}\b(application|resume)\b", r"\bjob posting\b",
        r"position (available|open|still open)",
        r"\b(your|the|an?) (\w+ )?(tech|technician|csr|office|dispatch\w*|sales|installer|electrician|plumber|manager"
        r"|helper|apprentice|journeyman|driver|crew|cleaner|mower|laborer|estimator|receptionist) (opening|position"
        r"|job)\b", r"calling about (a|the|your) [\w ]{0,30}job\b(?! (I|we|you|at|on|for|that|to|in|done))",
        r"\b(want|like|love|looking) to work for you\b", r"\bI'?ve been (a|an) \w+ for\b"),
    sig(AGAINST, "service not offered", -3.5,
        r"\bwe'?re (a |an )?\w+( (and|&) \w+)?( \w+)? only\b",
        r"\bwe only (do|service|work on|handle) (residential|commercial)",
        r"we don'?t (do|offer|service|work on|handle|cover) (that|those|any|appliances|pools?|commercial|residential"
        r"|that area)\b", r"we (are|'re) not in\b", r"outside (of )?our (service )?area", who=AGENT),
    sig(AGAINST, "permit office", -3.0,
        r"\bpermit(ting)? (office|department)",
        r"\b(calling|this is \w+) (from|with|at) the (city|county|\w+) (permit|building|inspection)"),
    sig(AGAINST, "a greeting or voicemail prompt", -1.0,
        r"you'?ve reached", r"you have reached", r"leave (us |your |a )*(message|name)", r"after the (tone|beep)",
        r"\bbeep\b", r"(office is|we'?re|we are) (currently )?closed", r"all of our agents", r"your call is important",
        r"can'?t come to the phone", r"voice ?mail", who=ANY),
)

# From the call rather than its words.
HANG_UP = sig(AGAINST, "hang-up, silence or greeting only", -3.0)
NOT_LEAD_NUMBER = sig(AGAINST, "number's calls are usually not leads", -1.0)
SHORT_CALL = sig(AGAINST, "very short call", -2.0)
NOTHING_WANTED = sig(AGAINST, NO_CLEAR_NEED, -1.5)  # neither a need nor an intent heard from the caller
NOT_WANTS = frozenset({"needs it soon", "left contact details"})  # for a need or an intent, not one by themselves

# What the call is about, for the summary: the first of these the caller names.
_EQUIPMENT_WORDS = (
    ("AC", r"\b(AC|A/C|air condition\w*|air|cooling|condenser|rooftop unit)\b"),
    ("heat pump", r"heat pump"),
    ("furnace", r"\b(furnace|heat|heating|thermostat)\b"),
    ("water heater", r"\b(water heater|hot water|tankless)\b"),
    ("garage door", r"\bgarage door|\bopener\b"),
    ("plumbing", r"\b(drain|sewer|main line|sink|tub|shower|faucet|disposal|toilet|sump pump|spigot|pipes?)\b"),
    ("electrical", r"\b(outlets?|breaker|panel|ceiling fans?|light|lights|lighting|generator|EV charger|circuits?)\b"),
    ("roof", r"\b(roof|shingles|gutters?|skylights?)\b"),
    ("ductwork", r"\bduct"),
    ("water softener", r"softener|hard water"),
    ("pests", _PESTS),
    ("lawn and yard", r"\b(lawn|yard|mowing|sprinklers?|sod|trees?|patio|mulch|landscap\w*)\b"),
    ("cleaning", r"\b(clean(ing)?|carpets?|rugs?|upholstery|windows|maids?)\b"),
    ("appliance", r"\b(fridge|refrigerator|freezer|washer|dryer|dishwasher|oven|range|stove|microwave|ice maker)\b"),
)
# fmt: on
EQUIPMENT = tuple((name, re.compile(pattern, re.IGNORECASE)) for name, pattern in _EQUIPMENT_WORDS)

_NEGATION = re.compile(r"\b(don'?t|do not|not|no|never|isn'?t|doesn'?t)\b(\s+\w+){0,2}\s*$", re.IGNORECASE)
_LABEL = re.compile(  # a known speaker label, at the start of a line or inline after a space or a full stop
    r"(?:^|(?<=[\s.?!,]))(caller|customer|client|homeowner|agent|csr|rep|representative|dispatcher|operator"
    r"|spk_\d+|ch_\d+|speaker \d+)\s*:\s*",
    re.IGNORECASE | re.MULTILINE,
)
_CALLER_LABELS = frozenset({"caller", "customer", "client", "homeowner"})
_AGENT_LABELS = frozenset({"agent", "csr", "rep", "representative", "dispatcher", "operator"})
_TRADE = (
    r"(plumbing|plumbers?|heating|cooling|air|comfort|electric(al)?|roofing|doors?|pest|termite|lawn|landscap\w*"
    r"|cleaning|maids?|appliances?|rooter|drain\w*|exteriors|services?|company|contractors?|hvac|garage|tree)"
)
_GREETING = re.compile(  # matched against a speaker's first sentence
    r"thanks? (you )?for calling|how (can|may) I help|you'?ve reached|you have reached|leave (your|a) message"
    r"|\b\w+ (speaking|here)\b|,? this is \w+$|^(good (morning|afternoon|evening),? )?[\w'&. -]{0,40}\b"
    + _TRADE
    + r"( company| services?| line| desk)?(,? (this is|it'?s) \w+)?$",
    re.IGNORECASE,
)
# What an agent says and a caller rarely does, and the reverse: for speaker labels when nobody greets.
_AGENT_TALK = re.compile(
    r"\b(we('ll| will| can| do| usually| offer| install| don'?t| aren'?t| could)|I can (send|have|get|do|put|schedule"
    r"|take)|let me (check|see|look|pull)|our (tech|technician|estimator|inspector|crew|designer|office)|what'?s (your"
    r"|the) (address|name)|I'?ll (send|have|text|email|note|add|put|get)|you'?re all set|we'?re (not interested|good)"
    r"|(name|address),? please|how can I help|is anybody hurt|I'?ve cancell?ed)\b",
    re.IGNORECASE,
)
_CALLER_TALK = re.compile(
    r"\b(my|I need|I have|I'?m calling|I want|I'?d like|our (house|home|yard|roof|basement|kitchen)|can you|could you"
    r"|do you|how much|is this)\b",
    re.IGNORECASE,
)
# A greeting or voicemail prompt that opens a transcript without labels: read as the company's (or the machine's).
_PROMPT_SENTENCE = re.compile(
    r"^(hi,? |hello,? )?(you'?ve reached|you have reached|thanks? (you )?for calling|please leave"
    r"|leave (us |me |your |a )*(message|name|number)|after the (tone|beep)|at the tone|beep"
    r"|the (person|party|number|subscriber|mailbox) you|your call (has been|is being) (forwarded|transferred)"
    r"|all of our agents|your call is important|please stay on the line|this mailbox)",
    re.IGNORECASE,
)
# Where a caller's message starts after a prompt: a greeting, a name, or a first person with a need.
_MESSAGE_START = re.compile(
    r"^(hi|hello|hey|yes|yeah|good (morning|afternoon|evening)|um|uh)\b(?!,? (you'?ve|you have|thanks|thank you))"
    r"|^(this is|my name is|it'?s) (?!(a|an|the|not|our|your)\b)\w+\b"
    r"(?! (company|plumbing|electric|heating|and|&|pest))"
    r"|\b(my|I need|I have|we have|we need|I'?m calling|I'?d like|I was|I want|our (house|home|\w+ is))\b",
    re.IGNORECASE,
)
_MESSAGE_START_INLINE = re.compile(  # the same, inside one long sentence
    r"\b(hi|hello|hey|yes|yeah|um|uh),? (this is|my name|it'?s|i'?m|im|i'?ve|ive|i have|we have|i need|we need|i was"
    r"|i'?d|id|i am|calling)\b|\b(my|I need|I have|we have|we need|I'?m calling|I'?d like|I was|I want)\b",
    re.IGNORECASE,
)


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[.?!])\s", text.strip(), maxsplit=1)[0].strip(" .?!")


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!])\s+", text.strip()) if s]


def _split_prompt(text: str) -> tuple[str, str]:
    """Unlabelled text: the caller's words, and the greeting or voicemail prompt it opens with (the company's): from
    a first sentence that prompts, every sentence up to the one where a caller's message starts."""
    sentences = _sentences(text)
    if not sentences or not _PROMPT_SENTENCE.search(sentences[0]):
        return text, ""
    if len(sentences) == 1:  # one long sentence, as speech to text gives: the message starts after the prompt
        start = _MESSAGE_START_INLINE.search(text, 20)
        return (text[start.start() :], text[: start.start()]) if start else ("", text)
    n = 1
    while n < len(sentences) and not _MESSAGE_START.search(sentences[n]):
        n += 1
    return " ".join(sentences[n:]), " ".join(sentences[:n])


def split_turns(transcript: str) -> tuple[str, str]:
    """The caller's words and the agent's words; text without speaker labels is the caller's."""
    named = _CALLER_LABELS | _AGENT_LABELS
    parts = _LABEL.split(transcript)  # text before the first label, then label, text, label, text...
    turns = [("", parts[0])] if parts[0].strip() else []
    turns += [(label.lower(), " ".join(text.split())) for label, text in zip(parts[1::2], parts[2::2], strict=True)]
    if not any(label for label, _ in turns):
        return _split_prompt(" ".join(transcript.split()))
    agents = set(_AGENT_LABELS)
    if not any(label in named for label, _ in turns):  # spk_N / ch_N: the agent is the first one who greets
        first_words: dict[str, str] = {}
        for label, text in turns:
            first_words.setdefault(label, text)
        greeter = next(
            (label for label, text in first_words.items() if label and _GREETING.search(_first_sentence(text))), None
        )
        if greeter is None:  # nobody greets: the one who talks most like the company, or else the second to speak
            talk = {label: 0 for label in first_words if label}
            for label, text in turns:
                if label:
                    talk[label] += len(_AGENT_TALK.findall(text)) - len(_CALLER_TALK.findall(text))
            ranked = sorted(talk, key=lambda label: -talk[label])
            if len(ranked) > 1:
                greeter = ranked[0] if talk[ranked[0]] > talk[ranked[1]] else list(talk)[1]
        agents.add(greeter or "spk_none")
    caller = " ".join(text for label, text in turns if label not in agents)
    agent = " ".join(text for label, text in turns if label in agents)
    return caller, agent


def _found(pattern: re.Pattern[str], text: str, negatable: bool) -> bool:
    for match in pattern.finditer(text):
        clause = re.split(r"[.!?,;]", text[max(0, match.start() - 40) : match.start()])[-1]
        if not (negatable and _NEGATION.search(clause)):
            return True
    return False


def _strength(signal: Signal, caller: str, agent: str) -> float:
    """How many of the signal's alternatives (up to its cap) are in its own speaker's words; `OTHER_SPEAKER` when it
    is only in the other side's words; 0 when absent."""
    own, other = (agent, caller) if signal.who == AGENT else (caller, agent)
    if _found(signal.pattern, own, signal.negatable):
        if signal.cap == 1:
            return 1.0
        return float(min(signal.cap, sum(_found(part, own, signal.negatable) for part in signal.parts)))
    if _found(signal.pattern, other, signal.negatable):
        return 1.0 if signal.who == ANY else OTHER_SPEAKER
    return 0.0


_NOISE = re.compile(r"\[[^\]]*\]")  # "[silence]", "[muffled]": a transcriber's notes, not words said
_FILLER = frozenset("um uh mm hmm er ah oh hello hi hey sorry yes yeah okay ok bye".split())


def content_words(text: str) -> int:
    """How many words someone said, leaving out notes in brackets and fillers ("um", "hello?")."""
    return sum(w.lower() not in _FILLER for w in re.findall(r"[A-Za-z']+", _NOISE.sub(" ", text)))


def signals(caller: str, agent: str, context: CallContext | None = None) -> list[tuple[Signal, float]]:
    """The signals found in a call, each with its strength (see `_strength`), and those the call's shape gives."""
    found = [(s, k) for s in SIGNALS if (k := _strength(s, caller, agent)) > 0]
    if not any(s.kind != AGAINST and k >= 1.0 and s.reason not in NOT_WANTS for s, k in found):
        found.append((NOTHING_WANTED, 1.0))
    if content_words(caller) < HANG_UP_WORDS:
        found.append((HANG_UP, 1.0))
    if context is not None and context.call_type == "not_lead":
        found.append((NOT_LEAD_NUMBER, 1.0))
    if context is not None and 0 < (context.duration_seconds or 0) < SHORT_SECONDS:  # 0: unknown
        found.append((SHORT_CALL, 1.0))
    return found


def score(caller: str, agent: str, context: CallContext | None = None) -> tuple[float, list[tuple[Signal, float]]]:
    """The log-odds that the caller is a prospect, and the signals found with their strength, strongest first."""
    found = signals(caller, agent, context)
    found.sort(key=lambda f: -abs(f[0].weight * f[1]))
    return PRIOR + evidence([s.weight * k for s, k in found]), found


def evidence(contributions: list[float]) -> float:
    """The sum of the signals' contributions, each side's n-th strongest counting DECAY**n: a long call piles up
    weak signals of one side (a complaint reads like a request for service), and that pile-up is not evidence."""
    total = 0.0
    for side in (1, -1):
        ranked = sorted((c for c in contributions if c * side > 0), key=abs, reverse=True)
        total += sum(c * DECAY**n for n, c in enumerate(ranked))
    return total


def equipment(caller: str) -> str | None:
    """The equipment the caller names first."""
    found = [(m.start(), name) for name, pattern in EQUIPMENT if (m := pattern.search(caller))]
    return min(found)[1] if found else None


def summarise(is_prospect: bool, found: list[tuple[Signal, float]], caller: str) -> str:
    needs = [s.reason for s, k in found if s.kind == NEED and k >= 1.0][:2]
    intents = [s.reason for s, k in found if s.kind == INTENT and k >= 1.0][:3]
    topic = " and ".join(needs) or "a service"
    thing = equipment(caller)
    if thing and thing.lower() not in topic.lower():
        topic += f" ({thing})"
    if not is_prospect:
        against = [s.reason for s, k in found if s.kind == AGAINST and k >= 1.0] or [NO_CLEAR_NEED]
        return f"Not a prospect: {against[0]}" + (f"; mentions {topic}." if needs or thing else ".")
    actions = " and ".join([", ".join(intents[:-1]), intents[-1]] if len(intents) > 1 else intents)
    if not needs and not intents:
        return f"Called about {topic}; {UNCLEAR_BUT_KEPT}."
    return f"Called about {topic}" + (f"; {actions}." if actions else ".")


def reasons(is_prospect: bool, found: list[tuple[Signal, float]]) -> tuple[str, ...]:
    """The signals heard from the speaker they belong to, those on the verdict's side first, at most MAX_REASONS."""
    heard = [s for s, k in found if k >= 1.0]
    for_verdict = [s.reason for s in heard if (s.kind != AGAINST) == is_prospect]
    against_verdict = [s.reason for s in heard if (s.kind != AGAINST) != is_prospect]
    if not for_verdict:
        for_verdict = [UNCLEAR_BUT_KEPT if is_prospect else NO_CLEAR_NEED]
    return tuple(for_verdict + against_verdict)[:MAX_REASONS]


class RulesAnalyser:
    """Local, deterministic and fast: no network. The rules' log-odds plus learned corrections (`model.py`)."""

    def analyse(self, transcript: str, context: CallContext | None = None) -> Analysis:
        caller, agent = split_turns(transcript or "")
        total, found = score(caller, agent, context)
        learned = model.corrections()
        margin = total + learned.log_odds(caller, agent, ((s.reason, k) for s, k in found)) - learned.threshold
        is_prospect = margin >= 0
        return Analysis(
            is_prospect=is_prospect,
            confidence=round(model.sigmoid(abs(margin)), 3),
            summary=summarise(is_prospect, found, caller),
            reasons=reasons(is_prospect, found),
        )
