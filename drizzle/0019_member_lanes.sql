-- Actions on a member wait in a lane of their own ('telegram:-100:members:7'), no longer in their chat's
-- member lane ('telegram:-100:members'), so a chat's lifts due at once go out side by side. The actions
-- still waiting move to their member's lane in their order (ids are kept, and a lane runs by id), so a
-- mute waiting through an outage is still applied before an unmute enqueued after the upgrade. Deletions
-- of messages stay in the chat's member lane; finished actions keep the lane they ran in.
UPDATE "outbox" SET "lane" = "lane" || ':' || ("action"->>'userId')
WHERE "status" = 'pending' AND "lane" LIKE '%:members' AND "action"->>'userId' IS NOT NULL;
