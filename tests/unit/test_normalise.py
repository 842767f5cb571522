"""Text normal form: what every page, table cell and metadata value looks like after extraction."""

from app.pdf.normalise import (
    MAX_METADATA_VALUE_CHARS,
    normalise_cell,
    normalise_metadata,
    normalise_text,
)


def test_ligatures_and_compatibility_forms_are_expanded() -> None:
    assert normalise_text("\ufb01nal \ufb02ow, \ufb00ect, \u2460, \uff21") == "final flow, ffect, 1, A"


def test_nul_and_other_control_characters_are_removed() -> None:
    assert normalise_text("a\x00b\x07c\x1bd\x7fe\x85f") == "abcdef"


def test_tabs_and_newlines_are_kept() -> None:
    assert normalise_text("col1\tcol2\nnext") == "col1\tcol2\nnext"


def test_lone_surrogates_are_removed_so_the_text_encodes_as_utf8() -> None:
    text = normalise_text("ok\ud800ay")
    assert text == "okay"
    assert text.encode("utf-8") == b"okay"


def test_crlf_and_lone_cr_become_lf() -> None:
    assert normalise_text("one\r\ntwo\rthree\n") == "one\ntwo\nthree"


def test_trailing_whitespace_is_stripped_from_every_line() -> None:
    assert normalise_text("a  \t\nb\u00a0\n  c  ") == "a\nb\n  c"


def test_runs_of_three_or_more_blank_lines_collapse_to_two() -> None:
    assert normalise_text("a\n\n\n\nb\n\n\n\n\n\n\nc") == "a\n\n\nb\n\n\nc"


def test_one_or_two_blank_lines_are_kept() -> None:
    assert normalise_text("a\n\nb\n\n\nc") == "a\n\nb\n\n\nc"


def test_whitespace_only_lines_count_as_blank() -> None:
    assert normalise_text("a\n  \n\t\n \n \nb") == "a\n\n\nb"


def test_leading_and_trailing_blank_lines_go_but_indentation_stays() -> None:
    assert normalise_text("\n\n  \n   indented\nlast\n\n \n") == "   indented\nlast"


def test_empty_and_blank_text_become_empty() -> None:
    assert normalise_text("") == ""
    assert normalise_text(" \n\r\n\t\n") == ""


def test_missing_cell_is_empty_string() -> None:
    assert normalise_cell(None) == ""


def test_cell_is_one_line_with_single_spaces() -> None:
    assert normalise_cell("  DATE\nPOSTED \r\n  (UTC)\t\tnow ") == "DATE POSTED (UTC) now"


def test_cell_gets_the_same_unicode_clean_up_as_text() -> None:
    assert normalise_cell("pro\ufb01t\x00 \u00a0 margin") == "profit margin"


def test_metadata_scalars_become_strings_and_other_values_are_dropped() -> None:
    metadata: dict[object, object] = {
        "Title": "Annual\nreport",
        "Author": b"J. Doe",
        "Copies": 0,
        "Trapped": False,
        "Version": 1.5,
        "Keywords": ["a", "b"],
        "Info": {"nested": "dict"},
        "Missing": None,
        "Broken": b"\xff\xfe bytes",
    }
    assert normalise_metadata(metadata) == {
        "Title": "Annual report",
        "Author": "J. Doe",
        "Copies": "0",
        "Trapped": "False",
        "Version": "1.5",
        "Broken": "\ufffd\ufffd bytes",
    }


def test_metadata_values_are_capped_and_nul_free() -> None:
    flat = normalise_metadata({"Subject": "x\x00" * 5000})
    assert flat == {"Subject": "x" * MAX_METADATA_VALUE_CHARS}
