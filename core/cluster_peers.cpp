#include "core/cluster_peers.hpp"

#include <algorithm>
#include <charconv>

namespace foresight {

bool valid_node_id(std::string_view id) {
  if (id.empty() || id.size() > 32)
    return false;
  auto ok = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  return ok(id[0]) && std::all_of(id.begin(), id.end(),
                                  [&](char c) { return ok(c) || c == '_' || c == '-'; });
}

bool parse_cluster_peers(std::string_view text, std::string_view self,
                         std::vector<cluster_member>& out, std::string& error) {
  out.clear();
  while (!text.empty()) {
    auto comma = text.find(',');
    auto entry = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    auto what = "peer \"" + std::string(entry) + "\"";
    auto eq = entry.find('=');
    auto colon = entry.rfind(':');
    if (eq == std::string_view::npos || colon == std::string_view::npos || colon < eq) {
      error = what + ": expected id=host:port";
      return false;
    }
    auto id = entry.substr(0, eq);
    auto host = entry.substr(eq + 1, colon - eq - 1);
    auto port_text = entry.substr(colon + 1);
    if (!valid_node_id(id)) {
      error = what + ": a node id is 1-32 of a-z, 0-9, _ and -";
      return false;
    }
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (host.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() ||
        port < 1 || port > 65535) {
      error = what + ": expected a host and a port from 1 to 65535";
      return false;
    }
    if (id == self) {
      error = what + ": names this node itself";
      return false;
    }
    if (std::any_of(out.begin(), out.end(), [&](const cluster_member& m) { return m.id == id; })) {
      error = what + ": the id is listed twice";
      return false;
    }
    cluster_member m;
    m.id = std::string(id);
    m.address = std::string(entry.substr(eq + 1));
    out.push_back(std::move(m));
  }
  return true;
}

} // namespace foresight
