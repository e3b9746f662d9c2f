// foresightd's admin subcommands: each runs once against the store (or, catalog infer, against a
// file alone) and returns the exit status; they throw std::runtime_error for a usage error or a
// failure, which main prints.
#pragma once
#include "core/config.hpp"

namespace foresight::cli {

/// `migrate`: applies pending migrations and prints the schema version.
int migrate(const config& cfg);
/// `user add --id ID --role ROLE ... --password-stdin`.
int user_add(config_result& r);
/// `user passwd --id ID`: the new password is the first line of stdin.
int user_passwd(config_result& r);
/// `token --user ID [--ttl SECONDS]`: prints a signed bearer token.
int token(config_result& r);
/// `patterns rebuild [--days 90]`: recomputes every pattern from the activity history.
int patterns_rebuild(config_result& r);
/// `import FILE`: stores an NDJSON activity history straight into the database.
int import_file(config_result& r);
/// `catalog infer FILE`: prints a catalog inferred from the file's query texts.
int catalog_infer(config_result& r);

} // namespace foresight::cli
