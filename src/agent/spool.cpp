#include "agent/spool.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "agent/collect.hpp"

namespace vigil::agent {
namespace {

constexpr size_t kSequenceDigits = 20;
constexpr std::string_view kSuffix = ".json";
constexpr uint64_t kMaxSpooledDocument = uint64_t{256} << 20;

bool is_entry_name(std::string_view name) {
  if (name.size() != kSequenceDigits + kSuffix.size() || !name.ends_with(kSuffix)) {
    return false;
  }
  const std::string_view digits = name.substr(0, kSequenceDigits);
  return std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The entry names contain 20 digits; uint64_t holds 19.99 of them, so parse with a ceiling.
uint64_t sequence_of(std::string_view name) {
  uint64_t value = 0;
  for (const char c : name.substr(0, kSequenceDigits)) {
    const auto digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) {
      return UINT64_MAX;
    }
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace

Result<Spool> Spool::open(std::filesystem::path directory, size_t max_documents) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error || !std::filesystem::is_directory(directory, error)) {
    return fail(Error::io("spool {}: cannot create the directory: {}", directory.string(),
                          error ? error.message() : "not a directory"));
  }
  return Spool(std::move(directory), std::max<size_t>(max_documents, 1));
}

Result<std::vector<std::string>> Spool::list() const {
  std::vector<std::string> names;
  std::error_code error;
  for (std::filesystem::directory_iterator entry(directory_, error), end; !error && entry != end;
       entry.increment(error)) {
    std::string name = entry->path().filename().string();
    if (is_entry_name(name)) {
      names.push_back(std::move(name));
    }
  }
  if (error) {
    return fail(Error::io("spool {}: {}", directory_.string(), error.message()));
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::vector<std::string>> Spool::add(std::string_view document) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> names, list());
  const uint64_t last = names.empty() ? 0 : sequence_of(names.back());
  if (last == UINT64_MAX) {
    return fail(Error::io("spool {}: sequence exhausted at {}", directory_.string(),
                          names.back()));
  }
  const std::string name = fmt::format("{:020}{}", last + 1, kSuffix);
  VIGIL_TRY(write_file_atomic(directory_ / name, document));
  names.push_back(name);
  std::vector<std::string> dropped;
  const size_t excess = names.size() > max_documents_ ? names.size() - max_documents_ : 0;
  for (size_t index = 0; index < excess; ++index) {
    VIGIL_TRY(remove(names[index]));
    dropped.push_back(names[index]);
  }
  return dropped;
}

Result<std::string> Spool::read(const std::string& name) const {
  const std::filesystem::path path = directory_ / name;
  std::error_code error;
  const uintmax_t size = std::filesystem::file_size(path, error);
  if (error) {
    return fail(Error::io("spool {}: {}", path.string(), error.message()));
  }
  if (size > kMaxSpooledDocument) {
    return fail(Error::invalid_argument("spool {}: larger than {} bytes", path.string(),
                                        kMaxSpooledDocument));
  }
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    return fail(Error::io("spool {}: read failed", path.string()));
  }
  return text;
}

Result<void> Spool::remove(const std::string& name) const {
  std::error_code error;
  std::filesystem::remove(directory_ / name, error);
  if (error) {
    return fail(Error::io("spool {}: cannot delete {}: {}", directory_.string(), name,
                          error.message()));
  }
  return {};
}

Result<void> Spool::reject(const std::string& name) const {
  const std::filesystem::path rejected = directory_ / "rejected";
  std::error_code error;
  std::filesystem::create_directories(rejected, error);
  if (!error) {
    // Sequence numbers restart once the spool empties: prefix the time so names stay unique.
    const std::string stamp = format_utc(std::chrono::system_clock::now());
    std::filesystem::rename(directory_ / name, rejected / (stamp + "-" + name), error);
  }
  if (error) {
    return fail(Error::io("spool {}: cannot move {} to rejected/: {}", directory_.string(), name,
                          error.message()));
  }
  return {};
}

}  // namespace vigil::agent
