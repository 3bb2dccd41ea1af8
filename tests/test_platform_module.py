"""platform/ must stay a source root, not a package that shadows the standard module."""
import platform
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_standard_platform_module_still_works() -> None:
    assert platform.system()
    assert platform.__file__ and "site-packages" not in platform.__file__
    assert Path(platform.__file__).parent != ROOT / "platform"
    assert uuid.uuid4()


def test_platform_folder_is_not_a_package() -> None:
    assert not (ROOT / "platform" / "__init__.py").exists()
