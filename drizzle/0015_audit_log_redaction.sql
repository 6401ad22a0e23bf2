-- The audit log stays append-only (regulation 4.13.7), but 152-ФЗ needs names and free text destroyed
-- on erasure and after the audit period. A transaction that sets `ccm.audit_redaction` to 'on' (locally,
-- through set_config(..., true)) may blank the name, the reason and keys of the details; the row, its
-- action, time, chat and account ids (the pseudonyms) must stay exactly as they were. DELETE is never allowed.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND coalesce(current_setting('ccm.audit_redaction', true), '') = 'on'
     AND NEW.id = OLD.id
     AND NEW.at = OLD.at
     AND NEW.action = OLD.action
     AND NEW.actor_kind = OLD.actor_kind
     AND NEW.school_id IS NOT DISTINCT FROM OLD.school_id
     AND NEW.chat_id IS NOT DISTINCT FROM OLD.chat_id
     AND NEW.actor_account_id IS NOT DISTINCT FROM OLD.actor_account_id
     AND NEW.target_account_id IS NOT DISTINCT FROM OLD.target_account_id
     AND NEW.rule_number IS NOT DISTINCT FROM OLD.rule_number
     AND (NEW.actor_name IS NULL OR NEW.actor_name = OLD.actor_name)
     AND (NEW.reason IS NULL OR NEW.reason = OLD.reason)
     AND OLD.details @> NEW.details
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
