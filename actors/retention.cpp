#include "actors/retention.hpp"

#include "actors/messages.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"

namespace foresight {

namespace {

// Pages keep each UPDATE's locks short next to the writer's inserts.
constexpr std::int32_t page = 5000;

retention_actor::behavior_type retention(retention_actor::pointer self, storage_actor storage,
                                         retention_settings settings) {
  static auto& dropped = metrics_registry::instance().get_counter(
    "foresight_retention_result_rows_dropped_total",
    "activities whose result rows the retention job dropped");
  auto every = std::chrono::seconds(settings.every_s);
  self->delayed_send(self, every, retention_run_atom::value);
  return {
    [=](retention_run_atom a) {
      self->request(storage, std::chrono::seconds(60), retain_atom::value,
                    std::int32_t{settings.days}, page)
        .then(
          [=](std::int64_t n) {
            dropped.add(n);
            if (n > 0)
              log_event("info", "retention: result rows dropped",
                        {{"activities", std::to_string(n), true}});
            if (n == page)
              self->send(self, a); // more to do: go on at once
            else
              self->delayed_send(self, every, a);
          },
          [=](caf::error& err) {
            log_event("warn", "retention run failed; trying again later",
                      {{"error", to_api_error(err).message}});
            self->delayed_send(self, every, a);
          });
    },
  };
}

} // namespace

retention_actor spawn_retention(caf::actor_system& sys, storage_actor storage,
                                const retention_settings& settings) {
  if (settings.days <= 0)
    return {};
  return sys.spawn(retention, std::move(storage), settings);
}

} // namespace foresight
