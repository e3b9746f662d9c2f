// make_self_signed with the OpenSSL 3 C API; temp_file with mkstemp.
#include "tests/support/self_signed.hpp"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace foresight::testing {

namespace {

struct openssl_free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
};
template <class T>
using openssl_ptr = std::unique_ptr<T, openssl_free>;

[[noreturn]] void openssl_failed(const char* what) {
  char reason[256] = "unknown error";
  if (auto e = ERR_get_error())
    ERR_error_string_n(e, reason, sizeof reason);
  ERR_clear_error(); // leave nothing behind for the next OpenSSL user on this thread
  throw std::runtime_error(std::string("make_self_signed: ") + what + ": " + reason);
}

template <class Write>
std::string to_pem(Write write) {
  openssl_ptr<BIO> bio{BIO_new(BIO_s_mem())};
  if (!bio || write(bio.get()) != 1)
    openssl_failed("PEM encoding");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

} // namespace

key_and_cert make_self_signed(const std::string& host) {
  openssl_ptr<EVP_PKEY> key{EVP_EC_gen("P-256")}; // fast to generate, unlike RSA
  openssl_ptr<X509> cert{X509_new()};
  if (!key || !cert)
    openssl_failed("key generation");

  // A random serial, so that certificates from different runs are never taken for one another.
  openssl_ptr<BIGNUM> serial{BN_new()};
  if (!serial || !BN_rand(serial.get(), 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())))
    openssl_failed("serial number");

  // Valid from an hour ago, so that a little clock skew cannot make it "not yet valid".
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (!X509_set_version(cert.get(), X509_VERSION_3) ||
      !X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60L * 60) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24L * 60 * 60) ||
      !X509_set_pubkey(cert.get(), key.get()) ||
      !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(host.c_str()), -1, -1, 0) ||
      !X509_set_issuer_name(cert.get(), name))
    openssl_failed("certificate fields");

  // Clients match the host against subjectAltName only (CN is ignored when SANs exist), and an
  // IP literal is matched against IP: entries, never DNS: ones.
  unsigned char ip[16];
  bool is_ip =
    inet_pton(AF_INET, host.c_str(), ip) == 1 || inet_pton(AF_INET6, host.c_str(), ip) == 1;
  std::string san = "DNS:" + host + (is_ip ? ",IP:" + host : "");
  // CA:TRUE and keyCertSign let the certificate be its own trust anchor in the client's ca_file.
  const std::pair<int, std::string> extensions[] = {
      {NID_basic_constraints, "critical,CA:TRUE"},
      {NID_key_usage, "critical,digitalSignature,keyCertSign"},
      {NID_ext_key_usage, "serverAuth"},
      {NID_subject_key_identifier, "hash"},
      {NID_subject_alt_name, san},
  };
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : extensions) {
    openssl_ptr<X509_EXTENSION> ext{X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str())};
    if (!ext || !X509_add_ext(cert.get(), ext.get(), -1))
      openssl_failed("certificate extension");
  }
  if (!X509_sign(cert.get(), key.get(), EVP_sha256()))
    openssl_failed("signing");

  return {
      to_pem([&](BIO* b) { return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr); }),
      to_pem([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); })};
}


temp_file::temp_file(const std::string& contents, const std::string& prefix) {
  path_ = (std::filesystem::temp_directory_path() / (prefix + "_XXXXXX")).string();
  int fd = ::mkstemp(path_.data()); // unique even with tests running in parallel
  if (fd < 0)
    throw std::system_error(errno, std::generic_category(), "temp_file: mkstemp");
  bool ok = ::write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok) {
    std::remove(path_.c_str()); // a throwing constructor gets no destructor
    throw std::runtime_error("temp_file: cannot write " + path_);
  }
}

temp_file::~temp_file() {
  std::remove(path_.c_str());
}

} // namespace foresight::testing
