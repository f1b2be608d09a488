"""Word lists the rules read: victims' nouns, casualty words, triggers and cues.

Lemmas are lower case. Keep the lists general: they describe how news reports violence,
not any particular report.
"""

from __future__ import annotations

import re

SECURITY_NOUNS = frozenset("""
soldier troop trooper police policeman policemen policewoman officer cop constable jawan
commando paramilitary guard gendarme serviceman servicemen personnel sepoy ranger levies levy
marine sailor airman army militiaman militiamen fc frontier corps crpf bsf itbp cisf
peacekeeper conscript cadet sentry lieutenant captain major colonel sergeant corporal general
security force military policemen paratrooper gendarmerie havildar naik subedar
guardsman guardsmen cadet recruit trainee commandant inspector sub-inspector commander
deputy superintendent
""".split())

MILITANT_NOUNS = frozenset("""
militant insurgent terrorist fighter attacker bomber gunman gunmen jihadist extremist rebel
assailant kidnapper abductor bandit guerrilla guerilla separatist maoist naxal naxalite
miscreant infiltrator raider suspect mercenary cadre dacoit
""".split())

CIVILIAN_NOUNS = frozenset("""
civilian worshipper worshiper child children kid woman women passenger student schoolchild
schoolchildren pupil villager pilgrim shopper employee worker teacher journalist reporter
farmer herder fisherman fishermen resident bystander patient doctor nurse pedestrian
motorist driver commuter vendor trader merchant tourist visitor mourner wedding guest
guest refugee migrant family girl boy baby infant man men teenager youth elder
cleric imam priest pastor monk devotee voter protester protestor demonstrator labourer laborer
aid humanitarian engineer contractor official tribesman tribesmen tribal elderly spectator
customer diner athlete player lawyer judge politician councillor councilor candidate
hunter shepherd nomad miner hostage churchgoer congregant wife husband son daughter mother
father brother sister relative neighbour neighbor owner shopkeeper cook chef waiter medic
paramedic volunteer passer passerby passer-by
""".split())

# Nouns for people that say nothing of who they are: a modifier or "of" phrase decides.
PLAIN_PEOPLE = frozenset("man men people person personnel member members individual".split())
# Heads of noun phrases that are not people: "an army helicopter", "three police vehicles".
THING = "<thing>"
PARTITIVE = "<partitive>"
THINGS = frozenset("""
vehicle helicopter drone tank aircraft plane jet house home shop building truck car bus
school mosque church temple village post checkpoint weapon rifle gun round shell rocket
missile bomb mine device cattle cow goat sheep animal camel horse boat vessel ship convoy
station camp base office market road bridge tower pylon motorcycle bike van hideout
compound position property structure
""".split())

GENERIC_NOUNS = frozenset("""
people person individual other victim casualty body life soul dead
""".split())

VICTIM_NOUNS = SECURITY_NOUNS | MILITANT_NOUNS | CIVILIAN_NOUNS | GENERIC_NOUNS

INJURED_WORDS = frozenset("""
wound wounded injure injured injury injuries hurt maimed hospitalise hospitalised
hospitalize hospitalized
""".split())
# Verbs whose object is the victims ("killing 12 people", "wounded 30 others").
KILL_VERBS = frozenset("kill slay massacre behead execute murder lynch martyr assassinate".split())
INJURE_VERBS = frozenset("wound injure hurt maim stab".split())


# Markers of a cause or earlier event: "resigned after an attack that killed 140".
REFERENCE_PREPS = frozenset("after following since over amid despite before for behind".split())
# Heads of main clauses that report an event ("Militants stormed ...", "Another shootout
# took place ..."), as opposed to a trial, an arrest or a resignation.
EVENT_WORDS = frozenset("""
attack clash kill abduct kidnap storm explode detonate fire shoot bomb target assault behead
massacre riot protest loot torch overrun capture seize fight hit strike shell ambush raid
injure wound die blow erupt occur happen take leave claim shootout gunfight firefight bombing
blast explosion airstrike shelling battle exchange encounter rocket
""".split())
# "a war that killed half a million": figures that belong to a whole conflict.
LONG_CONFLICTS = frozenset("war conflict insurgency violence unrest crisis campaign uprising rebellion".split())

# Accidents and disasters: stems, matched at the start of a word ("plunges", "capsized").
ACCIDENT_CUES = re.compile(r"\b(?:" + "|".join("""
accident crash collid collision derail plung capsiz sank sink flood landslide rockslide mudslide
earthquake quake tremor cyclone hurricane typhoon storm lightning avalanche drought heatwave
fire\\b blaze cylinder gas\\s+leak boiler short.circuit electrocut stampede overturn skid tanker
factory collapse epidemic outbreak cholera disease virus covid illness poison fireworks
firecracker pipeline ammonium warehouse refinery reactor ravine cliff
""".split()) + ")", re.IGNORECASE)
