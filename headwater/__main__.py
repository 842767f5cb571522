"""`python -m headwater` is the `headwater` command."""

from headwater.cli import main

if __name__ == "__main__":  # spawned pool workers import this module too; only the parent runs the CLI
    main()
