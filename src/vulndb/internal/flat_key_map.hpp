// Internal: a string-keyed hash map for the import session's bookkeeping (which (source, id)
// pairs and which package keys this session has written). std::unordered_map spent 3% of an OSV
// import in its lookups: a node, a heap key and a bucket list per entry, cache misses each while
// SQLite and the parser churn the caches. Here one probe reads a slot (hash, key position,
// value) from one contiguous array, and keys live back to back in one arena; the full key is
// compared only when the 64-bit hashes are equal. Insert-only, which is all the session needs.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::vulndb::internal {

template <typename Value>
class FlatKeyMap {
 public:
  // The value stored for `key`, or nullptr.
  Value* find(std::string_view key) {
    if (slots_.empty()) {
      return nullptr;
    }
    const uint64_t hash = hash_of(key);
    for (size_t at = hash & mask_;; at = (at + 1) & mask_) {
      Slot& slot = slots_[at];
      if (!slot.used) {
        return nullptr;
      }
      if (slot.hash == hash && key_of(slot) == key) {
        return &slot.value;
      }
    }
  }

  // Sets the value of `key` (adding the key when new).
  void assign(std::string_view key, const Value& value) {
    if ((size_ + 1) * 2 > slots_.size()) {
      grow();
    }
    const uint64_t hash = hash_of(key);
    for (size_t at = hash & mask_;; at = (at + 1) & mask_) {
      Slot& slot = slots_[at];
      if (!slot.used) {
        slot = Slot{hash, arena_.size(), key.size(), true, value};
        arena_.append(key);
        ++size_;
        return;
      }
      if (slot.hash == hash && key_of(slot) == key) {
        slot.value = value;
        return;
      }
    }
  }

  // Adds `key` with `value` unless present; true when added.
  bool insert(std::string_view key, const Value& value) {
    if (find(key) != nullptr) {
      return false;
    }
    assign(key, value);
    return true;
  }

  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t hash = 0;
    size_t offset = 0;
    size_t length = 0;
    bool used = false;
    Value value{};
  };

  static uint64_t hash_of(std::string_view key) { return std::hash<std::string_view>{}(key); }
  std::string_view key_of(const Slot& slot) const {
    return std::string_view(arena_).substr(slot.offset, slot.length);
  }

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.used) {
        size_t at = slot.hash & mask_;
        while (slots_[at].used) {
          at = (at + 1) & mask_;
        }
        slots_[at] = slot;
      }
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
  std::string arena_;
};

}  // namespace vigil::vulndb::internal
