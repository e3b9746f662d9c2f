// Connection catalogs that several integration suites put and ask suggestions against.
#pragma once
#include <string>

namespace foresight::testing {

/// Five metrics (one of them, internal_id, a count nobody asks about), two dimensions, two
/// entities.
inline const std::string sales_catalog = R"({"name":"Sales",
  "metrics":[{"name":"revenue","display_name":"Revenue","aggregation":"sum"},
             {"name":"profit","display_name":"Profit","aggregation":"sum"},
             {"name":"profit_margin","display_name":"Profit margin","aggregation":"avg"},
             {"name":"volume","display_name":"Volume","aggregation":"sum"},
             {"name":"internal_id","display_name":"Internal id","aggregation":"count"}],
  "dimensions":[{"name":"region","display_name":"Region","type":"string"},
                {"name":"channel","display_name":"Sales channel","type":"string"}],
  "entities":[{"name":"product","display_name":"Products"},
              {"name":"stock","display_name":"Stocks"}]})";

} // namespace foresight::testing
