-- One clock: the application records the time of a change (its clock, bound as a value), so a
-- change that sets updated_at keeps it. The trigger fills it in only when the change did not.
CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END;
$$;
