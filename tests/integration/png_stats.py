#!/usr/bin/env python3
"""png_stats.py FILE [RRGGBB]: prints "WIDTH HEIGHT NONWHITE MATCHING" for
an 8-bit RGB/RGBA/grey PNG: the fraction of pixels that are not white,
and how many pixels are within 40 of the colour RRGGBB (0 if none given).
Pure standard library (zlib), so the render tests need nothing else."""
import struct
import sys
import zlib


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def read(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("%s: not a PNG" % path)
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype not in (0, 2, 6):
                raise SystemExit("%s: unsupported PNG type" % path)
            bpp = {0: 1, 2: 3, 6: 4}[ctype]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    i = 0
    for _ in range(h):
        f = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                line[x] = (line[x] + paeth(a, b, c)) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows


def main():
    w, h, bpp, rows = read(sys.argv[1])
    want = None
    if len(sys.argv) > 2:
        v = int(sys.argv[2], 16)
        want = ((v >> 16) & 255, (v >> 8) & 255, v & 255)
    nonwhite = match = 0
    for line in rows:
        for x in range(0, w * bpp, bpp):
            px = (line[x],) * 3 if bpp == 1 else tuple(line[x:x + 3])
            if min(px) < 245:
                nonwhite += 1
            if want and all(abs(px[k] - want[k]) <= 40 for k in range(3)):
                match += 1
    print(w, h, "%.4f" % (nonwhite / float(w * h)), match)


main()
