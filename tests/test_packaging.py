"""The package declares every folder it ships and every data file in them.

setuptools installs only the packages ``pyproject.toml`` lists and, in them, the data files its
``package-data`` patterns match: a model file or lexicon left out works in a checkout and goes
missing from an installed wheel.
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

from conftest import ROOT

CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def _folder(package: str) -> Path:
    """Where the files of ``package`` are, following ``package-dir``."""
    mapped = CONFIG.get("package-dir", {})
    parts = package.split(".")
    for n in range(len(parts), 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in mapped:
            return ROOT / mapped[prefix] / Path(*parts[n:])
    return ROOT / Path(*parts)


def _shipped_folders() -> dict[str, Path]:
    """Every folder of the source trees that holds files, by the package name it would have."""
    roots = {"kg": ROOT / "kg", **{name: ROOT / path for name, path in CONFIG.get("package-dir", {}).items()}}
    out = {}
    for name, root in roots.items():
        for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
            relative = folder.relative_to(root).parts
            if any(part == "__pycache__" or part.startswith(".") for part in relative):
                continue  # caches and tool folders, never shipped
            if not any(p.is_file() for p in folder.iterdir()):
                continue
            out[".".join((name, *relative))] = folder
    return out


def test_every_folder_with_files_is_a_declared_package():
    folders = _shipped_folders()
    assert "kg.learn.default" in folders and "kg.ontology.lexicon" in folders
    missing = sorted(set(folders) - set(CONFIG["packages"]))
    assert not missing, f"folders not declared in pyproject.toml [tool.setuptools] packages: {missing}"
    for package in CONFIG["packages"]:
        assert _folder(package).is_dir(), package


def test_every_data_file_is_matched_by_a_package_data_pattern():
    data = CONFIG.get("package-data", {})
    unmatched = []
    for package in CONFIG["packages"]:
        patterns = data.get(package, [])
        for path in sorted(_folder(package).iterdir()):
            if path.is_file() and path.suffix != ".py":
                if not any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns):
                    unmatched.append(str(path.relative_to(ROOT)))
    assert not unmatched, f"files no package-data pattern of pyproject.toml ships: {unmatched}"
    # the model the extractor loads by default is among them
    assert {"config.json", "weights.npz"} <= {p.name for p in _folder("kg.learn.default").iterdir()}
