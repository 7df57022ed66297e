"""The layer contracts, written for import-linter from the one list of parts.

``make lint`` runs ``python -m tests.layers`` and the suite runs the same contracts
(tests/test_layers.py), so CI enforces them. They are generated rather than kept in a file so
that adding a part (one folder and one line in ``tracktwo.parts.PARTS``) brings its contracts
with it. The rules, from docs/architecture.md:

1. the kernel imports nothing else of tracktwo;
2. the store imports only the kernel and the list of parts (never a part's code, common or web);
3. common never imports a part, nor the composition (the app factory, the CLI, the demo);
4. a pure engine imports only the kernel (and no database or web library);
5. inside a part: engine < models < actions < (pages, api, brief, cli, demo, jobs);
6. a part uses another part only through that part's actions, and only if its manifest says
   so (``uses``);
7. pages and API routes never import SQLAlchemy (they call actions, which run the SQL).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tracktwo.parts import CORE, registered_parts

__all__ = ["contracts", "main"]

# Where a part's modules sit in its layers (highest first); a part has the ones it needs.
WEB_LAYER = ("pages", "api", "brief", "cli", "demo", "jobs")
ACTIONS, MODELS = "actions", "models"
COMPOSITION = ("tracktwo.cli", "tracktwo.demo", "tracktwo.web.app")
WEB_LIBRARIES = ("fastapi", "starlette", "jinja2", "sqlalchemy", "alembic")
# Known debt, recorded rather than hidden: the brief's registry still reads the dialogues'
# findings itself (it predates the parts). Issue 12b moves that into the dialogues part's brief
# section; until then these imports, and only these, are allowed in every contract.
BRIEF_DEBT = [
    "tracktwo.common.brief.registry -> tracktwo.parts.dialogues.models",
    "tracktwo.common.brief.registry -> tracktwo.parts.dialogues.opinion.findings",
    "tracktwo.common.brief.registry -> tracktwo.parts.dialogues.actions.findings",
    "tracktwo.common.brief.export -> tracktwo.parts.dialogues.opinion.findings",
    "tracktwo.common.brief.actions -> tracktwo.parts.dialogues.models",
    "tracktwo.common.brief.actions -> tracktwo.parts.dialogues.actions.dialogues",
]


def _present(package: str, directory: Path, names: tuple[str, ...]) -> list[str]:
    return [
        f"{package}.{name}"
        for name in names
        if (directory / f"{name}.py").exists() or (directory / name / "__init__.py").exists()
    ]


def _contract(key: str, **fields: str | list[str]) -> str:
    fields["ignore_imports"] = BRIEF_DEBT
    lines = [f"[importlinter:contract:{key}]"]
    for name, value in fields.items():
        if isinstance(value, list):
            lines.append(f"{name} =")
            lines += [f"    {item}" for item in value]
        else:
            lines.append(f"{name} = {value}")
    return "\n".join(lines)


def contracts() -> str:
    """The import-linter configuration (INI) for the parts registered now."""
    parts = registered_parts()
    part_packages = [part.package for part in parts]
    out = [
        "[importlinter]\nroot_package = tracktwo\ninclude_external_packages = True",
        _contract(
            "kernel",
            name="The kernel imports nothing else of tracktwo",
            type="forbidden",
            source_modules=["tracktwo.kernel"],
            forbidden_modules=[
                "tracktwo.store",
                "tracktwo.common",
                "tracktwo.web",
                "tracktwo.parts",
                *COMPOSITION[:2],
            ],
        ),
        _contract(
            "store",
            name="The store imports only the kernel and the list of parts",
            type="forbidden",
            source_modules=["tracktwo.store"],
            forbidden_modules=["tracktwo.common", "tracktwo.web", *COMPOSITION[:2], *part_packages],
        ),
        _contract(
            "common",
            name="The core never imports a part, nor what composes the platform",
            type="forbidden",
            source_modules=[CORE.package],
            forbidden_modules=[*COMPOSITION, *part_packages],
        ),
    ]
    pages = [
        f"{CORE.package}.{reference.partition(':')[0]}" for reference in (*CORE.pages, *CORE.api)
    ]
    for part in parts:
        directory = part.directory
        others = [other for other in parts if other.name != part.name]
        if part.engine is not None:
            engine = f"{part.package}.{part.engine}"
            out.append(
                _contract(
                    f"{part.name}-engine",
                    name=f"The {part.engine} engine imports only the kernel",
                    type="forbidden",
                    source_modules=[engine],
                    forbidden_modules=[
                        "tracktwo.store",
                        "tracktwo.common",
                        "tracktwo.web",
                        *COMPOSITION[:2],
                        *_present(part.package, directory, (*WEB_LAYER, ACTIONS, MODELS)),
                        *(other.package for other in others),
                        *WEB_LIBRARIES,
                    ],
                )
            )
        top = " | ".join(_present(part.package, directory, WEB_LAYER))
        layers = [top, *_present(part.package, directory, (ACTIONS, MODELS))]
        if part.engine is not None:
            layers.append(f"{part.package}.{part.engine}")
        out.append(
            _contract(
                f"{part.name}-layers",
                name=f"Inside {part.name}: engine < models < actions < pages, API and the rest",
                type="layers",
                layers=[layer for layer in layers if layer],
            )
        )
        for other in others:
            allowed = other.name in part.uses
            forbidden = (
                [
                    module
                    for module in _present(
                        other.package, other.directory, (*WEB_LAYER, MODELS, "part")
                    )
                ]
                + ([f"{other.package}.{other.engine}"] if other.engine else [])
                if allowed
                else [other.package]
            )
            out.append(
                _contract(
                    f"{part.name}-uses-{other.name}",
                    name=(
                        f"{part.name} uses {other.name} only through its actions"
                        if allowed
                        else f"{part.name} does not use {other.name} (not in its manifest's uses)"
                    ),
                    type="forbidden",
                    source_modules=[part.package],
                    forbidden_modules=forbidden,
                )
            )
        pages += _present(part.package, directory, ("pages", "api"))
    out.append(
        _contract(
            "pages-without-sql",
            name="Pages and API routes never import SQLAlchemy (actions run the SQL)",
            type="forbidden",
            source_modules=pages,
            forbidden_modules=["sqlalchemy"],
            allow_indirect_imports="True",
        )
    )
    return "\n\n".join(out) + "\n"


def main() -> int:
    """Check the contracts with import-linter; the exit code is import-linter's."""
    from importlinter.cli import lint_imports

    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "importlinter.ini"
        config.write_text(contracts(), encoding="utf-8")
        return int(lint_imports(config_filename=str(config), no_cache=True))


if __name__ == "__main__":
    sys.exit(main())
