"""The cells a command line stands for, and checking every one before anything is written.

- :func:`plan` (and :func:`expand`): the cells, as Hydra's basic sweeper expands the
  command line and its experiment's ``hydra.sweeper.params``, and the config composed on
  the way (launcher, output folders, mode);
- :func:`check_cells`: each cell composed as Hydra composes it, but as few times as
  possible (:func:`cell_configs`), and validated by the schema;
- :func:`mark_checked` and :func:`cell_checked`: which cells Hydra's sweeper need not
  compose again to check them (``hydra_plugins/sim_plugins``).

The compositions made here are kept for the launcher (:data:`_COMPOSED`, read by
:func:`sim.sweep.launch.job_configs`), which then composes only what it has not.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sim.config import ConfigError
from sim.sweep.state import STATE

if TYPE_CHECKING:
    from sim.config import SimConfig

# Task configs composed by check_cells in this process, by their task overrides: the
# launcher takes swapped group nodes from them rather than composing those again.
_COMPOSED: dict[tuple[str, ...], Any] = {}


def expand(overrides: list[str]) -> tuple[bool, list[list[str]]]:
    """The cells a command line stands for, as Hydra's basic sweeper expands them.

    Returns:
        ``(multirun, cells)``: whether the command is a sweep (``-m`` is checked by
        the caller; here: ``hydra.mode: MULTIRUN`` set by an experiment), and each
        cell's override list (sweeper params first, then the command line).
    """
    multirun, cells, _ = plan(overrides)
    return multirun, cells


def plan(overrides: list[str]) -> tuple[bool, list[list[str]], Any]:
    """:func:`expand`, and the config composed on the way (with its ``hydra`` node).

    The config is that of the command line without its sweeps: the launcher, the
    output folders and the mode, for the caller to use without composing again.
    """
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from omegaconf import OmegaConf

    from sim import hydra_conf

    hydra_conf.check_choices(list(overrides))  # every value of a swept group too, before any composition
    parser = OverridesParser.create()
    parsed = parser.parse_overrides(overrides)
    plain = [o.input_line for o in parsed if not o.is_sweep_override()]
    cfg = hydra_conf.compose(plain, return_hydra_config=True)
    mode = str(OmegaConf.select(cfg, "hydra.mode", default="RUN"))
    params = OmegaConf.select(cfg, "hydra.sweeper.params", default=None) or {}
    params_conf = [f"{k}={v}" for k, v in params.items()] + list(overrides)
    cells = BasicSweeper.split_arguments(parser.parse_overrides(params_conf), None)[0]
    return mode.endswith("MULTIRUN"), cells, cfg


def _task_overrides(overrides: Sequence[str]) -> tuple[str, ...]:
    """A cell's overrides without Hydra's own (``hydra.*``, ``hydra/*``: the sweep's, not the job's)."""
    return tuple(o for o in overrides if not o.lstrip("+~").startswith(("hydra.", "hydra/")))


def mark_checked(cells: list[list[str]]) -> None:
    """Note the cells :func:`check_cells` has validated, for the sweeper (:func:`cell_checked`)."""
    STATE["checked_cells"] = {_task_overrides(c) for c in cells}


def cell_checked(overrides: Sequence[str]) -> bool:
    """Whether sim's command line has composed and validated this job (:func:`mark_checked`)."""
    return _task_overrides(overrides) in STATE.get("checked_cells", ())


def check_cells(cells: list[list[str]]) -> list[SimConfig]:
    """Validate every cell's configuration before anything is written.

    Each cell is composed as Hydra composes it (:func:`cell_configs`: a Hydra
    composition per group option rather than per cell where that is the same), its
    value overrides (``key.sub=value``) applied, and the result validated by the
    schema here.

    Returns:
        Each cell's validated config, in the order of ``cells``.
    """
    import copy

    from omegaconf import OmegaConf

    from sim import hydra_conf
    from sim.run import as_config

    checked = []
    _COMPOSED.clear()  # this sweep's compositions only (the conf files may have changed since)
    for cell, composed, values in cell_configs(cells):
        where = f"sweep cell {' '.join(cell)}"
        try:
            if not values:  # the composed config as it is (resolved already)
                checked.append(as_config(composed, where))
                continue
            plain = copy.deepcopy(composed)  # composed configs are shared between cells
            if all(_set_plain(plain, ov.get_key_element(), ov.value()) for ov in values):
                checked.append(as_config(plain, where))
                continue
            cfg = OmegaConf.create(composed)
            for ov in values:
                key = ov.get_key_element()
                if OmegaConf.select(cfg, key, default="__missing__") == "__missing__":
                    raise ConfigError(key, ov.get_value_element_as_str(), hydra_conf._keys_of(key), where)
                OmegaConf.update(cfg, key, ov.value(), merge=False)
            checked.append(as_config(OmegaConf.to_container(cfg, resolve=True), where))
        except ConfigError as exc:
            raise ConfigError(exc.key, exc.value, exc.allowed, where) from None
        except Exception as exc:
            raise hydra_conf.hydra_error(exc, cell) from None
    return checked


def _set_plain(config: dict[str, Any], key: str, value: Any) -> bool:
    """Set an existing key (``a.b.c``) of a resolved config to a plain value, as OmegaConf would.

    False, and nothing set, unless every part of the key exists and the value is a
    number, boolean, None or a string without interpolation (the rest is left to OmegaConf).
    """
    if isinstance(value, (dict, list)) or (isinstance(value, str) and "${" in value):
        return False
    *path, last = key.split(".")
    node = config
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    if not isinstance(node, dict) or last not in node:
        return False
    node[last] = value
    return True


def cell_configs(cells: list[list[str]]) -> Iterator[tuple[list[str], dict[str, Any], list[Any]]]:
    """Each cell's composed config (before its value overrides), composing as little as possible.

    A Hydra composition costs about 0.1 s, most of a sweep's start-up when every cell
    is one. Cells differ mostly in config-group choices (``role=...``, ``regime=...``)
    whose files set keys under their own node only. Then composing the first cell once,
    and once more per other option of each swept group, gives every cell: the first
    cell's config with the swept groups' nodes taken from those compositions (no
    option writes elsewhere, and without interpolations nothing else depends on
    them). Anything else (a global or interpolating file, an added or deleted key,
    another set of keys) is composed per distinct group combination, as Hydra does.

    Yields:
        ``(cell, composed, values)``: the cell's overrides, its resolved config without
        the value overrides, and those overrides (Hydra ``Override`` objects).

    Raises:
        ConfigError: A cell Hydra cannot compose (its overrides named as the source).
    """
    import copy

    from hydra.core.override_parser.overrides_parser import OverridesParser
    from omegaconf import OmegaConf

    from sim import hydra_conf

    parser = OverridesParser.create()
    combos: dict[tuple[str, ...], dict[str, Any]] = {}
    variants: dict[str, dict[str, Any]] = {}
    base: tuple[list[Any], dict[str, Any], bool] | None = None  # overrides, config, free of ${...}
    with hydra_conf.compose_session():
        for cell in cells:
            try:
                groups, values = [], []
                for ov in parser.parse_overrides(cell):
                    key = ov.get_key_element()
                    is_value = "." in key and "/" not in key and not key.startswith("hydra")
                    (values if is_value and ov.is_force_add() is False else groups).append(ov)
                gkey = tuple(o.input_line for o in groups)
                composed = combos.get(gkey)
                if composed is None and base is not None:
                    swept = _swept_groups(base[0], groups) if base[2] else None
                    if swept is not None:
                        composed = copy.deepcopy(base[1])
                        for i in swept:
                            line = groups[i].input_line
                            if line not in variants:
                                one = [o.input_line for o in base[0]]
                                one[i] = line
                                variant = hydra_conf.compose(one)
                                _COMPOSED[_task_overrides(one)] = variant  # for the launcher (job_configs)
                                variants[line] = OmegaConf.to_container(variant, resolve=True)
                            name = groups[i].get_key_element()
                            composed[name] = copy.deepcopy(variants[line][name])
                if composed is None:
                    cfg = hydra_conf.compose(list(gkey))
                    _COMPOSED[_task_overrides(gkey)] = cfg
                    composed = OmegaConf.to_container(cfg, resolve=True)
                    if base is None:
                        base = (groups, composed, not _interpolates(OmegaConf.to_container(cfg, resolve=False)))
                combos[gkey] = composed
            except ConfigError:
                raise
            except Exception as exc:
                raise hydra_conf.hydra_error(exc, cell) from None
            yield cell, composed, values


def _swept_groups(base: list[Any], groups: list[Any]) -> list[int] | None:
    """Positions where ``groups`` chooses another option than ``base``, if each can be swapped in alone.

    None unless both lists set the same keys in the same order, each differing key is
    a plain config group of ``conf/`` (no package, no nesting) and the options on both
    sides are files that set keys of that group's node only (no ``@package``, no
    defaults list, no interpolation).
    """
    if [o.get_key_element() for o in base] != [o.get_key_element() for o in groups]:
        return None
    swept = []
    for i, (b, g) in enumerate(zip(base, groups, strict=True)):
        if b.input_line == g.input_line:
            continue
        if not _swappable(b, g):
            return None
        swept.append(i)
    return swept


def _swappable(a: Any, b: Any) -> bool:
    """Whether two overrides of one config group choose options whose nodes can be swapped for each other.

    Both must be plain changes (``group=option``: no package, no ``+``/``~``) of a plain
    config group of ``conf/`` to files that set keys of that group's node only
    (:func:`_own_node`).
    """
    from hydra.core.override_parser.types import OverrideType

    key = b.get_key_element()
    plain = all(o.type == OverrideType.CHANGE and o.package is None and isinstance(o.value(), str) for o in (a, b))
    return plain and key.isidentifier() and _own_node(key, a.value()) and _own_node(key, b.value())


def _own_node(group: str, option: str) -> bool:
    """Whether ``conf/<group>/<option>.yaml`` sets keys under its own node only."""
    import re

    from sim import hydra_conf

    if not option.isidentifier():
        return False
    try:
        text = (hydra_conf.CONF_DIR / group / f"{option}.yaml").read_text()
    except (OSError, UnicodeDecodeError):
        return False
    return "@package" not in text and "${" not in text and not re.search(r"^defaults\s*:", text, re.M)


def _interpolates(node: Any) -> bool:
    """Whether an unresolved config holds an interpolation anywhere."""
    if isinstance(node, dict):
        return any(_interpolates(v) for v in node.values())
    if isinstance(node, list):
        return any(_interpolates(v) for v in node)
    return isinstance(node, str) and "${" in node
