#include "vulndb/importers/csv_reader.hpp"

#include <gtest/gtest.h>

namespace vigil::vulndb::csv {
namespace {

using Rows = std::vector<std::vector<std::string>>;

Rows read_all(std::string_view text) {
  Reader reader(text);
  Rows rows;
  std::vector<std::string> fields;
  while (true) {
    auto more = reader.next(fields);
    EXPECT_TRUE(more.has_value()) << (more ? "" : more.error().message);
    if (!more || !*more) {
      return rows;
    }
    rows.push_back(fields);
  }
}

struct Case {
  const char* name;
  std::string_view text;
  Rows want;
};

TEST(CsvReaderTest, ReadsRfc4180Records) {
  const Case cases[] = {
      {"plain", "a,b,c\n1,2,3\n", {{"a", "b", "c"}, {"1", "2", "3"}}},
      {"no final newline", "a,b\n1,2", {{"a", "b"}, {"1", "2"}}},
      {"crlf", "a,b\r\n1,2\r\n", {{"a", "b"}, {"1", "2"}}},
      {"quoted comma",
       "x,\"Apple iOS, iPadOS, and macOS\",y\n",
       {{"x", "Apple iOS, iPadOS, and macOS", "y"}}},
      {"doubled quote", "\"a \"\"core dump\"\" b\",2\n", {{"a \"core dump\" b", "2"}}},
      {"embedded newline",
       "\"line1\nline2\",\"r\r\nn\"\nnext,row\n",
       {{"line1\nline2", "r\r\nn"}, {"next", "row"}}},
      {"empty fields", ",,\n\"\",x,\n", {{"", "", ""}, {"", "x", ""}}},
      {"blank lines skipped", "\n\na\n\r\n\nb\n", {{"a"}, {"b"}}},
      {"byte order mark",
       "\xEF\xBB\xBF"
       "cveID,x\n",
       {{"cveID", "x"}}},
      {"empty input", "", {}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(read_all(c.text), c.want) << c.name;
  }
}

TEST(CsvReaderTest, ReportsTheLineOfEachRecord) {
  Reader reader("h1,h2\n\"multi\nline\",x\nlast,y\n");
  std::vector<std::string> fields;
  ASSERT_TRUE(reader.next(fields).value());
  EXPECT_EQ(reader.line(), 1U);
  ASSERT_TRUE(reader.next(fields).value());
  EXPECT_EQ(reader.line(), 2U);
  ASSERT_TRUE(reader.next(fields).value());
  EXPECT_EQ(reader.line(), 4U);
  EXPECT_FALSE(reader.next(fields).value());
}

TEST(CsvReaderTest, MalformedQuotingIsAnErrorNamingTheLine) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"a,b\nx,\"never closed\n", "line 2"},
      {"a,b\n\"closed\"junk,y\n", "line 2"},
  };
  for (const auto& [text, where] : cases) {
    Reader reader(text);
    std::vector<std::string> fields;
    ASSERT_TRUE(reader.next(fields).value());
    const auto second = reader.next(fields);
    ASSERT_FALSE(second.has_value()) << text;
    EXPECT_EQ(second.error().code, ErrorCode::kParse);
    EXPECT_NE(second.error().message.find(where), std::string::npos) << second.error().message;
  }
}

TEST(CsvReaderTest, SemicolonSeparator) {
  Reader reader("CVE-2020-1;0.5;0.9\n", ';');
  std::vector<std::string> fields;
  ASSERT_TRUE(reader.next(fields).value());
  EXPECT_EQ(fields, (std::vector<std::string>{"CVE-2020-1", "0.5", "0.9"}));
}

}  // namespace
}  // namespace vigil::vulndb::csv
