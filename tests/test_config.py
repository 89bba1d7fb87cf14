import dataclasses

import pytest

from sim.config import ConfigError, SimConfig, from_mapping, validate
from sim.hydra_conf import load


def test_defaults_validate_and_presets_name_the_regime():
    cfg = load([])
    assert cfg.regime.name == "closed" and cfg.role.name == "regulator"
    assert load(["regime=open"]).regime.name == "open"
    assert load(["regime.use=public"]).regime.name == "custom"


def test_public_is_another_name_for_open():
    assert load(["regime.use=public"]).regime.use == "open"


@pytest.mark.parametrize(
    ("overrides", "key", "value"),
    [
        (["run.rounds=0"], "run.rounds", 0),
        (["world.actors=-5"], "world.actors", -5),
        (["partners.alignment=1.5"], "partners.alignment", 1.5),
        (["regime.use=sometimes"], "regime.use", "sometimes"),
        (["role=mayor"], "role", "mayor"),
        (["analytics=crystal_ball"], "analytics", "crystal_ball"),
        (["arrangement=atlantis"], "arrangement", "atlantis"),
        (["regime=halfway"], "regime", "halfway"),
        (["experiment=nope"], "experiment", "nope"),
        (["run.rouns=5"], "run.rouns", "5"),
        (["run.rounds=many"], "run.rounds", "many"),
    ],
)
def test_bad_input_names_key_value_and_allowed(overrides, key, value):
    with pytest.raises(ConfigError) as err:
        load(overrides)
    e = err.value
    assert e.key == key
    assert str(e.value) == str(value)
    assert e.allowed
    assert key in str(e) and "Allowed" in str(e)


def test_unknown_role_lists_the_roles():
    with pytest.raises(ConfigError) as err:
        load(["role=mayor"])
    for role in ("none", "producer", "commissioner", "regulator", "co_producer", "facilitator", "director"):
        assert role in err.value.allowed


def test_from_mapping_rejects_unknown_and_wrong_types():
    with pytest.raises(ConfigError, match="world.placez"):
        from_mapping({"world": {"placez": 3}})
    with pytest.raises(ConfigError, match="privacy.pseudonymisation"):
        from_mapping({"privacy": {"pseudonymisation": "yes"}})
    with pytest.raises(ConfigError, match="run.replications"):
        from_mapping({"run": {"replications": 2.5}})
    with pytest.raises(ConfigError, match="population.fine"):
        from_mapping({"population": {"fine": float("nan")}})


def test_validate_round_trips_a_config_object():
    cfg = SimConfig()
    again = validate(cfg)
    assert dataclasses.asdict(again) == dataclasses.asdict(validate(again))
