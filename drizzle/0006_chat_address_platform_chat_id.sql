-- The messenger port's chat address names the platform's id `platformChatId` (our row id is `chat_id`).
-- Actions still waiting in the outbox were stored with the old key: rename it in place.
UPDATE "outbox"
SET "action" = jsonb_set("action" #- '{chat,chatId}', '{chat,platformChatId}', "action" -> 'chat' -> 'chatId')
WHERE "action" -> 'chat' ? 'chatId';
