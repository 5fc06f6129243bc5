"""``python -m analysis.browser COMMAND``: the evidence browser's command line."""

import sys

from analysis.cli import dispatch

COMMANDS = {
    "site": ("analysis.browser.site:main",
             "build the static offline evidence browser (HTML, CSS, a little JavaScript)"),
}

if __name__ == "__main__":
    sys.exit(dispatch("browser", COMMANDS))
