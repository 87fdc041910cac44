#include "vulndb/bundle.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "support/temp_dir.hpp"

namespace vigil::vulndb {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::string osv(const std::string& id, const std::string& modified, const std::string& package,
                const std::string& withdrawn = "") {
  return R"({"id":")" + id + R"(","modified":")" + modified + R"(",)" +
         (withdrawn.empty() ? "" : R"("withdrawn":")" + withdrawn + R"(",)") +
         R"("aliases":["CVE-2024-)" + id.substr(id.size() - 4) +
         R"("],"affected":[{"package":{"ecosystem":"PyPI","name":")" + package +
         R"("},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}]}]})";
}

model::Advisory nvd_record(const std::string& id, const std::string& modified) {
  model::Advisory advisory;
  advisory.source = "nvd";
  advisory.id = id;
  advisory.modified = modified;
  advisory.summary = "generic record";
  advisory.status = "Analyzed";
  advisory.cpe_configurations = R"([{"nodes":[]}])";
  advisory.severities = {
      {"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "nvd@nist.gov", 9.8}};
  model::AffectedPackage package;
  package.ecosystem = {model::Ecosystem::kDebian, "12"};
  package.name = "openssl";
  package.ranges = {
      {model::RangeType::kEcosystem,
       "",
       {{model::EventKind::kIntroduced, "0"}, {model::EventKind::kFixed, "3.0.11-1"}}}};
  advisory.affected = {package};
  advisory.raw = R"({"cve":{"id":")" + id + R"("}})";
  return advisory;
}

PrivateKey make_key(const TempDir& dir, const std::string& name) {
  const auto private_path = dir.path() / (name + ".pem");
  EXPECT_TRUE(generate_key_pair(private_path, dir.path() / (name + ".pub.pem")).has_value());
  return PrivateKey::load(private_path).value();
}

struct BundleFixture {
  TempDir dir;
  PrivateKey key = make_key(dir, "publisher");
  PublicKey trusted = key.public_key();
  PublicKey stranger = make_key(dir, "stranger").public_key();

  std::unique_ptr<Database> open(const std::string& name) {
    return Database::open(dir.path() / name, true).value();
  }
  static void add(Database& db, ImportBatch batch) {
    auto session = db.begin_import().value();
    ASSERT_TRUE(session->add(std::move(batch)).has_value());
    ASSERT_TRUE(session->commit("test").has_value());
  }
  void add_osv(Database& db, const std::vector<std::string>& records) {
    std::vector<fs::path> paths;
    for (size_t idx = 0; idx < records.size(); ++idx) {
      paths.push_back(
          dir.write("feed/" + std::to_string(paths.size() + counter_++) + ".json", records[idx]));
    }
    ASSERT_TRUE(import_paths(db, paths).has_value());
  }
  fs::path export_to(Database& db, const std::string& name, int64_t since, bool sign = true) {
    ExportOptions options;
    options.since = since;
    options.key = sign ? &key : nullptr;
    const auto out = dir.path() / name;
    const auto result = export_bundle(db, out, options);
    EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
    return out;
  }
  Result<ImportSummary> apply(Database& db, const fs::path& bundle, bool force = false) {
    VIGIL_ASSIGN_OR_RETURN(auto verified, verify_bundle(bundle, {trusted}));
    BundleImportOptions options;
    options.force = force;
    return import_bundle(db, verified, options);
  }

 private:
  size_t counter_ = 0;
};

std::vector<model::Advisory> sorted_lookup(Database& db, const std::string& id) {
  auto found = db.lookup(id).value();
  std::sort(found.begin(), found.end(), [](const auto& lhs, const auto& rhs) {
    return std::tie(lhs.source, lhs.id) < std::tie(rhs.source, rhs.id);
  });
  return found;
}

void expect_same_status(Database& lhs, Database& rhs) {
  const auto a = lhs.status().value();
  const auto b = rhs.status().value();
  EXPECT_EQ(a.advisories, b.advisories);
  EXPECT_EQ(a.withdrawn, b.withdrawn);
  EXPECT_EQ(a.kev, b.kev);
  EXPECT_EQ(a.epss, b.epss);
  ASSERT_EQ(a.counts.size(), b.counts.size());
  for (size_t idx = 0; idx < a.counts.size(); ++idx) {
    EXPECT_EQ(a.counts[idx].source, b.counts[idx].source);
    EXPECT_EQ(a.counts[idx].ecosystem, b.counts[idx].ecosystem);
    EXPECT_EQ(a.counts[idx].records, b.counts[idx].records) << a.counts[idx].source;
  }
}

void flip_byte(const fs::path& path, size_t offset) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekg(static_cast<std::streamoff>(offset));
  char byte = 0;
  file.read(&byte, 1);
  byte = static_cast<char>(byte ^ 0x20);
  file.seekp(static_cast<std::streamoff>(offset));
  file.write(&byte, 1);
}

size_t find_in_file(const fs::path& path, const std::string& needle) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str().find(needle);
}

TEST(BundleTest, FullRoundTripOfTheRustsecFeed) {
  const fs::path feed = fs::path(VIGIL_SHARED_DIR) / "data/osv/rustsec/rustsec-osv.zip";
  if (!fs::exists(feed)) {
    GTEST_SKIP() << "shared data not found: " << feed;
  }
  BundleFixture fx;
  auto source = fx.open("source");
  ASSERT_TRUE(import_paths(*source, {feed}).has_value());
  const auto out = fx.dir.path() / "rustsec.vbundle";
  ExportOptions options;
  options.key = &fx.key;
  const auto exported = export_bundle(*source, out, options);
  ASSERT_TRUE(exported.has_value()) << exported.error().message;
  const auto status = source->status().value();
  EXPECT_EQ(exported->manifest.advisories, static_cast<size_t>(status.advisories));
  EXPECT_EQ(exported->manifest.osv, exported->manifest.advisories);
  EXPECT_EQ(exported->manifest.withdrawn, static_cast<size_t>(status.withdrawn));
  EXPECT_GT(exported->manifest.withdrawn, 0U);
  EXPECT_EQ(exported->manifest.to_version, status.db_version);
  EXPECT_TRUE(is_bundle_file(out));

  auto target = fx.open("target");
  const auto imported = fx.apply(*target, out);
  ASSERT_TRUE(imported.has_value()) << imported.error().message;
  EXPECT_EQ(imported->added + imported->withdrawn, exported->manifest.advisories);
  expect_same_status(*source, *target);
  const auto changes = source->changes_since(0).value();
  std::set<std::string> ids;
  for (const auto& change : changes.advisories) {
    ids.insert(change.id);
  }
  for (const auto& id : ids) {
    ASSERT_EQ(sorted_lookup(*source, id), sorted_lookup(*target, id)) << id;
  }
  EXPECT_FALSE(sorted_lookup(*target, "RUSTSEC-2023-0060").empty());

  // Applying the same bundle again changes nothing.
  const auto again = fx.apply(*target, out);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(again->unchanged, exported->manifest.advisories);
  EXPECT_EQ(again->db_version, imported->db_version);
}

TEST(BundleTest, GenericRecordsKevAndEpssRoundTrip) {
  BundleFixture fx;
  auto source = fx.open("source");
  ImportBatch batch;
  batch.advisories = {nvd_record("CVE-2023-0001", "2023-01-01T00:00:00Z"),
                      nvd_record("CVE-2023-0002", "2023-01-02T00:00:00Z")};
  batch.kev = {{"CVE-2023-0001", "Vendor", "Product", "Name", "2023-02-01", "2023-02-22", true,
                "Patch", "n"}};
  batch.epss = {{"CVE-2023-0001", 0.123456789012345, 0.987654321, "2025-01-01", "v3"},
                {"CVE-2023-0002", 0.00042, 0.1, "2025-01-01", "v3"}};
  BundleFixture::add(*source, std::move(batch));
  fx.add_osv(*source, {osv("PYSEC-0001", "2024-01-01T00:00:00Z", "a")});

  const auto out = fx.export_to(*source, "mixed.vbundle", 0);
  auto target = fx.open("target");
  ASSERT_TRUE(fx.apply(*target, out).has_value());
  expect_same_status(*source, *target);
  for (const char* id : {"CVE-2023-0001", "CVE-2023-0002", "PYSEC-0001"}) {
    EXPECT_EQ(sorted_lookup(*source, id), sorted_lookup(*target, id)) << id;
  }
  EXPECT_EQ(target->kev("CVE-2023-0001").value(), source->kev("CVE-2023-0001").value());
  EXPECT_EQ(target->epss("CVE-2023-0001").value(), source->epss("CVE-2023-0001").value());
  EXPECT_EQ(target->epss("CVE-2023-0002").value(), source->epss("CVE-2023-0002").value());
}

TEST(BundleTest, DeltaBundlesCarryOnlyTheChangesAndMustApplyInOrder) {
  BundleFixture fx;
  auto source = fx.open("source");
  fx.add_osv(*source, {osv("PYSEC-0001", "2024-01-01T00:00:00Z", "a"),
                       osv("PYSEC-0002", "2024-01-01T00:00:00Z", "b"),
                       osv("PYSEC-0003", "2024-01-01T00:00:00Z", "c")});
  const auto full = fx.export_to(*source, "full.vbundle", 0);
  auto mirror = fx.open("mirror");
  ASSERT_TRUE(fx.apply(*mirror, full).has_value());
  EXPECT_EQ(applied_bundle(*mirror).value().version, 1);

  // Version 2: one record modified, one added, one withdrawn.
  fx.add_osv(*source, {osv("PYSEC-0001", "2024-02-01T00:00:00Z", "a2"),
                       osv("PYSEC-0004", "2024-02-01T00:00:00Z", "d"),
                       osv("PYSEC-0002", "2024-02-01T00:00:00Z", "b", "2024-02-01T00:00:00Z")});
  const auto delta = fx.export_to(*source, "delta.vbundle", 1);
  const auto verified = verify_bundle(delta, {fx.trusted});
  ASSERT_TRUE(verified.has_value()) << verified.error().message;
  EXPECT_TRUE(verified->manifest.is_delta());
  EXPECT_EQ(verified->manifest.from_version, 1);
  EXPECT_EQ(verified->manifest.to_version, 2);
  EXPECT_EQ(verified->manifest.advisories, 3U);
  EXPECT_EQ(verified->manifest.withdrawn, 1U);

  const auto applied = fx.apply(*mirror, delta);
  ASSERT_TRUE(applied.has_value()) << applied.error().message;
  EXPECT_EQ(applied->added, 1U);
  EXPECT_EQ(applied->modified, 1U);
  EXPECT_EQ(applied->withdrawn, 1U);
  expect_same_status(*source, *mirror);
  for (const char* id : {"PYSEC-0001", "PYSEC-0002", "PYSEC-0003", "PYSEC-0004"}) {
    EXPECT_EQ(sorted_lookup(*source, id), sorted_lookup(*mirror, id)) << id;
  }
  EXPECT_EQ(applied_bundle(*mirror).value().version, 2);

  // A database that never saw the full bundle refuses the delta, unless forced.
  auto fresh = fx.open("fresh");
  const auto refused = fx.apply(*fresh, delta);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("import a full bundle first"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(fresh->status().value().advisories, 0);
  EXPECT_TRUE(fx.apply(*fresh, delta, /*force=*/true).has_value());

  // Going backwards is refused too: the full bundle of version 1 would roll records back.
  const auto backwards = fx.apply(*mirror, full);
  ASSERT_FALSE(backwards.has_value());
  EXPECT_NE(backwards.error().message.find("older than the version 2"), std::string::npos)
      << backwards.error().message;

  // A delta from version 2 onto a database still at version 1 leaves a gap.
  fx.add_osv(*source, {osv("PYSEC-0005", "2024-03-01T00:00:00Z", "e")});
  const auto delta3 = fx.export_to(*source, "delta3.vbundle", 2);
  auto behind = fx.open("behind");
  ASSERT_TRUE(fx.apply(*behind, full).has_value());
  const auto gap = fx.apply(*behind, delta3);
  ASSERT_FALSE(gap.has_value());
  EXPECT_NE(gap.error().message.find("older than the delta's base version 2"), std::string::npos)
      << gap.error().message;
  ASSERT_TRUE(fx.apply(*behind, delta).has_value());
  ASSERT_TRUE(fx.apply(*behind, delta3).has_value());
  expect_same_status(*source, *behind);
}

TEST(BundleTest, TamperedBundlesAreRefused) {
  BundleFixture fx;
  auto source = fx.open("source");
  std::vector<std::string> records;
  for (int idx = 1000; idx < 1200; ++idx) {
    records.push_back(
        osv("PYSEC-" + std::to_string(idx), "2024-01-01T00:00:00Z", "p" + std::to_string(idx)));
  }
  fx.add_osv(*source, records);
  const auto good = fx.export_to(*source, "good.vbundle", 0);
  const auto manifest = verify_bundle(good, {fx.trusted}).value().manifest;

  // A flipped byte in the compressed payload.
  const auto payload = fx.dir.path() / "payload.vbundle";
  fs::copy_file(good, payload);
  // The member's tar header (its NUL-terminated name), not the manifest's mention of it.
  const size_t member = find_in_file(payload, std::string("vigil-bundle/records.jsonl.zst\0", 31));
  ASSERT_NE(member, std::string::npos);
  flip_byte(payload, member + 512 + manifest.payload_bytes / 2);
  const auto signed_check = verify_bundle(payload, {fx.trusted});
  ASSERT_FALSE(signed_check.has_value());
  EXPECT_EQ(signed_check.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(signed_check.error().message.find("modified or is corrupt"), std::string::npos)
      << signed_check.error().message;
  const auto digest_check = verify_bundle(payload, {});
  ASSERT_FALSE(digest_check.has_value());
  EXPECT_NE(digest_check.error().message.find("SHA-256"), std::string::npos)
      << digest_check.error().message;

  // A flipped byte in the manifest (a record count).
  const auto counts = fx.dir.path() / "manifest.vbundle";
  fs::copy_file(good, counts);
  const size_t field = find_in_file(counts, "\"advisories\": 200");
  ASSERT_NE(field, std::string::npos);
  flip_byte(counts, field + 15);
  const auto manifest_check = verify_bundle(counts, {fx.trusted});
  ASSERT_FALSE(manifest_check.has_value());
  EXPECT_EQ(manifest_check.error().code, ErrorCode::kInvalidArgument);

  // Every single-byte flip of the first blocks (tar headers, manifest, signature) is caught.
  const auto size = fs::file_size(good);
  for (size_t offset = 0; offset < std::min<size_t>(size, 3072); offset += 7) {
    const auto copy = fx.dir.path() / "flip.vbundle";
    fs::remove(copy);
    fs::copy_file(good, copy);
    flip_byte(copy, offset);
    const auto result = verify_bundle(copy, {fx.trusted});
    if (result.has_value()) {
      // Only bytes nothing reads (tar padding, unused header fields) may flip unnoticed, and
      // then the verified content is still exactly the signed content.
      EXPECT_EQ(result->manifest, manifest) << "offset " << offset;
    }
  }
}

TEST(BundleTest, WrongKeyAndUnsignedBundlesAreRefused) {
  BundleFixture fx;
  auto source = fx.open("source");
  fx.add_osv(*source, {osv("PYSEC-0001", "2024-01-01T00:00:00Z", "a")});
  const auto signed_bundle = fx.export_to(*source, "signed.vbundle", 0);
  const auto wrong = verify_bundle(signed_bundle, {fx.stranger});
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(wrong.error().message.find("not among the 1 trusted key(s)"), std::string::npos)
      << wrong.error().message;
  EXPECT_NE(wrong.error().message.find(fx.trusted.id()), std::string::npos);
  const auto either = verify_bundle(signed_bundle, {fx.stranger, fx.trusted});
  ASSERT_TRUE(either.has_value());
  EXPECT_TRUE(either->signature_verified);
  EXPECT_EQ(either->key_id, fx.trusted.id());

  const auto unsigned_bundle = fx.export_to(*source, "unsigned.vbundle", 0, /*sign=*/false);
  const auto refused = verify_bundle(unsigned_bundle, {fx.trusted});
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message.find("unsigned"), std::string::npos);
  const auto unchecked = verify_bundle(unsigned_bundle, {});
  ASSERT_TRUE(unchecked.has_value()) << unchecked.error().message;
  EXPECT_FALSE(unchecked->is_signed);
  EXPECT_FALSE(unchecked->signature_verified);
  const auto signed_unchecked = verify_bundle(signed_bundle, {});
  ASSERT_TRUE(signed_unchecked.has_value());
  EXPECT_TRUE(signed_unchecked->is_signed);
  EXPECT_FALSE(signed_unchecked->signature_verified);
}

TEST(BundleTest, ABundleReplacedAfterVerificationIsNotImported) {
  BundleFixture fx;
  auto source = fx.open("source");
  fx.add_osv(*source, {osv("PYSEC-0001", "2024-01-01T00:00:00Z", "a")});
  const auto first = fx.export_to(*source, "first.vbundle", 0);
  const auto verified = verify_bundle(first, {fx.trusted}).value();
  fx.add_osv(*source, {osv("PYSEC-0002", "2024-01-01T00:00:00Z", "b")});
  const auto second = fx.export_to(*source, "second.vbundle", 0);
  fs::rename(second, first);

  auto target = fx.open("target");
  const auto result = import_bundle(*target, verified);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(target->status().value().advisories, 0);
  EXPECT_EQ(target->status().value().db_version, 0);
}

TEST(BundleTest, RejectsFilesThatAreNotBundles) {
  BundleFixture fx;
  const auto text = fx.dir.write("notes.txt", std::string(2048, 'x'));
  EXPECT_FALSE(is_bundle_file(text));
  EXPECT_FALSE(is_bundle_file(fx.dir.path() / "missing"));
  const auto result = verify_bundle(text, {});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kParse);

  auto source = fx.open("source");
  const auto empty = fx.export_to(*source, "empty.vbundle", 0);
  const auto verified = verify_bundle(empty, {fx.trusted});
  ASSERT_TRUE(verified.has_value()) << verified.error().message;
  EXPECT_EQ(verified->manifest.advisories, 0U);
  EXPECT_EQ(verified->manifest.to_version, 0);
  auto target = fx.open("target");
  ASSERT_TRUE(import_bundle(*target, *verified).has_value());

  ExportOptions options;
  options.since = 5;
  const auto beyond = export_bundle(*source, fx.dir.path() / "x.vbundle", options);
  ASSERT_FALSE(beyond.has_value());
  EXPECT_EQ(beyond.error().code, ErrorCode::kInvalidArgument);
  options.since = -1;
  EXPECT_FALSE(export_bundle(*source, fx.dir.path() / "x.vbundle", options).has_value());
  EXPECT_FALSE(fs::exists(fx.dir.path() / "x.vbundle"));
}

TEST(BundleTest, ApplicabilityRules) {
  const auto manifest = [](std::string origin, int64_t from, int64_t to) {
    BundleManifest out;
    out.origin = std::move(origin);
    out.from_version = from;
    out.to_version = to;
    return out;
  };
  struct Case {
    BundleManifest bundle;
    AppliedBundle applied;
    bool ok;
  };
  const Case cases[] = {
      {manifest("A", 0, 5), {"", 0}, true},    // full onto an empty database
      {manifest("A", 0, 5), {"B", 9}, true},   // full from another origin switches origin
      {manifest("A", 0, 5), {"A", 5}, true},   // same bundle again
      {manifest("A", 0, 4), {"A", 5}, false},  // older full bundle rolls back
      {manifest("A", 5, 7), {"A", 5}, true},   // the next delta
      {manifest("A", 3, 7), {"A", 5}, true},   // overlapping delta
      {manifest("A", 6, 7), {"A", 5}, false},  // gap
      {manifest("A", 5, 7), {"", 0}, false},   // no base
      {manifest("A", 5, 7), {"B", 9}, false},  // other origin
      {manifest("A", 2, 4), {"A", 5}, false},  // stale delta
  };
  for (const auto& c : cases) {
    const auto result = check_bundle_applies(c.bundle, c.applied, false);
    EXPECT_EQ(result.has_value(), c.ok)
        << c.bundle.origin << " " << c.bundle.from_version << ".." << c.bundle.to_version
        << " onto " << c.applied.origin << "@" << c.applied.version;
    if (!result) {
      EXPECT_EQ(result.error().code, ErrorCode::kConflict);
    }
    EXPECT_TRUE(check_bundle_applies(c.bundle, c.applied, true).has_value());
  }
}

}  // namespace
}  // namespace vigil::vulndb
