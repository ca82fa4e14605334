"""The kind of organisation a decision is about, read from the name the Ombudsman publishes.

The name says most of it ("Kent County Council", "Tandridge District Council", "London Borough
of Barnet", "Wigan Metropolitan Borough Council"). Where it does not ("Leeds City Council" is a
metropolitan borough, "Westminster City Council" a London borough), the place decides: the 32
London boroughs and 36 metropolitan boroughs are fixed lists. Every other council whose name
says neither county nor district ("Bristol City Council", "Reading Borough Council",
"Cornwall Council") is a unitary, city or borough council: the name cannot tell a borough that
is a district from one that is unitary, and staff can correct any guess in admin.
"""

from __future__ import annotations

import re

COUNTY_COUNCIL = "county_council"
DISTRICT_COUNCIL = "district_council"
UNITARY_COUNCIL = "unitary_council"
LONDON_BOROUGH = "london_borough"
METROPOLITAN_BOROUGH = "metropolitan_borough"
OTHER_AUTHORITY = "other_authority"
CARE_PROVIDER = "care_provider"
NHS_BODY = "nhs_body"
SCHOOL = "school"
OTHER = "other"

ORGANISATION_KINDS = (
    (COUNTY_COUNCIL, "County council"),
    (DISTRICT_COUNCIL, "District council"),
    (UNITARY_COUNCIL, "Unitary, city or borough council"),
    (LONDON_BOROUGH, "London borough"),
    (METROPOLITAN_BOROUGH, "Metropolitan borough"),
    (OTHER_AUTHORITY, "Combined or other authority"),
    (CARE_PROVIDER, "Care provider"),
    (NHS_BODY, "NHS body"),
    (SCHOOL, "School"),
    (OTHER, "Other"),
)
KIND_MEANINGS = {
    COUNTY_COUNCIL: "The upper tier of local government in a two-tier area: adult and children's social care, "
                    "education, highways, and more.",
    DISTRICT_COUNCIL: "The lower tier in a two-tier area: housing, planning, council tax, bins, and more. Only "
                      "councils whose name says 'District Council' are counted here.",
    UNITARY_COUNCIL: "A council that does the work of both tiers, and any other council whose name does not say "
                     "its tier (a 'Borough Council' may be a district): guessed from the name, corrected by staff.",
    LONDON_BOROUGH: "One of the 32 London borough councils, or the City of London.",
    METROPOLITAN_BOROUGH: "One of the 36 councils of the metropolitan counties (Greater Manchester, Merseyside, "
                          "South and West Yorkshire, Tyne and Wear, West Midlands).",
    OTHER_AUTHORITY: "A combined authority, national park, fire or transport authority, or other public body "
                     "that is not a council.",
    CARE_PROVIDER: "A care home or home care company the Ombudsman can investigate for adult social care.",
    NHS_BODY: "An NHS trust, commissioning group or board, or GP surgery (joint health and care complaints).",
    SCHOOL: "A school or college, for the few matters (such as admissions) the Ombudsman looks at.",
    OTHER: "Any other organisation, or one the name does not tell.",
}
COUNCIL_KINDS = (COUNTY_COUNCIL, DISTRICT_COUNCIL, UNITARY_COUNCIL, LONDON_BOROUGH, METROPOLITAN_BOROUGH)

LONDON_BOROUGHS = frozenset("""
barking and dagenham|barnet|bexley|brent|bromley|camden|croydon|ealing|enfield|greenwich|hackney|
hammersmith and fulham|haringey|harrow|havering|hillingdon|hounslow|islington|kensington and chelsea|
kingston upon thames|lambeth|lewisham|merton|newham|redbridge|richmond upon thames|southwark|sutton|
tower hamlets|waltham forest|wandsworth|westminster|city of london""".replace("\n", "").split("|"))

METROPOLITAN_BOROUGHS = frozenset("""
bolton|bury|manchester|oldham|rochdale|salford|stockport|tameside|trafford|wigan|knowsley|liverpool|
st helens|sefton|wirral|barnsley|doncaster|rotherham|sheffield|gateshead|newcastle upon tyne|
north tyneside|south tyneside|sunderland|birmingham|coventry|dudley|sandwell|solihull|walsall|
wolverhampton|bradford|calderdale|kirklees|leeds|wakefield""".replace("\n", "").split("|"))

# Councils called county councils that have been unitary since 2009.
UNITARY_COUNTIES = frozenset({"durham", "northumberland"})

_NHS = re.compile(r"\bnhs\b|\btrust\b|clinical commissioning|integrated care board|\bccg\b|\bicb\b|hospital|"
                  r"\bsurgery\b|medical (?:centre|practice)|health ?care partnership")
_SCHOOL = re.compile(r"\bschool\b|\bacademy\b|\bcollege\b|governing body|governors")
_AUTHORITY = re.compile(r"combined authority|greater london authority|national park|\bfire\b|\bpolice\b|"
                        r"transport for|\bauthority\b|\bcorporation\b|\bboard\b")
_COUNCIL = re.compile(r"\bcouncil\b|\bborough\b|^city of ")
_CARE = re.compile(r"\bcare\b|nursing|\bhomes?\b|healthcare|\blimited\b|\bltd\b|\bllp\b|\bplc\b|\bcic\b|\bgroup\b")
# Words around the place in a council's name: "London Borough of X", "X Metropolitan Borough Council".
_COUNCIL_WORDS = re.compile(r"^(?:the )?(?:council of the |london borough of |royal borough of |city and county of |"
                            r"city of |borough of )|"
                            r"(?: metropolitan)?(?: borough| district| city| county)?(?: council)?$")


def place_of(name: str) -> str:
    """The place a council's name is of: 'London Borough of Hammersmith & Fulham' -> 'hammersmith and fulham'."""
    text = re.sub(r"\s+", " ", name.lower().replace("&", " and ").replace(".", "").replace("-", " ")).strip()
    previous = None
    while previous != text:
        previous, text = text, _COUNCIL_WORDS.sub("", text).strip()
    return text


def organisation_kind(name: str) -> str:
    """The kind of organisation a published name says, or the best guess from it (see the module)."""
    text = " ".join(name.lower().split())
    if _NHS.search(text):
        return NHS_BODY
    if _SCHOOL.search(text):
        return SCHOOL
    if "city of london" in text:
        return LONDON_BOROUGH
    if "council" not in text and _AUTHORITY.search(text):
        return OTHER_AUTHORITY
    if _COUNCIL.search(text) and not re.search(r"\b(?:town|parish)\b council", text):
        place = place_of(name)
        if "london borough" in text or place in LONDON_BOROUGHS:
            return LONDON_BOROUGH
        if "metropolitan" in text or place in METROPOLITAN_BOROUGHS:
            return METROPOLITAN_BOROUGH
        if "county council" in text and place not in UNITARY_COUNTIES:
            return COUNTY_COUNCIL
        if "district council" in text:
            return DISTRICT_COUNCIL
        return UNITARY_COUNCIL
    if _AUTHORITY.search(text):
        return OTHER_AUTHORITY
    if _CARE.search(text):
        return CARE_PROVIDER
    return OTHER
