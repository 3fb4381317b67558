// A createWMKS with the VMware HTML Console SDK 2.1's method names and event strings,
// on the vsphere-console core and without jQuery. What wmks.js has and this does not is
// listed in README.md.
import { VSphereConsole } from "./index.js";

export const CONST = Object.freeze({
  Position: Object.freeze({ CENTER: 0, LEFT_TOP: 1 }),
  ConnectionState: Object.freeze({ CONNECTING: "connecting", CONNECTED: "connected", DISCONNECTED: "disconnected" }),
  Events: Object.freeze({
    CONNECTION_STATE_CHANGE: "connectionstatechange", REMOTE_SCREEN_SIZE_CHANGE: "screensizechange",
    FULL_SCREEN_CHANGE: "fullscreenchange", ERROR: "error", KEYBOARD_LEDS_CHANGE: "keyboardledschanged",
    HEARTBEAT: "heartbeat", AUDIO: "audio", COPY: "copy", TOGGLE: "toggle",
  }),
  ErrorType: Object.freeze({ AUTHENTICATION_FAILED: "authenticationfailed", WEBSOCKET_ERROR: "websocketerror", PROTOCOL_ERROR: "protocolerror" }),
  InputDeviceType: Object.freeze({ KEYBOARD: 0, EXTENDED_KEYBOARD: 1, TRACKPAD: 2 }),
});

const DEFAULTS = { rescale: true, position: CONST.Position.CENTER, changeResolution: true, useNativePixels: false,
  keyboardLayoutId: "en-US", retryConnectionInterval: -1, policy: undefined, requestedFrom: undefined };

/** wmks's `keyboardLayoutId`s (its ten, and the other locales of ours) → our layout names. */
const WMKS_LAYOUTS = {
  "en-US": "us", "en-GB": "uk", "de-DE": "de", "de-CH": "de-ch", "fr-FR": "fr", "fr-CH": "fr-ch", "fr-BE": "be",
  "es-ES": "es", "it-IT": "it", "pt-PT": "pt", "pt-BR": "pt-br", "nl-NL": "nl", "sv-SE": "se", "nb-NO": "no",
  "da-DK": "dk", "fi-FI": "fi", "pl-PL": "pl", "cs-CZ": "cz", "hu-HU": "hu", "tr-TR": "tr", "ru-RU": "ru", "ja-JP_106/109": "jp",
};

/** `createWMKS(id, options)`: `id` without `#`. Nothing connects until `connect(ticket)`. */
export function createWMKS(id, options = {}) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`createWMKS: no element with id ${id}`);
  const opts = { ...DEFAULTS, ...options };
  const handlers = new Map();
  let console = null;
  let state = CONST.ConnectionState.DISCONNECTED;
  let size = { width: 0, height: 0 };
  // Handlers get (event, data) as with jQuery; the event is a plain { type } object.
  const fire = (type, data) => {
    for (const fn of handlers.get(type) ?? []) fn({ type }, data);
  };
  const setState = (next, extra = {}) => {
    if (state === next) return;
    state = next;
    fire(CONST.Events.CONNECTION_STATE_CHANGE, { state: next, ...extra });
  };
  const scale = () => (opts.changeResolution ? "remote" : opts.rescale ? "fit" : "actual");
  const onFullscreen = () => fire(CONST.Events.FULL_SCREEN_CHANGE, { isFullScreen: Boolean(document.fullscreenElement) });
  document.addEventListener("fullscreenchange", onFullscreen);

  const wmks = {
    /** Opens a console for a ticket (or its REST URL); any current one is dropped first. */
    connect(ticket) {
      wmks.disconnect();
      console = new VSphereConsole(element, {
        ticket, policy: opts.policy, requestedFrom: opts.requestedFrom, scale: scale(), reconnect: false,
        keyboardLayout: WMKS_LAYOUTS[opts.keyboardLayoutId] ?? "us", label: "Virtual machine console",
      });
      console.addEventListener("connecting", () => setState(CONST.ConnectionState.CONNECTING));
      console.addEventListener("connect", () => setState(CONST.ConnectionState.CONNECTED));
      console.addEventListener("disconnect", (e) => setState(CONST.ConnectionState.DISCONNECTED, { reason: e.detail.reason, code: e.detail.code }));
      console.addEventListener("resize", (e) => {
        size = { width: e.detail.width, height: e.detail.height };
        fire(CONST.Events.REMOTE_SCREEN_SIZE_CHANGE, { ...size, y: size.height });
      });
      console.addEventListener("leds", (e) => fire(CONST.Events.KEYBOARD_LEDS_CHANGE, (e.detail.scroll ? 1 : 0) | (e.detail.num ? 2 : 0) | (e.detail.caps ? 4 : 0)));
      console.addEventListener("clipboard", (e) => fire(CONST.Events.COPY, e.detail.text));
      console.addEventListener("error", (e) => {
        const errorType = e.detail.code === "protocol" ? CONST.ErrorType.PROTOCOL_ERROR : CONST.ErrorType.WEBSOCKET_ERROR;
        fire(CONST.Events.ERROR, { errorType, sentence: e.detail.sentence });
      });
    },
    /** SessionClose, then the socket closes (as wmks.js, no "disconnected" of its own). */
    disconnect() {
      if (!console) return;
      console.disconnect();
      console.destroy();
      console = null;
    },
    destroy() {
      wmks.disconnect();
      document.removeEventListener("fullscreenchange", onFullscreen);
      handlers.clear();
    },
    getConnectionState: () => state,
    getVersion: () => "2.1.0",
    register(type, fn) {
      if (!handlers.has(type)) handlers.set(type, []);
      handlers.get(type).push(fn);
      return wmks;
    },
    unregister(type, fn) {
      if (type === undefined) handlers.clear();
      else if (fn === undefined) handlers.delete(type);
      else handlers.set(type, (handlers.get(type) ?? []).filter((f) => f !== fn));
      return wmks;
    },
    setRemoteScreenSize(width, height) {
      if (!opts.changeResolution || !console) return;
      const r = opts.useNativePixels ? Math.max(1, window.devicePixelRatio || 1) : 1;
      console.requestResolution(Math.round(width * r), Math.round(height * r));
    },
    getRemoteScreenSize: () => ({ ...size }),
    updateScreen() { console?.setScale(scale()); },
    canFullScreen: () => Boolean(document.fullscreenEnabled),
    isFullScreen: () => Boolean(document.fullscreenElement),
    enterFullScreen() { console?.enterFullscreen(); },
    exitFullScreen() { console?.exitFullscreen(); },
    sendInputString(text) { return console?.typeText(text); },
    /** JavaScript keyCodes pressed in order, released in reverse; a negated code point last. */
    sendKeyCodes(codes) { return console?.sendKeyCodes(codes) ?? false; },
    sendCAD() { console?.sendCtrlAltDel(); },
    setOption(key, value) {
      opts[key] = value;
      if (["rescale", "changeResolution", "position", "useNativePixels"].includes(key)) wmks.updateScreen();
    },
    // Mobile overlays and input-device switches are the page's business here.
    showKeyboard() { console?.focus(); },
    hideKeyboard() { console?.blur(); },
    toggleExtendedKeypad() {},
    toggleTrackpad() {},
    toggleRelativePad() {},
    enableInputDevice() {},
    disableInputDevice() {},
    /** The console underneath, for what wmks.js lacks. */
    get console() { return console; },
  };
  return wmks;
}

export const WMKS = Object.freeze({ createWMKS, CONST, version: "2.1.0" });
export default WMKS;
