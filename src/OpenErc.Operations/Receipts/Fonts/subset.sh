#!/bin/sh
# Regenerates the receipt fonts: DejaVu Sans Condensed cut down to Latin, the whole Cyrillic block (U+0400–U+04FF: the
# letters of the names and streets of Russia's republics — ә, ө, ү, җ, ң, һ, ӑ, ӗ, ҫ…), the rouble sign and the punctuation
# a receipt prints (some 30 KB each instead of 650 KB). Needs Debian's fonts-dejavu-core and python3-fonttools.
set -e
cd "$(dirname "$0")"
for f in DejaVuSansCondensed DejaVuSansCondensed-Bold; do
  python3 -m fontTools.subset /usr/share/fonts/truetype/dejavu/$f.ttf \
    --unicodes="U+0020-007E,U+00A0-00BB,U+00D7,U+0400-04FF,U+2010-2014,U+2018-201E,U+2022,U+2026,U+2030,U+2116,U+20BD,U+2212,U+2264,U+2265" \
    --layout-features='' --no-hinting --desubroutinize --output-file=$f.ttf
done
