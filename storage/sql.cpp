// The stores' shared SQL helpers.
#include "storage/sql.hpp"

#include "core/json_writer.hpp"

namespace foresight {

std::string json_list(const std::vector<std::string>& items) {
  json_writer w;
  w.value(items);
  return w.take();
}

} // namespace foresight
