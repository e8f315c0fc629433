"""Kazakh texts in kz1048 and ptcp154 (short and long) read right; Russian, Ukrainian, Western, Greek unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from kzannotate.text.importer import decode_bytes, read_source_file

KK_SHORT = "Жаңаөзен оқиғасы"
KK_PARAGRAPHS = [
    "2022 жылғы қаңтардың басында Маңғыстау облысындағы Жаңаөзен қаласында сұйытылған газ бағасының күрт "
    "өсуіне қарсы наразылық басталды. Көп ұзамай шерулер Алматыға, Ақтөбеге, Қызылордаға тарады.",
    "Президент Қасым-Жомарт Тоқаев үкіметті отставкаға жіберіп, Ұжымдық қауіпсіздік туралы шарт ұйымынан "
    "көмек сұрады. Ресей, Беларусь, Армения, Тәжікстан және Қырғызстан әскерлері елге келді.",
    "Ұлттық қауіпсіздік комитетінің бұрынғы төрағасы Кәрім Мәсімов мемлекеттік төңкеріс жасауға оқталды "
    "деген күдікпен ұсталды. Сарапшылар «Қанды қаңтар» оқиғасын әртүрлі түсіндіреді — әлеуметтік наразылық, "
    "элита ішіндегі билік үшін күрес, Telegram-арналардағы үндеулер, сыртқы күштердің араласуы.",
]
KK_LONG = "Қазақстандағы қаңтар оқиғалары\n\n" + "\n\n".join(KK_PARAGRAPHS[i % 3] for i in range(90))
RU = ("Январские события в Казахстане начались со стихийных протестов в Жанаозене против резкого повышения "
      "цен на сжиженный газ. Вскоре протесты охватили Алматы и другие города.")
UK = "Україна: їжак, єдність, ґанок. Київська область. Протести почалися в Жанаозені."


@pytest.mark.parametrize("encoding", ["kz1048", "ptcp154"])
@pytest.mark.parametrize("text", [KK_SHORT, "Қазақстан", KK_PARAGRAPHS[2], KK_LONG],
                         ids=["short", "one-word", "paragraph", "long"])
def test_kazakh_code_pages(tmp_path: Path, text: str, encoding: str) -> None:
    assert len(KK_LONG) > 10_000
    path = tmp_path / "kk.txt"
    path.write_bytes(text.encode(encoding))
    got = read_source_file(path)
    assert got.text == text.strip()
    # the two pages agree on most Kazakh letters: the right text matters, and it names a Kazakh page
    assert got.encoding in ("kz1048", "ptcp154")


def test_kazakh_short_text_names_the_page_that_fits(tmp_path: Path) -> None:
    assert decode_bytes(KK_SHORT.encode("kz1048")) == (KK_SHORT, "kz1048")
    assert decode_bytes(KK_SHORT.encode("ptcp154")) == (KK_SHORT, "ptcp154")
    assert decode_bytes(KK_LONG.encode("ptcp154")) == (KK_LONG, "ptcp154")


@pytest.mark.parametrize("text,encoding", [
    (RU, "cp1251"), (RU, "koi8_r"), ("Привет, мир", "cp1251"), ("Привет, мир", "koi8_r"), (RU, "cp866"),
    (UK, "cp1251"), (UK, "koi8_u"),
    ("Café society in Zürich: a naïve résumé of the façade.", "cp1252"),
    ("Café society in Zürich: a naïve résumé of the façade.", "latin-1"),
    ("Grüße aus Köln, schöne Straße.", "latin-1"),
    ("Die Proteste begannen in Schanaosen; später griffen sie auf Almaty über. Größere Unruhen.", "cp1252"),
    ("Ελληνικά κείμενα", "cp1253"),
])
def test_other_code_pages_still_right(text: str, encoding: str) -> None:
    decoded, _used = decode_bytes(text.encode(encoding))
    assert decoded == text
