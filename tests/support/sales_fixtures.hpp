// The sales catalog and pattern hints that the suggestion and LLM prompt tests share.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/model.hpp"

namespace foresight::testing {

inline connection_catalog sales() {
  connection_catalog c;
  c.id = "sales";
  c.name = "Sales warehouse";
  c.version = 3;
  c.metrics = {{"revenue", "Revenue", "Gross revenue", "sum"},
               {"profit", "Profit", "", "sum"},
               {"profit_margin", "Profit margin", "", "avg"},
               {"volume", "Volume", "", "sum"},
               {"internal_id", "Internal id", "", "count"}};
  c.dimensions = {{"region", "Region", "string"}, {"product_category", "Product category", "string"},
                  {"channel", "Sales channel", "string"}};
  c.entities = {{"product", "Products"}, {"customer", "Customers"}};
  return c;
}

/// `scope` only documents which list the hint goes into.
inline pattern_hint hint(std::string_view /*scope*/, std::string tmpl, std::string type,
                         std::int64_t freq, std::vector<std::string> metrics = {}) {
  pattern_hint h;
  h.template_text = std::move(tmpl);
  h.query_type = std::move(type);
  h.frequency = freq;
  h.metrics = std::move(metrics);
  return h;
}

} // namespace foresight::testing
