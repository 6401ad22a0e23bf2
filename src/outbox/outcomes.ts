import type { MessengerErrorCode } from '../messenger/port.js';
import type { LiftReason } from '../moderation/strikes.js';

/**
 * Every outcome handler by name, with the arguments its enqueuer gives it. An action can name what to
 * record once it is done (or has finally failed); the name and its arguments are checked here at compile
 * time, and the app must register a handler for every name (see {@link OutcomeHandlers}).
 */
export interface Outcomes {
  /** A block reached the platform (or could not): recorded as applied, and the chat told. */
  'block.applied': {
    blockId: number;
    announcement?: string;
    replyTo?: string;
    /** What the blocked member reads privately (term, rules, reason, how to apologise). */
    notice?: string;
  };
  /** A block was lifted on the platform (or the lift failed and stays due). */
  'block.lifted': {
    blockId: number;
    reason?: LiftReason;
    announcement?: string;
    actorAccountId?: number | null;
  };
  /** A link to come back, for platforms that cannot let a removed member back in themselves. */
  'block.rejoin_link': { chatId: number; announcement: string; accountId?: number };
  'gate.request_message': { requestId: number };
  'gate.request_approved': { requestId: number };
  'gate.greeting_sent': { greetingId: number };
  'gate.invite_created': {
    chatId: number;
    replyTo: string;
    createdBy?: number | null;
    /** When the link stops working (the chat's `invite_link_days`); it is revoked then. */
    expiresAt?: string;
  };
  'apology.announced': { apologyId: number };
  'vote.posted': { voteId: number };
  'roster.removal': { removalId: number };
  /** A moderator's command deleted after a private answer; where the platform refuses, it simply stays. */
  'privacy.command_deleted': Record<string, never>;
  'invitation.link': { chatId: number; accountId: number; invitationId: number; expiresAt: string };
}

export type OutcomeName = keyof Outcomes;

/** A handler's name and its arguments, as stored with an outbox action. */
export type OutcomeRef = { [K in OutcomeName]: { name: K; args: Outcomes[K] } }[OutcomeName];

/** Names the handler to run, with arguments of the type that handler takes. */
export function outcome<K extends OutcomeName>(name: K, args: Outcomes[K]): OutcomeRef {
  return { name, args } as OutcomeRef;
}

/** Why an action finally failed: one of the messenger's error codes and the platform's words. */
export interface ActionError {
  code: MessengerErrorCode;
  message: string;
}
