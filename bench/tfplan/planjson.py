"""planjson.py - writes plans in the shape `terraform show -json PLANFILE`
produces (format_version 1.2), for slsec's fixtures and benchmarks.

Terraform itself is not installable where slsec is built, so plans are
written from this description of each resource: its known values, the
attributes Terraform knows only after apply, the configuration's
expressions (constants and references) and sensitive attributes. The
output has what a real plan has: planned_values (unknown attributes
omitted, sensitive_values masks), resource_changes (after, after_unknown,
after_sensitive), configuration (expressions with references), and the
version fields.
"""
import json

PROVIDER = "registry.terraform.io/hashicorp/aws"


def ref(*refs):
    """An expression referring to other objects ("aws_iam_role.x.arn")."""
    return {"references": list(refs)}


def const(v):
    return {"constant_value": v}


class Res:
    def __init__(self, type_, name, values, unknown=(), refs=None, config=None, mode="managed",
                 sensitive=None, index=None, module=""):
        self.type, self.name, self.mode = type_, name, mode
        self.values = values
        self.unknown = {k: True for k in unknown} if not isinstance(unknown, dict) else unknown
        self.refs = refs or {}
        # Attributes the configuration sets to constants: by default every
        # known top-level value that is not null.
        self.config = config if config is not None else [k for k, v in values.items() if v is not None]
        self.sensitive = sensitive or {}
        self.index, self.module = index, module

    @property
    def rel(self):
        base = ("data." if self.mode == "data" else "") + f"{self.type}.{self.name}"
        return base

    @property
    def address(self):
        a = self.rel
        if self.index is not None:
            a += "[%s]" % json.dumps(self.index)
        return f"{self.module}.{a}" if self.module else a

    def planned(self):
        vals = {k: v for k, v in self.values.items() if not (self.unknown.get(k) is True)}
        sens = {k: v for k, v in self.sensitive.items()}
        out = {"address": self.address, "mode": self.mode, "type": self.type, "name": self.name}
        if self.index is not None:
            out["index"] = self.index
        out.update({"provider_name": PROVIDER, "schema_version": 0, "values": vals,
                    "sensitive_values": sens})
        return out

    def change(self):
        after = {k: v for k, v in self.values.items() if not (self.unknown.get(k) is True)}
        out = {"address": self.address, "mode": self.mode, "type": self.type, "name": self.name}
        if self.index is not None:
            out["index"] = self.index
        out.update({"provider_name": PROVIDER,
                    "change": {"actions": ["read"] if self.mode == "data" else ["create"], "before": None,
                               "after": after, "after_unknown": self.unknown, "before_sensitive": False,
                               "after_sensitive": self.sensitive}})
        return out

    def configuration(self):
        expr = {}
        for k in self.config:
            v = self.values.get(k)
            if isinstance(v, list) and v and isinstance(v[0], dict):
                expr[k] = [{kk: const(vv) for kk, vv in b.items() if vv is not None} for b in v]
            else:
                expr[k] = const(v)
        for k, e in self.refs.items():
            expr[k] = e
        out = {"address": self.rel, "mode": self.mode, "type": self.type, "name": self.name,
               "provider_config_key": "aws", "expressions": expr, "schema_version": 0}
        return out


def plan(resources, modules=None, terraform_version="1.9.8"):
    """resources: Res at the root; modules: {name: (list of Res, call expressions)}."""
    modules = modules or {}
    root = {"resources": [r.planned() for r in resources if r.mode == "managed" or r.unknown]}
    kids = []
    for name, (rs, _) in modules.items():
        kids.append({"address": f"module.{name}",
                     "resources": [r.planned() for r in rs]})
    if kids:
        root["child_modules"] = kids
    allres = list(resources) + [r for rs, _ in modules.values() for r in rs]
    cfg_root = {"resources": [r.configuration() for r in resources]}
    if modules:
        cfg_root["module_calls"] = {
            name: {"source": f"./modules/{name}", "expressions": calls,
                   "module": {"resources": [r.configuration() for r in rs], "outputs": {}}}
            for name, (rs, calls) in modules.items()}
    return {
        "format_version": "1.2",
        "terraform_version": terraform_version,
        "planned_values": {"root_module": root},
        "resource_changes": [r.change() for r in allres],
        "prior_state": {"format_version": "1.0", "terraform_version": terraform_version,
                        "values": {"root_module": {"resources": [
                            r.planned() for r in resources if r.mode == "data" and not r.unknown]}}},
        "configuration": {"provider_config": {"aws": {"name": "aws", "full_name": PROVIDER,
                                                      "expressions": {"region": const("eu-west-1")}}},
                          "root_module": cfg_root},
        "relevant_attributes": [],
        "timestamp": "2026-11-29T06:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }


def dump(p, path):
    with open(path, "w") as f:
        json.dump(p, f, indent=2)
        f.write("\n")
