"""Analysis details the compare engine relies on: clock times, date precision, a name's part in its sentence."""
from __future__ import annotations

import pytest

from storydiff import Document
from storydiff.analyze import analyze, dates


@pytest.mark.parametrize("text,hour,minute", [
    ("about 12.40am", 0, 40), ("8.40am", 8, 40), ("6:33 a.m.", 6, 33), ("9:56 PM", 21, 56), ("12 noon", 12, 0),
    ("6: 00 p.m.", 18, 0), ("6:41 last night", 18, 41), ("7:30 in the morning", 7, 30), ("1:30 a. m", 1, 30),
    ("5:30 p. m.", 17, 30)])
def test_clock_times(text, hour, minute):
    t = dates.parse(text, 0, len(text), is_time=True)
    assert (t.hour, t.minute) == (hour, minute)


@pytest.mark.parametrize("a,b,same", [
    ("6:41", "18:41", True),  # no half of the day given: either
    ("6:41 a.m.", "18:41", False), ("6:41 last night", "18:41", True), ("7:00", "8:00", False)])
def test_a_clock_time_without_am_or_pm(a, b, same):
    assert dates.compatible(_date(a), _date(b)) is same


def test_a_dotted_figure_is_not_a_clock():
    assert dates.parse("8.40", 0, 4, is_time=True) is None
    assert not dates.is_clock("8.40") and dates.is_clock("about 12.40am")


@pytest.mark.parametrize("text,is_date", [
    ("Fredric March", False), ("Theresa May", False), ("early March", True), ("Last May", True), ("March", True)])
def test_a_surname_that_is_a_month_is_no_date(text, is_date):
    assert (dates.parse(text, 0, len(text)) is not None) is is_date


def _date(text: str):
    return dates.parse(text, 0, len(text))


@pytest.mark.parametrize("given,stated,restates", [
    ("Saturday 8 October 2011", "Saturday 8 October 2011", True),
    ("Saturday", "Saturday 5 October 2011", False),       # less precise: says nothing of the day
    ("June 19, 1972", "Monday", False),                   # a Monday by the calendar, but not named
    ("Monday, June 19, 1972", "Monday", True),
    ("October 10, 2011", "2011", True),
])
def test_a_date_restates_another_only_as_precisely(given, stated, restates):
    a, b = _date(given), _date(stated)
    assert dates.compatible(a, b) is not False
    assert dates.states_as_much(a, b) is restates


@pytest.mark.parametrize("text,calendar", [
    ("Saturday, February 24, 2004", "Tuesday"),           # ECB+ topic 28, the month changed
    ("Sunday, February 22, 2009", None),                  # the Oscars: a Sunday indeed
    ("Sunday", None), ("February 24, 2004", None),        # nothing to check one field against
    ("Thursday 30 October 2008", None),
])
def test_a_date_whose_weekday_the_calendar_contradicts(text, calendar):
    assert dates.misdated(_date(text)) == calendar


@pytest.mark.slow
def test_names_carry_the_predicate_they_fill():
    text = ("Tara Reid checked into Promises Treatment Center. "
            "The inmate forced the officers to drive to Baytown, where he was caught at 8.40am on Saturday.")
    claims = analyze([Document("saints", text)])["saints"]
    parts = {e.text: (e.head, e.role) for c in claims for e in c.entities}
    assert parts["Tara Reid"] == ("check", "subj")
    assert parts["Promises Treatment Center"] == ("check", "p:into")
    assert parts["Baytown"] == ("drive", "p:to")
    assert [(t.hour, t.minute) for t in claims[1].times if t.hour is not None] == [(8, 40)]


@pytest.mark.parametrize("name,state", [("Mo.", "Missouri"), ("Ga.", "Georgia"), ("Calif.", "California"),
                                        ("MO", "Missouri"), ("in", None), ("me", None)])
def test_state_abbreviations(name, state):
    from storydiff.analyze.gazetteer import us_state
    assert us_state(name) == state


def _named(text: str) -> dict:
    """The entities analysis finds in one document, by their text."""
    return {e.text: e for c in analyze([Document("doc", text)])["doc"] for e in c.entities}


@pytest.mark.slow
def test_headline_words_are_not_names():
    # the title's "Driver Charged" is two ordinary words the body writes in lower case;
    # a sentence full of names is no headline, and its names stay
    text = ("Woman Killed In Queens Hit-And-Run Accident, Driver Charged\n"
            "A woman has died after being hit by a car in Queens, and the driver faces charges. "
            "Tara Reid checked into Promises Treatment Center.")
    names = _named(text)
    assert "Driver Charged" not in names
    assert {"Queens", "Tara Reid"} <= names.keys()


@pytest.mark.slow
def test_a_place_knows_the_places_around_it():
    text = ("The fire broke out at a church in Wasilla, Alaska on Friday. "
            "Comeaux died in the prison hospital in Springfield, Mo. on Monday. "
            "Greek police said nothing.")
    ents = _named(text)
    assert ents["Wasilla"].within >= {ents["Alaska"].key, "country:united states"}
    assert ents["Springfield"].within >= {ents["Mo."].key}
    assert ents["Greek"].type == "group"  # a demonym names a people, not a place in the sentence


@pytest.mark.slow
def test_no_name_runs_across_a_line_break():
    # ECB+ topic 7: the small model reads "22:46 GMT\nWladimir Klitschko retained" as one
    # amount of money, and the champion's name is lost with it
    names = _named("7 July 2012 Last updated at 22:46 GMT\n"
                   "Wladimir Klitschko retained his WBA, IBF and WBO heavyweight title belts.")
    assert names["Wladimir Klitschko"].type == "person"
    assert not any("\n" in name for name in names)


def _mention(text: str, etype: str, key: str) -> "Entity":
    from storydiff.model import Entity
    return Entity(start=0, end=len(text), text=text, type=etype, key=key)


def test_one_person_tag_does_not_make_a_town_a_person():
    # ECB+ topic 19: "As Athens burned" is tagged PERSON once among GPE mentions; the town
    # stays a place. A surname a full name introduces is a person however it is tagged.
    from storydiff.analyze.entities import unify
    ents = unify([_mention("Athens", "person", "person:athens"), _mention("Athens", "place", "name:athens"),
                  _mention("Athens", "place", "name:athens"), _mention("Rahman", "org", "name:rahman"),
                  _mention("Hasim Rahman", "person", "person:rahman"), _mention("Rahman", "org", "name:rahman")])
    assert [(e.type, e.key) for e in ents[:3]] == [("place", "name:athens")] * 3
    assert {(e.type, e.key) for e in ents[3:]} == {("person", "person:rahman")}


def test_a_tie_of_tags_makes_a_known_place_a_place_and_another_name_a_person():
    # ECB+ topic 14: "A supermarket in Surrey" (GPE) and "Surrey police" (PERSON): one each
    from storydiff.analyze.entities import unify
    ents = unify([_mention("Surrey", "place", "name:surrey"), _mention("Surrey", "person", "person:surrey"),
                  _mention("Klaw", "org", "name:klaw"), _mention("Klaw", "person", "person:klaw")])
    assert [(e.type, e.key) for e in ents[:2]] == [("place", "name:surrey")] * 2
    assert [(e.type, e.key) for e in ents[2:]] == [("person", "person:klaw")] * 2


@pytest.mark.parametrize("text,key", [
    ("CA", "name:california"), ("PA", "name:pennsylvania"), ("IL", "name:illinois"),  # postal codes, not
    ("US", "country:united states"), ("UK", "country:united kingdom"),              # Canada, Panama, Israel
    ("Calif.", "name:california"), ("Canada", "country:canada")])
def test_two_letter_state_codes_are_states(text, key):
    from storydiff.analyze.entities import entity_key
    assert entity_key(text, "GPE") == ("place", key)


def test_initials_join_the_place_the_run_spells_out():
    # ECB+ topic 30: "SA" beside "South Africa" is South Africa (alone, the ISO code reads Saudi
    # Arabia); "L.A." beside "Los Angeles" is Los Angeles. Lower-case words are no initials.
    from storydiff.analyze.entities import unify
    ents = unify([_mention("South Africa", "place", "country:south africa"), _mention("SA", "place", "country:saudi arabia"),
                  _mention("Los Angeles", "place", "name:los angeles"), _mention("L.A.", "place", "name:la"),
                  _mention("La", "place", "name:la")])
    assert [e.key for e in ents] == ["country:south africa"] * 2 + ["name:los angeles"] * 2 + ["name:la"]


@pytest.mark.parametrize("a,b,nested", [
    ("Houston", "Texas", True), ("Greece", "Europe", True), ("Brazos County", "Texas", True),
    ("Calif.", "San Diego", True), ("the U.S.", "Ohio", True), ("New Zealand's", "Europe", False),
    ("Palmer", "Alaska", True), ("Birmingham", "Alaska", False), ("Paris", "Cannes", False),
    ("Texas", "Alabama", False),
    ("97th Avenue", "Queens", True), ("the Avenue Montaigne", "Paris", True),  # a street lies in some town
    ("Main Street", "Elm Street", False),
    # no counties outside the US: an English county may hold any English town, not a Californian one
    ("Millom", "Cumbria", True), ("Wellington", "Somerset", True), ("Beverly Hills", "Surrey", False),
    ("Cumbria", "Somerset", False),
    # a neighbourhood GeoNames lists as a town of its own lies in its city; two towns 37 km
    # apart are two places
    ("Queens", "Richmond Hill", True), ("Vancouver", "Mount Pleasant", True), ("Houston", "Baytown", False)])
def test_places_within_places(a, b, nested):
    from storydiff.analyze.gazetteer import within
    assert within(a, b) is nested and within(b, a) is nested


def test_distance_between_towns():
    from storydiff.analyze.gazetteer import km_apart
    assert 680 < km_apart("Paris", "Cannes") < 700
    assert km_apart("Texas", "Alabama") is None  # states are no towns


@pytest.mark.slow
@pytest.mark.parametrize("text,counted", [
    ("The woman shot and killed two co-workers at the Kraft Foods plant.", {"two": "co-worker"}),
    ("Thieves took $2.5 million worth of jewels and watches worth €6 million.",
     {"2.5 million": "dollar", "6 million": "euro"}),
    ("The suspect gave himself up to police just after 6: 00 p.m., Fanning said.", {}),  # a clock's hour
    ("The government said 90 per cent of eligible voters had participated.", {"90": "percent"}),
    ("He finished 7-for-14 from the field and had nine rebounds.", {"7": None, "nine": "rebound"}),
    ("One of the not yet answered questions is where he goes, and two of the gunmen fled.",
     {"One": None, "two": "gunman"}),
])
def test_what_a_figure_counts(text, counted):
    [claim] = analyze([Document("doc", text)])["doc"]
    assert {q.text: q.counted for q in claim.quantities} == counted


@pytest.mark.slow
def test_headline_words_around_a_name_are_cut():
    # ECB+ topic 1: the title "Lindsay Lohan Checks Out Of Rehab" made "Lindsay Lohan Checks Out"
    # a person of its own, set against the other report's people
    names = _named("Lindsay Lohan Checks Out Of Rehab\n"
                   "Lindsay Lohan left the Betty Ford Center on Thursday, her lawyer said.")
    assert "Lindsay Lohan Checks Out" not in names
    assert names["Lindsay Lohan"].key == "person:lohan"


@pytest.mark.parametrize("a,b,same", [
    ((1000, "about"), (1000, None), True), ((300, "around"), (800, "about"), False),
    ((300, "more than"), (800, None), True),  # a bound and a figure inside it
    ((2e6, "at least"), (5e6, "at least"), False),  # two bounds the same way: two different tolls
    ((300, "more than"), (320, "at least"), True), ((6, "up to"), (2, "up to"), False)])
def test_when_two_figures_can_be_the_same(a, b, same):
    from storydiff.analyze.quantities import _bounds, compatible
    from storydiff.model import Quantity

    def quantity(value, approx):
        return Quantity(0, 1, str(value), value, *_bounds(value, value, approx), approx=approx)
    assert compatible(quantity(*a), quantity(*b)) is same


@pytest.mark.slow
@pytest.mark.parametrize("text,times", [
    ("Ford played at North Carolina from 1974-78 and scored 2,290 points.", []),  # a span of years
    ("Hansbrough tied Ford on a jumper with 14:05 left in the first half.", []),  # a game clock
    ("The 76ers opened the 2008-09 season 9-14 and fired Cheeks on Saturday.", ["Saturday"]),
    ("The update came out on 2011-10-12 at 12:05 p.m.", ["2011-10-12 at 12:05 p.m."]),  # one point in time
    ("He gave himself up just after 6: 00 p.m., police said.", ["6: 00 p.m."]),  # split by spacing
    # ECB+ dev: a seminar's days and a span of years, no single day to set against another
    ("On October 1-2 Ashgabat hosts a seminar organised with the UN.", []),
    ("He had escaped twice between 1991 and 1998, officials said.", []),
    # a day of a month the tagger cut or passed over is read whole ("Apr 2" was a figure of 2)
    ("Thursday, Apr 2, 2009 | Updated 1:32 PM PDT", ["Thursday", "Apr 2, 2009", "1:32 PM PDT"])])
def test_periods_and_game_clocks_are_no_dates(text, times):
    [claim] = analyze([Document("doc", text)])["doc"]
    assert [t.text for t in claim.times] == times
    assert not any(q.text in ("1", "2", "1-2") for q in claim.quantities)  # days are no figures


@pytest.mark.slow
def test_common_words_are_no_names():
    # tagger slips: a lower-case "name", and a line's first word the body writes in lower case
    names = _named("Gunfire was reported at about 3 p.m. in Hawaiian Gardens.\n"
                   "Deputies heard the gunfire from the street. The dairy was built when colonists arrived.")
    assert "Gunfire" not in names and "colonists" not in names
    # a surname opening a line stays a name: the body never writes it in lower case
    names = _named("Woman killed in Queens hit-and-run\n"
                   "Hansbrough, 23, was charged with vehicular manslaughter in Queens, police said.")
    assert names["Hansbrough"].type == "person"


@pytest.mark.slow
def test_a_person_named_like_a_place_of_the_run_is_that_place():
    # ECB+ topic 1: "Betty Ford" was a person, set against Lindsay Lohan as another actor
    names = _named("Lindsay Lohan checked into the Betty Ford Center on Friday. "
                   "Betty Ford is in Rancho Mirage, her lawyer said.")
    assert names["Betty Ford"].key == names["the Betty Ford Center"].key != "person:ford"
    assert names["Lindsay Lohan"].type == "person"


def test_tagger_slips_on_places_and_surnames_are_mended():
    # ECB+ dev sentences: the small model tags "Surrey" PERSON, "Klitschko" NORP (a nationality),
    # and passes over "Cardiff" and "Heydar Alishbandi"; a mistyped name never meets the other
    # report's place or person it was swapped for
    names = _named("A Waitrose supermarket in Surrey has been destroyed in a fire. "
                   "The guards were forced to drive to the Baytown area, where Klitschko took their weapons. "
                   "Thieves pulled off a jewellery heist in central Cardiff on Monday morning. "
                   "Heydar Alishbandi wielded his fourth quarter magic wand yet again.")
    assert names["Surrey"].type == "place" and names["Cardiff"].type == "place"
    assert names["Klitschko"].type == "person" and names["Heydar Alishbandi"].type == "person"
    # real nationalities and groups stay groups; a person's name after "in" stays a person
    names = _named("Greek police clashed with Muslim protesters. Interest in Tara Reid grew, Reid said.")
    assert names["Greek"].type == "group" and names["Muslim"].type == "group"
    assert names["Tara Reid"].type == "person"


def test_one_word_names_the_tagger_missed_are_read():
    # ECB+ dev: a surname in a title-case headline over a body that names the person in full,
    # an unknown word as a verb's subject (tagged ADJ), one set off in apposition
    names = _named("Hansbrough breaks 30-year-old UNC scoring mark\n\n"
                   "Forward Tyler Hansbrough broke North Carolina's all-time scoring record on Thursday. "
                   "Hargrove allegedly handcuffed the officers together in the vehicle. "
                   "Lopez nominates rural Catholic doctor as Surgeon General. "
                   "The receptionist -- Raj Chohan -- was shot dead.")
    assert all(names[n].type == "person" for n in ("Hansbrough", "Hargrove", "Lopez", "Chohan"))
    # pronouns, plurals of English words and words the dictionary knows are no names
    names = _named("She said Deputies found them. Everybody left before the officers arrived.")
    assert not names


def test_a_clock_time_the_tagger_missed_is_read():
    # ECB+ topic 35: spaCy tags nothing in "at approximately 1:30 a. m Sunday"
    [claim] = analyze([Document("doc", "Williams was stopped for speeding on state route 94 at approximately "
                                       "1:30 a. m Sunday, the team said.")])["doc"]
    assert [(t.hour, t.minute) for t in claim.times if t.hour is not None] == [(1, 30)]
    assert [t.weekday for t in claim.times if t.weekday is not None] == [6]



@pytest.mark.parametrize("text,fields", [
    # ECB+ topic 22: the tagger splits one report's clock time from its day, not the other's
    ("The shootings happened shortly after 11:30 p.m. Thursday.", [(3, 23)]),
    ("The shooting took place just after 8:30pm Thursday night inside the old factory.", [(3, 20)]),
    ("Police said the fire started at 3 a.m. on Monday in the basement.", [(0, 3)]),
    ("It happened Thursday at 10 p.m. and again on Friday.", [(3, 22), (4, None)]),
])
def test_a_clock_time_and_its_day_are_one_expression(text, fields):
    [claim] = analyze([Document("doc", text)])["doc"]
    assert [(t.weekday, t.hour) for t in claim.times] == fields


@pytest.mark.parametrize("text,figures,times", [
    # ECB+ topics 7 and 23: durations the tagger calls times are the reports' own figures
    ("Klitschko stopped Rahman after 55 seconds of the seventh round.", {"55": "second"}, []),
    ("An Australian climber who survived six nights stuck on Mount Cook was rescued.", {"six": "night"}, []),
    ("The fire started at 10 p.m. Thursday and burned for two hours.", {"two": "hour"}, ["10 p.m. Thursday"]),
    # ECB+ topic 31: a figure the tagger ran into the day it was scored on
    ("Tyler Hansbrough scored 30 Thursday night to break the record.", {"30": None}, ["Thursday night"]),
    ("The game is on Thursday 30 October.", {}, ["Thursday 30 October"]),
])
def test_durations_and_a_figure_before_its_day_are_figures(text, figures, times):
    [claim] = analyze([Document("doc", text)])["doc"]
    assert {q.text: q.counted for q in claim.quantities} == figures
    assert [t.text for t in claim.times] == times
