"""Docs that must follow the code."""

from sim.model.params import PARAMS
from sim.model.params_doc import parameter_table_markdown
from sim.paths import PROJECT_ROOT

MODEL_DOC = (PROJECT_ROOT / "docs" / "model.md").read_text(encoding="utf-8")
README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_parameter_table_in_docs_matches_the_code():
    assert parameter_table_markdown() in MODEL_DOC


def test_every_parameter_has_a_source_and_a_sane_default():
    for p in PARAMS.values():
        assert p.source.strip(), p.name
        assert p.low <= p.default <= p.high, p.name


def test_readme_starts_with_the_two_commands():
    head = README[: README.index("## What to do next")]
    assert "make run SCENARIO=incapacity" in head and "make test" in head


def test_every_mechanism_module_is_documented():
    for section in ("Leader health", "Succession", "mobilisation", "contagion", "Alignment",
                    "Reactions", "Calibration", "Known limits"):
        assert section in MODEL_DOC, section
