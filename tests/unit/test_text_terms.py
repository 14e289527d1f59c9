"""The words of a message as the text search indexes and looks them up."""

from __future__ import annotations

from shared.domain.text_terms import MAX_WORD, MAX_WORDS, message_words, query_words, words


def test_words_are_case_folded_with_yo_as_ye() -> None:
    assert words("Ёлка ЁЛКА елка Straße") == ["елка", "strasse"]


def test_decomposed_letters_are_composed_first() -> None:
    assert words("и\u0306од") == words("йод") == ["йод"]


def test_order_numbers_are_words_without_their_signs() -> None:
    assert words("Вопрос по заказу №12345, заказ#678!") == ["вопрос", "по", "заказу", "12345",
                                                            "заказ", "678"]


def test_underscores_and_punctuation_separate_words() -> None:
    assert words("foo_bar, baz-qux 9:00") == ["foo", "bar", "baz", "qux", "00"]


def test_one_letter_words_are_left_out() -> None:
    assert words("я в 5 кг") == ["кг"]


def test_a_repeated_word_counts_once() -> None:
    assert words("да да ДА") == ["да"]


def test_long_words_are_cut() -> None:
    assert words("a" * 100) == ["a" * MAX_WORD]


def test_a_message_gives_a_bounded_number_of_words() -> None:
    text = " ".join(f"w{n}" for n in range(MAX_WORDS * 3))
    assert len(words(text)) == MAX_WORDS
    assert words(text)[:2] == ["w0", "w1"]


def test_an_edited_message_gives_both_texts_words_bounded_together() -> None:
    assert message_words("Где заказ", None, "Где посылка") == ["где", "заказ", "посылка"]
    many = " ".join(f"w{n}" for n in range(MAX_WORDS))
    assert len(message_words(many, "другое")) == MAX_WORDS


def test_query_words_are_normalised_like_message_words() -> None:
    assert query_words("  ГДЕ мой ЗАКАЗ? ") == ["где", "мой", "заказ"]
    assert query_words("?!") == []
