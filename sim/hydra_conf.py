"""Hydra wiring: the structured schema in the ConfigStore, and composition.

The schema (:class:`sim.config.SimConfig`) sits under the YAML in ``conf/`` so
that a misspelt key or a wrong type fails at composition, before any work. What a
bad choice or a failed composition becomes (a message naming the key, the value and
what is allowed) is :mod:`sim.config_errors`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import OmegaConf

from sim.config import ConfigError, SimConfig

# What the command line's checks and error messages are (sim.config_errors), kept
# importable from here as they were before they had a module of their own.
from sim.config_errors import (  # noqa: F401
    _keys_of,
    _source,
    _where,
    check_choices,
    check_hydra,
    check_overrides,
    hydra_error,
)
from sim.paths import CONF_DIR, ROOT, SCENARIO_DIR  # noqa: F401

_registered = False


def register() -> None:
    """Register the schema once (``sim_schema`` in the primary defaults list)."""
    global _registered
    if not _registered:
        ConfigStore.instance().store(name="sim_schema", node=SimConfig)
        _registered = True


def check_layout() -> None:
    """Fail clearly if the config folders are missing (non-editable install)."""
    if not (CONF_DIR / "config.yaml").is_file():
        raise ConfigError("conf", str(CONF_DIR), "the project's conf/ folder; install with pip install -e .")


def compose(overrides: list[str] | None = None, return_hydra_config: bool = False) -> Any:
    """Compose the configuration as the command line would (no output written).

    Args:
        overrides: Hydra overrides, e.g. ``["arrangement=zwartwerken", "regime.use=public"]``.
        return_hydra_config: Include the ``hydra`` node (sweeper params, mode, dirs).

    Returns:
        The composed DictConfig.
    """
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    register()
    check_layout()
    check_choices(list(overrides or []))
    if GlobalHydra.instance().is_initialized():  # inside compose_session()
        return hydra_compose(
            config_name="config", overrides=list(overrides or []), return_hydra_config=return_hydra_config
        )
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return hydra_compose(
            config_name="config", overrides=list(overrides or []), return_hydra_config=return_hydra_config
        )


@contextmanager
def compose_session() -> Iterator[None]:
    """Initialise Hydra once for many compositions (e.g. every cell of a sweep)."""
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    if GlobalHydra.instance().is_initialized():
        yield
        return
    register()
    check_layout()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        yield


def load(overrides: list[str] | None = None) -> SimConfig:
    """Compose and validate: the SimConfig for these overrides."""
    from sim.run import as_config

    try:
        cfg = compose(overrides)
    except ConfigError:
        raise
    except Exception as exc:  # Hydra/OmegaConf composition errors
        raise hydra_error(exc, overrides or []) from None
    try:
        checked = as_config(OmegaConf.to_container(cfg, resolve=True), _source(overrides or []))
    except ConfigError as exc:
        if _where(exc.key, overrides or []) != "the command line":
            arrangement = cfg.get("arrangement", {}).get("name", "?")
            # The problem type and the strategy are presets applied after the arrangement.
            chosen = [o for o in overrides or [] if o.partition("=")[0] in ("problem", "strategy")]
            presets = f"the arrangement preset (arrangement={arrangement})" + "".join(f" or {o}" for o in chosen)
            exc = ConfigError(exc.key, exc.value, exc.allowed, f"a config file or {presets}")
        raise exc from None
    if OmegaConf.select(cfg, "arrangement.name") == "default":
        # Every preset names itself; the schema's default means the file set nothing.
        chosen = next((o.split("=", 1)[1] for o in overrides or [] if o.startswith("arrangement=")), "?")
        raise ConfigError(
            "arrangement",
            chosen,
            "a scenario file that sets arrangement.name (this one is empty or sets no arrangement)",
            f"scenarios/{chosen}.yaml",
        )
    return checked
