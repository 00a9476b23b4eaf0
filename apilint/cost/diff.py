"""``apilint cost diff``: what a change does to the monthly bill, API by API and line by line.

Two estimates (before and after) of the same kind as ``apilint cost`` makes, compared: each API's
current type and monthly cost, each line item of that type, and the blocking features that appeared
or went away. Reporters render the comparison as text, JSON, or Markdown for a pull-request comment
(a short headline, the details folded).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from apilint.cost.blockers import Blocker
from apilint.cost.estimate import ApiEstimate, EstimateResult
from apilint.cost.money import format_usd, plain, to_cents
from apilint.model import ApiType

#: A blocker as the diff compares it: the type it blocks, the feature and the file (lines move).
BlockerKey = tuple[ApiType, str, str | None, str]


@dataclass(frozen=True)
class ItemChange:
    """One line item of an API's current type, before and after (None: not there)."""

    label: str
    before: Decimal | None
    after: Decimal | None

    @property
    def difference(self) -> Decimal:
        return (self.after or Decimal(0)) - (self.before or Decimal(0))


@dataclass(frozen=True)
class BlockerChange:
    """A blocker that appeared or went away, with the type it blocks."""

    api_type: ApiType
    blocker: Blocker


@dataclass(frozen=True)
class ApiChange:
    """One API before and after the change (None on a side where it does not exist)."""

    name: str
    before_type: ApiType | None
    after_type: ApiType | None
    before_usd: Decimal | None
    after_usd: Decimal | None
    items: tuple[ItemChange, ...]
    appeared: tuple[BlockerChange, ...]
    went_away: tuple[BlockerChange, ...]
    cheapest_before: ApiType | None
    cheapest_after: ApiType | None
    priced: bool

    @property
    def difference(self) -> Decimal:
        return (self.after_usd or Decimal(0)) - (self.before_usd or Decimal(0))

    @property
    def status(self) -> str:
        if self.before_type is None:
            return "added"
        if self.after_type is None:
            return "removed"
        if (
            to_cents(self.difference) == 0
            and not self.appeared
            and not self.went_away
            and self.before_type is self.after_type
        ):
            return "unchanged"
        return "changed"


@dataclass(frozen=True)
class CostDiff:
    """The whole change: every API, the totals, and what the two estimates were made from."""

    before_label: str
    after_label: str
    region: str
    location: str
    prices_as_of: str
    apis: tuple[ApiChange, ...]
    before_usd: Decimal | None
    after_usd: Decimal | None
    assumptions: tuple[str, ...]

    @property
    def difference(self) -> Decimal | None:
        if self.before_usd is None or self.after_usd is None:
            return None
        return self.after_usd - self.before_usd


def _current(api: ApiEstimate) -> tuple[ApiType, Decimal | None, dict[str, Decimal]]:
    estimate = api.comparison.of(api.usage.current_type)
    items = {item.label: item.usd for item in estimate.priced.line_items}
    return api.usage.current_type, estimate.monthly_usd, items


def _blockers(api: ApiEstimate) -> dict[BlockerKey, BlockerChange]:
    found: dict[BlockerKey, BlockerChange] = {}
    for estimate in api.comparison.estimates:
        for blocker in estimate.blocked_by:
            key = (estimate.api_type, blocker.feature, blocker.file, blocker.message)
            found.setdefault(key, BlockerChange(estimate.api_type, blocker))
    return found


def _api_change(name: str, before: ApiEstimate | None, after: ApiEstimate | None) -> ApiChange:
    empty: tuple[ApiType | None, Decimal | None, dict[str, Decimal]] = (None, None, {})
    before_type, before_usd, before_items = _current(before) if before is not None else empty
    after_type, after_usd, after_items = _current(after) if after is not None else empty
    labels = list(dict.fromkeys([*before_items, *after_items]))
    items = tuple(ItemChange(label, before_items.get(label), after_items.get(label)) for label in labels)
    # Blockers of an API that is added or removed are not news: only those of APIs on both sides.
    old = _blockers(before) if before is not None and after is not None else {}
    new = _blockers(after) if before is not None and after is not None else {}
    priced = (before is None or before_usd is not None) and (after is None or after_usd is not None)
    return ApiChange(
        name=name,
        before_type=before_type,
        after_type=after_type,
        before_usd=before_usd,
        after_usd=after_usd,
        items=items,
        appeared=tuple(change for key, change in new.items() if key not in old),
        went_away=tuple(change for key, change in old.items() if key not in new),
        cheapest_before=before.comparison.cheapest if before is not None else None,
        cheapest_after=after.comparison.cheapest if after is not None else None,
        priced=priced,
    )


def compare_estimates(before: EstimateResult, after: EstimateResult, before_label: str, after_label: str) -> CostDiff:
    """The change from one estimate to the other, API by API (matched by name)."""
    old = {api.name: api for api in before.apis}
    new = {api.name: api for api in after.apis}
    names = list(dict.fromkeys([*old, *new]))
    notes = list(dict.fromkeys([*after.assumptions, *(n for n in before.assumptions if n not in after.assumptions)]))
    if before.region != after.region:
        notes.insert(0, f"The region changed from {before.region} to {after.region}.")
    return CostDiff(
        before_label=before_label,
        after_label=after_label,
        region=after.region,
        location=after.location,
        prices_as_of=after.prices_as_of,
        apis=tuple(_api_change(name, old.get(name), new.get(name)) for name in names),
        before_usd=before.total.current_usd,
        after_usd=after.total.current_usd,
        assumptions=tuple(notes),
    )


# --------------------------------------------------------------------------- words


def signed_usd(amount: Decimal) -> str:
    """``+$14.60``, ``-$441.80``, ``$0.00``."""
    cents = to_cents(amount)
    return ("+" if cents > 0 else "") + format_usd(cents)


def _usd(amount: Decimal | None) -> str:
    return "–" if amount is None else format_usd(amount)


def _type_title(api_type: ApiType | None) -> str:
    return "–" if api_type is None else api_type.label


def _types(change: ApiChange) -> str:
    if change.before_type is change.after_type or change.before_type is None or change.after_type is None:
        return _type_title(change.after_type or change.before_type)
    return f"{change.before_type.label} → {change.after_type.label}"


def _percent(diff: CostDiff) -> str:
    if diff.difference is None or not diff.before_usd:
        return ""
    share = diff.difference / diff.before_usd * 100
    return f" ({'+' if share > 0 else ''}{share:.1f}%)"


def headline(diff: CostDiff) -> str:
    """One sentence: what the change does to the monthly cost."""
    if diff.difference is None:
        return "The monthly cost of this change could not be priced (see the notes)."
    if to_cents(diff.difference) == 0:
        return f"No change to the monthly cost ({_usd(diff.after_usd)} a month)."
    return (
        f"Monthly cost {signed_usd(diff.difference)}{_percent(diff)}: "
        f"{_usd(diff.before_usd)} → {_usd(diff.after_usd)} a month"
    )


def _blocker_text(change: BlockerChange) -> str:
    where = f" ({change.blocker.where})" if change.blocker.where else ""
    return f"{change.api_type.label}: {change.blocker.feature}{where}"


def _status_word(change: ApiChange) -> str:
    return {"added": " (new)", "removed": " (removed)"}.get(change.status, "")


def _verdict_change(change: ApiChange) -> str | None:
    if change.cheapest_before is change.cheapest_after or change.before_type is None or change.after_type is None:
        return None
    before = _type_title(change.cheapest_before) if change.cheapest_before else "none"
    after = _type_title(change.cheapest_after) if change.cheapest_after else "none"
    return f"cheapest available type: {before} → {after}"


def _shown(diff: CostDiff) -> list[ApiChange]:
    return [change for change in diff.apis if change.status != "unchanged"]


# --------------------------------------------------------------------------- text


def text_diff(diff: CostDiff) -> str:
    from tabulate import tabulate

    lines = [
        (
            f"apilint cost diff: {diff.before_label} → {diff.after_label}, {diff.region} ({diff.location}), "
            f"prices as of {diff.prices_as_of}"
        ),
        "",
        headline(diff),
        "",
    ]
    rows = [
        [change.name + _status_word(change), _types(change), _usd(change.before_usd), _usd(change.after_usd),
         signed_usd(change.difference)]
        for change in diff.apis
    ]
    lines.append(
        tabulate(
            rows,
            headers=["API", "type", "before", "after", "change"],
            tablefmt="simple",
            colalign=("left", "left", "right", "right", "right"),
            disable_numparse=True,
        )
    )
    for change in _shown(diff):
        lines.extend(["", f"{change.name} ({_types(change)}):"])
        item_rows = [
            [item.label, _usd(item.before), _usd(item.after), signed_usd(item.difference)]
            for item in change.items
            if to_cents(item.difference) != 0 or item.before is None or item.after is None
        ]
        if item_rows:
            table = tabulate(
                item_rows,
                headers=["line item", "before", "after", "change"],
                tablefmt="plain",
                colalign=("left", "right", "right", "right"),
                disable_numparse=True,
            )
            lines.extend("  " + line for line in table.splitlines())
        lines.extend(f"  + blocker: {_blocker_text(b)}" for b in change.appeared)
        lines.extend(f"  - blocker: {_blocker_text(b)}" for b in change.went_away)
        verdict = _verdict_change(change)
        if verdict:
            lines.append(f"  {verdict}")
    if diff.assumptions:
        from apilint.cost.report import wrap

        lines.extend(["", "Notes:"])
        for note in diff.assumptions:
            lines.extend(wrap(note, "  ", "- "))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- json


def _money(amount: Decimal | None) -> float | None:
    return None if amount is None else float(to_cents(amount))


def _blocker_dict(change: BlockerChange) -> dict[str, Any]:
    return {"api_type": change.api_type.value, **change.blocker.to_dict()}


def json_diff(diff: CostDiff) -> str:
    data = {
        "before": diff.before_label,
        "after": diff.after_label,
        "region": diff.region,
        "prices_as_of": diff.prices_as_of,
        "headline": headline(diff),
        "monthly_usd_before": _money(diff.before_usd),
        "monthly_usd_after": _money(diff.after_usd),
        "monthly_usd_change": _money(diff.difference),
        "apis": [
            {
                "name": change.name,
                "status": change.status,
                "type_before": None if change.before_type is None else change.before_type.value,
                "type_after": None if change.after_type is None else change.after_type.value,
                "monthly_usd_before": _money(change.before_usd),
                "monthly_usd_after": _money(change.after_usd),
                "monthly_usd_change": _money(change.difference),
                "monthly_usd_change_exact": plain(change.difference),
                "line_items": [
                    {
                        "label": item.label,
                        "usd_before": _money(item.before),
                        "usd_after": _money(item.after),
                        "usd_change": _money(item.difference),
                    }
                    for item in change.items
                ],
                "blockers_appeared": [_blocker_dict(b) for b in change.appeared],
                "blockers_gone": [_blocker_dict(b) for b in change.went_away],
                "cheapest_before": None if change.cheapest_before is None else change.cheapest_before.value,
                "cheapest_after": None if change.cheapest_after is None else change.cheapest_after.value,
            }
            for change in diff.apis
        ],
        "assumptions": list(diff.assumptions),
    }
    return json.dumps(data, indent=2) + "\n"


# --------------------------------------------------------------------------- markdown


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _md_table(rows: Iterable[list[str]], headers: list[str], align: list[str]) -> list[str]:
    marks = {"left": ":---", "right": "---:"}
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(marks[a] for a in align) + " |"]
    lines.extend("| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows)
    return lines


def markdown_diff(diff: CostDiff) -> str:
    """A pull-request comment: the headline and the per-API table first, the rest folded."""
    lines = [f"### API Gateway cost: {headline(diff)}", ""]
    lines.extend(
        _md_table(
            (
                [f"`{change.name}`{_status_word(change)}", _types(change), _usd(change.before_usd),
                 _usd(change.after_usd), f"**{signed_usd(change.difference)}**"]
                for change in diff.apis
            ),
            ["API", "Type", "Before", "After", "Change"],
            ["left", "left", "right", "right", "right"],
        )
    )
    appeared = [(c.name, b) for c in diff.apis for b in c.appeared]
    gone = [(c.name, b) for c in diff.apis for b in c.went_away]
    if appeared or gone:
        lines.append("")
        lines.extend(f"- Blocker added: `{name}` {_blocker_text(b)}" for name, b in appeared)
        lines.extend(f"- Blocker removed: `{name}` {_blocker_text(b)}" for name, b in gone)
    verdicts = [(c.name, _verdict_change(c)) for c in diff.apis]
    lines.extend(f"- `{name}`: {verdict}" for name, verdict in verdicts if verdict)
    lines.extend(["", "<details><summary>Line items</summary>", ""])
    for change in _shown(diff):
        lines.extend([f"**`{change.name}`** ({_types(change)})", ""])
        lines.extend(
            _md_table(
                (
                    [item.label, _usd(item.before), _usd(item.after), signed_usd(item.difference)]
                    for item in change.items
                ),
                ["Line item", "Before", "After", "Change"],
                ["left", "right", "right", "right"],
            )
        )
        lines.append("")
    lines.extend(["</details>", "", "<details><summary>How this was estimated</summary>", ""])
    lines.append(
        f"`{diff.before_label}` → `{diff.after_label}`; prices for {diff.region} ({diff.location}) as of "
        f"{diff.prices_as_of}, in USD per month, from `apilint cost diff`."
    )
    lines.append("")
    lines.extend(f"- {note}" for note in diff.assumptions)
    lines.extend(["", "</details>"])
    return "\n".join(lines) + "\n"


DIFF_REPORTERS: dict[str, Callable[[CostDiff], str]] = {
    "text": text_diff,
    "json": json_diff,
    "markdown": markdown_diff,
}
