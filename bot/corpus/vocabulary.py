"""The words that news text writes around names and dates: person titles and calendar words.

One vocabulary for every reader of a text: the corpus reads dates with the calendar words,
actor discovery cuts names at titles and calendar words, the attribution grammar reads
past a speaker's title, and a name's lookup key drops its titles. Where readers need
different titles, each takes the groups below it needs; every title is written once.
All entries are folded keys (lower case, no accents; phrases as word tuples).
"""
from __future__ import annotations


def _phrases(text: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(p.split()) for p in text.split(",") if p.strip())


# -- person titles: written before a person's name, never part of it -------------------------------

# Forms of address a story introduces its speakers with (`said Mr Jafari`): a title, not a role.
SPEAKER_ADDRESS = _phrases("mr, mrs, ms, dr")
# Titles a story introduces its speakers with (`said Maj. Gen. Jafari`, `Prime Minister Modi told`):
# every reader drops them.
SPEAKER_TITLES = SPEAKER_ADDRESS | _phrases("""
prof, king, queen, prince, president, prime minister, minister, foreign minister, secretary,
chancellor, speaker, senator, sen, rep, representative, ambassador, governor, mayor, spokesman, spokeswoman,
chairman, chairwoman, capt, general, gen, maj, colonel, col, lt, commander, sgt, grand ayatollah, ayatollah, imam,
sheikh, shaikh, supreme leader, leader
""")
# The other formal titles, ranks and honorifics: discovery and a name's key drop them; the attribution
# grammar reads only the speaker titles.
FORMAL_ADDRESS = _phrases("""
miss, sir, dame, lord, hrh, excellency, his excellency, highness, royal highness, serene highness, his highness,
her highness, his royal highness, her royal highness, majesty, his majesty, her majesty, eminence, his eminence,
holiness, his holiness, beatitude, his beatitude, custodian of the two holy mosques
""")
FORMAL_TITLES = FORMAL_ADDRESS | _phrases("""
professor, princess, crown prince, emir, amir, vice president, former president,
deputy prime minister, defence minister, defense minister, interior minister, secretary of state, secretary general,
spokesperson, captain, maj gen, major general, lt gen, lieutenant general, brig gen, brigadier general, brigadier,
major, lt col, lieutenant, admiral, adm, field marshal, marshal, sergeant, ayatullah, hojatoleslam, hojjatoleslam,
mullah, shaykh, sheik, cleric, mufti, grand mufti, pope, rabbi, reverend, rev, father, haj, hajj, haji, hajji,
charge daffaires
""")
# Offices a speaker is introduced with (`Chief Justice Roberts said`, `Gov. Newsom`) that a name's key
# keeps: as a name's first word they as often open a body's name (Justice and Development Party).
SPEAKER_OFFICES = _phrases("judge, justice, director, chief, gov")
# Roles, offices and forms of address before a name (Coach, Finance Minister, MP, activist, Datuk):
# a cue for a person in running text, kept in a name's key like the speaker offices.
# ... of which these are forms of address and words that qualify a role, saying nothing of an office.
STYLES = _phrases("""
mx, lady, her excellency, madam, madame, monsieur, herr, frau, senor, senora, datuk, datuk seri, tan sri, dato,
dato seri, tun, pehin, dasho, uncle, aunty, auntie, aunt, shri, smt, khunying, hon, honourable, honorable, former,
late, acting, senior
""")
ROLES = STYLES | _phrases("""
sultan, sheikha, shah, president elect, premier, deputy minister, finance minister,
oil minister, health minister, justice minister, education minister, trade minister, energy minister,
information minister, labour minister, labor minister, agriculture minister, culture minister, state minister,
cabinet minister, junior minister, chief minister, first minister, home secretary, foreign secretary, press secretary,
general secretary, deputy secretary, undersecretary, under secretary, cabinet secretary, permanent secretary,
vice chancellor, deputy speaker, congressman, congresswoman, special representative, special envoy, envoy, consul,
lieutenant governor, deputy mayor, councillor, councilor, alderman, mp, mep, lawmaker, legislator, chief justice,
magistrate, prosecutor, attorney general, solicitor general, advocate, barrister, lawyer, attorney, chief spokesman,
chairperson, chair, vice chairman, deputy chairman, ceo, cfo, coo, cto, chief executive, chief executive officer,
managing director, director general, deputy director, executive director, founder, co founder, president and ceo,
head, commissioner, inspector general, ombudsman, registrar, auditor general, provost, dean, rector, principal,
headmaster, coach, manager, skipper, striker, defender, goalkeeper, midfielder, anchor, editor, reporter,
correspondent, columnist, author, writer, analyst, economist, scientist, researcher, expert, activist, artist,
lieutenant colonel, lt cmdr, rear admiral, vice admiral, air marshal, corporal, cpl, private, pvt, commodore,
sergeant major, cardinal, archbishop, bishop, chief rabbi, pastor, patriarch, prophet, metropolitan, deacon,
opposition leader, party leader, supreme guide, chief of staff, deputy chief of staff, chief of general staff,
army chief, police chief, commander in chief, deputy commander, deputy head, deputy leader, deputy, vice,
first lady, nobel laureate, emperor, empress, dg, pm, mla, lg, lyonpo, grandmother, grandfather, maulana, maulvi,
engineer, counsel, comptroller, sister, togbe, alhaji, alhaja, hajia, treasurer, ranger, parliamentarian, comandante,
samdech, lecturer, senior lecturer, adviser, advisor, investigating officer, police officer, officer in charge, dgp,
igp, sp, asp, oc, io, ocs, warden, superintendent, inspector, detective,
administrator, coordinator, negotiator, presenter, commentator
""")
# Other spellings of Arabic and Persian titles, romanised and in their own script (folded: yeh and kaf
# Arabic, no hamza or madda): a name's key drops them, as a typed name may carry them; discovery keeps
# them in the name, as a reader does with Syed or Sayyid.
TITLE_SPELLINGS = _phrases("""
ayatolah, hujjat al islam, mulla, cheikh, sayyid, sayyed, sayed, seyed, seyyed, syed, sayid,
السيد, سيد, الشيخ, شيخ, الرييس, الامام, امام, اية الله, ايت الله, ايه الله, حجت الاسلام, حجه الاسلام, ايتالله, ايةالله,
ايهالله, حجتالاسلام, سردار, اللواء, العميد, الحاج, حاج
""")

# What discovery reads as a title: a cue for a person, cut off the name.
PERSON_TITLES = SPEAKER_TITLES | FORMAL_TITLES | SPEAKER_OFFICES | ROLES
# Titles that say how a person is addressed, not what they do: no role for a description.
FORMS_OF_ADDRESS = SPEAKER_ADDRESS | FORMAL_ADDRESS | STYLES
# First words of the phrases above, to test cheaply.
TITLE_FIRST_WORDS = frozenset(p[0] for p in PERSON_TITLES)
# What a name's key drops from its start (bot.nlp.names): formal titles in every spelling.
NAME_KEY_TITLES = SPEAKER_TITLES | FORMAL_TITLES | TITLE_SPELLINGS
# One-word titles that are also family names: at the end of a name opened by a given name they are
# the surname (Amit Shah, Sadik Sheikh, Bill King, Hun Sen), not the title of someone after.
SURNAME_TITLES = frozenset("shah sheikh shaikh sheik king prince sultan dame dean sen chief emir imam mufti bishop "
                           "marshal major haji pope".split())
# ... of which these also stand in the middle of a name (Hassan Sheikh Mohamud, Mojahar Ali Sheikh).
INNER_NAME_TITLES = frozenset("sheikh shaikh shah".split())
# Titles of rulers and holy men, written before the given name they are known by (King Salman, Imam Ali,
# Sheikh Mohammed, Pope Francis): the titled given name is its bearer, not the surname of another.
GIVEN_NAME_TITLES = frozenset("king queen prince princess emir sultan sheikh shaikh sheik shaykh sheikha imam pope "
                              "prophet emperor empress".split())

# -- calendar words --------------------------------------------------------------------------------

# Months in order (a month's number is its place), each with the short forms dates write it with.
MONTH_FORMS = (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
               ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
               ("november", "nov"), ("december", "dec"))
MONTHS = frozenset(forms[0] for forms in MONTH_FORMS)
MONTH_ABBREVIATIONS = frozenset(form for forms in MONTH_FORMS for form in forms[1:])
# Days in order, Monday first.
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Short days that are no English word or name (unlike Mon, Wed, Sat, Sun).
WEEKDAY_ABBREVIATIONS = frozenset("tue tues thu thur thurs fri".split())
HOLIDAYS = frozenset("ramadan eid christmas easter nowruz diwali hanukkah passover".split())
# Eras, halves of the day and time zones written with a date or a time.
CLOCK_WORDS = frozenset("ad bc am pm gmt utc est edt bst cet".split())
# Months that are also names (Theresa May, April Ryan).
NAME_MONTHS = frozenset("april may june august".split())
# Abbreviated months that are also given names: dates only before a day (Jan. 12).
NAME_MONTH_ABBREVIATIONS = frozenset("jan mar jun".split())
# The words of dates and times that discovery cuts names at (the months that are also names are
# read in context: NAME_MONTHS, NAME_MONTH_ABBREVIATIONS).
CALENDAR = MONTHS.union(WEEKDAYS, MONTH_ABBREVIATIONS - NAME_MONTH_ABBREVIATIONS, WEEKDAY_ABBREVIATIONS, HOLIDAYS,
                        CLOCK_WORDS)
