// `cargo xtask bench` runs this: vsphere-console against noVNC 1.7.0 in one headless
// Chromium page, on every committed recording, A B A B; against VMware's wmks.js 2.1 on
// live lab sessions in ESXi's dialect; then the first-frame latency against the lab,
// memory at 1920x1080 and over a soak, and a 16-console dashboard.
// Prints one JSON object (the xtask writes BENCHMARKS.md from it).
//
// env: PAIRS (default 7), SOAK_MINUTES (default 10), ONLY (a substring of recording
// names, or `wmks` or `latency` for those parts alone), LAB_BIN, NPM_PACKAGE_DIR.
import { createServer } from "node:http";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { createRequire } from "node:module";
import { gunzipSync, gzipSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import { configFile, labCall, startLab } from "../tests/e2e/lib.mjs";
import { gatewayVm, startXvnc } from "../tests/e2e/servers.mjs";

const require = createRequire(new URL("../tools/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const ROOT = new URL("..", import.meta.url).pathname;
const PAIRS = Number(process.env.PAIRS || 7);
const SOAK_MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const ONLY = process.env.ONLY || "";
/** How long each live lab session runs for the wmks.js comparison. */
const LIVE_SECONDS = 8;
const RECORDINGS = join(ROOT, "tests/recordings");
const log = (...a) => console.error("bench:", ...a);

/** Every committed recording `ONLY` picks: NAME.js or NAME.js.gz. */
function recordingNames() {
  return readdirSync(RECORDINGS)
    .filter((f) => f.endsWith(".js") || f.endsWith(".js.gz"))
    .map((f) => f.replace(/\.js(\.gz)?$/, ""))
    .filter((n) => n.includes(ONLY))
    .sort();
}

function recordingFile(name) {
  const gz = join(RECORDINGS, `${name}.js.gz`);
  try { return gunzipSync(readFileSync(gz), { maxOutputLength: 2 ** 32 }); } catch (e) {
    if (e.code !== "ENOENT") throw e;
    return readFileSync(join(RECORDINGS, `${name}.js`));
  }
}

const ESCAPES = { 0x6e: 10, 0x72: 13, 0x74: 9, 0x30: 0, 0x5c: 0x5c, 0x27: 0x27, 0x22: 0x22 };

/**
 * The server's frames of a websockify recording, as u32 count + (u32 length, bytes)*.
 * Parsed from bytes, not as one string: a large recording's text is longer than a
 * JavaScript string may be.
 */
const parsed = new Map();

/** `parseServerFrames`, once per recording: the table, the server and the memory figure all need it. */
function serverFrames(name) {
  if (!parsed.has(name)) parsed.set(name, parseServerFrames(name));
  return parsed.get(name);
}

/**
 * vsphere-console sends no SetPixelFormat to a server whose own format is 32-bit RGBX or
 * BGRX (as VMware's client), so the ServerInit is made to announce the format the
 * recording client asked for, as a server whose own format it is would; then both clients
 * read the bytes as they were recorded (noVNC asks for that format itself). The same as
 * `server_frames` in tests/web_paint.rs. RFB 3.8 with security None, as every recording.
 */
function announceAskedFormat(name, frames, asked) {
  if (!asked) return;
  const stream = Buffer.concat(frames);
  if (stream.toString("latin1", 0, 12) !== "RFB 003.008\n") throw new Error(`${name}: not RFB 3.8`);
  const at = 12 + 1 + stream[12] + 4 + 4;
  asked.copy(stream, at);
  let pos = 0;
  for (const [k, f] of frames.entries()) {
    frames[k] = stream.subarray(pos, pos + f.length);
    pos += f.length;
  }
}

function parseServerFrames(name) {
  const buf = recordingFile(name);
  const out = [];
  let asked = null;
  let i = buf.indexOf(0x5b);
  for (;;) {
    const q = buf.indexOf(0x27, i);
    if (q < 0) break;
    const lit = Buffer.allocUnsafe(findEnd(buf, q + 1) - q - 1);
    let n = 0, j = q + 1;
    while (buf[j] !== 0x27) {
      const c = buf[j];
      if (c === 0x5c) {
        const e = buf[j + 1];
        if (e === 0x78) { lit[n++] = parseInt(buf.toString("latin1", j + 2, j + 4), 16); j += 4; }
        else if (e === 0x75) { lit[n++] = parseInt(buf.toString("latin1", j + 2, j + 6), 16); j += 6; }
        else if (e in ESCAPES) { lit[n++] = ESCAPES[e]; j += 2; }
        else throw new Error(`${name}: unknown escape \\${String.fromCharCode(e)}`);
      } else if (c >= 0xc0) {
        // A raw latin-1 character, written as UTF-8.
        lit[n++] = ((c & 0x1f) << 6) | (buf[j + 1] & 0x3f);
        j += 2;
      } else { lit[n++] = c; j++; }
    }
    i = j + 1;
    const frame = lit.subarray(0, n);
    if (frame.length === 3 && frame.toString("latin1") === "EOF") break;
    if (frame[0] !== 0x7b) {
      // `}`: the client's bytes. Its SetPixelFormat is the format the server's bytes are in.
      const data = frame.subarray(frame.indexOf(0x7d, 1) + 1);
      if (!asked && data[0] === 0 && data.length >= 20) asked = Buffer.from(data.subarray(4, 20));
      continue;
    }
    out.push(Buffer.from(frame.subarray(frame.indexOf(0x7b, 1) + 1)));
  }
  announceAskedFormat(name, out, asked);
  const total = out.reduce((t, b) => t + 8 + b.length, 4);
  const container = Buffer.allocUnsafe(total);
  container.writeUInt32LE(out.length, 0);
  let pos = 4;
  for (const b of out) {
    container.writeUInt32LE(b.length, pos);
    b.copy(container, pos + 4);
    pos += 4 + b.length;
  }
  return { container, frames: out.length, bytes: out.reduce((t, b) => t + b.length, 0) };
}

/** The index of the quote that ends the literal starting at `start`. */
function findEnd(buf, start) {
  let j = start;
  while (buf[j] !== 0x27) {
    if (j >= buf.length) throw new Error("an unterminated string in a recording");
    j += buf[j] === 0x5c ? 2 : 1;
  }
  return j;
}

const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".html": "text/html", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json" };

function serve() {
  const roots = {
    "/bench/": join(ROOT, "bench"),
    "/pkg/": process.env.NPM_PACKAGE_DIR || join(ROOT, "target/npm/vsphere-console"),
    "/novnc/": join(ROOT, "tools/node_modules/@novnc/novnc"),
    "/wmks/": join(ROOT, "tools/node_modules/opennebula-wmks/dist"),
  };
  const server = createServer((req, res) => {
    // Cross-origin isolated, so the page may measure its memory.
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    res.setHeader("Cross-Origin-Embedder-Policy", "require-corp");
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path.startsWith("/rec/")) {
      const name = path.slice(5);
      res.setHeader("content-type", "application/octet-stream");
      return res.end(serverFrames(name).container);
    }
    for (const [prefix, dir] of Object.entries(roots)) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(dir, path.slice(prefix.length)));
      if (!file.startsWith(dir)) break;
      try {
        const body = readFileSync(file);
        res.setHeader("content-type", TYPES[extname(file)] || "application/octet-stream");
        return res.end(body);
      } catch { break; }
    }
    res.statusCode = 404;
    res.end("not found");
  });
  return new Promise((r) => server.listen(0, "127.0.0.1", () => r({ server, origin: `http://127.0.0.1:${server.address().port}` })));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function main() {
  const { server, origin } = await serve();
  if (process.env.SERVE_ONLY) {
    // For a look by hand: the page is at ORIGIN/bench/page.html.
    return console.log(origin);
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--js-flags=--expose-gc", "--enable-blink-features=ForceEagerMeasureMemory"],
  });
  const version = browser.version();
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  await page.goto(`${origin}/bench/page.html`);
  await page.waitForFunction(() => window.bench);
  const gc = () => page.evaluate(() => globalThis.gc?.());

  /**
   * vsphere-console against `rival` on one recording: one unmeasured run of each, then
   * `PAIRS` pairs; the ratio is the median of each pair's ours / theirs.
   */
  const compare = async (name, rival, info) => {
    const times = { engine: [], [rival]: [] };
    const hashes = { engine: new Set(), [rival]: new Set() };
    const ratios = [];
    let error = null;
    try {
      // One unmeasured run of each warms the caches and the JIT.
      for (const which of ["engine", rival]) await page.evaluate(([w, n]) => window.bench.replay(w, n), [which, name]);
      for (let i = 0; i < PAIRS; i++) {
        const pair = {};
        for (const which of ["engine", rival]) {
          await gc();
          const r = await page.evaluate(([w, n]) => window.bench.replay(w, n), [which, name]);
          times[which].push(r.ms);
          hashes[which].add(r.hash);
          pair[which] = r.ms;
        }
        ratios.push(pair.engine / pair[rival]);
      }
    } catch (e) {
      error = String(e.message || e).split("\n")[0];
    }
    const same = hashes.engine.size === 1 && hashes[rival].size === 1 && [...hashes.engine][0] === [...hashes[rival]][0];
    const row = {
      name, frames: info.frames, bytes: info.bytes, pairs: ratios.length,
      engine_ms: times.engine.length ? round(median(times.engine)) : null,
      rival_ms: times[rival].length ? round(median(times[rival])) : null,
      ratio: ratios.length ? round(median(ratios), 3) : null,
      picture: error ? `error: ${error}` : same ? "same" : `differs (ours ${[...hashes.engine].join(", ")}; theirs ${[...hashes[rival]].join(", ")})`,
    };
    log(rival, JSON.stringify(row));
    return row;
  };

  const rows = [];
  for (const name of recordingNames()) rows.push(await compare(name, "novnc", serverFrames(name)));

  // Against VMware's wmks.js 2.1 on live sessions with the lab in ESXi's dialect, which
  // wmks.js itself drives while this page records the server's frames. The committed
  // recordings cannot be its: it decodes only Raw, CopyRect and TightPNG, and it drops
  // the connection at a pseudo-encoding it does not know, which every one of them holds
  // (Xvnc's rich cursor -239, QEMU's extended key event -258).
  let wmks = null;
  if (!ONLY || ONLY === "wmks") {
    wmks = { rows: [], live: [] };
    const lab = await startLab(["--config", configFile({ vms: [{ moid: "vm-301", name: "moving-photo", powerState: "poweredOn", host: "host-10", motion: true }] })]);
    try {
      const login = await labCall(lab, "SessionManager/SessionManager/Login", { userName: "demo@vsphere.local", password: "demo" });
      for (const [w, h] of [[1024, 768], [1920, 1080]]) {
        const t = await labCall(lab, "VirtualMachine/vm-301/AcquireTicket", { ticketType: "webmks" }, login.session);
        const name = `lab-esxi-${w}x${h}-moving-photo`;
        const rec = await page.evaluate(([n, url, s, w, h]) => window.bench.recordLive(n, url, s, w, h), [name, t.json.url, LIVE_SECONDS, w, h]);
        wmks.live.push({ name, seconds: LIVE_SECONDS, ...rec });
        log("recorded", name, JSON.stringify(rec));
        wmks.rows.push(await compare(name, "wmks", rec));
      }
    } finally {
      lab.stop();
    }
  }

  // Ticket to first painted frame, a real ticket from the lab over a loopback socket, in a
  // page of its own (the replay page holds every recording). Twice: the lab's own desktop
  // (a Raw-only server: its first frame is 3 MB), and Xvnc behind the lab's gateway (a real
  // server, which compresses as real servers do).
  let latency = null;
  if (!ONLY || ONLY === "latency") {
    const own = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
    await own.goto(`${origin}/bench/page.html`);
    await own.waitForFunction(() => window.bench);
    const measure = async (labArgs, vm) => {
      const lab = await startLab(labArgs);
      try {
        const login = await labCall(lab, "SessionManager/SessionManager/Login", { userName: "demo@vsphere.local", password: "demo" });
        const ms = [];
        for (let i = 0; i < 16; i++) {
          const t = await labCall(lab, `VirtualMachine/${vm}/AcquireTicket`, { ticketType: "webmks" }, login.session);
          const one = await own.evaluate(([t, from]) => window.bench.firstFrame(t, from), [t.json, lab.url.replace(/\/$/, "")]);
          // The first run loads and compiles the page's code: not measured.
          if (i > 0) ms.push(one);
        }
        const med = (k) => { const xs = ms.map((m) => m[k]).filter((x) => x !== null); return xs.length ? round(median(xs)) : null; };
        return {
          runs: ms.length, median_ms: med("ms"), max_ms: round(Math.max(...ms.map((m) => m.ms))),
          phases: { to_socket: med("to_socket"), to_open: med("to_open"), to_update: med("to_update"), to_painted: med("to_painted") },
        };
      } finally {
        lab.stop();
      }
    };
    latency = { lab: await measure([], "vm-101") };
    const x = await startXvnc({ geometry: "1024x768" });
    try {
      latency.xvnc = await measure(["--config", configFile({ vms: [gatewayVm("bench-xvnc", x.port)] })], "vm-201");
    } finally {
      x.stop();
    }
    await own.close();
    log("latency", JSON.stringify(latency));
  }

  // Memory while connected at 1920x1080, and over a soak of continuous updates.
  let memory = null;
  const big = recordingNames().find((n) => n.includes("1920x1080") && n.includes("hextile"));
  if (big && SOAK_MINUTES >= 0) {
    // A page of its own: vsphere-console's module and this one recording, nothing else.
    const own = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
    await own.goto(`${origin}/bench/page.html`);
    await own.waitForFunction(() => window.bench);
    await own.evaluate(async (n) => { await window.bench.frames(n); await import("/pkg/index.js"); }, big);
    await own.evaluate(() => globalThis.gc?.());
    const idle = await own.evaluate(() => window.bench.memory());
    const soak = await own.evaluate(([n, s]) => window.bench.soak(n, s, 4), [big, SOAK_MINUTES * 60]);
    memory = { recording: big, recording_bytes: serverFrames(big).container.length, page_before_connect: idle, connected: soak.before, after_soak: soak.after, soak_minutes: SOAK_MINUTES, loops: soak.loops };
    await own.close();
    log("memory", JSON.stringify(memory));
  }

  // 16 consoles updating at once; key presses in the first.
  let dashboard = null;
  const small = recordingNames().find((n) => n.includes("1024x768") && n.includes("hextile"));
  if (small) {
    await page.evaluate(([n]) => window.bench.dashboardStart(n, 16, 4), [small]);
    await page.waitForTimeout(1500);
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press("KeyA");
      await page.waitForTimeout(100);
    }
    const lat = await page.evaluate(() => window.bench.dashboardStop());
    dashboard = { consoles: 16, recording: small, keys: lat.length, median_ms: lat.length ? round(median(lat)) : null, max_ms: lat.length ? round(Math.max(...lat)) : null };
    log("dashboard", JSON.stringify(dashboard));
  }

  const cpu = execFileSync("sh", ["-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"]).toString().trim();
  const result = { chromium: version, cpu, cores: Number(execFileSync("nproc").toString().trim()), pairs: PAIRS, rows, wmks, latency, memory, dashboard, sizes: sizes(), crates: crates(), pageErrors };
  console.log(JSON.stringify(result, null, 1));
  if (!ONLY) writeFileSync(join(ROOT, "BENCHMARKS.md"), markdown(result));
  await browser.close();
  server.close();
}

/** What a page downloads for each entry of the package, raw and gzip -9. */
function sizes() {
  const dir = process.env.NPM_PACKAGE_DIR || join(ROOT, "target/npm/vsphere-console");
  const entries = {
    "console-only": ["index.js", "rfb.js", "wmks.js", "element.js", "console/vsphere_console.js", "console/vsphere_console_bg.wasm"],
    "full app": ["app.js", "app/vsphere_console.js", "app/vsphere_console_bg.wasm", "app/style.css"],
  };
  const out = {};
  for (const [name, files] of Object.entries(entries)) {
    let raw = 0, gz = 0, wasm = 0;
    for (const f of files) {
      const b = readFileSync(join(dir, f));
      raw += b.length;
      gz += gzipSync(b, { level: 9 }).length;
      if (f.endsWith(".wasm")) wasm = gzipSync(b, { level: 9 }).length;
    }
    out[name] = { raw, gzip: gz, wasm_gzip: wasm };
  }
  return out;
}

/**
 * Bytes per crate in the console-only wasm as it ships (wasm-bindgen, then wasm-opt -Oz),
 * built once more with function names kept: each function's code counts for the first
 * crate its name gives (`<T as serde::Deserialize>` for the crate of T); the data section
 * is "(static data)". twiggy cannot read wasm-opt's output, so the module is read here.
 */
function crates() {
  const wasm = process.env.ENGINE_WASM;
  if (!wasm) return null;
  const dir = mkdtempSync(join(tmpdir(), "bench-crates-"));
  try {
    execFileSync("wasm-bindgen", ["--target", "web", "--out-dir", dir, wasm]);
    const opt = join(dir, "named.wasm");
    execFileSync("wasm-opt", ["-Oz", "-g", join(dir, "vsphere_console_bg.wasm"), "-o", opt]);
    return perCrate(readFileSync(opt));
  } catch (e) {
    log("crate sizes not measured:", String(e.message || e).split("\n")[0]);
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Code bytes per crate from a module's code and name sections, plus its data section. */
function perCrate(b) {
  let i = 8;
  const leb = () => { let r = 0, sh = 0, x; do { x = b[i++]; r += (x & 0x7f) * 2 ** sh; sh += 7; } while (x & 0x80); return r; };
  const skipName = () => { const n = leb(); i += n; };
  let imports = 0, bodies = [], data = 0;
  const names = new Map();
  while (i < b.length) {
    const id = b[i++], size = leb(), end = i + size;
    if (id === 2) {
      for (let n = leb(); n > 0; n--) {
        skipName(); skipName();
        const kind = b[i++];
        if (kind === 0) { imports++; leb(); }
        else if (kind === 1) { i++; const f = leb(); leb(); if (f & 1) leb(); }
        else if (kind === 2) { const f = leb(); leb(); if (f & 1) leb(); }
        else if (kind === 3) i += 2;
      }
    } else if (id === 10) {
      for (let n = leb(); n > 0; n--) { const len = leb(); bodies.push(len); i += len; }
    } else if (id === 11) {
      data += size;
    } else if (id === 0) {
      const nl = leb();
      const name = b.toString("utf8", i, i + nl);
      i += nl;
      while (name === "name" && i < end) {
        const sub = b[i++], ssz = leb(), send = i + ssz;
        if (sub === 1) {
          for (let n = leb(); n > 0; n--) { const idx = leb(), l = leb(); names.set(idx, b.toString("utf8", i, i + l)); i += l; }
        }
        i = send;
      }
    }
    i = end;
  }
  const byCrate = new Map([["(static data)", data]]);
  bodies.forEach((len, k) => {
    const name = names.get(k + imports) ?? "";
    // The first segment of each path in the name (`core::fmt::write` is core's, not fmt's).
    const crates = [...name.matchAll(/(?:^|[<&\s(,*\[])([a-z_][a-z0-9_]*)(?:\[[0-9a-f]+\])?::/gi)].map((m) => m[1]);
    let crate = crates.find((c) => !["std", "core", "alloc"].includes(c)) ?? (crates.length ? "std/core/alloc" : "(no crate named: glue, shims, closures)");
    byCrate.set(crate, (byCrate.get(crate) || 0) + len);
  });
  return [...byCrate.entries()].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([crate, bytes]) => ({ crate, bytes }));
}

const TARGETS = { lossless: 0.25, image: 0.7, wmks: 0.5 };
const isImage = (name) => /jpeg|png/.test(name);

function markdown(r) {
  const ok = (met) => (met ? "met" : "**not met**");
  const lines = [];
  lines.push("# Benchmarks", "");
  lines.push("Measured by `cargo xtask bench` (pairs, soak and recordings can be chosen: `--pairs N --soak-minutes N --only NAME`).");
  lines.push("Every figure is from one run on the machine below; the table is rewritten by each run.", "");
  lines.push(`- Machine: ${r.cpu}, ${r.cores} cores; Chromium ${r.chromium}, headless, software canvas (\`--disable-gpu\`).`);
  lines.push(`- vsphere-console: the npm package's console-only entry, as \`cargo xtask package\` builds it, painting through its own driver.`);
  lines.push(`- noVNC: \`@novnc/novnc\` 1.7.0 from npm (pinned in \`tools/package.json\`), its \`RFB\` class as a page embeds it.`);
  lines.push(`- Both in one page, on one in-page WebSocket stand-in that hands each recorded server frame over in its own task; A B A B, ${r.pairs} pairs after one unmeasured run of each. Time is from the first frame to the animation frame that shows the last picture, the same finish line for both: vsphere-console paints in an animation frame (its \`settled()\` resolves there); noVNC draws at once when its receive and render queues are empty (as its own playback tool waits) and the browser shows it in the next animation frame, which the bench awaits. Ratio = the median of each pair's vsphere-console time / noVNC time; below 1 is faster.`);
  lines.push("", "## Replays", "");
  lines.push("| recording | server frames | bytes | vsphere-console ms (median) | noVNC ms (median) | ratio (median of pairs) | target | picture |");
  lines.push("|---|---:|---:|---:|---:|---:|---|---|");
  for (const row of r.rows) {
    const target = isImage(row.name) ? TARGETS.image : TARGETS.lossless;
    const met = row.ratio !== null && row.ratio <= target;
    lines.push(`| ${row.name} | ${row.frames} | ${row.bytes} | ${row.engine_ms ?? "–"} | ${row.rival_ms ?? "–"} | ${row.ratio ?? "–"} | ≤ ${target}: ${ok(met)} | ${row.picture} |`);
  }
  if (r.wmks) {
    lines.push("", "## Against VMware's wmks.js 2.1", "");
    lines.push("VMware's HTML Console SDK 2.1 (`opennebula-wmks` 2.1.4 from npm, pinned in `tools/package.json`; a test tool, never shipped), created as a portal creates it (`WMKS.createWMKS(id, {}).connect(url)`), in the same page on the same stand-in socket, A B in pairs as above. Its time ends at the animation frame after it has read every byte and holds no update (it draws an update at once, but only when all of the update's images have decoded). It decodes Raw, CopyRect and TightPNG only and drops the connection at a pseudo-encoding it does not know, which every committed recording holds (Xvnc's rich cursor -239, QEMU's extended key event -258), so it plays these:");
    lines.push("", ...r.wmks.live.map((l) => `- \`${l.name}\`: recorded by this run, ${l.seconds} s of a live session in which wmks.js itself drove the lab's moving-photo desktop (a lab VM with \`motion\`) in ESXi's dialect (64x64 TightPNG tiles: fills, PNGs, JPEGs and diff-JPEGs; pushed updates paced by UpdateAcks): ${l.frames} server frames, ${l.bytes} bytes.`));
    lines.push("", "| recording | server frames | bytes | vsphere-console ms (median) | wmks.js ms (median) | ratio (median of pairs) | target | picture |");
    lines.push("|---|---:|---:|---:|---:|---:|---|---|");
    for (const row of r.wmks.rows) {
      const met = row.ratio !== null && row.ratio <= TARGETS.wmks && row.picture === "same";
      lines.push(`| ${row.name} | ${row.frames} | ${row.bytes} | ${row.engine_ms ?? "–"} | ${row.rival_ms ?? "–"} | ${row.ratio ?? "–"} | ≤ ${TARGETS.wmks}: ${ok(met)} | ${row.picture} |`);
    }
  }
  lines.push("", "## Latency, memory, many consoles", "");
  if (r.latency) {
    const phases = (p) => `until the socket exists ${p.to_socket} ms, until it is open ${p.to_open} ms, the RFB handshake until the first update starts ${p.to_update} ms, reading, decoding and painting it ${p.to_painted} ms (medians of each part)`;
    const row = (l, what) => `${what}, ${l.runs} runs: median **${l.median_ms} ms**, max ${l.max_ms} ms; ${phases(l.phases)}. Target ≤ 50 ms: ${ok(l.median_ms <= 50)}.`;
    lines.push(`- Ticket to first painted frame (a real ticket from the lab, loopback websocket, from \`new VSphereConsole\` to its \`connect\` event, which fires in the animation frame that paints the first picture; a page of its own, after one unmeasured run):`);
    lines.push(`  - ${row(r.latency.lab, "the lab's own 1024x768 desktop in ESXi's dialect (its first update: 192 TightPNG tiles, fills, PNGs and JPEGs, and the update cache's palette)")}`);
    if (r.latency.xvnc) lines.push(`  - ${row(r.latency.xvnc, "TigerVNC Xvnc 1024x768 with an xterm behind the lab's gateway (it picks its encoding from ours, as real servers do)")}`);
  }
  if (r.memory) {
    const fb = 1920 * 1080 * 4;
    const limit = 2 * fb + 8 * 1024 * 1024;
    const mb = (b) => (b == null ? "–" : `${(b / 1048576).toFixed(1)} MB`);
    const growth = r.memory.connected && r.memory.after_soak ? (r.memory.after_soak - r.memory.connected) / r.memory.connected : null;
    lines.push(`- Memory (\`performance.measureUserAgentSpecificMemory()\`: the JS heap and wasm memory of a page holding only vsphere-console and the recording's bytes), 1920x1080 (\`${r.memory.recording}\`): page before connecting ${mb(r.memory.page_before_connect)} (of which the recording's frames ${mb(r.memory.recording_bytes)}); connected ${mb(r.memory.connected)}. Target ≤ 2 × framebuffer + 8 MB = ${mb(limit)}: ${r.memory.connected && r.memory.page_before_connect != null ? ok(r.memory.connected - r.memory.recording_bytes <= limit) + ` (connected, less the recording held by the test: ${mb(r.memory.connected - r.memory.recording_bytes)})` : "not measured"}.`);
    lines.push(`- Soak: ${r.memory.soak_minutes} min of continuous updates (${r.memory.loops} loops of the recording's updates): ${mb(r.memory.connected)} → ${mb(r.memory.after_soak)}, growth ${growth == null ? "–" : (growth * 100).toFixed(1) + " %"}. Target < 5 %: ${growth == null ? "not measured" : ok(growth < 0.05)}.`);
  }
  if (r.dashboard) lines.push(`- Dashboard: ${r.dashboard.consoles} consoles (320x240 each) all replaying \`${r.dashboard.recording}\` in a loop; ${r.dashboard.keys} key presses in the first, from the browser's event to the KeyEvent on its socket: median **${r.dashboard.median_ms} ms**, max ${r.dashboard.max_ms} ms. Target ≤ 50 ms: ${r.dashboard.median_ms == null ? "not measured" : ok(r.dashboard.max_ms <= 50)}.`);
  lines.push("", "## Size", "");
  lines.push("| entry | raw bytes | gzip -9 bytes | of which wasm (gzip) | target | |");
  lines.push("|---|---:|---:|---:|---:|---|");
  const sizeTargets = { "console-only": 110 * 1024, "full app": 200 * 1024 };
  for (const [name, s] of Object.entries(r.sizes)) {
    lines.push(`| ${name} | ${s.raw} | ${s.gzip} | ${s.wasm_gzip} | ≤ ${sizeTargets[name]} | ${ok(s.gzip <= sizeTargets[name])} |`);
  }
  if (r.crates) {
    lines.push("", "What each crate costs in the console-only wasm as it ships (wasm-bindgen, then wasm-opt -Oz, built once more with function names kept; bytes of code, not gzip; a generic function counts for the first crate its name gives):", "");
    lines.push("| crate | bytes |", "|---|---:|");
    for (const c of r.crates) lines.push(`| ${c.crate} | ${c.bytes} |`);
  }
  lines.push("");
  return lines.join("\n");
}

main().catch((e) => { console.error(e); process.exit(1); });
