// Types for the console-only entry of vsphere-console.

/** `VirtualMachineTicket` as VI/JSON `AcquireTicket` returns it (`ticketType: "webmks"`). */
export interface VirtualMachineTicket {
  _typeName?: "VirtualMachineTicket";
  ticket: string;
  cfgFile?: string;
  host?: string;
  port?: number;
  sslThumbprint?: string;
  certThumbprintList?: { thumbprint: string; hashAlgorithm?: string }[];
  sslCertificate?: string;
  url?: string;
}

/** The Automation REST console ticket (`POST /api/vcenter/vm/{vm}/console/tickets`), or its URL. */
export type RestConsoleTicket = { ticket: string } | string;

export type ConsoleTicket = VirtualMachineTicket | RestConsoleTicket;

/** The URL policy every ticket must pass before anything connects (`consolePolicy`). */
export interface ConsolePolicy {
  /** Allow `ws:` consoles (lab only). Default false. */
  allowInsecure?: boolean;
  /** `esx01.example.com`, `*.example.com`, `10.1.2.3`, `10.0.0.0/8`, `fd00::/8`, or `*` (any host). */
  allowedHosts?: string[];
  /** Default [443]. */
  allowedPorts?: number[];
  /** Any port from 1 to 65535 (what VMware's SDK allows). Default false. */
  anyPort?: boolean;
  /** Also allow the host and port the ticket was requested from. Default false. */
  allowRequestOrigin?: boolean;
  onMismatch?: "reject" | "preferUrl" | "preferFields";
  /** Rewrite after validation, e.g. `wss://portal.example/console/{host}/{port}/ticket/{ticket}`. */
  proxyTemplate?: string;
}

export type ScaleMode = "fit" | "actual" | "remote";

export interface VSphereConsoleOptions {
  /** The ticket for the first attempt, exactly as vCenter returned it. One-time. */
  ticket?: ConsoleTicket;
  /** A fresh ticket for each attempt (reconnects need one). */
  acquireTicket?: () => ConsoleTicket | Promise<ConsoleTicket>;
  /** The origin the ticket was requested from (vCenter's), e.g. `https://vc.example.com`; default: the page's. */
  requestedFrom?: string;
  policy?: ConsolePolicy;
  /** Default "fit". */
  scale?: ScaleMode;
  viewOnly?: boolean;
  /** The guest's layout for typed text sent as scan codes (default "us"); tables generated from xkb-data. */
  keyboardLayout?: KeyboardLayout;
  /** Which ways clipboard text may go; both default to true. */
  clipboard?: { toVm?: boolean; fromVm?: boolean };
  /**
   * The chord of modifiers, pressed together and released with no other key, that moves
   * the keyboard focus out of the screen (every other key goes to the VM, Tab included).
   * Default "Ctrl+Alt+Shift"; "" for none.
   */
  leaveKeys?: string;
  /**
   * Composed text (input methods, touch keyboards) goes as the characters themselves
   * where a VMware server takes that (KeyEvent2), instead of as keys on `keyboardLayout`.
   * Default true.
   */
  unicodeKeys?: boolean;
  /** Pause between typed key events; default 25. */
  typingDelayMs?: number;
  /** Reconnect by itself after a network drop, with a fresh ticket from acquireTicket; default true. */
  reconnect?: boolean;
  /** An issued ticket older than this is never used; default 60. */
  ticketLifetimeSeconds?: number;
  /** Each step before the console runs (socket, handshake, first picture) may take this long; default 20. */
  stepTimeoutSeconds?: number;
  /** The canvas's accessible name. */
  label?: string;
  /** CSS background behind the screen. */
  background?: string;
  /** Where the .wasm file is, for bundlers that move it. */
  wasmUrl?: string | URL;
}

export type KeyMode = "Keysym" | "QemuExtended" | "VmwareScancode";
/**
 * The `error` event's `code`: why the console stopped. The URL policy's codes are the
 * `ValidationCode`s; `init` and `keyboard-layout` come from this package's JavaScript.
 */
export type ErrorCode = "session" | "ticket" | "bad-input" | "ticket-expired" | "timeout" | "protocol" | "authentication" | "refused"
  | "init" | "keyboard-layout" | ValidationCode;
export type TicketStateName = "requested" | "issued" | "validated" | "connecting" | "in-use" | "used" | "expired" | "rejected" | "failed";
export type StepName = "Ticket" | "CheckingUrl" | "Connecting" | "Handshake" | "WaitingForPicture" | "Running" | "Failed" | "Closed";

export interface ConsoleStatus {
  step: StepName;
  text: string;
  message: string | null;
  ticket: TicketStateName;
  width: number | null;
  height: number | null;
  name: string | null;
  keyMode: KeyMode;
  viewOnly: boolean;
  keyboardLayout: KeyboardLayout;
  insecure: boolean;
  retryIn: number | null;
  /** The VM copied text that has not gone to the local clipboard: offer a copy control (`copyFromVm`). */
  clipboardWaiting: boolean;
  trustUrl: string | null;
  /** The console URL with the ticket replaced. */
  redactedUrl: string | null;
}

/** Every event and its `detail`. None carries a ticket or a session id. */
export interface VSphereConsoleEventMap {
  connecting: CustomEvent<Record<string, never>>;
  connect: CustomEvent<Record<string, never>>;
  disconnect: CustomEvent<{ clean: boolean; code: number; reason: string }>;
  ticketstate: CustomEvent<{ state: TicketStateName }>;
  desktopname: CustomEvent<{ name: string }>;
  resize: CustomEvent<{ width: number; height: number }>;
  clipboard: CustomEvent<{ text: string }>;
  bell: CustomEvent<Record<string, never>>;
  leds: CustomEvent<{ scroll: boolean; num: boolean; caps: boolean }>;
  error: CustomEvent<{ code: ErrorCode; sentence: string }>;
  status: CustomEvent<ConsoleStatus>;
}

export interface TypingPromise extends Promise<void> {
  cancel(): void;
}

/** Guest keyboard layouts typed text can use. */
export type KeyboardLayout = "us" | "uk" | "de" | "de-ch" | "fr" | "fr-ch" | "be" | "es" | "it" | "pt" | "pt-br" | "nl" | "se" | "no" | "dk" | "fi" | "pl" | "cz" | "hu" | "tr" | "ru" | "jp";

export declare class VSphereConsole extends EventTarget {
  constructor(element: Element, options: VSphereConsoleOptions);
  /** Resolves once the console has started. */
  readonly ready: Promise<void>;
  readonly canvas: HTMLCanvasElement;
  readonly status: ConsoleStatus | null;
  readonly scale: ScaleMode;
  viewOnly: boolean;
  /** The guest's layout for typeText; setting an unknown name throws a RangeError. */
  keyboardLayout: KeyboardLayout;
  disconnect(): void;
  reconnect(): void;
  sendCtrlAltDel(): void;
  /** A menu label ("Ctrl+Alt+F2", "Alt+Tab", "Windows key", …) or `KeyboardEvent.code`s. */
  sendKeys(combo: string | string[]): boolean;
  sendKeyCodes(codes: number[]): boolean;
  sendKey(keysym: number, code?: string | null, down?: boolean): void;
  typeText(text: string): TypingPromise;
  /** Text for the VM's clipboard: Unicode where the server has Extended Clipboard, else Latin-1 (`sentence` says what was lost, or why nothing went). */
  clipboardPaste(text: string): { sent: boolean; sentence: string | null };
  /** The copy control (call from a click): the VM's waiting text to the local clipboard. False when none waits. */
  copyFromVm(): boolean;
  /** Resolves once everything received so far is drawn on the canvas: no image being decoded, no paint pending. */
  settled(): Promise<void>;
  requestResolution(width: number, height: number): boolean;
  setScale(mode: ScaleMode): void;
  /** Fullscreen (on the console, or `target`) with the keyboard locked where the browser can. */
  enterFullscreen(target?: Element): Promise<void>;
  exitFullscreen(): Promise<void>;
  toDataURL(type?: string, quality?: number): string;
  toBlob(callback: BlobCallback, type?: string, quality?: number): void;
  /** Text input on: a touch keyboard opens, an input method composes (call from a tap or click). */
  showKeyboard(): boolean;
  hideKeyboard(): boolean;
  focus(options?: FocusOptions): void;
  blur(): void;
  destroy(): void;
  addEventListener<K extends keyof VSphereConsoleEventMap>(type: K, listener: (ev: VSphereConsoleEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof VSphereConsoleEventMap>(type: K, listener: (ev: VSphereConsoleEventMap[K]) => void, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

export type ValidationCode = "bad-ticket" | "bad-port" | "bad-host" | "host-characters" | "mismatch" | "unsafe-characters" | "unparsable" | "scheme" | "insecure"
  | "userinfo" | "query-or-fragment" | "odd-form" | "host" | "port" | "path" | "proxy-template" | "bad-input";

export type ValidationResult =
  | { ok: true; url: string; redacted: string; host: string; port: number; insecure: boolean; trustUrl: string;
      thumbprints: { algorithm: string; thumbprint: string }[] }
  | { ok: false; code: ValidationCode; reason: string };

export declare function initConsole(wasmUrl?: string | URL): Promise<unknown>;
export declare function validateConsoleUrl(ticket: VirtualMachineTicket, requestedFrom: string, policy?: ConsolePolicy | null): Promise<ValidationResult>;
