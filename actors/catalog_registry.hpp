// The catalog registry: every connection catalog in memory, so that a suggestion (and its cache
// key, which carries the catalog's version) never waits for the database on the hot path.
#pragma once
#include <caf/fwd.hpp>
#include <caf/group.hpp>
#include <caf/typed_actor.hpp>

#include "actors/messages.hpp"
#include "actors/storage_pool.hpp"

namespace foresight {

using catalog_reload_atom = caf::atom_constant<caf::atom("cat_reload")>;

/// The registry's protocol. It loads all catalogs at start; `cat_get_atom` answers from memory
/// (asking storage for one it has not seen, e.g. written by another node); `catalog_version_atom`
/// answers just the version (what a cache key needs); `catalog_atom` replaces one after a PUT,
/// publishes `(catalog_changed_atom, id, version)` to the group below and answers `true`.
/// `catalog_reload_atom` reads every catalog again and takes (and publishes) the newer ones: a
/// cluster node back from a partition may have missed PUTs made through the others.
using catalog_registry_actor = caf::typed_actor<
  caf::reacts_to<catalog_reload_atom>,
  caf::replies_to<cat_get_atom, std::string>::with<connection_catalog>,
  caf::replies_to<catalog_version_atom, std::string>::with<std::int32_t>,
  caf::replies_to<catalog_atom, connection_catalog>::with<bool>>;

catalog_registry_actor spawn_catalog_registry(caf::actor_system& sys, storage_actor storage);

/// The local group sessions join to learn catalog versions as they change.
caf::group catalog_versions_group(caf::actor_system& sys);

} // namespace foresight
