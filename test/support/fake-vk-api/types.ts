/** Conversations with peer_id at or above this are group chats (`2000000000 + chat_id`). */
export const CHAT_PEER_OFFSET = 2_000_000_000;

/** The API version vk-io 4.10 sends and the fake answers as. */
export const API_VERSION = '5.199';

/** Construction options of {@link FakeVkApi}. */
export interface FakeVkApiOptions {
  /** The community token the server accepts. Default `vk1.a.test-token`. */
  readonly token?: string;
  /** The community (group) id; the bot appears in chats as `-groupId`. Default 220000001. */
  readonly groupId?: number;
  readonly groupName?: string;
  readonly screenName?: string;
  /** "Now" for message dates, restriction ends, event-answer windows and edit limits. Default `new Date()`. */
  readonly clock?: () => Date;
  /**
   * API requests per second per token before VK answers error 6 (real time, sliding one-second window).
   * Default 20, VK's limit for a community token; `false` turns the limit off.
   */
  readonly requestsPerSecond?: number | false;
  /** Callback API delivery tuning. */
  readonly callback?: {
    /** Delay before resending an event the receiver did not answer `ok` to. Default 100 ms. */
    readonly retryDelayMs?: number;
    /** Deliveries of one event before VK gives up on it. Default 5. */
    readonly maxAttempts?: number;
    /** How long to wait for the receiver's answer. Default 5000 ms. */
    readonly timeoutMs?: number;
  };
}

/** A person as users.get returns them. */
export interface VkUser {
  readonly id: number;
  readonly first_name: string;
  readonly last_name: string;
  readonly screen_name?: string;
}

/** A chat as the scenario helpers return it. */
export interface ChatRef {
  readonly peerId: number;
  /** `peerId − 2000000000`, the id messages.removeChatUser takes. */
  readonly chatId: number;
  readonly title: string;
}

/** A user or the community (negative id) in a chat. */
export interface MemberView {
  readonly memberId: number;
  readonly isAdmin: boolean;
  readonly isOwner: boolean;
  readonly invitedBy: number;
  readonly joinDate: number;
  /** Read-only now; `restrictedUntil` is its end (`null` = until lifted). */
  readonly isRestrictedToWrite: boolean;
  readonly restrictedUntil: Date | null | undefined;
}

/** One callback button of an inline keyboard, as sent. */
export interface KeyboardButton {
  readonly type: string;
  readonly label: string;
  readonly payload?: string;
  readonly link?: string;
}

/** A message of a conversation with everything the tests look at. */
export interface MessageView {
  readonly cmid: number;
  readonly peerId: number;
  readonly fromId: number;
  readonly text: string;
  readonly date: number;
  readonly randomId?: number;
  readonly replyTo?: number;
  readonly action?: { readonly type: string; readonly member_id?: number; readonly text?: string };
  readonly keyboard?: { readonly inline: boolean; readonly buttons: readonly (readonly KeyboardButton[])[] };
  /** Texts before each edit, oldest first. */
  readonly edits: readonly string[];
  /** Deleted for everyone (`delete_for_all=1`) or only for the community. */
  readonly deleted: 'for_all' | 'for_community' | false;
}

/** A Bots Long Poll / Callback API event as VK sends it. */
export interface WireEvent {
  readonly type: string;
  readonly object: Record<string, unknown>;
  readonly group_id: number;
  readonly event_id: string;
  readonly v: string;
}

/** What the fake answers a call with instead of running it. */
export type Fault =
  /** A VK API error (`{error: {error_code, error_msg, request_params}}`, HTTP 200). */
  | { readonly errorCode: number; readonly msg?: string }
  /** An HTTP status with an HTML page, like VK's front servers under trouble. */
  | { readonly status: number }
  /** This answer (`{response: …}`) without running the method: VK saying yes and doing nothing. */
  | { readonly response: unknown }
  /**
   * Holds the call this long, then runs it and answers (the client may have given up: the effect still
   * happens), or with `drop` closes the connection without running it.
   */
  | { readonly timeoutMs: number; readonly drop?: boolean };

export interface FaultOptions {
  /** How many matching calls fail. Default 1. */
  readonly times?: number;
}

/** One API call as the fake answered it. */
export interface CallRecord {
  readonly method: string;
  readonly params: Readonly<Record<string, string>>;
  /** Real time of arrival (ms), for rate checks. */
  readonly arrivedAt: number;
  readonly errorCode?: number;
  readonly status?: number;
}

/** A button press answer (messages.sendMessageEventAnswer). */
export interface EventAnswer {
  readonly eventId: string;
  readonly userId: number;
  readonly peerId: number;
  readonly eventData?: Record<string, unknown>;
}

/** One Callback API delivery attempt. */
export interface CallbackDelivery {
  readonly eventId: string;
  readonly type: string;
  /** HTTP status, or 'error' when the receiver could not be reached. */
  readonly status: number | 'error';
  readonly body: string;
}

/** One Bots Long Poll request (`act=a_check`), logged when it arrives. */
export interface PollRequest {
  readonly ts: string;
  readonly key: string;
  /** Events returned (0 while the request is held), or the `failed` code. */
  readonly returned: number;
  readonly failed?: number;
}

export interface Stats {
  readonly calls: number;
  readonly tooManyRequests: number;
  readonly injectedFaults: number;
  /** Most API calls accepted within any one-second window. */
  readonly maxCallsPerSecond: number;
}
