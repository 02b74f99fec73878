"""routing.unit_names (issue 22): the public names of units, for the citizen's access log."""
import pytest
from nameko.testing.services import worker_factory

from common.errors import ValidationFailed
from services.routing.service import RoutingService


@pytest.fixture
def routing(routing_store):
    return worker_factory(RoutingService, applications=routing_store)


def test_the_names_of_the_units_that_exist(routing, routing_store):
    seeded = {unit["_id"]: unit["name"] for unit in routing_store.units.find({"province_code": "34"})}
    assert "34-health" in seeded

    assert routing.unit_names(["34-health", "34-unknown"]) == {"34-health": seeded["34-health"]}
    assert routing.unit_names(sorted(seeded)) == seeded
    assert routing.unit_names([]) == {}


@pytest.mark.parametrize("asked", ["34-health", [7], ["x"] * 101, None])
def test_anything_but_a_short_list_of_ids_is_refused_naming_the_field(routing, asked):
    with pytest.raises(ValidationFailed) as refused:
        routing.unit_names(asked)

    assert set(refused.value.fields) <= {"unit_ids"} | {"unit_ids[{}]".format(index) for index in range(101)}
