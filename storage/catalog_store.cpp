// catalog_store: the connections table.
#include "storage/catalog_store.hpp"

#include "storage/catalog_codec.hpp"
#include "storage/sql.hpp"
#include "storage/storage_error.hpp"

namespace foresight {

namespace {

const char* const catalog_columns =
  "id, name, metrics::text, dimensions::text, entities::text, version, " FS_ISO("created_at")
  ", " FS_ISO("updated_at");

connection_catalog read_catalog(const pqxx::row& r) {
  connection_catalog c;
  c.id = r[0].as<std::string>();
  c.name = r[1].as<std::string>();
  if (!decode_catalog_columns({r[2].as<std::string>(), r[3].as<std::string>(),
                               r[4].as<std::string>()},
                              c))
    throw std::runtime_error("stored catalog '" + c.id + "' is unreadable");
  c.version = r[5].as<int>();
  c.created_at = r[6].as<std::string>();
  c.updated_at = r[7].as<std::string>();
  return c;
}

} // namespace

connection_catalog catalog_store::put_catalog(const connection_catalog& c, const std::string& actor) {
  return translated([&]() -> connection_catalog {
    auto columns = encode_catalog_columns(c);
    pqxx::work tx{db_.conn()};
    auto rows = tx.exec_params(
      std::string("INSERT INTO connections (id, name, metrics, dimensions, entities)"
                  " VALUES ($1, $2, $3::jsonb, $4::jsonb, $5::jsonb)"
                  " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name,"
                  " metrics = EXCLUDED.metrics, dimensions = EXCLUDED.dimensions,"
                  " entities = EXCLUDED.entities, version = connections.version + 1,"
                  " updated_at = CURRENT_TIMESTAMP RETURNING ") +
        catalog_columns,
      c.id, c.name, columns.metrics, columns.dimensions, columns.entities);
    auto stored = read_catalog(rows[0]);
    audit(tx, actor, "catalog_changed", c.id, "json_build_object('version', $4::integer)",
          stored.version);
    tx.commit();
    return stored;
  });
}

bool catalog_store::get_catalog(const std::string& id, connection_catalog& out) {
  return translated([&]() -> bool {
    pqxx::nontransaction tx{db_.conn()};
    auto rows = tx.exec_params(
      std::string("SELECT ") + catalog_columns + " FROM connections WHERE id = $1", id);
    if (rows.empty())
      return false;
    out = read_catalog(rows[0]);
    return true;
  });
}

catalog_list catalog_store::list_catalogs() {
  return translated([&]() -> catalog_list {
    pqxx::nontransaction tx{db_.conn()};
    auto rows = tx.exec(std::string("SELECT ") + catalog_columns + " FROM connections ORDER BY id");
    catalog_list out;
    for (const auto& r : rows)
      out.items.push_back(read_catalog(r));
    return out;
  });
}

} // namespace foresight
