-- A decision's per-action comments are held to the limits the rules apply (Domain.Limits:
-- at most 100 comments, each a text of 1 to 10,000 characters), as every other text column is
-- by its CHECK. Rows written before the rules dropped empty comments are left as they are.
CREATE FUNCTION action_comments_within_limits(comments jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT jsonb_typeof(comments) = 'object'
        AND (SELECT count(*) FROM jsonb_each(comments)) <= 100
        AND NOT EXISTS (
            SELECT 1 FROM jsonb_each(comments) AS entry
            WHERE jsonb_typeof(entry.value) <> 'string' OR length(entry.value #>> '{}') NOT BETWEEN 1 AND 10000
        )
$$;

ALTER TABLE decisions
    ADD CONSTRAINT decisions_action_comments_within_limits CHECK (action_comments_within_limits(action_comments)) NOT VALID;
