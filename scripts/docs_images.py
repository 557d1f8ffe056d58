"""Copy the teaching screenshots the browser tests take (artifacts/screenshots/) into docs/img/ for docs/teaching.md,
960 px wide, 256 colours: `python -m pytest -m browser tests/browser/test_teaching.py && python scripts/docs_images.py`."""
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("present-03.png", "slides-03.png", "site-index.png")

for name in NAMES:
    image = Image.open(ROOT / "artifacts" / "screenshots" / name).convert("RGB")
    width, height = image.size
    image = image.resize((960, round(height * 960 / width)), Image.LANCZOS)
    image.quantize(256, method=Image.Quantize.FASTOCTREE).save(ROOT / "docs" / "img" / name, optimize=True)
    print(name, (ROOT / "docs" / "img" / name).stat().st_size, "bytes")
