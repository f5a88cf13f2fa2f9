#!/usr/bin/env python3
"""Builds assets/fonts/NotoSansSC-Wangge.otf: Noto Sans CJK SC (Debian fonts-noto-cjk, SIL OFL 1.1) cut down to
ASCII, common punctuation, every GB2312 character, and every character of the official division names
(npm china-division, NBS 2023) so that any township or village name in China renders.

    apt-get install fonts-noto-cjk && pip install fonttools
    npm pack china-division && tar xzf china-division-*.tgz   # -> package/dist/*.csv
    python3 tools/make_font_subset.py package/dist assets/fonts/NotoSansSC-Wangge.otf
"""
import glob
import sys
from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SC_INDEX = 2  # JP, KR, SC, TC, HK in that collection

def gb2312():
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars

def main(division_dir, out):
    chars = {chr(c) for c in range(0x20, 0x7F)} | gb2312()
    chars |= set("—–…·•°²³±×÷←→↑↓✓✗“”‘’《》〈〉「」『』【】〔〕、。，；：？！（）［］｛｝～￥％＃＆＊＋－／＜＝＞＠＼＾＿｀｜")
    for path in sorted(glob.glob(f"{division_dir}/*.csv")):
        with open(path, encoding="utf-8") as f:
            chars |= set(f.read())
    chars = {c for c in chars if c.isprintable()}
    font = TTCollection(SOURCE).fonts[SC_INDEX]
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    s = subset.Subsetter(options)
    s.populate(text="".join(sorted(chars)))
    s.subset(font)
    font.save(out)
    print(f"{len(chars)} characters -> {out}")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
