"""Price data: the bundled files and their provenance, and AWS Price List offer files."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from pathlib import Path

import pytest

from apilint.cost.errors import CostError
from apilint.cost.prices import (
    PRICES_DIR,
    Meter,
    bundled_regions,
    load_bundled,
    load_offer_file,
    load_price_book,
    load_sources,
)
from tests.cost.cost_support import OFFER_FILE, run_cost

REGION_FILES = sorted(path for path in PRICES_DIR.glob("*-*-*.json") if not path.name.endswith("schema.json"))


def _tiers(book, meter: Meter) -> list[tuple[str, str | None, str]]:
    return [
        (str(t.begin), None if t.end is None else str(t.end), str(t.usd_per_unit.normalize()))
        for t in book.tiered[meter].tiers
    ]


def test_bundled_regions() -> None:
    assert bundled_regions() == [
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-south-1",
        "eu-central-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-west-2",
    ]


@pytest.mark.parametrize("path", REGION_FILES, ids=[path.stem for path in REGION_FILES])
def test_region_file_is_valid_and_every_price_has_provenance(path: Path) -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads((PRICES_DIR / "region.schema.json").read_text())
    data = json.loads(path.read_text())
    assert [error.message for error in Draft202012Validator(schema).iter_errors(data)] == []
    assert data["region"] == path.stem
    sources = load_sources()
    cited = set()
    for name, entry in data["prices"].items():
        prices = entry.values() if name == "cache" else entry["tiers"]
        for price in prices:
            assert set(price["sources"]) <= set(sources), f"{name} cites an unknown source"
            cited.update(price["sources"])
        if name != "cache":
            bounds = [(tier["begin"], tier["end"]) for tier in entry["tiers"]]
            assert bounds[0][0] == "0"
            assert all(end == begin for (_, end), (begin, _) in itertools.pairwise(bounds))
    dated = [sources[key].read for key in cited if sources[key].read != "undated"]
    assert data["as_of"] == max(dated), "as_of is the newest date a price in the file was read"


def test_us_east_1_is_complete() -> None:
    book = load_bundled("us-east-1")
    assert _tiers(book, Meter.REST_REQUESTS) == [
        ("0", "333000000", "0.0000035"),
        ("333000000", "1000000000", "0.0000028"),
        ("1000000000", "20000000000", "0.00000238"),
        ("20000000000", None, "0.00000151"),
    ]
    assert _tiers(book, Meter.HTTP_REQUESTS) == [("0", "300000000", "0.000001"), ("300000000", None, "9E-7")]
    assert _tiers(book, Meter.WEBSOCKET_MESSAGES) == [
        ("0", "1000000000", "0.000001"),
        ("1000000000", None, "8E-7"),
    ]
    assert _tiers(book, Meter.WEBSOCKET_MINUTES) == [("0", None, "2.5E-7")]
    assert _tiers(book, Meter.DATA_TRANSFER_OUT) == [
        ("0", "10240", "0.09"),
        ("10240", "51200", "0.085"),
        ("51200", "153600", "0.07"),
        ("153600", None, "0.05"),
    ]
    assert {str(size): str(price.usd_per_hour) for size, price in book.cache.items()} == {
        "0.5": "0.020",
        "1.6": "0.038",
        "6.1": "0.200",
        "13.5": "0.250",
        "28.4": "0.500",
        "58.2": "1.000",
        "118": "1.900",
        "237": "3.800",
    }
    unconfirmed = sorted(
        str(size) for size, price in book.cache.items() if price.provenance.status == "unconfirmed"
    )
    assert unconfirmed == ["118", "13.5", "28.4", "58.2", "6.1"]
    assert book.as_of == "2026-08-21"
    rules = book.rules
    assert (rules.http_unit_kb, rules.websocket_unit_kb, rules.kb_per_gb) == (512, 32, 1048576)
    assert {meter.value: int(value) for meter, value in rules.free_tier.items()} == {
        "rest_requests": 1000000,
        "http_requests": 1000000,
        "websocket_messages": 1000000,
        "websocket_connection_minutes": 750000,
    }


def test_unknown_region_says_how_to_get_an_offer_file() -> None:
    with pytest.raises(CostError) as error:
        load_bundled("eu-north-1")
    assert str(error.value) == (
        "no bundled prices for region eu-north-1 (bundled: ap-northeast-1, ap-northeast-2, ap-south-1, "
        "eu-central-1, eu-west-1, eu-west-2, eu-west-3, sa-east-1, us-east-1, us-east-2, us-west-2); download its "
        "AWS "
        "Price "
        "List offer file, e.g. `curl -o apigateway-eu-north-1.json "
        "https://pricing.us-east-1.amazonaws.com/offers/"
        "v1.0/aws/AmazonApiGateway/current/eu-north-1/index.json`, and pass --price-list "
        "apigateway-eu-north-1.json"
    )
    run = run_cost("--region", "eu-north-1", "--requests", "5M")
    assert (run.exit_code, run.stderr) == (2, f"apilint: error: {error.value}\n")


def test_not_a_region() -> None:
    run = run_cost("--region", "Virginia", "--requests", "5M")
    assert (
        run.stderr
        == "apilint: error: 'Virginia' is not an AWS region code (expected something like us-east-1)\n"
    )


# --------------------------------------------------------------------------- offer files


def test_offer_file_matches_region_and_usage_type_and_sorts_tiers() -> None:
    book = load_offer_file(OFFER_FILE, "us-east-1")
    assert (book.location, book.as_of) == ("US East (N. Virginia)", "2025-10-01")
    assert book.origin == "AWS Price List offer file AmazonApiGateway-fixture.json (version 20251001000000)"
    assert _tiers(book, Meter.REST_REQUESTS) == [
        ("0", "333000000", "0.0000035"),
        ("333000000", "1000000000", "0.0000028"),
        ("1000000000", "20000000000", "0.00000238"),
        ("20000000000", None, "0.00000151"),
    ]
    assert _tiers(book, Meter.HTTP_REQUESTS) == [("0", "300000000", "0.000001"), ("300000000", None, "9E-7")]
    assert _tiers(book, Meter.WEBSOCKET_MINUTES) == [("0", None, "2.5E-7")]
    # Inbound and inter-region transfer products of us-east-1 are decoys.
    assert _tiers(book, Meter.DATA_TRANSFER_OUT) == [
        ("0", "10240", "0.09"),
        ("10240", "51200", "0.085"),
        ("51200", "153600", "0.07"),
        ("153600", None, "0.05"),
    ]
    # cacheMemorySizeGb "1.55" is the 1.6 GB size; eu-west-1's 0.5 GB cache is a decoy.
    assert {str(size): str(price.usd_per_hour.normalize()) for size, price in book.cache.items()} == {
        "0.5": "0.02",
        "1.6": "0.038",
        "237": "3.8",
    }
    assert {price.provenance.status for price in book.cache.values()} == {"confirmed"}


def test_offer_file_other_regions() -> None:
    ireland = load_offer_file(OFFER_FILE, "eu-west-1")
    assert _tiers(ireland, Meter.REST_REQUESTS) == [
        ("0", "333000000", "0.0000099"),
        ("333000000", None, "0.0000098"),
    ]
    assert sorted(meter.value for meter in ireland.tiered) == ["http_requests", "rest_requests"]
    tokyo = load_offer_file(OFFER_FILE, "ap-northeast-1")
    assert list(tokyo.tiered) == [Meter.HTTP_REQUESTS]
    stockholm = load_offer_file(OFFER_FILE, "eu-north-1")
    assert _tiers(stockholm, Meter.REST_REQUESTS) == [
        ("0", "333000000", "0.000004"),
        ("333000000", None, "0.000003"),
    ]


def test_offer_file_book_keeps_bundled_privatelink_prices() -> None:
    book = load_price_book("us-east-1", OFFER_FILE)
    assert book.tiered[Meter.VPC_ENDPOINT_HOURS].tiers[0].provenance.sources[0].key == "aws-pricing-page"
    assert book.tiered[Meter.REST_REQUESTS].tiers[0].provenance.sources[0].key == "offer-file"


def test_region_missing_from_offer_file() -> None:
    with pytest.raises(CostError) as error:
        load_offer_file(OFFER_FILE, "ca-central-1")
    assert str(error.value) == (
        f"price list {OFFER_FILE} has no products for region ca-central-1 "
        "(regions in it: ap-northeast-1, eu-north-1, eu-west-1, us-east-1)"
    )


def test_region_priced_only_by_offer_file_through_the_command() -> None:
    report = run_cost(
        "--region",
        "eu-north-1",
        "--price-list",
        str(OFFER_FILE),
        "--requests",
        "400M",
        "--response-size-kb",
        "1",
        "-f",
        "json",
    ).json()
    rest = next(e for e in report["estimates"] if e["api_type"] == "rest")
    # Made-up fixture prices: 333M x $4.00/M + 67M x $3.00/M, and 381.47 GB x $0.10.
    assert [(i["item"], i["usd"]) for i in rest["line_items"]] == [
        ("requests", 1533.0),
        ("data_transfer_out", 38.15),
    ]
    assert report["prices_as_of"] == "2025-10-01"


def _write(tmp_path: Path, offer: object) -> Path:
    path = tmp_path / "offer.json"
    path.write_text(json.dumps(offer))
    return path


def _offer_with(**changes: object) -> dict:
    offer = json.loads(OFFER_FILE.read_text())
    offer.update(changes)
    return offer


def test_offer_file_errors(tmp_path: Path) -> None:
    def message(offer: object) -> str:
        with pytest.raises(CostError) as error:
            load_offer_file(_write(tmp_path, offer), "us-east-1")
        return str(error.value).replace(str(tmp_path), "TMP")

    assert (
        message(_offer_with(offerCode="AmazonEC2"))
        == "price list TMP/offer.json is the offer file of AmazonEC2, not AmazonApiGateway"
    )
    assert (
        message([]) == "price list TMP/offer.json is not an AWS Price List offer file (no 'products' object)"
    )

    gap = _offer_with()
    dimensions = gap["terms"]["OnDemand"]["FC2TWT2UEPTBKVBX"]["FC2TWT2UEPTBKVBX.JRTCKXETXF"][
        "priceDimensions"
    ]
    next(d for d in dimensions.values() if d["beginRange"] == "300000000")["beginRange"] = "400000000"
    assert (
        message(gap)
        == "price list: the tiers of product FC2TWT2UEPTBKVBX leave a gap or overlap at 400000000"
    )

    twice = _offer_with()
    twice["products"]["COPYOFHTTP"] = dict(twice["products"]["FC2TWT2UEPTBKVBX"], sku="COPYOFHTTP")
    assert (
        message(twice) == "price list: 2 products match ApiGatewayHttpRequest in us-east-1 "
        "(COPYOFHTTP, FC2TWT2UEPTBKVBX); expected one"
    )

    bytes_unit = _offer_with()
    for dimension in bytes_unit["terms"]["OnDemand"]["HQEH3ZWJVT46JHRG"]["HQEH3ZWJVT46JHRG.JRTCKXETXF"][
        "priceDimensions"
    ].values():
        dimension["unit"] = "Bytes"
    assert (
        message(bytes_unit)
        == "price list: data transfer product HQEH3ZWJVT46JHRG is priced per BYTES, not per GB"
    )

    not_json = tmp_path / "offer.json"
    not_json.write_text("{")
    with pytest.raises(CostError) as error:
        load_offer_file(not_json, "us-east-1")
    assert str(error.value).startswith(f"price list {not_json} is not JSON: ")


def test_newest_term_applies(tmp_path: Path) -> None:
    offer = _offer_with()
    terms = offer["terms"]["OnDemand"]["UTA8VPBNDBWNCNMC"]
    old = terms["UTA8VPBNDBWNCNMC.JRTCKXETXF"]
    newer = json.loads(json.dumps(old))
    newer["effectiveDate"] = "2026-01-01T00:00:00Z"
    next(iter(newer["priceDimensions"].values()))["pricePerUnit"]["USD"] = "0.0000003000"
    terms["UTA8VPBNDBWNCNMC.NEWERTERM"] = newer
    book = load_offer_file(_write(tmp_path, offer), "us-east-1")
    assert book.tiered[Meter.WEBSOCKET_MINUTES].tiers[0].usd_per_unit == Decimal("0.0000003000")


def test_a_made_up_region_is_unknown_not_a_download_hint() -> None:
    run = run_cost("--region", "xx-nowhere-9", "--requests", "5M")
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == (
        "apilint: error: unknown region 'xx-nowhere-9': not one of the AWS Regions apilint knows (docs/cost.md "
        "lists them); check the spelling, or price a new Region with its offer file (--price-list)\n"
    )


def test_every_bundled_region_is_a_known_region() -> None:
    from apilint.cost.prices import known_regions

    assert set(bundled_regions()) <= set(known_regions())


def test_london_is_bundled_and_its_prices_are_marked_unconfirmed() -> None:
    """eu-west-2: REST $3.50/M and HTTP $1.16/M first tiers, data transfer $0.09/GB, from one third-party
    snapshot; the report says each is UNCONFIRMED."""
    report = run_cost("--region", "eu-west-2", "--requests", "10M", "--response-size-kb", "4", "-f", "json").json()
    by_type = {e["api_type"]: e for e in report["estimates"]}
    # 10M x 4 KB = 38.15 GB at $0.09 = $3.43.
    assert (by_type["rest"]["monthly_usd"], by_type["http"]["monthly_usd"]) == (38.43, 15.03)
    assert by_type["websocket"]["priced"] is False  # no WebSocket price for London
    assert "UNCONFIRMED price used: rest_requests first 333M at $3.50 per 1M (A third-party price fixture, not AWS's own file; refresh with the eu-west-2 offer file.)" in report["assumptions"]
