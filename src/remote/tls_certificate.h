#pragma once
// The server's TLS identity. `pianokpm serve` uses the operator's certificate and key when given;
// otherwise it makes a self-signed one on first start (ECDSA P-256, SHA-256, valid `days` days,
// subjectAltName DNS:localhost, IP:127.0.0.1 and the names given) and keeps it in its data folder,
// the key readable by its owner only. Clients then trust that certificate file explicitly
// (`live --push-ca`, a browser's exception).
#include <string>
#include <vector>

namespace pianokpm::remote {

struct SelfSignedOptions {
  std::vector<std::string> names;  // extra DNS names or IP addresses to certify
  int days = 825;
};

// Writes cert_path and key_path (PEM) when either is missing; InputError naming the file when it
// cannot. Returns true when it made them.
bool ensure_self_signed(const std::string& cert_path, const std::string& key_path, const SelfSignedOptions& options = {});

// "SHA256 AB:CD:..." of a PEM certificate file, for a user to compare out of band; InputError when unreadable.
std::string certificate_fingerprint(const std::string& cert_path);

}  // namespace pianokpm::remote
