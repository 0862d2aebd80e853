/*
 * cfn_net.c — the network a function is placed in: security groups and
 * their rules (inline or as AWS::EC2::SecurityGroupIngress/Egress
 * resources), and which functions sit in which group.
 *
 * Egress follows EC2: a group created without egress rules gets an
 * allow-all rule, and any egress rule the template adds (inline, or by a
 * standalone SecurityGroupEgress, which makes CloudFormation strip the
 * default) replaces it. An empty SecurityGroupEgress list adds nothing, so
 * the default stays.
 *
 * A standalone rule whose group lives outside the template (a literal sg-
 * id, a parameter, an import) is kept as a group of its own, named as the
 * rule names it (and never registered by logical id), so its rules are
 * still judged; findings on it name the rule's resource.
 *
 * Functions name their groups in VpcConfig.SecurityGroupIds (read by
 * cfn_lambda.c: logical ids for Refs, literal ids otherwise); FINISH links
 * each function to the groups of this template it names.
 *
 * Subnets are public when they give instances public addresses
 * (MapPublicIpOnLaunch) or when their route table (through an
 * AWS::EC2::SubnetRouteTableAssociation) sends a default route (0.0.0.0/0
 * or ::/0) to an internet gateway of the template or a literal igw- id.
 * Subnet ids reach functions like group ids do (VpcConfig.SubnetIds).
 */
#include "cfn_internal.h"

#include <string.h>

static slsec_security_group *new_group(cfn_ctx *c, slsec_resource *r, const char *id)
{
    slsec_security_group *sg = slsec_arena_alloc(c->arena, sizeof *sg);
    sg->id = id;
    sg->loc = r->loc;
    sg->resource = r;
    slsec_ptrvec_push(c->arena, &c->app->security_groups, sg);
    return sg;
}

/* One rule from its resolved form. */
static void read_rule(cfn_ctx *c, slsec_security_group *sg, const slsec_node *rule, slsec_loc loc, bool ingress,
                      const char *resource_id)
{
    if (!slsec_node_is_map(rule))
        return;
    slsec_sg_rule *x = slsec_arena_alloc(c->arena, sizeof *x);
    x->ingress = ingress;
    x->cidr = slsec_node_get_str(rule, "CidrIp");
    if (!x->cidr)
        x->cidr = slsec_node_get_str(rule, "CidrIpv6");
    x->protocol = slsec_node_get_str(rule, "IpProtocol");
    x->from_port = cfn_num(slsec_node_get(rule, "FromPort"));
    x->to_port = cfn_num(slsec_node_get(rule, "ToPort"));
    x->loc = loc;
    x->resource_id = resource_id;
    slsec_ptrvec_push(c->arena, &sg->rules, x);
}

/* An inline rule list; returns whether it holds (or may hold) any rule. */
static bool read_rules(cfn_ctx *c, slsec_security_group *sg, slsec_resource *r, const char *key, bool ingress)
{
    const slsec_node *list = cfn_prop(c, r, key);
    if (!list || (list->flags & SLSEC_NF_NULL))
        return false;
    if (!slsec_node_is_seq(list))
        return true; /* an unresolved If or import: rules we cannot see */
    const slsec_node *raw = cfn_prop_raw(r, key);
    bool parallel = slsec_node_is_seq(raw) && !raw->tag && raw->count == list->count;
    for (size_t i = 0; i < list->count; i++)
        read_rule(c, sg, list->items[i], cfn_loc(c, parallel ? raw->items[i] : list->items[i]), ingress, NULL);
    return list->count > 0;
}

static void group_create(cfn_ctx *c, slsec_resource *r)
{
    slsec_security_group *sg = new_group(c, r, r->id);
    slsec_strmap_put(c->security_groups, r->id, sg);
    read_rules(c, sg, r, "SecurityGroupIngress", true);
    sg->egress_declared = read_rules(c, sg, r, "SecurityGroupEgress", false);
}

static void standalone_rule_link(cfn_ctx *c, slsec_resource *r, bool ingress)
{
    if (r->condition && cfn_condition(c, r->condition) == SLSEC_NO)
        return;
    const char *target = cfn_ref_target(c, cfn_prop_raw(r, "GroupId"));
    slsec_security_group *sg = target ? slsec_strmap_get(c->security_groups, target) : NULL;
    if (!sg) {
        const char *lit = slsec_node_str(cfn_prop(c, r, "GroupId"));
        sg = lit ? slsec_strmap_get(c->security_groups, lit) : NULL;
    }
    if (!sg) {
        /* Named as the rule names it (sg-..., or ${Param} when unknowable). */
        const slsec_node *gid = cfn_prop(c, r, "GroupId");
        const char *name = slsec_node_is_scalar(gid) && gid->str[0] ? gid->str : r->id;
        sg = new_group(c, r, name);
        sg->egress_declared = true; /* not ours to judge */
    }
    read_rule(c, sg, cfn_resolve(c, r->props), r->loc, ingress, r->id);
    if (!ingress)
        sg->egress_declared = true;
}

static void ingress_link(cfn_ctx *c, slsec_resource *r)
{
    standalone_rule_link(c, r, true);
}

static void egress_link(cfn_ctx *c, slsec_resource *r)
{
    standalone_rule_link(c, r, false);
}

/* VpcConfig.SecurityGroupIds / SubnetIds as written, locally or in SAM's Globals. */
static const slsec_node *raw_vpc_ids(cfn_ctx *c, const slsec_resource *r, const char *key)
{
    const slsec_node *ids = slsec_node_get(cfn_prop_raw(r, "VpcConfig"), key);
    if (!ids && c->sam && strcmp(r->type, "AWS::Serverless::Function") == 0)
        ids = slsec_node_get(slsec_node_get(cfn_sam_globals(c, "Function"), "VpcConfig"), key);
    return ids;
}

/* Logical ids (for Refs) or literal ids of a raw list, appended to out. */
static void push_ids(cfn_ctx *c, const slsec_node *ids, slsec_ptrvec *out)
{
    for (size_t i = 0; slsec_node_is_seq(ids) && !ids->tag && i < ids->count; i++) {
        const char *id = cfn_ref_target(c, ids->items[i]);
        if (!id)
            id = slsec_node_str(cfn_resolve(c, ids->items[i]));
        if (id)
            slsec_ptrvec_push(c->arena, out, (void *)id);
    }
}

static void function_groups_finish(cfn_ctx *c, slsec_resource *r)
{
    slsec_function *fn = slsec_strmap_get(c->functions, r->id);
    if (!fn)
        return;
    /* Groups given only through Globals reach the function resolved, and a
     * resolved Ref no longer names its group: read them as written. */
    if (!fn->security_group_ids.count)
        push_ids(c, raw_vpc_ids(c, r, "SecurityGroupIds"), &fn->security_group_ids);
    if (!fn->subnet_ids.count)
        push_ids(c, raw_vpc_ids(c, r, "SubnetIds"), &fn->subnet_ids);
    for (size_t i = 0; i < fn->security_group_ids.count; i++) {
        slsec_security_group *sg = slsec_strmap_get(c->security_groups, fn->security_group_ids.items[i]);
        if (sg && !slsec_ptrvec_contains(&sg->functions, fn))
            slsec_ptrvec_push(c->arena, &sg->functions, fn);
    }
}

/* ---- subnets ---------------------------------------------------------------------- */

static void subnet_create(cfn_ctx *c, slsec_resource *r)
{
    slsec_subnet *sn = slsec_arena_alloc(c->arena, sizeof *sn);
    sn->id = r->id;
    sn->loc = r->loc;
    sn->resource = r;
    sn->public_ip = cfn_tri(cfn_prop(c, r, "MapPublicIpOnLaunch"), SLSEC_NO);
    sn->igw_route = SLSEC_NO;
    slsec_ptrvec_push(c->arena, &c->app->subnets, sn);
}

static bool same_file(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Does an AWS::EC2::Route send a default route to an internet gateway? */
static slsec_tri route_to_igw(cfn_ctx *c, const slsec_resource *route)
{
    const char *v4 = cfn_prop_str(c, route, "DestinationCidrBlock");
    const char *v6 = cfn_prop_str(c, route, "DestinationIpv6CidrBlock");
    if (!(v4 && !strcmp(v4, "0.0.0.0/0")) && !(v6 && !strcmp(v6, "::/0")))
        return SLSEC_NO;
    const slsec_node *gw = cfn_prop_raw(route, "GatewayId");
    if (!gw)
        return SLSEC_NO;
    const char *id = cfn_ref_target(c, gw);
    if (id) {
        const slsec_resource *g = slsec_strmap_get(c->resources, id);
        return g && !strcmp(g->type, "AWS::EC2::InternetGateway") ? SLSEC_YES : SLSEC_NO;
    }
    const char *lit = slsec_node_str(cfn_resolve(c, gw));
    if (!lit)
        return SLSEC_UNKNOWN;
    return slsec_str_has_prefix(lit, "igw-") ? SLSEC_YES : SLSEC_NO;
}

static void route_association_link(cfn_ctx *c, slsec_resource *r)
{
    const char *subnet_id = cfn_ref_target(c, cfn_prop_raw(r, "SubnetId"));
    const char *table = cfn_ref_target(c, cfn_prop_raw(r, "RouteTableId"));
    slsec_subnet *sn = NULL;
    for (size_t i = 0; subnet_id && i < c->app->subnets.count && !sn; i++) {
        slsec_subnet *s = c->app->subnets.items[i];
        if (!strcmp(s->id, subnet_id) && same_file(s->loc.file, c->file))
            sn = s;
    }
    if (!sn || !table)
        return;
    for (size_t i = 0; i < c->app->resources.count; i++) {
        const slsec_resource *rt = c->app->resources.items[i];
        if (!rt->type || strcmp(rt->type, "AWS::EC2::Route") || !same_file(rt->loc.file, c->file))
            continue;
        const char *t = cfn_ref_target(c, cfn_prop_raw(rt, "RouteTableId"));
        if (!t || strcmp(t, table))
            continue;
        slsec_tri igw = route_to_igw(c, rt);
        if (igw == SLSEC_YES || (igw == SLSEC_UNKNOWN && sn->igw_route == SLSEC_NO))
            sn->igw_route = igw;
    }
}

const cfn_type_handler cfn_net_handlers[] = {
    {"AWS::EC2::SecurityGroup", {group_create, NULL, NULL}},
    {"AWS::EC2::SecurityGroupIngress", {NULL, ingress_link, NULL}},
    {"AWS::EC2::SecurityGroupEgress", {NULL, egress_link, NULL}},
    {"AWS::EC2::VPC", {NULL, NULL, NULL}},
    {"AWS::EC2::Subnet", {subnet_create, NULL, NULL}},
    {"AWS::EC2::SubnetRouteTableAssociation", {NULL, route_association_link, NULL}},
    {"AWS::EC2::Route", {NULL, NULL, NULL}},
    {"AWS::EC2::RouteTable", {NULL, NULL, NULL}},
    {"AWS::EC2::InternetGateway", {NULL, NULL, NULL}},
    {"AWS::EC2::VPCGatewayAttachment", {NULL, NULL, NULL}},
    {"AWS::Lambda::Function", {NULL, NULL, function_groups_finish}},
    {"AWS::Serverless::Function", {NULL, NULL, function_groups_finish}},
};
CFN_TABLE_END(net)
