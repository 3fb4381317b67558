// Real VNC servers for the end-to-end tests: TigerVNC's Xvnc with an xterm, and QEMU.
import { spawn } from "node:child_process";
import { createServer, connect } from "node:net";
import { existsSync } from "node:fs";

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitPort(port, ms = 20000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise((r) => {
      const c = connect(port, "127.0.0.1", () => { c.end(); r(true); });
      c.on("error", () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${port}`);
}

let nextDisplay = 150;

/**
 * Xvnc with an xterm; resolves to { port, display, stop }. `command` (argv) runs in the
 * xterm instead of a shell, in a UTF-8 locale (so dead keys compose as X's compose table
 * says).
 */
export async function startXvnc({ command = ["sh"], geometry = "800x500" } = {}) {
  let display = nextDisplay++;
  while (existsSync(`/tmp/.X11-unix/X${display}`) || existsSync(`/tmp/.X${display}-lock`)) display = nextDisplay++;
  const port = await freePort();
  const x = spawn("Xvnc", [`:${display}`, "-rfbport", String(port), "-localhost", "-geometry", geometry, "-depth", "24",
    "-SecurityTypes", "None", "-ac", "-nolisten", "tcp"], { stdio: "ignore" });
  await waitPort(port);
  const term = spawn("xterm", ["-u8", "-geometry", "90x24+10+10", "-bg", "#102030", "-fg", "#f0f0d0", "-e", ...command],
    { stdio: "ignore", env: { ...process.env, DISPLAY: `:${display}`, PS1: "$ ", LANG: "C.UTF-8", LC_ALL: "C.UTF-8" } });
  await new Promise((r) => setTimeout(r, 1500));
  return { port, display, stop: () => { term.kill(); x.kill(); } };
}

/** Sets the X server's keymap, as `setxkbmap` does on a desktop: `layout` is xkb's (`ch(fr)`). */
export async function setXkbLayout(display, layout) {
  const m = /^([a-z]+)(?:\(([a-z_]+)\))?$/.exec(layout);
  const args = ["-display", `:${display}`, "-layout", m[1], ...(m[2] ? ["-variant", m[2]] : [])];
  await new Promise((resolve, reject) => {
    const p = spawn("setxkbmap", args, { stdio: "ignore" });
    p.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`setxkbmap ${args.join(" ")} exited ${code}`))));
  });
}

/** A lab VM whose console is bridged to a real VNC server on `port`. */
export const gatewayVm = (name, port, extra = {}) => ({ moid: "vm-201", name, powerState: "poweredOn", host: "host-10", guestOs: "Linux", vnc: `127.0.0.1:${port}`, ...extra });

/** QEMU with no disk (SeaBIOS on a VGA screen), VNC on TCP; resolves to { port, stop }. */
export async function startQemu() {
  let n = 40;
  while (n < 99) {
    const free = await new Promise((r) => {
      const s = createServer();
      s.once("error", () => r(false));
      s.listen(5900 + n, "127.0.0.1", () => s.close(() => r(true)));
    });
    if (free) break;
    n++;
  }
  const q = spawn("qemu-system-x86_64", ["-display", "none", "-nodefaults", "-vga", "std", "-m", "64", "-boot", "menu=off",
    "-vnc", `127.0.0.1:${n}`], { stdio: "ignore" });
  await waitPort(5900 + n);
  await new Promise((r) => setTimeout(r, 4000));
  return { port: 5900 + n, stop: () => q.kill() };
}
