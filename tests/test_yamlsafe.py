"""kg's YAML loader: the same data as PyYAML's safe loader, and nothing but data."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from kg.yamlsafe import SafeLoader, safe_load

LEXICONS = sorted(p.name for p in resources.files("kg.ontology").joinpath("lexicon").iterdir() if p.name.endswith(".yaml"))


def test_every_packaged_lexicon_is_found():
    assert {"chrome.yaml", "relations.yaml", "roles.yaml", "gazetteer.yaml"} <= set(LEXICONS)


@pytest.mark.parametrize("name", LEXICONS)
def test_packaged_lexicons_read_as_with_pyyaml_safe_loader(name):
    text = resources.files("kg.ontology").joinpath("lexicon", name).read_text(encoding="utf-8")
    data = safe_load(text)
    assert data  # every lexicon holds something
    assert data == yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506 - the reference safe loader


def test_libyaml_is_used_where_pyyaml_has_it():
    assert SafeLoader is (yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)


@pytest.mark.parametrize(
    "text", ["x: !!python/object/apply:os.system ['true']", "x: !!python/name:os.system", "x: !!python/object:object {}"]
)
def test_object_tags_are_refused(text):
    with pytest.raises(yaml.YAMLError):
        safe_load(text)


def test_invalid_yaml_raises_a_yaml_error():
    with pytest.raises(yaml.YAMLError):
        safe_load("a: [1, 2\nb: 3")
