-- A pacing slot counts as happening now until its call is answered (see src/db/repos/pacing.ts).
ALTER TABLE "pacing_slots" ADD COLUMN "open" boolean DEFAULT false NOT NULL;