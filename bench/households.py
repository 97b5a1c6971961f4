"""Labelled test data for duplicate detection: US law-firm contacts grouped in households.

    .venv/bin/python bench/households.py [--people N] [--seed S] [--csv PATH]

`generate()` makes the contacts a US law firm collects (clients, claimants and their
family members) with addresses, phones and e-mails. About a quarter of the people were
entered two or three times, each extra record carrying the kind of damage intake really
does: nicknames, typos, married names, moves, new phone numbers, reformatted phones and
addresses, missing fields. Alongside them are hard negatives that must NOT be merged:
spouses, children, twins, Jr./Sr., elderly parents, siblings and roommates who share an
address, a landline or a family e-mail, and unrelated namesakes ("Maria Garcia", "John
Smith") who share nothing but the name. Some family members are duplicated too.

Every record carries `entity` (same for all records of one real person) and `kind` (how
it was made: "original", "duplicate:nickname,moved", "spouse", "twin", ...), so
`true_pairs()` gives the answer key.

This corruption model is deliberately independent of the project's own generator
(bench/dupgen.py) and of the duplicate engine: it was written without looking at either,
with its own nickname table and error rates, so that it measures the engine on data that
was not shaped around it.

Only the standard library and Faker's name tables are used; everything is drawn from one
random.Random(seed), so a seed always gives the same records.
"""

from __future__ import annotations

import argparse
import csv
import functools
import itertools
import random
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from faker.providers.person.en_US import Provider as EnUsNames
from faker.providers.person.es_MX import Provider as EsMxNames

# Ages are counted from a fixed day, not today, so a seed gives the same data every year.
REFERENCE_DATE = date(2025, 6, 30)

# Shares per primary person. Hard negatives add ~0.24 records per person (~700 per 3,000).
DUPLICATED_SHARE = 0.27  # primaries with 1-2 extra records
RELATIVE_DUPLICATED_SHARE = 0.15  # family members, roommates and namesakes with extra records
RELATIVE_RATES = {
    "twin": 0.012,
    "junior_senior": 0.020,
    "spouse": 0.080,
    "child": 0.050,
    "parent": 0.020,
    "sibling": 0.015,
    "roommate": 0.015,
    "namesake": 0.025,
}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# ---------------------------------------------------------------------------------------
# Places. Real cities with their real ZIP prefixes and area codes, so a phone's area code
# usually matches the address (and phonenumbers accepts it). Weights are rough metro sizes
# skewed towards the states a plaintiff firm works most.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class City:
    name: str
    state: str
    zip3: tuple[str, ...]
    area_codes: tuple[str, ...]
    weight: float
    hispanic_share: float
    apartment_share: float = 0.3


CITIES = (
    City("Chicago", "IL", ("606",), ("312", "773", "872"), 14, 0.28, 0.55),
    City("Evanston", "IL", ("602",), ("847", "224"), 2, 0.12),
    City("Naperville", "IL", ("605",), ("630", "331"), 2, 0.08),
    City("Joliet", "IL", ("604",), ("815", "779"), 2, 0.25),
    City("Houston", "TX", ("770",), ("713", "281", "832", "346"), 8, 0.42),
    City("San Antonio", "TX", ("782",), ("210", "726"), 4, 0.60),
    City("Dallas", "TX", ("752",), ("214", "469", "972"), 5, 0.40),
    City("El Paso", "TX", ("799",), ("915",), 2, 0.78),
    City("Austin", "TX", ("787",), ("512", "737"), 3, 0.33),
    City("Los Angeles", "CA", ("900",), ("213", "323", "310", "818"), 8, 0.48, 0.5),
    City("San Diego", "CA", ("921",), ("619", "858"), 3, 0.30),
    City("Fresno", "CA", ("937",), ("559",), 2, 0.50),
    City("Sacramento", "CA", ("958",), ("916", "279"), 2, 0.28),
    City("Phoenix", "AZ", ("850",), ("602", "480", "623"), 4, 0.42),
    City("Tucson", "AZ", ("857",), ("520",), 2, 0.44),
    City("Albuquerque", "NM", ("871",), ("505",), 2, 0.48),
    City("Miami", "FL", ("331",), ("305", "786"), 4, 0.70, 0.5),
    City("Orlando", "FL", ("328",), ("407", "321"), 3, 0.33),
    City("Tampa", "FL", ("336",), ("813", "656"), 3, 0.26),
    City("Atlanta", "GA", ("303",), ("404", "678", "470"), 4, 0.10),
    City("New York", "NY", ("100",), ("212", "646", "917"), 5, 0.25, 0.85),
    City("Brooklyn", "NY", ("112",), ("718", "347", "929"), 4, 0.19, 0.75),
    City("Bronx", "NY", ("104",), ("718", "347"), 2, 0.55, 0.8),
    City("Buffalo", "NY", ("142",), ("716",), 1, 0.12),
    City("Newark", "NJ", ("071",), ("973", "862"), 2, 0.36, 0.5),
    City("Philadelphia", "PA", ("191",), ("215", "267", "445"), 4, 0.15, 0.35),
    City("Pittsburgh", "PA", ("152",), ("412", "878"), 2, 0.04),
    City("Cleveland", "OH", ("441",), ("216",), 2, 0.12),
    City("Columbus", "OH", ("432",), ("614", "380"), 2, 0.07),
    City("Detroit", "MI", ("482",), ("313",), 3, 0.08),
    City("Grand Rapids", "MI", ("495",), ("616",), 1, 0.16),
    City("Milwaukee", "WI", ("532",), ("414",), 2, 0.20),
    City("Minneapolis", "MN", ("554",), ("612",), 2, 0.10),
    City("St. Louis", "MO", ("631",), ("314", "557"), 3, 0.04),
    City("Kansas City", "MO", ("641",), ("816",), 2, 0.11),
    City("Indianapolis", "IN", ("462",), ("317", "463"), 2, 0.11),
    City("Louisville", "KY", ("402",), ("502",), 2, 0.06),
    City("Nashville", "TN", ("372",), ("615", "629"), 2, 0.10),
    City("Memphis", "TN", ("381",), ("901",), 2, 0.08),
    City("New Orleans", "LA", ("701",), ("504",), 2, 0.06),
    City("Baton Rouge", "LA", ("708",), ("225",), 1, 0.04),
    City("Birmingham", "AL", ("352",), ("205", "659"), 2, 0.04),
    City("Jackson", "MS", ("392",), ("601", "769"), 1, 0.02),
    City("Charlotte", "NC", ("282",), ("704", "980"), 2, 0.15),
    City("Raleigh", "NC", ("276",), ("919", "984"), 2, 0.11),
    City("Denver", "CO", ("802",), ("303", "720"), 2, 0.29),
    City("Las Vegas", "NV", ("891",), ("702", "725"), 2, 0.33),
    City("Seattle", "WA", ("981",), ("206",), 2, 0.07, 0.5),
    City("Portland", "OR", ("972",), ("503", "971"), 1, 0.10),
    City("Boston", "MA", ("021",), ("617", "857"), 2, 0.20, 0.6),
    City("Baltimore", "MD", ("212",), ("410", "443"), 2, 0.06),
    City("Oklahoma City", "OK", ("731",), ("405",), 1, 0.20),
)

STREET_NAMES = _words(
    "Main Oak Maple Park Pine Cedar Elm Washington Lake Hill Walnut Lincoln Jackson Jefferson Madison "
    "Franklin Adams Church Highland Center Spring Ridge Sunset Meadow Forest Chestnut Willow River "
    "Lakeview Hillcrest Cherry Dogwood Magnolia Prospect Union Mill Market Grand Sheridan Western Central "
    "Kingston Fairview Woodland Railroad Cottonwood Mesquite Palm Sycamore Hickory Birch Laurel Locust "
    "Poplar College Academy Liberty Valley Orchard Greenwood Evergreen Heritage Bayshore"
)
STREET_SUFFIXES = {  # canonical: (abbreviation, weight)
    "Street": ("St", 30),
    "Avenue": ("Ave", 20),
    "Road": ("Rd", 10),
    "Drive": ("Dr", 12),
    "Lane": ("Ln", 6),
    "Court": ("Ct", 5),
    "Boulevard": ("Blvd", 4),
    "Place": ("Pl", 3),
    "Way": ("Wy", 4),
    "Circle": ("Cir", 3),
    "Terrace": ("Ter", 2),
    "Parkway": ("Pkwy", 1),
    "Trail": ("Trl", 1),
    "Highway": ("Hwy", 1),
}
DIRECTIONS = {"N": "North", "S": "South", "E": "East", "W": "West"}

EMAIL_DOMAINS = (
    ("gmail.com", 44),
    ("yahoo.com", 14),
    ("hotmail.com", 8),
    ("aol.com", 5),
    ("outlook.com", 5),
    ("icloud.com", 6),
    ("comcast.net", 4),
    ("att.net", 3),
    ("sbcglobal.net", 3),
    ("msn.com", 2),
    ("live.com", 2),
    ("verizon.net", 1),
    ("bellsouth.net", 1),
    ("me.com", 1),
    ("ymail.com", 1),
)
# Older clients still use the ISP and AOL addresses they opened in the 1990s.
OLDER_EMAIL_DOMAINS = (
    ("aol.com", 15),
    ("att.net", 8),
    ("comcast.net", 10),
    ("sbcglobal.net", 6),
    ("yahoo.com", 20),
    ("gmail.com", 30),
    ("bellsouth.net", 4),
    ("verizon.net", 4),
    ("hotmail.com", 6),
    ("msn.com", 3),
)
EMAIL_HANDLES = _words(
    "tigerfan soccermom bigmike cubsfan lakergirl sunshine angel bluesky gator hoops rosebud princess "
    "cowboy mama papa jazzman buckeye longhorn nana grandpa dreamer honeybee diesel harley lucky"
)
EMAIL_DOMAIN_TYPOS = {
    "gmail.com": ("gmial.com", "gmail.co", "gmai.com", "gmail.con", "gnail.com"),
    "yahoo.com": ("yaho.com", "yahoo.co", "yahooo.com", "yhaoo.com"),
    "hotmail.com": ("hotmial.com", "hotmail.co", "hotmai.com"),
    "aol.com": ("aol.co", "aoll.com"),
    "outlook.com": ("outlok.com", "outlook.co"),
    "icloud.com": ("icoud.com", "icloud.co"),
    "comcast.net": ("comcast.com", "comcat.net"),
}

# Phone formats people type: (template, weight). All parse with phonenumbers for region US.
PHONE_FORMATS = (
    ("({a}) {e}-{l}", 30),
    ("{a}-{e}-{l}", 25),
    ("{a}.{e}.{l}", 8),
    ("{a}{e}{l}", 12),
    ("+1 {a} {e} {l}", 5),
    ("+1{a}{e}{l}", 5),
    ("1-{a}-{e}-{l}", 4),
    ("{a} {e} {l}", 5),
    ("({a}){e}-{l}", 4),
    ("+1-{a}-{e}-{l}", 2),
    ("1 ({a}) {e}-{l}", 2),
)


# ---------------------------------------------------------------------------------------
# Names. Our own nickname table (sex, formal spellings, nicknames); lookups ignore accents
# and case. Spelling variants of one formal name (Steven/Stephen) count as the same name.
# ---------------------------------------------------------------------------------------

NICKNAME_GROUPS = (
    ("M", ("William",), ("Bill", "Will", "Billy", "Willie")),
    ("M", ("Robert",), ("Bob", "Rob", "Bobby", "Robbie")),
    ("M", ("James",), ("Jim", "Jimmy", "Jamie")),
    ("M", ("John",), ("Jack", "Johnny")),
    ("M", ("Jonathan", "Johnathan", "Jonathon"), ("Jon", "Jonny")),
    ("M", ("Richard",), ("Rick", "Rich", "Ricky", "Richie", "Dick")),
    ("M", ("Charles",), ("Chuck", "Charlie", "Chas")),
    ("M", ("Thomas",), ("Tom", "Tommy")),
    ("M", ("Michael", "Micheal"), ("Mike", "Mikey", "Mick")),
    ("M", ("Joseph",), ("Joe", "Joey")),
    ("M", ("Daniel",), ("Dan", "Danny")),
    ("M", ("David",), ("Dave", "Davey")),
    ("M", ("Christopher", "Kristopher"), ("Chris", "Kris", "Topher")),
    ("M", ("Matthew", "Mathew"), ("Matt", "Matty")),
    ("M", ("Anthony",), ("Tony",)),
    ("M", ("Edward",), ("Ed", "Eddie", "Ted", "Ned")),
    ("M", ("Steven", "Stephen"), ("Steve", "Stevie")),
    ("M", ("Andrew",), ("Andy", "Drew")),
    ("M", ("Joshua",), ("Josh",)),
    ("M", ("Benjamin",), ("Ben", "Benny")),
    ("M", ("Samuel",), ("Sam", "Sammy")),
    ("M", ("Alexander",), ("Alex", "Al", "Xander")),
    ("M", ("Nicholas", "Nicolas"), ("Nick", "Nicky")),
    ("M", ("Timothy",), ("Tim", "Timmy")),
    ("M", ("Kenneth",), ("Ken", "Kenny")),
    ("M", ("Ronald",), ("Ron", "Ronnie")),
    ("M", ("Donald",), ("Don", "Donnie")),
    ("M", ("Gregory",), ("Greg", "Gregg")),
    ("M", ("Jeffrey", "Jeffery", "Geoffrey"), ("Jeff",)),
    ("M", ("Lawrence", "Laurence"), ("Larry",)),
    ("M", ("Raymond",), ("Ray",)),
    ("M", ("Gerald",), ("Jerry", "Gerry")),
    ("M", ("Patrick",), ("Pat", "Paddy")),
    ("M", ("Peter",), ("Pete",)),
    ("M", ("Frederick",), ("Fred", "Freddie")),
    ("M", ("Francis",), ("Frank", "Frankie")),
    ("M", ("Franklin",), ("Frank",)),
    ("M", ("Henry",), ("Hank", "Harry")),
    ("M", ("Harold",), ("Hal", "Harry")),
    ("M", ("Walter",), ("Walt", "Wally")),
    ("M", ("Albert",), ("Al", "Bert")),
    ("M", ("Alfred",), ("Al", "Alfie", "Fred")),
    ("M", ("Leonard",), ("Len", "Lenny", "Leo")),
    ("M", ("Eugene",), ("Gene",)),
    ("M", ("Theodore",), ("Ted", "Teddy", "Theo")),
    ("M", ("Zachary",), ("Zach", "Zack")),
    ("M", ("Nathaniel", "Nathan"), ("Nate",)),
    ("M", ("Jacob",), ("Jake",)),
    ("M", ("Douglas",), ("Doug",)),
    ("M", ("Philip", "Phillip"), ("Phil",)),
    ("M", ("Vincent",), ("Vince", "Vinny")),
    ("M", ("Louis",), ("Lou",)),
    ("M", ("Stanley",), ("Stan",)),
    ("M", ("Bradley",), ("Brad",)),
    ("M", ("Gabriel",), ("Gabe",)),
    ("M", ("Randall",), ("Randy",)),
    ("M", ("Terrence", "Terrance"), ("Terry",)),
    ("M", ("Arthur",), ("Art", "Artie")),
    ("M", ("Russell",), ("Russ",)),
    ("M", ("Mitchell",), ("Mitch",)),
    ("M", ("José",), ("Joe", "Pepe")),
    ("M", ("Francisco",), ("Paco", "Pancho", "Frank")),
    ("M", ("Jesús",), ("Chuy",)),
    ("M", ("Alejandro",), ("Alex", "Alejo")),
    ("M", ("Roberto",), ("Beto", "Robert")),
    ("M", ("Alberto",), ("Beto",)),
    ("M", ("Eduardo",), ("Lalo", "Eddie")),
    ("M", ("Ignacio",), ("Nacho",)),
    ("M", ("Guillermo",), ("Memo", "Willie")),
    ("M", ("Enrique",), ("Quique", "Henry")),
    ("M", ("Manuel",), ("Manny", "Manolo")),
    ("M", ("Antonio",), ("Tony", "Toño")),
    ("M", ("Juan",), ("Johnny",)),
    ("F", ("Margaret",), ("Peggy", "Maggie", "Meg", "Marge", "Margie")),
    ("F", ("Elizabeth",), ("Beth", "Liz", "Lizzie", "Betsy", "Betty", "Eliza", "Libby")),
    ("F", ("Katherine", "Catherine", "Kathryn"), ("Kate", "Katie", "Kathy", "Cathy", "Kat")),
    ("F", ("Kathleen",), ("Kathy", "Kate", "Kat")),
    ("F", ("Patricia",), ("Pat", "Patty", "Trish", "Tricia")),
    ("F", ("Jennifer",), ("Jen", "Jenny")),
    ("F", ("Susan",), ("Sue", "Susie")),
    ("F", ("Deborah", "Debra"), ("Deb", "Debbie")),
    ("F", ("Rebecca", "Rebekah"), ("Becky", "Becca")),
    ("F", ("Barbara",), ("Barb", "Barbie")),
    ("F", ("Christine", "Christina", "Kristina", "Kristine", "Cristina"), ("Chris", "Tina", "Chrissy")),
    ("F", ("Kimberly",), ("Kim",)),
    ("F", ("Jessica",), ("Jess", "Jessie")),
    ("F", ("Victoria",), ("Vicky", "Vicki", "Tori")),
    ("F", ("Samantha",), ("Sam", "Sammie")),
    ("F", ("Alexandra",), ("Alex", "Lexi")),
    ("F", ("Pamela",), ("Pam",)),
    ("F", ("Cynthia",), ("Cindy",)),
    ("F", ("Melissa",), ("Missy", "Mel")),
    ("F", ("Jacqueline",), ("Jackie",)),
    ("F", ("Theresa", "Teresa"), ("Terri", "Tess", "Terry")),
    ("F", ("Dorothy",), ("Dot", "Dottie")),
    ("F", ("Abigail",), ("Abby",)),
    ("F", ("Stephanie",), ("Steph",)),
    ("F", ("Judith",), ("Judy",)),
    ("F", ("Sandra",), ("Sandy",)),
    ("F", ("Frances",), ("Fran", "Frankie")),
    ("F", ("Virginia",), ("Ginny",)),
    ("F", ("Josephine",), ("Jo", "Josie")),
    ("F", ("Eleanor",), ("Ellie", "Nora")),
    ("F", ("Nancy",), ("Nan",)),
    ("F", ("Mary",), ("Molly", "Mae")),
    ("F", ("Ann", "Anne", "Anna"), ("Annie",)),
    ("F", ("Valerie",), ("Val",)),
    ("F", ("Angela",), ("Angie",)),
    ("F", ("Allison", "Alison"), ("Ally", "Allie")),
    ("F", ("Madison",), ("Maddie",)),
    ("F", ("Kristen", "Kristin"), ("Kris", "Kristy")),
    ("F", ("Danielle",), ("Dani",)),
    ("F", ("Gabriela", "Gabriella"), ("Gabby",)),
    ("F", ("Nicole",), ("Nikki",)),
    ("F", ("Michelle",), ("Shelly",)),
    ("F", ("Tamara",), ("Tammy",)),
    ("F", ("Gwendolyn",), ("Gwen",)),
    ("F", ("Amanda",), ("Mandy",)),
    ("F", ("Cassandra",), ("Cassie",)),
    ("F", ("Penelope",), ("Penny",)),
    ("F", ("Caroline", "Carolina"), ("Carrie", "Callie")),
    ("F", ("Isabel", "Isabella", "Isabela"), ("Izzy", "Bella")),
    ("F", ("Natalie", "Natalia"), ("Nat",)),
    ("F", ("Guadalupe",), ("Lupe", "Lupita")),
    ("F", ("Dolores",), ("Lola",)),
    ("F", ("Concepción",), ("Conchita", "Concha")),
    ("F", ("Rosario",), ("Chayo",)),
    ("F", ("María",), ("Mary",)),
    ("F", ("Josefina",), ("Josie", "Fina")),
    ("F", ("Susana",), ("Susie",)),
)

# Groups above that only suit Spanish speakers (an English "Joe" is not a José).
SPANISH_NICKNAME_FORMALS = {
    "José",
    "Francisco",
    "Jesús",
    "Alejandro",
    "Roberto",
    "Alberto",
    "Eduardo",
    "Ignacio",
    "Guillermo",
    "Enrique",
    "Manuel",
    "Antonio",
    "Juan",
    "Guadalupe",
    "Dolores",
    "Concepción",
    "Rosario",
    "María",
    "Josefina",
    "Susana",
}

# Twins get related names often enough that a "same DOB, same address, similar name" rule
# would merge them: (name, sex, twin's name, twin's sex).
TWIN_NAMES = (
    ("Emma", "F", "Ella", "F"),
    ("Daniel", "M", "Danielle", "F"),
    ("Michael", "M", "Michelle", "F"),
    ("Eric", "M", "Erica", "F"),
    ("Brian", "M", "Brianna", "F"),
    ("Christopher", "M", "Christina", "F"),
    ("Paul", "M", "Paula", "F"),
    ("Aaron", "M", "Adam", "M"),
    ("Jason", "M", "Justin", "M"),
    ("Kayla", "F", "Kylie", "F"),
    ("Mary", "F", "Marie", "F"),
    ("Anna", "F", "Hannah", "F"),
    ("Matthew", "M", "Mark", "M"),
    ("Samuel", "M", "Samantha", "F"),
    ("Alexander", "M", "Alexandra", "F"),
    ("Jessica", "F", "Jennifer", "F"),
    ("Caleb", "M", "Jacob", "M"),
    ("Madison", "F", "Mackenzie", "F"),
)
HISPANIC_TWIN_NAMES = (
    ("Luis", "M", "Luisa", "F"),
    ("Juan", "M", "Juana", "F"),
    ("Gabriel", "M", "Gabriela", "F"),
    ("José", "M", "Jesús", "M"),
    ("Francisco", "M", "Francisca", "F"),
    ("Alejandro", "M", "Alejandra", "F"),
    ("Daniel", "M", "Daniela", "F"),
    ("María", "F", "Marta", "F"),
    ("Ana", "F", "Alma", "F"),
)
# Couples whose names share a nickname (Chris and Chris Kelly at one address, one landline).
COUPLE_NAMES = (
    ("Christopher", "Christine"),
    ("Patrick", "Patricia"),
    ("Samuel", "Samantha"),
    ("Alexander", "Alexandra"),
    ("Daniel", "Danielle"),
    ("Eric", "Erica"),
    ("Paul", "Paula"),
    ("Robert", "Roberta"),
    ("Joseph", "Josephine"),
    ("Francis", "Frances"),
    ("Terrence", "Theresa"),
    ("Gabriel", "Gabriela"),
)
# Given names by generation, so an 88-year-old is not called Jayden.
CLASSIC_NAMES = {
    "F": _words(
        "Dorothy Betty Helen Margaret Ruth Shirley Mildred Frances Virginia Joan Marilyn Barbara Patricia "
        "Mary Dolores Gloria Lois Norma Evelyn Jean Doris Phyllis Beverly Carol Judith Joyce Eleanor Loretta"
    ),
    "M": _words(
        "Harold Walter Donald Raymond Eugene Ralph Howard Earl Herbert Kenneth Robert Richard Charles James "
        "William George Frank Leonard Albert Stanley Gerald Lawrence Carl Arthur Francis Norman Theodore "
        "Leroy"
    ),
}
MODERN_NAMES = {
    "F": _words(
        "Madison Emma Olivia Ava Sophia Isabella Mia Abigail Emily Chloe Harper Avery Ella Aubrey Zoe Brianna "
        "Kaylee Hailey Addison Natalie Lily Savannah Peyton Layla Riley Aaliyah Camila Scarlett"
    ),
    "M": _words(
        "Jayden Aiden Liam Noah Mason Ethan Logan Elijah Caden Jackson Carter Lucas Grayson Landon Wyatt Owen "
        "Hunter Brayden Gavin Jaxon Levi Julian Isaiah Nathan Dylan Tyler Austin Colton Caleb Connor"
    ),
}
COMMON_MIDDLES = {
    "F": _words(
        "Ann Marie Lynn Elizabeth Jean Renee Louise Rose Mae Michelle Nicole Kay Grace Jo Lee Christine Leigh Irene"
    ),
    "M": _words(
        "Michael Lee James Allen Wayne Edward Joseph Paul Dean Ray Scott Alan John Thomas David William "
        "Robert Anthony Lynn Eugene"
    ),
}
# Spanish given names that dominate real US records (Faker's es_MX list is unweighted).
HISPANIC_FIRST_BOOST = {
    "María": 8,
    "José": 8,
    "Juan": 6,
    "Luis": 4,
    "Carlos": 4,
    "Jorge": 3,
    "Miguel": 3,
    "Francisco": 3,
    "Antonio": 3,
    "Jesús": 3,
    "Manuel": 3,
    "Guadalupe": 3,
    "Rosa": 3,
    "Ana": 3,
    "Juana": 2,
    "Carmen": 2,
    "Alejandro": 2,
    "Ricardo": 2,
    "Pedro": 2,
    "Javier": 2,
    "Roberto": 2,
    "Eduardo": 2,
    "Fernando": 2,
    "Verónica": 2,
    "Patricia": 2,
    "Laura": 2,
    "Martha": 2,
    "Leticia": 2,
    "Sandra": 2,
    "Raúl": 2,
}
# Faker's es_MX list has a few broken entries.
HISPANIC_FIRST_SKIP = {"Jos", "Sessa", "Esparta", "Espartaco", "Rafaél", "Óliver", "Aldonza", "Wendolin", "Yeni"}
# Faker's en_US surnames come flattened ("Obrien", "Mcdonald"); restore how people write them.
SURNAME_FIXES = {
    "Obrien": "O'Brien",
    "Oconnor": "O'Connor",
    "Oneill": "O'Neill",
    "Oneal": "O'Neal",
    "Odonnell": "O'Donnell",
    "Oconnell": "O'Connell",
    "Macdonald": "MacDonald",
    "Delacruz": "De La Cruz",
    "Deleon": "De Leon",
}

# Keyboard and OCR confusions for typos.
KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
OCR_CONFUSIONS = (
    ("rn", "m"),
    ("m", "rn"),
    ("cl", "d"),
    ("d", "cl"),
    ("li", "h"),
    ("h", "li"),
    ("vv", "w"),
    ("w", "vv"),
    ("e", "c"),
    ("c", "e"),
    ("a", "o"),
    ("o", "0"),
    ("l", "1"),
    ("I", "l"),
    ("ri", "n"),
    ("n", "ri"),
    ("u", "ii"),
    ("S", "5"),
    ("B", "8"),
    ("G", "6"),
)
PHONETIC_SWAPS = (
    ("ph", "f"),
    ("ck", "k"),
    ("c", "k"),
    ("k", "c"),
    ("ie", "ei"),
    ("ei", "ie"),
    ("y", "i"),
    ("i", "y"),
    ("son", "sen"),
    ("sen", "son"),
    ("ll", "l"),
    ("l", "ll"),
    ("tt", "t"),
    ("t", "tt"),
    ("nn", "n"),
    ("ea", "ee"),
    ("er", "or"),
    ("or", "er"),
    ("z", "s"),
    ("s", "z"),
    ("ey", "ie"),
    ("ine", "ene"),
    ("th", "t"),
    ("ou", "o"),
    ("man", "mann"),
    ("sch", "sh"),
)


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _name_key(name: str) -> str:
    return strip_accents(name).lower()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", _name_key(text))


def _age(dob: date, on: date = REFERENCE_DATE) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


class _Weighted:
    """A weighted table drawn with random.choices and precomputed cumulative weights."""

    def __init__(self, items_and_weights):
        pairs = list(items_and_weights)
        self.items = [item for item, _ in pairs]
        self.cum = list(itertools.accumulate(weight for _, weight in pairs))
        self.weight_of = dict(pairs)

    def pick(self, rng: random.Random):
        return rng.choices(self.items, cum_weights=self.cum)[0]


@dataclass(frozen=True)
class _NameBank:
    en_first: dict[str, _Weighted]
    es_first: dict[str, _Weighted]
    en_last: _Weighted
    es_last: _Weighted
    nickname_groups: dict[tuple[str, str], list[tuple[tuple[str, ...], tuple[str, ...]]]]
    common_last: frozenset[str]


@functools.lru_cache(maxsize=1)
def _names() -> _NameBank:
    def fix_surname(name):
        if name in SURNAME_FIXES:
            return SURNAME_FIXES[name]
        if name.startswith("Mc") and len(name) > 3:
            return "Mc" + name[2].upper() + name[3:]
        return name

    en_last_pairs = [(fix_surname(name), weight) for name, weight in EnUsNames.last_names.items()]
    # A few surnames whose apostrophes and capitals are often mangled, at modest weights.
    en_last_pairs += [(name, 0.0004) for name in ("D'Angelo", "St. John", "Van Dyke", "DeLuca", "LaRue", "O'Malley")]
    en_weight = {_name_key(name): weight for name, weight in EnUsNames.last_names.items()}
    floor = min(en_weight.values())
    # Spanish surnames keep their accents; frequent ones (García, Rodríguez) get the US census weight.
    es_last_pairs = [
        (name, en_weight.get(_slug(name), floor))
        for name in dict.fromkeys(EsMxNames.last_names)
        if name != "de la Crúz"
    ]
    en_first = {
        "F": _Weighted(EnUsNames.first_names_female.items()),
        "M": _Weighted(EnUsNames.first_names_male.items()),
    }
    es_first = {}
    for sex, names in (("F", EsMxNames.first_names_female), ("M", EsMxNames.first_names_male)):
        singles = [n for n in dict.fromkeys(names) if " " not in n and n not in HISPANIC_FIRST_SKIP]
        es_first[sex] = _Weighted((n, HISPANIC_FIRST_BOOST.get(n, 0.6)) for n in singles)
    groups: dict[tuple[str, str], list] = {}
    for sex, formals, nicknames in NICKNAME_GROUPS:
        for name in formals + nicknames:
            groups.setdefault((sex, _name_key(name)), []).append((formals, nicknames))
    by_weight = sorted(EnUsNames.last_names.items(), key=lambda item: -item[1])
    common_last = frozenset(_name_key(name) for name, _ in by_weight[:80])
    return _NameBank(en_first, es_first, _Weighted(en_last_pairs), _Weighted(es_last_pairs), groups, common_last)


# ---------------------------------------------------------------------------------------
# People and households.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phone:
    number: str  # ten digits
    extension: str = ""  # already as typed, e.g. " ext. 204"


@dataclass(frozen=True)
class Street:
    number: str
    direction: str  # "", "N", "S", "E", "W"
    name: str
    suffix: str  # canonical ("Street") or "" (Broadway)
    unit_type: str  # "", "Apartment", "Unit"
    unit: str


@dataclass(frozen=True)
class AddressStyle:
    suffix: str  # "full" | "abbr" | "dot"
    direction: str  # "full" | "abbr" | "dot"
    unit: str  # "Apartment" | "Apt" | "Apt." | "Apt #" | "#" | "Unit"
    comma: bool  # comma before the unit
    saint: str  # how "St." in a city name is written


@dataclass(eq=False)
class Household:
    city: City
    street: Street
    zip5: str
    plus4: str
    landline: Phone | None = None
    family_email: str | None = None
    members: list[Person] = field(default_factory=list)


@dataclass(eq=False)
class Person:
    entity: int
    kind: str
    sex: str
    first: str
    middle: str
    last: str
    dob: date
    hispanic: bool
    household: Household
    double_surname: bool = False
    maiden: str = ""  # surname before marriage, when it changed
    suffix: str = ""  # "Jr" / "Sr"
    suffix_shown: float = 0.0  # how often intake writes the suffix
    known_as: str = ""  # a nickname the person goes by
    relatives: int = 0  # hard negatives built around this person
    partner: Person | None = None
    guardian: Person | None = None
    mobile: Phone | None = None
    work: Phone | None = None
    emails: list[str] = field(default_factory=list)

    @property
    def age(self) -> int:
        return _age(self.dob)


@dataclass
class _View:
    """One record before formatting; duplicates are a copy of the full view plus changes."""

    first: str
    middle: str
    last: str
    suffix: str  # as it will be appended to the last name ("" if not shown)
    dob: date | None
    street: Street | None
    show_unit: bool
    city: str
    state: str
    zip5: str
    plus4: str  # "" when not shown
    phones: list[Phone]
    emails: list[str]
    phone_format: str
    address_style: AddressStyle
    case: str  # "as_is" | "upper" | "lower"
    accents: bool


class _Builder:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.names = _names()
        self.cities = _Weighted((city, city.weight) for city in CITIES)
        self.street_suffixes = _Weighted((name, weight) for name, (_, weight) in STREET_SUFFIXES.items())
        self.domains = _Weighted(EMAIL_DOMAINS)
        self.older_domains = _Weighted(OLDER_EMAIL_DOMAINS)
        self.phone_formats = _Weighted(PHONE_FORMATS)
        self.persons: list[Person] = []
        self.households: list[Household] = []
        self.used_numbers: set[str] = set()
        self.used_emails: set[str] = set()
        self.duplicate_retries = 0

    # -- places and numbers -------------------------------------------------------------

    def new_street(self, city: City) -> Street:
        rng = self.rng
        low, high = rng.choices(((1, 99), (100, 999), (1000, 9999), (10000, 29999)), weights=(10, 30, 45, 15))[0]
        number = str(rng.randint(low, high))
        direction = rng.choice("NSEW") if rng.random() < 0.3 else ""
        if rng.random() < 0.02:
            name, suffix = "Broadway", ""
        elif rng.random() < 0.18:
            n = rng.randint(1, 120)
            ending = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
            name, suffix = f"{n}{ending}", rng.choice(("Street", "Street", "Avenue", "Place"))
        else:
            name = rng.choice(STREET_NAMES) if rng.random() < 0.65 else self.names.en_last.pick(rng)
            suffix = self.street_suffixes.pick(rng)
        unit_type = unit = ""
        if rng.random() < city.apartment_share:
            unit_type = "Apartment" if rng.random() < 0.75 else "Unit"
            unit = rng.choice(
                (
                    str(rng.randint(1, 30)),
                    f"{rng.randint(1, 6)}{rng.choice('ABCDEF')}",
                    f"{rng.randint(1, 20)}{rng.randint(1, 12):02d}",
                )
            )
        return Street(number, direction, name, suffix, unit_type, unit)

    def new_household(self, city: City | None = None) -> Household:
        rng = self.rng
        city = city or self.cities.pick(rng)
        zip5 = rng.choice(city.zip3) + f"{rng.randint(1, 99):02d}"
        household = Household(city, self.new_street(city), zip5, f"{rng.randint(1, 9999):04d}")
        self.households.append(household)
        return household

    def new_phone(self, area_codes: tuple[str, ...], extension: bool = False) -> Phone:
        rng = self.rng
        while True:
            exchange = rng.randint(200, 999)
            # N11 codes are service numbers; 555 is mostly fictional; 958/959 are reserved.
            if exchange % 100 == 11 or exchange in (555, 958, 959):
                continue
            number = f"{rng.choice(area_codes)}{exchange}{rng.randint(0, 9999):04d}"
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                break
        ext = ""
        if extension:
            ext = rng.choice((" ext. ", " x", " ext ", " x. ")) + str(rng.randint(100, 4999))
        return Phone(number, ext)

    def mobile_area_codes(self, city: City) -> tuple[str, ...]:
        # People keep their cell number when they move, so some area codes are from elsewhere.
        if self.rng.random() < 0.18:
            return self.cities.pick(self.rng).area_codes
        return city.area_codes

    # -- names ---------------------------------------------------------------------------

    def pick_first(self, sex: str, hispanic: bool, birth_year: int) -> str:
        rng = self.rng
        if hispanic:
            return self.names.es_first[sex].pick(rng)
        if birth_year < 1950 and rng.random() < 0.55:
            return rng.choice(CLASSIC_NAMES[sex])
        if birth_year >= 2003 and rng.random() < 0.5:
            return rng.choice(MODERN_NAMES[sex])
        return self.names.en_first[sex].pick(rng)

    def pick_middle(self, sex: str, hispanic: bool, first: str) -> str:
        rng = self.rng
        for _ in range(5):
            if hispanic:
                middle = self.names.es_first[sex].pick(rng) if rng.random() < 0.45 else ""
            elif rng.random() < 0.65:
                middle = rng.choice(COMMON_MIDDLES[sex]) if rng.random() < 0.5 else self.names.en_first[sex].pick(rng)
            else:
                middle = ""
            if _name_key(middle) != _name_key(first):
                return middle
        return ""

    def pick_last(self, hispanic: bool) -> tuple[str, bool]:
        rng = self.rng
        if not hispanic:
            return self.names.en_last.pick(rng), False
        paternal = self.names.es_last.pick(rng)
        if rng.random() < 0.35 and " " not in paternal:
            maternal = self.names.es_last.pick(rng)
            if " " not in maternal and maternal != paternal:
                return f"{paternal} {maternal}", True
        return paternal, False

    def nickname_groups(self, sex: str, name: str, hispanic: bool = True):
        """The nickname groups of a name: those where it is the formal name, else those where it is a nickname.

        An English "Robert" stays in the Robert group (never "Beto"); a "Joe" may become José only if Hispanic.
        """
        key = _name_key(name)
        groups = self.names.nickname_groups.get((sex, key), [])
        as_formal = [g for g in groups if key in {_name_key(n) for n in g[0]}]
        if as_formal:
            return as_formal
        return [g for g in groups if hispanic or g[0][0] not in SPANISH_NICKNAME_FORMALS]

    def random_dob(self, min_age: float, max_age: float) -> date:
        age_days = self.rng.uniform(min_age * 365.25, (max_age + 1) * 365.25 - 1)
        return REFERENCE_DATE - timedelta(days=int(age_days))

    def new_person(
        self,
        kind: str,
        household: Household,
        *,
        sex: str | None = None,
        hispanic: bool | None = None,
        dob: date | None = None,
        first: str | None = None,
        last: str | None = None,
        double_surname: bool = False,
    ) -> Person:
        rng = self.rng
        sex = sex or rng.choice("FM")
        if hispanic is None:
            hispanic = rng.random() < household.city.hispanic_share
        if dob is None:
            dob = self.random_dob(18, 92)
        first = first or self.pick_first(sex, hispanic, dob.year)
        double = double_surname
        if last is None:
            last, double = self.pick_last(hispanic)
        person = Person(
            entity=len(self.persons) + 1,
            kind=kind,
            sex=sex,
            first=first,
            last=last,
            dob=dob,
            hispanic=hispanic,
            middle=self.pick_middle(sex, hispanic, first),
            household=household,
            double_surname=double,
        )
        groups = self.nickname_groups(sex, first, hispanic)
        if groups and rng.random() < 0.2:
            formals, nicknames = groups[0]
            if _name_key(first) in {_name_key(n) for n in formals}:
                person.known_as = rng.choice(nicknames)
        household.members.append(person)
        self.persons.append(person)
        return person

    def new_primary(self) -> Person:
        # Clients skew to working age; mass-tort claimants include many retirees.
        age = self.rng.triangular(18, 92, 45)
        household = self.new_household()
        return self.new_person("original", household, dob=self.random_dob(age, age))

    # -- hard negatives --------------------------------------------------------------------

    def add_hard_negatives(self, primaries: list[Person]) -> None:
        rng = self.rng
        count = {kind: round(rate * len(primaries)) for kind, rate in RELATIVE_RATES.items()}

        def anchors(eligible, n):
            pool = [p for p in primaries if eligible(p)]
            rng.shuffle(pool)
            for anchor in pool[:n]:
                anchor.relatives += 1
                yield anchor

        # Twins and Jr./Sr. first: they may rename the anchor, before anyone copies the name.
        for anchor in anchors(lambda p: p.age <= 80, count["twin"]):
            self.add_twin(anchor)
        for anchor in anchors(lambda p: p.sex == "M" and not p.suffix and 22 <= p.age <= 85, count["junior_senior"]):
            self.add_junior_or_senior(anchor)
        for anchor in anchors(lambda p: p.age >= 21 and p.partner is None, count["spouse"]):
            self.add_spouse(anchor)
        for anchor in anchors(lambda p: 24 <= p.age <= 75, count["child"]):
            self.add_child(anchor)
        for anchor in anchors(lambda p: 28 <= p.age <= 68, count["parent"]):
            self.add_parent(anchor)
        for anchor in anchors(lambda p: p.age <= 80, count["sibling"]):
            self.add_sibling(anchor)
        for anchor in anchors(lambda p: 19 <= p.age <= 45 and p.partner is None, count["roommate"]):
            self.add_roommate(anchor)
        self.add_namesakes(primaries, count["namesake"])

    def add_twin(self, anchor: Person) -> None:
        rng = self.rng
        twin_sex, twin_first = rng.choice("FM"), None
        if rng.random() < 0.55:
            table = HISPANIC_TWIN_NAMES if anchor.hispanic else TWIN_NAMES
            options = [(a, b, sb) for a, sa, b, sb in table if sa == anchor.sex]
            options += [(b, a, sa) for a, sa, b, sb in table if sb == anchor.sex]
            name, twin_first, twin_sex = rng.choice(options)
            anchor.first, anchor.known_as = name, ""
        together = rng.random() < 0.8
        household = anchor.household if together else self.new_household(anchor.household.city)
        twin = self.new_person(
            "twin",
            household,
            sex=twin_sex,
            hispanic=anchor.hispanic,
            dob=anchor.dob,
            first=twin_first,
            last=anchor.last,
            double_surname=anchor.double_surname,
        )
        while _name_key(twin.first) == _name_key(anchor.first):
            twin.first = self.pick_first(twin.sex, twin.hispanic, twin.dob.year)

    def add_junior_or_senior(self, anchor: Person) -> None:
        rng = self.rng
        gap = rng.uniform(20, 36)
        can_junior, can_senior = anchor.age - gap >= 16, anchor.age + gap <= 95
        if can_junior and (not can_senior or rng.random() < 0.6):
            kind, age = "junior", anchor.age - gap
        elif can_senior:
            kind, age = "senior", anchor.age + gap
        else:
            return
        other = self.new_person(
            kind,
            anchor.household,
            sex="M",
            hispanic=anchor.hispanic,
            dob=self.random_dob(age, age),
            first=anchor.first,
            last=anchor.last,
            double_surname=anchor.double_surname,
        )
        if rng.random() < 0.6:
            other.middle = anchor.middle
        other.known_as = anchor.known_as if rng.random() < 0.5 else other.known_as
        junior, senior = (other, anchor) if kind == "junior" else (anchor, other)
        # Intake writes "Jr" on about half the son's records and "Sr" on few of the father's.
        junior.suffix, junior.suffix_shown = "Jr", 0.5
        senior.suffix, senior.suffix_shown = "Sr", 0.2

    def add_spouse(self, anchor: Person) -> None:
        rng = self.rng
        sex = anchor.sex if rng.random() < 0.05 else ("F" if anchor.sex == "M" else "M")
        delta = max(-10.0, min(10.0, rng.gauss(2.5, 4.0)))  # husbands are a little older on average
        age = anchor.age + (delta if sex == "M" else -delta)
        age = max(18.0, min(95.0, age))
        hispanic = anchor.hispanic if rng.random() < 0.85 else not anchor.hispanic
        first = None
        # Renaming is only safe while nobody else has copied the anchor's name.
        if sex != anchor.sex and not anchor.hispanic and anchor.relatives == 1 and rng.random() < 0.12:
            him, her = rng.choice(COUPLE_NAMES)
            anchor.first, anchor.known_as = (him, "") if anchor.sex == "M" else (her, "")
            first = her if sex == "F" else him
        spouse = self.new_person(
            "spouse", anchor.household, sex=sex, hispanic=hispanic, dob=self.random_dob(age, age), first=first
        )
        while _name_key(spouse.first) == _name_key(anchor.first):
            spouse.first = self.pick_first(sex, hispanic, spouse.dob.year)
        if sex != anchor.sex:
            wife, husband = (spouse, anchor) if sex == "F" else (anchor, spouse)
            roll = rng.random()
            if roll < 0.7:
                wife.maiden = wife.last
                wife.last, wife.double_surname = husband.last, husband.double_surname
            elif roll < 0.8 and " " not in wife.last and " " not in husband.last:
                wife.maiden = wife.last
                wife.last, wife.double_surname = f"{wife.last}-{husband.last}", False
        anchor.partner, spouse.partner = spouse, anchor

    def add_child(self, anchor: Person) -> None:
        rng = self.rng
        age = anchor.age - rng.uniform(18, min(40, anchor.age - 1))
        last, double = anchor.last, anchor.double_surname
        if anchor.partner is not None and anchor.partner.sex == "M" and anchor.sex == "F" and rng.random() < 0.7:
            last, double = anchor.partner.last, anchor.partner.double_surname
        child = self.new_person(
            "child",
            anchor.household,
            hispanic=anchor.hispanic,
            dob=self.random_dob(max(age, 1), max(age, 1)),
            last=last,
            double_surname=double,
        )
        while _name_key(child.first) == _name_key(anchor.first):
            child.first = self.pick_first(child.sex, child.hispanic, child.dob.year)
        child.guardian = anchor

    def add_parent(self, anchor: Person) -> None:
        rng = self.rng
        age = anchor.age + rng.uniform(20, 40)
        if age > 97:
            return
        sex = "F" if rng.random() < 0.65 else "M"
        # Parents carry the anchor's birth surname, except mothers who kept theirs or remarried.
        birth_surname = anchor.maiden or anchor.last
        last = (
            birth_surname
            if (sex == "M" or rng.random() < 0.6) and (anchor.sex == "M" or anchor.maiden or rng.random() < 0.5)
            else None
        )
        parent = self.new_person(
            "parent",
            anchor.household,
            sex=sex,
            hispanic=anchor.hispanic,
            dob=self.random_dob(age, age),
            last=last,
            double_surname=last is not None and not anchor.maiden and anchor.double_surname,
        )
        while _name_key(parent.first) == _name_key(anchor.first):
            parent.first = self.pick_first(sex, parent.hispanic, parent.dob.year)

    def add_sibling(self, anchor: Person) -> None:
        rng = self.rng
        age = max(16.0, anchor.age + rng.choice((-1, 1)) * rng.uniform(1, 10))
        sex = rng.choice("FM")
        # A grown sister may have married; otherwise siblings share the birth surname.
        last = (anchor.maiden or anchor.last) if sex == "M" or age < 25 or rng.random() < 0.7 else None
        household = (
            anchor.household
            if rng.random() < 0.6
            else self.new_household(anchor.household.city if rng.random() < 0.6 else None)
        )
        sibling = self.new_person(
            "sibling",
            household,
            sex=sex,
            hispanic=anchor.hispanic,
            dob=self.random_dob(age, age),
            last=last,
            double_surname=last is not None and not anchor.maiden and anchor.double_surname,
        )
        while _name_key(sibling.first) == _name_key(anchor.first):
            sibling.first = self.pick_first(sex, sibling.hispanic, sibling.dob.year)

    def add_roommate(self, anchor: Person) -> None:
        rng = self.rng
        age = max(18.0, anchor.age + rng.uniform(-6, 6))
        sex = anchor.sex if rng.random() < 0.7 else ("F" if anchor.sex == "M" else "M")
        roommate = self.new_person("roommate", anchor.household, sex=sex, dob=self.random_dob(age, age))
        while _name_key(roommate.last) == _name_key(anchor.last):
            roommate.last, roommate.double_surname = self.pick_last(roommate.hispanic)

    def add_namesakes(self, primaries: list[Person], n: int) -> None:
        rng = self.rng
        if n <= 0:
            return
        bank = self.names

        def commonness(p: Person) -> float:
            last = _name_key(p.last.split()[0])
            first_table = bank.es_first[p.sex] if p.hispanic else bank.en_first[p.sex]
            first_weight = first_table.weight_of.get(p.first, 0.0) / first_table.cum[-1]
            return (3.0 if last in bank.common_last else 0.3) * (first_weight + 0.001)

        # Weighted sampling without replacement (Efraimidis-Spirakis), so common names win.
        keyed = sorted(primaries, key=lambda p: rng.random() ** (1.0 / commonness(p)), reverse=True)
        for anchor in keyed[:n]:
            household = self.new_household(anchor.household.city if rng.random() < 0.4 else None)
            if anchor.age < 30 or rng.random() < 0.8:
                dob = self.random_dob(18, 85)
            else:  # same birth year, another day
                dob = date(anchor.dob.year, rng.randint(1, 12), rng.randint(1, 28))
            if dob == anchor.dob:
                dob += timedelta(days=rng.randint(40, 300))
            first = anchor.first
            groups = self.nickname_groups(anchor.sex, first, anchor.hispanic)
            if groups and rng.random() < 0.25:
                formals, nicknames = groups[0]
                first = rng.choice([name for name in formals + nicknames if name != first] or [first])
            namesake = self.new_person(
                "namesake",
                household,
                sex=anchor.sex,
                hispanic=anchor.hispanic,
                dob=dob,
                first=first,
                last=anchor.last,
                double_surname=anchor.double_surname,
            )
            if anchor.middle and rng.random() < 0.2:  # even the middle initial agrees
                initial = anchor.middle[0]
                same_initial = [m for m in COMMON_MIDDLES[anchor.sex] if m[0] == initial and m != anchor.middle]
                namesake.middle = rng.choice(same_initial) if same_initial else initial

    # -- phones and e-mails -----------------------------------------------------------------

    def assign_contacts(self) -> None:
        rng = self.rng
        for household in self.households:
            members = household.members
            if not members:
                continue
            oldest = max(p.age for p in members)
            landline_share = 0.6 if oldest >= 65 else (0.45 if len(members) > 1 else 0.22)
            if rng.random() < landline_share:
                household.landline = self.new_phone(household.city.area_codes)
            for person in members:
                self.assign_person_contacts(person)
            couple = [p for p in members if p.partner is not None and p.partner in members]
            if couple and rng.random() < 0.25:
                household.family_email = self.family_email(couple)
                for person in couple:
                    person.emails.insert(0 if rng.random() < 0.5 else len(person.emails), household.family_email)
        # Children without their own e-mail are reached through a parent's address.
        for person in self.persons:
            if person.guardian is not None and not person.emails and person.guardian.emails and rng.random() < 0.6:
                person.emails.append(person.guardian.emails[0])

    def assign_person_contacts(self, person: Person) -> None:
        rng = self.rng
        age = person.age
        has_mobile = 0.0 if age < 12 else 0.7 if age < 18 else 0.6 if age >= 78 else 0.94
        if rng.random() < has_mobile:
            person.mobile = self.new_phone(self.mobile_area_codes(person.household.city))
        if 22 <= age <= 67 and rng.random() < 0.1:
            person.work = self.new_phone(self.mobile_area_codes(person.household.city), extension=rng.random() < 0.6)
        has_email = 0.0 if age < 13 else 0.45 if age >= 78 else 0.88
        if rng.random() < has_email:
            person.emails.append(self.personal_email(person))
            if rng.random() < 0.15:
                person.emails.append(self.personal_email(person))

    def unique_email(self, local: str, domain: str) -> str:
        address = f"{local}@{domain}"
        while address in self.used_emails:
            address = f"{local}{self.rng.randint(1, 999)}@{domain}"
        self.used_emails.add(address)
        return address

    def personal_email(self, person: Person, last: str | None = None) -> str:
        rng = self.rng
        first = _slug(person.known_as if person.known_as and rng.random() < 0.4 else person.first) or "x"
        surname = _slug((last or person.last).split()[0].split("-")[0]) or "x"
        middle = _slug(person.middle)[:1]
        year = person.dob.year
        patterns = [
            (f"{first}.{surname}", 20),
            (f"{first}{surname}", 15),
            (f"{first[0]}{surname}", 14),
            (f"{first}{surname[0]}", 4),
            (f"{first}_{surname}", 4),
            (f"{first}{surname}{year % 100:02d}", 8),
            (f"{first[0]}{surname}{year}", 4),
            (f"{first}.{surname}{rng.randint(1, 99)}", 6),
            (f"{surname}{first[0]}", 3),
            (f"{first}{rng.randint(10, 999)}", 4),
            (f"{rng.choice(EMAIL_HANDLES)}{rng.randint(1, 99)}", 8),
            (f"{surname}.{first}", 2),
        ]
        if middle:
            patterns.append((f"{first}.{middle}.{surname}", 3))
        local = _Weighted(patterns).pick(rng)
        domains = self.older_domains if person.age >= 60 else self.domains
        return self.unique_email(local, domains.pick(rng))

    def family_email(self, couple: list[Person]) -> str:
        rng = self.rng
        surname = _slug(couple[0].last.split()[0].split("-")[-1]) or "family"
        firsts = [_slug(p.known_as or p.first) for p in couple]
        local = rng.choice(
            (
                f"the{surname}s",
                f"{surname}family",
                f"{surname}family{rng.randint(1, 99)}",
                f"{firsts[0]}and{firsts[-1]}",
                f"{firsts[0]}{firsts[-1]}{surname}",
                f"{surname}{couple[0].household.street.number}",
            )
        )
        return self.unique_email(local, self.domains.pick(rng))

    # -- records -----------------------------------------------------------------------------

    def random_address_style(self) -> AddressStyle:
        rng = self.rng
        return AddressStyle(
            suffix=rng.choices(("abbr", "dot", "full"), weights=(55, 20, 25))[0],
            direction=rng.choices(("abbr", "dot", "full"), weights=(60, 20, 20))[0],
            unit=rng.choices(("Apt", "Apt.", "Apartment", "#", "Apt #", "Unit"), weights=(35, 20, 12, 15, 10, 8))[0],
            comma=rng.random() < 0.3,
            saint=rng.choice(("St.", "St.", "St", "Saint")),
        )

    def full_view(self, person: Person) -> _View:
        """Everything intake could know about the person, in one record's style."""
        rng = self.rng
        household = person.household
        first = person.first
        if person.known_as and rng.random() < 0.5:
            first = person.known_as
        middle = person.middle
        roll = rng.random()
        if middle and roll < 0.25:
            middle = middle[0] + rng.choice(("", "."))
        elif middle and roll < 0.4:
            middle = ""
        last = person.last
        if person.double_surname:
            paternal, maternal = person.last.split()
            last = rng.choices((last, f"{paternal}-{maternal}", paternal), weights=(60, 15, 25))[0]
        suffix = ""
        if person.suffix and rng.random() < person.suffix_shown:
            suffix = rng.choice((" ", " ", ", ")) + person.suffix + rng.choice(("", "."))
        phones = []
        if person.mobile:
            phones.append(person.mobile)
        if household.landline and (not phones or rng.random() < 0.4):
            phones.append(household.landline)
        if not phones and person.guardian is not None and person.guardian.mobile:
            phones.append(person.guardian.mobile)  # a child's file lists the parent's cell
        city = household.city
        capitalise = rng.random() < 0.1  # some forms capitalise whatever is typed
        return _View(
            first=first,
            middle=middle,
            last=last,
            suffix=suffix,
            dob=person.dob,
            street=household.street,
            show_unit=True,
            city=city.name,
            state=city.state,
            zip5=household.zip5,
            plus4=household.plus4 if rng.random() < 0.1 else "",
            phones=phones,
            emails=[_capitalise_email(e) if capitalise else e for e in person.emails[: 1 + (rng.random() < 0.4)]],
            phone_format=self.phone_formats.pick(rng),
            address_style=self.random_address_style(),
            case=rng.choices(("as_is", "upper", "lower"), weights=(94, 5, 1))[0],
            accents=rng.random() < 0.45,
        )

    def render_records(self) -> list[dict]:
        rng = self.rng
        corruptor = _Corruptor(self)
        records = []
        for person in self.persons:
            full = self.full_view(person)
            original = replace(full, phones=list(full.phones), emails=list(full.emails))
            # An original record is incomplete on its own too: intake skips what it did not ask.
            if rng.random() < 0.07:
                original.dob = None
            if original.emails and rng.random() < 0.1:
                original.emails = []
            if original.phones and rng.random() < 0.03:
                original.phones = []
            if rng.random() < 0.03:
                original.street, original.zip5, original.plus4 = None, "", ""
            records.append(_render(original, person, person.kind))
            share = DUPLICATED_SHARE if person.kind == "original" else RELATIVE_DUPLICATED_SHARE
            if rng.random() < share:
                extra = 1 if rng.random() < (0.75 if person.kind == "original" else 0.9) else 2
                for _ in range(extra):
                    view, labels = corruptor.duplicate(person, full, original)
                    records.append(_render(view, person, "duplicate:" + ",".join(labels)))
        return records


def _capitalise_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return ".".join(part.capitalize() for part in local.split(".")) + "@" + domain.capitalize()


def _format_phone(phone: Phone, template: str) -> str:
    digits = phone.number
    return template.format(a=digits[:3], e=digits[3:6], l=digits[6:]) + phone.extension


def _format_street(street: Street, style: AddressStyle, show_unit: bool) -> str:
    parts = [street.number]
    if street.direction:
        parts.append(
            {"full": DIRECTIONS[street.direction], "abbr": street.direction, "dot": street.direction + "."}[
                style.direction
            ]
        )
    parts.append(street.name)
    if street.suffix:
        abbreviation = STREET_SUFFIXES[street.suffix][0]
        parts.append({"full": street.suffix, "abbr": abbreviation, "dot": abbreviation + "."}[style.suffix])
    line = " ".join(parts)
    if street.unit and show_unit:
        if street.unit_type == "Unit":
            designator = "#" if style.unit == "#" else "Unit " if style.unit != "Apt #" else "Unit #"
        else:
            designator = style.unit if style.unit == "#" else style.unit + ("" if style.unit.endswith("#") else " ")
        line += ("," if style.comma else "") + " " + designator + street.unit
    return line


def _render(view: _View, person: Person, kind: str) -> dict:
    def name(text: str) -> str:
        text = text if view.accents else strip_accents(text)
        return text.upper() if view.case == "upper" else text.lower() if view.case == "lower" else text

    def place(text: str) -> str:
        return text.upper() if view.case == "upper" else text

    city = view.city
    if city.startswith("St. "):
        city = view.address_style.saint + " " + city[4:]
    return {
        "entity": person.entity,
        "kind": kind,
        "first_name": name(view.first),
        "middle_name": name(view.middle),
        "last_name": name(view.last + view.suffix),
        "date_of_birth": view.dob,
        "address_line1": place(_format_street(view.street, view.address_style, view.show_unit)) if view.street else "",
        "city": place(city),
        "state": view.state,
        "postal_code": view.zip5 + (f"-{view.plus4}" if view.plus4 and view.zip5 else ""),
        "phones": [_format_phone(phone, view.phone_format) for phone in view.phones],
        "emails": list(view.emails),
    }


# ---------------------------------------------------------------------------------------
# Typos.
# ---------------------------------------------------------------------------------------


def _keyboard_neighbours() -> dict[str, str]:
    neighbours = {}
    for row_index, row in enumerate(KEYBOARD_ROWS):
        for i, key in enumerate(row):
            near = []
            for r, j in (
                (row_index, i - 1),
                (row_index, i + 1),
                (row_index - 1, i),
                (row_index - 1, i + 1),
                (row_index + 1, i - 1),
                (row_index + 1, i),
            ):
                if 0 <= r < len(KEYBOARD_ROWS) and 0 <= j < len(KEYBOARD_ROWS[r]):
                    near.append(KEYBOARD_ROWS[r][j])
            neighbours[key] = "".join(near)
    return neighbours


KEYBOARD_NEIGHBOURS = _keyboard_neighbours()


def _letter_positions(word: str, start: int = 1) -> list[int]:
    return [i for i in range(start, len(word)) if word[i].isalpha()]


def typo(
    word: str, rng: random.Random, methods: tuple[str, ...] = ("keyboard", "drop", "double", "transpose", "phonetic")
) -> str:
    """One human slip in `word`; the first letter is rarely wrong, so slips start at the second."""
    for _ in range(20):
        method = rng.choice(methods)
        positions = _letter_positions(word)
        if not positions:
            return word
        i = rng.choice(positions)
        if method == "keyboard":
            lower = word[i].lower()
            if lower not in KEYBOARD_NEIGHBOURS:
                continue
            new = rng.choice(KEYBOARD_NEIGHBOURS[lower])
            result = word[:i] + (new.upper() if word[i].isupper() else new) + word[i + 1 :]
        elif method == "drop":
            if len(word) < 4:
                continue
            result = word[:i] + word[i + 1 :]
        elif method == "double":
            result = word[:i] + word[i] + word[i:]
        elif method == "transpose":
            if i + 1 >= len(word) or not word[i + 1].isalpha() or word[i] == word[i + 1]:
                continue
            result = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        elif method == "ocr":
            result = _substitute(word, OCR_CONFUSIONS, rng, start=0)
        else:
            result = _substitute(word, PHONETIC_SWAPS, rng, start=1)
        if result and result != word:
            return result
    return word


def _substitute(word: str, table, rng: random.Random, start: int) -> str:
    options = []
    for old, new in table:
        index = word.find(old, start)
        while index >= 0:
            options.append((index, old, new))
            index = word.find(old, index + 1)
    if not options:
        return word
    index, old, new = rng.choice(options)
    return word[:index] + new + word[index + len(old) :]


# ---------------------------------------------------------------------------------------
# Duplicates. Each change is one function; it edits the view and returns its labels, or
# None when it does not apply to this person. Changes in one group exclude each other.
# ---------------------------------------------------------------------------------------


class _Corruptor:
    def __init__(self, builder: _Builder):
        self.builder = builder
        self.rng = builder.rng
        self.used_groups: set[str] = set()
        self.original: _View | None = None  # the record being duplicated; "missing_x" needs x there
        # (label, weight, exclusive group)
        self.changes = (
            ("nickname", 16, "first"),
            ("nickname_typo", 3, "first"),
            ("first_typo", 5, "first"),
            ("initial", 2, "first"),
            ("goes_by_middle", 2, "first"),
            ("middle_in_first", 3, "middle"),
            ("middle_changed", 4, "middle"),
            ("last_typo", 6, "last"),
            ("married_name", 5, "last"),
            ("double_surname", 10, "last"),
            ("name_punct", 5, "last"),
            ("ocr", 3, "ocr"),
            ("first_last_swap", 2, "swap"),
            ("accents", 8, "accents"),
            ("suffix", 8, "suffix"),
            ("all_caps", 4, "case"),
            ("lowercase", 1, "case"),
            ("dob_swap", 4, "dob"),
            ("dob_typo", 4, "dob"),
            ("missing_dob", 6, "dob"),
            ("new_phone", 7, "phone"),
            ("extra_phone", 5, "phone"),
            ("household_phone", 3, "phone"),
            ("missing_phone", 3, "phone"),
            ("phone_typo", 2, "phone"),
            ("phone_format", 10, "phone_format"),
            ("new_email", 5, "email"),
            ("extra_email", 4, "email"),
            ("missing_email", 6, "email"),
            ("email_typo", 2, "email"),
            ("email_case", 5, "email_case"),
            ("moved", 8, "address"),
            ("missing_address", 3, "address"),
            ("unit_dropped", 2, "address"),
            ("street_typo", 2, "address"),
            ("zip_typo", 1, "address"),
            ("address_format", 8, "address_format"),
            ("zip_plus4", 3, "zip_plus4"),
        )

    def duplicate(self, person: Person, full: _View, original: _View) -> tuple[_View, list[str]]:
        """A second record of `person`; retried when it would keep no identifier in common."""
        self.original = original
        for _ in range(8):
            view = replace(full, phones=list(full.phones), emails=list(full.emails))
            labels = self.apply_changes(view, person, full)
            if _evidence(view, original) >= (2 if _renames(labels) else 1):
                return view, labels
            self.builder.duplicate_retries += 1
        return view, labels

    def apply_changes(self, view: _View, person: Person, full: _View) -> list[str]:
        rng = self.rng
        if rng.random() < 0.05:
            return ["exact"]  # the same form keyed in twice, or imported from two spreadsheets
        wanted = rng.choices((1, 2, 3, 4), weights=(40, 35, 18, 7))[0]
        labels: list[str] = []
        used_groups: set[str] = set()
        self.used_groups = used_groups
        candidates = list(self.changes)
        while len(labels) < wanted and candidates:
            weights = [weight for _, weight, _ in candidates]
            label, _, group = candidates.pop(rng.choices(range(len(candidates)), weights=weights)[0])
            if group in used_groups:
                continue
            applied = getattr(self, "change_" + label)(view, person, full)
            if applied:
                labels.extend(applied)
                used_groups.add(group)
                used_groups.update(_GROUP_OF.get(extra, "") for extra in applied)
        return labels or ["exact"]

    # -- names --

    def change_nickname(self, view, person, full, with_typo=False):
        groups = self.builder.nickname_groups(person.sex, person.first, person.hispanic)
        if not groups:
            return None
        formals, nicknames = self.rng.choice(groups)
        # Only the given name changes; a middle name typed into the first-name box stays.
        given, _, rest = view.first.partition(" ")
        shown = _name_key(given)
        if shown in {_name_key(n) for n in formals}:
            pool = nicknames if self.rng.random() < 0.85 or len(formals) == 1 else formals
        else:
            pool = formals if self.rng.random() < 0.7 else nicknames
        pool = [n for n in pool if _name_key(n) != shown]
        if not pool:
            return None
        name = self.rng.choice(pool)
        if with_typo:
            name = typo(name, self.rng, ("drop", "double", "keyboard"))
            if _name_key(name) == shown:  # "Peter" minus a letter is "Pete" again
                return None
        view.first = f"{name} {rest}" if rest else name
        return ["nickname_typo" if with_typo else "nickname"]

    def change_nickname_typo(self, view, person, full):
        return self.change_nickname(view, person, full, with_typo=True)

    def change_first_typo(self, view, person, full):
        new = typo(view.first, self.rng)
        if new == view.first:
            return None
        view.first = new
        return ["first_typo"]

    def change_last_typo(self, view, person, full):
        new = typo(view.last, self.rng)
        if new == view.last:
            return None
        view.last = new
        return ["last_typo"]

    def change_ocr(self, view, person, full):
        # Scanned intake forms: rn/m, cl/d, e/c, l/1 ... in a name no other change has touched.
        targets = [name for name in ("first", "last") if name not in self.used_groups]
        if not targets:
            return None
        target = self.rng.choice(targets)
        new = typo(getattr(view, target), self.rng, ("ocr",))
        if new == getattr(view, target):
            return None
        setattr(view, target, new)
        self.used_groups.add(target)
        return ["ocr"]

    def change_initial(self, view, person, full):
        if len(view.first) <= 2:
            return None
        view.first = view.first[0] + self.rng.choice(("", "."))
        return ["initial"]

    def change_goes_by_middle(self, view, person, full):
        if len(person.middle) < 2:
            return None
        view.first, view.middle = person.middle, person.first[0] + self.rng.choice(("", "."))
        return ["goes_by_middle"]

    def change_middle_in_first(self, view, person, full):
        if len(person.middle) < 2:
            return None
        view.first, view.middle = f"{view.first} {person.middle}", ""
        return ["middle_in_first"]

    def change_middle_changed(self, view, person, full):
        if not person.middle:
            return None
        if len(view.middle) > 2:
            view.middle = self.rng.choice((view.middle[0], view.middle[0] + ".", ""))
        else:
            view.middle = person.middle
        return ["middle_changed"]

    def change_married_name(self, view, person, full):
        rng = self.rng
        if person.sex != "F" or person.age < 20:
            return None
        new, _ = self.builder.pick_last(person.hispanic and rng.random() < 0.6)
        new = new.split()[0]
        old = view.last
        form = rng.choices(("new", "hyphen", "space", "maiden_middle"), weights=(60, 20, 8, 12))[0]
        if form == "new":
            view.last = new
        elif form == "hyphen":
            view.last = f"{old}-{new}"
        elif form == "space":
            view.last = f"{old} {new}"
        else:
            view.last, view.middle = new, old
        labels = ["married_name"]
        # A new name often comes with a new home and a new e-mail.
        if "address" not in self.used_groups and rng.random() < 0.4:
            labels += self.change_moved(view, person, full) or []
        if "email" not in self.used_groups and rng.random() < 0.35:
            new_email = self.builder.personal_email(person, last=new)
            view.emails = [new_email] + view.emails[1:] if view.emails and rng.random() < 0.6 else [new_email]
            labels.append("new_email")
        return labels

    def change_double_surname(self, view, person, full):
        if not person.double_surname:
            return None
        paternal, maternal = person.last.split()
        options = [f"{paternal} {maternal}", f"{paternal}-{maternal}", paternal, paternal, maternal]
        options = [o for o in options if o != view.last]
        view.last = self.rng.choice(options)
        return ["double_surname"]

    def change_name_punct(self, view, person, full):
        last = view.last
        options = []
        if "'" in last:
            options += [last.replace("'", ""), last.replace("'", " ")]
        if re.match(r"^(Mc|Mac)[A-Z]", last):
            prefix = "Mc" if last.startswith("Mc") else "Mac"
            rest = last[len(prefix) :]
            options += [prefix + rest.lower(), f"{prefix} {rest}"]
        if "-" in last:
            options += [last.replace("-", " "), last.replace("-", "")]
        if " " in last:
            options += [last.replace(" ", ""), last.replace(" ", "-"), " ".join(w.capitalize() for w in last.split())]
        if re.match(r"^(De|La|Van|St\.)[A-Z ]", last):
            options += [last.replace(" ", "").capitalize(), last.replace(".", "")]
        options = [o for o in dict.fromkeys(options) if o != last]
        if not options:
            return None
        view.last = self.rng.choice(options)
        return ["name_punct"]

    def change_first_last_swap(self, view, person, full):
        if "first" in self.used_groups or "last" in self.used_groups:
            return None
        view.first, view.last = view.last, view.first
        self.used_groups.update(("first", "last"))  # a later nickname or typo would act on the wrong field
        return ["first_last_swap"]

    def change_accents(self, view, person, full):
        if strip_accents(view.first + view.middle + view.last) == view.first + view.middle + view.last:
            return None
        view.accents = not view.accents
        return ["accents_added" if view.accents else "accents_dropped"]

    def change_suffix(self, view, person, full):
        if not person.suffix:
            return None
        view.suffix = "" if view.suffix else self.rng.choice((" ", ", ")) + person.suffix + self.rng.choice(("", "."))
        return ["suffix"]

    def change_all_caps(self, view, person, full):
        if view.case == "upper":
            return None
        view.case = "upper"
        return ["all_caps"]

    def change_lowercase(self, view, person, full):
        if view.case == "lower":
            return None
        view.case = "lower"
        return ["lowercase"]

    # -- date of birth --

    def change_dob_swap(self, view, person, full):
        dob = view.dob
        if dob is None or dob.day > 12 or dob.day == dob.month:
            return None
        view.dob = date(dob.year, dob.day, dob.month)
        return ["dob_swap"]

    def change_dob_typo(self, view, person, full):
        rng = self.rng
        dob = view.dob
        if dob is None:
            return None
        for _ in range(10):
            kind = rng.choice(("day", "month", "year", "year_digits"))
            try:
                if kind == "day":
                    new = dob.replace(day=dob.day + rng.choice((-2, -1, 1, 2, 10, -10)))
                elif kind == "month":
                    new = dob.replace(month=dob.month + rng.choice((-1, 1)))
                elif kind == "year":
                    new = dob.replace(year=dob.year + rng.choice((-1, 1, -10, 10)))
                else:  # 1978 -> 1987
                    digits = str(dob.year)
                    new = dob.replace(year=int(digits[:2] + digits[3] + digits[2]))
            except ValueError:
                continue
            if new != dob and new <= REFERENCE_DATE:
                view.dob = new
                return ["dob_typo"]
        return None

    def change_missing_dob(self, view, person, full):
        if view.dob is None or self.original.dob is None:
            return None
        view.dob = None
        return ["missing_dob"]

    # -- phones --

    def change_new_phone(self, view, person, full):
        new = self.builder.new_phone(self.builder.mobile_area_codes(person.household.city))
        if view.phones:
            index = view.phones.index(person.mobile) if person.mobile in view.phones else 0
            view.phones[index] = new
        else:
            view.phones = [new]
        return ["new_phone"]

    def change_extra_phone(self, view, person, full):
        rng = self.rng
        options = [p for p in (person.work, person.household.landline, person.mobile) if p and p not in view.phones]
        phone = rng.choice(options) if options else self.builder.new_phone(person.household.city.area_codes)
        view.phones.append(phone)
        return ["extra_phone"]

    def change_household_phone(self, view, person, full):
        # Intake took the number of whoever called: the home line or the spouse's cell.
        options = [
            p
            for p in (person.household.landline, person.partner.mobile if person.partner else None)
            if p and p not in view.phones
        ]
        if not options:
            return None
        view.phones = [self.rng.choice(options)]
        return ["household_phone"]

    def change_missing_phone(self, view, person, full):
        if not view.phones or not self.original.phones:
            return None
        view.phones = []
        return ["missing_phone"]

    def change_phone_typo(self, view, person, full):
        if not view.phones:
            return None
        phone = view.phones[0]
        digits = list(phone.number)
        i = self.rng.randint(6, 9)  # the last four digits: any value keeps the number valid
        digits[i] = self.rng.choice([d for d in "0123456789" if d != digits[i]])
        view.phones[0] = Phone("".join(digits), phone.extension)
        return ["phone_typo"]

    def change_phone_format(self, view, person, full):
        if not view.phones:
            return None
        formats = [template for template, _ in PHONE_FORMATS if template != view.phone_format]
        view.phone_format = self.rng.choice(formats)
        return ["phone_format"]

    # -- e-mails --

    def change_new_email(self, view, person, full):
        if person.age < 13:
            return None
        new = self.builder.personal_email(person)
        view.emails = [new] + view.emails[1:]
        return ["new_email"]

    def change_extra_email(self, view, person, full):
        if person.age < 13:
            return None
        options = [e for e in person.emails if e not in view.emails]
        view.emails.append(options[0] if options else self.builder.personal_email(person))
        return ["extra_email"]

    def change_missing_email(self, view, person, full):
        if not view.emails or not self.original.emails:
            return None
        view.emails = []
        return ["missing_email"]

    def change_email_typo(self, view, person, full):
        if not view.emails:
            return None
        local, _, domain = view.emails[0].partition("@")
        if domain in EMAIL_DOMAIN_TYPOS and self.rng.random() < 0.6:
            domain = self.rng.choice(EMAIL_DOMAIN_TYPOS[domain])
        else:
            new_local = typo(local, self.rng, ("drop", "double", "transpose", "keyboard"))
            if new_local == local:
                return None
            local = new_local
        view.emails[0] = f"{local}@{domain}"
        return ["email_typo"]

    def change_email_case(self, view, person, full):
        if not view.emails:
            return None
        email = view.emails[0]
        style = self.rng.choice(("capitalised", "upper", "spaces", "capitalised_spaces"))
        if style.startswith("capitalised"):
            email = _capitalise_email(email)
        elif style == "upper":
            email = email.upper()
        if style.endswith("spaces"):
            email = self.rng.choice((" ", "", "  ")) + email + self.rng.choice((" ", "\t", "  "))
        if email == view.emails[0]:
            return None
        view.emails[0] = email
        return ["email_case"]

    # -- addresses --

    def change_moved(self, view, person, full):
        builder, rng = self.builder, self.rng
        city = person.household.city if rng.random() < 0.55 else builder.cities.pick(rng)
        view.street = builder.new_street(city)
        view.city, view.state = city.name, city.state
        view.zip5, view.plus4 = rng.choice(city.zip3) + f"{rng.randint(1, 99):02d}", ""
        landline = person.household.landline
        if landline in view.phones:  # a home line stays with the house
            view.phones[view.phones.index(landline)] = builder.new_phone(city.area_codes)
        return ["moved"]

    def change_missing_address(self, view, person, full):
        if view.street is None or self.original.street is None:
            return None
        view.street, view.zip5, view.plus4 = None, "", ""
        if self.rng.random() < 0.5:
            view.city = view.state = ""
        return ["missing_address"]

    def change_unit_dropped(self, view, person, full):
        if view.street is None or not view.street.unit or not view.show_unit:
            return None
        view.show_unit = False
        return ["unit_dropped"]

    def change_street_typo(self, view, person, full):
        if view.street is None or not view.street.name[0].isalpha():
            return None
        new = typo(view.street.name, self.rng)
        if new == view.street.name:
            return None
        view.street = replace(view.street, name=new)
        return ["street_typo"]

    def change_zip_typo(self, view, person, full):
        if not view.zip5:
            return None
        digits = list(view.zip5)
        i = self.rng.choice((3, 4))
        digits[i] = self.rng.choice([d for d in "0123456789" if d != digits[i]])
        view.zip5 = "".join(digits)
        return ["zip_typo"]

    def change_address_format(self, view, person, full):
        if view.street is None:
            return None
        before = _format_street(view.street, view.address_style, view.show_unit)
        for _ in range(10):
            style = self.builder.random_address_style()
            if _format_street(view.street, style, view.show_unit) != before:
                view.address_style = style
                return ["address_format"]
        return None

    def change_zip_plus4(self, view, person, full):
        if not view.zip5:
            return None
        view.plus4 = "" if view.plus4 else person.household.plus4
        return ["zip_plus4"]


_GROUP_OF = {"moved": "address", "new_email": "email"}
# Changes after which the name alone no longer points at the person.
_RENAMING = {
    "married_name",
    "first_last_swap",
    "goes_by_middle",
    "initial",
    "nickname",
    "nickname_typo",
    "double_surname",
    "ocr",
    "first_typo",
    "last_typo",
}


def _renames(labels: list[str]) -> bool:
    return "married_name" in labels or sum(label in _RENAMING for label in labels) >= 2


def _evidence(a: _View, b: _View) -> int:
    """How many identifiers two records share: date of birth, a phone, an e-mail, the address."""
    shared = int(a.dob is not None and a.dob == b.dob)
    shared += bool({p.number for p in a.phones} & {p.number for p in b.phones})
    shared += bool({e.strip().lower() for e in a.emails} & {e.strip().lower() for e in b.emails})
    shared += a.street is not None and a.street == b.street and a.zip5 == b.zip5
    return shared


# ---------------------------------------------------------------------------------------
# Public API.
# ---------------------------------------------------------------------------------------


def generate(*, people: int = 3000, seed: int = 7) -> list[dict]:
    """Contacts of `people` primary clients plus their hard negatives and duplicates, shuffled.

    `people` counts the firm's clients and claimants; about 0.24 family members, roommates
    and namesakes per client are added on top, and 27% of clients (15% of the others) get
    one or two extra records. Records have ids 1..N in shuffled order; `entity` is the same
    for all records of one real person and `kind` says how the record was made.
    """
    rng = random.Random(seed)
    builder = _Builder(rng)
    primaries = [builder.new_primary() for _ in range(people)]
    builder.add_hard_negatives(primaries)
    builder.assign_contacts()
    records = builder.render_records()
    rng.shuffle(records)
    return [{"id": number, **record} for number, record in enumerate(records, start=1)]


def true_pairs(records: list[dict]) -> set[tuple[int, int]]:
    """(low id, high id) for every two records of the same entity."""
    by_entity: dict[int, list[int]] = {}
    for record in records:
        by_entity.setdefault(record["entity"], []).append(record["id"])
    pairs = set()
    for ids in by_entity.values():
        for a, b in itertools.combinations(sorted(ids), 2):
            pairs.add((a, b))
    return pairs


CSV_FIELDS = (
    "id",
    "entity",
    "kind",
    "first_name",
    "middle_name",
    "last_name",
    "date_of_birth",
    "address_line1",
    "city",
    "state",
    "postal_code",
    "phones",
    "emails",
)


def write_csv(records: list[dict], path: str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for record in records:
            row = dict(record)
            row["date_of_birth"] = record["date_of_birth"].isoformat() if record["date_of_birth"] else ""
            row["phones"] = "; ".join(record["phones"])
            row["emails"] = "; ".join(record["emails"])
            writer.writerow(row)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--csv", metavar="PATH", help="write the records here as CSV")
    args = parser.parse_args(argv)
    records = generate(people=args.people, seed=args.seed)
    kinds = Counter(record["kind"].split(":")[0] for record in records)
    changes = Counter(
        label
        for record in records
        if record["kind"].startswith("duplicate:")
        for label in record["kind"].split(":", 1)[1].split(",")
    )
    print(f"records     {len(records)}")
    print(f"entities    {len({record['entity'] for record in records})}")
    print(f"true pairs  {len(true_pairs(records))}")
    print("by kind:")
    for kind, n in kinds.most_common():
        print(f"  {kind:<12} {n}")
    print("duplicate changes:")
    for label, n in changes.most_common():
        print(f"  {label:<16} {n}")
    if args.csv:
        write_csv(records, args.csv)
        print(f"wrote {args.csv}", file=sys.stderr)


if __name__ == "__main__":
    main()
