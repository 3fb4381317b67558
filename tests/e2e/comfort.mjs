// End-to-end, everyday comfort: power on, links to a console, layouts, clipboard,
// small screens and accessibility. Same set-up as run.mjs: a fresh lab and context each.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { ARTIFACTS, assert, assertNoSecretsLeak, compose, eventually, labCall, login, runAppTests } from "./lib.mjs";
import { gatewayVm, setXkbLayout, startXvnc } from "./servers.mjs";

const tests = [];
/**
 * A test; `labConfig` (JSON, or a function resolving to {config, stop, args}) starts its
 * lab with `--config`; `more.contextOptions` go to Playwright, `more.appConfig` over the app's config.
 */
const test = (name, fn, labConfig, more = {}) => tests.push({ name, fn, labConfig, ...more });

async function consoles(lab) {
  return (await fetch(new URL("lab/consoles", lab.url))).json();
}

/** Logs in with the keyboard only, as the lab's demo user. */
async function loginByKeyboard(page) {
  await page.getByLabel("User name").focus();
  await page.keyboard.type("demo@vsphere.local");
  await page.keyboard.press("Tab");
  await page.keyboard.type("demo");
  await page.keyboard.press("Enter");
  await page.getByRole("button", { name: "Open console of web-01" }).waitFor();
}

const running = (page) => eventually("the console to run", async () => (await page.locator(".vc-status").getAttribute("data-step")) === "Running");

/** A second client's VI/JSON session, as another person or a portal would have. */
async function otherSession(lab) {
  const r = await labCall(lab, "SessionManager/SessionManager/Login", { userName: "demo@vsphere.local", password: "demo" });
  return r.session;
}

/** Runs a power task as another client and waits for it to end. */
async function powerAsOther(lab, moid, method) {
  const session = await otherSession(lab);
  const task = (await labCall(lab, `VirtualMachine/${moid}/${method}`, {}, session)).json;
  await eventually(`${method} on ${moid} to finish`, async () => {
    const r = await fetch(new URL(`sdk/vim25/8.0.1.0/Task/${task.value}/info`, lab.url), { headers: { "vmware-api-session-id": session } });
    return (await r.json()).state === "success";
  });
}

test("a powered-off VM powers on from the list, then its console opens", async ({ page, seen }) => {
  await login(page, "demo@vsphere.local", "demo");
  const open = page.getByRole("button", { name: "Open console of build-agent" });
  assert(await open.isDisabled(), "the console of a powered-off VM cannot open");
  await page.getByRole("button", { name: "Power on build-agent" }).click();
  await running(page);
  assert(await page.getByRole("application", { name: "Console screen of build-agent" }).isVisible(), "build-agent's console shows");
  assert(page.url().endsWith("#/vm/vm-103"), `the address links to the console, got ${page.url()}`);
  // Back to the list: it shows the VM on, with no Power on button.
  await page.getByRole("button", { name: "Back to VM list" }).click();
  await page.locator('.vc-vm[data-moid="vm-103"] .vc-power.on').waitFor();
  assert(await page.getByRole("button", { name: "Power on build-agent" }).count() === 0, "no Power on for a running VM");
  await assertNoSecretsLeak(page, seen);
});

test("a suspended VM resumes from the list", async ({ page }) => {
  await login(page, "demo@vsphere.local", "demo");
  await page.getByRole("button", { name: "Power on legacy-app" }).click();
  await running(page);
});

test("power on without the privilege names the privilege", async ({ page }) => {
  await login(page, "operator@vsphere.local", "operator");
  await page.getByRole("button", { name: "Power on build-agent" }).click();
  await page.getByRole("alert").filter({ hasText: "VirtualMachine.Interact.PowerOn" }).waitFor();
  assert(await page.getByRole("button", { name: "Power on build-agent" }).isEnabled(), "the button can be used again");
}, {
  users: [{ name: "operator@vsphere.local", password: "operator", privileges: ["System.View", "VirtualMachine.Interact.ConsoleInteract"] }],
});

test("power on of a VM someone else already started says it is on", async ({ lab, page }) => {
  await login(page, "demo@vsphere.local", "demo");
  await page.getByRole("button", { name: "Power on build-agent" }).waitFor();
  await powerAsOther(lab, "vm-103", "PowerOnVM_Task");
  await page.getByRole("button", { name: "Power on build-agent" }).click();
  await page.getByRole("alert").filter({ hasText: "build-agent could not be powered on. The virtual machine is already powered on." }).waitFor();
});

test("a host that refuses (InvalidState) is a sentence, and the VM stays off", async ({ page }) => {
  await login(page, "demo@vsphere.local", "demo");
  await page.getByRole("button", { name: "Power on maintenance-vm" }).click();
  await page.getByRole("alert").filter({ hasText: "maintenance-vm could not be powered on. The virtual machine is not in a state that allows this" }).waitFor();
  await page.locator('.vc-vm[data-moid="vm-106"] .vc-power.off').waitFor();
}, {
  vms: [{ moid: "vm-106", name: "maintenance-vm", powerState: "poweredOff", host: "host-10", powerOnFault: "InvalidState" }],
});

test("a console whose VM was powered off offers Power on, then runs", async ({ lab, page }) => {
  await login(page, "demo@vsphere.local", "demo");
  await page.getByRole("button", { name: "Open console of web-01" }).waitFor();
  await powerAsOther(lab, "vm-101", "PowerOffVM_Task");
  await page.getByRole("button", { name: "Open console of web-01" }).click();
  const alert = page.getByRole("alert").filter({ hasText: "not in a state that allows this" });
  await alert.waitFor();
  assert(await page.getByText("check its certificate").count() === 0, "no certificate help when the VM is off");
  await alert.getByRole("button", { name: "Power on" }).click();
  await running(page);
  // Back on the list, the VM shows as on.
  await page.getByRole("button", { name: "Back to VM list" }).click();
  await page.locator('.vc-vm[data-moid="vm-101"] .vc-power.on').waitFor();
});

test("a link to a console opens it after login, and only the moId is in the address", async ({ lab, page, seen }) => {
  await page.goto(new URL("#/vm/vm-102", lab.url).href);
  await login(page, "demo@vsphere.local", "demo");
  await running(page);
  assert(await page.getByRole("application", { name: "Console screen of db-01" }).isVisible(), "db-01's console opened from the link");
  assert(new URL(page.url()).hash === "#/vm/vm-102", `the address keeps the link, got ${page.url()}`);
  // Back goes to the list; Forward returns to the console.
  await page.goBack();
  await page.getByRole("button", { name: "Open console of web-01" }).waitFor();
  await page.goForward();
  await running(page);
  // The session ends (idle for longer than the lab allows): after logging in again, the same console.
  await new Promise((r) => setTimeout(r, 3600));
  await page.getByRole("button", { name: "Reconnect" }).click();
  await page.getByRole("alert").filter({ hasText: "Your session has ended" }).waitFor();
  await login(page, "demo@vsphere.local", "demo");
  await running(page);
  assert(new URL(page.url()).hash === "#/vm/vm-102", "still the link after logging in again");
  for (const s of seen.secrets) assert(!page.url().includes(s), "no secret in the address");
  await assertNoSecretsLeak(page, seen);
}, { sessionIdleSeconds: 3 });

test("a link to a VM that is off or unknown stays on the list and says why", async ({ lab, page }) => {
  await page.goto(new URL("#/vm/vm-103", lab.url).href);
  await login(page, "demo@vsphere.local", "demo");
  await page.getByRole("alert").filter({ hasText: "The link is to build-agent. The VM is powered off" }).waitFor();
  await page.goto(new URL("#/vm/vm-999", lab.url).href);
  await page.getByRole("alert").filter({ hasText: "The link is to a VM (vm-999) that is not in your list" }).waitFor();
});

// Each sample is typed with "Type text" while the X server's keymap is that layout:
// accents through dead keys, AltGr, Shift+AltGr, and non-Latin scripts.
const LAYOUT_SAMPLES = [
  ["de", "de", "Grüße aus Köln: @€{[]}\\|~ ê ^"],
  ["fr", "fr", "àéèçù €@#{} ê ë Où?"],
  ["fr-ch", "ch(fr)", "éàè ç € ô !"],
  ["de-ch", "ch", "Müsli für 5€ @ ~"],
  ["es", "es", "¿Año? ¡Sí! ü ñ"],
  ["uk", "gb", "£5 \"quoted\" @ #~"],
  ["pl", "pl", "Zażółć gęślą jaźń Ą"],
  ["ru", "ru", "Привет, мир"],
  ["jp", "jp", "_\\| @[]"],
];
const typedFile = `/tmp/vsc-layouts-${process.pid}.txt`;

test("typed text arrives as written in an X server set to each sample layout (Xvnc + setxkbmap + xterm)", async ({ page, xvnc }) => {
  await login(page, "demo@vsphere.local", "demo");
  await page.getByRole("button", { name: "Open console of xterm-vm" }).click();
  await running(page);
  await page.getByText("Type text").click();
  const layoutMenu = page.getByLabel("Guest keyboard layout");
  const lines = [];
  for (const [ours, xkb, sample] of LAYOUT_SAMPLES) {
    await setXkbLayout(xvnc.display, xkb);
    await layoutMenu.selectOption(ours);
    await page.getByLabel("Text to type").fill(`${sample}\n`);
    await page.getByRole("button", { name: "Type it" }).click();
    lines.push(sample);
    // The line ends with Enter, the last key typed: once it is in the file, typing is done.
    await eventually(`the ${ours} line to reach the shell`, async () =>
      existsSync(typedFile) && readFileSync(typedFile, "utf8").split("\n").length > lines.length, 15000).catch(() => {});
    const got = existsSync(typedFile) ? readFileSync(typedFile, "utf8").split("\n") : [];
    assert(got[lines.length - 1] === sample, `${ours}: the shell received ${JSON.stringify(got[lines.length - 1])}, typed ${JSON.stringify(sample)}`);
  }
  // The layout is remembered for this VM (and nothing else is stored).
  await page.reload();
  await login(page, "demo@vsphere.local", "demo");
  await running(page);
  const stored = await page.evaluate(() => JSON.stringify(Object.entries(localStorage)));
  assert(stored === JSON.stringify([["vsphere-console.layout.vm-201", "jp"]]), `only the layout is stored, got ${stored}`);
  await page.getByText("Type text").click();
  assert(await page.getByLabel("Guest keyboard layout").inputValue() === "jp", "the layout chosen last is chosen again");
}, async () => {
  rmSync(typedFile, { force: true });
  const x = await startXvnc({ command: ["sh", "-c", `cat > ${typedFile}`] });
  return { config: { vms: [gatewayVm("xterm-vm", x.port)] }, stop: () => { x.stop(); rmSync(typedFile, { force: true }); }, args: { xvnc: x } };
});

/** The X server's CLIPBOARD selection, as xclip reads it. */
function xClipboard(display) {
  const r = spawnSync("xclip", ["-display", `:${display}`, "-selection", "clipboard", "-o"], { encoding: "utf8", timeout: 5000 });
  return r.status === 0 ? r.stdout : null;
}

/** Sets the X server's CLIPBOARD as an application in the VM copying would; xclip serves it until killed. */
function setXClipboard(display, text) {
  const p = spawn("xclip", ["-display", `:${display}`, "-selection", "clipboard", "-i", "-loops", "0"], { stdio: ["pipe", "ignore", "ignore"] });
  p.stdin.end(text);
  return p;
}

const xvncLab = async () => {
  const x = await startXvnc();
  return { config: { vms: [gatewayVm("xterm-vm", x.port)] }, stop: x.stop, args: { xvnc: x } };
};

test("the clipboard moves only by the person's act: their paste, their copy shortcut, the copy control; never on focus or by the VM alone", async ({ page, xvnc }) => {
  await login(page, "demo@vsphere.local", "demo");
  await page.getByRole("button", { name: "Open console of xterm-vm" }).click();
  await running(page);
  const canvas = page.getByRole("application", { name: "Console screen of xterm-vm" });
  const local = () => page.evaluate(() => navigator.clipboard.readText());
  await page.evaluate(() => navigator.clipboard.writeText("the person's own text"));
  await canvas.click({ position: { x: 300, y: 300 } });
  // The VM copies on its own: the page hears it, the local clipboard does not change,
  // and the panel says text waits; its control copies it.
  const fromVm = "grüße aus der VM ✓ пример";
  let owner = setXClipboard(xvnc.display, fromVm);
  try {
    await page.getByText("Clipboard", { exact: true }).click();
    await eventually("the panel to show the VM's text", async () => (await page.getByLabel("Text the VM copied").inputValue()) === fromVm);
    await page.getByText("the VM copied text").waitFor();
    assert(await local() === "the person's own text", "the VM alone did not replace the local clipboard");
    await page.getByRole("button", { name: "Copy to this computer" }).click();
    await eventually("the copy control to copy the VM's text", async () => (await local()) === fromVm);
  } finally {
    owner.kill();
  }
  // The person's copy shortcut in the console: the VM's answer lands locally.
  await canvas.focus();
  await page.keyboard.press("Control+Shift+KeyC");
  const copied = "copied with the shortcut ✓";
  owner = setXClipboard(xvnc.display, copied);
  try {
    await eventually("the VM's answer to the copy shortcut in the local clipboard", async () => (await local()) === copied);
  } finally {
    owner.kill();
  }
  // Local text reaches the VM only when the person pastes, not when the console gets focus.
  const toVm = "naïve café ✓ 日本";
  await page.evaluate((t) => navigator.clipboard.writeText(t), toVm);
  await page.getByRole("button", { name: "Screenshot" }).focus();
  await canvas.focus();
  await page.waitForTimeout(1500);
  assert(xClipboard(xvnc.display) !== toVm, "a focus sent nothing to the VM");
  await page.keyboard.press("Control+KeyV");
  await eventually("the VM's clipboard to hold the pasted text", async () => xClipboard(xvnc.display) === toVm);
}, xvncLab, { contextOptions: { permissions: ["clipboard-read", "clipboard-write"] } });

test("without permission, the clipboard panel shows the VM's text and sends text to the VM; paste as typing types it", async ({ page, xvnc }) => {
  await login(page, "demo@vsphere.local", "demo");
  await page.getByRole("button", { name: "Open console of xterm-vm" }).click();
  await running(page);
  const owner = setXClipboard(xvnc.display, "copied in the VM ✓");
  try {
    await page.getByText("Clipboard", { exact: true }).click();
    await eventually("the panel to show the VM's text", async () => (await page.getByLabel("Text the VM copied").inputValue()) === "copied in the VM ✓");
  } finally {
    owner.kill();
  }
  await page.getByLabel("Text for the VM").fill("from the panel ✓");
  await page.getByRole("button", { name: "Send to the VM's clipboard" }).click();
  await page.getByRole("status").filter({ hasText: "Sent to the VM's clipboard." }).waitFor();
  await eventually("the VM's clipboard to hold the panel's text", async () => xClipboard(xvnc.display) === "from the panel ✓");
  // Paste as typing: the xterm's shell runs what is typed.
  const file = `/tmp/vsc-paste-typing-${process.pid}.txt`;
  rmSync(file, { force: true });
  await page.getByLabel("Text for the VM").fill(`echo typed-paste > ${file}\n`);
  await page.getByRole("button", { name: "Paste as typing" }).click();
  await eventually("the shell to write the file", async () => existsSync(file) && readFileSync(file, "utf8").trim() === "typed-paste");
  rmSync(file, { force: true });
}, xvncLab);

test("a site that forbids the clipboard both ways gets neither: no panel, nothing read or written", async ({ page, xvnc }) => {
  await login(page, "demo@vsphere.local", "demo");
  await page.getByRole("button", { name: "Open console of xterm-vm" }).click();
  await running(page);
  assert(await page.getByText("Clipboard", { exact: true }).count() === 0, "no clipboard panel");
  await page.evaluate(() => navigator.clipboard.writeText("local text"));
  const owner = setXClipboard(xvnc.display, "vm text");
  try {
    const canvas = page.getByRole("application", { name: "Console screen of xterm-vm" });
    await canvas.click({ position: { x: 300, y: 300 } });
    await page.waitForTimeout(1500);
    assert(await page.evaluate(() => navigator.clipboard.readText()) === "local text", "the VM's text did not reach the local clipboard");
  } finally {
    owner.kill();
  }
  await page.waitForTimeout(500);
  assert(xClipboard(xvnc.display) !== "local text", "the local text did not reach the VM");
}, xvncLab, { contextOptions: { permissions: ["clipboard-read", "clipboard-write"] }, appConfig: { clipboard: { toVm: false, fromVm: false } } });

// --- The screen gets the room; phones and tablets; accessibility ----------------------

const AXE = createRequire(new URL("../../tools/package.json", import.meta.url)).resolve("axe-core/axe.min.js");

/** axe-core's violations on the page as it is now (WCAG 2.x A and AA rules and best practices). */
async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    // A run that checked nothing would pass anything.
    if (r.passes.length < 10) return [`axe checked only ${r.passes.length} rules`];
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
  });
  return result;
}

/** Nothing is wider than the viewport: no horizontal scroll, on the page or any element's box. */
async function assertNoHorizontalScroll(page, where) {
  const r = await page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll("body *")]
      .filter((e) => { const b = e.getBoundingClientRect(); return b.width > 0 && (b.right > vw + 1 || b.left < -1); })
      .filter((e) => !e.closest(".vc-screen.actual") && !e.closest("[hidden]") && getComputedStyle(e).visibility !== "hidden")
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
    return { scroll: document.documentElement.scrollWidth, vw, wide: wide.slice(0, 5) };
  });
  assert(r.scroll <= r.vw && r.wide.length === 0, `${where}: scrollWidth ${r.scroll} > viewport ${r.vw}, or wider: ${r.wide.join(" ")}`);
}

/** In fit mode the whole guest screen is inside the viewport, without scrolling. */
async function assertScreenFits(page, where) {
  const r = await page.evaluate(() => {
    const b = document.querySelector(".vc-screen canvas").getBoundingClientRect();
    return { b: [b.left, b.top, b.right, b.bottom, b.width, b.height], vw: innerWidth, vh: innerHeight, sh: document.documentElement.scrollHeight };
  });
  const [l, t, right, bottom, w, h] = r.b;
  assert(w > 100 && h > 60, `${where}: the screen is not a strip (${w}x${h})`);
  assert(l >= 0 && t >= 0 && right <= r.vw + 1 && bottom <= r.vh + 1, `${where}: screen at ${r.b.map(Math.round)} inside ${r.vw}x${r.vh}`);
  assert(r.sh <= r.vh + 1, `${where}: the page scrolls (${r.sh} > ${r.vh})`);
}

const SIZES = [[1280, 800], [1280, 860], [768, 1024], [390, 844]];

test("at every size: no horizontal scroll on any page, the VM list fits, and the console fits without scrolling", async ({ page }) => {
  for (const [width, height] of SIZES) {
    const where = `${width}x${height}`;
    await page.setViewportSize({ width, height });
    await page.goto(page.url().split("#")[0] + "#/");
    await page.getByLabel("User name").waitFor();
    await assertNoHorizontalScroll(page, `${where} login`);
    await login(page, "demo@vsphere.local", "demo");
    const open = page.getByRole("button", { name: "Open console of web-01" });
    await open.waitFor();
    await assertNoHorizontalScroll(page, `${where} VM list`);
    // Every action on the list is on screen (reachable with a thumb, not cut off).
    for (const b of await page.locator(".vc-vm button").all()) {
      const box = await b.boundingBox();
      assert(box.x >= 0 && box.x + box.width <= width + 1, `${where}: a list button is cut off at ${box.x}+${box.width}`);
      if (width < 600) assert(box.height >= 40, `${where}: list buttons are thumb-sized (${box.height}px)`);
    }
    await open.click();
    await running(page);
    await assertNoHorizontalScroll(page, `${where} console`);
    await assertScreenFits(page, `${where} console`);
    const bar = await page.getByRole("toolbar", { name: "Console controls" }).boundingBox();
    // One row: every control's box overlaps the same horizontal band.
    const rows = await page.locator(".vc-toolbar button, .vc-toolbar select, .vc-console-title").evaluateAll((els) => {
      const boxes = els.filter((e) => e.offsetParent && !e.closest(".vc-more-menu.open")).map((e) => e.getBoundingClientRect());
      const band = [Math.max(...boxes.map((b) => b.top)), Math.min(...boxes.map((b) => b.bottom))];
      return band[0] < band[1] ? 1 : 2;
    });
    assert(rows === 1, `${where}: the toolbar is one row (${bar.height}px tall)`);
    if (width === 1280 && height === 800) await page.screenshot({ path: `${ARTIFACTS}/readme-console-1280x800.png` });
    if (width === 390) await page.screenshot({ path: `${ARTIFACTS}/readme-console-390x844.png` });
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByLabel("User name").waitFor();
  }
});

test("the toolbar collapses to a handle and back; fullscreen hides it behind the handle", async ({ page }) => {
  await login(page, "demo@vsphere.local", "demo");
  await page.getByRole("button", { name: "Open console of web-01" }).click();
  await running(page);
  const before = (await page.locator(".vc-screen canvas").boundingBox()).height;
  await page.getByRole("button", { name: "Hide the toolbar" }).click();
  assert(await page.getByRole("toolbar", { name: "Console controls" }).count() === 0, "the toolbar is gone");
  const handle = page.getByRole("button", { name: "Show the toolbar" });
  assert(await handle.getAttribute("aria-expanded") === "false", "the handle says the toolbar is collapsed");
  const after = (await page.locator(".vc-screen canvas").boundingBox()).height;
  assert(after >= before, `the screen gets the room (${before} → ${after})`);
  await handle.click();
  await page.getByRole("toolbar", { name: "Console controls" }).waitFor();
  await page.getByRole("button", { name: "Fullscreen" }).click();
  await eventually("fullscreen", async () => page.evaluate(() => document.fullscreenElement !== null));
  await page.getByRole("button", { name: "Show the toolbar" }).waitFor();
  assert(await page.getByRole("toolbar", { name: "Console controls" }).count() === 0, "fullscreen starts with the toolbar behind the handle");
  await page.getByRole("button", { name: "Show the toolbar" }).click();
  await page.getByRole("button", { name: "Exit fullscreen" }).click();
  await eventually("fullscreen to end", async () => page.evaluate(() => document.fullscreenElement === null));
});

test("axe-core finds no violation on the login page, the VM list and the console page", async ({ page }) => {
  await page.getByLabel("User name").waitFor();
  let v = await axeViolations(page);
  assert(v.length === 0, `login: ${v.join(" | ")}`);
  await login(page, "demo@vsphere.local", "demo");
  await page.getByRole("button", { name: "Open console of web-01" }).waitFor();
  v = await axeViolations(page);
  assert(v.length === 0, `VM list: ${v.join(" | ")}`);
  await page.getByRole("button", { name: "Open console of web-01" }).click();
  await running(page);
  await page.getByText("Type text").click();
  await page.getByText("Clipboard", { exact: true }).click();
  v = await axeViolations(page);
  assert(v.length === 0, `console: ${v.join(" | ")}`);
  await page.setViewportSize({ width: 390, height: 844 });
  v = await axeViolations(page);
  assert(v.length === 0, `console at 390x844: ${v.join(" | ")}`);
});

test("every control is reached with the keyboard alone, in order, with a visible focus", async ({ page }) => {
  /** Tabs through the page; returns the accessible names met, checking each has a visible focus ring. */
  const tabThrough = async (n) => {
    const names = [];
    for (let i = 0; i < n; i++) {
      await page.keyboard.press("Tab");
      const f = await page.evaluate(() => {
        const e = document.activeElement;
        if (!e || e === document.body) return null;
        const s = getComputedStyle(e);
        const visible = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== "none";
        return { name: e.getAttribute("aria-label") || e.labels?.[0]?.textContent?.trim() || e.textContent.trim(), visible };
      });
      if (!f) continue;
      assert(f.visible, `"${f.name}" has a visible focus`);
      names.push(f.name);
    }
    return names;
  };
  await page.getByLabel("User name").waitFor();
  let names = await tabThrough(4);
  assert(names[0] === "User name" && names[1] === "Password", `login order: ${names}`);
  await loginByKeyboard(page);
  names = await tabThrough(14);
  assert(names.includes("Filter by name") && names.includes("Open console of web-01"), `list order: ${names}`);
  assert(names.indexOf("Filter by name") < names.indexOf("Open console of web-01"), "the filter comes before the rows");
  await page.getByRole("button", { name: "Open console of web-01" }).focus();
  await page.keyboard.press("Enter");
  await running(page);
  names = await tabThrough(13);
  const order = ["Back to VM list", "Send Ctrl+Alt+Del", "Send keys", "Scale", "Fullscreen", "Screenshot", "View only", "Disconnect",
    "Reconnect", "On-screen keyboard", "Hide the toolbar", "Console screen of web-01"];
  assert(order.every((c, i) => names[i] === c), `the toolbar in order, then the screen (got ${names.join(", ")})`);
  // On a phone the less frequent controls are behind "More": it opens from the keyboard,
  // its controls come next in the order, and Escape closes it.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole("button", { name: "More console actions" }).focus();
  await page.keyboard.press("Enter");
  const menu = page.locator("#vc-more-menu");
  await menu.getByRole("button", { name: "Screenshot" }).waitFor();
  const first = await page.evaluate(() => document.activeElement.getAttribute("aria-label") || document.activeElement.textContent);
  assert(first === "Scale" || first === "Send keys", `opening the menu moves focus into it (on ${first})`);
  names = [first, ...(await tabThrough(6))];
  for (const control of ["Send keys", "Scale", "Fullscreen", "Screenshot", "View only", "Disconnect", "Reconnect"]) {
    assert(names.includes(control), `"${control}" is reached by Tab in the menu (got ${names.join(", ")})`);
  }
  await page.keyboard.press("Escape");
  assert(!(await menu.isVisible()), "Escape closes the menu");
  assert(await page.evaluate(() => document.activeElement.getAttribute("aria-label")) === "More console actions", "focus returns to More");
});

test("a keyboard-only path: log in, open a console, type into the VM, leave the screen by Ctrl+Alt+Shift, Tab on, disconnect", async ({ lab, page }) => {
  const active = () => page.evaluate(() => document.activeElement?.getAttribute("aria-label") || document.activeElement?.textContent?.trim() || "");
  await loginByKeyboard(page);
  await page.getByRole("button", { name: "Open console of web-01" }).focus();
  await page.keyboard.press("Enter");
  await running(page);
  for (let i = 0; i < 20 && (await active()) !== "Console screen of web-01"; i++) await page.keyboard.press("Tab");
  assert(await active() === "Console screen of web-01", "Tab reaches the screen");
  assert(await page.locator("canvas").getAttribute("aria-keyshortcuts") === "Control+Alt+Shift", "the screen says its way out");
  await page.keyboard.type("kb1");
  // Tab goes to the VM: the screen keeps the focus.
  await page.keyboard.press("Tab");
  assert(await active() === "Console screen of web-01", "Tab is the VM's");
  await eventually("the typed text at the lab", async () => (await consoles(lab)).some((c) => c.typed.includes("kb1")));
  for (const k of ["Control", "Alt", "Shift"]) await page.keyboard.down(k);
  for (const k of ["Shift", "Alt", "Control"]) await page.keyboard.up(k);
  assert(await active() === "Back to VM list", `Ctrl+Alt+Shift moves the focus to the toolbar (on ${await active()})`);
  await page.keyboard.press("Tab");
  assert(await active() === "Send Ctrl+Alt+Del", `Tab continues through the page (on ${await active()})`);
  for (let i = 0; i < 12 && (await active()) !== "Disconnect"; i++) await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await eventually("the console to close", async () => (await page.locator(".vc-status").getAttribute("data-step")) === "Closed");
});

test("on a phone in actual size, a finger drags the view and two pinch-zoom it; a tap still clicks", async ({ lab, page }) => {
  await login(page, "demo@vsphere.local", "demo");
  await page.getByRole("button", { name: "Open console of web-01" }).click();
  await running(page);
  await page.getByRole("button", { name: "More console actions" }).click();
  await page.getByLabel("Scale").selectOption("actual");
  const screen = page.locator(".vc-screen");
  const room = await screen.evaluate((e) => ({ sw: e.scrollWidth, cw: e.clientWidth }));
  assert(room.sw > room.cw, `the desktop is wider than the phone and scrolls inside its box (${room.sw} > ${room.cw})`);
  await assertNoHorizontalScroll(page, "phone, actual size");
  const box = await screen.boundingBox();
  // Real touch events, as a finger makes them (CDP's synthesized gestures skip touch listeners).
  const cdp = await page.context().newCDPSession(page);
  const touch = async (type, points) => cdp.send("Input.dispatchTouchEvent", { type, touchPoints: points });
  const [cx, cy] = [Math.round(box.x + box.width / 2), Math.round(box.y + box.height / 2)];
  await touch("touchStart", [{ x: cx, y: cy }]);
  for (let i = 1; i <= 10; i++) await touch("touchMove", [{ x: cx - i * 20, y: cy }]);
  await touch("touchEnd", []);
  const left = await screen.evaluate((e) => e.scrollLeft);
  assert(left > 100, `a finger drag pans the view (scrollLeft ${left})`);
  await touch("touchStart", [{ x: cx - 10, y: cy, id: 1 }, { x: cx + 10, y: cy, id: 2 }]);
  for (let i = 1; i <= 10; i++) await touch("touchMove", [{ x: cx - 10 - i * 8, y: cy, id: 1 }, { x: cx + 10 + i * 8, y: cy, id: 2 }]);
  await touch("touchEnd", []);
  const zoom = await page.evaluate(() => window.visualViewport.scale);
  assert(zoom > 1.3, `two fingers zoom the view (scale ${zoom})`);
  await page.evaluate(() => window.scrollTo(0, 0));
  const before = (await consoles(lab)).find((c) => c.vm === "web-01").pointer;
  await page.touchscreen.tap(box.x + 40, box.y + 40);
  await eventually("the tap to reach the VM as a click", async () => {
    const c = (await consoles(lab)).find((c) => c.vm === "web-01");
    return c.pointer.join() !== before.join();
  });
}, undefined, { contextOptions: { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true } });

const textField = (page) => page.locator("[data-vsc-text-field]");
const CJK = [
  [["に", "にほ", "にほんご"], "日本語"],
  [["zh", "zhong", "zhongwen"], "中文"],
  [["ㅎ", "하", "한", "한구", "한국", "한국ㅇ", "한국어"], "한국어"],
];

test("composed text (Japanese, Chinese, Korean through an IME) reaches an xterm on Xvnc as written", async ({ page }) => {
  await login(page, "demo@vsphere.local", "demo");
  await page.getByRole("button", { name: "Open console of xterm-vm" }).click();
  await running(page);
  await page.getByRole("button", { name: "On-screen keyboard" }).click();
  assert(await textField(page).evaluate((e) => e === document.activeElement), "the Keyboard control gives the text field the focus");
  assert(await page.getByRole("button", { name: "On-screen keyboard" }).getAttribute("aria-pressed") === "true", "the control shows text input is on");
  const cdp = await page.context().newCDPSession(page);
  // An empty line first: when the first key xterm ever gets is one the X server had to
  // add to its keymap, xterm loses it (seen with a bare RFB client as well, so not this
  // console's doing); a person has always pressed some key before.
  await page.keyboard.press("Enter");
  for (const [steps, word] of CJK) {
    await compose(cdp, steps, word);
    // Enter is a key, from the keyboard itself, while the text field has the focus.
    await page.keyboard.press("Enter");
  }
  const want = ["", ...CJK.map(([, w]) => w)];
  await eventually("the lines to reach the shell", async () => existsSync(typedFile) && readFileSync(typedFile, "utf8").split("\n").length > 4, 15000)
    .catch(() => {});
  const got = existsSync(typedFile) ? readFileSync(typedFile, "utf8").split("\n").slice(0, 4) : [];
  assert(JSON.stringify(got) === JSON.stringify(want), `the shell received ${JSON.stringify(got)}, composed ${JSON.stringify(want)}`);
}, async () => {
  rmSync(typedFile, { force: true });
  const x = await startXvnc({ command: ["sh", "-c", `cat > ${typedFile}`] });
  return { config: { vms: [gatewayVm("xterm-vm", x.port)] }, stop: () => { x.stop(); rmSync(typedFile, { force: true }); } };
});

test("composed text reaches a WebMKS server as VMware's Unicode key event, and keys pressed while composing are not sent", async ({ lab, page }) => {
  await login(page, "demo@vsphere.local", "demo");
  await page.getByRole("button", { name: "Open console of web-01" }).click();
  await running(page);
  await page.getByRole("button", { name: "On-screen keyboard" }).click();
  const cdp = await page.context().newCDPSession(page);
  const view = async () => (await consoles(lab)).find((c) => c.vm === "web-01");
  const scancodesBefore = JSON.stringify((await view()).scancodes);
  // The keys an IME consumes arrive as keyCode 229: none of them may reach the VM.
  await cdp.send("Input.dispatchKeyEvent", { type: "rawKeyDown", windowsVirtualKeyCode: 229, key: "Process", code: "KeyN" });
  await cdp.send("Input.dispatchKeyEvent", { type: "keyUp", windowsVirtualKeyCode: 229, key: "Process", code: "KeyN" });
  for (const [steps, word] of CJK) await compose(cdp, steps, word);
  await eventually("the lab to record the composed words", async () => (await view()).typed.endsWith(CJK.map(([, w]) => w).join("")));
  const chars = [...CJK.map(([, w]) => w).join("")].length;
  await eventually(`one KeyEvent2 down and up per character (${2 * chars})`, async () => (await view()).keyEvents2 === 2 * chars);
  const v = await view();
  assert(JSON.stringify(v.scancodes) === scancodesBefore, `no key press for the composing keys (${JSON.stringify(v.scancodes)})`);
  // Keys still go as keys while the text field has the focus.
  await page.keyboard.press("x");
  await eventually("a key from the keyboard", async () => (await view()).typed.endsWith("x"));
  // Text input off: the screen has the focus again.
  await page.getByRole("button", { name: "On-screen keyboard" }).click();
  assert(await page.getByRole("application", { name: "Console screen of web-01" }).evaluate((e) => e === document.activeElement), "the canvas has the focus back");
});

test("on a phone the Keyboard control opens the text field, and a touch keyboard's words, Backspace and Enter arrive", async ({ lab, page }) => {
  await login(page, "demo@vsphere.local", "demo");
  await page.getByRole("button", { name: "Open console of web-01" }).click();
  await running(page);
  await page.getByRole("button", { name: "On-screen keyboard" }).tap();
  assert(await textField(page).evaluate((e) => e === document.activeElement), "a tap on Keyboard focuses the text field (a phone opens its keyboard then)");
  const cdp = await page.context().newCDPSession(page);
  // An Android keyboard: keyCode 229 for every key, each word composed then committed.
  const soft = async () => cdp.send("Input.dispatchKeyEvent", { type: "rawKeyDown", windowsVirtualKeyCode: 229, key: "Unidentified" });
  for (const word of ["hello", " ", "worlds"]) {
    await soft();
    await compose(cdp, [...word].map((_, i) => word.slice(0, i + 1)), word);
  }
  // Its Backspace deletes in the field (keyCode 229 again): the field's placeholder gives it
  // something to delete, so the browser's own editing fires deleteContentBackward.
  await soft();
  await textField(page).evaluate(() => document.execCommand("delete"));
  // Its Enter: a line break put into the field.
  await soft();
  await cdp.send("Input.insertText", { text: "\n" });
  const view = async () => (await consoles(lab)).find((c) => c.vm === "web-01");
  await eventually("the words, one letter deleted, then Enter", async () => (await view()).typed.endsWith("hello world | "), 10000);
}, undefined, { contextOptions: { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true } });

const { failed } = await runAppTests(tests, "comfort");
process.exit(failed.length === 0 ? 0 : 1);
