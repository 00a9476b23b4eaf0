"""Exact money and quantities: rounding to cents and formatting happen here, and only for display."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MILLION = Decimal(1_000_000)
_COMPACT_STEPS = ((Decimal(10) ** 12, "T"), (Decimal(10) ** 9, "B"), (MILLION, "M"), (Decimal(1000), "K"))


def to_cents(amount: Decimal) -> Decimal:
    """Round a dollar amount to cents, halves away from zero as on a bill."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_usd(amount: Decimal) -> str:
    """``Decimal("1165.5")`` -> ``"$1,165.50"``; negative amounts get a leading minus."""
    cents = to_cents(amount)
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents):,.2f}"


def plain(number: Decimal) -> str:
    """A decimal without exponent or trailing zeros: ``Decimal("118.0")`` -> ``"118"``."""
    return format(number.normalize(), "f")


def format_quantity(number: Decimal) -> str:
    """Whole numbers with thousands separators, others with two decimals (``14.31``)."""
    if number == number.to_integral_value():
        return f"{number:,.0f}"
    return f"{number:,.2f}"


def compact(number: Decimal) -> str:
    """A short count for labels: ``432000000`` -> ``432M``, ``1080000`` -> ``1.08M``, ``750`` -> ``750``.

    Falls back to the full number when three decimals cannot show it exactly.
    """
    for step, suffix in _COMPACT_STEPS:
        if abs(number) >= step:
            scaled = number / step
            if scaled == scaled.quantize(Decimal("0.001")):
                return plain(scaled) + suffix
            break
    return format_quantity(number)


def format_rate(usd_per_unit: Decimal, per: Decimal = Decimal(1)) -> str:
    """A unit price with at least two decimals and as many more as it needs: ``$3.50``, ``$0.085``."""
    value = (usd_per_unit * per).normalize()
    exponent = value.as_tuple().exponent
    decimals = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"${value:,.{decimals}f}"
