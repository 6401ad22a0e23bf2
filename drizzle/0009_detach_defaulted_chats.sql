-- A chat belongs to a school only once the school confirmed it. Chats that were put in the first school
-- by default (never attached with `/settings school`) belong to no school: they left its statistics,
-- its roster's /link and its departures. A chat a moderator attached keeps its school.
UPDATE "chats" SET "school_id" = NULL
WHERE "id" NOT IN (
  SELECT "chat_id" FROM "audit_log"
  WHERE "action" = 'settings_changed' AND "details" ->> 'key' = 'school' AND "chat_id" IS NOT NULL
);
