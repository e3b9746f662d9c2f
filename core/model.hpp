// Domain value types shared by http/, actors/ and storage/. Plain structs with `inspect`, so that
// CAF can serialize them (a session may live on another node) without this header including CAF.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace foresight {

// -- users and tokens ---------------------------------------------------------

/// A user as stored in `users`, without the password hash.
struct user_profile {
  std::string id;
  std::string username;
  std::string role;
  std::string department;
  std::string goals_json = "[]"; ///< JSON array text, as stored in JSONB
  bool is_admin = false;
  std::string created_at; ///< ISO 8601, UTC
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, user_profile& x) {
  return f(x.id, x.username, x.role, x.department, x.goals_json, x.is_admin, x.created_at);
}

/// What `user add` and `POST /api/v1/users` create.
struct new_user {
  std::string id;
  std::string username; ///< defaults to id
  std::string password;
  std::string role;
  std::string department;
  std::string goals_json = "[]";
  bool is_admin = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, new_user& x) {
  return f(x.id, x.username, x.password, x.role, x.department, x.goals_json, x.is_admin);
}

/// Username and password presented to `POST /api/v1/auth/token`.
struct credentials {
  std::string username;
  std::string password;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, credentials& x) {
  return f(x.username, x.password);
}

/// A signed bearer token handed to a client.
struct token_grant {
  std::string access_token;
  std::int64_t expires_in = 0;
  std::string user_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, token_grant& x) {
  return f(x.access_token, x.expires_in, x.user_id);
}

// -- connection catalogs ------------------------------------------------------

struct catalog_metric {
  std::string name;
  std::string display_name;
  std::string description;
  std::string aggregation;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, catalog_metric& x) {
  return f(x.name, x.display_name, x.description, x.aggregation);
}

struct catalog_dimension {
  std::string name;
  std::string display_name;
  std::string type;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, catalog_dimension& x) {
  return f(x.name, x.display_name, x.type);
}

struct catalog_entity {
  std::string name;
  std::string display_name;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, catalog_entity& x) {
  return f(x.name, x.display_name);
}

/// What a data connection offers to ask about; suggestions and templates are built from it.
struct connection_catalog {
  std::string id;
  std::string name;
  std::vector<catalog_metric> metrics;
  std::vector<catalog_dimension> dimensions;
  std::vector<catalog_entity> entities;
  std::int32_t version = 0; ///< grows by one on every PUT
  std::string created_at;
  std::string updated_at;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, connection_catalog& x) {
  return f(x.id, x.name, x.metrics, x.dimensions, x.entities, x.version, x.created_at,
           x.updated_at);
}

/// All catalogs, for `GET /api/v1/connections`.
struct catalog_list {
  std::vector<connection_catalog> items;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, catalog_list& x) {
  return f(x.items);
}

// -- operations ---------------------------------------------------------------

/// What `/readyz` reports.
struct readiness_report {
  bool database_reachable = false;
  bool migrations_applied = false;
  std::int32_t schema_version = 0;
  std::string detail;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, readiness_report& x) {
  return f(x.database_reachable, x.migrations_applied, x.schema_version, x.detail);
}

} // namespace foresight
