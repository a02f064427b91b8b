"""The HTTP API (`rkg.api`): `create_app` in app.py; `rkg serve` in cli.py."""
