import type { ConsolePolicy, ConsoleTicket, TypingPromise, VSphereConsole } from "./index.js";

export declare const CONST: {
  readonly Position: { readonly CENTER: 0; readonly LEFT_TOP: 1 };
  readonly ConnectionState: { readonly CONNECTING: "connecting"; readonly CONNECTED: "connected"; readonly DISCONNECTED: "disconnected" };
  readonly Events: {
    readonly CONNECTION_STATE_CHANGE: "connectionstatechange"; readonly REMOTE_SCREEN_SIZE_CHANGE: "screensizechange";
    readonly FULL_SCREEN_CHANGE: "fullscreenchange"; readonly ERROR: "error"; readonly KEYBOARD_LEDS_CHANGE: "keyboardledschanged";
    readonly HEARTBEAT: "heartbeat"; readonly AUDIO: "audio"; readonly COPY: "copy"; readonly TOGGLE: "toggle";
  };
  readonly ErrorType: { readonly AUTHENTICATION_FAILED: "authenticationfailed"; readonly WEBSOCKET_ERROR: "websocketerror"; readonly PROTOCOL_ERROR: "protocolerror" };
  readonly AudioEncodeType: { readonly VORBIS: "vorbis"; readonly OPUS: "opus"; readonly AAC: "aac" };
  readonly InputDeviceType: { readonly KEYBOARD: 0; readonly EXTENDED_KEYBOARD: 1; readonly TRACKPAD: 2 };
  /** The layout ids `keyboardLayoutId` takes, as keys (the tables themselves are not exposed). */
  readonly KB: { readonly VScanMap: { readonly [layoutId: string]: Record<string, never> } };
};

export type ConnectionState = "connecting" | "connected" | "disconnected";

export interface WMKSOptions {
  rescale?: boolean;
  position?: 0 | 1;
  changeResolution?: boolean;
  useNativePixels?: boolean;
  /** One of `CONST.KB.VScanMap`'s ids ("en-US", "de-CH", "ja-JP_106/109"…): the typing layout. */
  keyboardLayoutId?: string;
  disableVscanKeyboard?: boolean;
  /**
   * Ours. Default: any host and port, `wss:` only (what VMware's SDK connects to, less
   * `ws:`), or the JSON of the page's `<meta name="vsphere-console-policy">`.
   */
  policy?: ConsolePolicy;
  requestedFrom?: string;
  [other: string]: unknown;
}

/** What the SDK's handlers read of jQuery's event object. */
export interface WMKSEvent {
  type: string;
  target: HTMLElement;
  currentTarget: HTMLElement;
  timeStamp: number;
  preventDefault(): void;
  stopPropagation(): void;
  isDefaultPrevented(): boolean;
}

export interface WMKSEventData {
  connectionstatechange: { state: ConnectionState; reason?: string; code?: number };
  screensizechange: { width: number; height: number; y: number };
  fullscreenchange: { isFullScreen: boolean };
  error: { errorType: "authenticationfailed" | "websocketerror" | "protocolerror"; code: string; sentence: string };
  heartbeat: number;
  keyboardledschanged: number;
  copy: string;
}

export interface WMKS {
  connect(ticket: ConsoleTicket): void;
  disconnect(): void;
  destroy(): void;
  getConnectionState(): ConnectionState;
  getVersion(): "2.1.0";
  /** `this` is the element wrapped as jQuery would (`this[0]`); `event.type` is the SDK's ("nwmksconnected"…). */
  register<K extends keyof WMKSEventData>(type: K, handler: (this: readonly [HTMLElement], event: WMKSEvent, data: WMKSEventData[K]) => void): WMKS;
  unregister(type?: string, handler?: (...args: never[]) => void): WMKS;
  setRemoteScreenSize(width: number, height: number): void;
  getRemoteScreenSize(): { width: number; height: number };
  updateScreen(): void;
  canFullScreen(): boolean;
  isFullScreen(): boolean;
  enterFullScreen(): void;
  exitFullScreen(): void;
  sendInputString(text: string): void;
  /** keyCodes (a negated code point is typed), or, given `vscanCodes`, those scan codes: all pressed, then all released. */
  sendKeyCodes(codes: number[], vscanCodes?: number[]): boolean;
  sendCAD(): void;
  setOption(key: string, value: unknown): void;
  showKeyboard(): void;
  hideKeyboard(): void;
  toggleExtendedKeypad(options?: unknown): void;
  toggleTrackpad(options?: unknown): void;
  toggleRelativePad(options?: unknown): void;
  enableInputDevice(type: number): void;
  disableInputDevice(type: number): void;
  readonly console: VSphereConsole | null;
}

export declare function createWMKS(id: string, options?: WMKSOptions): WMKS;
type Log = (...args: unknown[]) => void;
declare const _default: {
  readonly createWMKS: typeof createWMKS;
  readonly CONST: typeof CONST;
  readonly version: "2.1.0";
  readonly buildNumber: string;
  /** Present for pages that set a log level; logs nothing. */
  readonly LOGGER: { readonly LEVEL: Record<"TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR", number>; setLogLevel: Log; log: Log; trace: Log; debug: Log; info: Log; warn: Log; error: Log };
};
export declare const WMKS: typeof _default;
export default _default;
