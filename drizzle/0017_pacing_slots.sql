CREATE TABLE "pacing_slots" (
	"key" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "pacing_slots_key_at_idx" ON "pacing_slots" USING btree ("key","at");