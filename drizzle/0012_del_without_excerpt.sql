-- Privacy in class chats: /del keeps no excerpt of the deleted message. Entries written before kept the
-- message's first words; they lose them here (who deleted it, when and whose it was stay). This is the one
-- change ever made to existing audit rows, so the append-only trigger is set aside for this statement only.
ALTER TABLE "audit_log" DISABLE TRIGGER "audit_log_no_update";
--> statement-breakpoint
UPDATE "audit_log" SET "details" = "details" - 'excerpt' WHERE "action" = 'message_deleted' AND "details" ? 'excerpt';
--> statement-breakpoint
ALTER TABLE "audit_log" ENABLE TRIGGER "audit_log_no_update";
