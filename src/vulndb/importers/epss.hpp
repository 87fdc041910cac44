// FIRST EPSS importer: the daily CSV in all its historical layouts, and the headerless
// semicolon files of the EMBA crawl. Gzip input is decompressed by the source reader.
//   v1 (2021-04):       "cve,epss"                     (no percentile)
//   v1.1 (2021-09):     "cve,epss,percentile"
//   v2/v3 (2022-02 on): "#model_version:v2023.03.01,score_date:2023-03-07T00:00:00+0000" then
//                       "cve,epss,percentile"
//   EMBA by-year files: "CVE-2020-9999;0.076320000;0.940390000" lines, no header
//
// Field mapping (column -> model::EpssScore), into ImportBatch::epss:
//   cve                       -> cve_id
//   epss                      -> epss (0..1)
//   percentile                -> percentile (0..1; 0 when the layout has none)
//   #score_date (date part)   -> score_date ("YYYY-MM-DD"; "" when the file has no comment line)
//   #model_version            -> model_version ("" when absent)
// Columns are found by header name, so their order does not matter. A row whose CVE id is not
// "CVE-YYYY-NNNN", whose number does not parse or lies outside 0..1, or which lacks a column is
// skipped with a diagnostic naming the file and line. A file with no recognisable header (or
// first row, for the semicolon layout) is a kParse error. Rows are parsed in place with
// std::from_chars; the only allocation per row is the record itself.
#pragma once

#include <memory>

#include "vulndb/importer.hpp"

namespace vigil::vulndb {

// Returns the EPSS importer (name "epss"). Stateless; safe to use from several threads.
std::unique_ptr<Importer> make_epss_importer();

}  // namespace vigil::vulndb
