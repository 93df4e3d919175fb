from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
EXAMPLES = ROOT / "examples" / "corpus"


def free_port() -> int:
    """A TCP port of this machine that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shared_corpus(tmp: Path) -> tuple[Path, Path]:
    """Copy ../shared seeds + dev articles and their gold into ``tmp``; skip if absent."""
    if not (SHARED / "corpus" / "dev").is_dir():
        pytest.skip("../shared is not available")
    corpus, gold = tmp / "corpus", tmp / "gold"
    corpus.mkdir()
    gold.mkdir()
    for sub in ("seeds", "dev"):
        for f in sorted((SHARED / "corpus" / sub).glob("*.txt")):
            shutil.copy(f, corpus / f.name)
    for sub in ("gold", "dev-gold"):
        for f in sorted((SHARED / "eval" / sub).glob("*.json")):
            shutil.copy(f, gold / f.name)
    return corpus, gold


@pytest.fixture(scope="session")
def shared_build(tmp_path_factory):
    """seeds + dev built once for the session: (corpus, gold, out, BuildResult)."""
    import kg

    tmp = tmp_path_factory.mktemp("shared")
    corpus, gold = shared_corpus(tmp)
    out = tmp / "out"
    result = kg.build(corpus, out)
    return corpus, gold, out, result


@pytest.fixture(scope="session")
def example_build(tmp_path_factory):
    """The bundled example corpus built once for the session: (out, BuildResult)."""
    import kg

    out = tmp_path_factory.mktemp("examples") / "out"
    return out, kg.build(EXAMPLES, out)
