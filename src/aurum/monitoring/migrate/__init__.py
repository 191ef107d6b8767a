"""Migration paths: Sloth and OpenSLO specifications in, declaration files out; OpenSLO out."""
