"""kit.store.safeyaml: libyaml reads plain files, the pure-Python loader everything else."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.store.safeyaml import MAX_DEPTH, parse_yaml

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), text)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(document=documents, flow=st.booleans())
def test_libyaml_reads_what_the_pure_python_loader_reads(document, flow):
    source = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True)
    fast, slow = parse_yaml(source, "t.yaml"), parse_yaml(source, "t.yaml", libyaml=False)
    assert repr(fast) == repr(slow)  # types and order too
    assert slow[1] == []


def test_aliases_deep_nesting_and_bad_syntax_get_the_kit_s_messages_either_way():
    """libyaml hands these to the pure-Python loader (its own messages differ)."""
    deep = "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH  # a scalar 21 nodes deep
    for source, row, message in [
        (
            "a: &x [1]\nb: *x\n",
            2,
            "refused: the file uses a YAML alias (*x); expected plain 'key: value' lines "
            "without anchors or aliases",
        ),
        (
            deep,
            1,
            f"refused: lists or mappings are nested more than {MAX_DEPTH} deep; expected "
            "plain 'key: value' lines",
        ),
        (
            "a: b: c\n",
            1,
            "mapping values are not allowed here; expected YAML such as 'key: text' "
            "(quote text with ':')",
        ),
    ]:
        for libyaml in (True, False):
            data, problems = parse_yaml(source, "t.yaml", libyaml=libyaml)
            assert data is None
            assert [(p.path, p.row, p.message) for p in problems] == [("t.yaml", row, message)]
    shallow = "[" * MAX_DEPTH + "]" * MAX_DEPTH  # 20 lists, nothing inside: allowed
    assert parse_yaml(shallow, "t.yaml") == parse_yaml(shallow, "t.yaml", libyaml=False)
    assert parse_yaml(shallow, "t.yaml")[1] == []
