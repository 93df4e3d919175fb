"""YAML parsing for kg's data files: plain data only, with libyaml's parser where PyYAML has it."""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["SafeLoader", "safe_load"]

#: libyaml's safe loader where PyYAML was built with it (the same data, several times faster), else PyYAML's.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """Parse YAML text with a safe loader: plain data only, no tag constructs an object.

    Raises:
        yaml.YAMLError: the text is not valid YAML.
    """
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader, never anything else
