"""Allow ``python -m apilint``."""

from apilint.cli import run

if __name__ == "__main__":
    run()
