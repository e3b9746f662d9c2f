// Throwaway TLS material for tests: a self-signed certificate made with the OpenSSL C API (no key
// material on disk in the repository, no external tool), and temp files to hand it to a process.
#pragma once
#include <string>

namespace foresight::testing {

/// A PEM private key and the PEM certificate it signed.
struct key_and_cert {
  std::string key_pem;
  std::string cert_pem;
};

/// A P-256 key and a certificate for `host` (CN and subjectAltName DNS:, plus IP: when it is an
/// IP literal), valid from an hour ago for a day, marked CA:TRUE so that it can be its own trust
/// anchor.
key_and_cert make_self_signed(const std::string& host);

/// A uniquely named file in the temp directory holding `contents`, removed again when this goes
/// away. `prefix` starts its name.
class temp_file {
public:
  temp_file(const std::string& contents, const std::string& prefix);
  ~temp_file();
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;

  const std::string& path() const { return path_; }

private:
  std::string path_;
};

} // namespace foresight::testing
