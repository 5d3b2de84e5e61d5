#!/usr/bin/python3
"""Writes the chart fonts: DejaVu Sans (regular, bold) cut down to the characters charts use.

resvg lays out each label with the whole font; the full DejaVu Sans (750 KB, large kerning
and substitution tables) costs ~1 ms per label, a subset without layout tables ~0.1 ms.
Renamed "tsgrad Sans", as the Bitstream Vera licence (which DejaVu inherits) asks of modified
fonts. Needs Debian's python3-fonttools and the npm package dejavu-fonts-ttf (a dev dependency):
    /usr/bin/python3 engine/plot/fonts/make-fonts.py
"""
from pathlib import Path
from fontTools import subset
from fontTools.ttLib import TTFont

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[2] / "node_modules" / "dejavu-fonts-ttf" / "ttf"
FAMILY = "tsgrad Sans"
# ASCII, Latin-1, Latin Extended-A, Greek, general punctuation (dashes, ellipsis, ‖, ′),
# super/subscripts, arrows, mathematical operators (− ≤ ≥ ∇ ∂ ∑), box drawing and blocks.
UNICODES = [*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x370, 0x400), *range(0x2010, 0x2050),
            *range(0x2070, 0x20A0), *range(0x2190, 0x2200), *range(0x2200, 0x2300), *range(0x2500, 0x25A0)]

for source, style in [("DejaVuSans.ttf", "Regular"), ("DejaVuSans-Bold.ttf", "Bold")]:
    options = subset.Options()
    options.layout_features = []  # no GSUB/GPOS: plain advances, fast layout
    options.hinting = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    font = TTFont(SOURCE / source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=UNICODES)
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = FAMILY
        elif record.nameID == 4:
            record.string = f"{FAMILY} {style}" if style != "Regular" else FAMILY
        elif record.nameID == 6:
            record.string = f"tsgradSans-{style}"
        elif record.nameID == 3:
            record.string = f"tsgradSans-{style};subset of DejaVu Sans 2.37"
    font.save(HERE / f"tsgradSans-{style}.ttf")
    print(HERE / f"tsgradSans-{style}.ttf", (HERE / f"tsgradSans-{style}.ttf").stat().st_size)
