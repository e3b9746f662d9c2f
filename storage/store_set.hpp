// Every store over one session, for a caller that uses several on one connection (a storage
// worker, the CLI). A caller that needs one store may hold a session and that store alone.
#pragma once
#include <string>

#include "storage/activity_store.hpp"
#include "storage/audit_store.hpp"
#include "storage/catalog_store.hpp"
#include "storage/llm_usage_store.hpp"
#include "storage/pattern_store.hpp"
#include "storage/preference_store.hpp"
#include "storage/schema_store.hpp"
#include "storage/session.hpp"
#include "storage/stats_store.hpp"
#include "storage/suggestion_cache_store.hpp"
#include "storage/user_store.hpp"

namespace foresight {

struct store_set {
  explicit store_set(std::string conninfo) : db(std::move(conninfo)) {}

  session db; // first: the stores below refer to it
  schema_store schema{db};
  user_store users{db};
  audit_store audit{db};
  catalog_store catalogs{db};
  activity_store activities{db};
  pattern_store patterns{db};
  preference_store preferences{db};
  suggestion_cache_store suggestion_cache{db};
  llm_usage_store llm_usage{db};
  stats_store stats{db};
};

} // namespace foresight
