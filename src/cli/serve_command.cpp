// pianokpm serve: the server players push live sessions to and viewers watch them on, over
// HTTPS (docs/remote.md). The same command manages its accounts.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "core/input_error.h"
#include "io/atomic_file.h"
#include "remote/credentials.h"
#include "remote/remote_server.h"
#include "remote/tls_certificate.h"

namespace pianokpm {

namespace {

std::atomic<bool> g_serve_stop{false};
extern "C" void serve_request_stop(int signal) {
  g_serve_stop = true;
  std::signal(signal, SIG_DFL);
}

struct ServeCommandOptions {
  std::string data, listen = "127.0.0.1:8443", ready_file;
  std::vector<std::string> tls_names;
  std::string add_user, role = "viewer", set_password, grant, revoke;
  bool list_users = false;
  remote::RemoteServerOptions server;
};

// One line of standard input, without echo on a terminal.
std::string read_password_line(const std::string& user) {
  const bool terminal = isatty(STDIN_FILENO);
  termios saved{};
  if (terminal) {
    std::cerr << "password for " << user << ": " << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (terminal) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  return password;
}

// The password for --add-user or --set-password: PIANOKPM_PASSWORD, else one line of standard
// input (asked for without echo on a terminal).
std::string read_password(const std::string& user) {
  std::string password;
  if (const char* env = std::getenv("PIANOKPM_PASSWORD"))
    password = env;
  else
    password = read_password_line(user);
  if (password.size() < remote::kMinPasswordLength || password.size() > 1024)
    throw InputError("password for " + user,
                     fmt::format("at least {} characters (and at most 1024)", remote::kMinPasswordLength));
  return password;
}

// "PLAYER:VIEWER" -> the two accounts, checked.
std::pair<remote::User, remote::User> grant_pair(remote::SessionStore& store, const std::string& text, const std::string& flag) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos) throw InputError(flag, "expected PLAYER:VIEWER, not '" + text + "'");
  auto player = store.user(text.substr(0, colon));
  auto viewer = store.user(text.substr(colon + 1));
  if (!player || player->role != remote::Role::kPlayer) throw InputError(flag, "no player " + text.substr(0, colon));
  if (!viewer || viewer->role != remote::Role::kViewer) throw InputError(flag, "no viewer " + text.substr(colon + 1));
  return {*player, *viewer};
}

// Account management: runs against the database and returns, without serving.
bool manage_accounts(const ServeCommandOptions& o) {
  if (o.add_user.empty() && o.set_password.empty() && o.grant.empty() && o.revoke.empty() && !o.list_users) return false;
  std::filesystem::create_directories(o.data);
  remote::SessionStore store((std::filesystem::path(o.data) / "sessions.db").string());
  if (!o.add_user.empty()) {
    remote::Role role;
    try {
      role = remote::parse_role(o.role);
    } catch (const std::invalid_argument& e) {
      throw InputError("--role", e.what());
    }
    store.add_user(o.add_user, role, remote::hash_password(read_password(o.add_user)));
    spdlog::info("added {} ({})", o.add_user, o.role);
  }
  if (!o.set_password.empty()) {
    if (!store.user(o.set_password)) throw InputError("--set-password", "no user " + o.set_password);
    store.set_password(o.set_password, remote::hash_password(read_password(o.set_password)));
    spdlog::info("new password for {}; their logins ended", o.set_password);
  }
  if (!o.grant.empty()) {
    const auto [player, viewer] = grant_pair(store, o.grant, "--grant");
    store.grant(player.id, viewer.id);
  }
  if (!o.revoke.empty()) {
    const auto [player, viewer] = grant_pair(store, o.revoke, "--revoke");
    store.revoke(player.id, viewer.id);
  }
  if (o.list_users)
    for (const auto& u : store.users()) {
      std::string line = fmt::format("{}\t{}", u.name, remote::role_name(u.role));
      if (u.role == remote::Role::kPlayer) line += "\tviewers: " + fmt::format("{}", fmt::join(store.viewers_of(u.id), ","));
      std::cout << line << "\n";
    }
  return true;
}

int run_serve(ServeCommandOptions& o) {
  if (manage_accounts(o)) return 0;
  remote::RemoteServerOptions so = o.server;
  so.data_dir = o.data;
  so.tls_names = o.tls_names;
  const size_t colon = o.listen.rfind(':');
  const std::string port = colon == std::string::npos ? o.listen : o.listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
    throw InputError("--listen", "expected HOST:PORT or PORT, not '" + o.listen + "'");
  if (colon != std::string::npos) so.host = o.listen.substr(0, colon);
  so.port = std::stoi(port);
  try {
    so.check();
  } catch (const std::invalid_argument& e) {
    throw InputError("serve", e.what());
  }
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGINT, serve_request_stop);
  std::signal(SIGTERM, serve_request_stop);
  remote::RemoteServer server(so);
  server.start();
  if (server.store().users().empty())
    spdlog::warn("no accounts yet: add one with `pianokpm serve --data {} --add-user NAME --role player`", o.data);
  if (so.host != "127.0.0.1" && so.host != "localhost")
    spdlog::warn("listening on {}: reachable from other machines (docs/remote.md)", so.host);
  spdlog::info("serving {} (certificate {}, {})", server.url(), server.cert_path(),
               remote::certificate_fingerprint(server.cert_path()));
  if (!o.ready_file.empty())
    write_file_atomically(
        o.ready_file, nlohmann::json{{"url", server.url()}, {"port", server.port()}, {"cert", server.cert_path()}}.dump() + "\n");
  while (!g_serve_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  spdlog::info("stopping");
  server.stop();
  return 0;
}

}  // namespace

CommandRunner add_serve_command(CLI::App& app) {
  auto o = std::make_shared<ServeCommandOptions>();
  CLI::App* cmd =
      app.add_subcommand("serve",
                         "Serve remote sessions over HTTPS: players push live EMG (live --push), viewers they allow watch "
                         "it in a browser; also manages the accounts (docs/remote.md)");
  cmd->add_option("-d,--data", o->data, "Folder of the server's database and self-signed certificate")->required();
  cmd->add_option("--listen", o->listen, "HOST:PORT to serve on (PORT 0: any free port)")->capture_default_str();
  cmd->add_option("--cert", o->server.cert_path, "TLS certificate (PEM); default: a self-signed one in DATA/tls");
  cmd->add_option("--key", o->server.key_path, "TLS private key (PEM) of --cert");
  cmd->add_option("--tls-name", o->tls_names, "Extra DNS name or IP address for the self-signed certificate");
  cmd->add_option("--max-viewers", o->server.max_viewers, "Live streams served at once")->capture_default_str();
  cmd->add_option("--token-hours", o->server.token_ttl_s, "Hours a login lasts")->transform([](std::string s) {
    return std::to_string(std::stod(s) * 3600);
  });
  cmd->add_option("--ready-file", o->ready_file, "Write {url, port, cert} as JSON here once serving");
  cmd->add_option("--add-user", o->add_user, "Add an account (password from PIANOKPM_PASSWORD or standard input)");
  cmd->add_option("--role", o->role, "Role of --add-user: player, viewer or admin")->capture_default_str();
  cmd->add_option("--set-password", o->set_password, "Give an account a new password (ends its logins)");
  cmd->add_option("--grant", o->grant, "PLAYER:VIEWER: let a viewer watch a player's sessions");
  cmd->add_option("--revoke", o->revoke, "PLAYER:VIEWER: stop letting a viewer watch");
  cmd->add_flag("--list-users", o->list_users, "List the accounts and whom each player lets watch");
  return [o] { return run_serve(*o); };
}

}  // namespace pianokpm
