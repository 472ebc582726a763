"""python -m bot: run the Slack bot, as `devpath serve` does."""

import sys

from bot.cli import main

if __name__ == "__main__":
    main(["serve", *sys.argv[1:]])
