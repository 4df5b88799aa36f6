"""The portal's deployment files: nginx and systemd templates, and the function that fills them in."""
