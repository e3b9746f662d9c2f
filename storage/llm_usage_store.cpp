// llm_usage_store: the llm_usage table.
#include "storage/llm_usage_store.hpp"

#include "storage/sql.hpp"
#include "storage/storage_error.hpp"

namespace foresight {

std::vector<llm_usage_row> llm_usage_store::load_llm_usage_today() {
  return translated([&]() -> std::vector<llm_usage_row> {
    pqxx::nontransaction tx{db_.conn()};
    std::vector<llm_usage_row> out;
    for (const auto& r : tx.exec("SELECT user_id, calls, tokens_in, tokens_out FROM llm_usage"
                                 " WHERE day = (now() AT TIME ZONE 'UTC')::date"))
      out.push_back({r[0].as<std::string>(), r[1].as<std::int64_t>(), r[2].as<std::int64_t>(),
                     r[3].as<std::int64_t>()});
    return out;
  });
}

void llm_usage_store::record_llm_usage(const std::vector<llm_usage_row>& rows) {
  return translated([&]() -> void {
    pqxx::work tx{db_.conn()};
    for (auto& u : rows)
      tx.exec_params("INSERT INTO llm_usage (user_id, day, calls, tokens_in, tokens_out)"
                   " SELECT $1::varchar, (now() AT TIME ZONE 'UTC')::date, $2, $3, $4"
                   " WHERE EXISTS (SELECT 1 FROM users WHERE id = $1::varchar)"
                   " ON CONFLICT (user_id, day) DO UPDATE SET"
                   " calls = llm_usage.calls + EXCLUDED.calls,"
                   " tokens_in = llm_usage.tokens_in + EXCLUDED.tokens_in,"
                   " tokens_out = llm_usage.tokens_out + EXCLUDED.tokens_out",
                     u.user_id, u.calls, u.tokens_in, u.tokens_out);
    tx.commit();
  });
}

} // namespace foresight
