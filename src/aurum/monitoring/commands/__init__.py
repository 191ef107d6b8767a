"""Sub-commands of ``aurum-obs`` beyond the build: each module adds its parser and runs it."""
