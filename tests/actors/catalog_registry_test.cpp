// The catalog registry on CAF's testing scheduler, over a fake storage whose catalogs the test
// changes behind the registry's back (as a PUT through another node does while this one is cut
// off): a reload takes the newer versions and tells the sessions' group, and never goes back to
// an older one.
#include "actors/catalog_registry.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>
#include <memory>

#include "actors/messages.hpp"
#include "tests/support/deterministic_actors.hpp"

using namespace foresight;

namespace {

connection_catalog catalog(const std::string& id, std::int32_t version) {
  connection_catalog c;
  c.id = id;
  c.name = id + " v" + std::to_string(version);
  c.version = version;
  return c;
}

struct catalogs_fixture : deterministic_actors {
  std::shared_ptr<catalog_list> stored = std::make_shared<catalog_list>();
  caf::actor storage;
  catalog_registry_actor registry;

  catalogs_fixture() {
    stored->items = {catalog("sales", 1), catalog("ops", 3)};
    auto s = stored;
    storage = sys.spawn([s]() -> caf::behavior {
      return {[s](cat_list_atom) { return *s; }};
    });
    self->join(catalog_versions_group(sys));
    registry = spawn_catalog_registry(sys, caf::actor_cast<storage_actor>(storage));
    sched.run();
  }

  ~catalogs_fixture() {
    caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
    sched.run();
  }

  std::int32_t version_of(const std::string& id) {
    std::int32_t out = -1;
    self->send(registry, catalog_version_atom::value, id);
    sched.run();
    self->receive([&](std::int32_t v) { out = v; }, [](caf::error&) {},
                  caf::after(std::chrono::seconds(0)) >> [] {});
    return out;
  }

  /// The catalog changes the sessions' group heard, as "id@version".
  std::vector<std::string> announced() {
    std::vector<std::string> out;
    for (bool more = true; more;)
      self->receive(
        [&](catalog_changed_atom, const std::string& id, std::int32_t v) {
          out.push_back(id + "@" + std::to_string(v));
        },
        caf::after(std::chrono::seconds(0)) >> [&] { more = false; });
    return out;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(catalog_registry_actor, catalogs_fixture)

BOOST_AUTO_TEST_CASE(a_reload_takes_newer_catalogs_and_tells_the_sessions) {
  BOOST_TEST(version_of("sales") == 1);
  BOOST_TEST(version_of("ops") == 3);
  // Meanwhile, through other nodes: sales changed, ops is older in this (stale) read, and a new
  // catalog appeared.
  stored->items = {catalog("sales", 2), catalog("ops", 2), catalog("hr", 1)};
  BOOST_TEST(version_of("sales") == 1, "nothing changes before the reload");
  caf::anon_send(registry, catalog_reload_atom::value);
  sched.run();
  BOOST_TEST(version_of("sales") == 2);
  BOOST_TEST(version_of("ops") == 3, "never back to an older version");
  BOOST_TEST(version_of("hr") == 1);
  BOOST_TEST((announced() == std::vector<std::string>{"sales@2", "hr@1"}));
  caf::anon_send(registry, catalog_reload_atom::value);
  sched.run();
  BOOST_TEST(announced().empty(), "a second reload finds nothing new");
}

BOOST_AUTO_TEST_SUITE_END()
