import type { ConsolePolicy, ConsoleTicket, TypingPromise, VSphereConsole, VSphereConsoleEventMap, VSphereConsoleOptions } from "./index.js";

export declare class VSphereConsoleElement extends HTMLElement {
  /** Write-only: reading gives null, and it never becomes an attribute. */
  ticket: ConsoleTicket | null;
  acquireTicket: (() => ConsoleTicket | Promise<ConsoleTicket>) | null;
  policy: ConsolePolicy | undefined;
  requestedFrom: string | undefined;
  options: Omit<VSphereConsoleOptions, "ticket" | "acquireTicket" | "policy" | "requestedFrom">;
  readonly console: VSphereConsole | null;
  disconnect(): void;
  reconnect(): void;
  sendCtrlAltDel(): void;
  sendKeys(combo: string | string[]): boolean;
  typeText(text: string): TypingPromise | Promise<never>;
  /** Text input on (input methods, touch keyboards); call from a tap or click. False before the console starts. */
  showKeyboard(): boolean;
  hideKeyboard(): boolean;
  addEventListener<K extends keyof VSphereConsoleEventMap>(type: K, listener: (ev: VSphereConsoleEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
}

declare global {
  interface HTMLElementTagNameMap {
    "vsphere-console": VSphereConsoleElement;
  }
}
