"""A synthetic French/English news corpus for kg's performance benchmarks.

The articles are benchmark input, not evaluation material: every company (except a few
well-known names used as partners and investors, so that entities recur across
documents), person, product, amount and quote is invented, and no gold annotation goes
with them. What they imitate is the *shape* of the news kg reads: 300 to 900 words
(about 500 on average) in several paragraphs, half in French and half in English, a few
facts per article (partnerships, investments and funding rounds, training commitments,
roles, headquarters, product launches, quotes) written with varied templates, between
paragraphs of general economic commentary that state no fact. Most files are ``.txt``;
one in ten is Markdown with YAML front matter and one in ten a saved web page whose
``<article>`` sits among a menu, share buttons, related links, a comment section and a
footer.

Generation is deterministic and uses only the standard library: the same ``n`` and
``seed`` give byte-identical files, and article ``i`` depends only on ``seed`` and ``i``
(``generate(100)`` writes the first 100 files of ``generate(2000)``).

    python benchmarks/synthetic.py 2000 /tmp/synth2000 [--seed 0]
    kg build /tmp/synth2000 --out /tmp/synth2000-out

``--jsonl`` writes the same articles as one JSON Lines file instead, one record per
article, as a news API or a media-monitoring tool exports them (``id``, ``url``,
``title``, ``published_at``, ``language``, ``source``, ``text``; one record in ten
carries the saved web page as its text, as some exports do). :func:`write_jsonl`
streams: a file of any size is written one record at a time.

    python benchmarks/synthetic.py 100000 /tmp/news --jsonl [--gzip]

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     paths = generate(4, tmp)
...     [p.name for p in paths]
['synth-00000-fr.txt', 'synth-00001-en.txt', 'synth-00002-fr.txt', 'synth-00003-en.md']
"""

import argparse
import contextlib
import html
import io
import json
import random
import re
import sys
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

__all__ = ["generate", "write_jsonl", "main"]

# ---------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------

# fmt: off
# Invented organisation names: onset + coda + a suffix that says what kind of firm it is.
ONSETS = ("Ax", "Bel", "Cal", "Dor", "El", "Fal", "Gal", "Hal", "Is", "Jal", "Kal", "Lum", "Mor", "Nov", "Ol",
          "Pel", "Quor", "Ril", "Sel", "Tor", "Ul", "Vel", "Wyn", "Zan", "Bor", "Cyr", "Dex", "Ev", "Fin", "Kyr",
          "Lys", "Myr", "Nyx", "Pyr", "Tal", "Ven", "Ar", "Brel", "Cor", "Sol")
CODAS = ("ara", "ix", "ena", "ova", "is", "ium", "eon", "yx", "ia", "ent", "ora", "ex", "ica", "ano", "era",
         "os", "um", "ella", "ys", "ane", "ador", "ino", "eus", "ari", "une", "ore", "ette", "ide", "ance", "ilo")
SUFFIXES = {
    "startup": ("Labs", "AI", "Technologies", "Labs", "AI", "Technologies", "Robotics", "Analytics", "Data"),
    "investor": ("Capital", "Ventures", "Partners"),
    "group": ("Group", "Group", "Holdings", "Systems", "SA"),
}
POOL_SIZES = {"startup": 240, "investor": 60, "group": 80}

# Well-known names (in kg's gazetteer) that appear as partners, investors and trainers.
# They get no invented executives: quotes and roles belong to invented people only.
REAL_ORGS = {
    "group": ("Microsoft", "Google", "Amazon", "Nvidia", "IBM", "Capgemini", "Orange", "Thales", "Airbus"),
    "startup": ("OpenAI", "Mistral AI", "Hugging Face"),
    "investor": ("BNP Paribas", "Bpifrance", "Salesforce Ventures", "Sequoia Capital", "Index Ventures", "AXA"),
}

FIRST_NAMES = {
    ("fr", "f"): ("Camille", "Claire", "Sophie", "Julie", "Élodie", "Nathalie", "Isabelle", "Manon", "Léa",
                  "Chloé", "Inès", "Sarah", "Amélie", "Hélène", "Pauline", "Margaux", "Céline", "Laure",
                  "Aurélie", "Mathilde"),
    ("fr", "m"): ("Thomas", "Nicolas", "Julien", "Antoine", "Pierre", "Mathieu", "Olivier", "Guillaume",
                  "Laurent", "François", "Hugo", "Louis", "Maxime", "Vincent", "Sébastien", "Bruno", "Yann",
                  "Karim", "Mehdi", "Étienne"),
    ("en", "f"): ("Emily", "Sarah", "Rachel", "Laura", "Hannah", "Olivia", "Grace", "Megan", "Rebecca",
                  "Natalie", "Priya", "Chloe", "Amelia", "Jessica", "Katherine", "Lucy", "Naomi", "Fiona",
                  "Helen", "Maya"),
    ("en", "m"): ("James", "Daniel", "Michael", "David", "Andrew", "Matthew", "Ryan", "Jonathan", "Peter",
                  "Samuel", "Benjamin", "Oliver", "Nathan", "Ethan", "Marcus", "Adrian", "Raj", "Owen",
                  "Liam", "Patrick"),
}
SURNAMES = {
    "fr": ("Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Girard", "Roux", "Fournier", "Morel",
           "Mercier", "Blanc", "Guérin", "Faure", "Rousseau", "Chevalier", "Garnier", "Lambert", "Bonnet",
           "Perrin", "Marchand", "Dufour", "Leclerc", "Gauthier", "Renard", "Picard", "Barbier", "Arnaud",
           "Caron", "Lemoine", "Benali", "Nguyen", "Haddad", "Fontaine", "Masson", "Aubert", "Brunet"),
    "en": ("Walker", "Harris", "Clarke", "Turner", "Bennett", "Hughes", "Foster", "Reed", "Collins",
           "Morgan", "Patel", "Sullivan", "Carter", "Brooks", "Hayes", "Russell", "Griffin", "Ward", "Palmer",
           "Fletcher", "Holt", "Chen", "Kim", "Novak", "Sharma", "Murray", "Ellis", "Barnes", "Porter", "Webb"),
}

# (French name, English name, French adjective (feminine), home language of its firms)
CITIES = (
    ("Paris", "Paris", "parisienne", "fr"), ("Lyon", "Lyon", "lyonnaise", "fr"),
    ("Toulouse", "Toulouse", "toulousaine", "fr"), ("Nantes", "Nantes", "nantaise", "fr"),
    ("Bordeaux", "Bordeaux", "bordelaise", "fr"), ("Lille", "Lille", "lilloise", "fr"),
    ("Grenoble", "Grenoble", "grenobloise", "fr"), ("Marseille", "Marseille", "marseillaise", "fr"),
    ("Strasbourg", "Strasbourg", "strasbourgeoise", "fr"), ("Montpellier", "Montpellier", None, "fr"),
    ("Rennes", "Rennes", None, "fr"), ("Londres", "London", "londonienne", "en"),
    ("Berlin", "Berlin", None, "en"), ("Munich", "Munich", None, "en"), ("Amsterdam", "Amsterdam", None, "en"),
    ("Bruxelles", "Brussels", None, "fr"), ("Genève", "Geneva", None, "fr"), ("Montréal", "Montreal", None, "fr"),
    ("Boston", "Boston", None, "en"), ("New York", "New York", "new-yorkaise", "en"),
    ("San Francisco", "San Francisco", None, "en"), ("Toronto", "Toronto", None, "en"),
    ("Dublin", "Dublin", None, "en"), ("Stockholm", "Stockholm", None, "en"),
)

# (French, with "de": "du secteur de la santé", English)
SECTORS = (
    ("de la santé", "healthcare"), ("de la logistique", "logistics"), ("de la finance", "finance"),
    ("de l'énergie", "energy"), ("de l'agriculture", "agriculture"), ("de l'industrie", "manufacturing"),
    ("de l'assurance", "insurance"), ("du commerce de détail", "retail"), ("de la cybersécurité", "cybersecurity"),
    ("de l'éducation", "education"), ("des transports", "transport"), ("des services juridiques", "legal services"),
    ("de l'immobilier", "real estate"), ("des médias", "media"),
)

# Product names: "SolanoAssist", "KaloreGPT", "Velia Pro", "Finyx-3", "Morent 2.5"
PRODUCT_FORMS = ("{stem}{word}", "{stem}{word}", "{stem}{word}", "{stem}GPT", "{stem} {word}", "{stem}-{n}",
                 "{stem} {n}.5")
PRODUCT_WORDS = ("Chat", "Pro", "Bot", "Assist", "Studio", "Pilot", "Vision", "Scribe", "Flow", "Mind")
# (French, English) kinds of product; the French ones are masculine
PRODUCT_KINDS = (
    ("assistant", "assistant"), ("modèle de langage", "language model"), ("logiciel", "software suite"),
    ("outil", "tool"), ("agent conversationnel", "chatbot"), ("modèle", "model"),
)
OWN_STAFF = (("salariés", "employees"), ("collaborateurs", "staff"), ("employés", "workers"))
PROGRAM_FORMS = ("{short} Academy", "{short} Skills Initiative", "{short} Academy", "{short} Talent Program")

# Groups of people that a training commitment is about: (French, English)
GROUPS = (
    ("salariés", "employees"), ("employés", "workers"), ("étudiants", "students"), ("jeunes", "young people"),
    ("demandeurs d'emploi", "job seekers"), ("développeurs", "developers"), ("enseignants", "teachers"),
    ("agents", "civil servants"), ("collaborateurs", "staff members"), ("personnes", "people"),
    ("ingénieurs", "engineers"), ("apprentis", "apprentices"),
)

# Roles: key -> (French masculine, French feminine, English)
ROLES = {
    "ceo": (("PDG", "PDG", "chief executive"), ("directeur général", "directrice générale", "CEO"),
            ("président-directeur général", "présidente-directrice générale", "chief executive officer")),
    "founder": (("fondateur", "fondatrice", "founder"), ("cofondateur", "cofondatrice", "co-founder")),
    "cto": (("directeur technique", "directrice technique", "chief technology officer"),
            ("directeur de la technologie", "directrice de la technologie", "CTO")),
    "partner": (("associé", "associée", "partner"), ("associé gérant", "associée gérante", "managing partner")),
}

MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}
WEEKDAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}

# Invented news sites for the .md and .html files: (name, host, language)
SITES = (
    ("Le Courrier de l'Éco", "courrier-eco.example", "fr"), ("L'Observateur numérique", "obs-numerique.example", "fr"),
    ("La Gazette des entreprises", "gazette-entreprises.example", "fr"),
    ("The Harbour Courier", "harbour-courier.example", "en"), ("Metro Business Daily", "metro-business.example", "en"),
    ("The Tech Ledger Weekly", "tech-ledger.example", "en"),
)

# fmt: on

# ---------------------------------------------------------------------------------------
# Templates. Fields: {a} {b} organisations; {de_x} is "de X" / "d'X" in French; {when} a date
# phrase; {amount} money; {count} a number of people and {group} who they are; {year} a
# target year; {person} {role} {org}; {city}; {product} {kind}; {q} a quotation.
# ---------------------------------------------------------------------------------------

PARTNER = {
    "fr": (
        "{a} s'associe à {b} pour développer des outils d'intelligence artificielle destinés au secteur {sector}.",
        "{a} a signé {when} un partenariat avec {b} dans le secteur {sector}.",
        "{when_cap}, {a} et {b} ont annoncé un partenariat stratégique de plusieurs années.",
        "{a} et {b} nouent une alliance pour proposer des services communs aux entreprises du secteur {sector}.",
        "{b} a choisi de collaborer avec {a} pour déployer ses solutions auprès de ses clients.",
        "{a} va travailler avec {b} sur une nouvelle offre destinée aux acteurs du secteur {sector}.",
        "En partenariat avec {b}, {a} proposera dès l'an prochain une solution commune.",
        "{a} s'est allié à {b} afin d'accélérer son développement commercial.",
        "{a} a conclu un accord de partenariat de trois ans avec {b}, a-t-on appris {when}.",
        "Le partenariat entre {a} et {b}, annoncé {when}, porte sur le secteur {sector}.",
    ),
    "en": (
        "{a} has partnered with {b} to build AI tools for the {sector} industry.",
        "{a} announced a partnership with {b} {when}, with a focus on {sector}.",
        "{a} and {b} said {when} that they would join forces on {sector} software.",
        "{a} is teaming up with {b} to bring its technology to {sector} customers.",
        "{a} signed a multiyear partnership with {b}, according to a statement released {when}.",
        "{b} will work with {a} on a new range of services for the {sector} sector.",
        "{a} and {b} have formed a strategic alliance covering the {sector} market.",
        "{a} teamed up with {b} last year and the two companies now plan to widen their collaboration.",
        "The partnership between {a} and {b}, unveiled {when}, covers {sector} clients in Europe.",
        "{b} has entered into a partnership with {a} to develop {sector} applications.",
    ),
}

INVEST = {
    "fr": (
        "{investor} investit {amount} dans {target}.",
        "{investor} a investi {amount} dans {target}, a annoncé l'entreprise {when}.",
        "{investor} va injecter {amount} dans {target} au cours des trois prochaines années.",
        "{investor} entre au capital {de_target} à hauteur de {amount}.",
        "{target} lève {amount} auprès {de_investor}.",
        "{target} a levé {amount} lors d'un tour de table mené par {investor}.",
        "La jeune pousse {target} a bouclé une levée de fonds de {amount}, menée par {investor}.",
        "{investor} a mené le tour de table de {amount} {de_target}, annoncé {when}.",
        "{target} annonce {when} une levée de {amount} auprès {de_investor}.",
        "{investor} mise {amount} sur {target}.",
    ),
    "en": (
        "{investor} is investing {amount} in {target}.",
        "{investor} has invested {amount} in {target}, the companies said {when}.",
        "{investor} will invest {amount} in {target} over the next three years.",
        "{target} raised {amount} from {investor}.",
        "{target} has raised {amount} in a funding round led by {investor}.",
        "{target} closed a {amount} round led by {investor} {when}.",
        "{investor} led a {amount} investment in {target}.",
        "{investor} has poured {amount} into {target}.",
        "{target} said {when} that it had secured {amount} from {investor}.",
        "{investor} put {amount} into {target}, taking a minority stake.",
    ),
}
# Other investors in the same round (no amount): {investors} is a list of names.
ROUND_OTHERS = {
    "fr": (
        "{investors} ont également participé au tour de table.",
        "{investors} ont aussi pris part à l'opération.",
        "Le tour de table réunit aussi {investors}.",
    ),
    "en": (
        "{investors} also took part in the round.",
        "{investors} also participated in the funding round.",
        "Existing investors {investors} joined the round.",
    ),
}
# An earlier round, stated in the past: {year} is before the publication year.
PAST_ROUND = {
    "fr": (
        "En {past_year}, {target} avait déjà levé {amount} auprès {de_investor}.",
        "{target} avait bouclé un premier tour de table de {amount} en {past_year}, mené par {investor}.",
        "{investor} avait investi {amount} dans {target} dès {past_year}.",
    ),
    "en": (
        "In {past_year}, {target} had raised {amount} from {investor}.",
        "{investor} first invested {amount} in {target} in {past_year}.",
        "{target} had closed a {amount} seed round led by {investor} in {past_year}.",
    ),
}

TRAIN = {
    "fr": (
        "{org} va former {count_group} d'ici {year}.",
        "{org} s'engage à former {count_group} à l'intelligence artificielle d'ici à {year}.",
        "D'ici {year}, {org} compte former {count_group} aux outils d'IA générative.",
        "{org} a annoncé {when} vouloir former {count_group} avant {year}, dans le cadre de son programme {program}.",
        "{org} prévoit de former {count} de ses {group} aux métiers de la donnée d'ici fin {year}.",
        "Avec son programme {program}, {org} ambitionne de former {count_group} à l'horizon {year}.",
        "{org} formera {count_group} d'ici {year}, a précisé l'entreprise.",
        "{org} veut certifier {count_group} en {year} grâce à {program}.",
        "{org} s'est fixé pour objectif de former {count_group} d'ici {year}.",
    ),
    "en": (
        "{org} will train {count} {group} by {year}.",
        "{org} plans to train {count} {group} in AI skills by {year}.",
        "{org} has pledged to upskill {count} {group} by the end of {year}.",
        "By {year}, {org} aims to train {count} {group} through its {program}.",
        "{org} said {when} it would train {count} of its {group} before {year}.",
        "{org} is committing to train {count} {group} in data and AI by {year}.",
        "Through the {program}, {org} expects to certify {count} {group} by {year}.",
        "{org} will offer free AI training to {count} {group} by {year}.",
        "{org} set itself the goal of training {count} {group} by {year}.",
    ),
}

# A person's role, stated on its own.
ROLE = {
    "fr": (
        "{person} est {role} {de_org} depuis {since}.",
        "{person}, {role} {de_org}, a présenté le projet {when}.",
        "{le_role_cap} {de_org}, {person}, a détaillé le calendrier devant la presse.",
        "{org} est dirigée par {person}, qui en est {le_role} depuis {since}.",
        "{person}, {role} {de_org}, n'a pas souhaité donner plus de détails.",
        "{person}, {role} {de_org}, suit le dossier de près.",
        "Nommé{e} {role} {de_org} en {since}, {person} pilote cette stratégie.",
        "{person} occupe le poste de {role} {de_org} depuis {since}.",
    ),
    "en": (
        "{person} has been {role} of {org} since {since}.",
        "{person}, {role} of {org}, presented the project {when}.",
        "{orgs} {role}, {person}, outlined the timetable to reporters.",
        "{org} is led by {person}, its {role} since {since}.",
        "{person}, the {role} of {org}, declined to give further details.",
        "{org} {role} {person} is overseeing the project.",
        "Appointed {role} of {org} in {since}, {person} is steering the strategy.",
        "{person} became {role} of {org} in {since}.",
    ),
}
FOUNDED = {
    "fr": (
        "Fondée en {since} par {founders}, {org} emploie aujourd'hui {staff} personnes.",
        "{org} a été créée en {since} par {founders}.",
        "{founders} ont fondé {org} en {since}.",
        "Créée par {founders} en {since}, {org} revendique plusieurs centaines de clients.",
    ),
    "en": (
        "{org} was founded in {since} by {founders}.",
        "Founded by {founders} in {since}, {org} now employs {staff} people.",
        "{founders} set up {org} in {since}.",
        "{org}, co-founded by {founders} in {since}, says it has several hundred customers.",
    ),
}
LOCATED = {
    "fr": (
        "Basée à {city}, {org} compte déjà plusieurs grands comptes parmi ses clients.",
        "{org}, dont le siège est à {city}, réalise l'essentiel de son chiffre d'affaires en Europe.",
        "La société {adj} {org} a ouvert un deuxième bureau l'an dernier.",
        "{org} est installée à {city} depuis {since}.",
        "Implantée à {city}, {org} prévoit de doubler ses effectifs.",
        "{org}, entreprise basée à {city}, vend ses services à des clients en Europe et en Amérique du Nord.",
        "{org} a son siège social à {city}.",
        "La start-up {org}, basée à {city}, affiche une croissance rapide.",
    ),
    "en": (
        "{org}, which is based in {city}, already counts several large companies among its clients.",
        "{org} is headquartered in {city}.",
        "The {city}-based company {org} opened a second office last year.",
        "Headquartered in {city}, {org} plans to double its headcount.",
        "{org}, a company based in {city}, sells its services in Europe and North America.",
        "{org} has its headquarters in {city}.",
        "Based in {city}, {org} has grown quickly since its launch.",
        "{org} is located in {city}, where most of its engineers work.",
    ),
}
DEVELOPS = {
    "fr": (
        "{org} dévoile {product}, un {kind} destiné aux entreprises du secteur {sector}.",
        "{org} a lancé {when} son {nouveau_kind}, {product}.",
        "{org} développe {product}, un {kind} capable de rédiger des synthèses de documents.",
        "{product}, {le_kind} conçu par {org}, est déjà utilisé par plusieurs banques.",
        "{org} a présenté son {kind} {product}, pensé pour les équipes commerciales.",
        "Mis au point par {org}, {le_kind} {product} sera commercialisé en {year}.",
        "{le_kind_cap} {product}, développé par {org}, traite les demandes des clients en plusieurs langues.",
        "{org} lancera {product}, son {kind}, avant la fin de l'année.",
    ),
    "en": (
        "{org} unveiled {product}, {a_kind} for {sector} companies.",
        "{org} launched its {nouveau_kind} {product} {when}.",
        "{org} has developed the {kind} {product}, which summarises long documents.",
        "{product}, the {kind} built by {org}, is already used by several banks.",
        "{org} introduced {product} {when}, {a_kind} designed for sales teams.",
        "The {kind} {product}, developed by {org}, answers customer requests in several languages.",
        "{org} is releasing its {kind} {product} to {sector} firms.",
        "{org} created the {kind} {product}, which will go on sale in {year}.",
    ),
}
# Quotes: {q} has no final punctuation; {person} is the full name on first mention.
QUOTE = {
    "fr": (
        "« {q} », a déclaré {person}, {role} {de_org}.",
        "« {q} », explique {person}, {role} {de_org}.",
        "{person}, {role} {de_org}, a affirmé : « {q}. »",
        "« {q} », souligne {le_role} {de_org}, {person}.",
        "« {q} », a indiqué {person}, qui dirige {org}.",
        "{person}, {role} {de_org}, résume : « {q}. »",
        "“{q}”, a ajouté {person}, {role} {de_org}.",
        "« {q} », estime {person}, {role} {de_org}.",
    ),
    "en": (
        '"{q}," said {person}, {role} of {org}.',
        '"{q}," {person}, {orgs} {role}, said in a statement.',
        '{person}, {role} of {org}, said: "{q}."',
        "“{q},” {org} {role} {person} told reporters.",
        '"{q}," added {person}, the {role} of {org}.',
        "{person}, {orgs} {role}, explained: “{q}.”",
        "“{q},” said {person}, who leads {org}.",
        '"{q}," {person}, {role} of {org}, wrote in a blog post.',
    ),
}
# A second quote by someone already introduced: {person} is the surname.
QUOTE_AGAIN = {
    "fr": ("« {q} », a-t-{il} ajouté.", "« {q} », a poursuivi {person}.", "{person} insiste : « {q}. »"),
    "en": ('"{q}," {person} added.', "“{q},” {he} said.", '{person} added: "{q}."'),
}

QUOTES = {
    "partner": {
        "fr": (
            "Ce partenariat nous permet d'aller beaucoup plus vite auprès de nos clients",
            "Nous partageons la même vision d'une technologie utile et maîtrisée",
            "Ensemble, nous pouvons proposer une offre que personne ne propose aujourd'hui",
            "Cet accord est une étape importante pour notre développement à l'international",
        ),
        "en": (
            "This partnership lets us move much faster for our customers",
            "We share the same vision of useful and well-governed technology",
            "Together we can offer something nobody else offers today",
            "This agreement is an important step for our growth outside Europe",
        ),
    },
    "funding": {
        "fr": (
            "Cette levée va nous permettre de recruter et d'accélérer notre feuille de route",
            "Nous voulons construire un champion européen dans notre domaine",
            "La confiance de nos investisseurs montre que le marché est prêt",
            "Nous allons consacrer l'essentiel de ces fonds à la recherche",
        ),
        "en": (
            "This round will let us hire and speed up our roadmap",
            "We want to build a European leader in our field",
            "The trust of our investors shows that the market is ready",
            "Most of this money will go into research and hiring",
        ),
    },
    "train": {
        "fr": (
            "Personne ne doit rester à l'écart de cette transformation",
            "Former nos équipes est la meilleure façon de préparer l'avenir",
            "Les compétences numériques sont devenues aussi essentielles que la lecture",
            "Nous voulons que chacun puisse utiliser ces outils en confiance",
        ),
        "en": (
            "Nobody should be left behind by this transformation",
            "Training our people is the best way to prepare for what comes next",
            "Digital skills have become as essential as reading and writing",
            "We want everyone to be able to use these tools with confidence",
        ),
    },
    "product": {
        "fr": (
            "Notre outil fait gagner plusieurs heures par semaine à chaque utilisateur",
            "Nous avons conçu ce produit avec nos clients, pas seulement pour eux",
            "La qualité des réponses a fait un bond considérable en un an",
            "Nous voulons rendre ces technologies accessibles aux petites entreprises",
        ),
        "en": (
            "Our tool saves every user several hours a week",
            "We built this product with our customers, not just for them",
            "The quality of the answers has improved enormously in a year",
            "We want to make this technology affordable for small businesses",
        ),
    },
}

TITLES = {
    "partner": {
        "fr": (
            "{a} et {b} s'allient dans le secteur {sector}",
            "{a} noue un partenariat avec {b}",
            "Accord stratégique entre {a} et {b}",
            "{a} s'associe à {b} pour conquérir de nouveaux clients",
        ),
        "en": (
            "{a} and {b} team up on {sector} AI",
            "{a} partners with {b}",
            "{a} and {b} sign strategic alliance",
            "{a} joins forces with {b} to win new customers",
        ),
    },
    "funding": {
        "fr": (
            "{target} lève {amount}",
            "{investor} mise {amount} sur {target}",
            "Levée de fonds : {target} séduit {investor}",
            "{target} boucle un tour de table de {amount}",
        ),
        "en": (
            "{target} raises {amount}",
            "{investor} bets {amount} on {target}",
            "{target} lands {amount} in round led by {investor}",
            "{investor} backs {target} with {amount}",
        ),
    },
    "train": {
        "fr": (
            "{org} veut former {count_group} d'ici {year}",
            "Intelligence artificielle : {org} mise sur la formation",
            "{org} lance un vaste plan de formation",
            "Formation : l'objectif ambitieux {de_org}",
        ),
        "en": (
            "{org} to train {count} {group} by {year}",
            "{org} bets on AI skills for {group}",
            "{org} launches large AI training plan",
            "{org} sets ambitious training goal",
        ),
    },
    "product": {
        "fr": (
            "{org} dévoile {product}",
            "Avec {product}, {org} veut s'imposer sur son marché",
            "{org} lance son {nouveau_kind}",
            "{product} : le pari {de_org}",
        ),
        "en": (
            "{org} unveils {product}",
            "{org} launches {product}, its {nouveau_kind}",
            "With {product}, {org} takes aim at the {sector} market",
            "{org} bets on {product}",
        ),
    },
}

# Topic sentences that set the scene without stating a fact.
CONTEXT = {
    "partner": {
        "fr": (
            "Les conditions financières de l'accord n'ont pas été communiquées.",
            "Les deux entreprises travaillaient déjà ensemble sur des projets pilotes.",
            "Les premiers résultats concrets sont attendus d'ici quelques mois.",
        ),
        "en": (
            "The financial terms of the deal were not disclosed.",
            "The two companies had already run pilot projects together.",
            "The first concrete results are expected within a few months.",
        ),
    },
    "funding": {
        "fr": (
            "La valorisation de l'entreprise n'a pas été rendue publique.",
            "L'argent servira surtout à recruter des ingénieurs et à ouvrir de nouveaux marchés.",
            "Il s'agit de l'une des plus importantes opérations du trimestre dans le secteur.",
        ),
        "en": (
            "The company's valuation was not made public.",
            "The money will mainly pay for new engineers and for expansion into new markets.",
            "It is one of the largest deals of the quarter in the sector.",
        ),
    },
    "train": {
        "fr": (
            "Les cours seront gratuits et accessibles en ligne.",
            "Les modules iront de l'initiation aux usages les plus techniques.",
            "Le programme sera ouvert en priorité aux personnes sans diplôme du supérieur.",
        ),
        "en": (
            "The courses will be free and available online.",
            "Modules will range from beginner lessons to advanced technical classes.",
            "Priority will go to people without a university degree.",
        ),
    },
    "product": {
        "fr": (
            "Le produit sera d'abord proposé en version bêta à une sélection de clients.",
            "Le prix de l'abonnement n'a pas encore été fixé.",
            "Une version en anglais et en allemand est prévue pour l'an prochain.",
        ),
        "en": (
            "The product will first be offered as a beta to selected customers.",
            "Subscription pricing has not yet been set.",
            "Versions in German and Spanish are planned for next year.",
        ),
    },
}

# Commentary without facts: opener + subject + predicate, or a whole sentence. Subjects and
# predicates come in two sorts: "measured" subjects (a cost, a demand) take any predicate,
# "topic" subjects (a debate, a shortage) only the predicates that are not about figures.
FILLER_OPENERS = {
    "fr": (
        "",
        "Depuis plusieurs mois, ",
        "Selon plusieurs analystes, ",
        "Pour l'instant, ",
        "En Europe, ",
        "Dans le même temps, ",
        "Au cours de l'année écoulée, ",
        "De l'avis de nombreux observateurs, ",
        "Sur le marché, ",
        "Malgré tout, ",
        "Outre-Atlantique, ",
        "Dans l'industrie, ",
    ),
    "en": (
        "",
        "In recent months, ",
        "According to several analysts, ",
        "For now, ",
        "Across Europe, ",
        "At the same time, ",
        "Over the past year, ",
        "In the view of many observers, ",
        "In the markets, ",
        "Even so, ",
        "In the United States, ",
        "In industry, ",
    ),
}
FILLER_SUBJECTS = {
    "measured": {
        "fr": (
            "la demande en puissance de calcul",
            "le coût de l'entraînement des grands modèles",
            "la dépense dans les centres de données",
            "le marché des logiciels d'entreprise",
            "le prix de l'électricité",
            "l'appétit des investisseurs pour les jeunes pousses",
            "le nombre de projets d'automatisation",
            "le budget consacré à la cybersécurité",
            "la consommation d'eau des centres de données",
            "le volume des contrats de cloud",
        ),
        "en": (
            "demand for computing power",
            "the cost of training large models",
            "spending on data centres",
            "the market for business software",
            "the price of electricity",
            "investor appetite for young AI companies",
            "the number of automation projects",
            "the budget devoted to cybersecurity",
            "water use by data centres",
            "the volume of cloud contracts",
        ),
    },
    "topic": {
        "fr": (
            "la concurrence pour attirer les ingénieurs",
            "la pression des régulateurs",
            "la question de la souveraineté numérique",
            "la pénurie de compétences en données",
            "le débat sur la protection des données personnelles",
            "la fiabilité des réponses générées",
            "la dépendance aux fournisseurs américains",
            "l'empreinte carbone du numérique",
        ),
        "en": (
            "competition for skilled engineers",
            "pressure from regulators",
            "the question of digital sovereignty",
            "the shortage of data skills",
            "the debate over personal data",
            "the reliability of generated answers",
            "dependence on a few large suppliers",
            "the carbon footprint of computing",
        ),
    },
}
FILLER_PREDICATES = {
    "measured": {
        "fr": (
            "continue de progresser malgré le ralentissement de l'économie",
            "dépasse régulièrement les prévisions des cabinets d'études",
            "a progressé d'environ {pct} % en un an",
            "ne devrait pas faiblir avant {year}",
            "a presque doublé en deux ans",
            "pourrait encore augmenter de {pct} % d'ici {year}",
        ),
        "en": (
            "keeps growing despite a slower economy",
            "regularly beats the forecasts of research firms",
            "rose by about {pct}% in a year",
            "is not expected to ease before {year}",
            "has almost doubled in two years",
            "could rise by another {pct}% by {year}",
        ),
    },
    "any": {
        "fr": (
            "reste la principale préoccupation des directions financières",
            "a profondément changé la manière dont les entreprises préparent leurs budgets",
            "pèse de plus en plus sur les marges des fournisseurs",
            "alimente des débats animés au sein des conseils d'administration",
            "oblige les acteurs du secteur à revoir leurs priorités",
            "inquiète une partie des syndicats",
            "fait l'objet d'une attention croissante des pouvoirs publics",
            "s'impose comme un sujet central des salons professionnels",
            "revient dans toutes les discussions avec les clients",
        ),
        "en": (
            "remains the main worry of finance departments",
            "has changed the way companies draw up their budgets",
            "weighs more and more on suppliers' margins",
            "fuels lively debates in boardrooms",
            "forces the sector to rethink its priorities",
            "worries some trade unions",
            "draws growing attention from lawmakers",
            "has become a central topic at industry fairs",
            "comes up in every conversation with customers",
        ),
    },
}
FILLER_SENTENCES = {
    "fr": (
        "Les entreprises hésitent encore à confier des tâches sensibles à des systèmes automatisés.",
        "Beaucoup de projets pilotes ne dépassent jamais le stade de l'expérimentation.",
        "Le secteur a connu une année contrastée, entre annonces spectaculaires et difficultés de rentabilité.",
        "Les grands groupes cherchent avant tout des gains de productivité mesurables.",
        "La question du coût de l'énergie revient dans presque toutes les discussions.",
        "Les directions des ressources humaines s'interrogent sur l'évolution des métiers.",
        "Plusieurs études montrent qu'une majorité de salariés utilisent déjà ces outils sans cadre précis.",
        "Le marché reste dominé par quelques acteurs capables de financer des infrastructures coûteuses.",
        "Les clients demandent des garanties sur la sécurité et la confidentialité de leurs données.",
        "La part des dépenses consacrées au numérique a encore augmenté de {pct} % l'an dernier.",
        "Les délais de livraison des processeurs graphiques se sont réduits depuis le début de l'année.",
        "Les petites structures peinent parfois à recruter les profils dont elles ont besoin.",
        "Le cadre réglementaire européen entrera pleinement en application d'ici {year}.",
        "Les économistes restent partagés sur l'effet réel de ces technologies sur l'emploi.",
        "La rentabilité de ces investissements ne se mesurera qu'à moyen terme.",
        "Dans les régions, les collectivités multiplient les appels à projets pour attirer les entreprises.",
        "Les grandes écoles et les universités adaptent leurs cursus à grande vitesse.",
        "Les usages les plus répandus restent la rédaction de courriels et la synthèse de documents.",
        "Les syndicats demandent à être associés au déploiement de ces outils dans les ateliers et les bureaux.",
        "Une partie des dirigeants reconnaît ne pas savoir encore comment mesurer les bénéfices obtenus.",
        "Les prix des abonnements professionnels ont nettement baissé depuis deux ans.",
        "Les levées de fonds se concentrent sur un petit nombre de sociétés déjà bien installées.",
        "Le recours à des modèles ouverts séduit les entreprises soucieuses de garder la main sur leurs données.",
        "Les banques et les assureurs figurent parmi les clients les plus actifs du secteur.",
        "La bataille se joue désormais autant sur les prix que sur la qualité des produits.",
        "Faute de personnel qualifié, certains projets prennent plusieurs mois de retard.",
        "Les investisseurs se montrent plus sélectifs qu'au plus fort de l'engouement.",
        "Le marché européen reste fragmenté, ce qui complique la croissance des jeunes entreprises.",
        "Les contrats pluriannuels se multiplient entre fournisseurs et grands comptes.",
        "La question de la responsabilité en cas d'erreur d'un système automatisé n'est pas tranchée.",
    ),
    "en": (
        "Companies are still wary of handing sensitive tasks to automated systems.",
        "Many pilot projects never get past the experimental stage.",
        "The sector has had a mixed year, torn between spectacular announcements and thin profits.",
        "Large groups are mainly looking for productivity gains they can measure.",
        "The cost of energy comes up in almost every discussion.",
        "Human resources departments are wondering how jobs will change.",
        "Several surveys show that most employees already use such tools without clear rules.",
        "The market remains dominated by a handful of players able to pay for costly infrastructure.",
        "Customers want guarantees about the security and confidentiality of their data.",
        "The share of budgets spent on digital projects rose by another {pct}% last year.",
        "Delivery times for graphics processors have shortened since the start of the year.",
        "Smaller firms sometimes struggle to hire the people they need.",
        "European rules on the technology will fully apply by {year}.",
        "Economists remain divided over the real effect of the technology on jobs.",
        "The return on these investments will only be measurable in the medium term.",
        "Regional authorities keep launching calls for projects to attract new businesses.",
        "Universities and business schools are reshaping their courses at high speed.",
        "The most common uses are still drafting emails and summarising documents.",
        "Trade unions want a say in how these tools are rolled out in offices and on shop floors.",
        "Some executives admit they do not yet know how to measure the benefits.",
        "Prices of business subscriptions have fallen sharply over the past two years.",
        "Funding is concentrated on a small number of well-established companies.",
        "Open models appeal to companies that want to keep control of their data.",
        "Banks and insurers are among the most active customers in the sector.",
        "The battle is now fought on price as much as on product quality.",
        "For lack of qualified staff, some projects are running months behind schedule.",
        "Investors have become more selective than at the height of the hype.",
        "The European market remains fragmented, which makes it harder for young companies to grow.",
        "Multiyear contracts between suppliers and large customers are becoming common.",
        "Who is liable when an automated system makes a mistake is still an open question.",
    ),
}
SUBHEADS = {
    "fr": (
        "Un marché en pleine croissance",
        "Des ambitions européennes",
        "La question des compétences",
        "Une concurrence féroce",
        "Prochaine étape",
    ),
    "en": (
        "A fast-growing market",
        "European ambitions",
        "The skills question",
        "Fierce competition",
        "What comes next",
    ),
}

# Page chrome of the saved web pages.
CHROME = {
    "fr": {
        "menu": ("Accueil", "Économie", "Tech", "Entreprises", "Emploi", "Opinions", "S'abonner"),
        "share": ("Partager sur LinkedIn", "Partager sur X", "Partager sur Facebook", "Copier le lien"),
        "related": "À lire aussi",
        "related_items": (
            "Les start-up françaises face à la course aux puces",
            "Ce que change le règlement européen pour les PME",
            "Dix métiers transformés par l'automatisation",
        ),
        "comments": "Commentaires",
        "comment_texts": (
            "Encore une annonce, on verra dans deux ans ce qu'il en reste.",
            "J'ai lu ailleurs que {x} investissait aussi dans {y}, quelqu'un confirme ?",
            "{x} s'associe à {y} tous les six mois, ça ne veut plus rien dire.",
            "Très bon article, merci pour ces explications.",
        ),
        "reply": "Répondre",
        "post": "Publier le commentaire",
        "by": "Par",
        "cookie": "Nous utilisons des cookies pour mesurer l'audience et personnaliser les contenus.",
        "accept": "Tout accepter",
        "refuse": "Tout refuser",
        "footer": ("Mentions légales", "Confidentialité", "Contact"),
    },
    "en": {
        "menu": ("Home", "Business", "Technology", "Markets", "Work", "Opinion", "Subscribe"),
        "share": ("Share on LinkedIn", "Share on X", "Share on Facebook", "Copy link"),
        "related": "Related articles",
        "related_items": (
            "Why chip shortages still worry start-ups",
            "What Europe's new rules mean for small firms",
            "Ten jobs being reshaped by automation",
        ),
        "comments": "Comments",
        "comment_texts": (
            "Another announcement, let's see what is left of it in two years.",
            "I read elsewhere that {x} invested in {y} as well, can anyone confirm?",
            "{x} partners with {y} every six months, it means nothing anymore.",
            "Great piece, thanks for explaining.",
        ),
        "reply": "Reply",
        "post": "Post comment",
        "by": "By",
        "cookie": "We use cookies to measure our audience and personalise content.",
        "accept": "Accept all",
        "refuse": "Reject all",
        "footer": ("Legal notice", "Privacy", "Contact us"),
    },
}

# ---------------------------------------------------------------------------------------
# The world: organisations and their people, the same for every article of a seed.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    female: bool

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass
class Org:
    name: str
    kind: str  # startup | investor | group
    real: bool = False
    short: str | None = None  # a one-word name used on later mentions
    city: int | None = None  # index into CITIES
    since: int = 2015  # founding year
    ceo: Person | None = None
    cto: Person | None = None
    founders: tuple[Person, ...] = ()
    products: tuple[tuple[str, int], ...] = ()  # (name, index into PRODUCT_KINDS)
    program: str | None = None


@dataclass
class World:
    orgs: dict[str, list[Org]] = field(default_factory=dict)  # invented, by kind
    real: dict[str, list[Org]] = field(default_factory=dict)  # well-known, by kind


def _person(rng: random.Random, lang: str, used: set[str]) -> Person:
    while True:
        female = rng.random() < 0.5
        p = Person(rng.choice(FIRST_NAMES[lang, "f" if female else "m"]), rng.choice(SURNAMES[lang]), female)
        if p.name not in used:
            used.add(p.name)
            return p


def _world(seed: int) -> World:
    rng = random.Random(seed)
    world = World()
    names: set[str] = set()
    people: set[str] = set()
    stems = [o + c for o in ONSETS for c in CODAS]
    rng.shuffle(stems)
    for kind, size in POOL_SIZES.items():
        orgs = []
        for _ in range(size):
            stem = stems.pop()
            name = f"{stem} {rng.choice(SUFFIXES[kind])}"
            names.add(name)
            city = rng.randrange(len(CITIES))
            lang = CITIES[city][3]
            org = Org(
                name,
                kind,
                short=stem if rng.random() < 0.5 else None,
                city=city,
                since=rng.randint(1995 if kind != "startup" else 2012, 2021),
            )
            org.ceo = _person(rng, lang, people)
            if kind == "startup":
                org.founders = (org.ceo,) + tuple(_person(rng, lang, people) for _ in range(rng.randint(0, 2)))
                org.cto = org.founders[1] if len(org.founders) > 1 else _person(rng, lang, people)
            if kind != "investor":
                org.products = tuple(
                    (
                        rng.choice(PRODUCT_FORMS).format(
                            stem=stems.pop(), word=rng.choice(PRODUCT_WORDS), n=rng.randint(2, 5)
                        ),
                        rng.randrange(len(PRODUCT_KINDS)),
                    )
                    for _ in range(rng.randint(1, 2))
                )
            if kind == "group" or rng.random() < 0.3:
                org.program = rng.choice(PROGRAM_FORMS).format(short=org.name.split()[0])
            orgs.append(org)
        world.orgs[kind] = orgs
    for kind, real in REAL_ORGS.items():
        world.real[kind] = [
            Org(n, kind, real=True, program=f"{n.split()[0]} AI Academy" if kind == "group" else None) for n in real
        ]
    return world


# ---------------------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------------------


def _de(name: str) -> str:
    """French "de X", elided before a vowel: "d'OpenAI", "d'Élora Labs"."""
    return f"d'{name}" if unicodedata.normalize("NFD", name[0])[0].upper() in "AEIOUY" else f"de {name}"


def _possessive(name: str) -> str:
    """English possessive: "Google's", "Hugging Face's", "Nova Analytics'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join_names(names: list[str], lang: str) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + (" et " if lang == "fr" else " and ") + names[-1]


def _thousands(n: int, lang: str, rng: random.Random) -> str:
    if n < 1000:
        return str(n)
    if lang == "en":
        return f"{n:,}"
    sep = rng.choice((" ", " ", " ", "\u202f", ""))  # 10 000, 10 000 (narrow no-break), 10000
    return f"{n:,}".replace(",", sep)


def _decimal(x: float, lang: str) -> str:
    s = f"{x:.1f}".rstrip("0").rstrip(".")
    return s.replace(".", ",") if lang == "fr" else s


def _amount(rng: random.Random, lang: str, big: bool = False) -> str:
    """Money, written the way news writes it in ``lang``."""
    currency = rng.choices(("EUR", "USD", "GBP"), (5, 4, 1) if lang == "fr" else (3, 6, 1))[0]
    scale = "bn" if big and rng.random() < 0.6 else rng.choices(("m", "k"), (12, 1))[0]
    if scale == "bn":
        value = rng.choice((1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10))
    elif scale == "m":
        value = rng.choice((1.5, 2, 3, 4.5, 5, 8, 10, 12, 15, 20, 25, 30, 40, 50, 75, 100, 120, 150, 200, 300, 450))
    else:
        value = rng.choice((300_000, 500_000, 750_000, 800_000))
    if lang == "fr":
        if scale == "k":
            return f"{_thousands(value, lang, rng)} " + {"EUR": "euros", "USD": "dollars", "GBP": "livres"}[currency]
        word = ("milliard" if scale == "bn" else "million") + ("s" if value >= 2 else "")
        unit = {"EUR": "d'euros", "USD": "de dollars", "GBP": "de livres sterling"}[currency]
        if scale == "m" and currency == "EUR" and rng.random() < 0.15:
            return f"{_decimal(value, lang)} M€"
        return f"{_decimal(value, lang)} {word} {unit}"
    symbol = {"EUR": "€", "USD": "$", "GBP": "£"}[currency]
    if scale == "k":
        return f"{symbol}{_thousands(value, lang, rng)}"
    word = "billion" if scale == "bn" else "million"
    style = rng.random()
    if style < 0.15 and currency != "USD":
        return f"{_decimal(value, lang)} {word} {'euros' if currency == 'EUR' else 'pounds'}"
    if style < 0.3 and scale == "m":
        return f"{symbol}{_decimal(value, lang)}m"
    return f"{symbol}{_decimal(value, lang)} {word}"


def _count(rng: random.Random, lang: str) -> tuple[str, bool]:
    """A number of people to train; True when written with million(s)."""
    if rng.random() < 0.2:
        value = rng.choice((1, 1.5, 2, 3, 5))
        word = "million" if lang == "en" or value < 2 else "millions"
        return f"{_decimal(value, lang)} {word}", True
    return _thousands(
        rng.choice(
            (500, 800, 1000, 2000, 2500, 5000, 10_000, 12_500, 15_000, 20_000, 25_000, 40_000, 50_000, 100_000, 250_000)
        ),
        lang,
        rng,
    ), False


def _when(d: date, lang: str, rng: random.Random) -> str:
    style = rng.randrange(4)
    if lang == "fr":
        day = "1er" if d.day == 1 else str(d.day)
        return (
            f"le {day} {MONTHS['fr'][d.month - 1]}",
            f"le {day} {MONTHS['fr'][d.month - 1]} {d.year}",
            WEEKDAYS["fr"][d.weekday()],
            "cette semaine",
        )[style]
    return (
        f"on {MONTHS['en'][d.month - 1]} {d.day}",
        f"on {MONTHS['en'][d.month - 1]} {d.day}, {d.year}",
        f"on {WEEKDAYS['en'][d.weekday()]}",
        "this week",
    )[style]


def _kind_fields(product: tuple[str, int], lang: str) -> dict[str, str]:
    """The kind of product, bare and with its French article and adjective: "l'assistant", "nouvel outil"."""
    kind = PRODUCT_KINDS[product[1]][0 if lang == "fr" else 1]
    vowel = kind[0] in "aeiou"
    le_kind = ("l'" if vowel else "le ") + kind
    return dict(
        kind=kind,
        le_kind=le_kind,
        le_kind_cap=_cap(le_kind),
        a_kind=("an " if vowel else "a ") + kind,
        nouveau_kind=("nouvel " if vowel else "nouveau ") + kind if lang == "fr" else f"new {kind}",
    )


def _slug(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:60]


def _words(text: str) -> int:
    return len(text.split())


# ---------------------------------------------------------------------------------------
# One article
# ---------------------------------------------------------------------------------------


@dataclass
class Article:
    lang: str
    title: str
    published: date
    dateline: str | None
    paragraphs: list[str]  # "## " starts a subheading
    people: list[str]  # names used, for the comment section of web pages
    orgs: list[str]


class _Writer:
    """Builds one article: picks the actors, writes the fact and filler sentences."""

    def __init__(self, world: World, rng: random.Random, lang: str, published: date) -> None:
        self.world, self.rng, self.lang, self.published = world, rng, lang, published
        self.introduced: set[str] = set()  # people already named in full
        self.orgs_named: set[str] = set()
        self.used_filler: set[str] = set()

    # -- actors ------------------------------------------------------------------------
    def pick(self, kind: str, *, real_share: float = 0.0, exclude: tuple[Org, ...] = ()) -> Org:
        pool = self.world.real[kind] if self.rng.random() < real_share else self.world.orgs[kind]
        while True:
            org = self.rng.choice(pool)
            if org not in exclude:
                return org

    def org(self, org: Org) -> str:
        """The organisation's name: in full the first time, sometimes its short form after."""
        if org.name in self.orgs_named and org.short and self.rng.random() < 0.3:
            return org.short
        self.orgs_named.add(org.name)
        return org.name

    def person(self, p: Person) -> str:
        if p.name in self.introduced:
            return p.last
        self.introduced.add(p.name)
        return p.name

    def role(self, key: str, p: Person) -> tuple[str, str]:
        """(French or English title, the same with its article: "la directrice générale")."""
        fr_m, fr_f, en = self.rng.choice(ROLES[key])
        if self.lang == "en":
            return en, f"the {en}"
        title = fr_f if p.female else fr_m
        return title, ("la " if p.female else "le ") + title

    # -- sentences ---------------------------------------------------------------------
    def fill(self, templates: dict[str, tuple[str, ...]], **fields: str) -> str:
        template = self.rng.choice(templates[self.lang])
        return template.format(**fields)

    def common(self) -> dict[str, str]:
        when = _when(self.published - timedelta(days=self.rng.randint(0, 3)), self.lang, self.rng)
        sector = self.rng.choice(SECTORS)
        return {
            "when": when,
            "when_cap": _cap(when),
            "sector": sector[0] if self.lang == "fr" else sector[1],
            "year": str(self.published.year + self.rng.randint(1, 4)),
        }

    def partner(self, a: Org, b: Org) -> str:
        return self.fill(PARTNER, a=self.org(a), b=self.org(b), **self.common())

    def invest(self, investor: Org, target: Org, amount: str, *, past: bool = False) -> str:
        inv, tgt = self.org(investor), self.org(target)
        fields = dict(
            investor=inv,
            target=tgt,
            de_investor=_de(inv),
            de_target=_de(tgt),
            amount=amount,
            past_year=str(self.published.year - self.rng.randint(1, 3)),
            **self.common(),
        )
        return self.fill(PAST_ROUND if past else INVEST, **fields)

    def round_others(self, others: list[Org]) -> str:
        return self.fill(ROUND_OTHERS, investors=_join_names([self.org(o) for o in others], self.lang))

    def train(self, org: Org, *, count: str, millions: bool, group: tuple[str, str], year: str) -> str:
        name = self.org(org)
        program = org.program or f"{org.name.split()[0]} Academy"
        template = self.rng.choice(TRAIN[self.lang])
        if "de ses" in template or "of its" in template:  # the firm's own people
            group = self.rng.choice(OWN_STAFF)
        noun = group[0] if self.lang == "fr" else group[1]
        de = ("d'" if noun[0] in "aeiouéèh" else "de ") if millions and self.lang == "fr" else ""
        fields = dict(count_group=f"{count} {de}{noun}", count=count, group=noun, program=program)
        return template.format(org=name, **{**self.common(), "year": year, **fields})

    def role_sentence(self, p: Person, key: str, org: Org) -> str:
        title, with_article = self.role(key, p)
        name = self.org(org)
        return self.fill(
            ROLE,
            person=self.person(p),
            role=title,
            le_role=with_article,
            le_role_cap=_cap(with_article),
            de_org=_de(name),
            org=name,
            orgs=_possessive(name),
            since=str(org.since),
            e="e" if p.female else "",
            **self.common(),
        )

    def founded(self, org: Org) -> str:
        founders = _join_names([self.person(p) for p in org.founders], self.lang)
        if len(org.founders) == 1:  # "ont fondé" / "set up" read fine with one founder in English only
            templates = {k: tuple(t for t in v if not t.startswith("{founders} ont")) for k, v in FOUNDED.items()}
        else:
            templates = FOUNDED
        staff = _thousands(self.rng.choice((40, 60, 85, 120, 150, 230, 400)), self.lang, self.rng)
        return self.fill(templates, org=self.org(org), founders=founders, since=str(org.since), staff=staff)

    def located(self, org: Org) -> str:
        fr, en, adj, _ = CITIES[org.city]
        templates = LOCATED
        if self.lang == "fr" and adj is None:
            templates = {"fr": tuple(t for t in LOCATED["fr"] if "{adj}" not in t), "en": LOCATED["en"]}
        return self.fill(
            templates,
            org=self.org(org),
            city=fr if self.lang == "fr" else en,
            adj=adj or "",
            since=str(max(org.since, self.published.year - 6)),
        )

    def develops(self, org: Org, product: tuple[str, int]) -> str:
        return self.fill(
            DEVELOPS, org=self.org(org), product=product[0], **_kind_fields(product, self.lang), **self.common()
        )

    def quote(self, topic: str, p: Person, key: str, org: Org, *, again: bool = False) -> str:
        """A quotation; ``again``: the speaker was the last person named (a pronoun may do)."""
        q = self.rng.choice(QUOTES[topic][self.lang])
        if again:
            return self.fill(
                QUOTE_AGAIN, q=q, person=p.last, il="elle" if p.female else "il", he="she" if p.female else "he"
            )
        title, with_article = self.role(key, p)
        name = self.org(org)
        return self.fill(
            QUOTE,
            q=q,
            person=self.person(p),
            role=title,
            le_role=with_article,
            de_org=_de(name),
            org=name,
            orgs=_possessive(name),
        )

    def filler(self) -> str:
        """A sentence of commentary, never twice the same in one article."""
        rng, lang = self.rng, self.lang
        fields = {"year": str(self.published.year + rng.randint(1, 3)), "pct": str(rng.randint(3, 35))}
        while True:
            if rng.random() < 0.45:
                template = rng.choice(FILLER_SENTENCES[lang])
            else:
                sort = rng.choice(("measured", "topic"))
                predicates = FILLER_PREDICATES["any"][lang]
                if sort == "measured":
                    predicates = predicates + FILLER_PREDICATES["measured"][lang]
                opener = rng.choice(FILLER_OPENERS[lang])
                if opener in self.used_filler:  # each opener once per article
                    opener = ""
                self.used_filler.add(opener)
                template = _cap(f"{opener}{rng.choice(FILLER_SUBJECTS[sort][lang])} {rng.choice(predicates)}.")
            key = template.split(", ", 1)[-1] if template[:1].isupper() else template
            if key not in self.used_filler:
                self.used_filler.add(key)
                return template.format(**fields)

    def title(self, topic: str, **fields: str) -> str:
        return self.fill(TITLES[topic], **fields)


def _article(world: World, seed: int, index: int) -> Article:
    """Article ``index`` of the corpus of ``seed``: French when ``index`` is even."""
    rng = random.Random(f"kg-synthetic:{seed}:{index}")
    lang = "fr" if index % 2 == 0 else "en"
    published = date(2022, 1, 3) + timedelta(days=rng.randrange(4 * 365))
    w = _Writer(world, rng, lang, published)
    topic = rng.choices(("partner", "funding", "train", "product"), (3, 3, 2, 2))[0]

    main = w.pick("startup" if topic in ("funding", "product") else rng.choice(("startup", "group")))
    speaker, speaker_role = main.ceo, "ceo"
    paragraphs: list[list[str]] = []  # each a list of sentences
    count, millions = _count(rng, lang)
    group = rng.choice(GROUPS)
    target_year = str(published.year + rng.randint(1, 4))

    # The headline and the lead state the main fact.
    if topic == "partner":
        other = w.pick(rng.choice(("group", "startup")), real_share=0.5, exclude=(main,))
        fields = dict(a=main.name, b=other.name, sector=w.common()["sector"])
        lead = w.partner(main, other)
    elif topic == "funding":
        investor = w.pick("investor", real_share=0.35)
        amount = _amount(rng, lang, big=rng.random() < 0.15)
        fields = dict(target=main.name, investor=investor.name, amount=amount)
        lead = w.invest(investor, main, amount)
    elif topic == "train":
        if rng.random() < 0.4:
            main = w.pick("group", real_share=1.0)
            speaker = None
        trains_group = group[0] if lang == "fr" else group[1]
        de = ("d'" if group[0][0] in "aeiouéèh" else "de ") if millions else ""
        fields = dict(
            org=main.name,
            de_org=_de(main.name),
            count=count,
            group=trains_group,
            count_group=f"{count} {de}{group[0]}",
            year=target_year,
        )
        lead = w.train(main, count=count, millions=millions, group=group, year=target_year)
    else:
        product = main.products[0]
        fields = dict(
            org=main.name,
            de_org=_de(main.name),
            product=product[0],
            **_kind_fields(product, lang),
            sector=w.common()["sector"],
        )
        lead = w.develops(main, product)
    title = w.title(topic, **fields)
    paragraphs.append([lead, rng.choice(CONTEXT[topic][lang])])

    # Follow-up facts of the main topic.
    if topic == "funding":
        if rng.random() < 0.6:
            others = [w.pick("investor", real_share=0.4, exclude=(investor,)) for _ in range(rng.randint(1, 2))]
            others = list({o.name: o for o in others if o is not investor}.values())
            if others:
                paragraphs[-1].insert(1, w.round_others(others))
        if rng.random() < 0.5 and investor.ceo:
            paragraphs.append([w.quote("funding", investor.ceo, "partner", investor)])
    elif topic == "partner" and not other.real and other.ceo and rng.random() < 0.5:
        paragraphs.append([w.quote("partner", other.ceo, "ceo", other)])

    # Background and secondary facts, shuffled, then written in reading order (so a person is
    # named in full before being called by surname, a firm before its short form).
    jobs: list = []
    if not main.real and rng.random() < 0.85:
        jobs.append(lambda: [w.located(main)])
    if main.founders and rng.random() < 0.5:
        jobs.append(lambda: [w.founded(main)])
    if speaker is not None:
        second = rng.random() < 0.3
        jobs.append(
            lambda: (
                [w.quote(topic, speaker, speaker_role, main)]
                + ([w.quote(topic, speaker, speaker_role, main, again=True)] if second else [])
            )
        )
    kinds = ["partner", "past_round", "train", "product", "role_cto", "role_ceo"]
    rng.shuffle(kinds)
    for kind in kinds[: rng.randint(3, 5)]:
        if kind == "partner" and topic != "partner":
            ally = w.pick(rng.choice(("group", "startup")), real_share=0.5, exclude=(main,))
            jobs.append(lambda ally=ally: [w.partner(main, ally)])
        elif kind == "past_round" and main.kind == "startup":
            backer = w.pick("investor", real_share=0.4)
            jobs.append(lambda backer=backer: [w.invest(backer, main, _amount(rng, lang), past=True)])
        elif kind == "train" and topic != "train":
            trainer = main if main.kind == "group" or rng.random() < 0.3 else w.pick("group", real_share=0.5)
            c, m = _count(rng, lang)
            g, y = rng.choice(GROUPS), str(published.year + rng.randint(1, 4))
            jobs.append(lambda t=trainer, c=c, m=m, g=g, y=y: [w.train(t, count=c, millions=m, group=g, year=y)])
        elif kind == "product" and topic != "product" and main.products:
            jobs.append(lambda: [w.develops(main, main.products[-1])])
        elif kind == "role_cto" and main.cto:
            jobs.append(lambda: [w.role_sentence(main.cto, "cto", main)])
        elif kind == "role_ceo" and main.ceo and speaker is not main.ceo:
            jobs.append(lambda: [w.role_sentence(main.ceo, "ceo", main)])
    rng.shuffle(jobs)
    for job in jobs:  # facts share their paragraph with some commentary
        paragraphs.append(job() + [w.filler() for _ in range(rng.randint(0, 2))])

    # Commentary paragraphs until the article reaches its length (300-900 words, mean ~500).
    target = min(840, max(320, round(rng.gauss(470, 120))))
    filler_paragraphs: list[list[str]] = []

    def total() -> int:
        return _words(title) + sum(_words(s) for p in paragraphs for s in p)

    while total() < target:
        para = [w.filler() for _ in range(rng.randint(2, 5))]
        filler_paragraphs.append(para)
        paragraphs.insert(rng.randint(1, len(paragraphs)), para)
    while total() > 880 and filler_paragraphs:
        para = filler_paragraphs[-1]
        para.pop()
        if not para:
            paragraphs.remove(para)
            filler_paragraphs.pop()
    if rng.random() < 0.3 and len(paragraphs) > 3:
        paragraphs.insert(rng.randint(2, len(paragraphs) - 1), ["## " + rng.choice(SUBHEADS[lang])])

    city = CITIES[main.city][0 if lang == "fr" else 1].upper() if main.city is not None else None
    dateline = city if city and rng.random() < 0.3 else None
    text = [" ".join(p) for p in paragraphs]
    return Article(lang, title, published, dateline, text, sorted(w.introduced), sorted(w.orgs_named))


# ---------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------


def _body_lines(article: Article, *, markdown: bool) -> list[str]:
    out = []
    for i, p in enumerate(article.paragraphs):
        if p.startswith("## "):
            out.append(p if markdown else p[3:])
            continue
        if i == 0 and article.dateline:
            p = f"{article.dateline} — {p}"
        out.append(p)
    return out


def _render_txt(article: Article) -> str:
    return "\n\n".join([article.title, *_body_lines(article, markdown=False)]) + "\n"


def _site(article: Article, rng: random.Random) -> tuple[str, str]:
    name, host, _ = rng.choice([s for s in SITES if s[2] == article.lang])
    return name, host


def _url(host: str, article: Article) -> str:
    d = article.published
    return f"https://{host}/{d.year}/{d.month:02d}/{d.day:02d}/{_slug(article.title)}"


def _render_md(article: Article, rng: random.Random) -> str:
    name, host = _site(article, rng)
    front = [
        "---",
        f"title: {json.dumps(article.title, ensure_ascii=False)}",
        f"date: {article.published.isoformat()}",
        f"url: {_url(host, article)}",
        f"lang: {article.lang}",
        f"source: {json.dumps(name, ensure_ascii=False)}",
        "---",
        "",
    ]
    body = _body_lines(article, markdown=True)
    if rng.random() < 0.5:
        body.insert(0, f"# {article.title}")
    return "\n".join(front) + "\n\n".join(body) + "\n"


def _render_html(article: Article, rng: random.Random) -> str:
    e = html.escape
    lang = article.lang
    c = CHROME[lang]
    name, host = _site(article, rng)
    url = _url(host, article)
    who = " ".join((rng.choice(FIRST_NAMES[lang, rng.choice("fm")]), rng.choice(SURNAMES[lang])))
    d = article.published
    shown = (
        f"{d.day} {MONTHS['fr'][d.month - 1]} {d.year}"
        if lang == "fr"
        else f"{MONTHS['en'][d.month - 1]} {d.day}, {d.year}"
    )
    body = []
    for p in _body_lines(article, markdown=True):
        body.append(f"      <h2>{e(p[3:])}</h2>" if p.startswith("## ") else f"      <p>{e(p, quote=False)}</p>")
    orgs = article.orgs or ["Microsoft"]
    names = [rng.choice(orgs), rng.choice([o for r in REAL_ORGS.values() for o in r])]
    comments = []
    for _ in range(rng.randint(2, 4)):
        author = f"{rng.choice(FIRST_NAMES[lang, rng.choice('fm')])}_{rng.randint(10, 99)}"
        text = rng.choice(c["comment_texts"]).format(x=names[0], y=names[1])
        comments.append(
            f"""      <div class="comment">
        <p class="comment-author">{e(author)} · {rng.randint(1, 23)} h</p>
        <p>{e(text, quote=False)}</p>
        <button class="reply">{e(c["reply"])}</button>
      </div>"""
        )
    menu = "\n".join(f'        <li><a href="/{_slug(m)}">{e(m)}</a></li>' for m in c["menu"])
    share = "\n".join(f'        <button data-share="{i}">{e(s)}</button>' for i, s in enumerate(c["share"]))
    related = "\n".join(f'        <li><a href="/{d.year}/{_slug(t)}">{e(t)}</a></li>' for t in c["related_items"])
    footer = " · ".join(f'<a href="/{_slug(f)}">{e(f)}</a>' for f in c["footer"])
    cookie = (
        f"""  <div id="cookie-banner" role="dialog">
    {e(c["cookie"])}
    <button>{e(c["accept"])}</button> <button>{e(c["refuse"])}</button>
  </div>
"""
        if rng.random() < 0.5
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
  <meta charset="utf-8">
  <title>{e(article.title)} | {e(name)}</title>
  <meta property="og:title" content="{e(article.title)}">
  <meta property="og:site_name" content="{e(name)}">
  <meta property="og:url" content="{e(url)}">
  <meta property="article:published_time" content="{d.isoformat()}T{rng.randint(6, 20):02d}:{rng.randint(0, 59):02d}:00+01:00">
  <link rel="canonical" href="{e(url)}">
  <style>body {{ font-family: Georgia, serif; }} .share-bar button {{ margin-right: 6px; }}</style>
</head>
<body>
{cookie}  <header class="site-header">
    <a class="logo" href="/">{e(name)}</a>
    <nav class="main-menu">
      <ul>
{menu}
      </ul>
    </nav>
  </header>
  <main>
    <article>
      <h1>{e(article.title)}</h1>
      <p class="byline">{c["by"]} {e(who)} · <time datetime="{d.isoformat()}">{shown}</time></p>
      <div class="share-bar">
{share}
      </div>
{chr(10).join(body)}
    </article>
    <aside class="related">
      <h2>{e(c["related"])}</h2>
      <ul>
{related}
      </ul>
    </aside>
    <section class="comments">
      <h2>{e(c["comments"])} ({len(comments)})</h2>
{chr(10).join(comments)}
      <form class="comment-form"><textarea></textarea><button type="submit">{e(c["post"])}</button></form>
    </section>
  </main>
  <footer>
    <p>© {d.year} {e(name)} · {footer}</p>
  </footer>
  <script>document.querySelectorAll("[data-share]").forEach(function (b) {{ b.onclick = function () {{}}; }});</script>
</body>
</html>
"""


def _suffix(index: int) -> str:
    """File type of article ``index``: 10% .md and 10% .html, in both languages."""
    r = index % 20
    return ".md" if r in (3, 8) else ".html" if r in (5, 16) else ".txt"


def generate(n: int, out_dir: str | Path, *, seed: int = 0) -> list[Path]:
    """Write ``n`` synthetic articles into ``out_dir`` (created if needed) and return their paths.

    Files are named ``synth-NNNNN-LANG.EXT``; the same ``n`` and ``seed`` always give the
    same bytes.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, not {n}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    world = _world(seed)
    width = max(5, len(str(n - 1)))
    paths = []
    for i in range(n):
        article = _article(world, seed, i)
        suffix = _suffix(i)
        rng = random.Random(f"kg-synthetic-page:{seed}:{i}")
        if suffix == ".md":
            text = _render_md(article, rng)
        elif suffix == ".html":
            text = _render_html(article, rng)
        else:
            text = _render_txt(article)
        path = out / f"synth-{i:0{width}d}-{article.lang}{suffix}"
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths


def _shortened(article: Article, words: int) -> Article:
    """The article's first paragraphs up to ``words`` words, headline included (the lead
    paragraph is always kept): the short texts of many news-API exports."""
    total, kept = _words(article.title), []
    for p in article.paragraphs:
        if p.startswith("## "):
            continue
        if kept and total + _words(p) > words:
            break
        kept.append(p)
        total += _words(p)
    return replace(article, paragraphs=kept)


def _record(world: World, seed: int, index: int, words: int | None = None) -> dict[str, str]:
    """Article ``index`` as a JSON Lines record (a news export's fields); ``words``: cut short
    to its first paragraphs up to that many words (see :func:`_shortened`)."""
    article = _article(world, seed, index)
    if words is not None:
        article = _shortened(article, words)
    rng = random.Random(f"kg-synthetic-record:{seed}:{index}")
    name, host = _site(article, rng)
    d = article.published
    when = f"{d.isoformat()}T{rng.randint(6, 20):02d}:{rng.randint(0, 59):02d}:00Z"
    if index % 10 == 5:  # the saved page, chrome and all
        text = _render_html(article, random.Random(f"kg-synthetic-page:{seed}:{index}"))
    else:
        text = "\n\n".join(_body_lines(article, markdown=False))
    return {
        "id": f"synth-{index:06d}",
        "url": f"https://{host}/{d.year}/{d.month:02d}/{d.day:02d}/{_slug(article.title)}-{index}",
        "title": article.title,
        "published_at": when,
        "language": article.lang,
        "source": name,
        "text": text,
    }


def write_jsonl(n: int, path: str | Path, *, seed: int = 0, words: int | None = None) -> Path:
    """Write ``n`` synthetic articles as JSON Lines records to ``path`` (gzipped when it ends
    with ``.gz``), one at a time, and return the path. Record ``i`` depends only on ``seed``,
    ``i`` and ``words``. ``words``: each text cut to its first paragraphs up to that many words
    (headline and lead paragraph at least, see :func:`_shortened`); None: whole articles (~500 words)."""
    import gzip

    if n < 0:
        raise ValueError(f"n must be >= 0, not {n}")
    if words is not None and words < 1:
        raise ValueError(f"words must be >= 1, not {words}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    world = _world(seed)
    with path.open("wb") as raw:
        # a gzip header holds a time: 0 keeps the bytes the same from one run to the next
        gz = path.name.endswith(".gz")
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) if gz else contextlib.nullcontext(raw) as out:
            handle = io.TextIOWrapper(out, encoding="utf-8", newline="\n")
            for i in range(n):
                handle.write(json.dumps(_record(world, seed, i, words), ensure_ascii=False) + "\n")
            handle.flush()
            handle.detach()
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="synthetic.py",
        description="Write a deterministic synthetic corpus of French and English news articles "
        "(.txt, .md, .html) for kg's performance benchmarks.",
    )
    ap.add_argument("n", type=int, metavar="N", help="number of articles")
    ap.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="folder to write them into (created if needed)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0); same N and seed, same files")
    ap.add_argument("--jsonl", action="store_true", help="one JSON Lines file of N records (OUT_DIR/news.jsonl)")
    ap.add_argument("--gzip", action="store_true", help="with --jsonl: gzip it (OUT_DIR/news.jsonl.gz)")
    ap.add_argument(
        "--words", type=int, metavar="W", help="with --jsonl: texts cut to about W words (headline and lead)"
    )
    args = ap.parse_args(argv)
    if args.n < 0:
        ap.error("N must be >= 0")
    if args.jsonl:
        path = write_jsonl(
            args.n, args.out_dir / ("news.jsonl.gz" if args.gzip else "news.jsonl"), seed=args.seed, words=args.words
        )
        print(f"wrote {args.n} records ({path.stat().st_size:,} bytes) to {path}")
        return 0
    paths = generate(args.n, args.out_dir, seed=args.seed)
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in paths)
    print(f"wrote {len(paths)} articles ({words:,} words with markup) to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
