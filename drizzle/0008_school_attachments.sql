CREATE TABLE "school_attachments" (
	"id" serial PRIMARY KEY NOT NULL,
	"school_id" integer NOT NULL,
	"chat_id" integer NOT NULL,
	"requested_by_account_id" integer,
	"status" text NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "chats" ALTER COLUMN "school_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "school_attachments" ADD CONSTRAINT "school_attachments_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "school_attachments" ADD CONSTRAINT "school_attachments_chat_id_chats_id_fk" FOREIGN KEY ("chat_id") REFERENCES "public"."chats"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "school_attachments" ADD CONSTRAINT "school_attachments_requested_by_account_id_accounts_id_fk" FOREIGN KEY ("requested_by_account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "school_attachments_pending_uq" ON "school_attachments" USING btree ("chat_id") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "school_attachments_school_idx" ON "school_attachments" USING btree ("school_id","status");