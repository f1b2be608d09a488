"""What kind of event a passage reports, in ACLED's sub-event types.

Rules over the lower-cased text of the sentences that report one incident. The first rule
that matches wins, so the order runs from the most specific means (a suicide bomber, an
airstrike) to the most general (an attack). `is_violent` is the cheap gate used before
any parsing and again per sentence.
"""

from __future__ import annotations

import re

from jobs.extract.taxonomy import EVENT_TYPE_OF


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")", re.IGNORECASE)


SUICIDE = _rx(r"suicide[- ](?:bomb|attack|blast|car|truck|vest|explosion)", r"suicide bomb",
              r"blew (?:him|her|them)sel(?:f|ves) up", r"self-immolat\w* bomber", r"suicide attacker",
              r"explosives?[- ]laden vest", r"suicide-bomb")
AIR = _rx(r"air ?strikes?", r"air[- ]raids?", r"drone (?:strike|attack)s?", r"drone missile",
          r"warplanes?", r"fighter jets?", r"helicopter gunships?", r"airstrikes?",
          r"aerial (?:bombardment|attack|strike)s?", r"bombed from the air", r"unmanned aerial",
          r"drones?")
SHELLING = _rx(r"shell(?:ing|ed|s)\b", r"artillery", r"mortars?", r"rockets?", r"missiles?",
               r"katyusha", r"bombardment", r"howitzer", r"projectiles?")
GRENADE = _rx(r"grenades?", r"hand bomb")
CHEMICAL = _rx(r"chemical (?:weapon|attack)", r"chlorine", r"sarin", r"nerve agent", r"mustard gas")
IED = _rx(r"\bieds?\b", r"improvised explosive", r"roadside bomb", r"car bomb", r"bomb",
          r"landmines?", r"land mines?", r"explosives?", r"explosion", r"blasts?", r"detonat",
          r"booby[- ]trap", r"magnetic bomb", r"sticky bomb", r"vbied")
ABDUCTION = _rx(r"kidnap", r"abduct", r"taken hostage", r"held hostage", r"hostages?",
                r"seized \d+", r"forcibly disappeared", r"enforced disappearance")
SEXUAL = _rx(r"rape[ds]?\b", r"sexual(?:ly)? (?:violence|assault|abuse)", r"gang-?rape")
EXCESSIVE_FORCE = _rx(r"(?:police|troops|forces|soldiers|officers)\b[^.]{0,40}\b(?:shot|shoot|killed|kill|opens? fire|"
                      r"opened fire|fired?s?)\b[^.]{0,60}\b(?:protest|demonstrat|marchers|crowds?|mourners)",r"(?:police|troops|forces|soldiers) (?:opened fire|fired (?:live|on|at))"
                      r"[^.]{0,60}protest", r"protesters? (?:were |was )?(?:shot|killed)",
                      r"demonstrators? (?:were |was )?(?:shot|killed)", r"killed \w+ protesters",
                      r"fired on (?:protesters|demonstrators|crowds?)")
PROTEST_INTERVENTION = _rx(r"tear ?gas", r"water cannon", r"dispersed (?:the )?(?:protest|demonstr|crowd)",
                           r"baton[- ]charge", r"rubber bullets")
RIOT = _rx(r"\briot", r"rioters", r"violent protest", r"protesters (?:torched|set fire|burned|stormed|clashed|pelted)",
           r"demonstrators (?:torched|set fire|burned|stormed|clashed|pelted)", r"stone[- ]pelting")
MOB = _rx(r"\bmob\b", r"lynch", r"mob violence")
PROTEST = _rx(r"protest", r"demonstrat", r"rall(?:y|ies)\b", r"\bmarch(?:ed|ers)\b", r"sit-in", r"strike action")
RECAPTURE = _rx(r"recaptur", r"retook", r"regain(?:ed)? control", r"liberated", r"cleared \w+ of")
OVERRUN = _rx(r"overr[au]n", r"seiz\w* control", r"t[ao]ke?s? control of",
              r"(?:captur|seiz)\w* (?:the )?(?:\w+ )?(?:town|city|district|village|base|military|capital|port)",
              r"fell to")
DEFUSED = _rx(r"defused", r"defuse", r"diffused (?:a |an |the )?(?:bomb|ied|explosive)", r"bomb disposal")
LOOTING = _rx(r"loot", r"torched", r"set (?:on )?fire to", r"set ablaze", r"burn(?:ed|t) down", r"vandali[sz]")
# Words for fighting between two armed sides.
CLASH = _rx(r"clash", r"gun ?fight", r"fire ?fight(?!er)", r"shoot-?outs?", r"exchange of fire", r"exchanged fire",
            r"fighting", r"battle", r"combat", r"skirmish", r"gun battle", r"hostilities", r"crossfire",
            r"cross-border firing", r"heavy firing", r"engaged (?:the )?(?:militants|insurgents|troops)")
# Words for an attack whose target decides the type: armed victims make it a clash.
ATTACK = _rx(r"gunm[ae]n", r"opened fire", r"shot dead", r"shot and killed", r"gunned down", r"massacre",
             r"attack", r"stabb", r"hacked to death", r"behead", r"execut", r"assassinat",
             r"targeted killing", r"killed by", r"shot", r"murder", r"militants? killed", r"set upon",
             r"bandits", r"insurgents", r"terrorists", r"jihadists", r"armed men", r"ambush",
             r"encounter", r"raid", r"operation", r"offensive", r"stormed", r"assault", r"firing",
             r"militants", r"rebels", r"fighters", r"killed")

# Order matters: the first match names the incident.
RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Chemical weapon", CHEMICAL),
    ("Suicide bomb", SUICIDE),
    ("Air/drone strike", AIR),
    ("Excessive force against protesters", EXCESSIVE_FORCE),
    ("Mob violence", MOB),
    ("Violent demonstration", RIOT),
    ("Grenade", GRENADE),
    ("Shelling/artillery/missile attack", SHELLING),
    ("Remote explosive/landmine/IED", IED),
    ("Abduction/forced disappearance", ABDUCTION),
    ("Sexual violence", SEXUAL),
    ("Government regains territory", RECAPTURE),
    ("Non-state actor overtakes territory", OVERRUN),
    ("Armed clash", CLASH),
    ("Attack", ATTACK),
    ("Protest with intervention", PROTEST_INTERVENTION),
    ("Disrupted weapons use", DEFUSED),
    ("Looting/property destruction", LOOTING),
    ("Peaceful protest", PROTEST),
)

VIOLENCE = re.compile(
    r"\b(?:kill|dead|death|died|wound|injur|attack|bomb|blast|explo|clash|fight|shoot|shot|"
    r"gun|militant|insurgent|terror|rebel|strike|shell|mortar|rocket|missile|grenade|ambush|"
    r"raid|kidnap|abduct|hostage|massacre|riot|protest|mob|lynch|loot|torch|martyr|"
    r"assassin|behead|ied|landmine|artillery|offensive|battle|combat|encounter|fire|rape|"
    r"stab|execut|murder|slain|casualt|troops|soldier|police|killing|hurt)",
    re.IGNORECASE,
)

# Means that are weapons, not accidents: their presence keeps an "explosion" violent.
HOSTILE = re.compile(
    r"\b(?:attack|bomber|bombing|militant|insurgent|terror|gunm[ae]n|claimed responsibility|"
    r"suicide|ied|improvised|rebels?|jihadist|fighters|shelling|airstrike|air strike|drone|"
    r"grenade|ambush|clash|troops|extremist|separatist|bandits|armed men|opened fire|shot|"
    r"kidnap|abduct|massacre|riot|mob|lynch|protest|assassin|militia|al-shabaab|taliban|"
    r"boko haram|islamic state|isis|rocket|mortar|missile|artillery|killed by|"
    r"targeted|assault|raid|offensive|gunfight|firefight(?!er)|shootout|exchange of fire|battle|combat|"
    r"stabb|murder|behead|execut|hostage|bombs?\b|bombed|landmine|explosive device|explosives|encounter|"
    r"security forces|maoist|naxal|gunfire|sniper|cartel|gang|ceasefire|insurgency|jawans|"
    r"bullets?|firing|fired|opened fire|hand grenade|warplane|jets|shelled)",
    re.IGNORECASE,
)


EVENT_TYPE_OF_EXCESSIVE = (EVENT_TYPE_OF["Excessive force against protesters"], "Excessive force against protesters")


def is_violent(text: str) -> bool:
    """Cheap gate: does the text show any sign of violence at all?"""
    return VIOLENCE.search(text) is not None


def is_hostile(text: str) -> bool:
    """Does the text name a hostile act or actor (as opposed to an accident or disaster)?"""
    return HOSTILE.search(text) is not None


def classify(text: str, *, victims_are_armed: bool = False, deaths: bool = False) -> tuple[str, str] | None:
    """(event_type, sub_event_type) for the passage, or None when nothing matches.

    A generic attack on soldiers or police is an armed clash in ACLED's coding; on
    civilians or unnamed people it is violence against civilians. Where people were also
    killed, the killing, not an abduction on the side, names the event.
    """
    for sub_event, pattern in RULES:
        if sub_event == "Abduction/forced disappearance" and deaths:
            continue
        if pattern.search(text):
            if sub_event == "Attack" and victims_are_armed:
                sub_event = "Armed clash"
            return EVENT_TYPE_OF[sub_event], sub_event
    return None

# The attacker died in his own attack: counted as one militant killed.
SUICIDE_BOMBERS_DIED = re.compile(
    r"\b(\w+)\s+(?:\w+\s+){0,2}(?:suicide )?bombers? (?:blew|blow|detonated) (?:them|him|her)sel(?:f|ves)",
    re.IGNORECASE)
SUICIDE_DEATH = _rx(r"bl[eo]w(?:s|ing)? (?:him|her)self up", r"bomber (?:was|were|is) (?:also )?killed",
                    r"killing (?:him|her)self", r"bomber (?:also )?(?:dies|died)", r"and himself",
                    r"including the (?:suicide )?bomber")
# An explosion says nothing of who caused it: it is an attack only beside a hostile word.
EXPLOSION_ONLY = _rx(r"explo", r"blasts?\b", r"detonat")
