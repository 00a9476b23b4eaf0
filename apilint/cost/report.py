"""Reporters: pure functions ``(EstimateResult) -> str`` for text, JSON and Markdown.

They only present what the estimate decided; amounts are rounded to cents here and nowhere else.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from decimal import ROUND_CEILING, Decimal
from typing import Any

from apilint.cost.advisor import RouteSplit
from apilint.cost.blockers import Blocker
from apilint.cost.breakeven import BreakEven, Chart
from apilint.cost.estimate import MULTIPLE_AXIS, ApiEstimate, Comparison, EstimateResult, TypeEstimate
from apilint.cost.metering import API_TYPES
from apilint.cost.money import MILLION, compact, format_quantity, format_rate, format_usd, plain, to_cents
from apilint.cost.prices import Meter
from apilint.cost.pricing import LineItem, Priced, TierCharge
from apilint.model import ApiType

TITLES = {ApiType.REST: "REST", ApiType.HTTP: "HTTP", ApiType.WEBSOCKET: "WebSocket"}
_PER_MILLION = (Meter.REST_REQUESTS, Meter.HTTP_REQUESTS, Meter.WEBSOCKET_MESSAGES, Meter.WEBSOCKET_MINUTES)
_PER_UNIT = {
    Meter.DATA_TRANSFER_OUT: "GB",
    Meter.CACHE: "hour",
    Meter.VPC_ENDPOINT_HOURS: "AZ-hour",
    Meter.VPC_ENDPOINT_DATA: "GB",
}
_STATUS_NOTES = {"confirmed": "", "single-source": "single source", "unconfirmed": "UNCONFIRMED"}


# --------------------------------------------------------------------------- shared wording


def rate(meter: Meter, charge: TierCharge) -> str:
    """``$3.50 per 1M``, ``$0.09 per GB``, ``$0.020 per hour``."""
    if meter in _PER_MILLION:
        return f"{format_rate(charge.usd_per_unit, MILLION)} per 1M"
    return f"{format_rate(charge.usd_per_unit)} per {_PER_UNIT[meter]}"


def _item_name(item: LineItem) -> str:
    """``data transfer out``, ``cache (0.5 GB)``: the JSON item name in words."""
    name = item.item.replace("_", " ")
    return item.label if item.meter is Meter.CACHE else name


def _quantity(item: LineItem) -> str:
    text = f"{format_quantity(item.quantity)} {item.unit}"
    if item.free_quantity:
        text += f" ({format_quantity(item.free_quantity)} free)"
    return text


def _monthly(estimate: TypeEstimate) -> str:
    return "not priced" if estimate.monthly_usd is None else format_usd(estimate.monthly_usd)


def _versus(comparison: Comparison, estimate: TypeEstimate) -> str:
    if comparison.current_type is estimate.api_type:
        return "current"
    if comparison.current_usd is None or estimate.monthly_usd is None:
        return ""
    difference = estimate.monthly_usd - comparison.current_usd
    return ("+" if to_cents(difference) > 0 else "") + format_usd(difference)


def _type_name(api_type: ApiType | None) -> str:
    return "a mix of types" if api_type is None else TITLES[api_type]


def verdict(comparison: Comparison) -> str:
    """One sentence: the cheapest available type and what it saves."""
    if comparison.cheapest is None:
        return "No API type could be priced and is available."
    cheapest = comparison.of(comparison.cheapest)
    text = f"Cheapest available: {TITLES[comparison.cheapest]} at {_monthly(cheapest)} a month"
    if comparison.savings_usd is None:
        return text + "."
    if comparison.current_type is comparison.cheapest:
        return text + ", the current type."
    current = _type_name(comparison.current_type)
    if to_cents(comparison.savings_usd) < 0:
        return text + f", {format_usd(-comparison.savings_usd)} a month more than {current} (current)."
    return text + f", saving {format_usd(comparison.savings_usd)} a month against {current} (current)."


def break_even_sentence(point: BreakEven, axis: str) -> str:
    """Where two types cost the same, and which is cheaper on each side."""
    where = (
        f"at {_factor(point.factor)} today's traffic"
        if axis == MULTIPLE_AXIS
        else f"at about {_traffic(point.traffic)} {axis} ({_factor(point.factor)} today's)"
    )
    return (
        f"{TITLES[point.cheaper_below]} and {TITLES[point.cheaper_above]} cost the same, "
        f"{format_usd(point.monthly_usd)} a month, {where}; below that {TITLES[point.cheaper_below]} is "
        "cheaper, "
        f"above it {TITLES[point.cheaper_above]}."
    )


def _traffic(value: Decimal) -> str:
    return format_quantity(value.to_integral_value())


def _factor(factor: Decimal) -> str:
    return f"{factor:.2f}x"


def _axis_label(value: Decimal, axis: str) -> str:
    """A traffic level for a chart axis: ``432M``, or ``1.5x`` on the multiple-of-today axis."""
    if axis == MULTIPLE_AXIS:
        return f"{value.normalize():f}x"
    return compact(value.to_integral_value())


def _traffic_number(value: Decimal, axis: str) -> int | float:
    return float(round(value, 4)) if axis == MULTIPLE_AXIS else _number(value.to_integral_value())


def blocker_line(blocker: Blocker) -> str:
    """``feature: message (file:line)``."""
    where = f" ({blocker.where})" if blocker.where else ""
    return f"{blocker.feature}: {blocker.message}{where}"


def _charges(result: EstimateResult) -> Iterator[tuple[LineItem, TierCharge]]:
    comparisons = [result.total] + [api.comparison for api in result.apis]
    for comparison in comparisons:
        for estimate in comparison.estimates:
            for item in estimate.priced.line_items:
                for charge in item.charges:
                    yield item, charge
    for api in result.apis:
        if api.route_split is not None:
            for priced in (api.route_split.rest_only, api.route_split.split):
                for item in priced.line_items:
                    for charge in item.charges:
                        yield item, charge


def prices_used(result: EstimateResult) -> list[dict[str, Any]]:
    """Each distinct price the estimate used, with its status and sources."""
    seen: dict[tuple[str, str, str], dict[str, Any]] = {}
    for item, charge in _charges(result):
        key = (item.meter.value, charge.label, str(charge.usd_per_unit))
        if key not in seen:
            seen[key] = {
                "item": item.meter.value,
                "tier": charge.label,
                "usd_per_unit": plain(charge.usd_per_unit),
                "rate": rate(item.meter, charge),
                "status": charge.provenance.status,
                "read": charge.provenance.read,
                "note": charge.provenance.note,
                "sources": [source.to_dict() for source in charge.provenance.sources],
            }
    return list(seen.values())


def _price_warnings(result: EstimateResult) -> list[str]:
    return [
        f"UNCONFIRMED price used: {price['item']} {price['tier']} at {price['rate']}"
        + (f" ({price['note']})" if price["note"] else "")
        for price in prices_used(result)
        if price["status"] == "unconfirmed"
    ]


def _sections(result: EstimateResult) -> list[tuple[str, Comparison, ApiEstimate | None]]:
    """What to show: the one API, or each API and then all of them together."""
    if len(result.apis) == 1:
        return [(result.apis[0].name, result.total, result.apis[0])]
    return [(api.name, api.comparison, api) for api in result.apis] + [
        ("All APIs together", result.total, None)
    ]


# --------------------------------------------------------------------------- text


def _item_rows(estimate: TypeEstimate) -> list[list[str]]:
    rows = []
    for item in estimate.priced.line_items:
        note = _status_note(item.charges)
        if len(item.charges) == 1:
            charge = item.charges[0]
            rows.append(
                [
                    _item_name(item),
                    _quantity(item),
                    f"{rate(item.meter, charge)} ({charge.label})",
                    format_usd(item.usd),
                    note,
                ]
            )
            continue
        rows.append([_item_name(item), _quantity(item), "", format_usd(item.usd), note])
        for charge in item.charges:
            rows.append(
                [
                    f"- {charge.label}",
                    format_quantity(charge.quantity),
                    rate(item.meter, charge),
                    format_usd(charge.usd),
                    _STATUS_NOTES[charge.provenance.status],
                ]
            )
    rows.extend([["not priced", message, "", "", ""] for message in estimate.priced.missing])
    rows.append(["total", "", "", _monthly(estimate), ""])
    return rows


def _status_note(charges: tuple[TierCharge, ...]) -> str:
    if len(charges) != 1:
        return ""
    return _STATUS_NOTES[charges[0].provenance.status]


def _heading(comparison: Comparison, estimate: TypeEstimate) -> str:
    marks = []
    if comparison.current_type is estimate.api_type:
        marks.append("current")
    if not estimate.available:
        marks.append("blocked")
    return f"{TITLES[estimate.api_type]} API" + (f" ({', '.join(marks)})" if marks else "")


def _summary_rows(comparison: Comparison) -> list[list[str]]:
    return [
        [TITLES[e.api_type], _monthly(e), "yes" if e.available else "no", _versus(comparison, e)]
        for e in comparison.estimates
    ]


def _compact_rows(comparison: Comparison) -> list[list[str]]:
    rows = []
    for estimate in comparison.estimates:
        name = TITLES[estimate.api_type]
        for item in estimate.priced.line_items:
            rows.append([name, _item_name(item), _quantity(item), format_usd(item.usd)])
            name = ""
        rows.extend([[name, "not priced", message, ""] for message in estimate.priced.missing])
    return rows


def _text_comparison(title: str, comparison: Comparison, api: ApiEstimate | None, details: bool) -> list[str]:
    from tabulate import tabulate

    lines = [f"== {title} ==", ""]
    if details:
        for estimate in comparison.estimates:
            lines.append(_heading(comparison, estimate))
            table = tabulate(
                _item_rows(estimate),
                headers=["item", "quantity", "price", "USD", "note"],
                tablefmt="simple",
                colalign=("left", "right", "left", "right", "left"),
                disable_numparse=True,
            )
            lines.extend([table.rstrip(), ""])
    lines.append(
        tabulate(
            _summary_rows(comparison),
            headers=["API type", "monthly", "available", "vs current"],
            tablefmt="simple",
            colalign=("left", "right", "left", "right"),
            disable_numparse=True,
        )
    )
    lines.extend(["", *wrap(verdict(comparison))])
    for point in comparison.break_even:
        lines.extend(wrap(break_even_sentence(point, comparison.axis)))
    if not details:
        lines.extend(
            [
                "",
                tabulate(
                    _compact_rows(comparison),
                    headers=["type", "line item", "quantity", "USD"],
                    tablefmt="simple",
                    colalign=("left", "left", "right", "right"),
                    disable_numparse=True,
                ),
            ]
        )
    if api is not None and api.route_split is not None:
        lines.extend(["", *_text_split(api.route_split)])
    lines.extend(_text_blockers(comparison))
    lines.append("")
    return lines


#: Text reports wrap prose at this width.
TEXT_WIDTH = 100


def wrap(text: str, indent: str = "", first: str = "") -> list[str]:
    import textwrap

    return textwrap.wrap(
        text, width=TEXT_WIDTH, initial_indent=indent + first, subsequent_indent=indent + " " * len(first),
        break_long_words=False, break_on_hyphens=False,
    ) or [indent + first]


def _text_split(split: RouteSplit) -> list[str]:
    lines = ["Route split (routes without blockers move to an HTTP API, the others stay on REST):"]
    lines.extend(f"  move to HTTP: {route.route}" for route in split.movable)
    for route, blockers in split.staying:
        lines.extend(
            wrap(f"{route.route} ({'; '.join(blocker_line(b) for b in blockers)})", "  ", "stay on REST: ")
        )
    lines.extend(
        wrap(
            f"all routes on REST: {_total(split.rest_only)}; split: {_total(split.split)}; "
            f"saving: {'not priced' if split.savings_usd is None else format_usd(split.savings_usd)} a month",
            "  ",
        )
    )
    return lines


def _total(priced: Priced) -> str:
    return "not priced" if priced.total is None else format_usd(priced.total)


def _text_blockers(comparison: Comparison) -> list[str]:
    lines = []
    for estimate in comparison.estimates:
        for blocker in estimate.blocked_by:
            lines.extend(wrap(blocker_line(blocker), "  ", f"{TITLES[estimate.api_type]}: "))
    return ["", "Blockers:", *lines] if lines else []


def text_report(result: EstimateResult, details: bool = False) -> str:
    """The comparison, verdict, line items, blockers and assumptions, wrapped for a terminal;
    ``details`` adds tier rows, the general modelling assumptions and the sources of each price."""
    from tabulate import tabulate

    lines = [f"apilint cost: {result.region} ({result.location}), prices as of {result.prices_as_of}", ""]
    for title, comparison, api in _sections(result):
        lines.extend(_text_comparison(title, comparison, api, details))
    notes = [*_price_warnings(result), *(result.all_assumptions if details else result.assumptions)]
    if notes:
        lines.append("Assumptions:")
        for note in notes:
            lines.extend(wrap(note, "  ", "- "))
    if not details:
        lines.extend(["", "--details shows tiers, the model's general assumptions and the source of each price."])
        return "\n".join(lines).rstrip() + "\n"
    rows = [
        [
            p["item"],
            p["tier"],
            p["rate"],
            _STATUS_NOTES[p["status"]] or "confirmed",
            ", ".join(f"{s['key']} ({s['read']})" for s in p["sources"]),
        ]
        for p in prices_used(result)
    ]
    if rows:
        lines.extend(
            [
                "",
                "Prices used:",
                tabulate(
                    rows,
                    headers=["item", "tier", "price", "status", "sources (read)"],
                    tablefmt="simple",
                    disable_numparse=True,
                ),
            ]
        )
    return "\n".join(lines).rstrip() + "\n"


def brief_report(result: EstimateResult) -> str:
    """One line per API type with its monthly cost and verdict, per API when there are several."""
    lines = []
    for title, comparison, _ in _sections(result):
        prefix = f"{title}: " if len(result.apis) > 1 else ""
        width = max(len(_monthly(e)) for e in comparison.estimates)
        for estimate in comparison.estimates:
            lines.append(f"{prefix}{TITLES[estimate.api_type]:<9}  {_monthly(estimate):>{width}}  "
                         f"{_brief_verdict(comparison, estimate)}")
    return "\n".join(lines) + "\n"


def _brief_difference(comparison: Comparison, estimate: TypeEstimate) -> str:
    if comparison.current_usd is None or estimate.monthly_usd is None:
        return ""
    difference = to_cents(estimate.monthly_usd - comparison.current_usd)
    if difference < 0:
        return f", saves {format_usd(-difference)} a month"
    if difference > 0:
        return f", costs {format_usd(difference)} more a month"
    return ", costs the same"


def _brief_verdict(comparison: Comparison, estimate: TypeEstimate) -> str:
    words = []
    if comparison.current_type is estimate.api_type:
        words.append("current")
    if estimate.blocked_by:
        features = ", ".join(dict.fromkeys(b.feature for b in estimate.blocked_by))
        words.append(f"blocked by {features}")
    elif estimate.monthly_usd is None:
        words.append("not priced: " + "; ".join(estimate.priced.missing))
    elif comparison.cheapest is estimate.api_type:
        words.append("cheapest available" + (
            "" if comparison.current_type is estimate.api_type else _brief_difference(comparison, estimate)))
    elif comparison.current_type is not estimate.api_type:
        words.append("available" + _brief_difference(comparison, estimate))
    return "; ".join(words)


# --------------------------------------------------------------------------- json


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _usd(value: Decimal | None) -> float | None:
    return None if value is None else float(to_cents(value))


def _line_item_dict(item: LineItem) -> dict[str, Any]:
    return {
        "item": item.item,
        "label": item.label,
        "quantity": _number(item.quantity),
        "unit": item.unit,
        "usd": _usd(item.usd),
        "usd_exact": plain(item.usd),
        "free_quantity": _number(item.free_quantity),
        "tiers": [
            {
                "tier": c.label,
                "quantity": _number(c.quantity),
                "usd_per_unit": plain(c.usd_per_unit),
                "usd": _usd(c.usd),
                "status": c.provenance.status,
            }
            for c in item.charges
        ],
    }


def _estimate_dict(estimate: TypeEstimate) -> dict[str, Any]:
    return {
        "api_type": estimate.api_type.value,
        "monthly_usd": _usd(estimate.monthly_usd),
        "monthly_usd_exact": None if estimate.monthly_usd is None else plain(estimate.monthly_usd),
        "available": estimate.available,
        "priced": estimate.monthly_usd is not None,
        "blocked_by": [blocker.to_dict() for blocker in estimate.blocked_by],
        "missing_prices": list(estimate.priced.missing),
        "line_items": [_line_item_dict(item) for item in estimate.priced.line_items],
    }


def _chart_dict(chart: Chart | None) -> dict[str, Any] | None:
    if chart is None:
        return None
    return {
        "axis": chart.axis,
        "traffic": [_traffic_number(value, chart.axis) for value in chart.traffic],
        "monthly_usd": {t.value: [_usd(v) for v in values] for t, values in chart.series.items()},
    }


def _comparison_dict(comparison: Comparison) -> dict[str, Any]:
    savings = None
    if comparison.cheapest is not None and comparison.savings_usd is not None:
        savings = {"api_type": comparison.cheapest.value, "monthly_usd": _usd(comparison.savings_usd)}
    return {
        "current_type": None if comparison.current_type is None else comparison.current_type.value,
        "current_monthly_usd": _usd(comparison.current_usd),
        "estimates": [_estimate_dict(estimate) for estimate in comparison.estimates],
        "cheapest": None if comparison.cheapest is None else comparison.cheapest.value,
        "savings": savings,
        "break_even": [
            {
                "cheaper_below": b.cheaper_below.value,
                "cheaper_above": b.cheaper_above.value,
                "traffic": _traffic_number(b.traffic, comparison.axis),
                "axis": comparison.axis,
                "factor": float(round(b.factor, 4)),
                "monthly_usd": _usd(b.monthly_usd),
            }
            for b in comparison.break_even
        ],
        "chart": _chart_dict(comparison.chart),
    }


def _split_dict(split: RouteSplit | None) -> dict[str, Any] | None:
    if split is None:
        return None
    return {
        "movable_routes": [route.route for route in split.movable],
        "staying_routes": [
            {"route": route.route, "blocked_by": [b.to_dict() for b in blockers]}
            for route, blockers in split.staying
        ],
        "rest_only_monthly_usd": _usd(split.rest_only.total),
        "split_monthly_usd": _usd(split.split.total),
        "savings_monthly_usd": _usd(split.savings_usd),
        "split_line_items": [_line_item_dict(item) for item in split.split.line_items],
    }


def json_report(result: EstimateResult) -> str:
    """The estimate as JSON; money in dollars rounded to cents, exact amounts as strings alongside."""
    data = {
        "region": result.region,
        "location": result.location,
        "prices_as_of": result.prices_as_of,
        "price_source": result.price_origin,
        "hours_per_month": _number(result.options.hours_per_month),
        "free_tier": result.options.free_tier,
        "assumptions": [*_price_warnings(result), *result.all_assumptions],
        **_comparison_dict(result.total),
        "apis": [
            {
                "name": api.name,
                **_comparison_dict(api.comparison),
                "route_split": _split_dict(api.route_split),
            }
            for api in result.apis
        ],
        "prices": prices_used(result),
    }
    return json.dumps(data, indent=2) + "\n"


# --------------------------------------------------------------------------- markdown


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def _md_table(rows: list[list[str]], headers: list[str], align: tuple[str, ...]) -> str:
    from tabulate import tabulate

    cleaned = [[_md_escape(cell) for cell in row] for row in rows]
    return tabulate(cleaned, headers=headers, tablefmt="pipe", colalign=align, disable_numparse=True)


def _md_comparison(title: str, comparison: Comparison, api: ApiEstimate | None, level: str) -> list[str]:
    lines = [f"{level} {title}", ""]
    summary = [
        [
            f"{TITLES[e.api_type]}{' (current)' if comparison.current_type is e.api_type else ''}",
            _monthly(e),
            "yes" if e.available else "**no**",
            _versus(comparison, e),
        ]
        for e in comparison.estimates
    ]
    lines.extend(
        [
            _md_table(
                summary,
                ["API type", "Monthly", "Available", "vs current"],
                ("left", "right", "left", "right"),
            ),
            "",
            f"**{verdict(comparison)}**",
            "",
        ]
    )
    lines.extend(f"- {break_even_sentence(point, comparison.axis)}" for point in comparison.break_even)
    if comparison.break_even:
        lines.append("")
    for estimate in comparison.estimates:
        lines.extend([f"{level}# {_heading(comparison, estimate)}", ""])
        lines.extend(
            [
                _md_table(
                    _item_rows(estimate),
                    ["Item", "Quantity", "Price", "USD", "Note"],
                    ("left", "right", "left", "right", "left"),
                ),
                "",
            ]
        )
    if api is not None and api.route_split is not None:
        lines.extend(
            [
                f"{level}# Route split",
                "",
                *[f"- {line.strip()}" for line in _text_split(api.route_split)[1:]],
                "",
            ]
        )
    blockers = _text_blockers(comparison)
    if blockers:
        lines.extend([f"{level}# Blockers", "", *[f"- {line.strip()}" for line in blockers[2:]], ""])
    if comparison.chart is not None:
        lines.extend([f"{level}# Monthly cost against traffic", "", *mermaid_chart(comparison.chart), ""])
    return lines


def _usd_or_blank(value: Decimal | None) -> str:
    return "" if value is None else format_usd(value)


def mermaid_chart(chart: Chart) -> list[str]:
    """A Mermaid ``xychart-beta`` line chart of the three types, and the same numbers as a table."""
    priced = [t for t in API_TYPES if all(value is not None for value in chart.series[t])]
    labels = ", ".join(f'"{_axis_label(value, chart.axis)}"' for value in chart.traffic)
    top = max([to_cents(v) for t in priced for v in chart.series[t] if v is not None] or [Decimal(1)])
    lines = [
        "```mermaid",
        "xychart-beta",
        '    title "Monthly cost by API type"',
        f'    x-axis "{chart.axis}" [{labels}]',
        f'    y-axis "USD per month" 0 --> {_number(top.to_integral_value(rounding=ROUND_CEILING))}',
    ]
    lines.extend(
        f"    line [{', '.join(str(to_cents(v)) for v in chart.series[t] if v is not None)}]" for t in priced
    )
    lines.append("```")
    lines.extend(
        ["", "Lines in order: " + ", ".join(f"{i + 1}. {TITLES[t]}" for i, t in enumerate(priced)) + ".", ""]
    )
    rows = [
        [_axis_label(value, chart.axis)]
        + [_usd_or_blank(chart.series[t][i]) for t in API_TYPES]
        for i, value in enumerate(chart.traffic)
    ]
    lines.append(
        _md_table(rows, [chart.axis] + [TITLES[t] for t in API_TYPES], ("right", "right", "right", "right"))
    )
    return lines


def markdown_report(result: EstimateResult) -> str:
    """A report for a pull-request comment or an architecture review."""
    lines = [
        f"## API Gateway cost estimate: {result.region}",
        "",
        f"Prices as of {result.prices_as_of} ({result.price_origin}); amounts in USD per month.",
        "",
    ]
    level = "###"
    for title, comparison, api in _sections(result):
        lines.extend(_md_comparison(title, comparison, api, level))
    lines.extend([f"{level} Assumptions", ""])
    lines.extend(f"- {note}" for note in [*_price_warnings(result), *result.all_assumptions])
    rows = [
        [p["item"], p["tier"], p["rate"], _STATUS_NOTES[p["status"]] or "confirmed", p["read"]]
        for p in prices_used(result)
    ]
    if rows:
        lines.extend(
            [
                "",
                f"{level} Prices used",
                "",
                _md_table(rows, ["Item", "Tier", "Price", "Status", "Read"], ("left",) * 5),
            ]
        )
    return "\n".join(lines).rstrip() + "\n"


REPORTERS: dict[str, Callable[[EstimateResult], str]] = {
    "text": lambda result: text_report(result),
    "json": json_report,
    "markdown": markdown_report,
}
