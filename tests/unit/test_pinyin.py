"""Pinyin keys: what the borrower lookup and the pinyin sort rely on (R1)."""

from desk_app.domain import pinyin


def test_sort_key_orders_surnames_by_pinyin_not_code_point():
    names = ["张伟", "陈静", "李强", "王芳", "阿姨"]
    assert sorted(names) != ["阿姨", "陈静", "李强", "王芳", "张伟"]  # code points differ
    assert sorted(names, key=pinyin.sort_key) == ["阿姨", "陈静", "李强", "王芳", "张伟"]


def test_search_key_has_full_pinyin_and_initials():
    assert pinyin.search_key("张伟") == "zhangwei zw"
    assert pinyin.initials("重庆") == "cq"  # the polyphone reads chong in 重庆


def test_matches_by_characters_pinyin_and_initials():
    assert pinyin.matches("zw", "张伟")
    assert pinyin.matches("zhangwei", "张伟")
    assert pinyin.matches("Zhang Wei", "张伟")
    assert pinyin.matches("伟", "张伟")
    assert not pinyin.matches("zx", "张伟")


def test_mixed_text_keeps_latin_and_digits_lower_case():
    assert pinyin.sort_key("档案室02 ABC") == "dang4 an4 shi4 02 abc"
    assert len(pinyin.sort_key("档" * 500)) == pinyin.SORT_KEY_LENGTH


def test_a_surname_is_read_as_a_surname():
    # 曾 reads ceng in everyday words but zeng as a surname: 曾 sorts under Z, after 陈.
    names = ["曹操", "曾凯晶", "陈静", "张伟"]
    assert sorted(names, key=pinyin.sort_key) == ["曹操", "曾凯晶", "陈静", "张伟"]
    assert sorted(names, key=pinyin.name_sort_key) == ["曹操", "陈静", "曾凯晶", "张伟"]
    assert pinyin.name_search_key("曾凯晶") == "zengkaijing zkj"
    assert pinyin.name_search_key("单田芳").startswith("shantianfang ")
    assert pinyin.name_matches("zkj", "曾凯晶") and pinyin.name_matches("ckj", "曾凯晶")
    assert pinyin.name_search_key("张伟") == pinyin.search_key("张伟")  # no surname reading
