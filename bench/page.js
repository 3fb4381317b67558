// The benchmark page: replays a recording's server bytes into vsphere-console (the
// package as it ships, through its own socket, painter and image decoder) or into
// noVNC 1.7.0, through one in-page WebSocket stand-in that both open as they would a
// real one. Each frame arrives in its own task, as from a network.
import { VSphereConsole } from "/pkg/index.js";

/** The socket both clients get from `new WebSocket(url, protocols)`. */
class ReplaySocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  static current = null;

  constructor(url, protocols) {
    this.url = url;
    this.protocol = "binary";
    this.binaryType = "blob";
    this.readyState = ReplaySocket.CONNECTING;
    this.bufferedAmount = 0;
    this.onopen = this.onmessage = this.onclose = this.onerror = null;
    this.sent = [];
    this.onsend = null;
    ReplaySocket.current = this;
    queueMicrotask(() => {
      this.readyState = ReplaySocket.OPEN;
      this.onopen?.(new Event("open"));
      ReplaySocket.opened?.();
    });
  }
  send(data) {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer ?? data, data.byteOffset ?? 0, data.byteLength ?? data.length);
    this.onsend?.(bytes, performance.now());
  }
  close() {
    if (this.readyState === ReplaySocket.CLOSED) return;
    this.readyState = ReplaySocket.CLOSED;
    this.closed = true;
    queueMicrotask(() => this.onclose?.(new CloseEvent("close", { code: 1000, wasClean: true })));
  }
  addEventListener(type, fn) { this[`on${type}`] = fn; }
  removeEventListener() {}
}
const NativeWebSocket = window.WebSocket;
window.WebSocket = ReplaySocket;

/**
 * The finish line is the animation frame that shows the last picture, for every client:
 * vsphere-console paints in an animation frame (its `settled()` resolves there), noVNC
 * and wmks.js draw at once and the browser shows it in the next one, which is awaited.
 */
const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r()));

/** Posts a zero-delay task (setTimeout is clamped to 4 ms when nested). */
const channel = new MessageChannel();
const tasks = [];
channel.port1.onmessage = () => tasks.shift()?.();
const nextTask = () => new Promise((r) => { tasks.push(r); channel.port2.postMessage(0); });

/** Parses the bench container: u32 count, then u32 length + bytes per server frame. */
function parseFrames(buf) {
  const view = new DataView(buf);
  const frames = [];
  let pos = 4;
  for (let i = 0, n = view.getUint32(0, true); i < n; i++) {
    const len = view.getUint32(pos, true);
    frames.push(new Uint8Array(buf, pos + 4, len));
    pos += 4 + len;
  }
  return frames;
}

const recordings = new Map();
async function frames(name) {
  if (!recordings.has(name)) {
    const r = await fetch(`/rec/${name}`);
    if (!r.ok) throw new Error(`no recording ${name}`);
    recordings.set(name, parseFrames(await r.arrayBuffer()));
  }
  return recordings.get(name);
}

async function sha256(data) {
  const digest = await crypto.subtle.digest("SHA-256", data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function canvasHash(canvas) {
  const d = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  return `${canvas.width}x${canvas.height} ${(await sha256(d.data)).slice(0, 16)}`;
}

/** Feeds every frame, one per task; resolves when the last has been handed over. */
async function deliver(sock, list) {
  for (const f of list) {
    await nextTask();
    if (sock.closed) throw new Error("the client closed the socket during the replay");
    const copy = f.slice().buffer;
    sock.onmessage?.(new MessageEvent("message", { data: copy }));
  }
}

function freshElement() {
  document.getElementById("stage")?.remove();
  const el = document.createElement("div");
  el.id = "stage";
  document.body.append(el);
  return el;
}

const POLICY = { allowInsecure: true, allowedHosts: ["127.0.0.1"], allowedPorts: [9] };
const TICKET = { ticket: "bench-replay-ticket", host: "127.0.0.1", port: 9, url: "ws://127.0.0.1:9/ticket/bench-replay-ticket" };

/** Starts vsphere-console on the replay socket; resolves once the socket is open. */
async function startEngine(el) {
  const opened = new Promise((r) => { ReplaySocket.opened = r; });
  const c = new VSphereConsole(el, { ticket: TICKET, requestedFrom: "http://127.0.0.1:9", policy: POLICY, reconnect: false, stepTimeoutSeconds: 120 });
  await c.ready;
  const sock = await waitSocket(opened);
  return { client: c, sock, canvas: c.canvas, settled: () => c.settled(), stop: () => c.destroy() };
}

async function startNoVnc(el) {
  const opened = new Promise((r) => { ReplaySocket.opened = r; });
  // Loaded on first use, so a page that measures vsphere-console's memory holds no noVNC.
  const { default: NoVncRFB } = await import("/novnc/core/rfb.js");
  const rfb = new NoVncRFB(el, "ws://127.0.0.1:9/");
  const sock = await waitSocket(opened);
  const settled = async () => {
    // As noVNC's own playback does: nothing left to read, nothing left in the render queue.
    for (;;) {
      if (rfb._display.pending()) await rfb._display.flush();
      else if (rfb._flushing || rfb._sock.rQlen() > 0) await nextTask();
      else return nextFrame();
    }
  };
  return { client: rfb, sock, canvas: el.querySelector("canvas"), settled, stop: () => rfb.disconnect() };
}

/** VMware's wmks.js 2.1 (npm opennebula-wmks, a test tool: it bundles jQuery and jQuery UI), on first use. */
let wmksModule = null;
async function loadWmks() {
  wmksModule ??= (await import("/wmks/wmks.js")).default;
  return wmksModule;
}

/** wmks.js as a portal embeds it: `createWMKS(id, options).connect(url)`. */
async function createWmks(el, url) {
  const WMKS = await loadWmks();
  const core = WMKS.createWMKS(el.id, {});
  core.connect(url);
  return core;
}

async function startWmks(el) {
  const opened = new Promise((r) => { ReplaySocket.opened = r; });
  const core = await createWmks(el, "ws://127.0.0.1:9/");
  const sock = await waitSocket(opened);
  const decoder = core.wmksData._vncDecoder;
  const settled = async () => {
    // Nothing left to read and no update in hand (wmks.js holds an update until its
    // images have decoded, then draws it all at once).
    for (;;) {
      if (decoder._receiveQueueBytesUnread() > 0 || decoder.rects !== 0) await nextTask();
      else return nextFrame();
    }
  };
  const stop = () => { core.disconnect(); core.destroy(); };
  return { client: core, sock, canvas: decoder._canvas[0], settled, stop };
}

/**
 * A live session against the lab, recorded as the bench's other recordings are (the
 * server's frames): wmks.js drives it, so the stream is what ESXi's dialect gives
 * VMware's own client. Kept in this page as recording `name`.
 */
async function recordLive(name, url, seconds, width, height) {
  const list = [];
  class Recorder extends NativeWebSocket {
    constructor(u, p) {
      super(u, p);
      this.addEventListener("message", (e) => { if (e.data instanceof ArrayBuffer) list.push(new Uint8Array(e.data.slice(0))); });
    }
  }
  window.WebSocket = Recorder;
  try {
    // wmks.js asks the server for its element's size.
    const el = freshElement();
    el.style.width = `${width}px`;
    el.style.height = `${height}px`;
    const core = await createWmks(el, url);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    core.disconnect();
    core.destroy();
  } finally {
    window.WebSocket = ReplaySocket;
  }
  document.getElementById("stage")?.remove();
  recordings.set(name, list);
  return { frames: list.length, bytes: list.reduce((t, f) => t + f.length, 0) };
}

async function waitSocket(opened) {
  await opened;
  const sock = ReplaySocket.current;
  ReplaySocket.opened = null;
  return sock;
}

/** One replay; resolves to { ms, hash }. */
async function replay(which, name) {
  const list = await frames(name);
  const el = freshElement();
  const start = { engine: startEngine, novnc: startNoVnc, wmks: startWmks }[which];
  const run = await start(el);
  const t0 = performance.now();
  await deliver(run.sock, list);
  await run.settled();
  const ms = performance.now() - t0;
  const hash = await canvasHash(run.canvas);
  run.stop();
  el.remove();
  await nextTask();
  return { ms, hash };
}

/**
 * Ticket to first painted frame with a real ticket from the lab, and where the time
 * went: until the socket exists (options, policy), until it is open, until the first
 * update's last byte (the RFB handshake and the server's encoding), until the
 * `connect` event (decoding and painting it).
 */
async function firstFrame(ticket, requestedFrom) {
  const marks = { socket: 0, open: 0, update: 0 };
  let serverInitSeen = false;
  class Timed extends NativeWebSocket {
    constructor(u, p) {
      super(u, p);
      marks.socket = performance.now();
      this.addEventListener("open", () => { marks.open = performance.now(); });
      this.addEventListener("message", (e) => {
        const b = new Uint8Array(e.data instanceof ArrayBuffer ? e.data : new ArrayBuffer(0));
        // The lab sends each step of the handshake and each update as a message of its
        // own; the first message after ServerInit that starts a FramebufferUpdate.
        if (serverInitSeen && b[0] === 0 && !marks.update) marks.update = performance.now();
        if (b.length >= 24 && !serverInitSeen && b.length === 24 + new DataView(b.buffer, b.byteOffset).getUint32(20)) serverInitSeen = true;
      });
    }
  }
  window.WebSocket = Timed;
  try {
    const el = freshElement();
    const t0 = performance.now();
    const c = new VSphereConsole(el, { ticket, requestedFrom, policy: { allowInsecure: true, allowedHosts: ["127.0.0.1"], allowedPorts: [Number(new URL(requestedFrom).port)] }, reconnect: false });
    await new Promise((resolve, reject) => {
      c.addEventListener("connect", resolve, { once: true });
      c.addEventListener("error", (e) => reject(new Error(e.detail.sentence)), { once: true });
    });
    const end = performance.now();
    c.destroy();
    el.remove();
    const phase = (a, b) => (a && b ? b - a : null);
    return { ms: end - t0, to_socket: phase(t0, marks.socket), to_open: phase(marks.socket, marks.open), to_update: phase(marks.open, marks.update), to_painted: phase(marks.update, end) };
  } finally {
    window.WebSocket = ReplaySocket;
  }
}

/** Heap and wasm memory as the browser counts them (needs a cross-origin-isolated page). */
async function memory() {
  if (!crossOriginIsolated || !performance.measureUserAgentSpecificMemory) return null;
  const m = await performance.measureUserAgentSpecificMemory();
  return m.bytes;
}

/** Holds `which` connected on a loop of `name`'s updates for `seconds`; memory at start and end. */
async function soak(name, seconds, loopFrom) {
  const list = await frames(name);
  const el = freshElement();
  const run = await startEngine(el);
  await deliver(run.sock, list);
  await run.settled();
  const before = await memory();
  const end = performance.now() + seconds * 1000;
  let loops = 0;
  while (performance.now() < end) {
    await deliver(run.sock, list.slice(loopFrom));
    await run.settled();
    loops++;
  }
  const after = await memory();
  run.stop();
  el.remove();
  return { before, after, loops };
}

/**
 * `count` consoles side by side, all replaying `name`'s updates in a loop, while the
 * test presses keys in the first: each key's time from the browser's event to its
 * KeyEvent on the socket.
 */
async function dashboardStart(name, count, loopFrom) {
  const list = await frames(name);
  document.getElementById("grid")?.remove();
  const grid = document.createElement("div");
  grid.id = "grid";
  document.body.append(grid);
  const runs = [];
  for (let i = 0; i < count; i++) {
    const el = document.createElement("div");
    el.className = "cell";
    grid.append(el);
    runs.push(await startEngine(el));
  }
  window.__keyLatency = [];
  let lastKeyEvent = 0;
  // Window capture runs before the console's own listener on the canvas.
  window.addEventListener("keydown", (e) => { lastKeyEvent = e.timeStamp; }, { capture: true });
  runs[0].sock.onsend = (bytes, at) => {
    // KeyEvent, or QEMU's extended key event (Xvnc offers it, so the console uses it).
    const key = bytes[0] === 4 || (bytes[0] === 255 && bytes[1] === 0);
    if (key && lastKeyEvent) { window.__keyLatency.push(at - lastKeyEvent); lastKeyEvent = 0; }
  };
  window.__dashboard = { stop: false };
  const loop = async (run, first) => {
    await deliver(run.sock, first ? list : list.slice(loopFrom));
    while (!window.__dashboard.stop) {
      await deliver(run.sock, list.slice(loopFrom));
      await nextTask();
    }
  };
  window.__dashboard.done = Promise.all(runs.map((r) => loop(r, true).catch(() => {})));
  window.__dashboard.runs = runs;
  runs[0].canvas.focus();
}

async function dashboardStop() {
  window.__dashboard.stop = true;
  await window.__dashboard.done;
  for (const r of window.__dashboard.runs) r.stop();
  document.getElementById("grid")?.remove();
  return window.__keyLatency;
}

window.bench = { replay, recordLive, firstFrame, memory, soak, dashboardStart, dashboardStop, frames: async (n) => (await frames(n)).length };
