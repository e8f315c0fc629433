"""Render the app icon (resources/icons/kzannotate.svg) into every format the platforms want.

Outputs (committed, so building never needs this script or Pillow):
  resources/icons/hicolor/<N>x<N>/apps/io.github.kzannotate.kzannotate.png   N in SIZES (Linux, freedesktop)
  resources/icons/hicolor/scalable/apps/io.github.kzannotate.kzannotate.svg  (Linux, any size)
  resources/icons/kzannotate.ico   (Windows: PNG-compressed entries 16–256, readable since Vista)
  resources/icons/kzannotate.icns  (macOS: PNG entries 16–1024 including @2x variants)

The 16 px images come from the hand-fitted resources/icons/kzannotate-16.svg. Run after editing either SVG:  .venv/bin/python packaging/make_icons.py
Rendering uses Qt's QSvgRenderer (QtSvg ships in PySide6-Essentials); .ico and .icns are written here in
plain Python because both formats are just containers of PNG images.
"""

from __future__ import annotations

import os
import shutil
import struct
import sys
from pathlib import Path

APP_ID = "io.github.kzannotate.kzannotate"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# icns element types holding PNG data, by pixel size (the @2x types reuse the bigger renderings).
ICNS_TYPES = ((b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256), (b"ic09", 512),
              (b"ic10", 1024), (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512))

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "kzannotate.svg"
# Hand-fitted drawings for sizes where scaling the main SVG down blurs it (kzannotate-<N>.svg).
SMALL = {16: ICONS / "kzannotate-16.svg"}


def render_png(svg: Path, size: int) -> bytes:
    """The SVG rendered at ``size``×``size`` pixels, antialiased, on a transparent background."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not a valid SVG for Qt")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.convertToFormat(QImage.Format.Format_ARGB32).save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding PNG images (ICONDIR, one ICONDIRENTRY per size, then the PNGs)."""
    sizes = [s for s in ICO_SIZES if s in pngs]
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for s in sizes:
        blob = pngs[s]
        dim = 0 if s >= 256 else s  # 0 means 256 in the directory entry
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset)
        blobs += blob
        offset += len(blob)
    return header + entries + blobs


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns: the 'icns' magic and length, then (type, length, PNG) elements."""
    body = b""
    for kind, size in ICNS_TYPES:
        blob = pngs[size]
        body += kind + struct.pack(">I", len(blob) + 8) + blob
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (keeps Qt alive)
    pngs = {size: render_png(SMALL.get(size, SVG), size) for size in sorted({*SIZES, *(s for _, s in ICNS_TYPES)})}
    hicolor = ICONS / "hicolor"
    for size in SIZES:
        target = hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pngs[size])
    scalable = hicolor / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SVG, scalable)
    (ICONS / "kzannotate.ico").write_bytes(ico_bytes(pngs))
    (ICONS / "kzannotate.icns").write_bytes(icns_bytes(pngs))
    print(f"wrote {len(SIZES)} PNGs, scalable SVG, kzannotate.ico and kzannotate.icns under {ICONS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
