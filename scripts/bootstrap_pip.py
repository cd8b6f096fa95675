"""Install pip into a virtual environment made with --without-pip, from pip's wheel on PyPI.

Used by ./dev when python3 lacks ensurepip (Debian without python3-venv); needs only the standard library.
"""

import json
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path


def main() -> None:
    index = "https://pypi.org/pypi/pip/json"
    with urllib.request.urlopen(index, timeout=60) as response:
        release = json.load(response)
    wheel = next(f for f in release["urls"] if f["packagetype"] == "bdist_wheel")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / wheel["filename"]
        # Mirrors may answer with addresses relative to the JSON document.
        urllib.request.urlretrieve(urllib.parse.urljoin(index, wheel["url"]), path)  # noqa: S310
        # A pip wheel can run itself: python pip.whl/pip install pip.whl
        subprocess.run([sys.executable, f"{path}/pip", "install", "--quiet", str(path)], check=True)  # noqa: S603


if __name__ == "__main__":
    main()
