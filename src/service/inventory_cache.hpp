// Whole-image inventories kept on disk, keyed by everything that determines them (the image
// config digest, which covers every layer's content, the layer digests, the wanted-files key and
// the identity of the running Vigil build), so a warm scan of an unchanged image reads one small
// file instead of re-cataloging. Only complete inventories are stored.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "model/inventory.hpp"
#include "sources/image.hpp"

namespace vigil::service {

// The cache key of `image` for catalogers named by `want_key`: a sha256 digest.
std::string inventory_cache_key(const sources::ImageInfo& image, std::string_view want_key);

// Serialises `inventory` (every field of the model types; a static_assert in the .cpp fails
// when a model type gains a field the codec does not know).
std::string encode_inventory(const model::Inventory& inventory);
// Parses encode_inventory's output. kParse for anything else.
[[nodiscard]] Result<model::Inventory> decode_inventory(std::string_view text);

// Files "<dir>/<key hex>.inventory.json", written to a temporary file and renamed. Safe for
// concurrent processes.
class InventoryCache {
 public:
  // Creates `dir` if needed. kIo when it cannot.
  [[nodiscard]] static Result<std::unique_ptr<InventoryCache>> open(std::filesystem::path dir);

  // The inventory stored under `key`, nullopt on a miss (a corrupt file is a miss).
  std::optional<model::Inventory> find(std::string_view key) const;
  // Stores `inventory` under `key`; kIo when it cannot be written.
  [[nodiscard]] Result<void> store(std::string_view key, const model::Inventory& inventory) const;

 private:
  explicit InventoryCache(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
};

}  // namespace vigil::service
