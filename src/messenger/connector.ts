import type { EventSink, Messenger } from './port.js';

/**
 * Where read-only is emulated, whether a person may only read in a chat now, asked of the core's committed
 * records for each message (so every replica decides alike): the silence, or undefined.
 */
export type ReadOnlyLookup = (
  platformChatId: string,
  platformUserId: string,
) => Promise<{ key: string; until: Date | undefined } | undefined>;

/** An HTTP request as a connector's webhook route sees it. */
export interface InboundRequest {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** An endpoint a connector needs on the bot's HTTP port (a webhook); the HTTP server mounts it as it is. */
export interface InboundRoute {
  method: 'POST';
  path: string;
  /**
   * Whether the headers alone let the request in (a secret header); false answers 401 before the body is
   * read. Routes whose proof is inside the body leave it out and check it in `handle`.
   */
  authorize?(headers: InboundRequest['headers']): boolean;
  handle(request: InboundRequest): Promise<{ status: number; body?: string | Record<string, unknown> }>;
}

/** A connector fed into the core: the routes to mount, and its receive loop to start and stop. */
export interface Attached {
  routes: InboundRoute[];
  /** Starts taking updates: long polling, or registering the webhook. */
  receive(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * One messenger as the composition root sees it: the {@link Messenger} the core uses, how to reach its
 * API and how updates come in. Each platform's `index.ts` builds its own from the config.
 */
export interface Connector {
  /** As people know it, for start-up errors and logs. */
  readonly name: string;
  /** The variable that points at the API, named when it cannot be reached. */
  readonly apiVariable: string;
  readonly messenger: Messenger;
  /** Asks the platform who the bot is; runs before anything else. */
  init(): Promise<unknown>;
  /** Whether the platform's API answers (for /healthz). */
  reachable(): Promise<boolean>;
  /** Feeds the platform's updates to `sink`. */
  attach(sink: EventSink): Attached;
  /** A short description for the ready line of the log. */
  describe(): string;
  /**
   * Where the connector emulates read-only (`capabilities.readOnly === 'emulated'`), how to ask the core's
   * records who is read-only: given once at start, before updates are taken. Asked per message, it is the
   * same answer on every replica and after a restart.
   */
  readOnlyFrom?(lookup: ReadOnlyLookup): void;
}
