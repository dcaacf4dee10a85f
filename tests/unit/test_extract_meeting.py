"""Meeting facts from lead paragraphs; press-conference exchanges."""

from __future__ import annotations

import pytest

from crawler.extract.meeting import meeting_format, parse_exchanges, parse_meeting
from crawler.extract.meeting_ja import parse_ja

LEAD = (
    "On May 2, {when}, Mr. TANAKA Ichiro, Minister for Foreign Affairs of Japan, "
    "held a meeting with H.E. Mr. Erik Lund, Minister for Foreign Affairs of the "
    "Kingdom of Norway. The overview is as follows."
)


def _meeting(when, title="Japan-Norway Foreign Ministers\u2019 Meeting"):
    meeting = parse_meeting(title, [LEAD.format(when=when)], "en")
    assert meeting is not None
    return meeting


@pytest.mark.parametrize(
    ("when", "minutes"),
    [
        ("commencing at 9:00 a.m. for approximately 55 minutes", 55),
        ("commencing at 9:00 a.m. for about 40 minutes", 40),
        ("commencing at 9:00 a.m. for 55 minutes", 55),
        ("from 9:00 p.m. to 10:30 p.m.", 90),
        ("from 11:30 p.m. to 12:15 a.m.", 45),
        ("commencing at 9:00 a.m. for approximately 4 hours", 240),
        ("commencing at 9:00 a.m. for approximately 1 hour and 10 minutes", 70),
        ("commencing at 9:00 a.m. for an hour", 60),
        ("commencing at 9:00 a.m.", None),
    ],
)
def test_duration_is_read_from_each_phrasing(when, minutes):
    assert _meeting(when).duration_minutes == minutes


@pytest.mark.parametrize(
    ("when", "local"),
    [
        ("commencing at 12:05 p.m. for 30 minutes", "12:05"),
        ("commencing at 12:05 a.m. for 30 minutes", "00:05"),
        ("commencing at 9 p.m. for 30 minutes", "21:00"),
        ("from 9:00 p.m. to 10:30 p.m.", "21:00"),
    ],
)
def test_start_time_is_24_hour(when, local):
    assert _meeting(when).started_at_local == local


def test_japan_time_equals_local_time_when_meeting_is_in_japan_by_default():
    meeting = _meeting("commencing at 10:00 a.m. for 30 minutes")
    assert (meeting.location, meeting.started_at_jst) == (None, "10:00")


def test_japan_time_is_unknown_when_only_local_time_is_stated():
    meeting = _meeting("commencing at 10:00 a.m. (local time) for 30 minutes")
    assert meeting.started_at_jst is None


def test_explicit_japan_time_wins():
    when = "commencing at 11:50 a.m. (local time; around 5:00 a.m. Japan time on May 3)"
    meeting = _meeting(when)
    assert (meeting.started_at_local, meeting.started_at_jst) == ("11:50", "05:00")


def test_counterpart_country_and_sides():
    meeting = _meeting("commencing at 10:00 a.m. for 30 minutes")
    assert [(p.name, p.side) for p in meeting.participants] == [
        ("TANAKA Ichiro", "japan"),
        ("Erik Lund", "counterpart"),
    ]
    assert meeting.counterpart_country == "Kingdom of Norway"


@pytest.mark.parametrize(
    ("title", "fmt"),
    [
        ("Japan-X Foreign Ministers\u2019 Meeting", "meeting"),
        ("Japan-X Foreign Ministers\u2019 Telephone Talk", "telephone_talk"),
        ("Japan-X Summit Telephone Talk", "summit_telephone_talk"),
        ("Japan-X Summit Meeting", "summit_meeting"),
        ("Japan-X Foreign Ministers\u2019 Video Conference", "video_conference"),
        ("Courtesy Call on Prime Minister by X", "courtesy_call"),
        ("Japan-X Foreign Ministers\u2019 Working Lunch", "working_lunch"),
        ("Japan-X Summit Dinner", "dinner"),
        ("日・カナダ外相電話会談", "telephone_talk"),
        ("Press Conference by Foreign Minister X", None),
        ("Visa Information", None),
    ],
)
def test_meeting_format_from_title(title, fmt):
    assert meeting_format(title) == fmt


def test_no_meeting_without_a_readout_lead():
    assert parse_meeting("Japan-X Meeting", ["A list of documents."], "en") is None


def test_exchanges_join_continuations_and_skip_lines_before_the_first_speaker():
    lines = [
        "Preface without speaker.",
        "Reporter: A question?",
        "Minister Sato: An answer.",
        "More of the answer: with a colon, in lower case.",
        "Asahi Daily, Mori: Another question?",
    ]
    got = [(e.speaker, e.text) for e in parse_exchanges(lines)]
    assert got == [
        ("Reporter", "A question?"),
        (
            "Minister Sato",
            "An answer.\nMore of the answer: with a colon, in lower case.",
        ),
        ("Asahi Daily, Mori", "Another question?"),
    ]


@pytest.mark.parametrize(
    ("lead", "name", "role", "country"),
    [
        (
            "On June 3, commencing at 10:00 a.m., Mr. TANAKA Ichiro, Minister for "
            "Foreign Affairs of Japan, held a meeting with H.E. Mr. Paul Marceau, "
            "Minister for Europe and Foreign Affairs of the French Republic.",
            "Paul Marceau",
            "Minister for Europe and Foreign Affairs of the French Republic",
            "French Republic",
        ),
        (
            "On June 3, commencing at 10:00 a.m., Mr. TANAKA Ichiro, Minister for "
            "Foreign Affairs of Japan, held a meeting with H.E. Dr. Anna von der "
            "Berg, Minister of Foreign Affairs of the Republic of Austria.",
            "Anna von der Berg",
            "Minister of Foreign Affairs of the Republic of Austria",
            "Republic of Austria",
        ),
    ],
)
def test_counterpart_roles_keep_and_and_names_keep_particles(lead, name, role, country):
    meeting = parse_meeting("Japan-X Foreign Ministers\u2019 Meeting", [lead], "en")
    assert meeting is not None
    counterpart = meeting.participants[1]
    assert (counterpart.name, counterpart.role) == (name, role)
    assert meeting.counterpart_country == country


@pytest.mark.parametrize(
    ("tail", "place"),
    [
        (", who is visiting Washington D.C., held a meeting.", "Washington D.C."),
        (" held a meeting, in Jakarta.", "Jakarta"),
        (" held a meeting in accordance with the plan.", None),
    ],
)
def test_location_is_read_when_stated(tail, place):
    lead = "On May 3, commencing at 9:10 a.m., Mr. TANAKA Ichiro" + tail
    meeting = parse_meeting("Japan-X Meeting", [lead], "en")
    assert meeting is not None
    assert meeting.location == place


@pytest.mark.parametrize(
    ("when", "local", "minutes"),
    [
        ("at 9:10 am for 25 minutes", "09:10", 25),
        ("from 4:30 pm local time for about an hour", "16:30", 60),
        ("at around 10 a.m., lasting roughly 2 hours", "10:00", 120),
        ("from 9:30 to 10:15", "09:30", 45),
        ("from 11:40 to 12:20 p.m.", "11:40", 40),
        ("for approximately 40 minutes from 6:05 p.m.", "18:05", 40),
        ("starting at 3 pm, approximately 1 hour and 10 minutes", "15:00", 70),
        ("at 5:40 pm local time, for 10 minutes in total", "17:40", 10),
        ("at 8:00 a.m., in a 15-minute call", "08:00", 15),
    ],
)
def test_times_and_durations_in_other_wordings(when, local, minutes):
    meeting = _meeting(when)
    assert (meeting.started_at_local, meeting.duration_minutes) == (local, minutes)


def test_japan_time_in_brackets_after_the_local_time():
    meeting = _meeting("at 4:00 p.m. local time (11:00 p.m. Japan Time)")
    assert (meeting.started_at_local, meeting.started_at_jst) == ("16:00", "23:00")


@pytest.mark.parametrize(
    ("title", "fmt"),
    [
        ("Japan-Peru Foreign Ministers\u2019 Conference Call", "telephone_talk"),
        ("Japan-China Foreign Ministers\u2019 Intermittent Talks", "meeting"),
        ("Working Dinner with the Foreign Minister of Oman", "dinner"),
        ("日米外相電話会談", "telephone_talk"),
        ("日・カナダ首脳会談", "summit_meeting"),
        ("日・ブラジル外相テレビ会議", "video_conference"),
        ("ヴァルガ・ハンガリー国会議長による桜田外務大臣表敬", "courtesy_call"),
        ("日・ノルウェー外相昼食会", "working_lunch"),
        ("日・オマーン外相夕食会", "dinner"),
    ],
)
def test_formats_in_english_and_japanese_titles(title, fmt):
    assert meeting_format(title) == fmt


def test_a_meeting_of_two_leaders_is_a_summit_whatever_the_title_says():
    lead = (
        "On May 30, from 8:00 p.m. for approximately 30 minutes, Mr. ODA Shoichi, "
        "Prime Minister of Japan, held a telephone talk with H.E. Mr. Marek Nowak, "
        "President of the Republic of Poland."
    )
    meeting = parse_meeting("Telephone Talk with President Nowak", [lead], "en")
    assert meeting is not None
    assert meeting.format == "summit_telephone_talk"
    in_person = parse_meeting("Meeting with President Nowak", [lead], "en")
    assert in_person is not None
    assert in_person.format == "summit_meeting"


def test_participants_with_suffixes_honorifics_and_several_counterparts():
    lead = (
        "On June 2, Ms. KAMIYA Yuko, Minister for Foreign Affairs of Japan, held a "
        "meeting with the Honorable Robert T. Example, Jr., Secretary of Commerce of "
        "the United States of America, the Right Honourable Claire Leblanc, Minister "
        "of Foreign Affairs of Canada, and H.E. Dr. Arjun Mehra, Minister of External "
        "Affairs of the Republic of India."
    )
    meeting = parse_meeting("Japan-U.S.-Canada-India Meeting", [lead], "en")
    assert meeting is not None
    assert [(p.name, p.side) for p in meeting.participants] == [
        ("KAMIYA Yuko", "japan"),
        ("Robert T. Example, Jr.", "counterpart"),
        ("Claire Leblanc", "counterpart"),
        ("Arjun Mehra", "counterpart"),
    ]
    assert meeting.participants[1].role == (
        "Secretary of Commerce of the United States of America"
    )


@pytest.mark.parametrize(
    ("lead", "local", "minutes"),
    [
        (
            "7月28日、午前10時から約45分間、桜田健二外務大臣は会談を行いました。",
            "10:00",
            45,
        ),
        ("午後3時15分から約1時間、会談を行いました。", "15:15", 60),
        ("午後9時30分から同10時15分まで、テレビ会議を行いました。", "21:30", 45),
        ("午前11時30分から午後0時10分まで会談を行いました。", "11:30", 40),
        ("午後0時から約1時間25分、昼食会を行いました。", "12:00", 85),
        ("午後2時半から約\uff12\uff10分間、表敬を受けました。", "14:30", 20),
    ],
)
def test_japanese_times_and_durations(lead, local, minutes):
    meeting = parse_meeting("日米外相会談", [lead], "ja")
    assert meeting is not None
    assert (meeting.started_at_local, meeting.duration_minutes) == (local, minutes)


def test_japanese_participants_name_then_country_then_role():
    lead = (
        "4月9日、午後3時15分から約1時間、茂木敏充外務大臣は、訪日中のマルコ・ルビオ"
        "米国国務長官及びクレア・ホイットフィールド・カナダ外務大臣と会談を行いました。"
    )
    meeting = parse_meeting("日米加外相会談", [lead], "ja")
    assert meeting is not None
    assert [(p.name, p.role, p.side) for p in meeting.participants] == [
        ("茂木敏充", "外務大臣", "japan"),
        ("マルコ・ルビオ", "米国国務長官", "counterpart"),
        ("クレア・ホイットフィールド", "カナダ外務大臣", "counterpart"),
    ]
    assert meeting.counterpart_country == "米国"
    assert meeting.started_at_jst == "15:15"


def test_japanese_local_time_leaves_japan_time_unknown():
    lead = "現地時間9月22日午前9時から約1時間、神谷裕子外務大臣は会合を行いました。"
    meeting = parse_meeting("日豪印外相会合", [lead], "ja")
    assert meeting is not None
    assert (meeting.started_at_local, meeting.started_at_jst) == ("09:00", None)


def test_participants_named_after_their_role():
    lead = (
        "On March 12, at 10:00 a.m., Prime Minister ODAGIRI Shoichi held a summit "
        "telephone talk with President Ana Lucia Torres of the Argentine Republic."
    )
    meeting = parse_meeting("Japan-Argentina Summit Telephone Talk", [lead], "en")
    assert meeting is not None
    assert [(p.name, p.role, p.side) for p in meeting.participants] == [
        ("ODAGIRI Shoichi", "Prime Minister", "japan"),
        ("Ana Lucia Torres", "President of the Argentine Republic", "counterpart"),
    ]
    assert meeting.counterpart_country == "Argentine Republic"


def test_japanese_counterparts_with_kanji_names():
    lead = (
        "5月7日、午前10時から約90分間、桜田健二外務大臣は、王明中国外交部長と会談を行い、"
        "続いて趙英洙韓国外交部長官とも会談しました。"
    )
    meeting = parse_meeting("日中外相会談", [lead], "ja")
    assert meeting is not None
    assert [(p.name, p.role, p.side) for p in meeting.participants] == [
        ("桜田健二", "外務大臣", "japan"),
        ("王明", "中国外交部長", "counterpart"),
        ("趙英洙", "韓国外交部長官", "counterpart"),
    ]


@pytest.mark.parametrize(
    ("lead", "place"),
    [
        (
            "7月28日、午前10時から約45分間、訪問中のワシントンD.C.において、"
            "桜田健二外務大臣は、マルコ・ルビオ米国国務長官と会談を行いました。",
            "ワシントンD.C.",
        ),
        (
            "3月4日、午後3時15分から約1時間、外務省において、桜田健二外務大臣は、"
            "クレア・ホイットフィールド・カナダ外務大臣と会談を行いました。",
            "外務省",
        ),
        (
            "5月2日、訪問先の米国ニューヨークにて、桜田健二外務大臣は、"
            "マルコ・ルビオ米国国務長官と会談を行いました。",
            "米国ニューヨーク",
        ),
        (
            "7月28日、午前10時から約45分間、桜田健二外務大臣は、"
            "マルコ・ルビオ米国国務長官と電話会談を行いました。会談において、両者は",
            None,
        ),
    ],
)
def test_a_japanese_lead_names_its_place_before_nioite(lead, place):
    assert parse_ja("meeting", lead).location == place
