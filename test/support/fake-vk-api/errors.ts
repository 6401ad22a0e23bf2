/**
 * A refusal the fake answers with: `{error: {error_code, error_msg, request_params}}` over HTTP 200, as the
 * VK API does. Codes and texts follow VKCOM/vk-api-schema `errors.json` (API 5.199).
 */
export class VkApiError extends Error {
  override readonly name = 'VkApiError';

  constructor(
    readonly code: number,
    readonly msg: string,
  ) {
    super(`${code} ${msg}`);
  }
}

/** The errors the fake raises, by the schema's names. */
export const VK_ERRORS = {
  auth: (detail = 'invalid access_token (4).') => new VkApiError(5, `User authorization failed: ${detail}`),
  tooMany: () => new VkApiError(6, 'Too many requests per second'),
  method: () => new VkApiError(3, 'Unknown method passed'),
  server: () => new VkApiError(10, 'Internal server error'),
  access: (detail?: string) => new VkApiError(15, detail ? `Access denied: ${detail}` : 'Access denied'),
  param: (detail: string) =>
    new VkApiError(100, `One of the parameters specified was missing or invalid: ${detail}`),
  invalidUserId: () => new VkApiError(113, 'Invalid user id'),
  denySend: () => new VkApiError(901, "Can't send messages for users without permission"),
  editExpired: () => new VkApiError(909, "Can't edit this message, because it's too old"),
  keyboardInvalid: (detail: string) => new VkApiError(911, `Keyboard format is invalid: ${detail}`),
  tooLong: () => new VkApiError(914, 'Message is too long'),
  chatNoAccess: () => new VkApiError(917, "You don't have access to this chat"),
  cantSeeInviteLink: () => new VkApiError(919, "You can't see invite link for this chat"),
  editKindDisallowed: () => new VkApiError(920, "Can't edit this kind of message"),
  cantDeleteForAll: () => new VkApiError(924, "Can't delete this message for everybody"),
  chatNotAdmin: () => new VkApiError(925, 'You are not admin of this chat'),
  chatNotExist: () => new VkApiError(927, 'Chat does not exist'),
  userNotInChat: () => new VkApiError(935, 'User not found in chat'),
  contactNotFound: () => new VkApiError(936, 'Contact not found'),
  /** What VK says for a message id it cannot find (seen on messages.delete). */
  messageNotFound: () => new VkApiError(15, 'Access denied: message can not be found'),
} as const;

/**
 * Thrown by the scenario helpers when VK would not let a person do what the test asked (a read-only member
 * posting, adding someone twice). Tests assert on it.
 */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}
