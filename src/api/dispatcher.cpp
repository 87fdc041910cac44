#include "api/dispatcher.hpp"

#include <exception>
#include <iostream>
#include <map>
#include <utility>

#include "api/internal/crypto.hpp"
#include "api/validate.hpp"
#include "core/strings.hpp"

namespace vigil::api {
namespace {

std::string new_request_id() {
  auto bytes = internal::random_bytes(16);
  const std::string hex = internal::to_hex(bytes ? *bytes : std::string(16, '\0'));
  return fmt::format("{}-{}-4{}-a{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(13, 3),
                     hex.substr(17, 3), hex.substr(20, 12));
}

const Header* find_header(std::span<const Header> headers, std::string_view name) {
  for (const Header& header : headers) {
    if (equals_ci(header.name, name)) {
      return &header;
    }
  }
  return nullptr;
}

std::multimap<std::string, std::string> parse_query(std::string_view query) {
  std::multimap<std::string, std::string> out;
  if (query.empty()) {
    return out;
  }
  for (const std::string_view pair : split(query, '&')) {
    if (pair.empty()) {
      continue;
    }
    const std::size_t equals = pair.find('=');
    out.emplace(uri_decode(pair.substr(0, equals)),
                equals == std::string_view::npos ? "" : uri_decode(pair.substr(equals + 1)));
  }
  return out;
}

ApiResult<nlohmann::json> parse_body(std::string_view body) {
  if (trim(body).empty()) {
    return nlohmann::json::object();
  }
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded()) {
    return reject(ApiError::cannot_parse("The request body is not valid JSON."));
  }
  if (!parsed.is_object()) {
    return reject(ApiError::cannot_parse("The request body must be a JSON object."));
  }
  return parsed;
}

}  // namespace

Dispatcher::Dispatcher(ApiContext context, Registry registry, DispatcherOptions options)
    : context_(std::move(context)), registry_(std::move(registry)), options_(std::move(options)) {}

void Dispatcher::log(std::string_view line) const {
  if (options_.log) {
    options_.log(line);
  } else {
    std::cerr << "vigil api: " << line << '\n';
  }
}

ApiResult<Caller> Dispatcher::authenticate(const RequestParts& request, std::string_view operation) {
  const Header* remote = find_header(request.headers, "REMOTE_ADDR");
  const std::string_view from = remote ? std::string_view(remote->value) : std::string_view("?");
  const auto refuse = [&](ApiError error) {
    if (context_.metrics != nullptr) {
      context_.metrics->record_auth_failure(error.type);
    }
    log(fmt::format("{} {} {} ({}) from {}: {}", error.status, request.method, request.target,
                    operation, from, error.message));
    return reject(std::move(error));
  };
  const Header* header = find_header(request.headers, "authorization");
  if (header == nullptr || trim(header->value).empty()) {
    return refuse(ApiError::missing_token("Missing Authentication Token"));
  }
  auto auth = parse_authorization(header->value);
  if (!auth) {
    return refuse(ApiError::invalid_signature(auth.error().message));
  }
  auto key = context_.keys->resolve(*context_.store, auth->access_key_id);
  if (!key) {
    ApiError error = ApiError::from(key.error());
    error.log_detail = key.error().message;
    log(fmt::format("key lookup for {} failed: {}", auth->access_key_id, key.error().message));
    return reject(std::move(error));
  }
  if (!*key) {
    return refuse(ApiError::unrecognized_client(
        fmt::format("The security token included in the request is invalid (unknown access key "
                    "{}).",
                    auth->access_key_id)));
  }
  VerifyOptions verify;
  verify.max_skew = options_.max_skew;
  verify.now_epoch_seconds = options_.clock_seconds
                                 ? options_.clock_seconds()
                                 : std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
  if (auto verified = verify_signature(request, *auth, (*key)->secret, verify); !verified) {
    return refuse(ApiError::invalid_signature(verified.error().message));
  }
  Caller caller;
  caller.access_key_id = (*key)->access_key_id;
  caller.account_id = (*key)->account_id;
  caller.role = (*key)->role;
  if (caller.role != kRoleMember) {
    auto account = context_.store->account(caller.account_id);
    if (!account) {
      ApiError error = ApiError::from(account.error());
      log(fmt::format("account lookup for {} failed: {}", caller.account_id, account.error().message));
      return reject(std::move(error));
    }
    caller.sees_all = account->has_value() && ((*account)->role == store::AccountRole::kDelegatedAdmin ||
                                               (*account)->role == store::AccountRole::kManagement);
  }
  return caller;
}

ApiResult<Reply> Dispatcher::run(const RouteMatch& match, const RequestParts& request,
                                 std::string_view path, std::string_view query) {
  const OperationSpec& spec = *match.spec;
  static const Caller kAnonymous{};
  Caller caller;
  if (spec.authenticated) {
    auto authenticated = authenticate(request, spec.name);
    if (!authenticated) {
      return reject(std::move(authenticated).error());
    }
    caller = std::move(*authenticated);
    if (spec.mutating && caller.read_only()) {
      return reject(ApiError::access_denied(fmt::format(
          "User: {} (read-only key of account {}) is not authorized to perform: inspector2:{}",
          caller.access_key_id, caller.account_id, spec.name)));
    }
  }
  (void)path;
  const std::multimap<std::string, std::string> query_values = parse_query(query);
  OpRequest op{spec.authenticated ? caller : kAnonymous, nlohmann::json::object(), request.body, {}};
  for (const auto& [key, value] : query_values) {
    op.query.emplace(key, value);
  }
  if (spec.input_shape != spec::kNoShape) {
    VIGIL_API_ASSIGN(op.input, parse_body(request.body));
    const spec::Shape& shape = spec::shape(spec.input_shape);
    for (const spec::Member& member : spec::members(shape)) {
      const std::string name(member.name);
      if (member.location == spec::Location::kUri) {
        const auto label = match.labels.find(std::string(member.location_name));
        if (label != match.labels.end()) {
          op.input[name] = label->second;
        }
      } else if (member.location == spec::Location::kQuery) {
        const auto [first, last] = query_values.equal_range(std::string(member.location_name));
        if (first == last) {
          continue;
        }
        if (spec::shape(member.shape).type == spec::ShapeType::kList) {
          nlohmann::json values = nlohmann::json::array();
          for (auto it = first; it != last; ++it) {
            values.push_back(it->second);
          }
          op.input[name] = std::move(values);
        } else if (spec::shape(member.shape).type == spec::ShapeType::kInteger) {
          op.input[name] = std::strtoll(first->second.c_str(), nullptr, 10);
        } else {
          op.input[name] = first->second;
        }
      }
    }
    VIGIL_API_TRY(validate_input(spec.input_shape, op.input));
  }
  return spec.handler(context_, op);
}

HttpResponse Dispatcher::handle(const RequestParts& request) {
  const auto started = std::chrono::steady_clock::now();
  const std::string request_id = new_request_id();
  const std::size_t question = request.target.find('?');
  const std::string_view path = request.target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view{} : request.target.substr(question + 1);
  const std::optional<RouteMatch> match = registry_.route(request.method, path);
  std::string operation = match ? match->spec->name : "Unknown";
  HttpResponse response;
  if (!match) {
    response = error_response(
        ApiError::unknown_operation(fmt::format("No operation matches {} {}", request.method, path)),
        request_id);
  } else {
    ApiResult<Reply> reply = reject(ApiError::internal("unreachable"));
    try {
      reply = run(*match, request, path, query);
    } catch (const std::exception& error) {
      ApiError internal_error = ApiError::internal("The request processing has failed because of an unknown error.");
      internal_error.log_detail = error.what();
      reply = reject(std::move(internal_error));
    }
    if (reply) {
      response = reply_response(*reply, request_id);
    } else {
      if (!reply.error().log_detail.empty()) {
        log(fmt::format("{} {} ({}) request {}: {}", request.method, path, operation, request_id,
                        reply.error().log_detail));
      }
      response = error_response(reply.error(), request_id);
    }
  }
  if (context_.metrics != nullptr) {
    context_.metrics->record(operation, response.status, std::chrono::steady_clock::now() - started);
  }
  return response;
}

}  // namespace vigil::api
