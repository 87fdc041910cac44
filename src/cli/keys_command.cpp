// `vigil keys create`: issue an access key (SigV4) for an account and role. The secret is shown
// once; the store keeps it sealed under <data>/master.key (docs/api.md).
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "api/keys.hpp"
#include "cli/commands.hpp"
#include "store/store.hpp"

namespace vigil::cli {
namespace {

struct KeysOptions {
  std::string data_dir;
  std::string account;
  std::string role = "member";
  bool as_json = false;
};

int run_create(const KeysOptions& opts) {
  auto vault = api::KeyVault::open(opts.data_dir);
  if (!vault) {
    std::cerr << "vigil: " << vault.error().message << '\n';
    return kExitUsage;
  }
  auto store = store::open_sqlite_store(opts.data_dir);
  if (!store) {
    std::cerr << "vigil: " << store.error().message << '\n';
    return 70;
  }
  auto key = (*vault)->create(**store, opts.account, opts.role);
  if (!key) {
    std::cerr << "vigil: keys create: " << key.error().message << '\n';
    return key.error().code == ErrorCode::kInvalidArgument ? kExitUsage : 70;
  }
  if (opts.as_json) {
    const nlohmann::json out = {{"AccessKey",
                                 {{"AccessKeyId", key->access_key_id},
                                  {"SecretAccessKey", key->secret},
                                  {"AccountId", key->account_id},
                                  {"Role", key->role}}}};
    std::cout << out.dump(2) << '\n';
  } else {
    std::cout << "AccessKeyId:     " << key->access_key_id << '\n'
              << "SecretAccessKey: " << key->secret << '\n'
              << "Account:         " << key->account_id << " (" << key->role << ")\n"
              << "The secret is shown only now; store it safely.\n";
  }
  return kExitOk;
}

}  // namespace

void add_keys_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("keys", "Manage API access keys (AWS SigV4)");
  cmd->require_subcommand(1);
  auto opts = std::make_shared<KeysOptions>();
  auto* create = cmd->add_subcommand("create", "Create an access key for an account");
  create->add_option("--data", opts->data_dir, "Service data directory (store and master.key)")
      ->required();
  create->add_option("--account", opts->account, "12-digit account id")->required();
  create->add_option("--role", opts->role, "admin, member or readonly")
      ->check(CLI::IsMember({"admin", "member", "readonly"}));
  create->add_flag("--json", opts->as_json, "Print JSON (AccessKey.AccessKeyId/SecretAccessKey)");
  create->callback([opts] { throw ExitRequest{run_create(*opts)}; });
}

}  // namespace vigil::cli
