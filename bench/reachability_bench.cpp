// Network reachability on synthetic organisations written as `aws ... --output json` files into
// a temporary bundle directory, then loaded and analysed exactly as `vigil network analyze` does:
//  - BM_SmallEstate: 400 instances, 200 security groups, 50 subnets (target: < 50 ms);
//  - BM_Organisation: 100,000 instances in 250 VPCs (target: < 10 s and < 2 GB peak RSS).
// Each VPC has public subnets routed to an internet gateway and private ones routed to a NAT
// gateway, an internet-facing ALB forwarding to a web tier, a custom NACL on one subnet, peering
// with the next VPC, and security groups referencing each other and a prefix list.
// Counters: instances, internet-reachable instances, findings, CPU seconds spent loading and
// analysing (the last iteration), peak RSS (MB, the whole process including the generated text).
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <sys/resource.h>

#include <stdlib.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "reachability/analyzer.hpp"
#include "reachability/bundle.hpp"
#include "sources/file_tree.hpp"

namespace {

using vigil::reachability::ReachabilityClass;

struct Shape {
  int vpcs = 0;
  int subnets_per_vpc = 0;
  int groups_per_vpc = 0;
  int instances_per_vpc = 0;
};

constexpr const char* kAccount = "123456789012";

// Joins the items `each(index, out)` appends with commas.
template <class Each>
void join(std::string& out, int count, Each&& each) {
  for (int index = 0; index < count; ++index) {
    if (index > 0) {
      out += ',';
    }
    each(index, out);
  }
}

std::string id(const char* prefix, int vpc, int item) {
  return fmt::format("{}-{:08x}{:09x}", prefix, vpc, item);
}

// Roles: which security groups an instance carries and whether it sits in a public subnet.
enum Role { kWeb, kBastion, kDb, kCache, kWorker, kRoleCount };

class OrgWriter {
 public:
  explicit OrgWriter(Shape shape) : shape_(shape) {}

  // Calls `sink(file_name, content)` for every file of the bundle.
  template <class Sink>
  void write(Sink&& sink) const {
    sink("describe-vpcs.json", vpcs());
    sink("describe-subnets.json", subnets());
    sink("describe-internet-gateways.json", gateways());
    sink("describe-route-tables.json", route_tables());
    sink("describe-network-acls.json", nacls());
    sink("describe-vpc-peering-connections.json", peerings());
    sink("describe-managed-prefix-lists.json",
                  R"({"PrefixLists":[{"PrefixListId":"pl-3b927c52","AddressFamily":"IPv4",)"
                  R"("PrefixListName":"com.amazonaws.global.cloudfront.origin-facing"}]})");
    sink("get-managed-prefix-list-entries.pl-3b927c52.json",
                  R"({"Entries":[{"Cidr":"13.32.0.0/15"},{"Cidr":"52.84.0.0/15"}]})");
    sink("describe-security-groups.json", groups());
    sink("describe-instances.json", instances());
    sink("describe-load-balancers.json", balancers());
    sink("describe-listeners.json", listeners());
    sink("describe-target-groups.json", target_groups());
    for (int vpc = 0; vpc < shape_.vpcs; ++vpc) {
      sink(fmt::format("describe-target-health.web-{}.json", vpc), health(vpc));
    }
  }

  [[nodiscard]] int instance_count() const { return shape_.vpcs * shape_.instances_per_vpc; }

 private:
  // 10.<vpc / 16>.<(vpc % 16) * 16 + subnet>.0/24 inside 10.<vpc / 16>.<(vpc % 16) * 16>.0/20.
  static std::string vpc_cidr(int vpc) {
    return fmt::format("10.{}.{}.0/20", vpc / 16, (vpc % 16) * 16);
  }
  std::string subnet_cidr(int vpc, int subnet) const {
    return fmt::format("10.{}.{}.0/24", vpc / 16, (vpc % 16) * 16 + subnet % 16);
  }
  std::string private_ip(int vpc, int subnet, int host) const {
    return fmt::format("10.{}.{}.{}", vpc / 16, (vpc % 16) * 16 + subnet % 16, 10 + host % 240);
  }
  bool public_subnet(int subnet) const { return subnet < 2; }
  int subnet_of(int vpc, int instance) const {
    const Role role = role_of(instance);
    if (role == kBastion) {
      return 0;
    }
    return 2 + (instance + vpc) % (shape_.subnets_per_vpc - 2);
  }
  static Role role_of(int instance) { return static_cast<Role>(instance % kRoleCount); }

  std::string vpcs() const {
    std::string out = R"({"Vpcs":[)";
    join(out, shape_.vpcs, [&](int vpc, std::string& text) {
      fmt::format_to(std::back_inserter(text),
                     R"({{"CidrBlock":"{0}","State":"available","VpcId":"{1}","OwnerId":"{2}",)"
                     R"("CidrBlockAssociationSet":[{{"CidrBlock":"{0}","CidrBlockState":{{"State":"associated"}}}}],)"
                     R"("IsDefault":false}})",
                     vpc_cidr(vpc), id("vpc", vpc, 0), kAccount);
    });
    return out + "]}";
  }

  std::string subnets() const {
    std::string out = R"({"Subnets":[)";
    join(out, shape_.vpcs * shape_.subnets_per_vpc, [&](int index, std::string& text) {
      const int vpc = index / shape_.subnets_per_vpc;
      const int subnet = index % shape_.subnets_per_vpc;
      fmt::format_to(std::back_inserter(text),
                     R"({{"AvailabilityZone":"us-east-1a","CidrBlock":"{}","State":"available",)"
                     R"("SubnetId":"{}","VpcId":"{}","OwnerId":"{}","MapPublicIpOnLaunch":{}}})",
                     subnet_cidr(vpc, subnet), id("subnet", vpc, subnet), id("vpc", vpc, 0),
                     kAccount, public_subnet(subnet) ? "true" : "false");
    });
    return out + "]}";
  }

  std::string gateways() const {
    std::string out = R"({"InternetGateways":[)";
    join(out, shape_.vpcs, [&](int vpc, std::string& text) {
      fmt::format_to(std::back_inserter(text),
                     R"({{"Attachments":[{{"State":"available","VpcId":"{}"}}],)"
                     R"("InternetGatewayId":"{}","OwnerId":"{}"}})",
                     id("vpc", vpc, 0), id("igw", vpc, 0), kAccount);
    });
    return out + "]}";
  }

  std::string route_tables() const {
    std::string out = R"({"RouteTables":[)";
    join(out, shape_.vpcs * 2, [&](int index, std::string& text) {
      const int vpc = index / 2;
      const bool is_public = index % 2 == 0;
      std::string associations = is_public ? "" : R"({"Main":true})";
      for (int subnet = 0; subnet < shape_.subnets_per_vpc; ++subnet) {
        if (public_subnet(subnet) == is_public) {
          if (!associations.empty()) {
            associations += ',';
          }
          associations += fmt::format(R"({{"Main":false,"SubnetId":"{}"}})", id("subnet", vpc, subnet));
        }
      }
      std::string routes = fmt::format(
          R"({{"DestinationCidrBlock":"{}","GatewayId":"local","State":"active"}})", vpc_cidr(vpc));
      routes += is_public ? fmt::format(R"(,{{"DestinationCidrBlock":"0.0.0.0/0","GatewayId":"{}","State":"active"}})",
                                        id("igw", vpc, 0))
                          : fmt::format(R"(,{{"DestinationCidrBlock":"0.0.0.0/0","NatGatewayId":"{}","State":"active"}})",
                                        id("nat", vpc, 0));
      for (const int peer : {vpc - 1, vpc + 1}) {
        if (peer >= 0 && peer < shape_.vpcs) {
          routes += fmt::format(
              R"(,{{"DestinationCidrBlock":"{}","VpcPeeringConnectionId":"{}","State":"active"}})",
              vpc_cidr(peer), id("pcx", std::min(vpc, peer), 0));
        }
      }
      fmt::format_to(std::back_inserter(text),
                     R"({{"Associations":[{}],"RouteTableId":"{}","Routes":[{}],"VpcId":"{}","OwnerId":"{}"}})",
                     associations, id("rtb", vpc, index % 2), routes, id("vpc", vpc, 0), kAccount);
    });
    return out + "]}";
  }

  std::string nacls() const {
    constexpr const char* kAllowAll =
        R"({"CidrBlock":"0.0.0.0/0","Egress":true,"Protocol":"-1","RuleAction":"allow","RuleNumber":100},)"
        R"({"CidrBlock":"0.0.0.0/0","Egress":true,"Protocol":"-1","RuleAction":"deny","RuleNumber":32767},)"
        R"({"CidrBlock":"0.0.0.0/0","Egress":false,"Protocol":"-1","RuleAction":"allow","RuleNumber":100},)"
        R"({"CidrBlock":"0.0.0.0/0","Egress":false,"Protocol":"-1","RuleAction":"deny","RuleNumber":32767})";
    constexpr const char* kStrict =
        R"({"CidrBlock":"0.0.0.0/0","Egress":false,"Protocol":"6","RuleAction":"deny","RuleNumber":90,"PortRange":{"From":22,"To":22}},)"
        R"({"CidrBlock":"0.0.0.0/0","Egress":false,"Protocol":"6","RuleAction":"allow","RuleNumber":100,"PortRange":{"From":0,"To":65535}},)"
        R"({"CidrBlock":"0.0.0.0/0","Egress":false,"Protocol":"-1","RuleAction":"deny","RuleNumber":32767},)"
        R"({"CidrBlock":"0.0.0.0/0","Egress":true,"Protocol":"6","RuleAction":"allow","RuleNumber":100,"PortRange":{"From":32768,"To":65535}},)"
        R"({"CidrBlock":"10.0.0.0/8","Egress":true,"Protocol":"-1","RuleAction":"allow","RuleNumber":110},)"
        R"({"CidrBlock":"0.0.0.0/0","Egress":true,"Protocol":"-1","RuleAction":"deny","RuleNumber":32767})";
    std::string out = R"({"NetworkAcls":[)";
    join(out, shape_.vpcs * 2, [&](int index, std::string& text) {
      const int vpc = index / 2;
      const bool is_default = index % 2 == 0;
      std::string associations;
      for (int subnet = 0; subnet < shape_.subnets_per_vpc; ++subnet) {
        const bool strict = subnet == shape_.subnets_per_vpc - 1;
        if (strict != is_default) {
          if (!associations.empty()) {
            associations += ',';
          }
          associations += fmt::format(R"({{"NetworkAclId":"{}","SubnetId":"{}"}})",
                                      id("acl", vpc, index % 2), id("subnet", vpc, subnet));
        }
      }
      fmt::format_to(std::back_inserter(text),
                     R"({{"Associations":[{}],"Entries":[{}],"IsDefault":{},"NetworkAclId":"{}","VpcId":"{}","OwnerId":"{}"}})",
                     associations, is_default ? kAllowAll : kStrict, is_default ? "true" : "false",
                     id("acl", vpc, index % 2), id("vpc", vpc, 0), kAccount);
    });
    return out + "]}";
  }

  std::string peerings() const {
    std::string out = R"({"VpcPeeringConnections":[)";
    join(out, shape_.vpcs - 1, [&](int vpc, std::string& text) {
      fmt::format_to(std::back_inserter(text),
                     R"({{"AccepterVpcInfo":{{"CidrBlock":"{0}","CidrBlockSet":[{{"CidrBlock":"{0}"}}],"OwnerId":"{4}","VpcId":"{1}","Region":"us-east-1"}},)"
                     R"("RequesterVpcInfo":{{"CidrBlock":"{2}","CidrBlockSet":[{{"CidrBlock":"{2}"}}],"OwnerId":"{4}","VpcId":"{3}","Region":"us-east-1"}},)"
                     R"("Status":{{"Code":"active","Message":"Active"}},"VpcPeeringConnectionId":"{5}"}})",
                     vpc_cidr(vpc + 1), id("vpc", vpc + 1, 0), vpc_cidr(vpc), id("vpc", vpc, 0),
                     kAccount, id("pcx", vpc, 0));
    });
    return out + "]}";
  }

  static std::string permission(const char* protocol, int from, int to, const std::string& sources) {
    if (std::string_view(protocol) == "-1") {
      return fmt::format(R"({{"IpProtocol":"-1",{}}})", sources);
    }
    return fmt::format(R"({{"IpProtocol":"{}","FromPort":{},"ToPort":{},{}}})", protocol, from, to,
                       sources);
  }
  static std::string cidrs(const std::string& block) {
    return fmt::format(R"("IpRanges":[{{"CidrIp":"{}"}}],"Ipv6Ranges":[],"PrefixListIds":[],"UserIdGroupPairs":[])",
                       block);
  }
  static std::string group_ref(const std::string& group) {
    return fmt::format(R"("IpRanges":[],"UserIdGroupPairs":[{{"GroupId":"{}","UserId":"{}"}}])",
                       group, kAccount);
  }

  std::string groups() const {
    std::string out = R"({"SecurityGroups":[)";
    join(out, shape_.vpcs * shape_.groups_per_vpc, [&](int index, std::string& text) {
      const int vpc = index / shape_.groups_per_vpc;
      const int group = index % shape_.groups_per_vpc;
      const auto sg = [&](int which) { return id("sg", vpc, which); };
      std::string rules;
      switch (group) {
        case 0:  // the ALB
          rules = permission("tcp", 80, 80, cidrs("0.0.0.0/0")) + "," +
                  permission("tcp", 443, 443, cidrs("0.0.0.0/0"));
          break;
        case 1 + kWeb:
          rules = permission("tcp", 8080, 8080, group_ref(sg(0))) + "," +
                  permission("tcp", 22, 22, cidrs(vpc_cidr(vpc)));
          break;
        case 1 + kBastion:
          rules = permission("tcp", 22, 22, cidrs("0.0.0.0/0"));
          break;
        case 1 + kDb:
          rules = permission("tcp", 5432, 5432, group_ref(sg(1 + kWeb))) + "," +
                  permission("tcp", 5432, 5432, cidrs(vpc_cidr(vpc + 1 < shape_.vpcs ? vpc + 1 : 0)));
          break;
        case 1 + kCache:
          rules = permission("tcp", 6379, 6379, group_ref(sg(1 + kWeb)));
          break;
        case 1 + kWorker:
          rules = permission("tcp", 443, 443,
                             R"("IpRanges":[],"PrefixListIds":[{"PrefixListId":"pl-3b927c52"}])");
          break;
        default:  // application-specific groups: a port range open to the VPC or a partner
          rules = permission(group % 3 == 0 ? "udp" : "tcp", 9000 + group, 9010 + group,
                             cidrs(group % 2 == 0 ? vpc_cidr(vpc) : "198.51.100.0/24")) +
                  "," + permission("-1", 0, 0, group_ref(sg(group)));
          break;
      }
      fmt::format_to(std::back_inserter(text),
                     R"({{"Description":"synthetic","GroupName":"g{}","IpPermissions":[{}],"OwnerId":"{}",)"
                     R"("GroupId":"{}","IpPermissionsEgress":[{{"IpProtocol":"-1","IpRanges":[{{"CidrIp":"0.0.0.0/0"}}]}}],"VpcId":"{}"}})",
                     group, rules, kAccount, sg(group), id("vpc", vpc, 0));
    });
    return out + "]}";
  }

  std::string instances() const {
    std::string out = R"({"Reservations":[)";
    join(out, instance_count(), [&](int index, std::string& text) {
      const int vpc = index / shape_.instances_per_vpc;
      const int instance = index % shape_.instances_per_vpc;
      const int subnet = subnet_of(vpc, instance);
      const Role role = role_of(instance);
      const std::string ip = private_ip(vpc, subnet, instance);
      const std::string extra_group = id("sg", vpc, 1 + kRoleCount + instance % (shape_.groups_per_vpc - 1 - kRoleCount));
      const std::string groups = fmt::format(R"({{"GroupId":"{}","GroupName":"role"}},{{"GroupId":"{}","GroupName":"app"}})",
                                             id("sg", vpc, 1 + role), extra_group);
      const bool has_public = public_subnet(subnet);
      const std::string public_ip = fmt::format("3.{}.{}.{}", vpc % 250, instance / 250, instance % 250);
      const std::string association =
          has_public ? fmt::format(R"("Association":{{"IpOwnerId":"amazon","PublicIp":"{}"}},)", public_ip) : "";
      fmt::format_to(std::back_inserter(text),
                     R"({{"Groups":[],"OwnerId":"{0}","ReservationId":"r-{1}","Instances":[{{)"
                     R"("ImageId":"ami-0c02fb55956c7d316","InstanceId":"{2}","InstanceType":"t3.micro",)"
                     R"("Placement":{{"AvailabilityZone":"us-east-1a","Tenancy":"default"}},"PrivateIpAddress":"{3}",)"
                     R"({4}"State":{{"Code":16,"Name":"running"}},"SubnetId":"{5}","VpcId":"{6}",)"
                     R"("NetworkInterfaces":[{{{7}"Attachment":{{"DeviceIndex":0,"Status":"attached"}},"Groups":[{8}],)"
                     R"("NetworkInterfaceId":"{9}","OwnerId":"{0}","PrivateIpAddress":"{3}",)"
                     R"("PrivateIpAddresses":[{{{7}"Primary":true,"PrivateIpAddress":"{3}"}}],"SubnetId":"{5}","VpcId":"{6}"}}],)"
                     R"("SecurityGroups":[{8}],"Tags":[{{"Key":"Name","Value":"node-{10}"}}]}}]}})",
                     kAccount, index, id("i", vpc, instance), ip,
                     has_public ? fmt::format(R"("PublicIpAddress":"{}",)", public_ip) : "",
                     id("subnet", vpc, subnet), id("vpc", vpc, 0), association, groups,
                     id("eni", vpc, instance), index);
    });
    return out + "]}";
  }

  std::string lb_arn(int vpc) const {
    return fmt::format("arn:aws:elasticloadbalancing:us-east-1:{}:loadbalancer/app/web-{}/{:016x}",
                       kAccount, vpc, vpc);
  }
  std::string tg_arn(int vpc) const {
    return fmt::format("arn:aws:elasticloadbalancing:us-east-1:{}:targetgroup/web-{}/{:016x}",
                       kAccount, vpc, vpc);
  }

  std::string balancers() const {
    std::string out = R"({"LoadBalancers":[)";
    join(out, shape_.vpcs, [&](int vpc, std::string& text) {
      fmt::format_to(std::back_inserter(text),
                     R"({{"LoadBalancerArn":"{}","LoadBalancerName":"web-{}","Scheme":"internet-facing",)"
                     R"("VpcId":"{}","State":{{"Code":"active"}},"Type":"application",)"
                     R"("AvailabilityZones":[{{"ZoneName":"us-east-1a","SubnetId":"{}"}},{{"ZoneName":"us-east-1b","SubnetId":"{}"}}],)"
                     R"("SecurityGroups":["{}"],"IpAddressType":"ipv4"}})",
                     lb_arn(vpc), vpc, id("vpc", vpc, 0), id("subnet", vpc, 0), id("subnet", vpc, 1),
                     id("sg", vpc, 0));
    });
    return out + "]}";
  }

  std::string listeners() const {
    std::string out = R"({"Listeners":[)";
    join(out, shape_.vpcs, [&](int vpc, std::string& text) {
      fmt::format_to(std::back_inserter(text),
                     R"({{"ListenerArn":"{}/l{}","LoadBalancerArn":"{}","Port":80,"Protocol":"HTTP",)"
                     R"("DefaultActions":[{{"Type":"forward","TargetGroupArn":"{}"}}]}})",
                     lb_arn(vpc), vpc, lb_arn(vpc), tg_arn(vpc));
    });
    return out + "]}";
  }

  std::string target_groups() const {
    std::string out = R"({"TargetGroups":[)";
    join(out, shape_.vpcs, [&](int vpc, std::string& text) {
      fmt::format_to(std::back_inserter(text),
                     R"({{"TargetGroupArn":"{}","TargetGroupName":"web-{}","Protocol":"HTTP","Port":8080,)"
                     R"("VpcId":"{}","LoadBalancerArns":["{}"],"TargetType":"instance"}})",
                     tg_arn(vpc), vpc, id("vpc", vpc, 0), lb_arn(vpc));
    });
    return out + "]}";
  }

  std::string health(int vpc) const {
    std::string out = R"({"TargetHealthDescriptions":[)";
    // The first ten web-tier instances are registered, one of them unhealthy.
    join(out, 10, [&](int target, std::string& text) {
      fmt::format_to(std::back_inserter(text),
                     R"({{"Target":{{"Id":"{}","Port":8080}},"HealthCheckPort":"8080","TargetHealth":{{"State":"{}"}}}})",
                     id("i", vpc, target * kRoleCount + kWeb), target == 9 ? "unhealthy" : "healthy");
    });
    return out + "]}";
  }

  Shape shape_;
};

// CPU time of the process in seconds (all threads): on a shared machine wall time also counts
// other processes.
double cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// A bundle directory under $TMPDIR, removed when the benchmark ends.
class TempBundle {
 public:
  explicit TempBundle(const OrgWriter& writer) {
    std::string pattern = (std::filesystem::temp_directory_path() / "vigil-net-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      return;
    }
    path_ = pattern;
    writer.write([&](const std::string& name, const std::string& content) {
      std::ofstream(path_ / name, std::ios::binary) << content;
    });
  }
  TempBundle(const TempBundle&) = delete;
  TempBundle& operator=(const TempBundle&) = delete;
  ~TempBundle() {
    std::error_code error;
    std::filesystem::remove_all(path_, error);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

void run(benchmark::State& state, Shape shape) {
  const TempBundle bundle{OrgWriter(shape)};
  auto tree = vigil::sources::open_directory(bundle.path());
  if (!tree) {
    state.SkipWithError(tree.error().message.c_str());
    return;
  }
  size_t internet = 0;
  size_t findings = 0;
  size_t instances = 0;
  size_t ranges = 0;
  double load_cpu = 0;
  double analyze_cpu = 0;
  for (auto _ : state) {
    const double started = cpu_seconds();
    const auto env = vigil::reachability::load_bundle(**tree);
    if (!env) {
      state.SkipWithError(env.error().message.c_str());
      return;
    }
    const double loaded = cpu_seconds();
    const auto analysis = vigil::reachability::analyze(*env);
    analyze_cpu = cpu_seconds() - loaded;
    load_cpu = loaded - started;
    instances = analysis.instances.size();
    internet = 0;
    ranges = 0;
    for (const auto& instance : analysis.instances) {
      internet += instance.reachability == ReachabilityClass::kInternet ? 1 : 0;
      ranges += instance.ports.size();
    }
    findings = vigil::reachability::internet_findings(analysis).size();
    benchmark::DoNotOptimize(analysis.instances.data());
  }
  state.counters["instances"] = static_cast<double>(instances);
  state.counters["internet"] = static_cast<double>(internet);
  state.counters["findings"] = static_cast<double>(findings);
  state.counters["ranges"] = static_cast<double>(ranges);
  state.counters["load_cpu_s"] = load_cpu;
  state.counters["analyze_cpu_s"] = analyze_cpu;
  state.counters["peak_rss_mb"] = peak_rss_mb();
}

void BM_SmallEstate(benchmark::State& state) {
  // 5 VPCs x (10 subnets, 40 groups, 80 instances) = 50 subnets, 200 groups, 400 instances.
  run(state, Shape{5, 10, 40, 80});
}
BENCHMARK(BM_SmallEstate)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Organisation(benchmark::State& state) {
  // 250 VPCs x (8 subnets, 20 groups, 400 instances) = 100,000 instances.
  run(state, Shape{250, 8, 20, 400});
}
BENCHMARK(BM_Organisation)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
