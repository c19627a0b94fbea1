"""General English word lists that actor discovery reads capitalised words with.

No actor knowledge here (that is config/actors.yaml): only the head words of
organisation names, nationality adjectives and the common words that start
sentences; person titles and calendar words are the vocabulary every reader
shares (bot.corpus.vocabulary). All entries are folded keys (see
bot.nlp.tokens.token_key).
"""
from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that end (or, before "of", head) an organisation's name.
ORG_HEADS = _words("""
organization organizations house railway railways co party parties movement front forces force units unit brigade brigades battalion battalions
corps army armies navy guard guards militia militias ministry ministries council councils committee committees commission
commissions authority authorities agency agencies bureau department departments office institute institution institutions
university universities college colleges school schools academy center centers foundation foundations fund bank banks
company companies corporation corp inc ltd llc plc group groups association associations union unions federation league
alliance coalition society club clubs church churches court courts tribunal parliament assembly congress senate cabinet
government police service services network news times post press tribune herald gazette journal airlines airways
bloc board chamber trust mission embassy embassies consulate watch international initiative program programme radio tv television broadcasting
media magazine daily telegraph holdings industries secretariat directorate command division regiment brotherhood
organisation observatory commission consortium cooperative federation fc hospital clinic laboratory laboratories lab
partners consultancy exchange ventures enterprises motors energy petroleum oil gas telecom airline bourse
caucus nations panel taskforce administration empire archives theatre theater fm collective confederation faculty
community
""")
# Head words of the public bodies of a town or district (Nordvik District Council, Varaganj Police).
LOCAL_BODY_HEADS = _words("council councils assembly municipality police court government committee authority")
# Organisation words that also stand alone in ordinary prose and start no name by themselves.
# Last words of company names: a name ending in one is a firm (Kestrel Finance, Orvane Brands), though
# the word alone is no head (Finance Minister, Capital Markets).
COMPANY_WORDS = _words("finance insurance brokers analytics brands capital holdings partners ventures resources mining "
                       "pharma pharmaceuticals technologies technology tech systems solutions labs logistics entertainment "
                       "studios records films pictures communications electronics investments securities consulting "
                       "gaming foods beverages brewery construction engineering properties realty hotels resorts "
                       "shipping steel cement chemicals motors airlines holding sons limited")
# Bodies a country has one of, named by their head word alone (the Parliament, Congress); other head
# words alone (the Institute, the Party) refer back to a name given before.
STANDING_BODIES = _words("parliament congress cabinet house assembly senate tribunal navy army knesset majlis crown")
WEAK_ORG_HEADS = _words("group government court news times post school office service services bank church energy oil gas "
                        "international media exchange summit conference forum unit company")

# Last words of place names and of named events: after a nationality adjective they make one name
# (Persian Gulf, English Channel, Iranian Revolution, Arab Spring).
PLACE_HEADS = _words("republic kingdom emirates gulf ocean sea channel peninsula island islands mountains mountain valley river lake strait "
                     "desert coast bay plateau basin canal region province state city county district square heights hills "
                     "hill bridge drive street road avenue lane boulevard highway expressway bypass beach cove park zoo "
                     "airport station stadium port harbour harbor dam mosque temple cathedral palace tower towers mall market "
                     "bazaar chowk circle roundabout interchange reserve forest falls peak town village township territory "
                     "regions hamlet creek cemetery monument refuge sector sectors prison jail hotel museum gallery st rd ave "
                     "gardens area block")
# Place heads of the land and its waters: the name before them alone is the place too (the Tarvan Heights ...
# the Tarvan; the Orlin River ... the Orlin), as it is not for a built place (the Velmont Hotel ... Velmont).
LANDFORM_HEADS = _words("heights hills mountains valley river lake strait desert coast peninsula plateau basin sea gulf "
                        "island islands falls delta")
# What only a person has, after a possessive: Tarvo's widow, Varde's birthday (not family or children: a
# town's children; not death: a town's death toll).
PERSON_POSSESSIONS = _words("birthday wife husband son daughter mother father brother sister widow widower funeral "
                            "assassination memoir memoirs autobiography grandson granddaughter grandfather "
                            "grandmother girlfriend boyfriend fiancee fiance spouse")
# Place heads that also end the names of bodies: a central bank (Federal Reserve), a broadcaster (Radio
# Station), a market operator (Star Market).
BODY_PLACE_HEADS = _words("reserve station market")
EVENT_HEADS = _words("revolution war wars spring uprising crisis deal agreement accord accords treaty intifada "
                     "games cup olympics election elections plan doctrine festival week day fair expo award awards prize "
                     "championship championships tournament marathon summit conference forum project "
                     "act bill law scheme framework index report strategy policy vision declaration charter "
                     "convention resolution constitution code goals emergency exception memorandum period class yatra")
# Words after a name that make it a quantity's unit (R92 million, USD 5bn).
QUANTITY_WORDS = _words("million millions billion billions trillion mln bln bn mn m k percent per cent")

# Political leanings, read as the group adjectives below are (Communist Party, Liberal Democrats).
POLITICAL_LEANINGS = _words("""
baathist zionist zionists marxist communist communists socialist socialists liberal liberals
conservative conservatives republican republicans democrat democrats democratic tory tories
""")
# Nationality and group adjectives (and plural nouns): NORP, not actors.
DEMONYMS = _words("""
afghan afghans african africans albanian algerian algerians american americans angolan arab arabs arabian argentine
argentinian armenian armenians asian asians australian australians austrian azerbaijani azeri bahraini bahrainis
baloch baluch bangladeshi belarusian belgian belizean beninese bhutanese bolivian bosnian brazilian brazilians british briton britons
bulgarian burkinabe burmese burundian cambodian cameroonian canadian canadians chadian chilean chinese colombian
congolese croatian cuban cypriot czech danish djiboutian dominican dutch ecuadorian egyptian egyptians emirati emiratis
english eritrean estonian ethiopian ethiopians european europeans fijian filipino filipinos finnish french gabonese
gambian georgian german germans ghanaian ghanaians greek guatemalan guinean guyanese haitian honduran hungarian icelandic indian
indians indonesian indonesians iranian iranians iraqi iraqis irish israeli israelis italian ivorian jamaican japanese
jordanian jordanians kazakh kenyan kenyans korean koreans kosovar kurdish kurd kurds kuwaiti kuwaitis kyrgyz lao laotian
latvian lebanese liberian libyan libyans lithuanian macedonian malagasy malawian malaysian malaysians maldivian malian
maltese mauritanian mauritian mexican mexicans moldovan mongolian montenegrin moroccan moroccans mozambican namibian
nepali nepalese nicaraguan nicaraguans nigerian nigerians nigerien norwegian omani omanis pakistani pakistanis palestinian palestinians
panamanian papuan paraguayan persian persians peruvian polish portuguese qatari qataris romanian russian russians
rwandan rwandans salvadoran samoan saudi saudis scottish senegalese serbian serb serbs leonean singaporean slovak
slovenian somali somalis sudanese spanish lankan sudanese swazi swedish swiss syrian syrians taiwanese tajik
tanzanian tanzanians thai tibetan togolese tongan tunisian tunisians turkish turkmen turks ugandan ugandans ukrainian
ukrainians uruguayan uzbek venezuelan vietnamese welsh yemeni yemenis zambian zimbabwean zimbabweans
shia shiite shiites shias shi'ite sunni sunnis alawite alawites druze christian christians muslim muslims jewish jews
islam christianity judaism catholic catholics protestant orthodox hindu hindus buddhist buddhists sikh sikhs islamic
islamist islamists jihadist
jihadists arabic hebrew yazidi yazidis assyrian chaldean maronite coptic copts bedouin pashtun tajiks hazara uyghur
uighur rohingya tamil tamils sinhalese maori aboriginal indigenous latino latina hispanic westerners
""") | POLITICAL_LEANINGS

# Capitalised words that are never actors on their own: page furniture, pronouns, interjections.
NOT_ACTORS = _words("""
i i'm i've i'd i'll me my we us our you your he him his she her it its they them their this that these those
there here what which who whom whose when where why how yes no not ok okay oh hello hi dear sir madam god allah
read more click subscribe advertisement share tweet email print follow related photo photos video videos watch
listen image images caption credit copyright reserved rights terms privacy policy cookies cookie accept login
sign register newsletter newsletters home menu search comments comment reply trending exclusive breaking update
updated opinion analysis editorial feature features podcast live page section category archive tags tag
covid coronavirus internet web website online celsius fahrenheit im ive ill youre theyre weve dont cant wont isnt didnt doesnt
mr mrs ms dr prof
""")

# Acronyms of things, not of organisations.
NOT_ACTOR_ACRONYMS = _words("""
atm tv gdp gnp ceo cfo coo hiv aids covid phd mba vat gmt utc lgbt lgbtq lgbtqi lgbtqia ngo ngos sms usd eur gbp pdf dna
faq ai id ok tba fyi gps suv ev evs lng lpg cctv pcr rna sars mers icu ppe hq am pm ad bc mp mps mep ict it ip isp url
www html api app sim usb dvd cd vip diy pr qa mou nb ps etc pc kg km mw kw gw bn mn am fm ii iii iv vi vii viii ix xi
fta ipo npl led fdi sme smes nft nfts esg kpi roi yoy vpn nev cop iq qr ma ba bsc msc dj dm bb cm vp ag ce hm
""")

# Lower-case words inside names (Osama bin Laden, Abu Bakr al-Baghdadi, Charles de Gaulle).
NAME_PARTICLES = _words("al el bin ibn bint ben abu abd de da di du do dos das del della van von der den ter la le ul ud "
                        "ad ash as at az an ar wa ka")
# Abbreviated given names that open a person's name (Md Tarikul Varem, Mohd Shah).
NAME_ABBREVIATIONS = _words("md mohd muhd mohamad mst")
# Possessive words that start organisation names (People's Front, Children's Fund).
POSSESSIVE_ORG_WORDS = _words("people peoples children women men workers veterans citizens farmers students teachers "
                              "journalists traders nations lawyers doctors")
# Particles that show a name is a person's, not a place's (al- alone does not: Deir al-Zor).
PERSON_PARTICLES = _words("bin ibn bint abu abd ben ka")
# First words of Arabic and Persian place names.
PLACE_PREFIXES = _words("deir dayr tel tal jebel jabal wadi bab ain ein ras ras' umm kafr khan qasr bandar sidi bir "
                        "port mount mt lake cape fort gulf strait sea river new north south east west central upper lower "
                        "greater saint san santa sao")

# Verbs that follow a speaker: the name before them is a person.
SPEECH_VERBS = _words("said says told added noted stated argued explained asked wrote tweeted insisted claimed warned "
                      "stressed urged declared announced confirmed denied replied recalled acknowledged admitted "
                      "believes thinks thought according adds explains insists recalls admits acknowledges tweets "
                      "writes warns urges stresses asks replies denies confirms announces declares argues")

# Words that start sentences (and headline lines) without naming anyone.
COMMON_STARTERS = _words("""
a an the and but or nor so yet for if then than as at by in on of to from with without within into onto over under
after before since during while until till about above across against along among around behind below beneath beside
besides between beyond despite except inside near off outside past through throughout toward towards upon via
this that these those there here it its he she they we you i his her their our your my who what when where why how
which whose whom all any both each every either neither few many much more most some such no none nothing
one two three four five six seven eight nine ten first second third last next another other others
however meanwhile moreover furthermore nevertheless nonetheless therefore thus hence indeed instead also still
although though because unless whether once now today yesterday tomorrow tonight recently earlier later
already again always never often sometimes perhaps maybe finally eventually similarly likewise additionally
consequently accordingly otherwise rather only even just well yes no not
according asked speaking talking writing citing following including given based having being
is are was were be been has have had do does did will would can could should may might must shall
let lets please note see read watch click find get make take give keep look come go say tell
many several various numerous certain most top senior local former new old young big small high low
mr mrs ms dr
""")

# -- cues from the words around a name ------------------------------------------------------------
# Lower-case compass adjectives before a name: it is a place (northern Velmarapa).
COMPASS_WORDS = _words("northern southern eastern western central northeastern northwestern southeastern southwestern "
                       "north south east west upper lower coastal neighbouring neighboring")
# Compass points as nouns: `west of Orlin` places the name after the `of`.
COMPASS_POINTS = _words("north south east west northeast northwest southeast southwest")
# Lower-case nouns after a name that make it a place (Korvash province, Tesna river).
PLACE_NOUNS = _words("region province district county prefecture governorate municipality city town village island "
                     "islands river valley mountains lake upazila township neighbourhood neighborhood suburb oblast "
                     "emirate canton department archipelago peninsula desert border coast")
# Lower-case nouns after a name that make it an organisation's (Velkor magazine, the Sinaloa cartel) ...
# ... and those that follow a leader's surname as often (the Albanese government, Labour MPs): a weak cue.
LEADER_NOUNS = _words("government spokesman spokesperson mp mps senator senators lawmaker lawmakers")
ORG_NOUNS = _words("party company firm militia cartel gang faction newspaper daily broadcaster organisation "
                   "organization") | LEADER_NOUNS
# Lower-case nouns after a name for the people who act for it: a body's (Greens leader Orvin Kestle, ED officials).
MEMBER_NOUNS = _words("leader leaders leadership official officials representative representatives member members "
                      "candidate candidates counsel founder officers analyst analysts economist economists "
                      "executive executives employee employees shareholders")
# Lower-case nouns after a name for the people who play or coach for it: a club's (Chelsea goalkeeper).
TEAM_ROLE_NOUNS = _words("coach striker forward midfielder defender goalkeeper keeper winger skipper squad playmaker "
                         "fullback")
# Bodies named after who leads them (the Kishida Cabinet, the Modi government).
LED_BODY_HEADS = _words("cabinet government administration regime camp")
# Nouns an apposition or `is a` gives a name, making it a body's (`Velkor Data, a market research firm`) or a
# place's (`Tarvo, one of six villages`; `Tarvo is a settlement of 3,000 people`).
APPOSITION_ORG_NOUNS = (ORG_NOUNS - LEADER_NOUNS) | _words(
    "group agency bank charity network association union club team institute subsidiary startup manufacturer "
    "maker operator provider lender insurer retailer publisher carrier airline developer producer magazine outlet "
    "broadcaster foundation movement coalition alliance conglomerate consultancy")
APPOSITION_PLACE_NOUNS = PLACE_NOUNS | _words("settlement hamlet suburb enclave capital")
# Lower-case nouns before `of` that make the name after it a place (the outskirts of Tarvo, the mayor of Orlin).
PLACE_OF_NOUNS = APPOSITION_PLACE_NOUNS | _words("outskirts residents inhabitants mayor streets suburbs")
# Offices a place has (the Tarvo mayor, Orlin chief minister): a name before one is no employer.
PLACE_OFFICE_WORDS = _words("mayor governor premier minister councillor councilor legislator mla") | LEADER_NOUNS
# The endings of web addresses that say a site's type, not its name (Velkor.com; velkorpost.com.vr, whose own
# label is velkorpost).
WEB_DOMAIN_ENDINGS = _words("com org net co gov edu ac info news media")
# Title words that are English adjectives too (Chief Clerk, Senior Partner, General Harvest): the ordinary words
# after one may go on with a phrase rather than name its holder.
ADJECTIVE_TITLES = _words("senior acting vice deputy general private head chief major principal")
# Title words that, in lower case before a name, are rarely a person's role (the former Soviet Union).
NOT_ROLE_WORDS = ADJECTIVE_TITLES | _words("former late chair leader father expert representative director manager")
# Verbs after a sentence's first word that make it the subject: a name, not an ordinary word (Ip has).
SUBJECT_VERBS = _words("has had is was will would also says added told asked")

# -- inside names ----------------------------------------------------------------------------------
# Legal forms written after a comma: `VarnoWorks, Inc`.
LEGAL_FORMS = _words("inc ltd llc plc corp co cos limited gmbh bhd llp")
# Head words that also name a ministry's subject (Ministry of Environment and Energy).
SUBJECT_HEADS = _words("energy oil gas media services petroleum telecom television radio")
# Documents and undertakings named as `X of Y` (Memorandum of Understanding), not bodies.
DOCUMENT_HEADS = _words("memorandum declaration plan agreement treaty charter act law code strategy day week year "
                        "decade statement letter bill")
# Heads of institutions named after an office holder's possessive (Magistrate's Court, Prosecutor's Office).
OFFICE_HEADS = _words("court office college school hospital church chambers")
# Head words that also open bodies' names (Radio Plus, Front Line Defenders, Federation Against Torture).
OPENING_HEADS = _words("radio daily federation league movement front alliance association coalition union network "
                       "society foundation institute confederation collective")
# The name particles that open a surname written on its own (De Varnosa, Dos Santos, Van Dorvelt).
SURNAME_PARTICLES = _words("de da dos das du del della di van von ter")
# What opens a surname written with a capital after it (McAllister, DeSantis, ElBaradei): no brand's casing.
CAPITALISED_SURNAME_PREFIXES = NAME_PARTICLES | _words("mc mac fitz")
# Articles that open Spanish, French and Arabic place names (Los Tarvos, Las Orvelas, El Salvador).
PLACE_ARTICLES = _words("los las el la le les al")
