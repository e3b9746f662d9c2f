// foresightd's settings: defaults, then a config file, then FORESIGHT_* environment variables,
// then command-line options, each layer overriding the one before.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace foresight {

/// Every tunable of the server. Durations are in milliseconds unless the name says otherwise.
struct config {
  // -- network --
  std::string bind = "127.0.0.1";
  std::uint16_t port = 8000;
  int io_threads = 2;
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 16 << 10;
  int read_timeout_ms = 30000;    ///< a request must arrive completely within this
  int idle_timeout_ms = 60000;    ///< keep-alive connections idle longer are closed
  int request_timeout_ms = 10000; ///< deadline for the actors' answer
  double rate_limit_per_user = 0; ///< requests/s per user (burst: 2 s worth); 0 = off
  double login_rate_per_address = 1;  ///< login attempts/s per client address (burst: 30 s worth)
  double login_rate_per_user = 0.2;   ///< login attempts/s per username (burst: 30 s worth)
  /// Open connections at most; 0: the open-file limit less what the rest of the process needs.
  int max_connections = 0;
  int max_connections_per_address = 256; ///< from one client address (IPv6: one /64); 0 = no cap
  std::string tls_cert; ///< PEM certificate chain; with tls_key, the listener speaks TLS only
  std::string tls_key;  ///< PEM private key of tls_cert
  /// The web console's and API reference's files (web/assemble.sh output); empty: the `web`
  /// folder beside the executable, which the build assembles.
  std::string web_root;
  // -- storage --
  std::string data_dir = "./var";
  std::string database_url; ///< empty: run the embedded PostgreSQL cluster
  std::string database_url_file; ///< read into database_url (keeps a password off the command line)
  int wal_reserve_mb = 1024; ///< the embedded cluster's WAL made ready for reuse at its creation
  int db_pool_size = 4;
  // -- actors --
  int actor_threads = 2;
  int session_idle_timeout_ms = 300000;
  int session_history = 1500; ///< questions a live session keeps for ranking (memory per user)
  // -- auth --
  std::string jwt_secret; ///< empty: generated once into the data directory
  std::string jwt_secret_file; ///< read into jwt_secret
  int token_ttl_seconds = 3600;
  int pbkdf2_iterations = 600000;
  int password_threads = 0;     ///< threads hashing and checking passwords; 0: half the cores
  int password_queue_max = 16;  ///< checks waiting for a thread before new ones get 429
  // -- activity --
  std::size_t max_query_text_bytes = 8 << 10;
  int writer_batch_max = 512;
  int writer_batch_wait_ms = 0;
  int writer_queue_max = 20000;
  std::size_t max_import_bytes = std::size_t{64} << 20; ///< body limit of /api/v1/activity/import
  /// For ./foresight eval only: activities (`created_at`) and suggestion requests (`as_of`) may
  /// carry their own time.
  bool replay_clock = false;
  /// For tests only: POST /api/v1/debug/fault/{target} makes an actor fail (supervision tests).
  bool fault_injection = false;
  // -- patterns --
  int pattern_min_users = 2;       ///< k: role and global patterns need this many distinct users
  int pattern_flush_ms = 1000;     ///< how often learners save new patterns
  /// How often learners save every changed pattern (counts too); each such save updates every
  /// index of a row, so saving counts less often costs PostgreSQL much less under load.
  int pattern_count_flush_ms = 5000;
  std::string patterns_rebuild_at = "03:30"; ///< nightly rebuild time (UTC HH:MM); "off" disables
  int patterns_rebuild_days = 90;  ///< the nightly rebuild's window
  int learner_nice = 10; ///< how much nicer the learner shards' threads run than the request path
  // -- retention --
  int retention_days = 30;     ///< result rows (response_data.data) go after this many days; 0: kept
  int retention_every_s = 3600; ///< how often the retention job runs
  // -- suggestions --
  int suggestion_cache_ttl_s = 3600;  ///< how long a generated list is served from the cache
  /// Cache actors, each owning the keys hashing to it; 0: one per actor thread, the fastest
  /// pattern path measured (bench/README.md: suggest, fifth session).
  int suggestion_cache_shards = 0;
  int suggestion_cache_max = 100000;  ///< entries kept in memory (per process)
  int suggestion_flush_ms = 25;       ///< write-behind interval: small batches keep CPU use smooth
  std::string suggestion_strategy = "history"; ///< the ranking strategy (core/question_ranker)
  std::string suggestion_experiment; ///< "history:50,templates:50": arms by user; empty: none
  int suggestion_deadline_ms = 4000;  ///< a suggestion request's whole budget, LLM included
  // -- LLM --
  std::string llm_base_url;           ///< empty: no LLM (suggestions from patterns only)
  std::string llm_api_key;            ///< also taken from OPENAI_API_KEY
  std::string llm_api_key_file;       ///< read into llm_api_key
  std::string llm_model = "gpt-4o-mini";
  int llm_max_tokens = 400;
  double llm_temperature = 0.7;
  bool llm_enabled = true;            ///< the global switch
  int llm_daily_calls_per_user = 200; ///< budget per user and UTC day
  int llm_max_concurrent = 8;
  int llm_breaker_failures = 5;
  int llm_breaker_open_ms = 30000;
  double llm_price_in_per_mtok = 0.15;  ///< US$ per million prompt tokens (gpt-4o-mini)
  double llm_price_out_per_mtok = 0.60; ///< US$ per million completion tokens
  std::string llm_ca_file;            ///< extra CA bundle; empty: the system's
  // -- cluster --
  /// This node's id among several (1-32 of a-z, 0-9, _ and -); empty: a single node, as before.
  std::string node_id;
  std::uint16_t cluster_port = 0; ///< the nodes' port (CAF middleman); 0: any free port
  /// Address of the cluster port; empty: 127.0.0.1, or 0.0.0.0 with the cluster TLS files.
  /// Off loopback only with TLS (cluster_cert, cluster_key, cluster_ca).
  std::string cluster_bind;
  std::string peers; ///< the other nodes, "b=127.0.0.1:4302,c=10.0.0.3:4303" (core/cluster_peers)
  std::string cluster_cert; ///< PEM certificate of this node, for TLS between the nodes
  std::string cluster_key;  ///< PEM private key of cluster_cert
  std::string cluster_ca;   ///< PEM CA bundle that the other nodes' certificates must chain to
  // -- misc --
  bool demo = false;         ///< create demo users and a demo catalog on first start
  bool log_requests = true;  ///< one JSON line per request on stdout
  std::string config_file;
};

/// One documented option; `name` is the long option, the environment name is derived from it.
struct option_spec {
  std::string name;
  std::string help;
  std::function<bool(config&, const std::string&)> set; ///< false: value is invalid
  std::function<std::string(const config&)> get;        ///< current value, for --help
  bool flag = false; ///< a switch: `--name` alone means true
};

/// All options foresightd understands, in --help order.
const std::vector<option_spec>& config_options();

/// "03:30" -> 210; -1 unless it is a valid UTC HH:MM.
int minute_of_day(const std::string& hh_mm);

/// True when the node is one of a cluster (--node-id given); false: a single node.
bool clustered(const config& cfg);

/// True when the cluster files (--cluster-cert, --cluster-key, --cluster-ca) are given.
bool cluster_tls(const config& cfg);

/// The address the cluster port binds: --cluster-bind, else 127.0.0.1 without the cluster TLS
/// files and 0.0.0.0 with them.
std::string cluster_bind_address(const config& cfg);

/// True for a loopback host: 127.x.x.x, ::1 or localhost.
bool is_loopback_host(const std::string& host);

/// `data-dir` -> `FORESIGHT_DATA_DIR`.
std::string env_name(const std::string& option);

/// Result of layering the sources; `error` is empty on success.
struct config_result {
  config cfg;
  std::vector<std::string> positional; ///< arguments that are not options (the subcommand, ...)
  std::map<std::string, std::string> extra; ///< unknown `--x` options, for subcommands to claim
  std::string error;
};

/// Layers defaults, file, environment and arguments. `env` looks a variable up ("" = unset);
/// `read_file` returns false if the file cannot be read. Unknown options land in `extra`.
/// A secret's `-file` option (`--jwt-secret-file`, ...) fills the secret with the file's text
/// (without its trailing newline); giving both forms is an error. The cluster options are
/// checked together last: --peers and the cluster TLS files need --node-id, the TLS files go
/// all three or none, and the cluster port leaves loopback only with them.
config_result load_config(const std::vector<std::string>& args,
                          const std::function<std::string(const std::string&)>& env,
                          const std::function<bool(const std::string&, std::string&)>& read_file);

/// The options whose values are secrets: never to be shown, logged or left on a command line.
bool is_secret_option(const std::string& name);

/// The --help text listing every option with its environment variable and default.
std::string config_help();

} // namespace foresight
