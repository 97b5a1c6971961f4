"""First-name nicknames, so "Bob Smith" matches "Robert Smith" and "Shelly" matches "Michelle".

Two sources: the hand-curated English table of the `nicknames` package (about 2,700 name and
nickname pairs), and the table below (Spanish forms and common ones it lacks).
`canonical_first_names("Bob")` gives every formal name a first name may stand for; two first
names are the same person's when their sets meet. Names are folded (lower case, ASCII).
"""

from functools import lru_cache

from contacts.normalize import fold

# Formal name: the short forms people use for it.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "abigail": ("abby", "abbie", "gail"),
    "albert": ("al", "bert", "bertie"),
    "alexander": ("alex", "al", "sasha", "xander", "alejandro"),
    "alexandra": ("alex", "alexa", "sandra", "sandy", "sasha", "alejandra"),
    "alfred": ("al", "alf", "fred", "freddie"),
    "andrew": ("andy", "drew", "andres"),
    "anthony": ("tony", "antonio", "anton"),
    "antonio": ("tony", "toni", "tono"),
    "arthur": ("art", "artie"),
    "barbara": ("barb", "barbie", "babs"),
    "benjamin": ("ben", "benny", "benji"),
    "catherine": ("cathy", "kate", "katie", "cat", "kathy", "katherine", "kathryn", "catalina"),
    "charles": ("charlie", "chuck", "chas", "carlos"),
    "christina": ("chris", "tina", "christy", "kristina", "cristina"),
    "christine": ("chris", "tina", "christy", "kristine"),
    "christopher": ("chris", "kit", "topher", "cristobal"),
    "daniel": ("dan", "danny", "dani"),
    "david": ("dave", "davey", "davy"),
    "deborah": ("deb", "debbie", "debra"),
    "dennis": ("denny",),
    "donald": ("don", "donnie"),
    "dorothy": ("dot", "dottie", "dolly"),
    "douglas": ("doug",),
    "edward": ("ed", "eddie", "ted", "ned", "eduardo"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "eliza", "betsy", "libby", "lisa", "elisa", "isabel"),
    "emily": ("em", "emmy", "millie"),
    "eugene": ("gene",),
    "francisco": ("paco", "pancho", "frank", "cisco"),
    "frances": ("fran", "frannie", "francis"),
    "frank": ("frankie", "francis", "franklin"),
    "frederick": ("fred", "freddie", "fritz"),
    "gabriel": ("gabe", "gabby"),
    "gerald": ("gerry", "jerry"),
    "gregory": ("greg",),
    "guadalupe": ("lupe", "lupita"),
    "harold": ("hal", "harry"),
    "henry": ("hank", "harry", "enrique"),
    "ignacio": ("nacho",),
    "jacob": ("jake", "jack", "jacobo"),
    "james": ("jim", "jimmy", "jamie", "jaime", "diego"),
    "janet": ("jan",),
    "jeffrey": ("jeff",),
    "jennifer": ("jen", "jenny", "jenn"),
    "jessica": ("jess", "jessie"),
    "john": ("jack", "johnny", "jon", "juan"),
    "jonathan": ("jon", "jonny", "nathan"),
    "jose": ("pepe", "joe", "chepe", "joseph"),
    "joseph": ("joe", "joey", "jos"),
    "joshua": ("josh",),
    "juan": ("juanito",),
    "judith": ("judy", "jude"),
    "katherine": ("kate", "katie", "kathy", "kat", "kathryn", "catherine"),
    "kenneth": ("ken", "kenny"),
    "kimberly": ("kim", "kimmy"),
    "lawrence": ("larry", "laurie"),
    "leonard": ("leo", "len", "lenny"),
    "margaret": ("maggie", "meg", "peggy", "marge", "margie", "greta", "margarita", "rita"),
    "maria": ("mary", "mari", "marie", "mia"),
    "mary": ("molly", "polly", "mae", "maria", "marie"),
    "matthew": ("matt", "matty", "mateo"),
    "michael": ("mike", "mikey", "mick", "mickey", "miguel"),
    "nancy": ("nan",),
    "nicholas": ("nick", "nicky", "nico", "nicolas"),
    "pamela": ("pam",),
    "patricia": ("pat", "patty", "patsy", "trish", "tricia", "patti"),
    "patrick": ("pat", "paddy", "rick", "patricio"),
    "peter": ("pete", "pedro"),
    "philip": ("phil",),
    "raymond": ("ray",),
    "rebecca": ("becky", "becca", "reba"),
    "richard": ("rick", "rich", "dick", "ricky", "richie", "ricardo"),
    "robert": ("bob", "bobby", "rob", "robbie", "bert", "roberto"),
    "ronald": ("ron", "ronnie"),
    "samantha": ("sam", "sammy", "sammie"),
    "samuel": ("sam", "sammy"),
    "sandra": ("sandy", "sandi"),
    "stephen": ("steve", "stevie", "steven", "esteban"),
    "steven": ("steve", "stevie", "stephen"),
    "susan": ("sue", "suzy", "susie", "suzanne"),
    "teresa": ("terry", "tess", "tessa", "theresa"),
    "theodore": ("ted", "teddy", "theo"),
    "thomas": ("tom", "tommy", "tomas"),
    "timothy": ("tim", "timmy"),
    "victoria": ("vicky", "tori", "vicki"),
    "walter": ("walt", "wally"),
    "william": ("bill", "billy", "will", "willy", "liam", "guillermo"),
    "zachary": ("zach", "zack"),
    "jesus": ("chuy", "chucho", "chuyito"),
    "enrique": ("kike", "quique", "henry"),
    "eduardo": ("lalo", "eddie", "ed"),
    "concepcion": ("concha", "conchita"),
    "dolores": ("lola", "lolita"),
    "rosario": ("chayo",),
    "manuel": ("manny", "manolo"),
    "rafael": ("rafa",),
    "salvador": ("chava", "sal"),
    "santiago": ("santi",),
    "alberto": ("beto", "al"),
    "roberto": ("beto", "rob"),
    "guillermo": ("memo", "willie"),
}


def _all_nicknames() -> dict[str, set[str]]:
    """Formal name -> its short forms, from both sources."""
    from nicknames import NickNamer

    table: dict[str, set[str]] = {formal: set(short) for formal, short in NICKNAMES.items()}
    for formal, short_forms in NickNamer().nickname_lookup.items():
        formal = fold(formal)
        table.setdefault(formal, set()).update(fold(short) for short in short_forms if short)
    return table


_NICKNAMES = _all_nicknames()
FORMAL_NAMES = frozenset(_NICKNAMES)


def _build_index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for formal, short_forms in _NICKNAMES.items():
        index.setdefault(formal, set()).add(formal)
        for short in short_forms:
            index.setdefault(short, set()).add(formal)
    return {name: frozenset(formals) for name, formals in index.items()}


_INDEX = _build_index()


@lru_cache(maxsize=65536)
def canonical_first_names(first_name: str) -> frozenset[str]:
    """The formal names a (folded or raw) first name may stand for, and itself."""
    name = fold(first_name).split(" ")[0] if first_name else ""
    if not name:
        return frozenset()
    return _INDEX.get(name, frozenset()) | {name}


def same_first_name(a: str, b: str) -> bool:
    """True when two first names are equal or one is a common nickname of the other."""
    return bool(canonical_first_names(a) & canonical_first_names(b))


def _build_families() -> dict[str, frozenset[str]]:
    families: dict[str, set[str]] = {}
    for formal, short_forms in _NICKNAMES.items():
        members = {formal, *short_forms}
        for name in members:
            families.setdefault(name, set()).update(members)
    return {name: frozenset(members) for name, members in families.items()}


_FAMILIES = _build_families()


def name_family(first_name: str) -> frozenset[str]:
    """Every form of the names a folded first name may stand for (formal names and their
    nicknames): "jim" -> {"james", "jim", "jimmy", "jamie", ...}; empty when unknown."""
    return _FAMILIES.get(first_name, frozenset())
