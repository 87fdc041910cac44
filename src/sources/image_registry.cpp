// The registry blob source: small blobs come straight into memory, layer blobs are streamed to
// the scratch directory (digest checked on arrival) and indexed from there.
#include <map>
#include <string>
#include <utility>

#include "sources/internal/blob_source.hpp"

namespace vigil::sources::internal {
namespace {

class RegistrySource final : public BlobSource {
 public:
  RegistrySource(RegistryClient& client, ScratchDir& scratch, const ExtractLimits& limits)
      : client_(client), scratch_(scratch), limits_(limits) {}

  Result<std::string> read_blob(std::string_view digest, uint64_t max_bytes) override {
    return client_.blob(digest, max_bytes);
  }

  Result<std::filesystem::path> blob_file(std::string_view digest) override {
    if (const auto found = files_.find(digest); found != files_.end()) {
      return found->second;
    }
    const auto path = scratch_.next_file("blob");
    // A compressed layer is never larger than what it may expand to.
    VIGIL_TRY(client_.download(digest, path, limits_.max_expanded_bytes));
    files_.emplace(std::string(digest), path);
    return path;
  }

  std::optional<std::filesystem::path> existing_file(std::string_view digest) const override {
    const auto found = files_.find(digest);
    return found == files_.end() ? std::nullopt : std::optional(found->second);
  }

 private:
  RegistryClient& client_;
  ScratchDir& scratch_;
  ExtractLimits limits_;
  std::map<std::string, std::filesystem::path, std::less<>> files_;
};

}  // namespace

std::unique_ptr<BlobSource> make_registry_source(RegistryClient& client, ScratchDir& scratch,
                                                 const ExtractLimits& limits) {
  return std::make_unique<RegistrySource>(client, scratch, limits);
}

}  // namespace vigil::sources::internal
