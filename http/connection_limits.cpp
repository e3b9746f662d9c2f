// connection_limits: one map of counts under a mutex; an address leaves the map with its last
// connection, so the map is bounded by the open connections.
#include "http/connection_limits.hpp"

#include <algorithm>
#include <iterator>

namespace foresight {

std::size_t effective_connection_cap(std::size_t configured, std::size_t open_files_limit,
                                     std::size_t reserve) {
  if (configured > 0)
    return configured;
  constexpr std::size_t floor = 16;
  return open_files_limit > reserve + floor ? open_files_limit - reserve : floor;
}

std::string connection_address_key(const std::array<unsigned char, 16>& v6) {
  static constexpr unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  std::string key;
  if (std::equal(std::begin(v4_mapped), std::end(v4_mapped), v6.begin())) {
    for (int i = 12; i < 16; ++i)
      key += (i > 12 ? "." : "") + std::to_string(v6[i]);
    return key;
  }
  static constexpr char hex[] = "0123456789abcdef";
  for (int group = 0; group < 4; ++group) {
    unsigned value = v6[2 * group] << 8 | v6[2 * group + 1];
    std::string digits;
    do {
      digits.insert(digits.begin(), hex[value & 15]);
      value >>= 4;
    } while (value != 0);
    key += digits + ":";
  }
  return key + ":/64";
}

connection_limits::connection_limits(std::size_t total, std::size_t per_address)
  : total_cap_(total), per_address_cap_(per_address) {
  // nop
}

connection_limits::verdict connection_limits::admit(const std::string& address) {
  std::lock_guard<std::mutex> lock{mtx_};
  if (total_cap_ > 0 && open_ >= total_cap_)
    return verdict::over_total;
  auto& n = by_address_[address];
  if (per_address_cap_ > 0 && n >= per_address_cap_)
    return verdict::over_address;
  ++n;
  ++open_;
  return verdict::admitted;
}

void connection_limits::release(const std::string& address) {
  std::lock_guard<std::mutex> lock{mtx_};
  auto it = by_address_.find(address);
  if (it == by_address_.end())
    return;
  --open_;
  if (--it->second == 0)
    by_address_.erase(it);
}

std::size_t connection_limits::open() const {
  std::lock_guard<std::mutex> lock{mtx_};
  return open_;
}

} // namespace foresight
