"""A realistic set of annotations on the seeds, made as an analyst would (views, screenshots).

Each entry: (seed file prefix, passage, actors, {theory: stance}, own reliability, credibility, annotator,
occurrence). ``occurrence`` picks the n-th copy of a passage (seed 003 repeats its article, 001 its ending).
"""

from __future__ import annotations

SE, PR, BTC = "Socio-economic protest", "Popular revolt against the Nazarbayev system", "Bitcoin-mining price shock"
EPS, TOK = "Elite power struggle", "Tokayev's consolidation of power"
PAL = "Palace coup by Masimov and the Nazarbayev clan"
CR, RU, CN = "Foreign-backed colour revolution", "Russian neo-imperial intervention", "Russia acting on China's behalf"
ABL, ISL, ST, LOOT = "Ablyazov's street coup", "Islamist armed insurgency", "Staged crisis", "Criminal looting"
S, C, N = "supports", "contradicts", "neutral"
TOKAYEV, NAZ = "Kassym-Jomart Tokayev", "Nursultan Nazarbayev"

SOURCE_RATINGS = {"000": "E", "001": "C", "002": "C", "003": "D", "004": "F"}

DEMO = [
    ("000", "unrest began again among the workers of oil and gas fields and uranium mines",
     ["Oil and gas workers"], {SE: S}, None, 3, "aigerim", 0),
    ("000", 'This was used by the "poor relative" Tokayev.', [TOKAYEV], {TOK: S}, None, 4, "aigerim", 0),
    ("000", "Tokayev promised the continuation of reforms, dissolved the Council of Ministers and announced that "
            "he would prepare new, democratic elections", [TOKAYEV, "Kazakh government"], {TOK: S, SE: N},
     None, 2, "aigerim", 0),
    ("000", "The coup took place gracefully.", [TOKAYEV], {TOK: S, EPS: S}, None, 5, "aigerim", 0),
    ("000", "Seeing that they were removed from power by Tokayev, Nazarbayev's nephews quickly mobilized ordinary "
            "illiterate people of the south", ["Satybaldy brothers"], {PAL: S, ISL: S}, None, 5, "aigerim", 0),
    ("000", "Many, including Nursultan's nephews, are passionate about Islamic radicalism.",
     ["Satybaldy brothers", "Radical Islamists"], {ISL: S}, None, 6, "tom", 0),
    ("000", "he discarded, to the delight of Putin, his cunning plans to become the new Lee Kuan Yew, went to bow "
            "to the Kremlin", [TOKAYEV, "Vladimir Putin"], {RU: S, CR: C}, None, 4, "tom", 0),
    ("001", "A revolt due to socio-economic discontent, which has become a political protest, an explosion of "
            "long-suppressed anger.", ["Protesters"], {SE: S, PR: S}, None, 2, "aigerim", 0),
    ("001", "Which was ridden by incumbent President Kassym-Jomart Tokayev to eliminate his senior partner "
            "Nursultan Nazarbaev", [TOKAYEV, NAZ], {TOK: S, EPS: S}, None, 3, "aigerim", 0),
    ("001", "The military distress call launched by Tokaev to the Russians, and approved by China",
     [TOKAYEV, "China", "Russia"], {CN: S, RU: S}, None, 4, "aigerim", 0),
    ("001", "Tokaev even spoke of 20,000 terrorists who would have attacked Almaty, only to delete the tweet",
     [TOKAYEV, "Armed militants"], {ISL: C, ST: S}, None, 2, "tom", 0),
    ("001", "Another “terrorist” shown on Kazakh TV turned out to be a Kyrgyz jazz player on tour in Kazakhstan",
     ["Armed militants"], {ISL: C, ST: S}, "B", 1, "tom", 0),
    ("001", "The bitcoin theory suddenly appeared essentially in the Italian media, but I don’t think it is very "
            "realistic", [], {BTC: C, SE: S}, None, 3, "tom", 0),
    ("001", "Putin’s ultimate goal is that declared by US Secretary of State Anthony Blinken, to rebuild if not "
            "the USSR, an empire where Russia dominates", ["Vladimir Putin"], {RU: S}, None, 4, "aigerim", 0),
    ("001", "There is no shortage of economic and legal instruments: the Moscow oligarchs export to the West",
     ["Russia"], {RU: S}, None, 3, "aigerim", 0),
    ("001", "There is no shortage of economic and legal instruments: the Moscow oligarchs export to the West",
     ["Russia"], {RU: S}, None, 3, "tom", 1),
    ("002", "The government fell, and President Tokayev accused “terrorists” and called on troops from outside "
            "the country, namely the Russian-led Regional Security Organization (CSTO).",
     [TOKAYEV, "Collective Security Treaty Organization (CSTO)"], {RU: S}, "B", 1, "aigerim", 0),
    ("002", "The incumbent President Tokayev was practically his puppet.", [TOKAYEV, NAZ], {TOK: C}, None, 4,
     "aigerim", 0),
    ("002", "When the current crisis reached a critical mass, Tokayev dismissed the “father of the nation” "
            "Nazarbayev from his post", [TOKAYEV, NAZ], {TOK: S, EPS: S, PAL: C}, "B", 1, "aigerim", 0),
    ("002", "Therefore, the crisis is not just about a popular uprising, but also about an internal coup.", [],
     {EPS: S, PR: S}, None, 3, "aigerim", 0),
    ("002", "As things stand at present, Tokayev is now drawing legitimacy from Russian patronage.",
     [TOKAYEV, "Russia"], {RU: S}, None, 3, "tom", 0),
    ("002", "other sources and Kazakh journalists have spoken of outsiders in dark outfits who were driven to "
            "Almaty in groups that suddenly became the famous Kyrgyz looters", ["Looters and criminal gangs"],
     {ST: S, LOOT: C}, None, 5, "tom", 0),
    ("002", "A day or two of riots, strange terrorists marching in en masse and slaughtered by Kazakh government "
            "forces, then a quick invitation to the Russians", ["Armed militants", "Kazakh security forces"],
     {ST: S, ISL: C}, None, 4, "tom", 0),
    ("002", "Then came the rise in gas prices (which Tokayev has since reversed).", [TOKAYEV], {SE: S}, None, 1,
     "aigerim", 0),
    ("003", "the whole Kazakh adventure is being sponsored by MI6 to create a new Maidan right before the "
            "Russia/US-NATO talks", ["MI6"], {CR: S}, None, 5, "aigerim", 0),
    ("003", "the whole Kazakh adventure is being sponsored by MI6 to create a new Maidan right before the "
            "Russia/US-NATO talks", ["MI6"], {CR: S}, None, 5, "tom", 1),
    ("003", "the American embassy – was already “warning” about mass protests as early as in December 16, 2021",
     ["United States"], {CR: S}, None, 4, "aigerim", 0),
    ("003", "Kazakhstan was rocked into chaos virtually overnight, in principle, because of the doubling of "
            "prices for liquefied gas", ["Protesters"], {SE: S, CR: N}, None, 2, "aigerim", 0),
    ("003", "What is still not exactly clear is which conflicting clans are flaming the protests",
     ["Rival clans"], {EPS: S}, None, 3, "aigerim", 0),
    ("003", "the CSTO agreements do not cover assistance in case of internal political crises",
     ["Collective Security Treaty Organization (CSTO)"], {RU: N}, None, 2, "tom", 0),
    ("003", "The Chinese-driven New Silk Roads, or BRI, were officially launched by Xi Jinping at Nazarbayev "
            "University in September 2013.", ["Xi Jinping", NAZ], {CN: N}, "B", 1, "tom", 0),
    ("003", "no “spontaneous” protests can pop up simultaneously all over this vast nation virtually overnight",
     ["Protesters"], {CR: S, PR: C}, None, 5, "aigerim", 0),
    ("004", 'A typical "colour revolution" started at the point of origin of the protests in the city of Aktau '
            "with foreign participation", ["Protesters"], {CR: S}, None, 5, "aigerim", 0),
    ("004", 'An attempt of a "street coup" organised by the fugitive oligarch Mukhtar Ablyazov',
     ["Mukhtar Ablyazov"], {ABL: S}, None, 4, "aigerim", 0),
    ("004", 'The "Palace Coup" by Karim Masimov.', ["Karim Masimov"], {PAL: S}, None, 4, "aigerim", 0),
    ("004", "Masimov had armed detachments ready to advance on the capital and take power.", ["Karim Masimov"],
     {PAL: S, ISL: N}, None, 5, "tom", 0),
    ("004", "the process of looting by marauders sharply escalated", ["Looters and criminal gangs"],
     {LOOT: S}, None, 3, "tom", 0),
    ("004", "Oil and gas workers made up about a third of the total number of protesters in Aktau and Atyrau.",
     ["Oil and gas workers"], {SE: S, CR: C}, None, 3, "tom", 0),
    ("004", "President Tokayev ordered gas prices to be frozen at the previous level and dismissed Mamin's "
            "government", [TOKAYEV, "Askar Mamin"], {SE: S, TOK: N}, None, 1, "aigerim", 0),
]


def annotate_demo(project) -> int:
    """Rate the sources and add the demo annotations; returns how many were made."""
    from kzannotate.store.annotations import NewAnnotation

    sources = {s.id: project.get_source(s.id) for s in project.list_sources()}
    by_prefix = {}
    for src in sources.values():
        prefix = (src.imported_from or "").split("/")[-1][:3]
        by_prefix[prefix] = src
    for prefix, letter in SOURCE_RATINGS.items():
        project.update_source(by_prefix[prefix].id, reliability=letter)
    actors = {a.name: a.id for a in project.list_actors()}
    theories = {t.name: t.id for t in project.list_theories()}
    items = []
    for prefix, passage, actor_names, stances, rel, cred, annotator, occurrence in DEMO:
        text = by_prefix[prefix].text
        start = -1
        for _ in range(occurrence + 1):
            start = text.find(passage, start + 1)
            if start < 0:
                raise AssertionError(f"demo passage not in seed {prefix}: {passage[:50]!r} #{occurrence}")
        items.append(NewAnnotation(by_prefix[prefix].id, start, start + len(passage),
                                   actor_ids=tuple(actors[a] for a in actor_names),
                                   theories=tuple((theories[t], s) for t, s in stances.items()),
                                   reliability=rel, credibility=cred, annotator=annotator))
    project.add_annotations(items)
    return len(items)
