"""The layer contracts hold (import-linter, from tests/layers.py): CI enforces the architecture."""

from __future__ import annotations

from tests.layers import contracts, main
from tracktwo.parts import registered_parts


def test_every_part_has_its_contracts() -> None:
    config = contracts()
    for part in registered_parts():
        assert f"[importlinter:contract:{part.name}-layers]" in config
        if part.engine is not None:
            assert f"[importlinter:contract:{part.name}-engine]" in config
        for other in registered_parts():
            if other.name != part.name:
                assert f"[importlinter:contract:{part.name}-uses-{other.name}]" in config


def test_the_layer_contracts_are_kept() -> None:
    assert main() == 0, "an import breaks a layer contract: run `make lint` to see which"
