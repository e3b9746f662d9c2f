// catalog_store: the connections table.
#include "storage/catalog_store.hpp"

#include "core/payloads.hpp"
#include "core/views.hpp"
#include "storage/sql.hpp"
#include "storage/storage_error.hpp"

namespace foresight {

namespace {

const char* const catalog_columns =
  "id, json_build_object('name', name, 'metrics', metrics, 'dimensions', dimensions,"
  " 'entities', entities)::text, version, " FS_ISO("created_at") ", " FS_ISO("updated_at");

connection_catalog read_catalog(const pqxx::row& r) {
  connection_catalog c;
  // The stored JSON has the PUT body's shape, so the same parser reads it back.
  auto err = parse_catalog(r[1].as<std::string>(), c);
  if (err)
    throw std::runtime_error("stored catalog is unreadable: " + err.message);
  c.id = r[0].as<std::string>();
  c.version = r[2].as<int>();
  c.created_at = r[3].as<std::string>();
  c.updated_at = r[4].as<std::string>();
  return c;
}

} // namespace

connection_catalog catalog_store::put_catalog(const connection_catalog& c, const std::string& actor) {
  return translated([&]() -> connection_catalog {
    pqxx::work tx{db_.conn()};
    auto rows = tx.exec_params(
      std::string("INSERT INTO connections (id, name, metrics, dimensions, entities)"
                  " VALUES ($1, $2, $3::jsonb, $4::jsonb, $5::jsonb)"
                  " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name,"
                  " metrics = EXCLUDED.metrics, dimensions = EXCLUDED.dimensions,"
                  " entities = EXCLUDED.entities, version = connections.version + 1,"
                  " updated_at = CURRENT_TIMESTAMP RETURNING ") +
        catalog_columns,
      c.id, c.name, metrics_json(c), dimensions_json(c), entities_json(c));
    auto stored = read_catalog(rows[0]);
    audit(tx, actor, "catalog_changed", c.id, "json_build_object('version', $4::integer)",
          stored.version);
    tx.commit();
    return stored;
  });
}

bool catalog_store::get_catalog(const std::string& id, connection_catalog& out) {
  return translated([&]() -> bool {
    pqxx::read_transaction tx{db_.conn()};
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
    pqxx::read_transaction tx{db_.conn()};
    auto rows = tx.exec(std::string("SELECT ") + catalog_columns + " FROM connections ORDER BY id");
    catalog_list out;
    for (const auto& r : rows)
      out.items.push_back(read_catalog(r));
    return out;
  });
}

} // namespace foresight
