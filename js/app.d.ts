import type { ConsolePolicy, ValidationResult, VirtualMachineTicket } from "./index.js";

export interface MountOptions {
  /** Where config.json is; default "www/config.json". */
  configUrl?: string;
  /** Skip the login form with a clone ticket from AcquireCloneTicket (kept in wasm memory only). */
  cloneTicket?: string;
  /** An existing vmware-api-session-id. */
  sessionId?: string;
  /** A SAML token for LoginByToken. */
  samlToken?: string;
  /** LoginBySSPI: turns each SSPIChallenge token (null at first) into the next base64 token. */
  sspi?: (challenge: string | null) => string | Promise<string>;
  wasmUrl?: string | URL;
}

export interface MountedApp {
  destroy(): void;
}

export declare function initApp(wasmUrl?: string | URL): Promise<unknown>;
export declare function mount(element: Element, options?: MountOptions): Promise<MountedApp>;
/** `sessionKey` is the other session's UserSession.key, never a session token. */
export declare function sessionIsActive(apiBase: string, callerSessionId: string, sessionKey: string, userName: string): Promise<boolean>;
export declare function validateConsoleUrl(ticket: VirtualMachineTicket, requestedFrom: string, policy?: ConsolePolicy | null): Promise<ValidationResult>;
