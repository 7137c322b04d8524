"""Is this an emergency? Hazards of the trades in English and French, plus the business's keywords.

Matching runs on lower-cased, accent-stripped text, so "odeur de gaz" and "odeur de gâz" or a
texter's "inonde" all match. A hazard counts unless it is negated in its own clause ("no sparks or
anything", "il n'y a pas d'inondation"). Life-safety hazards (gas, carbon monoxide, sparks, smoke,
fire, shock) stay emergencies even when the caller says "not an emergency": we would rather call the
on-call tech than leave someone in a house with a gas smell. Property hazards (flooding, a burst pipe,
sewage, no heat) respect the caller's "not urgent" / "pas pressé".

Life safety includes a rotten-egg / sulphur smell (the odorant in natural gas and propane), downed or
live wires, and water reaching something electrical ("water dripping out of the ceiling light", "de
l'eau dans la boîte électrique"). A hazard in a condition is not happening now ("what if my furnace
breaks down at night?", "si la fournaise lâche"), and a question about emergency *service* ("do you
do emergency calls on weekends?", "is there an after-hours emergency fee?") is not a report; a real
hazard in the same message still counts ("my furnace broke down, do you do emergency calls?").

Water coming into the home now ("rain is coming in thru the ceiling", "the ceiling is bulging and
dripping", "l'eau coule du plafond") and structural damage (a ceiling or roof that came down, caved
in or let go, a tree or branch on or through the house, a roof torn off: "un arbre est tombé sur la
maison", "la tempête a arraché une partie du toit") are property hazards of every trade. The rest of
the message can cancel them, and the owner's keywords about the same things: the tree "fell in the
yard" or "missed the house", "no damage", "no leak", "nothing came in", "bone dry now"; so can a long
past ("we had a tree fall last year") or a leak that only comes with the rain ("when it rains").

People and security: a child, an elderly person or a pet shut in a house or a car ("my 2 yr old is
inside n the door shut behind me", "mon bébé est enfermé à l'intérieur"), a break-in or forced entry
("someone pried our back door open", "quelqu'un a forcé la porte"), premises that cannot be secured
("we can't secure the place tonight") and a door that won't close or lock at night or with nobody
else there ("the garage door won't come down, it's getting dark"). Like property hazards they respect
"not urgent", and a hazard the caller says is over ("it was stuck open yesterday but it's fine now")
does not count.

Texts are normalised first: SMS spellings ("n" = and, "u" = you, "pls"), missing apostrophes ("cant",
"wont", "doesnt") and typographic ones (’). A business's keyword tolerates inflection, plurals,
possessives and contractions ("baby inside" ↔ "baby's inside", "kids are still inside"), a couple of
small words in between ("locked myself out") and spelled-out negatives ("won't" ↔ "will not"); a few
common keyword concepts also match their paraphrases ("locked out" ↔ "the door shut behind me",
"won't close" ↔ "stuck open", "doesn't close anymore").
"""

from tradeline.conversation.extract.emergency.detect import EmergencyResult, detect_emergency

__all__ = ["EmergencyResult", "detect_emergency"]
