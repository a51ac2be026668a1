"""The ``redline`` subcommands, a module a group: each adds its parsers and runs its commands."""
