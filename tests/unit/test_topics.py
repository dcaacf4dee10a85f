"""The topic table: word boundaries, aliases, table order."""

from __future__ import annotations

import pytest

from crawler.extract.topics import TOPIC_TABLE, find_topics


def test_topics_come_out_in_table_order_not_text_order():
    text = "Myanmar was discussed, then Ukraine, then North Korea."
    assert find_topics(text) == ("North Korea", "Ukraine", "Myanmar")


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("the Japan-U.S.-ROK Summit", "ROK"),
        ("the Republic of Korea", "ROK"),
        ("the Comprehensive and Progressive Agreement (CPTPP)", "TPP"),
        ("the Economic “2+2”", "Economic 2+2"),
        ("a Free and Open Indo-Pacific", "Indo-Pacific"),
        ("ASEAN議員会議", "ASEAN"),
        ("北朝鮮の非核化", "North Korea"),
        ("the abductions issue", "Abductions"),
    ],
)
def test_topic_is_found_from_any_of_its_spellings(text, topic):
    assert topic in find_topics(text)


@pytest.mark.parametrize("text", ["BROKEN promises", "Chinatown", "G77 members"])
def test_topics_match_on_word_boundaries_only(text):
    assert find_topics(text) == ()


def test_republic_of_korea_is_not_north_korea():
    assert find_topics("the Republic of Korea") == ("ROK",)


def test_table_labels_are_unique():
    labels = [label for label, _ in TOPIC_TABLE]
    assert len(labels) == len(set(labels))


def test_a_replaced_topic_table_takes_effect(monkeypatch):
    import crawler.extract.topics

    monkeypatch.setattr(crawler.extract.topics, "TOPIC_TABLE", (("PRC", ("China",)),))
    assert find_topics("issues related to China and Ukraine") == ("PRC",)
