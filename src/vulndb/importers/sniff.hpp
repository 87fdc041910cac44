// Internal: one pass over a file's head answers every importer's key sniff.
//
// Every importer's detects() runs on every file of an import, and most of them ask whether some
// quoted key ("\"id\"", "\"$schema\"", "\"NVD_CVE\"", ...) occurs in the first 8 KiB: about a
// dozen memmem scans of each OSV record (7% of an OSV import's CPU). While a HeadScan is active
// on this thread for a file, json::head_contains answers those questions for that file from a
// single scan instead.
//
// The scan is exact, not a tokenizer: a needle "\"X\"" (X without quotes) occurs at position p
// exactly when the quote at p and the next quote after it enclose X, so walking the consecutive
// pairs of quotes and comparing what they enclose finds precisely the occurrences memmem finds
// (keys, string values, and the odd escaped-quote span alike).
#pragma once

#include <cstdint>
#include <string_view>

namespace vigil::vulndb::json {

// The window importers sniff (json::head_contains' default).
inline constexpr size_t kSniffWindow = 8192;

// The quoted keys answered from the scan; any other needle falls back to memmem.
inline constexpr std::string_view kSniffKeys[] = {"\"id\"",
                                                  "\"resultsPerPage\"",
                                                  "\"catalogVersion\"",
                                                  "\"sourceIdentifier\"",
                                                  "\"$schema\"",
                                                  "\"modified\"",
                                                  "\"schema_version\"",
                                                  "\"affected\"",
                                                  "\"aliases\"",
                                                  "\"published\"",
                                                  "\"details\"",
                                                  "\"summary\"",
                                                  "\"NVD_CVE\"",
                                                  "\"vulnerabilities\"",
                                                  "\"cve\"",
                                                  "\"descriptions\"",
                                                  "\"vulnStatus\"",
                                                  "\"cveID\"",
                                                  "\"knownRansomwareCampaignUse\"",
                                                  "\"distroversion\"",
                                                  "\"packages\""};

// Index of `needle` in kSniffKeys, or -1.
int sniff_key_index(std::string_view needle);

// Bit i set when kSniffKeys[i] occurs within `head` (the whole needle inside it).
uint32_t scan_sniff_keys(std::string_view head);

// While alive, json::head_contains(text, key) on this thread, for this exact buffer (same data
// pointer and size), the default window and a key of kSniffKeys, answers from one lazy scan.
// Scopes nest; each must end on the thread that began it.
class HeadScan {
 public:
  explicit HeadScan(std::string_view text);
  ~HeadScan();
  HeadScan(const HeadScan&) = delete;
  HeadScan& operator=(const HeadScan&) = delete;

  // The active scan for `text` on this thread, or nullptr.
  static const HeadScan* active_for(std::string_view text);
  bool contains(int key_index) const;

 private:
  std::string_view text_;
  mutable uint32_t keys_ = 0;
  mutable bool scanned_ = false;
  const HeadScan* previous_;
};

}  // namespace vigil::vulndb::json
