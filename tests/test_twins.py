"""Options offered together: names that sound the same are one option, or are told apart by what differs."""

from __future__ import annotations

from decimal import Decimal

from backend.catalog import Product
from backend.resolver import Option, spoken_options
from backend.resolver.twins import heard_number_first, last_word_plural, tells_apart
from backend.resolver.written import written_form
from backend.spoken import spoken_form


def _product(
    number: int, name: str, aisle: str = "fresh fruits", *, brand: str | None = None, size: str | None = None
) -> Product:
    return Product(str(number), name, aisle, "produce", Decimal("1.50"), brand=brand, size=size)


def test_names_that_sound_the_same_in_the_same_aisle_are_one_option() -> None:
    plums, plum = _product(1, "Red Plums"), _product(2, "Red Plum")
    assert spoken_options([plums, plum]) == [Option(plums)]


def test_names_run_together_sound_like_names_split() -> None:
    split, joined = _product(1, "Sugar Snap Peas"), _product(2, "Sugarsnap Peas")
    assert spoken_options([split, joined]) == [Option(split)]


def test_twins_in_other_aisles_are_told_apart_by_the_aisle() -> None:
    fresh, frozen = _product(1, "Sweet Cherries"), _product(2, "Sweet Cherry", "frozen produce")
    other = _product(3, "Bing Cherries")
    assert spoken_options([fresh, frozen, other]) == [
        Option(fresh, aisle="fresh fruits"),
        Option(frozen, aisle="frozen produce"),
        Option(other),
    ]


def test_a_brand_or_a_size_tells_twins_apart_before_the_aisle() -> None:
    one = _product(1, "Clementines", brand="Sunny Grove")
    two = _product(2, "Clementine", brand="Orchard Hill")
    assert [option.brand for option in spoken_options([one, two])] == ["Sunny Grove", "Orchard Hill"]
    small, big = _product(3, "Baby Kale", size="5 oz"), _product(4, "Baby Kale", size="16 oz")
    assert [option.size for option in spoken_options([small, big])] == ["5 oz", "16 oz"]


def test_names_that_sound_different_are_all_offered_as_they_are() -> None:
    products = [_product(1, "Limes"), _product(2, "Lemons"), _product(3, "Key Limes")]
    assert spoken_options(products) == [Option(product) for product in products]
    assert tells_apart(products)[2] == ("key",)


def test_the_twin_in_the_number_heard_takes_the_first_place_either_holds() -> None:
    names = ["Milled Oat Bran", "Almond Cluster", "Honey Almond Clusters", "Honey Almond Cluster", "Almond Clusters"]
    spoken = [spoken_form(name) for name in names]

    def order(heard: bool | None) -> list[str]:
        positions = heard_number_first(
            range(len(names)),
            spoken_of=spoken.__getitem__,
            plural=lambda position: last_word_plural(written_form(names[position]), spoken[position]),
            heard=heard,
        )
        return [names[position] for position in positions]

    assert order(False) == [
        "Milled Oat Bran",
        "Almond Cluster",
        "Honey Almond Cluster",
        "Honey Almond Clusters",
        "Almond Clusters",
    ]
    assert order(True) == [
        "Milled Oat Bran",
        "Almond Clusters",
        "Honey Almond Clusters",
        "Honey Almond Cluster",
        "Almond Cluster",
    ]
    assert order(None) == names  # no number heard: the order stands
