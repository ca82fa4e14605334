"""Write N realistic LGSCO decision statements as text files, deterministically for a seed.

    python bench/generate_corpus.py OUT_DIR --count 10000 [--seed 1]

The statements follow the Ombudsman's template in both layouts (blank-line blocks with
numbered paragraphs and 'Back to top'; compact '- ' paragraphs), with the real category
tree, a few hundred English council names and some care providers, dates over 2013–2025,
every outcome, findings that fit the outcome and remedies with amounts. Filler prose is
drawn from ``vocabulary.txt`` with a Zipf-like frequency spread, so some words match a
handful of decisions and others most of them, as in real text. Sizes run from about 3 to
20 KB. No Django import: this is a plain script.
"""

from __future__ import annotations

import argparse
import itertools
import random
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent

CATEGORIES = {
    "Adult care services": ["Assessment and care plan", "Charging", "Residential care", "Safeguarding",
                            "Direct payments", "Domiciliary care", "Transition from children's services", "Other"],
    "Benefits and tax": ["Council tax", "Housing benefit and council tax benefit", "Business rates",
                         "Council tax reduction", "Other"],
    "Children's care services": ["Child protection", "Looked after children", "Friends and family carers",
                                 "Fostering", "Adoption", "Disabled children", "Special guardianship", "Other"],
    "Education": ["Special educational needs", "School admissions", "School transport", "Alternative provision",
                  "Exclusions", "Other"],
    "Environment and regulation": ["Refuse and recycling", "Antisocial behaviour", "Noise", "Pollution", "Trees",
                                   "Licensing", "Drainage", "Cemeteries and crematoria", "Other"],
    "Health": ["Community health services", "Mental health", "Other"],
    "Housing": ["Allocations", "Homelessness", "Council house repairs", "Disabled facilities grants",
                "Private housing", "Other"],
    "Other Categories": ["Land", "Commercial and contracts", "Corporate and other services", "Councillor conduct",
                         "Other"],
    "Planning": ["Planning applications", "Enforcement", "Building control", "Planning advice", "Other"],
    "Transport and highways": ["Parking and other penalties", "Highway repair and maintenance", "Highway adoption",
                               "Street lighting", "Traffic management", "Public transport", "Other"],
}
CATEGORY_WEIGHTS = [18, 8, 12, 16, 9, 2, 14, 6, 9, 6]

PLACES = """
Barnsley Bath Bedford Birmingham Blackburn Blackpool Bolton Bournemouth Bracknell Bradford Brent Brighton Bristol
Bromley Buckinghamshire Bury Calderdale Cambridge Cambridgeshire Camden Canterbury Carlisle Cheltenham Cheshire
Chester Chesterfield Chichester Colchester Cornwall Coventry Croydon Cumberland Darlington Derby Derbyshire Devon
Doncaster Dorset Dudley Durham Ealing Eastbourne Enfield Essex Exeter Gateshead Gloucester Gloucestershire
Greenwich Hackney Halton Hammersmith Hampshire Haringey Harrogate Harrow Hartlepool Havering Herefordshire
Hertfordshire Hillingdon Hounslow Hull Ipswich Islington Kensington Kent Kingston Kirklees Knowsley Lambeth
Lancashire Leeds Leicester Leicestershire Lewisham Lincoln Lincolnshire Liverpool Luton Maidstone Manchester Medway
Merton Middlesbrough Milton Newcastle Newham Norfolk Northampton Northumberland Norwich Nottingham Nottinghamshire
Oldham Oxford Oxfordshire Peterborough Plymouth Portsmouth Preston Reading Redbridge Redcar Richmond Rochdale
Rotherham Rutland Salford Sandwell Sefton Sheffield Shropshire Slough Solihull Somerset Southampton Southend
Southwark Stafford Staffordshire Stockport Stockton Stoke Suffolk Sunderland Surrey Sutton Swindon Tameside Telford
Thurrock Torbay Tower Trafford Wakefield Walsall Waltham Wandsworth Warrington Warwickshire Westminster Wigan
Wiltshire Winchester Windsor Wirral Woking Wokingham Wolverhampton Worcester Worcestershire York Yorkshire
Allerdale Arun Ashfield Ashford Babergh Basildon Basingstoke Bassetlaw Blaby Bolsover Boston Braintree Breckland
Brentwood Broadland Bromsgrove Broxbourne Broxtowe Burnley Cannock Castle Charnwood Cherwell Chorley Copeland
Cotswold Crawley Dacorum Dartford Daventry Dover Elmbridge Epping Epsom Erewash Fareham Fenland Folkestone Gedling
Gosport Gravesham Guildford Harborough Harlow Hart Hastings Havant Hertsmere Hinckley Horsham Huntingdonshire
Hyndburn Lewes Lichfield Malvern Mansfield Melton Mendip Mole Newark Nuneaton Oadby Pendle Redditch Reigate Ribble
Rochford Rossendale Rugby Runnymede Rushcliffe Rushmoor Selby Sevenoaks Spelthorne Stevenage Stroud Swale Tamworth
Tandridge Teignbridge Tendring Tewkesbury Thanet Tonbridge Torridge Uttlesford Watford Waverley Wealden Welwyn
Worthing Wychavon Wyre
""".split()
COUNCIL_FORMS = ["{} City Council", "{} Borough Council", "{} District Council", "{} County Council", "{} Council",
                 "London Borough of {}", "Royal Borough of {}", "{} Metropolitan Borough Council"]
PROVIDER_FORMS = ["{} Care Limited", "{} Care Homes Ltd", "{} Healthcare (UK) Limited", "{} Home Care Services Ltd",
                  "{} Nursing Home", "{} Lodge Care Home"]
OUTCOMES = [("Upheld", 44), ("Not upheld", 14), ("Closed after initial enquiries", 34),
            ("Upheld: maladministration and injustice", 3), ("Not upheld: no maladministration", 2),
            ("Premature", 1), ("Withdrawn", 1), ("Advice given", 1)]
PEOPLE = ["Mr X", "Mrs X", "Ms X", "Miss X", "Mr Y", "Mrs Y", "Ms B", "Mr C", "Mrs D", "Ms E", "Mr F", "Miss G"]
REASONS = [
    ("another body is better placed to consider it", 3),
    ("it is unlikely we would find fault by the Council", 5),
    ("the injustice is not significant enough to justify our involvement", 3),
    ("the complaint is late and there are no good reasons to consider it now", 2),
    ("it was reasonable for the complainant to appeal to a tribunal", 2),
    ("it is premature: the Council has not had the chance to respond through its complaints procedure", 1),
]
PURPOSES = [
    ("to acknowledge the distress caused", 5),
    ("for the time and trouble pursuing the complaint", 4),
    ("to recognise the uncertainty and frustration caused", 3),
    ("to acknowledge the risk of harm", 1),
    ("for the loss of provision", 1),
    ("to refund the fees she paid", 1),
]
# Payments stated as a rate (about 1 upheld decision in 25, as lost education or provision is paid
# in real decisions): the amount a period, the period, and the number of periods or none.
RATES = [(150, "month"), (200, "month"), (300, "month"), (50, "week"), (75, "week"), (900, "term"), (1600, "term"),
         (2400, "term")]
AMOUNTS = [100, 150, 200, 250, 300, 350, 400, 500, 600, 750, 800, 1000, 1200, 1500, 2000, 2500, 3600, 5400]
FUNCTION_WORDS = "the of and to a in that for on with was by as it at from this be not or which their has its".split()
# Place names made of syllables: each appears in a handful of decisions, like the street and
# village names of real statements, so that searches for rare words have something to find.
NAME_STARTS = ("car ash bram stan wel thorn kel hart mar lang bur wick ald cres fen hol mel nor pen ros "
               "sal tad ux ven wold yar ab bel cor dun eg far gil hen ing jes kin lud mon").split()
NAME_MIDDLES = "ro ber ling den wick ham ford ley ton bar ches mer ridge wood stow by thorpe cot wen dal".split()
NAME_ENDS = "beck dale field gate holm mead moor shaw side stead well worth croft garth hurst combe".split()
BANNER = """Review your privacy settings

Required cookies

These cookies enable the website to function properly. You can only disable these by changing your browser \
preferences, but this will affect how the website performs.

View required cookies

Analytical cookies

Google Analytics cookies help us improve the performance of the website by understanding how visitors use the site.
We recommend you set these 'ON'.

View analytical cookies

Privacy settings"""


def load_vocabulary() -> tuple[list[str], list[float]]:
    """Words and cumulative weights: seed words first (the domain), a Zipf spread over all."""
    seed, general, current = [], [], None
    for line in (HERE / "vocabulary.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line in ("[seed]", "[general]"):
            current = seed if line == "[seed]" else general
            continue
        current.append(line.strip())
    rng = random.Random(7)
    rng.shuffle(seed)
    rng.shuffle(general)
    words = seed + general
    weights = [1.0 / (rank + 2) ** 1.07 for rank in range(len(words))]
    return words, list(itertools.accumulate(weights))


class Writer:
    """Generates one statement at a time from a seeded random source."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.words, self.cumulative = load_vocabulary()
        places = list(PLACES)
        organisations = []
        for index, place in enumerate(places):
            organisations.append(COUNCIL_FORMS[index % len(COUNCIL_FORMS)].format(place))
            if index % 3 == 0:
                organisations.append(COUNCIL_FORMS[(index + 3) % len(COUNCIL_FORMS)].format(place))
        self.councils = organisations
        self.providers = [PROVIDER_FORMS[i % len(PROVIDER_FORMS)].format(p) for i, p in enumerate(places[::4])]
        self.rare_names = [(a + b + c).capitalize() for a in NAME_STARTS for b in NAME_MIDDLES for c in NAME_ENDS]

    def pick(self, weighted):
        return self.rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]

    def prose(self, n_words: int) -> str:
        """A sentence of filler with natural word frequencies and function words between."""
        drawn = self.rng.choices(self.words, cum_weights=self.cumulative, k=n_words)
        out = []
        for index, word in enumerate(drawn):
            out.append(word)
            if index % 2 == 1:
                out.append(FUNCTION_WORDS[(index * 7 + len(word)) % len(FUNCTION_WORDS)])
        sentence = " ".join(out)
        return sentence[0].upper() + sentence[1:] + "."

    def paragraph(self, person: str, topic: str, sentences: int) -> str:
        parts = []
        for index in range(sentences):
            if index == 0:
                parts.append(self.rng.choice([
                    f"{person} complained to the Council about {topic} in {self.rng.randint(2012, 2024)}.",
                    f"The Council's records show that {topic} was raised with officers on several occasions.",
                    f"The Council said it had followed its procedures on {topic}.",
                    f"{person} says the Council did not respond properly to concerns about {topic}.",
                    f"I have considered the Council's handling of {topic} and the evidence provided.",
                ]))
            else:
                parts.append(self.prose(self.rng.randint(7, 16)))
        return " ".join(parts)

    def statement(self, index: int) -> str:
        rng = self.rng
        category = rng.choices(list(CATEGORIES), weights=CATEGORY_WEIGHTS)[0]
        subcategory = rng.choice(CATEGORIES[category])
        provider = category == "Adult care services" and rng.random() < 0.15
        organisation = rng.choice(self.providers if provider else self.councils)
        decided = date(2013, 1, 1) + timedelta(days=rng.randrange(365 * 13))
        reference = f"{(decided.year - 1) % 100:02d} {(index // 1000) % 1000:03d} {index % 1000:03d}"
        outcome = self.pick(OUTCOMES)
        person = rng.choice(PEOPLE)
        topic = f"{subcategory.lower()} matters" if subcategory == "Other" else subcategory.lower()
        compact = rng.random() < 0.2
        size = rng.choice([1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 8])  # scales the body: about 3 to 20 KB

        sections: list[tuple[str, list[str]]] = []
        street, village = rng.choice(self.rare_names), rng.choice(self.rare_names)
        sections.append(("The complaint", [f"{person} complains that the Council failed to deal properly with "
                                           f"{topic} at {street} Road, {village}. " + self.prose(12)]
                         + [self.paragraph(person, topic, 2) for _ in range(rng.randint(1, size + 1))]))
        sections.append(("The Ombudsman's role and powers", [
            "We investigate complaints about 'maladministration' and 'service failure'. In this statement, I have "
            "used the word 'fault' to refer to these. We must also consider whether any fault has had an adverse "
            "impact on the person making the complaint. (Local Government Act 1974, sections 26(1) and 26A(1), as "
            "amended)",
            "If we are satisfied with a council's actions or proposed actions, we can complete our investigation "
            "and issue a decision statement. (Local Government Act 1974, section 30(1B) and 34H(i), as amended)",
        ]))
        sections.append(("How I considered this complaint", [
            f"I considered information provided by {person} and the Council.",
            "Both parties had an opportunity to comment on my draft decision.",
        ]))
        remedies_text: list[str] = []
        not_investigated = outcome.startswith("Closed") or outcome in ("Premature", "Withdrawn", "Advice given")
        upheld = outcome.startswith("Upheld")
        if not_investigated:
            reason = self.pick(REASONS)
            summary = f"We will not investigate this complaint about {topic} because {reason}."
            sections.append(("My assessment", [self.paragraph(person, topic, 4) for _ in range(size + 2)]
                             + [f"We will not investigate this complaint because {reason}."]))
            final = [f"We will not investigate {person}'s complaint because {reason}."]
        else:
            found = [self.paragraph(person, topic, rng.randint(2, 5)) for _ in range(size * 2 + 2)]
            if upheld:
                amount = rng.choice(AMOUNTS)
                purpose = self.pick(PURPOSES)
                found.append(f"The Council was at fault and this caused {person} injustice.")
                summary = (f"{person} complained about {topic}. The Council was at fault and has agreed to "
                           f"apologise and pay £{amount:,} {purpose}.")
                remedies_text = [
                    f"Within one month of the final decision, the Council will apologise to {person} and pay "
                    f"£{amount:,} {purpose}.",
                ]
                if rng.random() < 0.4:
                    remedies_text.append("Within three months, the Council will review its procedures and remind "
                                         "staff of the guidance.")
                chance = rng.random()
                if chance < 0.04:
                    per, period = rng.choice(RATES)
                    periods = rng.choice([None, 2, 3, 4, 6])
                    count = f" for {periods} {period}s" if periods else ""
                    remedies_text.append(f"The Council will also pay {person} £{per:,} a {period}{count} of the "
                                         f"provision they missed." if periods else
                                         f"The Council will also pay {person} £{per:,} a {period} for the provision "
                                         f"they missed, until it is in place.")
                elif chance < 0.09:  # a payment whose amount the statement does not state
                    remedies_text.append(f"The Council will refund the charges {person} paid for the missed visits.")
                if rng.random() < 0.3:
                    extra = rng.choice(AMOUNTS)
                    remedies_text.append(f"The Council will also pay £{extra:,} for the time and trouble "
                                         f"{person} was put to.")
                remedies_text.append("The Council should provide us with evidence it has complied with the above "
                                     "actions.")
                final = ["I have completed my investigation. There was fault by the Council which caused injustice."]
            else:
                found.append(f"I do not find fault in how the Council dealt with {topic}.")
                summary = f"{person} complained about {topic}. We found no fault by the Council."
                final = ["I have completed my investigation. There was no fault by the Council."]
            sections.append(("What I found", found))
            if remedies_text:
                sections.append((rng.choice(["Agreed action", "Recommended action"]), remedies_text))
        sections.append(("Final decision", final))

        lines = [f"{organisation} ({reference})"]
        if rng.random() > 0.03:
            lines.append(f"Category : {category} > {subcategory}")
        lines += [f"Decision : {outcome}", f"Decision date : {decided.day} {decided.strftime('%b %Y')}",
                  "The Ombudsman's final decision:", f"Summary: {summary}"]
        for heading, paragraphs in sections:
            lines.append(heading)
            for number, text in enumerate(paragraphs, start=1):
                lines.append(f"- {text}" if compact else f"  {number}. {text}")
            if not compact:
                lines.append("Back to top")
        lines += ["Investigator's decision on behalf of the Ombudsman"]
        if not compact:
            lines += ["Print this page", "LGO logogram"]
        text = "\n".join(lines) if compact else "\n\n".join(lines)
        if rng.random() < 0.7:
            text = f"{text}\n\n{BANNER}"
        elif rng.random() < 0.15:
            text = f"{BANNER}\n\n{text}"
        return text + "\n"


def generate(out_dir: Path, count: int, seed: int = 1) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    writer = Writer(seed)
    for index in range(count):
        folder = out_dir / f"{index // 1000:03d}"
        if index % 1000 == 0:
            folder.mkdir(exist_ok=True)
        (folder / f"{index:06d}.txt").write_text(writer.statement(index), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.out_dir, args.count, args.seed)


if __name__ == "__main__":
    main()
