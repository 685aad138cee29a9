-- The sanctioned path for erasure: a transaction that sets konversa.audit_maintenance = 'erasure'
-- (SET LOCAL) may only REDUCE entries — drop the entity id and the details (the IP may only be cleared) — never change
-- what happened, when, or who acted, and never delete. 'on' (retention) keeps its old meaning.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
DECLARE
  mode text := coalesce(current_setting('konversa.audit_maintenance', true), 'off');
BEGIN
  IF mode = 'erasure' THEN
    IF TG_OP = 'DELETE' THEN
      RAISE EXCEPTION 'audit_log: erasure may reduce entries, not delete them';
    END IF;
    IF NEW.id IS DISTINCT FROM OLD.id
      OR NEW.organization_id IS DISTINCT FROM OLD.organization_id
      OR NEW.actor_user_id IS DISTINCT FROM OLD.actor_user_id
      OR NEW.actor_token_id IS DISTINCT FROM OLD.actor_token_id
      OR NEW.action IS DISTINCT FROM OLD.action
      OR NEW.entity_type IS DISTINCT FROM OLD.entity_type
      OR NEW.at IS DISTINCT FROM OLD.at
      OR (NEW.ip IS NOT NULL AND NEW.ip IS DISTINCT FROM OLD.ip)
      OR NEW.entity_id IS NOT NULL
      OR NEW.details IS DISTINCT FROM '{"erased": true}'::jsonb THEN
      RAISE EXCEPTION 'audit_log: erasure may only clear entity_id and details of an entry';
    END IF;
    RETURN NEW;
  END IF;
  IF mode <> 'on' THEN
    RAISE EXCEPTION 'audit_log is append-only';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
