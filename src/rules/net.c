/*
 * net.c — the NET family: what a security group lets in from, and lets a
 * function send out to, the whole internet; and whether functions sit in
 * public subnets (a route to an internet gateway, or public IPs on launch).
 *
 * "The whole internet" is any CIDR with a /0 prefix (0.0.0.0/0, ::/0 and
 * their spelled-out forms). Rules whose source, protocol or ports are left
 * to deploy time are not judged.
 */
#include "rules_internal.h"

#include <string.h>

static bool world(const char *cidr)
{
    return cidr && slsec_str_has_suffix(cidr, "/0");
}

static const char *protocol_name(const char *p)
{
    if (!p)
        return NULL;
    if (!strcmp(p, "-1") || slsec_str_eq_ci(p, "all"))
        return "all";
    if (!strcmp(p, "6"))
        return "tcp";
    if (!strcmp(p, "17"))
        return "udp";
    if (!strcmp(p, "1"))
        return "icmp";
    if (!strcmp(p, "58"))
        return "icmpv6";
    return p;
}

static bool has_ports(const char *proto)
{
    return proto && (slsec_str_eq_ci(proto, "tcp") || slsec_str_eq_ci(proto, "udp"));
}

/* "all traffic", "tcp port 22", "tcp ports 1024-65535", "icmp". */
static const char *traffic(slsec_check_ctx *ctx, const slsec_sg_rule *r)
{
    const char *p = protocol_name(r->protocol);
    if (!p)
        return "traffic (protocol unknown)";
    if (!strcmp(p, "all"))
        return "all traffic (every protocol and port)";
    if (!has_ports(p))
        return slsec_arena_printf(ctx->arena, "protocol %s", p);
    if (r->from_port < 0 || r->to_port < 0)
        return slsec_arena_printf(ctx->arena, "%s (ports unknown)", p);
    if (r->from_port == r->to_port)
        return slsec_arena_printf(ctx->arena, "%s port %ld", p, r->from_port);
    return slsec_arena_printf(ctx->arena, "%s ports %ld-%ld", p, r->from_port, r->to_port);
}

static const char *functions_text(slsec_check_ctx *ctx, const slsec_security_group *sg)
{
    slsec_buf b;
    slsec_buf_init(&b);
    for (size_t i = 0; i < sg->functions.count && i < 4; i++) {
        const slsec_function *fn = sg->functions.items[i];
        slsec_buf_printf(&b, "%s%s", i ? ", " : "", fn->id);
    }
    if (sg->functions.count > 4)
        slsec_buf_printf(&b, " and %zu more", sg->functions.count - 4);
    const char *out = slsec_arena_strdup(ctx->arena, b.data ? b.data : "");
    slsec_buf_free(&b);
    return out;
}

static void relate_functions(slsec_finding *f, const slsec_security_group *sg)
{
    for (size_t i = 0; i < sg->functions.count; i++) {
        const slsec_function *fn = sg->functions.items[i];
        slsec_finding_relate(f, fn->loc, "a function placed in this security group");
    }
}

static const char *type_of(const slsec_security_group *sg)
{
    return sg->resource ? sg->resource->type : "AWS::EC2::SecurityGroup";
}

/* ---- NET-001 ---------------------------------------------------------------- */

static void check_open_ingress(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->security_groups.count; i++) {
        const slsec_security_group *sg = ctx->app->security_groups.items[i];
        for (size_t k = 0; k < sg->rules.count; k++) {
            const slsec_sg_rule *r = sg->rules.items[k];
            if (!r->ingress || !world(r->cidr))
                continue;
            const char *what = traffic(ctx, r);
            const char *key = slsec_arena_printf(ctx->arena, "ingress %s %s %ld..%ld", r->cidr,
                                                 r->protocol ? r->protocol : "?", r->from_port, r->to_port);
            const char *res = r->resource_id ? r->resource_id : sg->id;
            const char *rtype = r->resource_id ? "AWS::EC2::SecurityGroupIngress" : type_of(sg);
            slsec_finding *f;
            if (sg->functions.count)
                f = slsec_report(ctx, res, rtype, r->loc, key,
                                 "security group %s allows inbound %s from %s (used by %s)", sg->id, what, r->cidr,
                                 functions_text(ctx, sg));
            else
                f = slsec_report(ctx, res, rtype, r->loc, key, "security group %s allows inbound %s from %s",
                                 sg->id, what, r->cidr);
            relate_functions(f, sg);
        }
    }
}

/* ---- NET-002 ---------------------------------------------------------------- */

static bool all_ports(const slsec_sg_rule *r)
{
    const char *p = protocol_name(r->protocol);
    if (!p)
        return false;
    if (!strcmp(p, "all"))
        return true;
    return has_ports(p) && r->from_port >= 0 && r->to_port >= 0 && r->from_port <= 1 && r->to_port >= 65535;
}

static void check_open_egress(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->security_groups.count; i++) {
        const slsec_security_group *sg = ctx->app->security_groups.items[i];
        if (!sg->functions.count)
            continue;
        if (!sg->egress_declared) {
            slsec_finding *f = slsec_report(
                ctx, sg->id, type_of(sg), sg->loc, "egress default",
                "security group %s (used by %s) declares no SecurityGroupEgress, so AWS adds its default rule "
                "allowing all outbound traffic to anywhere",
                sg->id, functions_text(ctx, sg));
            relate_functions(f, sg);
            continue;
        }
        for (size_t k = 0; k < sg->rules.count; k++) {
            const slsec_sg_rule *r = sg->rules.items[k];
            if (r->ingress || !world(r->cidr) || !all_ports(r))
                continue;
            const char *key = slsec_arena_printf(ctx->arena, "egress %s %s %ld..%ld", r->cidr, r->protocol, r->from_port,
                                                 r->to_port);
            const char *res = r->resource_id ? r->resource_id : sg->id;
            const char *rtype = r->resource_id ? "AWS::EC2::SecurityGroupEgress" : type_of(sg);
            slsec_finding *f = slsec_report(ctx, res, rtype, r->loc, key,
                                            "security group %s (used by %s) allows outbound %s to %s", sg->id,
                                            functions_text(ctx, sg), traffic(ctx, r), r->cidr);
            relate_functions(f, sg);
        }
    }
}

/* ---- NET-003 / NET-004: public subnets ------------------------------------------------ */

static bool same_file(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static const slsec_subnet *subnet_of(const slsec_app *app, const char *file, const char *id)
{
    for (size_t i = 0; i < app->subnets.count; i++) {
        const slsec_subnet *s = app->subnets.items[i];
        if (!strcmp(s->id, id) && same_file(s->loc.file, file))
            return s;
    }
    return NULL;
}

static void check_function_public_subnet(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->functions.count; i++) {
        const slsec_function *fn = ctx->app->functions.items[i];
        if (!fn->in_vpc)
            continue;
        slsec_finding *f = NULL;
        for (size_t k = 0; k < fn->subnet_ids.count; k++) {
            const slsec_subnet *sn = subnet_of(ctx->app, fn->loc.file, fn->subnet_ids.items[k]);
            if (!sn || (sn->igw_route != SLSEC_YES && sn->public_ip != SLSEC_YES))
                continue;
            const char *why = sn->igw_route == SLSEC_YES ? "routes to an internet gateway"
                                                         : "gives public IP addresses on launch";
            if (f) {
                slsec_finding_relate(f, sn->loc, slsec_arena_printf(ctx->arena, "public subnet %s", sn->id));
                continue;
            }
            f = slsec_report(ctx, fn->id, fn->resource ? fn->resource->type : "AWS::Lambda::Function", fn->loc,
                             "public-subnet",
                             "function %s is placed in subnet %s, which %s: Lambda never gives a function a "
                             "public address, so it sits in the internet-facing tier without even reaching the "
                             "internet; use private subnets with a NAT gateway or VPC endpoints",
                             fn->id, sn->id, why);
            slsec_finding_relate(f, sn->loc, slsec_arena_printf(ctx->arena, "public subnet %s", sn->id));
        }
    }
}

static void check_subnet_public_ip(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->subnets.count; i++) {
        const slsec_subnet *sn = ctx->app->subnets.items[i];
        if (sn->public_ip != SLSEC_YES)
            continue;
        slsec_report(ctx, sn->id, "AWS::EC2::Subnet", sn->loc, "public-ip",
                     "subnet %s sets MapPublicIpOnLaunch: every instance and interface launched in it gets a "
                     "public IP address, reachable from the internet wherever a security group allows",
                     sn->id);
    }
}

const slsec_rule slsec_rules_net[] = {
    {
        .id = "NET-001",
        .family = "NET",
        .severity = SLSEC_SEV_HIGH,
        .title = "Security group allows ingress from the whole internet",
        .why = "A security group rule with source 0.0.0.0/0 or ::/0 accepts connections from any address on "
               "the internet. Functions never need inbound connections — Lambda invokes them through its own "
               "service — so an open rule on a group they (or the databases and caches they use) sit in only "
               "exposes management ports and services to scanning and brute force.",
        .fix = "Replace the world-open source with the security group of the caller (SourceSecurityGroupId), "
               "a VPC endpoint or a narrow CIDR, and open only the port that caller needs.",
        .snippet = "DatabaseSecurityGroup:\n"
                   "  Type: AWS::EC2::SecurityGroup\n"
                   "  Properties:\n"
                   "    GroupDescription: Database, reachable from the functions only\n"
                   "    VpcId: !Ref Vpc\n"
                   "    SecurityGroupIngress:\n"
                   "      - IpProtocol: tcp\n"
                   "        FromPort: 5432\n"
                   "        ToPort: 5432\n"
                   "        SourceSecurityGroupId: !Ref FunctionSecurityGroup\n",
        .cwe = "CWE-284",
        .owasp = "SAS-3",
        .checkov = "CKV_AWS_24 CKV_AWS_25 CKV_AWS_260",
        .cfn_nag = "W2",
        .cdk_nag = "AwsSolutions-EC23",
        .check = check_open_ingress,
    },
    {
        .id = "NET-002",
        .family = "NET",
        .severity = SLSEC_SEV_LOW,
        .title = "Function's security group allows all egress to the internet",
        .why = "Placing a function in a VPC is often done to control what it can reach. A security group "
               "that lets it connect anywhere on any port — the default when no SecurityGroupEgress is "
               "declared — gives injected code or a compromised dependency a free channel to exfiltrate data "
               "or fetch a second stage. Declaring egress to only the ports and destinations the function "
               "uses (HTTPS to VPC endpoints, the database port) turns that channel off.",
        .fix = "Declare SecurityGroupEgress with only the destinations the function needs, for example tcp "
               "443 to a VPC endpoint's security group or prefix list and the database port to its group.",
        .snippet = "FunctionSecurityGroup:\n"
                   "  Type: AWS::EC2::SecurityGroup\n"
                   "  Properties:\n"
                   "    GroupDescription: Orders function\n"
                   "    VpcId: !Ref Vpc\n"
                   "    SecurityGroupEgress:\n"
                   "      - IpProtocol: tcp\n"
                   "        FromPort: 443\n"
                   "        ToPort: 443\n"
                   "        DestinationSecurityGroupId: !Ref EndpointSecurityGroup\n",
        .cwe = "CWE-284",
        .owasp = "SAS-3",
        .checkov = "",
        .cfn_nag = "W5 F1000",
        .cdk_nag = "",
        .check = check_open_egress,
    },
    {
        .id = "NET-003",
        .family = "NET",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "Function in a VPC placed in a public subnet",
        .why = "A function is put in a VPC to reach private resources. In a public subnet (one whose route "
               "table sends traffic to an internet gateway, or that hands out public IPs) its network "
               "interfaces sit in the internet-facing tier, next to load balancers and bastions, with only "
               "security groups between them and the internet. Lambda never assigns public addresses, so the "
               "function cannot even reach the internet from there, and teams then widen security groups or "
               "routes to make it work.",
        .fix = "Place the function in private subnets: outbound internet through a NAT gateway if it needs it, "
               "AWS services through VPC endpoints.",
        .snippet = "OrdersFunction:\n"
                   "  Type: AWS::Serverless::Function\n"
                   "  Properties:\n"
                   "    VpcConfig:\n"
                   "      SecurityGroupIds: [!Ref FunctionSecurityGroup]\n"
                   "      SubnetIds: [!Ref PrivateSubnetA, !Ref PrivateSubnetB]\n",
        .cwe = "CWE-668",
        .owasp = "SAS-3",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_function_public_subnet,
    },
    {
        .id = "NET-004",
        .family = "NET",
        .severity = SLSEC_SEV_LOW,
        .title = "Subnet assigns public IP addresses by default",
        .why = "With MapPublicIpOnLaunch, every instance and network interface launched in the subnet gets a "
               "public IPv4 address, whether or not it should be reachable: one permissive security group "
               "rule then exposes it to the whole internet. Public addresses should be a decision made for "
               "the few resources that need one.",
        .fix = "Set MapPublicIpOnLaunch: false (the default) and give public addresses explicitly, or put "
               "internet-facing services behind a load balancer.",
        .snippet = "PrivateSubnetA:\n"
                   "  Type: AWS::EC2::Subnet\n"
                   "  Properties:\n"
                   "    VpcId: !Ref Vpc\n"
                   "    CidrBlock: 10.0.1.0/24\n"
                   "    MapPublicIpOnLaunch: false\n",
        .cwe = "CWE-668",
        .owasp = "SAS-3",
        .checkov = "CKV_AWS_130",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_subnet_public_ip,
    },
};
SLSEC_FAMILY_END(net)
