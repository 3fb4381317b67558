import type { ConsolePolicy, ConsoleTicket, VSphereConsole } from "./index.js";

export interface RFBOptions {
  /** Ignored: vSphere consoles are shared by the server's rules. */
  shared?: boolean;
  /** Ignored: webmks tickets need no credentials. */
  credentials?: { username?: string; password?: string; target?: string };
  repeaterID?: string;
  wsProtocols?: string[];
  policy?: ConsolePolicy;
  requestedFrom?: string;
  background?: string;
}

export interface RFBEventMap {
  connect: CustomEvent<Record<string, never>>;
  disconnect: CustomEvent<{ clean: boolean }>;
  desktopname: CustomEvent<{ name: string }>;
  clipboard: CustomEvent<{ text: string }>;
  bell: CustomEvent<Record<string, never>>;
  capabilities: CustomEvent<{ capabilities: { power: boolean } }>;
}

export default class RFB extends EventTarget {
  constructor(target: Element, urlOrTicket: ConsoleTicket | (() => ConsoleTicket | Promise<ConsoleTicket>), options?: RFBOptions);
  readonly console: VSphereConsole;
  readonly capabilities: { power: boolean };
  readonly clippingViewport: boolean;
  viewOnly: boolean;
  scaleViewport: boolean;
  resizeSession: boolean;
  clipViewport: boolean;
  /** Stored only. */
  dragViewport: boolean;
  focusOnClick: boolean;
  showDotCursor: boolean;
  /** Stored only: the engine asks for its own JPEG quality and compression. */
  qualityLevel: number;
  compressionLevel: number;
  background: string;
  disconnect(): void;
  sendCtrlAltDel(): void;
  sendKey(keysym: number, code: string | null, down?: boolean): void;
  clipboardPasteFrom(text: string): void;
  focus(options?: FocusOptions): void;
  blur(): void;
  /** Not in noVNC: text input on (a touch keyboard, an input method); call from a tap or click. */
  showKeyboard(): boolean;
  hideKeyboard(): boolean;
  toDataURL(type?: string, encoderOptions?: number): string;
  toBlob(callback: BlobCallback, type?: string, quality?: number): void;
  getImageData(): ImageData;
  approveServer(): void;
  sendCredentials(credentials: unknown): void;
  machineShutdown(): void;
  machineReboot(): void;
  machineReset(): void;
  addEventListener<K extends keyof RFBEventMap>(type: K, listener: (ev: RFBEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
}
