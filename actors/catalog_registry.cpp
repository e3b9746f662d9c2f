// catalog_registry: a map from connection id to catalog, newest version wins.
#include "actors/catalog_registry.hpp"

#include <unordered_map>
#include <utility>

#include "actors/messages.hpp"
#include "core/log.hpp"

namespace foresight {

namespace {

struct catalog_registry_state {
  std::unordered_map<std::string, connection_catalog> catalogs;
  static inline const char* name = "catalog_registry";
};

catalog_registry_actor::behavior_type
catalog_registry(catalog_registry_actor::stateful_pointer<catalog_registry_state> self,
                 storage_actor storage) {
  auto remember = [=](connection_catalog c) {
    auto& slot = self->state.catalogs[c.id];
    if (c.version >= slot.version)
      slot = std::move(c);
  };
  // Nothing is answered before the catalogs are known (await); a failed load leaves the map empty
  // and every lookup goes to storage instead.
  self->request(storage, std::chrono::seconds(30), cat_list_atom::value)
    .await([=](catalog_list& list) {
             for (auto& c : list.items)
               remember(std::move(c));
           },
           [=](caf::error& err) {
             log_event("warn", "catalog registry starts empty",
                       {{"error", to_api_error(err).message}});
           });
  // Answers `pick(catalog)` from memory, or after fetching a catalog this registry has not seen.
  auto lookup = [=](const std::string& id, auto pick) {
    using answer = decltype(pick(std::declval<const connection_catalog&>()));
    auto rp = self->make_response_promise<answer>();
    if (auto i = self->state.catalogs.find(id); i != self->state.catalogs.end()) {
      rp.deliver(pick(i->second));
      return rp;
    }
    self->request(storage, caf::infinite, cat_get_atom::value, id)
      .then(
        [=](connection_catalog& c) mutable {
          rp.deliver(pick(c));
          remember(std::move(c));
        },
        [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
    return rp;
  };
  // Takes `c` if it is newer than what this registry holds, telling the sessions first.
  auto take_newer = [=](connection_catalog c) {
    auto i = self->state.catalogs.find(c.id);
    if (i != self->state.catalogs.end() && i->second.version >= c.version)
      return;
    caf::anon_send(catalog_versions_group(self->system()), catalog_changed_atom::value, c.id,
                   c.version);
    remember(std::move(c));
  };
  return {
    [=](catalog_reload_atom) {
      self->request(storage, std::chrono::seconds(30), cat_list_atom::value)
        .then(
          [=](catalog_list& list) {
            for (auto& c : list.items)
              take_newer(std::move(c));
          },
          [=](caf::error& err) {
            log_event("warn", "catalog reload failed", {{"error", to_api_error(err).message}});
          });
    },
    [=](cat_get_atom, const std::string& id) {
      return lookup(id, [](const connection_catalog& c) { return c; });
    },
    [=](catalog_version_atom, const std::string& id) {
      return lookup(id, [](const connection_catalog& c) { return c.version; });
    },
    [=](catalog_atom, connection_catalog& c) {
      // Sessions cache catalog versions (a cache key needs one per suggestion); tell them all
      // before answering, so the change is in every session's mailbox before the PUT returns.
      // Anonymous: no member's answer (a failing session's error) may come back to the registry.
      caf::anon_send(catalog_versions_group(self->system()), catalog_changed_atom::value, c.id, c.version);
      remember(std::move(c));
      return true;
    },
  };
}

} // namespace

caf::group catalog_versions_group(caf::actor_system& sys) {
  return sys.groups().get_local("foresight.catalog_versions");
}

catalog_registry_actor spawn_catalog_registry(caf::actor_system& sys, storage_actor storage) {
  return sys.spawn(catalog_registry, std::move(storage));
}

} // namespace foresight
