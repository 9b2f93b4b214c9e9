"""The apps' import layers (docs/architecture.md): arrows only point down.

home → decisions | meetings (independent of each other) → agreements → parties → core; documents beside core,
using only core. The contracts are in pyproject.toml ([tool.importlinter]) and also run as ``lint-imports``.
"""

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def test_imports_keep_the_layers(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    exit_code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert exit_code == 0, report
