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
  readonly InputDeviceType: { readonly KEYBOARD: 0; readonly EXTENDED_KEYBOARD: 1; readonly TRACKPAD: 2 };
};

export type ConnectionState = "connecting" | "connected" | "disconnected";

export interface WMKSOptions {
  rescale?: boolean;
  position?: 0 | 1;
  changeResolution?: boolean;
  useNativePixels?: boolean;
  /** "en-US" or "de-DE": the first two letters choose the typing layout. */
  keyboardLayoutId?: string;
  policy?: ConsolePolicy;
  requestedFrom?: string;
  [other: string]: unknown;
}

export interface WMKSEventData {
  connectionstatechange: { state: ConnectionState; reason?: string; code?: number };
  screensizechange: { width: number; height: number; y: number };
  fullscreenchange: { isFullScreen: boolean };
  error: { errorType: "authenticationfailed" | "websocketerror" | "protocolerror"; sentence: string };
  keyboardledschanged: number;
  copy: string;
}

export interface WMKS {
  connect(ticket: ConsoleTicket): void;
  disconnect(): void;
  destroy(): void;
  getConnectionState(): ConnectionState;
  getVersion(): "2.1.0";
  register<K extends keyof WMKSEventData>(type: K, handler: (event: { type: K }, data: WMKSEventData[K]) => void): WMKS;
  unregister(type?: string, handler?: (...args: never[]) => void): WMKS;
  setRemoteScreenSize(width: number, height: number): void;
  getRemoteScreenSize(): { width: number; height: number };
  updateScreen(): void;
  canFullScreen(): boolean;
  isFullScreen(): boolean;
  enterFullScreen(): void;
  exitFullScreen(): void;
  sendInputString(text: string): TypingPromise | undefined;
  sendKeyCodes(codes: number[]): boolean;
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
declare const _default: { readonly createWMKS: typeof createWMKS; readonly CONST: typeof CONST; readonly version: "2.1.0" };
export declare const WMKS: typeof _default;
export default _default;
