-- The activity types the server accepts, as the database's rule too. The list is the activity
-- type table's (core/activity_type.cpp); storage_tests (vocabularies) holds the two equal.
ALTER TABLE user_activity ADD CONSTRAINT user_activity_type_check
    CHECK (activity_type IN ('query', 'chat', 'suggestion_click', 'feedback'));
