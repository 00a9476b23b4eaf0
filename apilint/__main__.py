"""Allow ``python -m apilint``."""

from apilint.cli import main

if __name__ == "__main__":
    main()
