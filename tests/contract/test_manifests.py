"""Every registered part (and the core) declares itself completely and loads lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest
from fastapi.routing import APIRoute

from tracktwo.kernel.manifest import Part, Rule
from tracktwo.parts import PARTS, all_parts, registered_parts

PARTS_AND_CORE = [pytest.param(part, id=part.name) for part in all_parts()]


def _routes(part: Part) -> set[str]:
    found = set()
    for prefix, references in (("", part.pages), ("/api/v1", part.api)):
        for router in part.load_all(references):
            for route in router.routes:
                if isinstance(route, APIRoute):
                    found |= {f"{method} {prefix}{route.path}" for method in route.methods}
    return found


def test_the_one_list_names_every_part_once() -> None:
    assert [part.name for part in registered_parts()] == list(PARTS)
    assert len(set(PARTS)) == len(PARTS)


@pytest.mark.parametrize("part", PARTS_AND_CORE)
def test_every_route_has_a_permission_rule(part: Part) -> None:
    routes = _routes(part)
    assert routes, f"{part.name} serves no route"
    missing = sorted(routes - set(part.permissions))
    stale = sorted(set(part.permissions) - routes)
    assert not missing, f"{part.name}: routes without a rule in its manifest: {missing}"
    assert not stale, f"{part.name}: rules for routes it does not serve: {stale}"
    assert all(isinstance(rule, Rule) for rule in part.permissions.values())


@pytest.mark.parametrize("part", PARTS_AND_CORE)
def test_every_reference_of_the_manifest_resolves(part: Part) -> None:
    for reference in (*part.pages, *part.api, *part.models):
        assert part.load(reference) is not None
    for reference in (part.brief, part.dashboard, part.jobs, part.cli, part.participation):
        if reference is not None:
            assert part.load(reference) is not None, reference
    if part.models:
        assert part.migrations is not None, f"{part.name} has models but no migrations/ folder"
    assert part.locale is not None, f"{part.name} has no locale/ catalogue"


def _imports(code: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running ``code``."""
    probe = f"{code}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return set(done.stdout.split())


HEAVY = {"fastapi", "sqlalchemy", "numpy", "pandas"}


def test_the_command_line_help_loads_nothing_heavy() -> None:
    loaded = _imports(
        "from click.testing import CliRunner\n"
        "from tracktwo.cli import main\n"
        "assert CliRunner().invoke(main, ['--help']).exit_code == 0"
    )
    assert not HEAVY & loaded, f"`tracktwo --help` imports {sorted(HEAVY & loaded)}"


def test_reading_the_manifests_loads_nothing_heavy() -> None:
    loaded = _imports("from tracktwo.parts import all_parts\nall_parts()")
    assert not HEAVY & loaded


@pytest.mark.parametrize(
    "part", [pytest.param(part, id=part.name) for part in registered_parts() if part.engine]
)
def test_a_pure_engine_loads_neither_the_web_nor_the_store(part: Part) -> None:
    loaded = _imports(f"import {part.package}.{part.engine}")
    for module in ("fastapi", "sqlalchemy", "tracktwo.store", "tracktwo.web", "tracktwo.common"):
        assert module not in loaded, f"importing the {part.engine} engine loads {module}"
