"""catalog.text: HTML to plain text, single display lines, keyword and URL cleaning."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.text import (
    DESCRIPTION_LIMIT,
    KEYWORD_LIMIT,
    KEYWORDS_MAX,
    TITLE_LIMIT,
    URL_LIMIT,
    clean_description,
    clean_keywords,
    clean_line,
    clean_url,
    clip,
    html_to_text,
)


def test_paragraphs_lists_and_breaks_become_lines() -> None:
    html = ("<h2>Kursai</h2><p>Pirmas&nbsp;sakinys.<br>Antra   eilutė</p>"
            "<ul><li>vienas</li><li>du</li></ul><div>pabaiga</div>")
    assert html_to_text(html) == "Kursai\n\nPirmas sakinys.\nAntra eilutė\n\nvienas\ndu\n\npabaiga"


def test_newlines_mean_lines_in_plain_text_and_spaces_in_markup() -> None:
    assert html_to_text("Pirma eilutė\nAntra eilutė") == "Pirma eilutė\nAntra eilutė"
    assert html_to_text("<p>Viena\npastraipa</p>") == "Viena pastraipa"


def test_entities_are_decoded() -> None:
    assert html_to_text("Kaina &euro;5 &amp; &quot;nemokamai&quot; &#x17E;&#261;") == \
        'Kaina €5 & "nemokamai" žą'


def test_script_style_iframe_object_contents_are_dropped() -> None:
    html = ("<p>Prieš</p><script>alert('x')</script><style>p{color:red}</style>"
            "<iframe src='https://ads.example'>reklama</iframe><object data='x.swf'>flash"
            "</object><p>Po</p>")
    assert html_to_text(html) == "Prieš\n\nPo"


def test_escaped_twice_markup_is_still_stripped() -> None:
    assert html_to_text("&lt;p&gt;Labas &lt;b&gt;pasauli&lt;/b&gt;&lt;/p&gt;") == "Labas pasauli"
    assert "alert" not in html_to_text("&lt;script&gt;alert(1)&lt;/script&gt;Tekstas")


def test_broken_html_never_raises() -> None:
    for html in ("<p>neuždaryta <b>pastraipa", "<![if !supportLists]>x<![endif]>", "</div></p>",
                 "<a href='x", "<!-- komentaras be pabaigos", "<<<>>>", "<script>nebaigta"):
        assert isinstance(html_to_text(html), str)


def test_plain_text_with_angle_brackets_survives() -> None:
    assert html_to_text("Vaikams <12 metų, kaina 5 > 3") == "Vaikams <12 metų, kaina 5 > 3"


def test_control_and_zero_width_characters_are_removed() -> None:
    assert clean_line("Py\u200bthon\u00ad kur\x00sai\u202e\tA1\n B1", 100) == "Python kursai A1 B1"
    assert html_to_text("a\u200db\x07c\ud800") == "abc"


def test_decomposed_diacritics_are_composed() -> None:
    assert clean_line("Kaune\u0307", 50) == "Kaunė"


def test_clean_line_cuts_at_a_word_boundary_within_the_limit() -> None:
    text = "Anglų kalbos kursai suaugusiesiems " * 20
    line = clean_line(text, TITLE_LIMIT)
    assert len(line) <= TITLE_LIMIT
    assert line.endswith("…")
    assert not line[:-1].endswith(" ")
    assert clip("abcdefghij", 5) == "abcd…"


def test_description_limit() -> None:
    description = clean_description("<p>" + "žodis " * 3000 + "</p>")
    assert len(description) <= DESCRIPTION_LIMIT


def test_keywords_are_cleaned_deduplicated_and_capped() -> None:
    words = ["Python", " python ", "", "x" * 200] + [f"k{i}" for i in range(50)]
    cleaned = clean_keywords(words)
    assert cleaned[0] == "Python"
    assert len(cleaned) == KEYWORDS_MAX
    assert all(len(w) <= KEYWORD_LIMIT for w in cleaned)
    assert cleaned.count("Python") == 1


def test_only_absolute_http_urls_are_kept() -> None:
    assert clean_url(" https://biblioteka.example/renginiai?id=5 ") == \
        "https://biblioteka.example/renginiai?id=5"
    assert clean_url("http://x.example") == "http://x.example"
    for bad in ("javascript:alert(1)", "ftp://x.example/f", "/relative/path", "mailto:a@b.lt",
                "https://", "https://a b.example/", "https://[::1", None, ""):
        assert clean_url(bad) is None
    assert clean_url("https://x.example/" + "a" * URL_LIMIT) is None


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_html_to_text_never_raises_on_any_text(text: str) -> None:
    out = html_to_text(text)
    assert "<script" not in out.lower()


_SECRET = "SECRETPAYLOAD"
# Surroundings a real description has: text (no markup of its own), entities, balanced tags.
_fragment = st.one_of(
    st.text(alphabet=st.characters(blacklist_characters="<&")),
    st.sampled_from(["<p>", "</p>", "<br>", "<b>x</b>", "&amp;", "<div class='a'>", "</div>",
                     "<!-- note -->", "<ul><li>x</li></ul>", "&lt;", "<img src=x/>"]),
)


@settings(max_examples=300, deadline=None)
@given(before=st.lists(_fragment, max_size=5), after=st.lists(_fragment, max_size=5),
       tag=st.sampled_from(["script", "SCRIPT", "style", "iframe", "object"]),
       attrs=st.sampled_from(["", " type='text/javascript'", " src=\"a.js\""]))
def test_dangerous_element_contents_never_reach_the_text(before: list[str], after: list[str],
                                                         tag: str, attrs: str) -> None:
    html = f"{''.join(before)}<{tag}{attrs}>{_SECRET}</{tag}>{''.join(after)}"
    assert _SECRET not in html_to_text(html)
