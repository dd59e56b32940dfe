"""French-looking wire copy built from a small word bank, so the replica needs no data files.

Every string here is ISO-8859-1 encodable (no curly apostrophes, no ligatures), because some
stories are served in that charset; accents, « » and plain double quotes are kept on purpose.
"""

from __future__ import annotations

import random

SUBJECTS = (
    "Le gouvernement chinois",
    "La ville de Shanghai",
    "Les autorités locales",
    "Le ministère du Commerce",
    "Une délégation africaine",
    "L'Agence spatiale chinoise",
    "Les entreprises françaises",
    "Le Conseil des affaires d'Etat",
    "La province du Yunnan",
    "Le président de l'Assemblée nationale",
    "Une équipe de chercheurs",
    "La Banque populaire de Chine",
    "Les agriculteurs du Henan",
    "Le comité d'organisation",
    "La municipalité de Beijing",
    "Les exportateurs chinois",
    "Un groupe d'experts internationaux",
    "Le ministre des Affaires étrangères",
    "L'Union africaine",
    "La région autonome du Tibet",
    "Les étudiants de l'université Tsinghua",
    "La compagnie ferroviaire nationale",
    "Le musée du Palais",
    "L'équipe nationale de football",
)

VERBS = (
    "a annoncé",
    "a présenté",
    "prévoit",
    "a inauguré",
    "a salué",
    "a lancé",
    "examine",
    "a signé",
    "a dévoilé",
    "soutient",
    "a renforcé",
    "a célébré",
    "a achevé",
    "encourage",
    "a réaffirmé",
    "a accéléré",
    "a mis en service",
    "a reçu",
)

OBJECTS = (
    "un nouveau plan de développement",
    "une coopération renforcée avec ses partenaires",
    "le plus grand parc éolien de la région",
    "un accord de libre-échange",
    "une ligne ferroviaire à grande vitesse",
    "un programme de lutte contre la pauvreté",
    "une exposition consacrée à la calligraphie",
    "des mesures de soutien aux petites entreprises",
    "un satellite d'observation de la Terre",
    "la rénovation du centre historique",
    "un festival de lanternes",
    "un réseau 5G couvrant les zones rurales",
    "une campagne de reboisement",
    "le premier marathon de l'année",
    "un projet de coopération sanitaire",
    "une zone pilote de commerce électronique",
    "la protection des pandas géants",
    "un fonds pour l'innovation technologique",
)

COMPLEMENTS = (
    "dans la région du Xinjiang",
    "d'ici la fin de l'année",
    "selon l'Agence de presse Xinhua",
    "à l'occasion du nouvel an lunaire",
    "malgré la pandémie",
    "pour la troisième année consécutive",
    "dans le cadre de l'initiative « la Ceinture et la Route »",
    "avec le soutien des autorités",
    "au cours du premier semestre",
    "dans plusieurs villes du pays",
    "à Guangzhou",
    "lors d'une conférence de presse",
    "en présence de nombreux invités",
    "à Addis-Abeba",
    "à Dakar",
    "sur les bords du fleuve Yangtsé",
    "à Paris",
    "dans le delta de la rivière des Perles",
)

PEOPLE = (
    "M. Wang Yi",
    "Mme Hua Chunying",
    "M. Li Qiang",
    "le porte-parole Zhao Lijian",
    "Mme Sun Chunlan",
    "M. Moussa Faki Mahamat",
    "le directeur Zhang Wei",
    "Mme Chen Jing",
)

SAYINGS = (
    "la coopération est la seule voie vers un avenir commun",
    "les résultats obtenus dépassent nos attentes",
    "le pays continuera d'ouvrir ses portes au monde",
    "la protection de l'environnement reste une priorité absolue",
    "chaque citoyen doit pouvoir profiter des fruits du développement",
    "l'innovation est le moteur de la croissance",
    "nous devons rester vigilants face aux risques",
)

FIGURES = (
    "3,5 %",
    "12 milliards de yuans",
    "plus de 1 200 personnes",
    "450 kilomètres",
    "près de 80 000 visiteurs",
    "6,8 %",
    "2 300 entreprises",
    "15 millions de tonnes",
)

WHEN = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

MONEY = (
    "12 milliards de yuans",
    "3,2 milliards de yuans",
    "450 millions d'euros",
    "80 millions de dollars",
)

EDITORS = (
    "Xiao Lu",
    "Wang Lin",
    "Zhang Jun",
    "Liu Xia",
    "Chen Yan",
    "Li Min",
    "Huang Jie",
    "Zhao Qing",
    "Yang Mei",
    "Sun Hao",
)

SOURCES = (
    "Agence de presse Xinhua",
    "Agence de presse Xinhua",
    "Agence de presse Xinhua",
    "Le Quotidien du Peuple en ligne",
    "CGTN",
    "China.org.cn",
)

KEYWORDS = (
    "Chine",
    "économie",
    "coopération",
    "Afrique",
    "culture",
    "sport",
    "innovation",
    "environnement",
    "commerce",
    "santé",
    "espace",
    "tourisme",
    "agriculture",
    "énergie",
    "Beijing",
    "Shanghai",
    "Xinjiang",
    "Tibet",
    "technologie",
    "éducation",
)

CAPTIONS = (
    "Des visiteurs admirent les lanternes dans un parc de Zigong.",
    "Vue aérienne du nouveau pont sur le fleuve.",
    "Des ouvriers sur le chantier de la ligne à grande vitesse.",
    "Un panda géant dans la réserve de Wolong.",
    "Des enfants jouent dans la neige à Harbin.",
    "La cérémonie d'ouverture du festival, samedi soir.",
)

OFF_PORTAL_TITLES = (
    "China's economy grows steadily in the third quarter",
    "Xinhua : la coopération sino-africaine en chiffres",
    "Radio Chine Internationale : le point sur l'actualité",
)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


PLURAL_VERBS = {
    "prévoit": "prévoient",
    "examine": "examinent",
    "soutient": "soutiennent",
    "encourage": "encouragent",
}


def agree(subject: str, verb: str) -> str:
    """Plural subjects ("Les ...") take plural verbs."""
    if not subject.startswith("Les "):
        return verb
    if verb.startswith("a "):
        return "ont " + verb[2:]
    return PLURAL_VERBS.get(verb, verb)


def clause(rng: random.Random) -> str:
    subject = rng.choice(SUBJECTS)
    return f"{subject} {agree(subject, rng.choice(VERBS))} {rng.choice(OBJECTS)}"


def headline(rng: random.Random) -> str:
    return f"{clause(rng)} {rng.choice(COMPLEMENTS)}"


def sentence(rng: random.Random) -> str:
    """One sentence; some quote someone with « » or with plain double quotes (&quot; in HTML)."""
    form = rng.randrange(7)
    main = clause(rng)
    where = rng.choice(COMPLEMENTS)
    if form == 0:
        return f"« {_capitalise(rng.choice(SAYINGS))} », a déclaré {rng.choice(PEOPLE)} {where}."
    if form == 1:
        return f'Selon {rng.choice(PEOPLE)}, "{rng.choice(SAYINGS)}".'
    if form == 2:
        return f"{main}, un investissement de {rng.choice(MONEY)} {where}."
    if form == 3:
        figure = rng.choice(FIGURES)
        return f"Le chiffre a atteint {figure} en {rng.choice(('2020', '2021', '2022'))}, {where}."
    if form == 4:
        lowered = main[0].lower() + main[1:]
        return f"{_capitalise(where)}, {lowered}, a-t-on appris {rng.choice(WHEN)}."
    return f"{main} {where}."


def paragraph(rng: random.Random) -> list[str]:
    return [sentence(rng) for _ in range(rng.randint(2, 4))]


def editors(rng: random.Random) -> list[str]:
    return rng.sample(EDITORS, rng.randint(1, 2))


def keywords(rng: random.Random) -> list[str]:
    return rng.sample(KEYWORDS, rng.randint(2, 4))
