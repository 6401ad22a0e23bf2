-- Each chat's outbox queue is split in two, member actions and messages, so a mute never waits behind
-- paced messages. Actions still waiting move to the queue they now belong to; one placed in another
-- action's queue on purpose (a decline behind the private message that explains it) follows that message.
UPDATE "outbox"
SET "lane" = "lane" || CASE
  WHEN "lane" = ("action" -> 'chat' ->> 'platform') || ':' || ("action" -> 'chat' ->> 'platformChatId')
    AND "action" ->> 'type' IN ('mute', 'unmute', 'ban', 'unban', 'delete', 'approve_join', 'decline_join')
  THEN ':members'
  ELSE ':messages'
END
WHERE "status" = 'pending' AND "lane" !~ ':(members|messages)$';
