CREATE TABLE "chat_assistance" (
	"chat_id" integer PRIMARY KEY NOT NULL,
	"last_reminder_at" timestamp with time zone,
	"quiet_saved_permissions" jsonb,
	"quiet_closed_at" timestamp with time zone,
	"quiet_reopen_at" timestamp with time zone,
	"quiet_reminded_night" text,
	"quiet_reminded" jsonb
);
--> statement-breakpoint
CREATE TABLE "flag_dismissals" (
	"id" serial PRIMARY KEY NOT NULL,
	"chat_id" integer NOT NULL,
	"pattern" text NOT NULL,
	"account_id" integer,
	"until" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "flag_suggestions" (
	"id" serial PRIMARY KEY NOT NULL,
	"chat_id" integer NOT NULL,
	"account_id" integer NOT NULL,
	"message_id" text NOT NULL,
	"excerpt" text,
	"signal" text NOT NULL,
	"pattern" text NOT NULL,
	"rule_number" integer,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"closed_by_account_id" integer
);
--> statement-breakpoint
ALTER TABLE "chat_assistance" ADD CONSTRAINT "chat_assistance_chat_id_chats_id_fk" FOREIGN KEY ("chat_id") REFERENCES "public"."chats"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flag_dismissals" ADD CONSTRAINT "flag_dismissals_chat_id_chats_id_fk" FOREIGN KEY ("chat_id") REFERENCES "public"."chats"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flag_dismissals" ADD CONSTRAINT "flag_dismissals_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flag_suggestions" ADD CONSTRAINT "flag_suggestions_chat_id_chats_id_fk" FOREIGN KEY ("chat_id") REFERENCES "public"."chats"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flag_suggestions" ADD CONSTRAINT "flag_suggestions_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flag_suggestions" ADD CONSTRAINT "flag_suggestions_closed_by_account_id_accounts_id_fk" FOREIGN KEY ("closed_by_account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "flag_dismissals_chat_idx" ON "flag_dismissals" USING btree ("chat_id");--> statement-breakpoint
CREATE INDEX "flag_suggestions_open_idx" ON "flag_suggestions" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "flag_suggestions_message_uq" ON "flag_suggestions" USING btree ("chat_id","message_id","signal");