// The catalog registry: every connection catalog in memory, so that a suggestion (and its cache
// key, which carries the catalog's version) never waits for the database on the hot path.
#pragma once
#include <caf/fwd.hpp>
#include <caf/group.hpp>

namespace foresight {

/// Spawns the registry. It loads all catalogs at start; `(cat_get_atom, id)` answers from memory
/// (asking storage for one it has not seen, e.g. written by another node); `(catalog_version_atom, id)`
/// answers just the version (what a cache key needs); `(catalog_atom, connection_catalog)`
/// replaces one after a PUT, publishes `(catalog_changed_atom, id, version)` to the group below and
/// answers `true`.
caf::actor spawn_catalog_registry(caf::actor_system& sys, caf::actor storage);

/// The local group sessions join to learn catalog versions as they change.
caf::group catalog_versions_group(caf::actor_system& sys);

} // namespace foresight
