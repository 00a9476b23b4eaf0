"""Rule documentation, generated from the rule files and their fixtures (never written by hand).

``python -m apilint.docs`` writes ``docs/rules/`` and the rule index ``rules/index.json``.
"""

from __future__ import annotations

from pathlib import Path

from apilint.rules import INDEX_NAME, Rule, fixtures_dir, index_json, load_rules

_FENCE = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}


def _example(rule: Rule, kind: str) -> str:
    name = rule.docs["example"].get(kind)
    if not name:
        return ""
    path = fixtures_dir() / "rules" / rule.code / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return f"(example file `fixtures/rules/{rule.code}/{name}` is not installed)\n"
    if len(text) > 4000:
        text = text[:4000] + "\n# … (shortened)\n"
    return f"```{_FENCE.get(path.suffix, '')}\n{text.rstrip()}\n```\n"


def reference_url(url: str) -> str:
    """A reference's web address: a path in this repository (``docs/limits.md``) links to this release."""
    if "://" in url:
        return url
    from apilint.report import docs_url

    return docs_url(url)


def rule_markdown(rule: Rule) -> str:
    """One rule's documentation page in Markdown."""
    docs = rule.docs
    types = ", ".join(t.label for t in sorted(rule.api_types, key=lambda t: t.value))
    parts = [
        f"# {rule.code} {rule.name}\n",
        f"{rule.summary}\n",
        f"- Default severity: **{rule.severity}**",
        f"- API types: {types}",
        *([(f"- Opt-in: not in the default selection; turn it on with `extend-select: [{rule.code}]` in "
           f"`.apilint.yaml` or `--select {rule.code}`")] if rule.opt_in else []),
        *(["- Fix: `apilint check --fix` repairs it (see below)"] if rule.fix else []),
        (f"- Suppress with `x-apilint-ignore: [{rule.code}]` on the node, `--ignore {rule.code}`, or "
         f"`ignore: [{rule.name}]` in `.apilint.yaml`\n"),
        "## What it does\n",
        docs["what"].strip() + "\n",
        "## Why is this bad?\n",
        docs["why"].strip() + "\n",
        "## Example\n",
        _example(rule, "bad"),
        "## Use instead\n",
        _example(rule, "good"),
    ]
    if rule.fix:
        parts += ["## Fix\n", f"`apilint check --fix` (and the editor's quick fix) {_lower_first(rule.fix)}\n"]
    if docs.get("options"):
        parts += ["## Options\n", str(docs["options"]).strip() + "\n"]
    parts.append("## References\n")
    for reference in docs["references"]:
        parts.append(f"- [{reference['title']}]({reference_url(reference['url'])})")
    return "\n".join(parts).rstrip() + "\n"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def rules_index_markdown() -> str:
    """The rules table for ``docs/rules/README.md``."""
    from tabulate import tabulate

    rows = [
        (f"[{r.code}]({r.code}.md)", r.name, f"{r.severity}, opt-in" if r.opt_in else str(r.severity),
         ", ".join(t.value for t in sorted(r.api_types, key=lambda t: t.value)), "yes" if r.fix else "",
         r.summary)
        for r in load_rules()
    ]
    table = tabulate(rows, headers=["Code", "Name", "Severity", "API types", "Fix", "Summary"], tablefmt="github")
    return (
        "# Rules\n\n"
        "Generated from `rules/*.yaml` and `fixtures/rules/` by `python -m apilint.docs`; do not edit.\n\n"
        f"{table}\n"
    )


def generated_files() -> dict[str, str]:
    """Relative path under ``docs/rules`` -> content."""
    files = {"README.md": rules_index_markdown()}
    for rule in load_rules():
        files[f"{rule.code}.md"] = rule_markdown(rule)
    return files


def write(target: Path) -> list[Path]:
    """Regenerate ``docs/rules`` and remove pages of rules that no longer exist."""
    target.mkdir(parents=True, exist_ok=True)
    files = generated_files()
    written = []
    for stale in target.glob("*.md"):
        if stale.name not in files:
            stale.unlink()
    for name, content in files.items():
        path = target / name
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
            written.append(path)
    return written


def write_index(rules_folder: Path) -> list[Path]:
    """Rewrite ``rules/index.json`` when it does not match the rule files."""
    path = rules_folder / INDEX_NAME
    content = index_json()
    if path.exists() and path.read_text(encoding="utf-8") == content:
        return []
    path.write_text(content, encoding="utf-8")
    return [path]


if __name__ == "__main__":
    top = Path(__file__).resolve().parent.parent
    for path in write(top / "docs" / "rules") + write_index(top / "rules"):
        print(f"wrote {path}")
