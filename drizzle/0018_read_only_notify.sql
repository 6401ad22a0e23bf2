-- Who may only read (a live block in mute mode, a pending rules-gate entry) is cached per chat by each
-- process; any change to a block or a gate entry tells every process listening, on commit, which chat to
-- read again. Row triggers fire for every writer (use cases, jobs, erasure, cascades alike).
CREATE OR REPLACE FUNCTION ccm_read_only_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		PERFORM pg_notify('ccm_read_only', OLD.chat_id::text);
	END IF;
	IF TG_OP <> 'DELETE' THEN
		PERFORM pg_notify('ccm_read_only', NEW.chat_id::text);
	END IF;
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER blocks_read_only_changed AFTER INSERT OR UPDATE OR DELETE ON "blocks"
	FOR EACH ROW EXECUTE FUNCTION ccm_read_only_changed();
--> statement-breakpoint
CREATE TRIGGER gate_entries_read_only_changed AFTER INSERT OR UPDATE OR DELETE ON "gate_entries"
	FOR EACH ROW EXECUTE FUNCTION ccm_read_only_changed();
