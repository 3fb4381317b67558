#!/usr/bin/python3
"""The activity `cargo xtask record` films in Xvnc: a window that moves across the
screen (CopyRect), and with `photo`, a photo-like picture panning inside it (what makes
Tight choose JPEG). Text scrolls in an xterm beside it (started by the recorder).

usage: DISPLAY=:N scene.py text|photo SECONDS
"""
import math
import sys
import time

from Xlib import X, display

MAX_REQUEST = 200_000  # bytes per PutImage: under the core protocol's request limit


def picture(width, height):
    """Rows of BGRX pixels: smooth colour fields with fine detail, like a photograph."""
    tx = [int(90 + 80 * math.sin(x / 37.0) + 40 * math.sin(x / 5.3)) for x in range(width)]
    ty = [int(70 + 60 * math.cos(y / 29.0) + 30 * math.sin(y / 7.1)) for y in range(height)]
    rows = []
    for y in range(height):
        a = ty[y]
        row = bytearray(width * 4)
        for x in range(width):
            b = tx[x]
            i = x * 4
            row[i] = (a + b) & 255
            row[i + 1] = (a * 2 - b + (x ^ y) % 23) & 255
            row[i + 2] = (b * 3 // 2 + a // 3) & 255
        rows.append(bytes(row))
    return rows


def main():
    scene, seconds = sys.argv[1], float(sys.argv[2])
    d = display.Display()
    screen = d.screen()
    sw, sh = screen.width_in_pixels, screen.height_in_pixels
    ww, wh = sw // 3, sh // 3
    win = screen.root.create_window(sw // 2 - 16, 16, ww, wh, 0, screen.root_depth, X.InputOutput, X.CopyFromParent,
                                    background_pixel=0x305070)
    gc = win.create_gc(foreground=0xe0e0c0, background=0x305070)
    win.map()
    d.sync()
    rows = picture(ww * 2, wh) if scene == "photo" else None
    band = max(1, MAX_REQUEST // (ww * 4))
    start = time.monotonic()
    frame = 0
    while time.monotonic() - start < seconds:
        t = time.monotonic() - start
        if rows is not None and frame % 32 == 0:
            # A new view of the picture every 1.6 s: enough to keep the encoder busy
            # without making the committed recording huge.
            off = int(t * 120) % ww
            for y0 in range(0, wh, band):
                data = b"".join(r[off * 4:(off + ww) * 4] for r in rows[y0:y0 + band])
                win.put_image(gc, 0, y0, ww, min(band, wh - y0), X.ZPixmap, 24, 0, data)
        if rows is None:
            win.fill_rectangle(gc, (frame * 13) % ww, (frame * 7) % wh, 24, 24)
        if frame % 20 == 10:
            # Move the window: the server copies what it shows (CopyRect).
            step = (frame // 20) % 4
            x = [sw // 2 - 16, sw // 2 - 96, sw // 2 - 160, sw // 2 - 64][step]
            y = [16, 64, sh // 2 - 32, sh // 3][step]
            win.configure(x=x, y=y)
        d.sync()
        frame += 1
        time.sleep(0.05)


if __name__ == "__main__":
    main()
