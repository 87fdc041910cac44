#include "differential_support.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "support/ordering_table.hpp"

namespace vigil::testing {

bool reference_required() {
  const char* value = std::getenv("VIGIL_REQUIRE_REFERENCE");
  return value != nullptr && std::string(value) == "1";
}

std::optional<std::string> run_with_input(const std::string& command, const std::string& input) {
  char path[] = "/tmp/vigil-diff-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) {
    return std::nullopt;
  }
  close(fd);
  {
    std::ofstream out(path, std::ios::binary);
    out << input;
  }
  const std::string full = command + " < " + path;
  FILE* pipe = popen(full.c_str(), "r");
  if (pipe == nullptr) {
    std::remove(path);
    return std::nullopt;
  }
  std::string output;
  std::array<char, 65536> buffer{};
  size_t got = 0;
  while ((got = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    output.append(buffer.data(), got);
  }
  const int status = pclose(pipe);
  std::remove(path);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return std::nullopt;
  }
  return output;
}

bool command_succeeds(const std::string& command) {
  const int status = std::system((command + " >/dev/null 2>&1").c_str());
  return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void Disagreements::add(std::string description) {
  ++count_;
  if (wants_detail()) {
    described_.push_back(std::move(description));
  }
}

std::string Disagreements::summary(std::size_t total, std::string_view what) const {
  std::string text = std::to_string(count_) + " of " + std::to_string(total) + " " +
                     std::string(what) + " disagree with " + reference_ + "; first " +
                     std::to_string(described_.size()) + ":\n";
  for (const auto& description : described_) {
    text += "  " + description + "\n";
  }
  return text;
}

std::size_t pick(Rng& rng, std::size_t size) {
  return std::uniform_int_distribution<std::size_t>(0, size - 1)(rng);
}

std::size_t below(Rng& rng, std::size_t bound) { return static_cast<std::size_t>(rng() % bound); }

std::string random_digits(Rng& rng, std::size_t min_len, std::size_t max_len) {
  const std::size_t len = std::uniform_int_distribution<std::size_t>(min_len, max_len)(rng);
  std::string digits;
  for (std::size_t idx = 0; idx < len; ++idx) {
    digits.push_back(static_cast<char>('0' + pick(rng, 10)));
  }
  return digits;
}

std::vector<std::pair<std::size_t, std::size_t>> digit_runs(const std::string& text) {
  std::vector<std::pair<std::size_t, std::size_t>> runs;
  for (std::size_t pos = 0; pos < text.size();) {
    if (text[pos] >= '0' && text[pos] <= '9') {
      std::size_t end = pos;
      while (end < text.size() && text[end] >= '0' && text[end] <= '9') {
        ++end;
      }
      runs.emplace_back(pos, end);
      pos = end;
    } else {
      ++pos;
    }
  }
  return runs;
}

std::string with_long_number(std::string text, Rng& rng) {
  const auto runs = digit_runs(text);
  if (!runs.empty()) {
    const auto [begin, end] = runs[pick(rng, runs.size())];
    return text.replace(begin, end - begin, "1" + random_digits(rng, 20, 40));
  }
  return text + "." + random_digits(rng, 20, 40);
}

std::string with_leading_zeros(std::string text, Rng& rng) {
  const auto runs = digit_runs(text);
  if (!runs.empty()) {
    text.insert(runs[pick(rng, runs.size())].first, std::string(1 + pick(rng, 3), '0'));
  }
  return text;
}

std::string with_digit_changed(std::string text, Rng& rng) {
  const auto runs = digit_runs(text);
  if (!runs.empty()) {
    const auto [begin, end] = runs[pick(rng, runs.size())];
    text[begin + pick(rng, end - begin)] = static_cast<char>('0' + pick(rng, 10));
  }
  return text;
}

std::string without_one_character(std::string text, Rng& rng) {
  if (text.size() > 1) {
    text.erase(1 + pick(rng, text.size() - 1), 1);
  }
  return text;
}

std::string unchanged(std::string text, Rng& /*rng*/, const TextAlphabet& /*alphabet*/) {
  return text;
}

std::string with_case_flipped(std::string text, Rng& rng, const TextAlphabet& /*alphabet*/) {
  if (!text.empty()) {
    char& c = text[below(rng, text.size())];
    c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : (c >= 'A' && c <= 'Z' ? c + 32 : c));
  }
  return text;
}

std::string with_suffix(std::string text, Rng& rng, const TextAlphabet& alphabet) {
  text += alphabet.suffixes[below(rng, alphabet.suffixes.size())];
  return text;
}

std::string with_suffix_before_build(std::string text, Rng& rng, const TextAlphabet& alphabet) {
  const size_t plus = text.find('+');
  text.insert(plus == std::string::npos ? text.size() : plus,
              alphabet.suffixes[below(rng, alphabet.suffixes.size())]);
  return text;
}

std::string with_char_inserted(std::string text, Rng& rng, const TextAlphabet& alphabet) {
  text.insert(below(rng, text.size() + 1), 1, alphabet.chars[below(rng, alphabet.chars.size())]);
  return text;
}

std::string with_char_erased(std::string text, Rng& rng, const TextAlphabet& /*alphabet*/) {
  if (!text.empty()) {
    text.erase(below(rng, text.size()), 1);
  }
  return text;
}

std::string with_spaces_around(std::string text, Rng& rng, const TextAlphabet& alphabet) {
  return alphabet.spaces[below(rng, alphabet.spaces.size())] + text +
         alphabet.spaces[below(rng, alphabet.spaces.size())];
}

std::string mutate_text(std::string text, Rng& rng, std::size_t max_rounds,
                        std::span<const TextEdit> edits, const TextAlphabet& alphabet) {
  const std::size_t rounds = 1 + below(rng, max_rounds);
  for (std::size_t round = 0; round < rounds; ++round) {
    text = edits[below(rng, edits.size())](std::move(text), rng, alphabet);
  }
  return text;
}

std::string mutate_until(const std::string& base, Rng& rng, const Edit& edit,
                         const Accept& accept) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    std::string text = base;
    const std::size_t edits = 1 + pick(rng, 3);
    for (std::size_t done = 0; done < edits; ++done) {
      text = edit(std::move(text), rng);
    }
    if (accept(text)) {
      return text;
    }
  }
  return base;
}

std::vector<std::string> version_pool(std::set<std::string> extra,
                                      std::initializer_list<const char*> files,
                                      const Accept& keep) {
  for (const char* file : files) {
    if (const auto rows = load_ordering_table(file)) {
      for (const auto& row : *rows) {
        extra.insert(row.lhs);
        extra.insert(row.rhs);
      }
    }
  }
  std::vector<std::string> pool;
  for (const auto& text : extra) {
    if (!keep || keep(text)) {
      pool.push_back(text);
    }
  }
  return pool;
}

std::vector<VersionPair> mixed_pairs(const std::vector<std::string>& pool, std::size_t count,
                                     const PairMix& mix) {
  Rng rng(mix.seed);
  std::vector<VersionPair> pairs;
  while (pairs.size() < count) {
    std::string base = pool[pick(rng, pool.size())];
    if (pick(rng, 4) == 0) {
      base = mix.mutate(base, rng);  // e.g. give both sides the same long digit run or epoch
    }
    VersionPair pair;
    switch (pick(rng, 6)) {
      case 0:
      case 1:
        pair = {base, mix.mutate(base, rng)};
        break;
      case 5: {
        std::string other = mix.equivalent(base, rng);
        pair = {base, mix.valid(other) ? other : base};
        break;
      }
      case 2:
        pair = {mix.mutate(base, rng), mix.mutate(base, rng)};
        break;
      case 3: {  // a neighbour in the pool: usually the same package
        const std::size_t idx = pick(rng, pool.size());
        pair = {pool[idx], pool[std::min(idx + 1 + pick(rng, 3), pool.size() - 1)]};
        break;
      }
      default:
        pair = {base, pool[pick(rng, pool.size())]};
        break;
    }
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

void add_mutated_pairs(std::vector<VersionPair>& pairs, std::size_t total,
                       const std::vector<std::string>& pool, Rng& rng, const Edit& mutate,
                       const Accept& keep) {
  while (pairs.size() < total) {
    std::string lhs = mutate(pool[below(rng, pool.size())], rng);
    std::string rhs =
        below(rng, 3) == 0 ? mutate(lhs, rng) : mutate(pool[below(rng, pool.size())], rng);
    if (!keep || (keep(lhs) && keep(rhs))) {
      pairs.push_back({std::move(lhs), std::move(rhs)});
    }
  }
}

void expect_relation_mix(const std::vector<int>& orders) {
  std::array<std::size_t, 3> by_relation{};
  for (const int order : orders) {
    ++by_relation[static_cast<std::size_t>(order + 1)];
  }
  for (const std::size_t count : by_relation) {
    EXPECT_GE(count, orders.size() / 20)
        << "lt/eq/gt mix: " << by_relation[0] << "/" << by_relation[1] << "/" << by_relation[2];
  }
}

std::string to_hex(std::string_view text) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 15]);
  }
  return out;
}

std::string printable(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

std::optional<std::vector<Verdict>> run_verdicts(const std::string& command,
                                                 const std::vector<VersionPair>& pairs) {
  std::string input;
  for (const auto& [lhs, rhs] : pairs) {
    input += to_hex(lhs) + " " + to_hex(rhs) + "\n";
  }
  const auto output = run_with_input(command, input);
  if (!output) {
    return std::nullopt;
  }
  std::istringstream lines(*output);
  std::vector<Verdict> verdicts(pairs.size());
  for (auto& verdict : verdicts) {
    if (!(lines >> verdict.lhs_valid >> verdict.rhs_valid >> verdict.order >> verdict.lhs_form >>
          verdict.rhs_form)) {
      return std::nullopt;
    }
  }
  return verdicts;
}

}  // namespace vigil::testing
