-- The audit log is append-only. Erasure and retention may reduce entries only inside a
-- transaction that sets konversa.audit_maintenance = 'on' (SET LOCAL), and say so in a new entry.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
  IF coalesce(current_setting('konversa.audit_maintenance', true), 'off') <> 'on' THEN
    RAISE EXCEPTION 'audit_log is append-only';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
