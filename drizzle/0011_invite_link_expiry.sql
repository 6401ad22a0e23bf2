CREATE INDEX "invite_links_due_idx" ON "invite_links" USING btree ("expires_at") WHERE revoked_at IS NULL AND expires_at IS NOT NULL;--> statement-breakpoint
-- 4.11.2: /invite links made before links expired get the default term (7 days from their making), so the
-- scheduled job revokes the old ones too.
UPDATE "invite_links" SET "expires_at" = "created_at" + interval '7 days' WHERE "kind" = 'chat' AND "expires_at" IS NULL AND "revoked_at" IS NULL;
