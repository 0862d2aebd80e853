/*
 * net.c — the NET family: what a security group lets in from, and lets a
 * function send out to, the whole internet.
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
};
SLSEC_FAMILY_END(net)
