"""The one shape of every stage's command line: ``python -m analysis.<stage> COMMAND ...``.

Each stage's ``__main__.py`` lists its commands: name -> (``"module:function"``, help) or
(``"module:function"``, help, arguments put before the user's). The function is imported only
when its command runs, so a per-document job pays only for what it uses (``analysis.extract
document`` never imports pandas). ``--help`` on a stage lists its commands.
"""

from __future__ import annotations

import importlib
import sys

Command = tuple[str, str] | tuple[str, str, tuple[str, ...]]


def run_command(target: str, argv: list[str]) -> int:
    """Import ``module:function`` and call it with ``argv``; its return value is the exit code."""
    module, _, function = target.partition(":")
    return getattr(importlib.import_module(module), function)(argv)


def dispatch(stage: str, commands: dict[str, Command], argv: list[str] | None = None) -> int:
    """Run the command named by ``argv[0]`` with the remaining arguments; usage on a bad or
    missing command (exit 2)."""
    args = sys.argv[1:] if argv is None else list(argv)
    width = max(len(name) for name in commands)
    usage = f"usage: python -m analysis.{stage} COMMAND [options]\n\ncommands:\n" + "\n".join(
        f"  {name:<{width}}  {spec[1]}" for name, spec in commands.items()
    )
    if not args or args[0] in ("-h", "--help"):
        print(usage, file=sys.stdout if args else sys.stderr)
        return 0 if args else 2
    name, rest = args[0], args[1:]
    if name not in commands:
        print(f"analysis.{stage}: unknown command {name!r}\n\n{usage}", file=sys.stderr)
        return 2
    target, _, *prefix = commands[name]
    return run_command(target, [*(prefix[0] if prefix else ()), *rest])
