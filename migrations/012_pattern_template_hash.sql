-- Pattern templates are unique by their hash: a btree entry holds at most about 2.7 kB, and one
-- long template in the old unique index failed every save of its learner shard.
DROP INDEX query_patterns_key;
CREATE UNIQUE INDEX query_patterns_key
    ON query_patterns (pattern_type, target_id, md5(query_template));
