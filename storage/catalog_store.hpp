// The connection catalogs.
#pragma once
#include <string>

#include "core/model.hpp"
#include "storage/session.hpp"

namespace foresight {

class catalog_store {
public:
  explicit catalog_store(session& db) : db_(db) {}

  /// Creates or replaces a catalog, audited as `actor`'s; the version grows by one on every
  /// replace.
  connection_catalog put_catalog(const connection_catalog& c, const std::string& actor);
  bool get_catalog(const std::string& id, connection_catalog& out);
  catalog_list list_catalogs();

private:
  session& db_;
};

} // namespace foresight
