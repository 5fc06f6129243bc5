"""The one shape of every stage's command line: ``python -m analysis.<stage> COMMAND ...``.

Each stage's ``__main__.py`` names its commands and the function behind each; this module
only dispatches, so ``--help`` on a stage lists what it can do.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

Command = tuple[Callable[[list[str]], int], str]


def dispatch(stage: str, commands: dict[str, Command], argv: list[str] | None = None) -> int:
    """Run ``commands[argv[0]]`` with the remaining arguments; usage on a bad or no command."""
    args = sys.argv[1:] if argv is None else list(argv)
    width = max(len(name) for name in commands)
    usage = f"usage: python -m analysis.{stage} COMMAND [options]\n\ncommands:\n" + "\n".join(
        f"  {name:<{width}}  {text}" for name, (_, text) in commands.items()
    )
    if not args or args[0] in ("-h", "--help"):
        print(usage, file=sys.stdout if args else sys.stderr)
        return 0 if args else 2
    name, rest = args[0], args[1:]
    if name not in commands:
        print(f"analysis.{stage}: unknown command {name!r}\n\n{usage}", file=sys.stderr)
        return 2
    return commands[name][0](rest)
