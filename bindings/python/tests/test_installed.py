"""The suite must test the installed wheel, never the source folder."""

import stepstone


def test_imported_from_installed_wheel() -> None:
    path = stepstone.__file__ or ""
    assert "site-packages" in path or "dist-packages" in path, path
    assert stepstone._native.__file__.endswith((".so", ".pyd"))
