// createWMKS with the names, options, defaults, events and handler arguments of VMware's
// HTML Console SDK 2.1 (wmks.js), on the vsphere-console core and without jQuery: a page
// written for VMware's SDK changes its script line and runs. What the SDK has and this
// does not, and the few places where this does what the SDK's documentation promises
// rather than what its code does, are listed in README.md ("Moving from wmks.js").
import { VSphereConsole } from "./index.js";

const freeze = (o) => Object.freeze(o);

/** Layout ids VMware's SDK knows (its ten), and the other locales of ours. */
const LAYOUTS = freeze({
  "en-US": "us", "en-GB": "uk", "de-DE": "de", "de-CH": "de-ch", "fr-FR": "fr", "fr-CH": "fr-ch", "fr-BE": "be",
  "es-ES": "es", "it-IT": "it", "pt-PT": "pt", "pt-BR": "pt-br", "nl-NL": "nl", "sv-SE": "se", "nb-NO": "no",
  "da-DK": "dk", "fi-FI": "fi", "pl-PL": "pl", "cs-CZ": "cz", "hu-HU": "hu", "tr-TR": "tr", "ru-RU": "ru", "ja-JP_106/109": "jp",
});

export const CONST = freeze({
  Position: freeze({ CENTER: 0, LEFT_TOP: 1 }),
  ConnectionState: freeze({ CONNECTING: "connecting", CONNECTED: "connected", DISCONNECTED: "disconnected" }),
  Events: freeze({
    CONNECTION_STATE_CHANGE: "connectionstatechange", REMOTE_SCREEN_SIZE_CHANGE: "screensizechange",
    FULL_SCREEN_CHANGE: "fullscreenchange", ERROR: "error", KEYBOARD_LEDS_CHANGE: "keyboardledschanged",
    HEARTBEAT: "heartbeat", AUDIO: "audio", COPY: "copy", TOGGLE: "toggle",
  }),
  ErrorType: freeze({ AUTHENTICATION_FAILED: "authenticationfailed", WEBSOCKET_ERROR: "websocketerror", PROTOCOL_ERROR: "protocolerror" }),
  AudioEncodeType: freeze({ VORBIS: "vorbis", OPUS: "opus", AAC: "aac" }),
  InputDeviceType: freeze({ KEYBOARD: 0, EXTENDED_KEYBOARD: 1, TRACKPAD: 2 }),
  // The SDK keeps its layout tables here; a page lists the ids with Object.keys().
  KB: freeze({ VScanMap: freeze(Object.fromEntries(Object.keys(LAYOUTS).map((id) => [id, freeze({})]))) }),
});

/** The SDK's defaults (its nwmks widget over the base widget), and ours: `policy`, `requestedFrom`. */
const DEFAULTS = freeze({
  rescale: true, position: CONST.Position.CENTER, changeResolution: true, audioEncodeType: null, useNativePixels: false,
  useUnicodeKeyboardInput: false, useVNCHandshake: true, sendProperMouseWheelDeltas: false, reverseScrollY: false,
  retryConnectionInterval: -1, ignoredRawKeyCodes: [], fixANSIEquivalentKeys: false, disableVscanKeyboard: false,
  keyboardLayoutId: "en-US", enableVVC: true, enableUint8Utf8: false, enableMP4: false, enableRawH264: false,
  enableTopologyChange: false, enableH264Multimon: false, multimonRenderer: null, enableSubRectangleCache: true,
  enableVorbisAudioClips: false, enableOpusAudioClips: false, enableAacAudioClips: false, enableVMWAudioMixer: false,
  sendRelativeMouseEvent: false, enableWindowsKey: false, mapMetaToCtrlForKeys: [], mapMetaToCtrlForVScans: [],
  VCDProxyHandshakeVmxPath: null, allowMobileKeyboardInput: true, allowMobileExtendedKeypad: true, allowMobileTrackpad: true,
  disableTouch: false, fitToParent: false, fitGuest: false, isFitToViewer: true, isShadow: false,
});

/**
 * The console URL policy when the page names none: what VMware's SDK accepts (any host,
 * any port), keeping the checks that cost a portal nothing: `wss:` only, the path
 * `/ticket/<ticket>`, no user name or password, no query.
 */
export const SDK_POLICY = freeze({ allowedHosts: ["*"], anyPort: true });

/**
 * The policy from the page's `<meta name="vsphere-console-policy" content="{…}">`, placed
 * beside the script line, so the page's own code stays as it was. Its fields replace the
 * SDK default's, field by field (naming `allowedPorts` turns `anyPort` off).
 */
function policyFromPage() {
  const meta = typeof document === "undefined" ? null : document.querySelector('meta[name="vsphere-console-policy"]');
  if (!meta) return null;
  try {
    return JSON.parse(meta.content);
  } catch {
    throw new Error("createWMKS: the vsphere-console-policy meta tag does not hold JSON");
  }
}

const isSafari = () => /^((?!chrome|android).)*safari/i.test(navigator.userAgent);

/**
 * `createWMKS(id, options)`: `id` without `#`. Nothing connects until `connect(url)`.
 * Handlers registered with `register` are called as the SDK calls them: `this` is the
 * element wrapped as jQuery would (`this[0]`), then `(event, data)`.
 */
export function createWMKS(id, options = {}) {
  const element = id ? document.getElementById(id) : null;
  if (!element) throw new Error("Invalid parameter");
  const opts = { ...DEFAULTS, ...options };
  const given = options.policy ?? policyFromPage() ?? {};
  const policy = { ...SDK_POLICY, ...(given.allowedPorts && given.anyPort === undefined ? { anyPort: false } : {}), ...given };
  const self = freeze([element]);
  let handlers = {};
  let console = null;
  let state = CONST.ConnectionState.DISCONNECTED;
  let size = { width: 0, height: 0 };
  element.classList.add("wmks");

  /** An event object with the fields (and methods) an SDK handler reads of jQuery's. */
  const event = (type, originalEvent) => {
    let prevented = false;
    let stopped = false;
    return {
      type, target: element, currentTarget: element, delegateTarget: element, timeStamp: Date.now(), originalEvent,
      preventDefault() { prevented = true; }, isDefaultPrevented: () => prevented,
      stopPropagation() { stopped = true; }, isPropagationStopped: () => stopped,
      stopImmediatePropagation() { stopped = true; }, isImmediatePropagationStopped: () => stopped,
    };
  };
  const fire = (name, ev, data) => {
    for (const fn of [...(handlers[name] ?? [])]) fn.apply(self, [ev, data]);
  };
  // The SDK raises each state on its widget ("nwmksconnected"…) and passes the data on.
  const setState = (next, data = {}) => {
    state = next;
    fire(CONST.Events.CONNECTION_STATE_CHANGE, event(`nwmks${next}`), { ...data, state: next });
  };
  const scale = () => (opts.changeResolution ? "remote" : opts.rescale ? "fit" : "actual");
  const onFullscreen = (e) => {
    if (!document.fullscreenElement || document.fullscreenElement === element) {
      fire(CONST.Events.FULL_SCREEN_CHANGE, event("fullscreenchange", e), { isFullScreen: document.fullscreenElement === element });
    }
  };
  document.addEventListener("fullscreenchange", onFullscreen);

  const errorType = (code) =>
    code === "protocol" ? CONST.ErrorType.PROTOCOL_ERROR : code === "authentication" ? CONST.ErrorType.AUTHENTICATION_FAILED : CONST.ErrorType.WEBSOCKET_ERROR;

  const wmks = {
    /** Opens the console at `url` (as VMware's SDK takes it), or for a ticket as vCenter returned it. */
    connect(url) {
      if (console) console.destroy();
      console = new VSphereConsole(element, {
        ticket: url, policy, requestedFrom: opts.requestedFrom, scale: scale(), reconnect: false,
        keyboardLayout: LAYOUTS[opts.keyboardLayoutId] ?? "us", label: "Virtual machine console",
        // The SDK's switch for characters as themselves (KeyEvent2); here it decides how
        // composed text (input methods, touch keyboards) goes.
        unicodeKeys: Boolean(opts.useUnicodeKeyboardInput),
      });
      // The SDK says "connecting" when the socket opens, "connected" at the first picture.
      console.addEventListener("ticketstate", (e) => {
        if (e.detail.state === "in-use") setState(CONST.ConnectionState.CONNECTING, { vvc: null, vvcSession: null });
      });
      console.addEventListener("connect", () => setState(CONST.ConnectionState.CONNECTED));
      console.addEventListener("disconnect", (e) => setState(CONST.ConnectionState.DISCONNECTED, { reason: e.detail.reason, code: e.detail.code }));
      console.addEventListener("resize", (e) => {
        size = { width: e.detail.width, height: e.detail.height };
        fire(CONST.Events.REMOTE_SCREEN_SIZE_CHANGE, event("nwmksresolutionchanged"), { ...size, y: size.height });
      });
      console.addEventListener("leds", (e) => {
        const bits = (e.detail.scroll ? 1 : 0) | (e.detail.num ? 2 : 0) | (e.detail.caps ? 4 : 0);
        fire(CONST.Events.KEYBOARD_LEDS_CHANGE, event("nwmkskeyboardledschanged"), bits);
      });
      console.addEventListener("clipboard", (e) => fire(CONST.Events.COPY, event("nwmkscopy"), e.detail.text));
      console.addEventListener("heartbeat", (e) => fire(CONST.Events.HEARTBEAT, event("nwmksheartbeat"), e.detail.value));
      console.addEventListener("error", (e) => {
        const type = errorType(e.detail.code);
        fire(CONST.Events.ERROR, event(`nwmks${type === CONST.ErrorType.WEBSOCKET_ERROR ? "error" : type}`), {
          errorType: type, code: e.detail.code, sentence: e.detail.sentence,
        });
      });
    },
    /** SessionClose where the server takes it, the socket closed; then "disconnected", as the SDK's documentation says. */
    disconnect() { console?.disconnect(); },
    destroy() {
      console?.destroy();
      console = null;
      document.removeEventListener("fullscreenchange", onFullscreen);
      handlers = {};
      element.classList.remove("wmks");
    },
    getConnectionState: () => state,
    getVersion: () => WMKS.version,
    register(name, fn) {
      if (!name || !fn) return undefined;
      (handlers[name] ??= []).push(fn);
      return wmks;
    },
    unregister(name, fn) {
      if (!name && !fn) {
        handlers = {};
        return wmks;
      }
      if (name && !fn) {
        delete handlers[name];
        return wmks;
      }
      const list = handlers[name];
      const at = list ? list.indexOf(fn) : -1;
      if (at >= 0) list.splice(at, 1);
      if (list && list.length === 0) delete handlers[name];
      return wmks;
    },
    setRemoteScreenSize(width, height) {
      const r = opts.useNativePixels ? Math.max(1, window.devicePixelRatio || 1) : 1;
      const [w, h] = [Math.round(width * r), Math.round(height * r)];
      if (!opts.changeResolution || !console || (w === size.width && h === size.height)) return;
      console.requestResolution(w, h);
    },
    getRemoteScreenSize: () => ({ ...size }),
    updateScreen() { console?.setScale(scale()); },
    canFullScreen: () => Boolean(document.fullscreenEnabled) && !isSafari(),
    isFullScreen: () => Boolean(document.fullscreenElement),
    enterFullScreen() {
      if (!document.fullscreenElement && wmks.canFullScreen() && console) console.enterFullscreen(element).catch(() => {});
    },
    exitFullScreen() {
      if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    },
    /** Types the text into the VM (at the console's pace). Returns nothing, as the SDK. */
    sendInputString(text) { console?.typeText(String(text)).catch(() => {}); },
    /** keyCodes pressed in order and released in reverse (a negated code point is typed); or, as the SDK, `vscanCodes` all pressed, then all released in the same order. */
    sendKeyCodes(keyCodes, vscanCodes) { return console?.sendKeyCodes(keyCodes ?? [], vscanCodes) ?? false; },
    sendCAD() { wmks.sendKeyCodes([17, 18, 46], [29, 56, 339]); },
    setOption(name, value) {
      opts[name] = value;
      if (["rescale", "changeResolution", "position", "useNativePixels"].includes(name)) wmks.updateScreen();
      if (name === "keyboardLayoutId" && console) console.keyboardLayout = LAYOUTS[value] ?? "us";
    },
    // The touch keyboard is the console's focus; the SDK's touch overlays are not drawn here.
    showKeyboard() { console?.showKeyboard(); },
    hideKeyboard() { console?.hideKeyboard(); },
    toggleExtendedKeypad() {},
    toggleTrackpad() {},
    toggleRelativePad() {},
    enableInputDevice() {},
    disableInputDevice() {},
    /** The VSphereConsole underneath, for what the SDK lacks. */
    get console() { return console; },
  };
  return wmks;
}

const LEVEL = freeze({ TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 });
const quiet = () => {};

/** The SDK's global object: `WMKS.createWMKS`, `WMKS.CONST`, `WMKS.version`. */
export const WMKS = freeze({
  createWMKS, CONST, version: "2.1.0", buildNumber: "vsphere-console",
  LOGGER: freeze({ LEVEL, setLogLevel: quiet, log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet }),
});
export default WMKS;
