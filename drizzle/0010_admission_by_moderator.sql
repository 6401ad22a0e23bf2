ALTER TABLE "gate_entries" ADD COLUMN "needs_moderator" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "gate_entries" ADD COLUMN "moderator_decision" text;--> statement-breakpoint
ALTER TABLE "gate_entries" ADD COLUMN "decided_by_account_id" integer;--> statement-breakpoint
ALTER TABLE "gate_entries" ADD COLUMN "rules_accepted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "join_requests" ADD COLUMN "needs_moderator" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "join_requests" ADD COLUMN "moderator_decision" text;--> statement-breakpoint
ALTER TABLE "join_requests" ADD COLUMN "decided_by_account_id" integer;--> statement-breakpoint
ALTER TABLE "join_requests" ADD COLUMN "rules_accepted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "gate_entries" ADD CONSTRAINT "gate_entries_decided_by_account_id_accounts_id_fk" FOREIGN KEY ("decided_by_account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "join_requests" ADD CONSTRAINT "join_requests_decided_by_account_id_accounts_id_fk" FOREIGN KEY ("decided_by_account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;