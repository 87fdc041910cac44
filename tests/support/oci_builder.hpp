// Test support: builds layer tars (plain, gzip, zstd), OCI image layouts and `docker save`
// archives in a test's temp dir with libarchive, zlib and zstd, for the image tests.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "sources/digest.hpp"

namespace vigil::testing {

struct TarEntry {
  enum class Type { kFile, kDir, kSymlink, kHardlink, kFifo };
  std::string name;
  std::string content;  // file content
  Type type = Type::kFile;
  std::string link;  // symlink / hardlink target
  unsigned mode = 0644;
};

inline TarEntry file(std::string name, std::string content) {
  return {std::move(name), std::move(content), TarEntry::Type::kFile, {}, 0644};
}
inline TarEntry dir(std::string name) {
  return {std::move(name), {}, TarEntry::Type::kDir, {}, 0755};
}
inline TarEntry symlink(std::string name, std::string target) {
  return {std::move(name), {}, TarEntry::Type::kSymlink, std::move(target), 0777};
}
inline TarEntry hardlink(std::string name, std::string target) {
  return {std::move(name), {}, TarEntry::Type::kHardlink, std::move(target), 0644};
}

// Returns a pax tar (or, with `zip`, a zip) holding `entries` in order. Aborts on libarchive
// errors, which only a broken test could cause.
inline std::string make_archive(const std::vector<TarEntry>& entries, bool zip = false) {
  std::string out;
  archive* writer = archive_write_new();
  if (zip) {
    archive_write_set_format_zip(writer);
  } else {
    archive_write_set_format_pax_restricted(writer);
  }
  archive_write_set_bytes_in_last_block(writer, 1);
  const auto write = [](archive*, void* client, const void* data, size_t size) -> la_ssize_t {
    static_cast<std::string*>(client)->append(static_cast<const char*>(data), size);
    return static_cast<la_ssize_t>(size);
  };
  if (archive_write_open(writer, &out, nullptr, write, nullptr) != ARCHIVE_OK) {
    std::abort();
  }
  for (const auto& item : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, item.name.c_str());
    archive_entry_set_perm(entry, item.mode);
    archive_entry_set_mtime(entry, 1700000000, 0);
    switch (item.type) {
      case TarEntry::Type::kFile:
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_size(entry, static_cast<la_int64_t>(item.content.size()));
        break;
      case TarEntry::Type::kDir:
        archive_entry_set_filetype(entry, AE_IFDIR);
        break;
      case TarEntry::Type::kSymlink:
        archive_entry_set_filetype(entry, AE_IFLNK);
        archive_entry_set_symlink(entry, item.link.c_str());
        break;
      case TarEntry::Type::kHardlink:
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_hardlink(entry, item.link.c_str());
        archive_entry_set_size(entry, 0);
        break;
      case TarEntry::Type::kFifo:
        archive_entry_set_filetype(entry, AE_IFIFO);
        break;
    }
    if (archive_write_header(writer, entry) != ARCHIVE_OK) {
      std::abort();
    }
    if (item.type == TarEntry::Type::kFile && !item.content.empty() &&
        archive_write_data(writer, item.content.data(), item.content.size()) !=
            static_cast<la_ssize_t>(item.content.size())) {
      std::abort();
    }
    archive_entry_free(entry);
  }
  archive_write_close(writer);
  archive_write_free(writer);
  return out;
}

inline std::string gzip(std::string_view data) {
  z_stream stream{};
  if (deflateInit2(&stream, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    std::abort();
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END) {
    std::abort();
  }
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

inline std::string zstd(std::string_view data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const size_t size = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  if (ZSTD_isError(size) != 0) {
    std::abort();
  }
  out.resize(size);
  return out;
}

inline void write_file(const std::filesystem::path& path, std::string_view content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

enum class Compression { kNone, kGzip, kZstd };

struct BuiltLayer {
  std::string blob;  // as stored
  std::string digest;
  std::string diff_id;
  std::string media_type;
};

inline BuiltLayer build_layer(const std::vector<TarEntry>& entries,
                              Compression compression = Compression::kGzip) {
  const std::string tar = make_archive(entries);
  BuiltLayer layer;
  layer.diff_id = sources::sha256_digest(tar);
  switch (compression) {
    case Compression::kNone:
      layer.blob = tar;
      layer.media_type = "application/vnd.oci.image.layer.v1.tar";
      break;
    case Compression::kGzip:
      layer.blob = gzip(tar);
      layer.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
      break;
    case Compression::kZstd:
      layer.blob = zstd(tar);
      layer.media_type = "application/vnd.oci.image.layer.v1.tar+zstd";
      break;
  }
  layer.digest = sources::sha256_digest(layer.blob);
  return layer;
}

// Writes an OCI image layout: blobs, manifests and index.json.
class OciLayout {
 public:
  explicit OciLayout(std::filesystem::path dir) : dir_(std::move(dir)) {
    write_file(dir_ / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  }

  const std::filesystem::path& dir() const { return dir_; }

  // Stores `content` as a blob and returns its digest.
  std::string add_blob(std::string_view content) {
    const std::string digest = sources::sha256_digest(content);
    write_file(dir_ / "blobs" / "sha256" / digest.substr(7), content);
    return digest;
  }

  // Stores the layers, a config (history lines `created_by`, one per layer) and a manifest;
  // returns the manifest descriptor (with `platform` when os is non-empty).
  nlohmann::json add_image(const std::vector<BuiltLayer>& layers,
                           const std::vector<std::string>& created_by,
                           const std::string& os = "linux", const std::string& arch = "amd64",
                           const std::string& variant = "") {
    nlohmann::json config = {{"architecture", arch}, {"os", os}};
    if (!variant.empty()) {
      config["variant"] = variant;
    }
    config["rootfs"] = {{"type", "layers"}, {"diff_ids", nlohmann::json::array()}};
    config["history"] = nlohmann::json::array();
    nlohmann::json manifest_layers = nlohmann::json::array();
    for (size_t idx = 0; idx < layers.size(); ++idx) {
      add_blob(layers[idx].blob);
      config["rootfs"]["diff_ids"].push_back(layers[idx].diff_id);
      config["history"].push_back(
          {{"created_by", "/bin/sh -c #(nop) ENV X=1"}, {"empty_layer", true}});
      config["history"].push_back(
          {{"created_by", idx < created_by.size() ? created_by[idx] : std::string("layer")}});
      manifest_layers.push_back({{"mediaType", layers[idx].media_type},
                                 {"digest", layers[idx].digest},
                                 {"size", layers[idx].blob.size()}});
    }
    const std::string config_bytes = config.dump();
    const std::string config_digest = add_blob(config_bytes);
    nlohmann::json manifest = {{"schemaVersion", 2},
                               {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                               {"config",
                                {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                                 {"digest", config_digest},
                                 {"size", config_bytes.size()}}},
                               {"layers", manifest_layers}};
    const std::string manifest_bytes = manifest.dump();
    nlohmann::json descriptor = {{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                                 {"digest", add_blob(manifest_bytes)},
                                 {"size", manifest_bytes.size()}};
    if (!os.empty()) {
      descriptor["platform"] = {{"os", os}, {"architecture", arch}};
      if (!variant.empty()) {
        descriptor["platform"]["variant"] = variant;
      }
    }
    return descriptor;
  }

  // Stores an image index over `manifests` as a blob; returns its descriptor.
  nlohmann::json add_index(const std::vector<nlohmann::json>& manifests) {
    const std::string bytes = index_document(manifests).dump();
    return {{"mediaType", "application/vnd.oci.image.index.v1+json"},
            {"digest", add_blob(bytes)},
            {"size", bytes.size()}};
  }

  // Writes index.json listing `manifests`; a non-empty `ref_name` is annotated on each.
  void write_index(std::vector<nlohmann::json> manifests, const std::string& ref_name = "") {
    if (!ref_name.empty()) {
      for (auto& manifest : manifests) {
        manifest["annotations"] = {{"org.opencontainers.image.ref.name", ref_name}};
      }
    }
    write_file(dir_ / "index.json", index_document(manifests).dump());
  }

 private:
  static nlohmann::json index_document(const std::vector<nlohmann::json>& manifests) {
    return {{"schemaVersion", 2},
            {"mediaType", "application/vnd.oci.image.index.v1+json"},
            {"manifests", manifests}};
  }
  std::filesystem::path dir_;
};

// Returns a `docker save` archive with one image of `layers` (uncompressed tars), tagged `tag`.
inline std::string make_docker_archive(const std::vector<std::vector<TarEntry>>& layers,
                                       const std::vector<std::string>& created_by,
                                       const std::string& tag) {
  nlohmann::json config = {{"architecture", "amd64"}, {"os", "linux"}};
  config["rootfs"] = {{"type", "layers"}, {"diff_ids", nlohmann::json::array()}};
  config["history"] = nlohmann::json::array();
  std::vector<TarEntry> members;
  nlohmann::json layer_paths = nlohmann::json::array();
  for (size_t idx = 0; idx < layers.size(); ++idx) {
    const std::string tar = make_archive(layers[idx]);
    const std::string diff_id = sources::sha256_digest(tar);
    config["rootfs"]["diff_ids"].push_back(diff_id);
    config["history"].push_back({{"created_by", created_by.at(idx)}});
    const std::string path = diff_id.substr(7, 16) + "/layer.tar";
    members.push_back(file(path, tar));
    layer_paths.push_back(path);
  }
  const std::string config_bytes = config.dump();
  const std::string config_name = sources::sha256_digest(config_bytes).substr(7) + ".json";
  members.push_back(file(config_name, config_bytes));
  nlohmann::json manifest = nlohmann::json::array(
      {{{"Config", config_name}, {"RepoTags", {tag}}, {"Layers", layer_paths}}});
  members.insert(members.begin(), file("manifest.json", manifest.dump()));
  return make_archive(members);
}

}  // namespace vigil::testing
