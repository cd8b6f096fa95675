"""Resolving the ``topic`` an agent names (an id, a name, an alias) to one of its organization's topics.

``topic_resolution`` explains the decision (the dry-run endpoint shows it); ``topic_resolve`` returns the
unarchived Topic (category loaded) or raises NotFound (TOPIC_NOT_FOUND) / Conflict (TOPIC_AMBIGUOUS) with
the closest live topics in ``details["candidates"]`` as ``[{"id", "name", "category", "score"}]``. It never
guesses: a refusal costs the agent one more call, a wrong guess bills the wrong client.

The rules, in order, their thresholds and the measured accuracy are in docs/topic-matching.md; the code
below keeps that order (``_decide``). Archived topics take part in every rule: when one wins, the answer
is a 404 saying it is archived, never a live sibling.

No stale state: prepared choices are cached per process under the organization's catalog version, which
database triggers change in the same transaction as every write of a category, topic, alias or binding
(``apps.topics.catalog``). A lookup reads that version (one indexed query) and uses the entry built for
it, or builds one; a version is random and never reused, so an entry can only ever describe the rows it
was built from. The topic returned is built from the cached row of that same version: no second query.
"""

from __future__ import annotations

import bisect
import functools
import gc
import itertools
import math
import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.db import router
from rapidfuzz import fuzz, process

from apps.core.errors import Conflict, NotFound
from apps.core.request_hints import catalog_version_noted
from apps.organizations.models import Organization
from apps.topics.catalog import catalog_version
from apps.topics.models import Category, Topic, TopicAlias

# --- Thresholds (docs/topic-matching.md explains each) -----------------------------------------------
ACCEPT_SCORE = 60.0  # score = 100 * (precision + recall) / 2 of the best topic
MIN_PRECISION = 0.75  # share of the query's weight that the topic's name and category explain
DISTINCT_EVIDENCE = 0.15  # the winner must match some query word this much better than each rival
RIVAL_SCORE = 45.0  # rivals below this score cannot make a query ambiguous
OTHER_NAME_SHARE = 0.5  # "name-in-query" refuses when the rest of the query holds more than this of
# another topic's name
NEAR_NAME_RATIO = 88.0  # whole-query fuzzy ratio for a near spelling of one name
NEAR_NAME_MARGIN = 5.0
FUZZY_WORD_RATIO = 75.0  # per-word ratio: one wrong letter in a 4-letter word, two in 8
STEM_SIM = 0.95
ABBREVIATION_SIM = 0.95
PREFIX_SIM = 0.85  # "redes" for "redesign", "probas" for "probabilités"
NAME_PREFIX_SIM = 0.8  # the name's word starts the query's: "auth" in the name, "authentication" typed
INITIALS_SIM = 0.9
MIN_PREFIX_LENGTH = 3
MIN_FUZZY_LENGTH = 4
STOP_WEIGHT = 0.1  # "de", "the", "and" explain little and prove nothing
CANDIDATE_FLOOR = 25.0
MAX_CANDIDATES = 5
MAX_QUERY_LENGTH = 500  # a name plus its category is at most 401 characters; longer is not a topic
MAX_QUERY_WORDS = 32
MAX_NAME_WORDS_IN_QUERY = 12
MAX_SUBSET_WORDS = 8  # words of a query combined to look names up by their set of words (255 sets)

# Per process: organizations whose prepared choices are kept, least recently used out first. This bounds
# memory; it does nothing for freshness, which the catalog version alone guarantees.
MAX_CACHED_ORGANIZATIONS = 64

_TOPIC_ID = re.compile(r"^top-[a-z2-7]{16}$")
_WORD = re.compile(r"[^\W_]+(?:\.\d+)*")
_VERSION = re.compile(r"^v?(\d+(?:\.\d+)*)$")
_DIGITS_PLURAL = re.compile(r"^\d+s$")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_UMLAUT_SPELLING = re.compile(r"(?<=[^aeiou])(ae|oe|ue)")
# Letters that Unicode does not decompose into a base letter and a mark, typed plainly by most people.
_TRANSLITERATE = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ħ": "h",
        "\u0131": "i",  # dotless i
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ð": "d",
        "ŀ": "l",
    }
)
# Cyrillic and Greek letters spelled in Latin ones (a plain romanisation, as people type them on a Latin
# keyboard), on both sides: "topologii" is "топологии", "athinas" is "Αθήνας".
_ROMANISE = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфыэ", "abvgdeziiklmnoprstufye", strict=True)),
        **{
            "ё": "e",
            "ж": "zh",
            "\u0445": "kh",
            "ц": "ts",
            "ч": "ch",
            "ш": "sh",
            "щ": "shch",
            "ю": "yu",
            "я": "ya",
        },
        **{"ъ": "", "ь": "", "\u0456": "i", "ї": "i", "є": "e", "ґ": "g"},
        **dict(zip("αβγδεζηικλμνξοπρστυφω", "avgdeziiklmnxoprstyfo", strict=True)),
        **{"ς": "s", "θ": "th", "χ": "ch", "ψ": "ps"},
    }
)
STOP_WORDS = frozenset(
    {
        *("a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"),
        *("au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "un", "une"),
        *("dem", "den", "der", "die", "das", "im", "mit", "und", "von", "zu", "zum", "zur"),
        *("al", "con", "del", "el", "las", "los", "para", "por", "y", "e", "i", "o"),
    }
)
# The trade's usual short forms, both ways: a query word is also tried as its long form and vice versa.
ABBREVIATIONS = {
    "a11y": "accessibility",
    "admin": "administration",
    "app": "application",
    "auth": "authentication",
    "config": "configuration",
    "db": "database",
    "dev": "development",
    "docs": "documentation",
    "env": "environment",
    "i18n": "internationalization",
    "infra": "infrastructure",
    "k8s": "kubernetes",
    "l10n": "localization",
    "mgmt": "management",
    "msg": "message",
    "o11y": "observability",
    "ops": "operations",
    "perf": "performance",
    "prod": "production",
    "repo": "repository",
    "sec": "security",
    "svc": "service",
}
_EXPANSIONS: dict[str, set[str]] = {}
for _short, _long in ABBREVIATIONS.items():
    _EXPANSIONS.setdefault(_short, set()).add(_long)
    _EXPANSIONS.setdefault(_long, set()).add(_short)

# Roles of a name word: the topic's own, or one that repeats its category ("Contoso" in "Contoso API"
# under Contoso), which is evidence for the category rather than for this topic.
NAME, ECHO = 0, 1


# --- Words --------------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Compatibility forms, case, marks and a few undecomposable letters folded: "Ødegård" → "odegard"."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_TRANSLITERATE)
    text = "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))
    return text.translate(_ROMANISE)


def normalise(text: str) -> str:
    """Folded words separated by single spaces: ``"  Client-Work /ALPHA_2 "`` → ``"client work alpha 2"``."""
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


@functools.lru_cache(maxsize=65536)
def _canonical(word: str) -> str:
    """Versions lose their "v" and trailing ".0": "v2.0", "2.0" and "2" are one word."""
    version = _VERSION.match(word)
    if version is None:
        return word
    parts = [str(int(part)) for part in version.group(1).split(".")]
    while len(parts) > 1 and parts[-1] == "0":
        parts.pop()
    return ".".join(parts)


def _spelling(word: str) -> str:
    """British spellings as American ones, on both sides: "localisation", "colour", "catalogue"."""
    if len(word) >= 7 and "isation" in word:
        return word.replace("isation", "ization")
    if len(word) >= 6 and word.endswith(("ise", "ised", "ises", "ising")):
        return word[: word.rindex("ise")] + "ize" + word[word.rindex("ise") + 3 :]
    if len(word) >= 7 and word.endswith(("yse", "ysed", "yses", "ysing")):
        return word[: word.rindex("yse")] + "yze" + word[word.rindex("yse") + 3 :]
    if len(word) >= 6 and word.endswith(("our", "ours")):
        return word[: word.rindex("our")] + "or" + word[word.rindex("our") + 3 :]
    if len(word) >= 7 and word.endswith(("ogue", "ogues")):
        return word[: word.rindex("ogue")] + "og"
    return word


_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    if not word.isalpha():
        return word[:-1] if _DIGITS_PLURAL.match(word) else word
    word = _spelling(word)
    if len(word) >= 5 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) >= 6 and word.endswith(("ing", "er")):
        word = word[:-3] if word.endswith("ing") else word[:-2]
        # The British doubled l of a verb stressed before its last syllable: "modelling", "travelling"
        # (one-syllable verbs keep theirs: "spelling").
        if word.endswith("ll") and len(_VOWEL_GROUPS.findall(word)) >= 2:
            word = word[:-1]
        return word
    if len(word) >= 9 and word.endswith("en"):
        return word[:-2]
    if len(word) >= 5 and word.endswith(("aux", "eux")):
        return word[:-1]
    if len(word) >= 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


# Common terms of the trade in French, German,
# Spanish, Italian, Portuguese and Dutch as their English word, so a topic named in one language is found
# by its name in another ("reading group" for "Groupe de lecture"). Words that mean something else in
# another of these languages or in English are left out ("recherche" is search and research, Spanish
# "red" is a network). Forms are written folded (no accents); plurals the stemmer does not reduce are
# listed too. tests/topics/test_matching.py checks that no form belongs to two terms. Number words
# are digits ("one on ones" is "1:1s").
TERMS: dict[str, tuple[str, ...]] = {
    "accessibility": (
        "accessibilite",
        "barrierefreiheit",
        "accesibilidad",
        "accessibilita",
        "acessibilidade",
    ),
    "administration": ("administratie", "verwaltung", "administracion", "amministrazione", "administracao"),
    "audit": ("auditoria", "auditorias"),
    "backup": ("sauvegarde", "sauvegardes"),
    "beginner": ("debutant", "anfanger", "principiante", "principianti", "iniciante"),
    "bookkeeping": (
        "comptabilite",
        "buchhaltung",
        "contabilidad",
        "contabilita",
        "contabilidade",
        "boekhouding",
    ),
    "client": ("kunde", "kunden", "cliente", "clienti", "klant", "klanten"),
    "colour": ("couleur", "farbe", "colore", "kleur"),
    "community": ("communaute", "gemeinschaft", "comunidad", "comunita", "comunidade", "gemeenschap"),
    "contract": ("contrat", "vertrag", "contrato", "contratto", "contracten"),
    "correspondence": (
        "correspondance",
        "korrespondenz",
        "correspondencia",
        "corrispondenza",
        "correspondentie",
    ),
    "course": ("cours", "kurs", "curso", "corso", "cursus"),
    "data": ("donnees", "daten", "datos", "dati", "dados", "gegevens"),
    "dependency": ("dependance", "abhangigkeit", "dependencia", "dipendenza", "afhankelijkheid"),
    "deployment": ("deploiement", "bereitstellung", "despliegue", "implantacao", "uitrol"),
    "documentation": ("dokumentation", "documentacion", "documentazione", "documentacao", "documentatie"),
    "flow": ("ecoulement", "stromung", "flujo", "flusso", "fluxo", "stroming"),
    "funding": (
        "financement",
        "finanzierung",
        "financiacion",
        "finanziamento",
        "financiamento",
        "financiering",
    ),
    "group": ("groupe", "gruppe", "grupo", "gruppo", "groep"),
    "infrastructure": (
        "infrastruktur",
        "infraestructura",
        "infrastruttura",
        "infraestrutura",
        "infrastructuur",
    ),
    "invoice": (
        *("invoicing", "facture", "facturation", "rechnung", "fakturierung", "factura", "facturacion"),
        *("fattura", "fatturazione", "fatura", "faturamento", "factuur", "facturatie"),
    ),
    "maintenance": ("wartung", "mantenimiento", "manutenzione", "manutencao", "onderhoud"),
    "meeting": ("reunion", "besprechung", "riunione", "reuniao", "vergadering"),
    "mentoring": ("mentor", "mentorship", "mentorat", "mentoria", "mentorato"),
    "migration": ("migracion", "migrazione", "migracao", "migratie"),
    "moderation": ("moderacion", "moderazione", "moderacao", "moderatie"),
    "monthly": ("mensuel", "monatlich", "mensual", "mensile", "mensal", "maandelijks"),
    "network": ("reseau", "reseaux", "netzwerk", "rete", "reti", "rede", "netwerk"),
    "neuron": ("neural", "neuronal", "neurone", "neurona", "neuronio"),
    "payment": ("paiement", "zahlung", "pago", "pagamento", "betaling"),
    "planning": ("planification", "planung", "planificacion", "pianificazione", "planejamento"),
    "portal": ("portail", "portale", "portaal"),
    "project": ("projet", "projekt", "proyecto", "progetto", "projeto"),
    "reading": ("lecture", "lesen", "lectura", "lettura", "leitura", "lezen"),
    "recruitment": (
        "recrutement",
        "rekrutierung",
        "reclutamiento",
        "reclutamento",
        "recrutamento",
        "werving",
    ),
    "report": ("rapport", "informe", "rapporto", "relatorio", "verslag"),
    "research": ("forschung", "investigacion", "onderzoek"),
    "review": ("revision", "relecture", "uberprufung", "revisione", "revisao", "beoordeling"),
    "sales": ("ventes", "vertrieb", "ventas", "vendite", "vendas", "verkoop"),
    "security": ("securite", "sicherheit", "seguridad", "sicurezza", "seguranca", "beveiliging"),
    "seminar": ("seminaire", "seminario", "seminarie"),
    "server": ("serveur", "servidor", "servidores"),
    "simulation": ("simulacion", "simulazione", "simulacao", "simulatie"),
    "talk": ("expose", "vortrag", "charla", "palestra", "lezing"),
    "tax": ("impot", "steuer", "steuern", "impuesto", "imposta", "imposto", "belasting"),
    "teaching": ("enseignement", "lehre", "ensenanza", "insegnamento", "ensino", "onderwijs"),
    "training": ("schulung", "formacion", "formazione", "formacao", "opleiding"),
    "translation": ("traduction", "ubersetzung", "traduccion", "traduzione", "traducao", "vertaling"),
    "travel": ("deplacement", "reise", "viaje", "viaggio", "viagem", "reis"),
    "user": ("utilisateur", "benutzer", "nutzer", "usuario", "utente", "gebruiker"),
    "weekly": ("hebdomadaire", "wochentlich", "semanal", "settimanale", "wekelijks"),
    "workshop": ("atelier",),
}
NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_TERM_OF: dict[str, str] = {number: str(digit) for digit, number in enumerate(NUMBERS)}
for _english, _forms in TERMS.items():
    for _form in _forms:
        _TERM_OF[_stem(_form)] = _stem(_english)


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light, language-agnostic stem for simple plurals and inflections ("reviews", "alerting",
    "réseaux", "Kooperationen"), British spellings made American, and the terms of TERMS as their
    English word; used on both sides, so it only needs to be consistent."""
    found = _stem(word)
    return _TERM_OF.get(found, found)


def words(text: str) -> list[str]:
    """The canonical words of ``text`` (folded, versions normalised), in order."""
    return [_canonical(word) for word in _WORD.findall(fold(text))]


def _key(stems: list[str]) -> str:
    return " ".join(stems)


# --- Prepared choices ---------------------------------------------------------------------------------


@dataclass
class _Entry:
    """One name of one topic: its primary name or an alias."""

    topic: int
    label: str  # the name or alias as written
    words: list[str]
    stems: list[str]
    surface: frozenset[str] = frozenset()  # its words' stems before TERMS made them English
    weight: float = 0.0  # sum of the name's word weights (recall's denominator)
    plain: str = ""  # normalised, for the whole-name fuzzy ratio


@dataclass
class _TopicIndex:
    """An organization's topics (archived too) and names, ready for matching. Built for one version."""

    version: str
    # Topic rows: enough to answer without another query (see _topic_instance).
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    category_rows: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    category_ids: list[str] = field(default_factory=list)
    archived: list[bool] = field(default_factory=list)
    by_id: dict[str, int] = field(default_factory=dict)
    entries: list[_Entry] = field(default_factory=list)
    category_names: dict[str, str] = field(default_factory=dict)
    category_words: dict[str, set[str]] = field(default_factory=dict)  # category id -> canonical words
    category_stems: dict[str, set[str]] = field(default_factory=dict)  # category id -> its word stems
    category_topics: dict[str, list[int]] = field(default_factory=dict)
    exact: dict[str, set[int]] = field(default_factory=dict)  # stem key -> entries (name, sorted, compact)
    names_in_query: dict[str, set[int]] = field(default_factory=dict)  # stem key of a name -> entries
    postings: dict[str, list[tuple[int, int, float]]] = field(
        default_factory=dict
    )  # stem -> (entry, role, w)
    idf: dict[str, float] = field(default_factory=dict)  # stem -> weight
    vocabulary: list[str] = field(default_factory=list)  # sorted single-word stems of names and categories
    known: set[str] = field(default_factory=set)  # the same, as a set
    surfaces: dict[str, str] = field(default_factory=dict)  # a name word's stem as written -> its TERMS word
    category_index: dict[str, set[str]] = field(default_factory=dict)  # stem -> categories holding it
    folded_names: list[str] = field(default_factory=list)  # for ordering ties
    posting_maps: dict[str, dict[int, tuple[int, float]]] = field(default_factory=dict)
    word_sets: dict[frozenset[str], list[int]] = field(default_factory=dict)  # an entry's words -> entries
    own_word_sets: dict[frozenset[str], list[int]] = field(default_factory=dict)  # without its category's
    unknown_weight: float = 1.0
    initials: dict[str, set[tuple[int, int, int]]] = field(default_factory=dict)  # -> (entry, start, end)
    topic_fields: list[str] = field(default_factory=list)
    category_fields: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, organization_id: str, version: str) -> _TopicIndex:
        # The build allocates hundreds of thousands of small objects and no cycles: the cyclic garbage
        # collector's passes over them would cost about a third of the build.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return cls._build(organization_id, version)
        finally:
            if collecting:
                gc.enable()

    @classmethod
    def _build(cls, organization_id: str, version: str) -> _TopicIndex:
        prepared = cls(version=version)
        prepared.topic_fields = [f.attname for f in Topic._meta.concrete_fields]
        prepared.category_fields = [f.attname for f in Category._meta.concrete_fields]
        aliases: dict[str, list[str]] = {}
        for topic_id, alias in (
            TopicAlias.objects.filter(organization_id=organization_id)
            .order_by("name")
            .values_list("topic_id", "name")
        ):
            aliases.setdefault(topic_id, []).append(alias)
        # One query for the topics with their categories (a category without topics designates nothing).
        columns = [*prepared.topic_fields, *(f"category__{name}" for name in prepared.category_fields)]
        rows = (
            Topic.objects.filter(organization_id=organization_id).order_by("name", "id").values_list(*columns)
        )
        split = len(prepared.topic_fields)
        for index, full_row in enumerate(rows):
            row, category_row = full_row[:split], full_row[split:]
            values = dict(zip(prepared.topic_fields, row, strict=True))
            category_id = values["category_id"]
            if category_id not in prepared.category_rows:
                category_name = dict(zip(prepared.category_fields, category_row, strict=True))["name"]
                prepared.category_rows[category_id] = category_row
                prepared.category_names[category_id] = category_name
                prepared.category_words[category_id] = set(words(category_name))
                prepared.category_stems[category_id] = {stem(w) for w in prepared.category_words[category_id]}
                prepared._note_surfaces(prepared.category_words[category_id])
            prepared.rows.append(row)
            prepared.ids.append(values["id"])
            prepared.names.append(values["name"])
            prepared.categories.append(prepared.category_names[category_id])
            prepared.category_ids.append(category_id)
            prepared.archived.append(values["archived"])
            prepared.by_id[values["id"]] = index
            prepared.category_topics.setdefault(category_id, []).append(index)
            for label in [values["name"], *aliases.get(values["id"], [])]:
                found = words(label)
                prepared._note_surfaces(found)
                prepared.entries.append(
                    _Entry(
                        topic=index,
                        label=label,
                        words=found,
                        stems=[stem(w) for w in found],
                        surface=frozenset(_stem(w) for w in found),
                    )
                )
        prepared._index()
        return prepared

    def _note_surfaces(self, found: list[str] | set[str]) -> None:
        for word in found:
            if _stem(word) != stem(word):
                self.surfaces[_stem(word)] = stem(word)

    def _index(self) -> None:
        # Document frequency counts topics (not entries) whose name, aliases or category hold the word.
        holders: dict[str, set[int]] = {}
        pairs_of = [self._pairs(entry.stems) for entry in self.entries]
        for entry, pairs in zip(self.entries, pairs_of, strict=True):
            category = self.category_stems[self.category_ids[entry.topic]]
            for word in {*entry.stems, *category, *pairs}:
                holders.setdefault(word, set()).add(entry.topic)
        category_lists = {
            category_id: [stem(w) for w in words(name)] for category_id, name in self.category_names.items()
        }
        total = max(len(self.ids), 1)
        self.idf = {word: math.log(1 + total / len(topics)) for word, topics in holders.items()}
        for word in STOP_WORDS:
            if word in self.idf:
                self.idf[word] = STOP_WEIGHT
        self.unknown_weight = math.log(1 + total)  # as rare as a word only one topic holds

        for number, (entry, pairs) in enumerate(zip(self.entries, pairs_of, strict=True)):
            category_id = self.category_ids[entry.topic]
            category = self.category_stems[category_id]
            entry.weight = sum(self.idf[w] for w in set(entry.stems)) or 1.0
            entry.plain = " ".join(entry.words)
            qualified = category_lists[category_id] + entry.stems
            for key in {
                _key(entry.stems),
                _key(sorted(entry.stems)),
                "".join(entry.stems),
                _key(qualified),
                _key(sorted(qualified)),
                _key(entry.stems + category_lists[category_id]),
            }:
                self.exact.setdefault(key, set()).add(number)
            self.names_in_query.setdefault(_key(entry.stems), set()).add(number)
            own = set(entry.stems)
            for word in own:
                role = ECHO if word in category else NAME
                self.postings.setdefault(word, []).append((number, role, self.idf[word]))
            for pair, (first, second) in pairs.items():
                weight = self.idf[first] + self.idf[second]
                self.postings.setdefault(pair, []).append((number, NAME, weight))
            # Initials of every run of two or more consecutive words ("tbe", "m2").
            letters = [w[0] if w.isalpha() else w for w in entry.words]
            for start in range(len(letters)):
                for end in range(start + 2, len(letters) + 1):
                    self.initials.setdefault("".join(letters[start:end]), set()).add((number, start, end))
        # Category words are not posted per topic (a client's name would list all its topics): their
        # evidence is added to the topics that matched otherwise (_scores).
        for category_id, category in self.category_stems.items():
            for word in category:
                self.category_index.setdefault(word, set()).add(category_id)
        pairs = {pair for found in pairs_of for pair in found}
        self.known = {w for w in self.postings if w not in pairs} | set(self.category_index)
        # Typos and prefixes are looked for among the words as written too ("boekhoudnig" is a typo of
        # "boekhouding", not of "bookkeeping"), then counted as the word they stand for.
        self.vocabulary = sorted(self.known | set(self.surfaces))
        self.folded_names = [name.casefold() for name in self.names]
        self._word_set_index()

    @staticmethod
    def _pairs(stems: list[str]) -> dict[str, tuple[str, str]]:
        """Two consecutive words written as one ("on call" → "oncall"), for split and joined words."""
        return {stems[i] + stems[i + 1]: (stems[i], stems[i + 1]) for i in range(len(stems) - 1)}

    def _word_set_index(self) -> None:
        for number, entry in enumerate(self.entries):
            category = self.category_stems[self.category_ids[entry.topic]]
            self.word_sets.setdefault(frozenset(entry.stems), []).append(number)
            own = frozenset(w for w in entry.stems if w not in STOP_WORDS and w not in category)
            if own:
                self.own_word_sets.setdefault(own, []).append(number)

    def posting_map(self, word: str) -> dict[int, tuple[int, float]]:
        """The postings of ``word`` by entry, built on first use (for updating few entries of a long list)."""
        found = self.posting_maps.get(word)
        if found is None:
            found = self.posting_maps[word] = {
                n: (role, weight) for n, role, weight in self.postings.get(word, ())
            }
        return found

    def topic_instance(self, index: int) -> Topic:
        """A fresh Topic (with its Category) from the cached row: current for this version, and not shared
        with other callers, who may change it."""
        db = router.db_for_read(Topic)
        topic = Topic.from_db(db, self.topic_fields, self.rows[index])
        category_row = self.category_rows[self.category_ids[index]]
        topic.category = Category.from_db(db, self.category_fields, category_row)
        topic._state.adding = False
        return topic


class ChoicesCache:
    """Per-process prepared choices, keyed by organization and catalog version, least recently used out."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, _TopicIndex] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, organization_id: str) -> _TopicIndex:
        # The version the request's credential lookup read, if it did (apps.core.request_hints): a few
        # milliseconds older than reading it now, as if the request had come that much earlier.
        version = catalog_version_noted(organization_id)
        if version is None:
            version = catalog_version(organization_id=organization_id)
        with self._lock:
            entry = self._entries.get(organization_id)
            if entry is not None and entry.version == version and version:
                self._entries.move_to_end(organization_id)
                return entry
        # Built outside the lock: two threads may both build once, which is cheaper than serialising.
        # Rows read after the version are at least as new as it (read committed), never older. Inside a
        # transaction that wrote topics, the version is that transaction's own random one: if it rolls
        # back, the version reverts and this entry's version is never seen again.
        entry = _TopicIndex.build(organization_id, version)
        if version:  # "" (an organization without any catalog write yet) is not a version
            with self._lock:
                self._entries[organization_id] = entry
                self._entries.move_to_end(organization_id)
                while len(self._entries) > MAX_CACHED_ORGANIZATIONS:
                    self._entries.popitem(last=False)
        return entry


_choices = ChoicesCache()


# --- Scoring ------------------------------------------------------------------------------------------


@dataclass
class _Score:
    """How well one entry explains the query."""

    entry: int
    name_sims: list[float]  # per query word: best match with the entry's own (non-category) name words
    any_sims: list[float]  # per query word: best match with any of its words, category included
    covered: float = 0.0  # weight of the entry's name words the query matched
    precision: float = 0.0
    recall: float = 0.0
    score: float = 0.0


@dataclass(frozen=True)
class Resolution:
    """What a lookup decided, and why. ``topic`` is set when resolved; ``outcome`` is "resolved",
    "not_found", "ambiguous" or "archived"."""

    outcome: str
    rule: str
    score: float | None
    topic: int | None
    candidates: list[tuple[int, float]]
    archived: int | None = None
    prepared: _TopicIndex | None = None


def _query_words(query: str) -> tuple[list[str], list[str]]:
    found = words(query)[:MAX_QUERY_WORDS]
    return found, [stem(w) for w in found]


def _word_matches(prepared: _TopicIndex, word: str, canonical: str) -> dict[str, float]:
    """Vocabulary stems this query word may mean, with a similarity in [0, 1]."""
    matches: dict[str, float] = {}

    def note(vocabulary_word: str, similarity: float) -> None:
        vocabulary_word = prepared.surfaces.get(vocabulary_word, vocabulary_word)
        if similarity > matches.get(vocabulary_word, 0.0):
            matches[vocabulary_word] = similarity

    if word in prepared.known:
        note(word, 1.0 if word == canonical or stem(canonical) == canonical else STEM_SIM)
        if canonical != word and canonical in prepared.known:
            note(canonical, 1.0)
    elif canonical in prepared.known:
        note(canonical, 1.0)
    elif word in prepared.postings:  # two words of a name written as one ("oncall" for "On-call")
        note(word, 1.0)
    # German written without umlauts: "koeln" for "köln" (folded to "koln").
    plain = _UMLAUT_SPELLING.sub(lambda m: m.group(0)[0], canonical) if canonical.isalpha() else canonical
    if plain != canonical and stem(plain) in prepared.known:
        note(stem(plain), STEM_SIM)
    for expansion in _EXPANSIONS.get(canonical, ()):
        expanded = stem(expansion)
        if expanded in prepared.known:
            note(expanded, ABBREVIATION_SIM)
        for match, similarity in _prefix_matches(prepared, expanded).items():
            note(match, similarity * ABBREVIATION_SIM)
    if not word.isalpha():
        return matches
    # Prefixes and typos of the word as written ("redes" begins "redesign" though it is also a term).
    typed = _stem(canonical) if canonical.isalpha() else word
    for match, similarity in _prefix_matches(prepared, word).items():
        note(match, similarity)
    if typed != word:
        for match, similarity in _prefix_matches(prepared, typed).items():
            note(match, similarity)
    if len(typed) >= MIN_FUZZY_LENGTH:
        for match, ratio, _index in process.extract(
            typed,
            prepared.vocabulary,
            scorer=fuzz.ratio,
            processor=None,
            limit=8,
            score_cutoff=FUZZY_WORD_RATIO,
        ):
            if len(match) >= MIN_FUZZY_LENGTH and match.isalpha():
                note(match, ratio / 100)
    return matches


def _prefix_matches(prepared: _TopicIndex, word: str) -> dict[str, float]:
    """Words the query word begins ("redes" → "redesign"), and name words that begin it."""
    found: dict[str, float] = {}
    if len(word) >= MIN_PREFIX_LENGTH:
        position = bisect.bisect_left(prepared.vocabulary, word)
        while position < len(prepared.vocabulary) and prepared.vocabulary[position].startswith(word):
            candidate = prepared.vocabulary[position]
            if candidate != word and candidate.isalpha():
                found[candidate] = PREFIX_SIM
            position += 1
    for length in range(MIN_PREFIX_LENGTH + 1, len(word)):
        shorter = word[:length]
        if shorter in prepared.known and shorter.isalpha():
            found[shorter] = max(found.get(shorter, 0.0), NAME_PREFIX_SIM)
    return found


def _scores(
    prepared: _TopicIndex, stems: list[str], canonicals: list[str], *, prune: bool = True
) -> tuple[dict[int, _Score], list[float], list[dict[str, float]]]:
    """The entries that could explain the query, scored; and the query words' weights.

    Words are taken heaviest first, and only while the weight already taken is at most
    ``1 - MIN_PRECISION`` of the total may a word bring in entries not seen yet: an entry matching none
    of those words cannot reach MIN_PRECISION (the usual "max score" pruning of search engines). Later
    words only add to entries already in. This keeps a lookup fast when common words match thousands.
    ``prune=False`` brings every entry in, for the candidates of a refusal.
    """
    count = len(stems)
    matches = [
        _word_matches(prepared, word, canonical) for word, canonical in zip(stems, canonicals, strict=True)
    ]
    weights: list[float] = []
    initials: list[set[tuple[int, int, int]]] = []
    for word, canonical, found in zip(stems, canonicals, matches, strict=True):
        runs: set[tuple[int, int, int]] = set()
        if word in STOP_WORDS:
            weight = STOP_WEIGHT
        elif found:
            weight = max(prepared.idf.get(m, STOP_WEIGHT) for m in found)
        else:
            weight = prepared.unknown_weight
            if 2 <= len(canonical) <= 6:
                # An unknown word that spells the initials of consecutive name words ("m2", "Master 2").
                runs = _initial_runs(prepared, canonical)
                for number, start, end in runs:
                    entry = prepared.entries[number]
                    weight = min(weight, sum(prepared.idf[w] for w in entry.stems[start:end]))
        weights.append(weight)
        initials.append(runs)
    # Split words: two query words written as one word of a name ("back end" for "Backend").
    # The first word is joined as typed too: "belasting aangifte" is "belastingaangifte", whose
    # "-ing" inside the word is no ending.
    joined: dict[int, str] = {}
    for i in range(count - 1):
        for first in (stems[i], _stem(canonicals[i]), canonicals[i]):
            if stem(first + canonicals[i + 1]) in prepared.postings:
                joined[i] = stem(first + canonicals[i + 1])
                break
    joined_at = list(joined)
    for i in joined_at:
        share = prepared.idf.get(joined[i], prepared.unknown_weight) / 2
        for at in (i, i + 1):
            if weights[at] == prepared.unknown_weight:
                weights[at] = share

    scores: dict[int, _Score] = {}
    contributions: dict[int, dict[int, float]] = {}  # entry -> query word -> name weight it covered

    def add(number: int, position: int, role: int, weight: float, similarity: float, span: int) -> None:
        score = scores.get(number)
        if score is None:
            score = scores[number] = _Score(number, [0.0] * count, [0.0] * count)
        for at in range(position, position + span):
            if similarity > score.any_sims[at]:
                score.any_sims[at] = similarity
            if role == NAME and similarity > score.name_sims[at]:
                score.name_sims[at] = similarity
        covered = contributions.setdefault(number, {})
        covered[position] = max(covered.get(position, 0.0), similarity * weight)

    def credit(position: int, word: str, similarity: float, *, introduce: bool, span: int = 1) -> None:
        postings = prepared.postings.get(word, ())
        if introduce:
            for number, role, weight in postings:
                add(number, position, role, weight, similarity, span)
        elif len(scores) < len(postings):
            by_entry = prepared.posting_map(word)
            for number in list(scores):
                hit = by_entry.get(number)
                if hit is not None:
                    add(number, position, hit[0], hit[1], similarity, span)
        else:
            for number, role, weight in postings:
                if number in scores:
                    add(number, position, role, weight, similarity, span)

    total = sum(weights) or 1.0
    budget = (1 - MIN_PRECISION) * total + 1e-9
    taken = 0.0
    introducing: set[int] = set()
    for position in sorted(range(count), key=lambda i: -weights[i]):
        introduce = taken <= budget or not prune
        if introduce:
            introducing.add(position)
        for word, similarity in matches[position].items():
            credit(position, word, similarity, introduce=introduce)
        for number, start, end in initials[position]:
            if introduce or number in scores:
                entry = prepared.entries[number]
                weight = sum(prepared.idf[w] for w in entry.stems[start:end])
                add(number, position, NAME, weight, INITIALS_SIM, 1)
        taken += weights[position]
    for i in joined_at:
        introduce = i in introducing or i + 1 in introducing
        credit(i, joined[i], 1.0, introduce=introduce, span=2)

    categorised = [
        (i, {w: sim for w, sim in found.items() if w in prepared.category_index})
        for i, found in enumerate(matches)
    ]
    categorised = [(i, found) for i, found in categorised if found]
    for number, score in scores.items():
        entry = prepared.entries[number]
        if categorised:
            category = prepared.category_stems[prepared.category_ids[entry.topic]]
            for position, found in categorised:
                similarity = max((sim for w, sim in found.items() if w in category), default=0.0)
                if similarity > score.any_sims[position]:
                    score.any_sims[position] = similarity
        score.covered = min(sum(contributions.get(number, {}).values()), entry.weight)
        score.precision = sum(w * s for w, s in zip(weights, score.any_sims, strict=True)) / total
        score.recall = score.covered / entry.weight
        score.score = 100 * (score.precision + score.recall) / 2
    return scores, weights, matches


# --- Decision -----------------------------------------------------------------------------------------


def _best_per_topic(prepared: _TopicIndex, scores: dict[int, _Score]) -> list[_Score]:
    """Each topic's best entry, best first (ties by name, then id)."""
    best: dict[int, _Score] = {}
    for score in scores.values():
        topic = prepared.entries[score.entry].topic
        if topic not in best or score.score > best[topic].score:
            best[topic] = score
    return sorted(
        best.values(),
        key=lambda s: (-s.score, prepared.folded_names[prepared.entries[s.entry].topic], s.entry),
    )


def _live_candidates(prepared: _TopicIndex, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
    seen: set[int] = set()
    out = []
    for topic, score in ranked:
        if topic in seen or prepared.archived[topic] or score < CANDIDATE_FLOOR:
            continue
        seen.add(topic)
        out.append((topic, round(score, 1)))
        if len(out) == MAX_CANDIDATES:
            break
    return out


def _candidates_from(prepared: _TopicIndex, ranked: list[_Score]) -> list[tuple[int, float]]:
    return _live_candidates(prepared, [(prepared.entries[s.entry].topic, s.score) for s in ranked])


def _decided(prepared: _TopicIndex, topic: int, rule: str, score: float, **kwargs: Any) -> Resolution:
    if prepared.archived[topic]:
        return Resolution("archived", rule, score, None, kwargs.get("candidates", []), archived=topic)
    return Resolution("resolved", rule, score, topic, [], prepared=prepared)


def _refused(outcome: str, rule: str, candidates: list[tuple[int, float]]) -> Resolution:
    return Resolution(outcome, rule, None, None, candidates)


def _exact(prepared: _TopicIndex, query: str, stems: list[str]) -> Resolution | None:
    hits: set[int] = set()
    for key in (_key(stems), _key(sorted(stems)), "".join(stems)):
        hits |= prepared.exact.get(key, set())
    if not hits:
        return None
    topics = sorted({prepared.entries[n].topic for n in hits})
    live = [t for t in topics if not prepared.archived[t]]
    if len(live) == 1:
        return _decided(prepared, live[0], "exact", 100.0)
    if not live:
        return _decided(prepared, topics[0], "exact", 100.0) if len(topics) == 1 else None
    # "Front-end" and "Front End" fold alike; the name typed exactly (ignoring case) settles it.
    typed = [t for t in live if prepared.names[t].casefold() == query.strip().casefold()]
    if len(typed) == 1:
        return _decided(prepared, typed[0], "exact", 100.0)
    return _refused("ambiguous", "exact", [(t, 100.0) for t in live[:MAX_CANDIDATES]])


def _initial_runs(prepared: _TopicIndex, word: str) -> set[tuple[int, int, int]]:
    """The runs of name words ``word`` spells the initials of, an acronym's plural too ("PRs")."""
    runs = prepared.initials.get(word, set())
    if not runs and len(word) >= 3 and word.endswith("s"):
        runs = prepared.initials.get(word[:-1], set())
    return runs


def _initials(prepared: _TopicIndex, canonicals: list[str], stems: list[str]) -> Resolution | None:
    """One word that is no word of the organization but the initials of consecutive words of a name."""
    if len(canonicals) != 1 or stems[0] in prepared.known or not 2 <= len(canonicals[0]) <= 6:
        return None
    runs = _initial_runs(prepared, canonicals[0])
    topics = sorted({prepared.entries[number].topic for number, _s, _e in runs})
    if len(topics) == 1:
        # The run must be the name's distinctive part: not only words its category repeats.
        number, start, end = next(iter(runs))
        entry = prepared.entries[number]
        category = prepared.category_stems[prepared.category_ids[entry.topic]]
        if any(word not in category and word not in STOP_WORDS for word in entry.stems[start:end]):
            return _decided(prepared, topics[0], "initials", 100 * INITIALS_SIM)
    if len(topics) > 1:
        return _refused("ambiguous", "initials", _live_candidates(prepared, [(t, 90.0) for t in topics]))
    return None


def _name_in_query(prepared: _TopicIndex, stems: list[str], canonicals: list[str]) -> Resolution | None:
    """A whole name or alias inside a longer query; the longest wins, unrelated ones tie."""
    spans: list[tuple[int, int, int]] = []  # (start, end, entry)
    for start in range(len(stems)):
        for end in range(start + 1, min(len(stems), start + MAX_NAME_WORDS_IN_QUERY) + 1):
            if end - start == len(stems) or all(w in STOP_WORDS for w in stems[start:end]):
                continue
            spans.extend(
                (start, end, number) for number in prepared.names_in_query.get(_key(stems[start:end]), ())
            )
    if not spans:
        return None
    maximal = [
        (start, end, number)
        for start, end, number in spans
        if not any(s <= start and end <= e and (e - s) > (end - start) for s, e, _n in spans)
    ]
    topics = sorted({prepared.entries[number].topic for _s, _e, number in maximal})
    if len(topics) > 1:
        return _refused("ambiguous", "name-in-query", _live_candidates(prepared, [(t, 90.0) for t in topics]))
    topic = topics[0]
    entry = prepared.entries[maximal[0][2]]
    # A longer name holding this one whose every word the query also has, not side by side
    # ("contoso api version 2" names "Contoso API v2", not "Contoso API").
    found = set(entry.stems)
    extra = sorted(set(stems) - found - STOP_WORDS)
    longer = [
        prepared.entries[number]
        for chosen in _subsets(extra, minimum=1)
        for number in prepared.word_sets.get(frozenset(found | chosen), ())
    ]
    if longer:
        most = max(len(set(e.stems)) for e in longer)
        longest = {e.topic for e in longer if len(set(e.stems)) == most}
        if len(longest) > 1:
            ranked = [(t, 90.0) for t in sorted(longest)]
            return _refused("ambiguous", "name-in-query", _live_candidates(prepared, ranked))
        entry = next(e for e in longer if len(set(e.stems)) == most)
        topic = entry.topic
    rest = {
        (word, canonical)
        for word, canonical in zip(stems, canonicals, strict=True)
        if word not in entry.stems and word not in STOP_WORDS
    }
    rest_words = {word for word, _canonical in rest}
    rest_canonicals = {canonical for _word, canonical in rest}
    own_category = prepared.category_words[prepared.category_ids[topic]]
    # Another client's (category's) word in the rest, as written: the name may be that client's topic.
    for category_id, category in prepared.category_words.items():
        if category_id == prepared.category_ids[topic] or not (category - own_category) & rest_canonicals:
            continue
        others = [(t, 50.0) for t in prepared.category_topics.get(category_id, [])]
        return _refused("not_found", "name-in-query", _live_candidates(prepared, [(topic, 95.0), *others]))
    # Most of another topic's name in the rest: the query may be about that one.
    others = {number for word in rest_words for number, _role, _w in prepared.postings.get(word, ())}
    for number in sorted(others):
        other_entry = prepared.entries[number]
        if other_entry.topic == topic:
            continue
        share = sum(prepared.idf[w] for w in set(other_entry.stems) if w in rest_words) / other_entry.weight
        if share > OTHER_NAME_SHARE:
            ranked = [(topic, 95.0), (other_entry.topic, 100 * share)]
            return _refused("ambiguous", "name-in-query", _live_candidates(prepared, ranked))
    return _decided(prepared, topic, "name-in-query", 95.0)


def _near_name(
    prepared: _TopicIndex, query_plain: str, stems: list[str], ranked: list[_Score]
) -> Resolution | None:
    """The whole query as a near spelling of one of the closest names ("Contoso Suport Portal"). Every
    query word must still match a word of that topic: "contoso mobile api" is no typo of "…Mobile App"."""
    meaningful = [i for i, w in enumerate(stems) if w not in STOP_WORDS]
    ratios: list[tuple[float, int]] = []
    for score in ranked[:10]:
        entry = prepared.entries[score.entry]
        category = normalise(prepared.categories[entry.topic])
        best = max(fuzz.ratio(query_plain, entry.plain), fuzz.ratio(query_plain, f"{category} {entry.plain}"))
        ratios.append((best if all(score.any_sims[i] > 0 for i in meaningful) else 0.0, entry.topic))
    ratios.sort(key=lambda item: -item[0])
    if not ratios or ratios[0][0] < NEAR_NAME_RATIO:
        return None
    best_ratio, topic = ratios[0]
    rivals = [r for r, t in ratios[1:] if t != topic]
    if rivals and best_ratio - rivals[0] < NEAR_NAME_MARGIN:
        return None
    return _decided(prepared, topic, "near-name", best_ratio)


def _distinguished(
    prepared: _TopicIndex, winner: _Score, rival: _Score, stems: list[str], surfaces: list[str]
) -> bool:
    """Whether some query word matches the winner's own name clearly better than the rival's, or is
    written as in the winner's name while the rival has it in another language ("servidor" beside
    "serveur")."""
    if any(w - r >= DISTINCT_EVIDENCE for w, r in zip(winner.name_sims, rival.name_sims, strict=True)):
        return True
    ours, theirs = prepared.entries[winner.entry], prepared.entries[rival.entry]
    return any(
        surface != word and surface in ours.surface and surface not in theirs.surface and word in theirs.stems
        for word, surface in zip(stems, surfaces, strict=True)
    )


def _other_categories(
    prepared: _TopicIndex, topic: int, ranked: list[_Score], matches: list[dict[str, float]]
) -> set[str]:
    """Categories other than the topic's whose word the query's one word for the topic surely means,
    about as well as it means a word of the topic's name ("admin" beside Quokka Admin Panel and an
    Administratie category): the query may be about that category's work."""
    score = next((s for s in ranked if prepared.entries[s.entry].topic == topic), None)
    # Only when one word is all the query has for the topic's name: several words of the name outweigh
    # another reading of one of them ("Stark Support 86" where Stark is also a client).
    if score is None or sum(similarity > 0 for similarity in score.name_sims) > 1:
        return set()
    own = prepared.category_ids[topic]
    found: set[str] = set()
    for position, candidates in enumerate(matches):
        for word, similarity in candidates.items():
            holders = prepared.category_index.get(word, set())
            # Only sure readings (the word, its stem, an abbreviation), not a typo or a prefix.
            if similarity < ABBREVIATION_SIM or own in holders:
                continue
            if score.name_sims[position] - similarity >= DISTINCT_EVIDENCE:
                continue
            found |= holders
    return found


_REPOSITORY = re.compile(r"^(?:[a-z][\w+.-]*://)?(?:[^/@\s]+@)?[\w-]+(?:\.[\w-]+)+(?::\d+)?[:/](?=\S)", re.I)


def _repository_path(query: str) -> str:
    """A repository address's path without its host ("github.com/acme/web.git" → "acme/web"), or ""."""
    if any(char.isspace() for char in query):
        return ""
    match = _REPOSITORY.match(query)
    if match is None:
        return ""
    path = query[match.end() :]
    return path[:-4] if path.endswith(".git") else path


def _subsets(words: list[str], *, minimum: int) -> list[frozenset[str]]:
    """Every combination of at least ``minimum`` of the (first MAX_SUBSET_WORDS) words."""
    words = words[:MAX_SUBSET_WORDS]
    return [
        frozenset(combination)
        for size in range(minimum, len(words) + 1)
        for combination in itertools.combinations(words, size)
    ]


def _another_client_fully_named(prepared: _TopicIndex, winner: int, stems: list[str]) -> bool:
    """The query does not name the winner's category (client), and it names every word that another
    category's topic has of its own: "mobile app" may be Proseware Mobile as well as Contoso Mobile App."""
    query = set(stems)
    if prepared.category_stems[prepared.category_ids[winner]] & query:
        return False
    for chosen in _subsets(sorted(query - STOP_WORDS), minimum=1):
        for number in prepared.own_word_sets.get(chosen, ()):
            entry = prepared.entries[number]
            same_category = prepared.category_ids[entry.topic] == prepared.category_ids[winner]
            if entry.topic != winner and not same_category and not prepared.archived[entry.topic]:
                return True
    return False


def _category_only(prepared: _TopicIndex, stems: list[str], ranked: list[_Score]) -> Resolution | None:
    """Every meaningful query word is a word of one category, and no topic's own: ambiguous among its
    topics ("contoso", "meetings")."""
    meaningful = [i for i, w in enumerate(stems) if w not in STOP_WORDS]
    if not meaningful or any(max(s.name_sims[i] for s in ranked) >= 1.0 for i in meaningful if ranked):
        return None
    categories = {
        category_id
        for category_id, category in prepared.category_stems.items()
        if all(stems[i] in category for i in meaningful)
    }
    if len(categories) != 1:
        return None
    (category_id,) = categories
    topics = prepared.category_topics.get(category_id, [])
    scored = {prepared.entries[s.entry].topic: s.score for s in ranked}
    ranked_topics = sorted(topics, key=lambda t: (-scored.get(t, 0.0), prepared.names[t].casefold()))
    candidates = _live_candidates(
        prepared, [(t, max(scored.get(t, 0.0), CANDIDATE_FLOOR)) for t in ranked_topics]
    )
    return _refused("ambiguous", "category-only", candidates)


def _decide(prepared: _TopicIndex, query: str) -> Resolution:
    stripped = query.strip()
    lowered = stripped.lower()
    if lowered in prepared.by_id and not prepared.archived[prepared.by_id[lowered]]:
        return Resolution("resolved", "id", 100.0, prepared.by_id[lowered], [], prepared=prepared)
    if len(query) > MAX_QUERY_LENGTH or _TOPIC_ID.match(lowered):
        return _refused("not_found", "id" if _TOPIC_ID.match(lowered) else "too-long", [])
    canonicals, stems = _query_words(query)
    if not stems:
        return _refused("not_found", "empty", [])
    exact = _exact(prepared, query, stems)
    if exact is not None:
        return exact
    path = _repository_path(stripped)
    if path:  # "github.com/acme/web-app": the host names no topic
        canonicals, stems = _query_words(path)
        exact = _exact(prepared, path, stems)
        if exact is not None:
            return exact
    surfaces = [_stem(word) for word in canonicals]
    initials = _initials(prepared, canonicals, stems)
    if initials is not None:
        return initials
    scores, _weights, matches = _scores(prepared, stems, canonicals)
    ranked = _best_per_topic(prepared, scores)
    inside = _name_in_query(prepared, stems, canonicals)
    if inside is not None:
        return inside
    near = _near_name(prepared, " ".join(canonicals), stems, ranked)
    if near is not None and not (
        near.topic is not None and _other_categories(prepared, near.topic, ranked, matches)
    ):
        return near
    category_only = _category_only(prepared, stems, ranked)
    if category_only is not None:
        return category_only

    def refused(outcome: str, also: set[str] = frozenset()) -> Resolution:
        # The pruned scores hold only topics that could win; a refusal offers the closest of all.
        everything, _weights, _matches = _scores(prepared, stems, canonicals, prune=False)
        ranked_all = [
            (prepared.entries[s.entry].topic, s.score) for s in _best_per_topic(prepared, everything)
        ]
        # A client (category) the query names offers its topics too: "northwind weekly call".
        named = {c for word in stems if word not in STOP_WORDS for c in prepared.category_index.get(word, ())}
        for category_id in sorted(named | also):
            ranked_all += [(t, CANDIDATE_FLOOR) for t in prepared.category_topics.get(category_id, [])]
        return _refused(outcome, "tokens", _live_candidates(prepared, ranked_all))

    eligible = [s for s in ranked if s.precision >= MIN_PRECISION and any(sim > 0 for sim in s.name_sims)]
    if not eligible or eligible[0].score < ACCEPT_SCORE:
        return refused("not_found")
    winner = eligible[0]
    winner_topic = prepared.entries[winner.entry].topic
    for rival in ranked:
        if rival is winner or rival.score < RIVAL_SCORE:
            continue
        if not _distinguished(prepared, winner, rival, stems, surfaces):
            return refused("ambiguous")
    if _another_client_fully_named(prepared, winner_topic, stems):
        return refused("ambiguous")
    other_categories = _other_categories(prepared, winner_topic, ranked, matches)
    if other_categories:
        return refused("ambiguous", other_categories)
    return _decided(
        prepared, winner_topic, "tokens", winner.score, candidates=_candidates_from(prepared, ranked)
    )


# --- Entry points -------------------------------------------------------------------------------------


def topic_resolution(*, organization: Organization, query: str) -> Resolution:
    """What ``topic_resolve`` would decide for ``query``, with the rule and the candidates; writes nothing."""
    prepared = _choices.get(organization.pk)
    resolution = _decide(prepared, query)
    return Resolution(
        resolution.outcome,
        resolution.rule,
        resolution.score,
        resolution.topic,
        resolution.candidates,
        resolution.archived,
        prepared,
    )


def candidates_payload(resolution: Resolution) -> list[dict[str, object]]:
    prepared = resolution.prepared
    assert prepared is not None
    return [
        {
            "id": prepared.ids[topic],
            "name": prepared.names[topic],
            "category": prepared.categories[topic],
            "score": score,
        }
        for topic, score in resolution.candidates
    ]


def _query_excerpt(query: str) -> str:
    """The query as echoed in messages, cut short so a huge input does not make a huge answer."""
    return query if len(query) <= 100 else query[:100] + "…"


def resolution_error(resolution: Resolution, query: str) -> NotFound | Conflict:
    """The refusal a start would answer with (the spec's error envelope, candidates in details)."""
    candidates = candidates_payload(resolution)
    if resolution.outcome == "ambiguous":
        return Conflict(
            f"'{_query_excerpt(query)}' matches several topics; use an id or a more precise name.",
            code="TOPIC_AMBIGUOUS",
            details={"candidates": candidates},
        )
    if resolution.outcome == "archived":
        prepared = resolution.prepared
        assert prepared is not None and resolution.archived is not None
        topic = resolution.archived
        return NotFound(
            f"The topic '{prepared.names[topic]}' is archived; ask an admin to unarchive it or pick another.",
            code="TOPIC_NOT_FOUND",
            details={
                "candidates": candidates,
                "archived": {
                    "id": prepared.ids[topic],
                    "name": prepared.names[topic],
                    "category": prepared.categories[topic],
                },
            },
        )
    return NotFound(
        f"No topic matches '{_query_excerpt(query)}'.",
        code="TOPIC_NOT_FOUND",
        details={"candidates": candidates},
    )


def topic_resolve(*, organization: Organization, query: str) -> Topic:
    """The unarchived topic of ``organization`` that ``query`` (an id, a name or an alias) designates.

    Returned with ``category`` loaded. Raises NotFound (TOPIC_NOT_FOUND, also for an archived topic's
    name, with ``details["archived"]``) or Conflict (TOPIC_AMBIGUOUS), with ``details["candidates"]``.
    """
    resolution = topic_resolution(organization=organization, query=query)
    if resolution.topic is None:
        raise resolution_error(resolution, query)
    assert resolution.prepared is not None
    return resolution.prepared.topic_instance(resolution.topic)
