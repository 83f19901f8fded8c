"""The parameter table of ``docs/model.md``, generated from the declarations.

``python -m sim.model.params_doc`` prints it; ``python -m sim.model.params_doc --update
docs/model.md`` rewrites it in place (a test checks that the docs hold exactly this
table, so they cannot drift).
"""

from __future__ import annotations

from sim.model.params import PARAMS


def parameter_table_markdown() -> str:
    """The parameter table of ``docs/model.md`` (``python -m sim.model.params_doc``).

    A test checks that the docs hold exactly this table, so they cannot drift.
    """
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| name | symbol | unit | default | plausible range | hard range | grade | source |",
             "|---|---|---|---|---|---|---|---|"]
    for p in PARAMS.values():
        lines.append(f"| `{p.name}` | `{p.symbol}` | {cell(p.unit)} | {p.default:g} | "
                     f"{p.plausible[0]:g} to {p.plausible[1]:g} ({cell(p.plausible_source)}) | "
                     f"{p.low:g} to {p.high:g} | {p.grade} | {cell(p.source)} |")
    return "\n".join(lines)


def update_doc_table(path: str) -> None:
    """Replace the parameter table in a Markdown file with the current one."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    header = parameter_table_markdown().splitlines()[0]
    start = text.index(header)
    end = text.find("\n\n", start)
    end = len(text) if end < 0 else end
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text[:start] + parameter_table_markdown() + text[end:])


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["--update"]:
        update_doc_table(sys.argv[2])  # python -m sim.model.params_doc --update docs/model.md
    else:
        print(parameter_table_markdown())
