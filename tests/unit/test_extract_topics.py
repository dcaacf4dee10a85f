"""Topics of Japanese pages: Japanese spellings, full-width Latin, the same labels."""

from __future__ import annotations

import pytest

from crawler.extract.extractor import extract

URL = "https://www.mofa.go.jp/mofaj/press/release/pressit_000001_07001.html"


def _topics(sentence: str) -> tuple[str, ...]:
    html = (
        "<html><head><title>日・エストニア外相会談 | 外務省</title></head><body>"
        "<div id='maincontents'><h1>日・エストニア外相会談</h1><p>令和6年5月8日</p>"
        f"<p>{sentence}</p></div></body></html>"
    )
    return extract(html, URL).topics


@pytest.mark.parametrize(
    ("sentence", "topic"),
    [
        (
            "両外相は朝鮮民主主義人民共和国の核・ミサイル問題について議論しました。",
            "North Korea",
        ),
        ("両外相は中華人民共和国との関係について意見交換しました。", "China"),
        ("\uff34\uff30\uff30の高いレベルの維持を確認しました。", "TPP"),
        ("\uff27\uff17広島サミットの成果を踏まえ連携を確認しました。", "G7"),
        ("大韓民国との連携を確認しました。", "ROK"),
        ("ガザ地区の人道状況について議論しました。", "Middle East"),
        ("拉致被害者の帰国に向けた協力を求めました。", "Abductions"),
        ("核不拡散体制の維持・強化で一致しました。", "Nuclear Disarmament"),
    ],
)
def test_japanese_spellings_give_the_english_labels(sentence, topic):
    assert topic in _topics(sentence)


def test_a_japanese_page_without_a_topic_has_none():
    assert _topics("両外相は文化交流について意見交換しました。") == ()
