"""What bad input becomes: a :class:`~sim.config.ConfigError` naming the key, the value and what is allowed.

Two kinds of check live here. Before Hydra composes anything, the command line's
choices and keys are checked (:func:`check_choices`: a config group's choice must be
one of its folder's files; :func:`check_overrides`: each key once; :func:`check_hydra`:
Hydra settings Hydra would only trip over later). When a composition fails anyway,
:func:`hydra_error` turns Hydra's or OmegaConf's message into one that names the key,
the value, where it was set (the command line, a scenario file, a config file) and
what is allowed. Composition itself is :mod:`sim.hydra_conf`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from sim.config import ConfigError, SimConfig
from sim.paths import CONF_DIR, ROOT, SCENARIO_DIR


def check_choices(overrides: list[str]) -> None:
    """Refuse a choice of one of sim's config groups that is not one of the group's files.

    Hydra reads ``group=<name>`` as the file ``<name>.yaml`` relative to the group's
    folder, wherever that leads: ``arrangement=../conf/experiment/roles`` would load an
    experiment as an arrangement. A choice of a group of ``conf/`` (``arrangement``:
    ``scenarios/``) must name a preset by its path inside that folder without ``.yaml``:
    parts joined by ``/``, none empty, ``.`` or ``..``. Every value of a sweep is checked.

    Raises:
        ConfigError: The group, the value and the group's presets.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.override_parser.types import ChoiceSweep

    def group_of(line: str) -> str:
        key = line.lstrip("+~").partition("=")[0].partition("@")[0]
        return key if key.isidentifier() and key != "hydra" and (CONF_DIR / key).is_dir() else ""

    lines = [o for o in overrides if group_of(o)]
    if not lines:
        return
    try:
        parsed = OverridesParser.create().parse_overrides(lines)
    except Exception:  # malformed: Hydra's own parse reports it
        return
    for o in parsed:
        value = o.value()
        if isinstance(value, ChoiceSweep):
            values = list(value.list)
        else:  # one option, a list of them, or a sweep Hydra matches to the options (glob)
            values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, str) and not _is_option(o.key_or_group, v):
                raise ConfigError(o.key_or_group, v, _presets(o.key_or_group), _where(o.key_or_group, overrides))


def _is_option(group: str, name: str) -> bool:
    """Whether ``name`` is a preset of ``group``: a file ``<name>.yaml`` inside the group's folder."""
    if any(part in ("", ".", "..") for part in name.split("/")) or "\\" in name:
        return False
    base = CONF_DIR / group
    path = base / f"{name}.yaml"
    return path.is_file() and path.resolve().is_relative_to(base.resolve())


def _presets(group: str) -> str:
    """What a choice of ``group`` may be, for a message."""
    names = ", ".join(_allowed_options(group)) or "no presets found"
    if group == "arrangement":
        return f"a preset in scenarios/, named by its path there without .yaml: {names}"
    return names


def check_hydra(composed: Any, overrides: list[str]) -> None:
    """Refuse Hydra settings that Hydra itself would only trip over later, with a traceback.

    ``hydra.verbose`` names the loggers to show at DEBUG: ``true`` for all, or a logger's
    name, or a list of names; anything else (``hydra.verbose=[1,1]``) made Python's logging
    raise a TypeError once the run had started.

    Args:
        composed: The command line's config with its ``hydra`` node.
        overrides: The command line's overrides (to say where a value was set).

    Raises:
        ConfigError: Naming the setting, its value and what it may be.
    """
    verbose = OmegaConf.select(composed, "hydra.verbose", default=False)
    if OmegaConf.is_config(verbose):
        verbose = OmegaConf.to_container(verbose, resolve=True)
    names = verbose if isinstance(verbose, list) else [verbose]
    if not isinstance(verbose, bool) and not all(isinstance(n, str) and n for n in names):
        raise ConfigError(
            "hydra.verbose",
            str(verbose),
            "true, false, a logger's name (sim, hydra, ...) or a list of names ([sim,hydra])",
            _where("hydra.verbose", overrides),
        )


def check_overrides(overrides: list[str]) -> None:
    """Refuse a key given twice on one command line (``run.rounds=5 run.rounds=6``).

    Hydra would take the last without a word; a sweep would name its cells after both.
    Each key once makes the command say what it runs.

    Raises:
        ConfigError: Naming the key, its last value and every override that sets it.
    """
    seen: dict[str, list[str]] = {}
    for o in overrides:
        if "=" in o or o.startswith("~"):
            seen.setdefault(o.lstrip("+~").split("=", 1)[0], []).append(o)
    for key, given in seen.items():
        if len(given) > 1:
            times = "twice" if len(given) == 2 else f"{len(given)} times"
            raise ConfigError(
                key,
                given[-1].partition("=")[2],
                f"each key once on a command line; {key} is given {times} ({' then '.join(given)}): "
                "keep the one you mean",
                "the command line",
            )


def _source(overrides: list[str]) -> str:
    return "the command line" if overrides else "the defaults"


def _allowed_options(group: str, msg: str = "") -> list[str]:
    """The options of a config group: its files here and those Hydra lists (plugins' launchers)."""
    base = CONF_DIR / group
    found = set()
    if base.is_dir():
        found = {str(p.relative_to(base).with_suffix("")) for p in base.rglob("*.yaml")}
    m = re.search(rf"Available options in '{re.escape(group)}':\n((?:\t.*\n?)*)", msg)
    if m:  # what Hydra's search path holds besides conf/: basic, joblib, ray, submitit_* for hydra/launcher
        found |= {line.strip() for line in m.group(1).splitlines() if line.strip()}
    return sorted(found)


def hydra_error(exc: Exception, overrides: list[str]) -> ConfigError:
    """Turn a Hydra/OmegaConf composition error into a ConfigError (key, value, allowed)."""
    msg = str(exc)
    if exc.__cause__ is not None:
        msg += "\n" + str(exc.__cause__)
    m = re.search(r'in "([^"]+\.yaml)", line (\d+), column (\d+)', msg)
    if m:  # YAML syntax error in a config or scenario file
        path, line = Path(m.group(1)), m.group(2)
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        group = path.parent.name if path.parent != CONF_DIR else "config"
        if path.parent.resolve() == SCENARIO_DIR.resolve():
            group = "arrangement"
        first = msg.strip().splitlines()[0]
        return ConfigError(group, path.stem, f"a well-formed YAML mapping; {shown}, line {line}: {first}", str(shown))
    m = re.search(r"In '([\w/]+)/([^']+)': ValidationError.*?Merge error: (\w+) is not a subclass", msg, re.S)
    if m:  # a group file whose content is not a mapping
        group, name, kind = m.groups()
        return ConfigError(
            group, name, f"a file holding a YAML mapping of keys (this one holds a {kind})", f"{group}/{name}.yaml"
        )
    m = re.search(r"Error merging override (~[^=\s]+(?:=\S*)?)", msg) or re.search(
        r"Could not delete from config\. (.*)", msg
    )
    if m:  # ~run.rounds (the schema's keys stay), ~nope, ~run.rounds=7 where run.rounds is 50
        typed = next((o for o in overrides if o.startswith("~") and o in msg), None)
        typed = typed or next((o for o in overrides if o.startswith("~")), "~")
        key = typed[1:].split("=", 1)[0]
        if _in_schema(key):
            allowed = f"{key}=<value> instead, with {_allowed_for(key)}: the keys of the schema cannot be deleted"
        else:
            allowed = f"~ before a key the config has; {m.group(1).rstrip('.')}"
        return ConfigError("override", typed, allowed, "the command line")
    m = re.search(r"Ambiguous value for argument '([^'=]+)=([^']*)'", msg)
    if m:  # regime.use=open,closed without -m
        key, value = m.group(1).lstrip("+~"), m.group(2)
        return ConfigError(
            key,
            value,
            f"one value: {_allowed_for(key)}; to run each of several values, add -m (a sweep); for text with "
            "a comma, quote it: 'a,b'",
            "the command line",
        )
    m = re.search(r"Error merging override ([^=\s]+)=(\S*)", msg)
    if m:
        key, value = m.group(1).lstrip("+~"), m.group(2)
        typed = re.search(r"could not be converted to (\w+)", msg)  # a Hydra setting's type (sim's: its schema)
        allowed = f"a value of type {typed.group(1).lower()}" if typed and key.startswith("hydra.") else None
        return ConfigError(key, value, allowed or _allowed_for(key), "the command line")
    m = re.search(r"Could not find '([\w/]+)/([^']*)'", msg)  # (an empty value too: `role=`)
    if m:
        group, value = m.group(1), m.group(2)
        for o in overrides:  # the group as typed: a value with a `/` (`/etc/passwd`) is not part of it
            k, _, v = o.lstrip("+~").partition("=")
            if f"{k.partition('@')[0]}/{v}" == f"{group}/{value}":
                group, value = k.partition("@")[0], v
                break
        return ConfigError(
            group, value, ", ".join(_allowed_options(group, msg)) or "no presets found", _where(group, overrides, msg)
        )
    m = re.search(r"Could not override '([^']+)'", msg)
    if m and "not in" in msg:  # wrold.places=5: the key as typed, and the part that is no key
        key, bad = m.group(1), _full_key(msg, m.group(1))
        allowed = _keys_of(bad) + (f" ({bad} is not one)" if bad != key else "")
        return ConfigError(key, _value_of(key, overrides), allowed, _where(key, overrides, msg))
    m = re.search(r"Key '([^']+)' not in '(\w+)'", msg) or re.search(r"Key '([^']+)' is not in struct", msg)
    if m:
        key = _full_key(msg, m.group(1))
        return ConfigError(key, _value_of(key, overrides, msg), _keys_of(key), _where(key, overrides, msg))
    m = re.search(r"Value '([^']*)' (?:of type '\w+' )?could not be converted to (\w+)", msg)
    if m:
        key = _full_key(msg, "")
        allowed = f"a value of type {m.group(2).lower()}"
        return ConfigError(key or "?", m.group(1), allowed, _where(key, overrides, msg))
    if "Error parsing override" in msg or "mismatched input" in msg or "no viable alternative" in msg:
        bad = next((o for o in overrides if o in msg), overrides[0] if overrides else "")
        return ConfigError("override", bad, "key=value in Hydra syntax, e.g. regime.use=public", "the command line")
    m = re.search(r"Could not override '([^']+)'", msg)
    if m:
        key = m.group(1)
        return ConfigError(key, _value_of(key, overrides), _keys_of(key), _where(key, overrides))
    first = msg.strip().splitlines()[0] if msg.strip() else type(exc).__name__
    return ConfigError("config", first, "a valid configuration (see README: Configuration)", _source(overrides))


def _full_key(msg: str, leaf: str) -> str:
    m = re.search(r"full_key: ([\w.\[\]]+)", msg)
    if m:
        return m.group(1)
    return leaf


def _value_of(key: str, overrides: list[str], msg: str = "") -> Any:
    """The value given to ``key``: in the file Hydra's message names, else on the command line."""
    path = _file_of(msg)
    if path is not None:
        import yaml

        try:
            data = yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError):
            data = None
        parts = key.split(".")
        for keys in (parts, parts[1:]):  # a _global_ file, or one in its group's own package
            node = data
            for part in keys:
                node = node.get(part, _ABSENT) if isinstance(node, dict) else _ABSENT
            if keys and node is not _ABSENT:
                return node
    for o in overrides:
        k, _, v = o.lstrip("+~").partition("=")
        if k == key:
            return v
    return "?"


_ABSENT = object()


def _file_of(msg: str) -> Path | None:
    """The config or scenario file a composition error happened in (``In 'arrangement/x': ...``)."""
    m = re.match(r"In '([^']+)':", msg)
    if not m or m.group(1) == "config" or m.group(1).startswith("hydra/"):
        return None  # ('config': the defaults list as a whole, which the presets amend too)
    path = CONF_DIR / f"{m.group(1)}.yaml"
    return path if path.is_file() else None


def _shown(path: Path) -> str:
    """A path as the user knows it: scenarios/x.yaml rather than conf/arrangement/x.yaml."""
    real = path.resolve()
    return str(real.relative_to(ROOT.resolve())) if real.is_relative_to(ROOT.resolve()) else str(path)


def _where(key: str, overrides: list[str], msg: str = "") -> str:
    """Where the value of ``key`` was set: the file Hydra's message names, the command line, or a file."""
    path = _file_of(msg)
    if path is not None:  # the error arose while merging that file
        return _shown(path)
    for o in overrides:
        k = o.lstrip("+~").split("=")[0]
        if key and (k == key or k.startswith(key + ".") or key.startswith((k + ".", k + "["))):
            return "the command line"
    chosen = next((o.split("=", 1)[1] for o in overrides if o.startswith("arrangement=")), None)
    return f"a config file or scenarios/{chosen}.yaml" if chosen else "a config or scenario file"


def _keys_of(key: str) -> str:
    import dataclasses

    parent = key.rsplit(".", 1)[0] if "." in key else ""
    node: Any = SimConfig
    for part in [p for p in parent.split(".") if p]:
        fields = {f.name: f for f in dataclasses.fields(node)}
        if part not in fields:
            node = None
            break
        node = type(getattr(node(), part))
    if node is None or not dataclasses.is_dataclass(node):
        return "a key of the config (see README: Configuration)"
    names = ", ".join(f.name for f in dataclasses.fields(node))
    return f"one of the keys {names}" + (f" under {parent}" if parent else "")


def _in_schema(key: str) -> bool:
    """Whether a dotted key is one of the schema's (run.rounds, run)."""
    import dataclasses

    node: Any = SimConfig()
    for part in key.split("."):
        if not dataclasses.is_dataclass(node) or part not in {f.name for f in dataclasses.fields(node)}:
            return False
        node = getattr(node, part)
    return bool(key)


def _allowed_for(key: str) -> str:
    """What the schema allows for a dotted key."""
    import dataclasses

    from sim.config import _describe

    node: Any = SimConfig
    parts = key.split(".")
    for part in parts[:-1]:
        fields = {f.name: f for f in dataclasses.fields(node)}
        if part not in fields:
            return _keys_of(key)
        node = type(getattr(node(), part))
    fields = {f.name: f for f in dataclasses.fields(node)} if dataclasses.is_dataclass(node) else {}
    f = fields.get(parts[-1])
    if f is None:
        return _keys_of(key)
    if (CONF_DIR / key).is_dir():  # a config group (role, regime, analytics): one of its files
        return ", ".join(_allowed_options(key))
    sub = getattr(node(), f.name)
    if dataclasses.is_dataclass(sub):  # run=3: a group of keys, not a value
        names = ", ".join(g.name for g in dataclasses.fields(sub))
        return f"a value for one key under {key} ({key}.<key>=<value>), one of {names}"
    if f.type in ("bool", bool):
        return "true or false"
    return _describe(f.metadata, f.type) or "a string"
