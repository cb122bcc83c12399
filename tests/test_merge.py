"""Three-way merge of tables: properties over random edits, and hand-worked cases."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kit.store.csvio import csv_text, parse_csv
from kit.store.merge import Clash, merge_mapping, merge_table

HEADER = ["role_id", "name", "level"]
names = st.sampled_from(["Guest", "Desk", "=Boss", "-", "'x", "Night, late", "Ünïcode"])


def table(rows: dict[str, str]) -> str:
    return csv_text(HEADER, [[k, v, "frontline"] for k, v in rows.items()])


def rows_of(text: str) -> dict[str, str]:
    parsed = parse_csv(text.encode("utf-8"), "")
    return {cells[0]: cells[1] for cells in parsed.records}


tables = st.dictionaries(st.sampled_from(["a", "b", "c", "d", "e"]), names, max_size=5)


@settings(max_examples=150, deadline=None)
@given(base=tables, mine=tables)
def test_when_only_one_side_changed_the_merge_is_that_side(base, mine):
    text, clashes = merge_table("roles", table(base), table(base), table(mine))
    assert (rows_of(text), clashes) == (mine, [])
    text, clashes = merge_table("roles", table(base), table(mine), table(base))
    assert (rows_of(text), clashes) == (mine, [])


@settings(max_examples=150, deadline=None)
@given(base=tables, theirs=tables, mine=tables)
def test_rows_changed_on_one_side_only_are_never_lost(base, theirs, mine):
    text, clashes = merge_table("roles", table(base), table(theirs), table(mine))
    merged = rows_of(text)
    for key in set(base) | set(theirs) | set(mine):
        b, t, m = base.get(key), theirs.get(key), mine.get(key)
        if t == m:
            assert merged.get(key) == t
        elif t == b:
            assert merged.get(key) == m
        elif m == b:
            assert merged.get(key) == t
        else:  # both changed it differently: asked, and mine is kept meanwhile
            assert any(c.row == f"role_id={key}" for c in clashes)
            assert merged.get(key) == m
    clashed = {c.row for c in clashes}
    assert len(clashed) == len(clashes)  # one clash per row here (only the name differs)


def test_a_deleted_row_that_the_other_side_changed_is_a_clash():
    base = table({"a": "Guest", "b": "Desk"})
    text, clashes = merge_table(
        "roles", base, table({"a": "Guest"}), table({"a": "Guest", "b": "Front desk"})
    )
    assert clashes == [Clash("roles.csv", "role_id=b", None, None, "changed")]
    assert rows_of(text) == {"a": "Guest", "b": "Front desk"}
    text, clashes = merge_table(
        "roles",
        base,
        table({"a": "Guest"}),
        table({"a": "Guest", "b": "Front desk"}),
        prefer_mine=True,
    )
    assert (rows_of(text), clashes) == ({"a": "Guest", "b": "Front desk"}, [])


def test_cells_of_one_row_changed_on_different_sides_merge():
    base = "role_id,name,level\nd,Desk,frontline\n"
    theirs = "role_id,name,level\nd,Front desk,frontline\n"
    mine = "role_id,name,level\nd,Desk,support\n"
    assert merge_table("roles", base, theirs, mine) == (
        "role_id,name,level\nd,Front desk,support\n",
        [],
    )


def test_needs_without_ids_merge_as_whole_rows():
    header = "touchpoint_id,kind,need,provider_role\n"
    base = header + "T1,do,Training,\n"
    theirs = base + "T1,have,A tablet,\n"
    mine = header + "T1,do,Training,\nT2,be,Calm,\n"
    text, clashes = merge_table("needs", base, theirs, mine)
    assert clashes == []
    assert text == header + "T1,do,Training,\nT1,have,A tablet,\nT2,be,Calm,\n"


def test_rows_they_added_keep_their_place_after_their_neighbour():
    base = table({"a": "A", "c": "C"})
    theirs = table({"a": "A", "b": "B", "c": "C"})
    mine = table({"a": "A", "c": "C", "d": "D"})
    assert list(rows_of(merge_table("roles", base, theirs, mine)[0])) == ["a", "b", "c", "d"]


def test_yaml_mappings_merge_key_by_key():
    merged, clashes = merge_mapping(
        "team.yaml",
        {"name": "Blue", "members": ["Ann"]},
        {"name": "Blue team", "members": ["Ann"]},
        {"name": "Blue", "members": ["Ann", "Bo"]},
    )
    assert (merged, clashes) == ({"name": "Blue team", "members": ["Ann", "Bo"]}, [])
    assert merge_mapping("r.yaml", {"a": "1"}, {"a": "2"}, {"a": "3"})[1] == [
        Clash("r.yaml", "", "a", "2", "3")
    ]
