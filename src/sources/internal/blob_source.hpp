// Where an image's blobs come from while it is opened: an OCI layout directory, an archive
// (OCI layout or `docker save` tar) read in two passes, or a registry. Internal to the module.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sources/image.hpp"
#include "sources/internal/scratch_dir.hpp"

namespace vigil::sources::internal {

class BlobSource {
 public:
  virtual ~BlobSource() = default;

  // Reads blob `digest` into memory (at most `max_bytes`) and checks its digest. kNotFound
  // when absent, kParse on a digest mismatch, kInvalidArgument when too large.
  [[nodiscard]] virtual Result<std::string> read_blob(std::string_view digest,
                                                      uint64_t max_bytes) = 0;

  // Makes the blobs in `digests` available as files in one go (archives extract them in a
  // single pass). Failures show up later, per blob, from blob_file().
  virtual void prepare(const std::vector<std::string>& digests) { (void)digests; }

  // The local file holding blob `digest`, unverified (the indexer checks the digest as it
  // streams). kNotFound when the image lacks it.
  [[nodiscard]] virtual Result<std::filesystem::path> blob_file(std::string_view digest) = 0;

  // The file holding `digest` if it is already local (for reading unkept content later).
  virtual std::optional<std::filesystem::path> existing_file(std::string_view digest) const = 0;
};

// Blobs of an OCI layout directory: <dir>/blobs/sha256/<hex>.
std::unique_ptr<BlobSource> make_directory_source(std::filesystem::path dir);

// A tar archive's members: small ones (manifests, configs) are held in memory after the first
// pass; blob_file() extracts members into the scratch directory under generated names.
class ArchiveSource final : public BlobSource {
 public:
  // Reads the member list of `archive` (one pass). kNotFound / kParse when it cannot be read.
  [[nodiscard]] static Result<std::unique_ptr<ArchiveSource>> open(
      const std::filesystem::path& archive, ScratchDir& scratch, const ExtractLimits& limits);

  // The content of member `name` (links followed inside the archive), at most `max_bytes`.
  [[nodiscard]] Result<std::string> read_member(std::string_view name, uint64_t max_bytes);
  // Serves blob `digest` from member `name` (docker-archive layer paths).
  void alias(std::string digest, std::string name);

  Result<std::string> read_blob(std::string_view digest, uint64_t max_bytes) override;
  void prepare(const std::vector<std::string>& digests) override;
  Result<std::filesystem::path> blob_file(std::string_view digest) override;
  std::optional<std::filesystem::path> existing_file(std::string_view digest) const override;

 private:
  struct Member {
    uint64_t size = 0;
    std::optional<std::string> data;            // small members
    std::optional<std::filesystem::path> file;  // extracted
    std::string link;                           // resolved member name for links
  };
  ArchiveSource(std::filesystem::path archive, ScratchDir& scratch, ExtractLimits limits)
      : archive_(std::move(archive)), scratch_(scratch), limits_(limits) {}
  Result<void> scan();
  // The member `name` refers to after following links; nullptr when absent or a loop.
  const Member* resolve(std::string_view name, std::string* resolved) const;
  std::string member_for(std::string_view digest) const;
  // Extracts the named (resolved) members in one pass over the archive.
  Result<void> extract(const std::vector<std::string>& names);

  std::filesystem::path archive_;
  ScratchDir& scratch_;
  ExtractLimits limits_;
  std::map<std::string, Member, std::less<>> members_;
  std::map<std::string, std::string, std::less<>> aliases_;  // digest -> member
  uint64_t extracted_bytes_ = 0;
};

// Blobs pulled from a registry into the scratch directory.
std::unique_ptr<BlobSource> make_registry_source(RegistryClient& client, ScratchDir& scratch,
                                                 const ExtractLimits& limits);

}  // namespace vigil::sources::internal
