CREATE TABLE "destruction_acts" (
	"id" serial PRIMARY KEY NOT NULL,
	"school_id" integer,
	"subject_kind" text NOT NULL,
	"subject_key" text NOT NULL,
	"requested_by" text NOT NULL,
	"reason" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"categories" jsonb NOT NULL,
	"log_extract" jsonb NOT NULL,
	"kept" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "erased_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "schools" ADD COLUMN "retention_strike_days" integer;--> statement-breakpoint
ALTER TABLE "schools" ADD COLUMN "retention_departed_days" integer;--> statement-breakpoint
ALTER TABLE "schools" ADD COLUMN "retention_audit_days" integer;--> statement-breakpoint
ALTER TABLE "schools" ADD COLUMN "privacy_notice" text;--> statement-breakpoint
ALTER TABLE "destruction_acts" ADD CONSTRAINT "destruction_acts_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "destruction_acts_subject_uq" ON "destruction_acts" USING btree ("school_id","subject_kind","subject_key");--> statement-breakpoint
CREATE INDEX "destruction_acts_school_idx" ON "destruction_acts" USING btree ("school_id","id");