// The oracle: inputs for VMware's wmks.js functions, and the function that runs them in
// a page where wmks.js is loaded (`window.WMKS`). Its answers are kept in
// tests/fixtures/webmks/oracle.json, which the native test tests/webmks.rs holds our
// engine to; wmks.mjs checks the file against wmks.js on every run.

/** VMware's run-length bitmaps: the first run's state, then each length in Elias gamma. */
function bitmap(runs) {
  const bits = [runs[0][0] ? 1 : 0];
  for (const [, n] of runs) {
    const width = n.toString(2).length;
    for (let i = 1; i < width; i++) bits.push(0);
    for (const b of n.toString(2)) bits.push(Number(b));
  }
  const bytes = [];
  for (let i = 0; i < bits.length; i += 8) bytes.push(bits.slice(i, i + 8).reduce((v, b, j) => v | (b << (7 - j)), 0));
  return bytes;
}

const range = (n, f) => Array.from({ length: n }, (_, i) => f(i));

export const ORACLE_CASES = {
  // Diff-JPEG: ops and the previous JPEG (its first bytes are all that matter).
  diffJpeg: [
    { ops: [1, 4, 2, 3, 0xa1, 0xa2, 0xa3, 9, 3, 0xe1, 0xe2], prev: range(20, (i) => i + 100) },
    { ops: [2, 2, 7, 8, 1, 3], prev: range(10, (i) => i) },
    { ops: [1, 6, 3], prev: range(3, (i) => i + 50) },
    { ops: [5, 2, 1, 0xff, 3, 1, 2, 3, 4], prev: range(300, (i) => i & 0xff) },
  ],
  // VMWDefineCursor bodies (after the type and padding bytes): type 0 is the AND mask
  // then the XOR pixels, four bytes a pixel; type 1 is four bytes a pixel.
  cursors: [
    {
      type: 0, width: 2, height: 2,
      body: [
        255, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 0, 255, 255, 255, 0,
        0, 0, 0, 0, 9, 8, 7, 0, 30, 20, 10, 0, 60, 50, 40, 0,
      ],
    },
    { type: 1, width: 2, height: 1, body: [10, 20, 30, 255, 1, 2, 3, 128] },
    { type: 1, width: 1, height: 1, body: [5, 6, 7, 0] },
  ],
  // ServerCutText payloads, as UTF-8.
  cutText: ["plain", "héllo ✓", "漢字 and ü"],
  // Wheel events as wmks.js's widget passes them: x, y, wheelX, wheelY (each -1…1).
  wheel: [[10, 20, 0, 1], [300, 400, 0, -1], [5, 6, 1, 0]],
  // UpdateAck: elapsed ms, update id.
  updateAck: [[0, 7], [13, 200], [6552, 3]],
  // Update cache: a 64×32 picture of eight 16×16 tiles (tile i has its own colour),
  // End into a region with a mask, then Replay with another mask.
  updateCache: [
    {
      picture: [64, 32], screen: [128, 96], subRectangles: true, region: [16, 16, 48, 48],
      end: bitmap([[true, 2], [false, 1], [true, 4], [false, 2]]),
      replay: bitmap([[false, 1], [true, 3], [false, 2]]),
    },
    {
      picture: [64, 32], screen: [64, 48], subRectangles: false, region: [0, 0, 0, 0],
      end: bitmap([[false, 1], [true, 5], [false, 6]]),
      replay: bitmap([[true, 5]]),
    },
  ],
};

/** The colour of picture tile `i` (unique, opaque). */
export const tileColour = (i) => [i * 24 + 7, 200 - i * 16, 90 + i * 5, 255];

/** Runs in the page: what wmks.js makes of each case. */
export async function computeOracle(cases) {
  const W = window.WMKS;
  const tileColour = (i) => [i * 24 + 7, 200 - i * 16, 90 + i * 5, 255];
  const decoder = (options = {}) => {
    const d = new W.VNCDecoder({ canvas: document.createElement("canvas"), ...options });
    const sent = [];
    d._sendBytes = (a) => sent.push(Array.from(a));
    d._serverInitialized = true;
    return { d, sent };
  };
  const feed = (d, bytes) => {
    const u = new Uint8Array(bytes);
    d._receiveQueue = [{ data: u.buffer }];
    d._receiveQueueLength = u.length;
    d._receiveQueueIndex = 0;
  };
  const out = {};
  out.diffJpeg = cases.diffJpeg.map(({ ops, prev }) =>
    Array.from(W.VNCDecoder.prototype._decodeDiffComp.call(W.VNCDecoder.prototype, new Uint8Array(ops), new Uint8Array(prev))));
  out.cursors = cases.cursors.map((c) => {
    const { d } = decoder();
    let got = null;
    d._changeCursor = (e, f) => { got = { e: Array.from(e), f: Array.from(f) }; };
    d._nextRect = () => {};
    feed(d, c.body);
    const px = c.width * c.height * 4;
    d._readVMWDefineCursorData({ cursorType: c.type, pixelslength: px, masklength: c.type === 0 ? px : 0, x: 0, y: 0, width: c.width, height: c.height });
    // As _changeCursor writes the cursor's bitmap: B, G, R, and the mask's bit as alpha
    // (type 0) or the fourth byte (type 1). Here as R, G, B, A.
    const rgba = [];
    for (let y = 0; y < c.height; y++) {
      for (let x = 0; x < c.width; x++) {
        const n = (c.width * y + x) * 4;
        const alpha = got.f.length > 0 ? (((got.f[y * Math.ceil(c.width / 8) + Math.floor(x / 8)] << (x % 8)) & 128) ? 255 : 0) : got.e[n + 3];
        rgba.push(got.e[n + 2], got.e[n + 1], got.e[n], alpha);
      }
    }
    return rgba;
  });
  out.cutText = cases.cutText.map((s) => {
    const { d } = decoder();
    const b = new TextEncoder().encode(s);
    feed(d, b);
    return d._readStringUTF8(b.length);
  });
  {
    const { d, sent } = decoder();
    d._sendClientCaps();
    out.clientCaps = sent[0];
  }
  out.updateAck = cases.updateAck.map(([ms, id]) => {
    const { d, sent } = decoder();
    d.useVMWAck = true;
    d._sendAck(ms, id);
    return sent[0];
  });
  out.wheel = cases.wheel.map(([x, y, wx, wy]) => {
    const { d, sent } = decoder();
    d.onMouseWheel(x, y, wx, wy);
    return sent[0];
  });
  {
    const { d, sent } = decoder({ backCanvas: document.createElement("canvas") });
    d._sendClientEncodingsMsg();
    out.setEncodings = sent[0];
  }
  out.updateCache = [];
  for (const c of cases.updateCache) {
    const [pw, ph] = c.picture;
    const picture = document.createElement("canvas");
    [picture.width, picture.height] = [pw, ph];
    const pctx = picture.getContext("2d");
    for (let i = 0; i < (pw / 16) * (ph / 16); i++) {
      const [r, g, b] = tileColour(i);
      pctx.fillStyle = `rgb(${r},${g},${b})`;
      pctx.fillRect((i % (pw / 16)) * 16, Math.floor(i / (pw / 16)) * 16, 16, 16);
    }
    const image = await createImageBitmap(picture);
    const screen = document.createElement("canvas");
    [screen.width, screen.height] = c.screen;
    const { d } = decoder({ canvas: screen });
    d._FBWidth = c.screen[0];
    d._FBHeight = c.screen[1];
    d.options.enableSubRectangleCache = true;
    d.cacheFlags = c.subRectangles ? 0x100 : 0;
    d.updateCacheEntries = 4;
    d.updateCache = [0, 1, 2, 3].map(() => ({ image: null }));
    d.updateCache[1] = { image, imageWidth: pw, imageHeight: ph };
    d.decodeToCacheEntry = 1;
    const tiles = () => {
      const px = screen.getContext("2d").getImageData(0, 0, screen.width, screen.height).data;
      const map = [];
      for (let y = 8; y < screen.height; y += 16) {
        for (let x = 8; x < screen.width; x += 16) {
          const o = (y * screen.width + x) * 4;
          const found = [...Array(64).keys()].find((i) => tileColour(i).every((v, k) => v === px[o + k]));
          map.push(found ?? -1);
        }
      }
      return map;
    };
    const [x, y, width, height] = c.region;
    d._executeUpdateCacheEnd({ slot: 1, x, y, width, height, data: new Uint8Array(c.end), dataLength: c.end.length });
    const end = tiles();
    screen.getContext("2d").clearRect(0, 0, screen.width, screen.height);
    d._executeUpdateCacheReplay({ slot: 1, data: new Uint8Array(c.replay), dataLength: c.replay.length });
    out.updateCache.push({ end, replay: tiles() });
  }
  return out;
}
