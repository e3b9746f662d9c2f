// The row codec of the connections table: a catalog's metrics, dimensions and entities as the
// JSONB columns hold them. Storage's own format, apart from the API's (the views) and from the
// PUT body's validation (the payload parser): the three may change independently.
#pragma once
#include <string>
#include <string_view>

#include "core/model.hpp"

namespace foresight {

struct catalog_json_columns {
  std::string metrics;    ///< [{"name","display_name","description","aggregation"}]
  std::string dimensions; ///< [{"name","display_name","type"}]
  std::string entities;   ///< [{"name","display_name"}]
};

catalog_json_columns encode_catalog_columns(const connection_catalog& c);

/// Fills `out`'s metrics, dimensions and entities; false if a column is not an array of objects
/// with a string name. A missing display name is the name, a missing text empty.
bool decode_catalog_columns(const catalog_json_columns& in, connection_catalog& out);

} // namespace foresight
